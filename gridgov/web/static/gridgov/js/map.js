// 网格地图: Leaflet over the user's area. Polygons come from the areas GeoJSON API, already
// narrowed to what the user may see. District, street and community layers load once; grids
// (about 1,500 in the district) load per community, only for communities in view and only
// when zoomed in far enough, so a phone never draws them all at once.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gg-map-config").textContent);
  var T = cfg.text;
  var statusEl = document.getElementById("gg-map-status");
  var LEVELS = ["district", "street", "community", "grid"];
  var own = {};
  cfg.ownCodes.forEach(function (c) { own[c] = true; });

  var STYLE = {
    district: { color: "#1f4e8c", weight: 3, fill: false },
    street: { color: "#6b3fa0", weight: 2, fillColor: "#6b3fa0", fillOpacity: 0.03 },
    community: { color: "#1e6b3a", weight: 1.5, dashArray: "4 3", fillColor: "#1e6b3a",
      fillOpacity: 0.04 },
    grid: { color: "#c05a00", weight: 1, fillColor: "#f0a040", fillOpacity: 0.15 }
  };
  var OWN_STYLE = { weight: 3, fillOpacity: 0.35 };

  var map = L.map("gg-map", { zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  // The base: tiles, or the district's own land, boundaries and names (this map's polygons,
  // limited to the user's scope, are drawn over it; the names stay above them).
  var base = GG.basemap(map, cfg.basemap);
  L.control.scale({ imperial: false }).addTo(map);

  // One pane per level so grids stay on top of communities, streets and the district.
  var groups = {};
  LEVELS.forEach(function (level, i) {
    map.createPane("gg-" + level).style.zIndex = 410 + i * 10;
    groups[level] = L.featureGroup().addTo(map);
  });
  // Street and community boundaries are drawn again above the grids (lines only, not
  // clickable): grid edges run along them and would otherwise hide them.
  map.createPane("gg-outline").style.zIndex = 450;
  map.getPane("gg-outline").style.pointerEvents = "none";

  function setStatus(text) { statusEl.textContent = text || ""; }

  function apiUrl(params) {
    var q = new URLSearchParams(params);
    if (cfg.crs && cfg.crs !== "wgs84") { q.set("crs", cfg.crs); }
    return cfg.geojsonUrl + "?" + q.toString();
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) {
        if (!r.ok) { throw new Error(r.status + " " + url); }
        return r.json();
      });
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function formatArea(m2) {
    if (m2 === null || m2 === undefined) { return T.unknown; }
    var km2 = m2 / 1e6;
    return Math.round(m2).toLocaleString() + " " + T.m2 + " / " +
      km2.toFixed(km2 < 1 ? 3 : 2) + " " + T.km2;
  }

  function staffHtml(staff) {
    if (!staff) { return esc(T.loading); }
    if (!staff.length) { return esc(T.noStaff); }
    return "<ul>" + staff.map(function (s) {
      var name = s.real_name || s.name || s.username || "";
      var role = s.role_label || s.role_display || cfg.roleLabels[s.role] || s.role || "";
      return "<li>" + esc(name) + (role ? " · " + esc(role) : "") + "</li>";
    }).join("") + "</ul>";
  }

  function popupHtml(p, staff) {
    var rows = [
      [T.code, "<code>" + esc(p.code) + "</code>"],
      [T.level, esc(cfg.levelLabels[p.level] || p.level)],
      [T.kind, esc(cfg.kindLabels[p.kind] || p.kind)],
      [T.area, esc(formatArea(p.area_m2))],
      [T.households, esc(p.households === null || p.households === undefined ?
        T.unknown : p.households)],
      [T.staff, staffHtml(staff)]
    ];
    var html = '<div class="gg-popup" data-code="' + esc(p.code) + '"><h3>' + esc(p.name) +
      "</h3><table>" + rows.map(function (r) {
        return "<tr><th>" + esc(r[0]) + "</th><td>" + r[1] + "</td></tr>";
      }).join("") + "</table>";
    if (p.generated) { html += '<p class="gg-generated">' + esc(T.generated) + "</p>"; }
    return html + "</div>";
  }

  function staffFrom(detail) {
    return detail.staff || detail.assignments || [];
  }

  function onFeature(feature, layer) {
    var p = feature.properties;
    layer.bindPopup(function () { return popupHtml(p, null); }, { maxWidth: 320 });
    layer.on("popupopen", function (e) {
      layer.closeTooltip();
      getJSON(cfg.areasUrl + encodeURIComponent(p.code) + "/")
        .then(function (detail) { e.popup.setContent(popupHtml(p, staffFrom(detail))); })
        .catch(function () { e.popup.setContent(popupHtml(p, [])); });
    });
    if (p.level === "grid" || p.level === "community") {
      layer.bindTooltip(esc(p.name), { sticky: true, direction: "top" });
    }
  }

  function makeLayer(level, data) {
    return L.geoJSON(data, {
      pane: "gg-" + level,
      style: function (f) {
        var s = L.extend({}, STYLE[level]);
        if (own[f.properties.code] && level !== "district") { L.extend(s, OWN_STYLE); }
        return s;
      },
      onEachFeature: onFeature
    });
  }

  // Community outlines double as the index of where grids can be fetched from.
  var communities = [];
  var loadedParents = {};
  var pending = 0;

  function outline(level, data) {
    return L.geoJSON(data, {
      pane: "gg-outline", interactive: false,
      style: L.extend({}, STYLE[level], { fill: false })
    });
  }

  function loadLevel(level) {
    return getJSON(apiUrl({ level: level })).then(function (data) {
      var layer = makeLayer(level, data);
      groups[level].addLayer(layer);
      if (level === "street" || level === "community") {
        groups[level].addLayer(outline(level, data));
      }
      if (level === "community") {
        layer.eachLayer(function (l) {
          communities.push({ code: l.feature.properties.code, bounds: l.getBounds() });
        });
      }
      return layer;
    });
  }

  function gridCount() {
    var n = 0;
    groups.grid.eachLayer(function (l) { n += l.getLayers().length; });
    return n;
  }

  function communitiesInView() {
    var view = map.getBounds().pad(0.2);
    return communities.filter(function (c) { return view.intersects(c.bounds); });
  }

  // Grids are drawn when zoomed in, or when few communities are in view (a street, a
  // community): never the whole district's grids at once.
  function gridsWanted(visible) {
    return map.getZoom() >= cfg.gridMinZoom || visible.length <= cfg.gridMaxCommunities;
  }

  function updateGridStatus(visible) {
    if (pending) { setStatus(T.loading); return; }
    if (!map.hasLayer(groups.grid)) { setStatus(""); return; }
    if (!gridsWanted(visible || communitiesInView())) { setStatus(T.zoomIn); return; }
    setStatus(T.gridsLoaded.replace("%(n)s", gridCount()));
  }

  function loadGridsInView() {
    var visible = communitiesInView();
    if (!map.hasLayer(groups.grid) || !gridsWanted(visible)) {
      updateGridStatus(visible);
      return;
    }
    visible.forEach(function (c) {
      if (loadedParents[c.code]) { return; }
      loadedParents[c.code] = true;
      pending += 1;
      getJSON(apiUrl({ level: "grid", parent: c.code }))
        .then(function (data) { groups.grid.addLayer(makeLayer("grid", data)); })
        .catch(function () { loadedParents[c.code] = false; setStatus(T.loadFailed); })
        .then(function () { pending -= 1; updateGridStatus(); });
    });
    updateGridStatus(visible);
  }

  if (cfg.bounds) {
    // A grid is a few hundred metres across: stop at street level so its neighbours show.
    map.fitBounds(cfg.bounds, { padding: [16, 16], maxZoom: 16 });
  } else {
    map.setView([29.87, 121.55], 11);
  }

  setStatus(T.loading);
  Promise.all([loadLevel("district"), loadLevel("street"), loadLevel("community")])
    .then(function () { loadGridsInView(); })
    .catch(function () { setStatus(T.loadFailed); });
  map.on("moveend", loadGridsInView);

  document.querySelectorAll("[data-gg-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var group = groups[box.getAttribute("data-gg-layer")];
      if (box.checked) { group.addTo(map); } else { map.removeLayer(group); }
      if (box.checked && group === groups.grid) { loadGridsInView(); }
    });
  });

  // For tests and for the events app's map layers later.
  window.GridGovMap = { map: map, groups: groups, config: cfg, basemap: base };
})();
