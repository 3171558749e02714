// 巡查轨迹 (desktop): the patrol's kept track, its start and end, the grid's outline and the
// events found on it (config from the page, #p-track-config; points already in the map's
// datum). Works with no tile server: the outline and the track on a plain background.
(function () {
  "use strict";
  var el = document.getElementById("p-track-map");
  var cfgEl = document.getElementById("p-track-config");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.text;
  var map = L.map(el, { zoomSnap: 0.5, minZoom: 8, maxZoom: 19, scrollWheelZoom: false });
  map.attributionControl.setPrefix("Leaflet");
  // The base: tiles, or the district's own streets, communities and grids with their names.
  GG.basemap(map, cfg.basemap);
  L.control.scale({ imperial: false }).addTo(map);
  var bounds = L.latLngBounds([]);
  var grid = cfg.grid ? L.geoJSON(cfg.grid, { interactive: false,
    style: { color: "#c05a00", weight: 2, fillColor: "#f0a040", fillOpacity: 0.1 } }) : null;
  if (grid) { bounds.extend(grid.getBounds()); }
  if (cfg.track.length) { bounds.extend(L.latLngBounds(cfg.track)); }
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [16, 16], maxZoom: 18 });
  } else {
    map.setView([29.87, 121.55], 12);
  }
  if (grid) { grid.addTo(map); }
  if (cfg.track.length) {
    L.polyline(cfg.track, { color: "#1f4e8c", weight: 4, opacity: 0.85 }).addTo(map);
    L.circleMarker(cfg.track[0], { radius: 7, color: "#fff", weight: 2, fillColor: "#2a7f62",
      fillOpacity: 1 }).bindTooltip(T.start).addTo(map);
    L.circleMarker(cfg.track[cfg.track.length - 1], { radius: 7, color: "#fff", weight: 2,
      fillColor: "#b3261e", fillOpacity: 1 }).bindTooltip(T.end).addTo(map);
  }
  function esc(s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  cfg.events.forEach(function (e) {
    L.circleMarker(e.point, { radius: 6, color: "#fff", weight: 1.5, fillColor: "#c05a00",
      fillOpacity: 0.95 }).bindPopup('<a href="' + esc(e.url) + '">' + esc(e.number) + "</a>")
      .addTo(map);
  });
  window.addEventListener("resize", function () { map.invalidateSize(); });
  window.GridGovPatrolMap = map;
}());
