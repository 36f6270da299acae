// What every page of Tidings shares: fetching the JSON API, building elements safely
// (text is always set as text, never as HTML), the colours of quad classes and Goldstein
// scores, and the list of events a chart shows when something in it is clicked.
"use strict";

window.Tidings = (function () {
  const QUAD = {1: "#5b9bd5", 2: "#2e8b6a", 3: "#e0a030", 4: "#c9443c", 0: "#a3abb5"};
  const QUAD_NAMES = {1: "verbal cooperation", 2: "material cooperation", 3: "verbal conflict",
                      4: "material conflict", 0: "no quad class"};

  class Busy extends Error {}

  async function getJSON(url) {
    const response = await fetch(url, {headers: {Accept: "application/json"}});
    if (response.status === 503) throw new Busy("database busy");
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error.message : ("HTTP " + response.status);
      throw new Error(message);
    }
    return body;
  }

  // el("a", {href: "/x", class: "y"}, "text", otherNode): attributes and text, never HTML
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      node.setAttribute(key, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A failure in place of a chart or a list; a busy database offers to try again.
  function showProblem(container, error, retry) {
    container.replaceChildren();
    if (error instanceof Busy) {
      const button = el("button", {type: "button"}, "Try again");
      button.addEventListener("click", retry);
      container.append(el("p", {class: "problem busy", role: "alert"},
        "Database busy: tidings add is writing to it. ", button));
    } else {
      container.append(el("p", {class: "problem", role: "alert"}, "Could not load: " + error.message));
    }
  }

  async function load(container, url, draw) {
    const run = async () => {
      try {
        draw(await getJSON(url));
      } catch (error) {
        showProblem(container, error, run);
      }
    };
    return run();
  }

  function params(query) {
    return new URLSearchParams(query || "");
  }

  function withParams(query, extra) {
    const p = params(query);
    for (const [key, value] of Object.entries(extra)) {
      if (value === null || value === undefined || value === "") p.delete(key); else p.set(key, value);
    }
    return p.toString();
  }

  function quadDot(quad) {
    const dot = el("span", {class: "quad q" + (quad || 0), title: QUAD_NAMES[quad || 0]});
    return dot;
  }

  // The events of a selection, listed in a panel: the first 50 and a link to all of them.
  function eventList(container, title, query) {
    container.replaceChildren(el("h2", {}, title), el("p", {class: "muted"}, "loading…"));
    const url = "/api/events?" + withParams(query, {per_page: 50});
    return load(container, url, (data) => {
      const list = el("ol", {class: "event-list"});
      for (const e of data.items) {
        const link = el("a", {href: "/events/" + encodeURIComponent(e.id)},
          quadDot(e.quad_class), el("span", {class: "code"}, e.source || "?"), " ",
          e.code_name || e.code, " ", el("span", {class: "code"}, e.target || ""));
        const meta = el("span", {class: "muted"}, " " + (e.date || "undated") +
          (e.place ? " · " + e.place.name : "") + " · " + e.outlets + " outlet" + (e.outlets === 1 ? "" : "s"));
        list.append(el("li", {}, link, meta));
      }
      const all = el("a", {href: "/events?" + params(query).toString()}, "all " + data.total + " in the event list");
      container.replaceChildren(el("h2", {}, title),
        el("p", {class: "muted"}, data.total + " event" + (data.total === 1 ? "" : "s") + " · ", all), list);
    });
  }

  const goldstein = (g) => (g === null || g === undefined) ? QUAD[0] :
    d3.scaleLinear().domain([-10, 0, 10]).range(["#c9443c", "#a3abb5", "#2e8b6a"]).clamp(true)(g);

  // A select that submits its form when changed (the sort order of the listings)
  document.addEventListener("change", (event) => {
    if (event.target.classList && event.target.classList.contains("autosubmit")) event.target.form.submit();
  });

  // The navigation carries the filters of the view from one page to the next
  function setNavQuery(query) {
    for (const link of document.querySelectorAll("header.top nav a")) {
      const url = new URL(link.href, window.location.href);
      url.search = query;
      link.href = url.pathname + (query ? "?" + query : "");
    }
  }

  function readJSONAttribute(node, name) {
    const raw = node.getAttribute(name);
    return raw ? JSON.parse(raw) : null;
  }

  let worldPromise = null;
  function world() {
    if (!worldPromise) {
      worldPromise = getJSON("/static/vendor/world-atlas/countries-50m.json")
        .then((topo) => topojson.feature(topo, topo.objects.countries).features);
    }
    return worldPromise;
  }

  return {QUAD, QUAD_NAMES, Busy, getJSON, el, load, showProblem, params, withParams, quadDot, eventList,
          goldstein, setNavQuery, readJSONAttribute, world};
})();
