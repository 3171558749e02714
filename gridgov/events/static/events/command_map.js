// 事件实时地图: the events in the user's scope as circles coloured by state (due soon in amber,
// overdue in red: the server's colour, from the rule the queue counts use),
// reloaded from the GeoJSON endpoint every refreshSeconds and whenever the filters change.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gg-event-map-config").textContent);
  var T = cfg.text;
  var statusEl = document.getElementById("gg-map-status");
  var form = document.getElementById("gg-event-filter");
  var map = L.map("gg-map", { zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  if (cfg.tileUrl) {
    L.tileLayer(cfg.tileUrl, { attribution: cfg.tileAttribution || "", maxZoom: 19 }).addTo(map);
  }
  L.control.scale({ imperial: false }).addTo(map);
  var layer = L.featureGroup().addTo(map);
  var framed = false;

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function popup(p) {
    var html = "<div class=\"gg-popup\"><h3>" + esc(p.number) + "</h3><p>" +
      esc(p.state_label) + (p.overdue || p.due_soon ? " · <strong style=\"color:" + esc(p.color) +
      "\">" + esc(p.overdue ? T.overdue : T.due_soon) + "</strong>" : "") + "</p><p>" + esc(p.category) + "</p>" +
      (p.address ? "<p>" + esc(p.address) + "</p>" : "");
    if (p.url) { html += "<p><a href=\"" + esc(p.url) + "\">" + esc(T.open) + "</a></p>"; }
    return html + "</div>";
  }

  function load() {
    var query = new URLSearchParams(new FormData(form)).toString();
    fetch(cfg.geojsonUrl + "?" + query, { credentials: "same-origin",
      headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        layer.clearLayers();
        data.features.forEach(function (f) {
          var c = f.geometry.coordinates;
          var p = f.properties;
          L.circleMarker([c[1], c[0]], {
            radius: p.overdue || p.due_soon || p.supervised ? 8 : 6, color: p.color, weight: p.urgent ? 3 : 1,
            fillColor: p.color, fillOpacity: 0.8
          }).bindPopup(popup(p)).addTo(layer);
        });
        var text = T.loaded.replace("%(n)s", data.features.length);
        if (data.truncated) { text += T.truncated.replace("%(n)s", data.features.length); }
        statusEl.textContent = text;
        if (!framed && data.features.length) {
          map.fitBounds(layer.getBounds().pad(0.1), { maxZoom: 16 });
          framed = true;
        }
      })
      .catch(function () { statusEl.textContent = T.failed; });
  }

  map.setView([29.87, 121.55], 12);
  form.addEventListener("submit", function (e) { e.preventDefault(); framed = false; load(); });
  load();
  window.setInterval(load, cfg.refreshSeconds * 1000);
}());
