// An event's small map: the region around its place, with the place marked.
"use strict";

(function () {
  const T = window.Tidings;
  const figure = document.getElementById("event-map");
  const place = T.readJSONAttribute(figure, "data-place");
  if (!place) {
    figure.append(T.el("p", {class: "empty"}, "No place is known for this event."));
    return;
  }

  async function draw() {
    let shapes;
    try {
      shapes = await T.world();
    } catch (error) {
      T.showProblem(figure, error, draw);
      return;
    }
    figure.replaceChildren();
    const width = Math.max(figure.clientWidth, 260), height = Math.round(width * 0.8);
    // about 1,500 km around the place
    const area = d3.geoCircle().center([place.lon, place.lat]).radius(12)();
    const projection = d3.geoAzimuthalEqualArea().rotate([-place.lon, -place.lat]).fitSize([width, height], area);
    const path = d3.geoPath(projection);
    const svg = d3.select(figure).append("svg").attr("viewBox", `0 0 ${width} ${height}`)
      .attr("width", width).attr("height", height).attr("role", "img").attr("aria-label", "map of " + place.name);
    svg.append("path").attr("class", "sphere").attr("d", path({type: "Sphere"}));
    svg.append("g").attr("class", "countries").selectAll("path").data(shapes).join("path")
      .attr("class", "country").attr("d", path);
    const [px, py] = projection([place.lon, place.lat]);
    svg.append("circle").attr("class", "here").attr("cx", px).attr("cy", py).attr("r", 7);
    svg.append("text").attr("class", "here-label").attr("x", px + 11).attr("y", py + 4).text(place.name);
  }

  draw();
})();
