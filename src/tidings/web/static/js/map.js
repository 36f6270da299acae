// The world map: countries shaded by how many events happened there, places as circles
// sized by their events. Shapes are Natural Earth's (world-atlas), served by Tidings.
// Clicking a country or a place lists its events beside the map.
"use strict";

(function () {
  const T = window.Tidings;
  const figure = document.getElementById("world-map");
  const panel = document.getElementById("map-panel");
  const summary = document.getElementById("map-summary");
  const filters = panel.dataset.filters || "";

  async function draw() {
    let shapes, data;
    try {
      [shapes, data] = await Promise.all([T.world(), T.getJSON(figure.dataset.api)]);
    } catch (error) {
      T.showProblem(figure, error, draw);
      return;
    }
    figure.replaceChildren();
    const width = Math.max(figure.clientWidth, 480);
    const height = Math.round(width * 0.5);
    const projection = d3.geoNaturalEarth1().fitExtent([[4, 4], [width - 4, height - 4]], {type: "Sphere"});
    const path = d3.geoPath(projection);
    const byNumeric = new Map(data.countries.filter((c) => c.numeric).map((c) => [c.numeric, c]));
    const most = d3.max(data.countries, (c) => c.events) || 1;
    const shade = d3.scaleSequentialLog([1, Math.max(most, 2)], d3.interpolateRgb("#dce8f5", "#1d4f91"));

    const svg = d3.select(figure).append("svg")
      .attr("viewBox", `0 0 ${width} ${height}`).attr("width", width).attr("height", height)
      .attr("role", "img").attr("aria-label", "world map of events");
    const layer = svg.append("g");
    layer.append("path").attr("class", "sphere").attr("d", path({type: "Sphere"}));
    layer.append("path").attr("class", "graticule").attr("d", path(d3.geoGraticule10()));
    layer.append("g").attr("class", "countries")
      .selectAll("path").data(shapes).join("path")
      .attr("d", path)
      .attr("class", (d) => byNumeric.has(d.id) ? "country has-events" : "country")
      .style("fill", (d) => byNumeric.has(d.id) ? shade(byNumeric.get(d.id).events) : null)
      .on("click", (event, d) => {
        const c = byNumeric.get(d.id);
        if (c) T.eventList(panel, `${c.name || c.country}: ${c.events} event${c.events === 1 ? "" : "s"}`,
          T.withParams(filters, {country: c.country}));
      })
      .append("title").text((d) => {
        const c = byNumeric.get(d.id);
        return (d.properties && d.properties.name || "") + (c ? `: ${c.events} event${c.events === 1 ? "" : "s"}` : "");
      });

    const biggest = d3.max(data.points, (p) => p.events) || 1;
    // a place with a few events stays small; the busiest place is at most 26 px across the radius
    const radius = d3.scaleSqrt([0, Math.max(biggest, 20)], [0, Math.max(8, Math.min(26, width / 40))]);
    layer.append("g").attr("class", "points")
      .selectAll("circle").data(data.points.slice().sort((a, b) => b.events - a.events)).join("circle")
      .attr("transform", (p) => `translate(${projection([p.lon, p.lat])})`)
      .attr("r", (p) => Math.max(3, radius(p.events)))
      .on("click", (event, p) => T.eventList(panel, `${p.name}: ${p.events} event${p.events === 1 ? "" : "s"}`,
        T.withParams(filters, {place: p.geonameid})))
      .append("title").text((p) => `${p.name} (${p.country}): ${p.events} event${p.events === 1 ? "" : "s"}`);

    svg.call(d3.zoom().scaleExtent([1, 12]).translateExtent([[0, 0], [width, height]])
      .on("zoom", (event) => {
        layer.attr("transform", event.transform);
        layer.selectAll(".points circle").attr("stroke-width", 1 / event.transform.k)
          .attr("r", (p) => Math.max(3, radius(p.events)) / Math.sqrt(event.transform.k));
      }));

    summary.textContent = `${data.events} event${data.events === 1 ? "" : "s"}, ${data.placed} with a place, ` +
      `in ${data.countries.length} countr${data.countries.length === 1 ? "y" : "ies"} and ${data.points.length} ` +
      `place${data.points.length === 1 ? "" : "s"}. Scroll to zoom.`;
    if (data.countries.length) {
      const top = data.countries[0];
      T.eventList(panel, `${top.name || top.country}: ${top.events} event${top.events === 1 ? "" : "s"}`,
        T.withParams(filters, {country: top.country}));
    }
  }

  draw();
})();
