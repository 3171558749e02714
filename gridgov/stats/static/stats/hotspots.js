// 热点分析: grids coloured by the number of reports in the period (a choropleth). Works without
// a tile server (the outlines alone); clicking a grid opens the list of its cases.
(function () {
  "use strict";
  var cfgEl = document.getElementById("gg-stats-map-config");
  if (!cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.text;
  var statusEl = document.getElementById("gg-stats-map-status");
  var SCALE = ["#fee5d9", "#fcbba1", "#fc9272", "#fb6a4a", "#de2d26", "#a50f15"];

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var map = L.map("gg-stats-map", { zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  // The base: WGS-84 tiles, or the district's own outlines and names (the server leaves
  // GCJ-02 tiles out: this map's grids are WGS-84).
  GG.basemap(map, cfg.basemap);
  map.setView([29.87, 121.55], 11);
  statusEl.textContent = T.loading;

  fetch(cfg.geojsonUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var max = data.max || 1;
      function colour(n) {
        var i = Math.min(SCALE.length - 1, Math.floor((n / max) * (SCALE.length - 1) + 0.0001));
        return SCALE[Math.max(0, i)];
      }
      var layer = L.geoJSON(data, {
        style: function (f) {
          return { color: "#7a2a10", weight: 1, fillColor: colour(f.properties.count),
            fillOpacity: 0.75 };
        },
        onEachFeature: function (f, l) {
          var p = f.properties;
          l.bindTooltip(esc(p.name) + ":" + p.count);
          l.on("click", function () { window.location.href = p.url; });
        }
      }).addTo(map);
      // The heat layer: the busiest ~50 m cells as translucent discs, sized and shaded by
      // their reports (Leaflet.heat is not vendored; discs need nothing more).
      var heatMax = (data.heat || []).reduce(function (m, c) { return Math.max(m, c[2]); }, 1);
      var heat = L.layerGroup((data.heat || []).map(function (c) {
        var share = c[2] / heatMax;
        return L.circleMarker([c[0], c[1]], { radius: 4 + 14 * Math.sqrt(share), stroke: false,
          fillColor: share > 0.5 ? "#d62728" : share > 0.2 ? "#ff7f0e" : "#f5a623",
          fillOpacity: 0.25 + 0.45 * share, interactive: false });
      }));
      var overlays = {};
      overlays[T.grids] = layer;
      overlays[T.heat] = heat;
      L.control.layers(null, overlays, { collapsed: false }).addTo(map);
      var legend = L.control({ position: "bottomright" });
      legend.onAdd = function () {
        var div = L.DomUtil.create("div", "gg-stats-legend");
        div.innerHTML = esc(T.reports) + "<br>" + SCALE.map(function (c, i) {
          var from = Math.ceil((i / (SCALE.length - 1)) * max);
          return "<span><i style=\"background:" + c + "\"></i>" + (i ? "≥" + from : "1") +
            "</span>";
        }).join("");
        return div;
      };
      legend.addTo(map);
      if (data.features.length) {
        map.fitBounds(layer.getBounds(), { padding: [12, 12] });
        statusEl.textContent = "";
      } else {
        statusEl.textContent = T.none;
      }
      document.getElementById("gg-stats-map").setAttribute("data-gg-map-ready",
        String(data.features.length));
    })
    .catch(function () { statusEl.textContent = T.failed; });
}());
