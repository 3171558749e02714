/* The small map of basic-data pages: the records' points (WGS-84) over the configured tiles,
   or on a plain background when no tile server is set. */
(function () {
  "use strict";
  var canvas = document.getElementById("gg-bd-map");
  var data = document.getElementById("gg-bd-points");
  if (!canvas || !data || typeof L === "undefined") { return; }
  var points = JSON.parse(data.textContent);
  var map = L.map(canvas, { attributionControl: true, zoomSnap: 0.25 });
  // The base (#gg-basemap-config): tiles, or the district's own outlines and names.
  GG.basemap(map);
  var layer = L.featureGroup();
  points.forEach(function (p) {
    var m = L.circleMarker([p.lat, p.lng], { radius: 6, color: "#c0392b", fillOpacity: 0.6 });
    var text = document.createElement("span");
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url; a.textContent = p.label; text.appendChild(a);
    } else { text.textContent = p.label; }
    m.bindPopup(text);
    layer.addLayer(m);
  });
  layer.addTo(map);
  if (points.length) { map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 17 }); }
  else { map.setView([29.87, 121.55], 11); }
})();
