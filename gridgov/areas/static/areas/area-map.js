/* The small map on an area's page: its polygon over the configured tiles, or on a plain
   background when no tile server is set (the demo works offline). */
(function () {
  "use strict";
  var canvas = document.getElementById("gg-area-map-canvas");
  var data = document.getElementById("gg-area-feature");
  if (!canvas || !data || typeof L === "undefined") { return; }
  var feature = JSON.parse(data.textContent);
  var map = L.map(canvas, { attributionControl: true, zoomSnap: 0.25 });
  // The base (#gg-basemap-config): tiles, or the district's own outlines and names.
  GG.basemap(map);
  var layer = L.geoJSON(feature, {
    style: { color: "#c0392b", weight: 2, fillColor: "#e67e22", fillOpacity: 0.15 }
  }).addTo(map);
  var bounds = layer.getBounds();
  if (bounds.isValid()) {
    map.fitBounds(bounds, { padding: [12, 12] });
  } else {
    map.setView([29.87, 121.55], 11);
  }
})();
