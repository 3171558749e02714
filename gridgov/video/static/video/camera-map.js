/* The registry's map: the cameras of the list (or the one camera of its page), WGS-84, over
   the platform's base map (GG.basemap), each a camera marker coloured by status. */
(function () {
  "use strict";
  var canvas = document.getElementById("gg-video-map");
  var data = document.getElementById("gg-video-map-config");
  if (!canvas || !data || typeof L === "undefined") { return; }
  var cfg = JSON.parse(data.textContent);
  var map = L.map(canvas, { zoomSnap: 0.25, preferCanvas: true });
  var GG = window.GG || {};
  if (typeof GG.basemap === "function") { GG.basemap(map, cfg.basemap || null); }
  var icon = GG.basemap && GG.basemap.cameraIcon;
  var layer = L.featureGroup();
  var many = cfg.points.length > 300;
  var COLOURS = { online: "#2a7f62", offline: "#7a808a", fault: "#b3261e" };
  cfg.points.forEach(function (p) {
    // Hundreds of icons are slow to draw: circles on the canvas beyond 300.
    var m = (icon && !many) ? L.marker([p.lat, p.lng], { icon: icon(p.status), title: p.label })
      : L.circleMarker([p.lat, p.lng], { radius: 5, weight: 1, color: "#fff",
                                         fillColor: COLOURS[p.status] || "#7a808a", fillOpacity: 0.9 });
    var text = document.createElement("span");
    if (p.url) {
      var a = document.createElement("a");
      a.href = p.url; a.textContent = p.label; text.appendChild(a);
    } else { text.textContent = p.label; }
    m.bindPopup(text);
    layer.addLayer(m);
  });
  layer.addTo(map);
  if (cfg.points.length === 1) { map.setView([cfg.points[0].lat, cfg.points[0].lng], 17); }
  else if (cfg.points.length) { map.fitBounds(layer.getBounds(), { padding: [16, 16], maxZoom: 17 }); }
  else { map.setView([29.87, 121.55], 12); }
})();
