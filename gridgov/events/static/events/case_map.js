// 案卷地图: the event's point, its grid's outline and what lies near it (config from the page,
// #gg-case-map-config; positions already in the tile server's datum). Works with no tile
// server: the grid outline and the points are drawn on a plain background.
// Each nearby source (reports today; cameras once a registry exists) is its own layer,
// styled by its "kind"; window.GridGovCaseMap.addNearby(key, items) draws another one.
(function () {
  "use strict";
  var el = document.getElementById("gg-case-map");
  var cfgEl = document.getElementById("gg-case-map-config");
  if (!el || !cfgEl || !window.L) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var T = cfg.text;

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  var map = L.map(el, { zoomSnap: 0.5, minZoom: 8, maxZoom: 19, scrollWheelZoom: false });
  map.attributionControl.setPrefix("Leaflet");
  // The base: tiles, or the district's own streets, communities and grids with their names.
  var base = window.GG && GG.basemap ? GG.basemap(map, cfg.basemap) : null;
  L.control.scale({ imperial: false }).addTo(map);

  // Frame the grid and the search circle first: vector layers need a view to be drawn in.
  var grid = cfg.grid ? L.geoJSON(cfg.grid, {
    interactive: false,
    style: { color: "#c05a00", weight: 2, fillColor: "#f0a040", fillOpacity: 0.12 }
  }) : null;
  var bounds = L.latLng(cfg.point).toBounds(cfg.radius * 2);
  if (grid) { bounds.extend(grid.getBounds()); }
  map.fitBounds(bounds, { padding: [12, 12], maxZoom: 17 });
  if (grid) { grid.addTo(map); }
  // The search radius, so "nearby" has a visible edge.
  L.circle(cfg.point, { radius: cfg.radius, interactive: false, color: "#1f4e8c", weight: 1,
    dashArray: "4 4", fill: false }).addTo(map);

  var KIND_STYLE = {
    report: { radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#5a6b85", fillOpacity: 0.9 },
    camera: { radius: 6, color: "#ffffff", weight: 1.5, fillColor: "#2a7f62", fillOpacity: 0.9 }
  };
  var nearby = {};

  function popup(item) {
    return '<div class="gg-popup"><strong>' + esc(item.title) + "</strong><br>" +
      esc(item.subtitle) + (item.state ? " · " + esc(item.state) : "") + "<br>" +
      esc(T.metres.replace("%(n)s", item.distance)) +
      (item.url ? '<br><a href="' + esc(item.url) + '">' + esc(T.open) + "</a>" : "") + "</div>";
  }

  function addNearby(key, items) {
    if (nearby[key]) { map.removeLayer(nearby[key]); }
    var group = L.featureGroup();
    items.forEach(function (item) {
      // Cameras get the camera marker the overlays use, so they read as cameras at a glance.
      var marker = item.kind === "camera" && window.GG && GG.basemap ?
        L.marker(item.point, { icon: GG.basemap.cameraIcon(item.status), title: item.title,
          keyboard: true }) :
        L.circleMarker(item.point, KIND_STYLE[item.kind] || KIND_STYLE.report);
      marker.bindPopup(popup(item)).addTo(group);
    });
    nearby[key] = group.addTo(map);
    return group;
  }
  (cfg.nearby || []).forEach(function (source) { addNearby(source.key, source.items); });

  var here = L.marker(cfg.point, {
    title: cfg.number, zIndexOffset: 1000, keyboard: true,
    icon: L.divIcon({ className: "gg-case-here", iconSize: [22, 22], iconAnchor: [11, 11],
      html: "<span></span>" })
  }).bindTooltip(esc(T.here) + " " + esc(cfg.number), { direction: "top", offset: [0, -10] })
    .addTo(map);
  // The card may change size as the page lays out (fonts, phone rotation).
  window.addEventListener("resize", function () { map.invalidateSize(); });

  window.GridGovCaseMap = { map: map, here: here, nearby: nearby, addNearby: addNearby,
    config: cfg, basemap: base };
}());
