// A story's small timeline: one row per outlet, a dot per article on the day it was published.
"use strict";

(function () {
  const T = window.Tidings;
  const figure = document.getElementById("story-timeline");
  const articles = (T.readJSONAttribute(figure, "data-articles") || []).filter((a) => a.published);
  if (!articles.length) {
    figure.append(T.el("p", {class: "empty"}, "No article of this story has a publication date."));
    return;
  }
  const parse = (s) => new Date(s.length <= 10 ? s + "T00:00:00Z" : s);
  const outlets = Array.from(new Set(articles.map((a) => a.outlet)));
  let [first, last] = d3.extent(articles, (a) => parse(a.published));
  first = d3.utcDay.offset(d3.utcDay.floor(first), -1);
  last = d3.utcDay.offset(d3.utcDay.ceil(last), 1);
  const width = Math.max(figure.clientWidth, 420);
  const margin = {top: 8, right: 20, bottom: 26, left: Math.min(220, 12 + 7 * d3.max(outlets, (o) => o.length))};
  const height = margin.top + margin.bottom + 26 * outlets.length;
  const x = d3.scaleUtc([first, last], [margin.left, width - margin.right]);
  const y = d3.scalePoint(outlets, [margin.top + 13, height - margin.bottom - 13]);
  const svg = d3.select(figure).append("svg").attr("viewBox", `0 0 ${width} ${height}`)
    .attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", "articles over time");
  svg.append("g").attr("class", "axis").attr("transform", `translate(0,${height - margin.bottom})`)
    .call(d3.axisBottom(x).ticks(Math.min(8, d3.utcDay.count(first, last))));
  svg.append("g").attr("class", "rows").selectAll("line").data(outlets).join("line")
    .attr("x1", margin.left).attr("x2", width - margin.right).attr("y1", (o) => y(o)).attr("y2", (o) => y(o));
  svg.append("g").attr("class", "outlet-names").selectAll("text").data(outlets).join("text")
    .attr("x", margin.left - 8).attr("y", (o) => y(o)).attr("dy", "0.32em").attr("text-anchor", "end").text((o) => o);
  const dots = svg.append("g").attr("class", "dots").selectAll("a").data(articles).join("a")
    .attr("href", (a) => "#a-" + a.id);
  dots.append("circle").attr("cx", (a) => x(parse(a.published))).attr("cy", (a) => y(a.outlet)).attr("r", 6);
  dots.append("title").text((a) => `${a.outlet}, ${a.published}: ${a.title || ""}`);
})();
