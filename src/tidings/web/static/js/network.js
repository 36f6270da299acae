// The actor network: actors as circles sized by their events, lines between actors that
// acted on each other, as thick as their events and coloured by the mean Goldstein score.
// The layout is computed before drawing (no jiggling), then the view can be zoomed.
// Clicking a line lists its events; clicking an actor lists the events it takes part in.
"use strict";

(function () {
  const T = window.Tidings;
  const figure = document.getElementById("network");
  const panel = document.getElementById("network-panel");
  const summary = document.getElementById("network-summary");
  const legend = document.getElementById("network-legend");
  const filters = figure.dataset.filters || "";

  function drawLegend() {
    const scale = [-10, -5, 0, 5, 10];
    legend.replaceChildren("Goldstein: ", ...scale.map((g) =>
      T.el("span", {class: "key"}, swatch(T.goldstein(g)), (g > 0 ? "+" : "") + g)));
  }

  function swatch(colour) {
    const s = T.el("span", {class: "swatch"});
    s.style.background = colour;  // CSSOM, not a style attribute: allowed by the page's policy
    return s;
  }

  function draw(data) {
    figure.replaceChildren();
    drawLegend();
    summary.textContent = `${data.nodes.length} of ${data.actors} actors and ${data.edges.length} of ` +
      `${data.pairs} pairs, the busiest first; actors of unknown country are left out.`;
    if (!data.edges.length) {
      figure.append(T.el("p", {class: "empty"}, "No event of this selection has both a source and a target."));
      return;
    }
    const width = Math.max(figure.clientWidth, 480), height = Math.max(480, Math.round(width * 0.62));
    const nodes = data.nodes.map((n) => ({...n}));
    const links = data.edges.map((e) => ({...e, source: e.a, target: e.b}));
    const most = d3.max(nodes, (n) => n.events) || 1;
    const radius = d3.scaleSqrt([1, Math.max(most, 30)], [5, 24]);
    const thickness = d3.scaleSqrt([1, d3.max(links, (l) => l.events) || 1], [1.5, 10]);
    const simulation = d3.forceSimulation(nodes)
      .force("link", d3.forceLink(links).id((n) => n.code).distance((l) => 60 + 120 / Math.sqrt(l.events)))
      .force("charge", d3.forceManyBody().strength(-420))
      .force("collide", d3.forceCollide((n) => Math.max(radius(n.events) + 16, 3.4 * n.label.length)))
      .force("x", d3.forceX(width / 2).strength(0.06))
      .force("y", d3.forceY(height / 2).strength(0.09))
      .stop();
    for (let i = 0; i < 400; i++) simulation.tick();
    // fit what was laid out into the figure
    const xs = d3.extent(nodes, (n) => n.x), ys = d3.extent(nodes, (n) => n.y);
    const pad = 70;
    const k = Math.min((width - 2 * pad) / Math.max(1, xs[1] - xs[0]), (height - 2 * pad) / Math.max(1, ys[1] - ys[0]), 1.6);
    for (const n of nodes) {
      n.x = width / 2 + (n.x - (xs[0] + xs[1]) / 2) * k;
      n.y = height / 2 + (n.y - (ys[0] + ys[1]) / 2) * k;
    }

    const svg = d3.select(figure).append("svg").attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", "actor network");
    const layer = svg.append("g");
    const edge = layer.append("g").attr("class", "edges").selectAll("g").data(links).join("g").attr("class", "edge");
    const line = (sel) => sel.attr("x1", (l) => l.source.x).attr("y1", (l) => l.source.y)
      .attr("x2", (l) => l.target.x).attr("y2", (l) => l.target.y);
    edge.append("line").attr("class", "visible").call(line)
      .attr("stroke", (l) => T.goldstein(l.goldstein)).attr("stroke-width", (l) => thickness(l.events));
    edge.append("line").attr("class", "hit").call(line)      // a wider, invisible line to click
      .attr("stroke-width", (l) => Math.max(12, thickness(l.events) + 8));
    edge.append("title").text((l) => `${l.source.code} – ${l.target.code}: ${l.events} event${l.events === 1 ? "" : "s"}` +
      (l.goldstein === null ? "" : `, mean Goldstein ${l.goldstein > 0 ? "+" : ""}${l.goldstein}`));
    edge.on("click", (event, l) => {
      layer.selectAll(".edge").classed("selected", (x) => x === l);
      T.eventList(panel, `${l.source.code} ↔ ${l.target.code}`,
        T.withParams(filters, {between: `${l.source.code},${l.target.code}`}));
    });

    const node = layer.append("g").attr("class", "nodes").selectAll("g").data(nodes).join("g")
      .attr("class", "node").attr("transform", (n) => `translate(${n.x},${n.y})`);
    node.append("circle").attr("r", (n) => radius(n.events));
    node.append("text").attr("class", "code").attr("dy", (n) => -radius(n.events) - 5).text((n) => n.code);
    node.append("text").attr("class", "label").attr("dy", (n) => radius(n.events) + 13).text((n) => n.label);
    node.append("title").text((n) => `${n.label} (${n.code}): ${n.events} event${n.events === 1 ? "" : "s"} with the actors shown`);
    node.on("click", (event, n) => T.eventList(panel, `${n.label} (${n.code})`, T.withParams(filters, {actor: n.code})));

    svg.call(d3.zoom().scaleExtent([0.5, 6]).on("zoom", (event) => layer.attr("transform", event.transform)));
  }

  T.load(figure, figure.dataset.api, draw);
})();
