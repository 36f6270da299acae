// The timeline: events per day (per week or month over long spans), stacked by quad class.
// Dragging across it selects a range of days: the list below, the address and the links
// to the other views narrow to it.
"use strict";

(function () {
  const T = window.Tidings;
  const figure = document.getElementById("timeline");
  const panel = document.getElementById("timeline-panel");
  const summary = document.getElementById("timeline-summary");
  const legend = document.getElementById("timeline-legend");
  const filters = figure.dataset.filters || "";
  const KEYS = ["4", "3", "2", "1", "0"];  // conflict at the bottom, where the eye lands
  const day = d3.utcDay;
  const iso = d3.utcFormat("%Y-%m-%d");

  function binner(first, last) {
    const span = day.count(first, last);
    if (span > 2000) return {interval: d3.utcMonth, name: "month"};
    if (span > 400) return {interval: d3.utcMonday, name: "week"};
    return {interval: day, name: "day"};
  }

  function drawLegend() {
    legend.replaceChildren(...["1", "2", "3", "4"].map((k) =>
      T.el("span", {class: "key"}, T.quadDot(Number(k)), T.QUAD_NAMES[k])));
  }

  function draw(data) {
    figure.replaceChildren();
    drawLegend();
    summary.textContent = `${data.events} event${data.events === 1 ? "" : "s"}; ` +
      `${data.by_day} dated to the day` + (data.not_by_day ? `, ${data.not_by_day} only to a month or a year (not drawn)` : "") + ".";
    if (!data.days.length) {
      figure.append(T.el("p", {class: "empty"}, "No event of this selection is dated to the day."));
      T.eventList(panel, "Events", filters);
      return;
    }
    const parse = (s) => new Date(s + "T00:00:00Z");
    const first = parse(data.days[0].day), last = parse(data.days[data.days.length - 1].day);
    const bin = binner(first, last);
    const bins = new Map();
    for (const x of bin.interval.range(bin.interval.floor(first), bin.interval.offset(bin.interval.floor(last), 1))) {
      bins.set(+x, {start: x, 0: 0, 1: 0, 2: 0, 3: 0, 4: 0, total: 0});
    }
    for (const d of data.days) {
      const b = bins.get(+bin.interval.floor(parse(d.day)));
      for (const k of KEYS) b[k] += d.quad[k] || 0;
      b.total += d.events;
    }
    const rows = Array.from(bins.values());
    const width = Math.max(figure.clientWidth, 480), height = 300;
    const margin = {top: 12, right: 16, bottom: 28, left: 44};
    const x = d3.scaleUtc([rows[0].start, bin.interval.offset(rows[rows.length - 1].start, 1)],
      [margin.left, width - margin.right]);
    const y = d3.scaleLinear([0, d3.max(rows, (r) => r.total) || 1], [height - margin.bottom, margin.top]).nice();
    const series = d3.stack().keys(KEYS)(rows);
    const svg = d3.select(figure).append("svg").attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", "events per " + bin.name);
    svg.append("g").attr("class", "grid").attr("transform", `translate(${margin.left},0)`)
      .call(d3.axisLeft(y).ticks(5).tickSize(-(width - margin.left - margin.right)).tickFormat(""));
    const barWidth = (r) => Math.max(1, x(bin.interval.offset(r.start, 1)) - x(r.start) - 1);
    svg.append("g").attr("class", "bars").selectAll("g").data(series).join("g")
      .attr("fill", (s) => T.QUAD[s.key])
      .selectAll("rect").data((s) => s.filter((d) => d[1] > d[0])).join("rect")
      .attr("x", (d) => x(d.data.start)).attr("width", (d) => barWidth(d.data))
      .attr("y", (d) => y(d[1])).attr("height", (d) => Math.max(0, y(d[0]) - y(d[1])))
      .append("title").text((d) => `${iso(d.data.start)}${bin.name === "day" ? "" : " (" + bin.name + ")"}: ` +
        `${d.data.total} event${d.data.total === 1 ? "" : "s"}`);
    svg.append("g").attr("class", "axis").attr("transform", `translate(0,${height - margin.bottom})`)
      .call(d3.axisBottom(x).ticks(Math.min(10, rows.length)));
    svg.append("g").attr("class", "axis").attr("transform", `translate(${margin.left},0)`)
      .call(d3.axisLeft(y).ticks(5));

    const current = T.params(filters);
    const brush = d3.brushX().extent([[margin.left, margin.top], [width - margin.right, height - margin.bottom]])
      .on("end", (event) => {
        if (!event.sourceEvent) return;  // moved by code, not by a person
        if (!event.selection) {
          select(current.get("since"), current.get("until"));
          return;
        }
        const [a, b] = event.selection.map(x.invert);
        const since = day.floor(a), until = day.offset(day.ceil(b), -1);
        select(iso(since), iso(until < since ? since : until));
      });
    svg.append("g").attr("class", "brush").call(brush);
    select(current.get("since"), current.get("until"));
  }

  function select(since, until) {
    const query = T.withParams(filters, {since, until});
    const title = since || until ? `Events ${since ? "from " + since : ""} ${until ? "to " + until : ""}`.trim()
                                 : "Events";
    history.replaceState(null, "", "?" + query);
    T.setNavQuery(query);
    for (const input of document.querySelectorAll("form.filters input[name=since], form.filters input[name=until]")) {
      input.value = (input.name === "since" ? since : until) || "";
    }
    T.eventList(panel, title, query);
  }

  T.load(figure, figure.dataset.api, draw);
})();
