// 事件实时地图: the events in the user's scope as coloured dots (due soon amber, overdue red:
// the server's colour, from the rule the queue counts use), clustered, over the scoped area
// outlines (streets and communities at once, grids by the view's box when zoomed in).
// Every refreshSeconds, when a filter changes and after each move (debounced) the GeoJSON of
// the viewport (bbox and zoom) is fetched again and the markers are updated in place: new
// ones added, gone ones removed, changed ones restyled; the map is never reloaded and the
// view stays where the user put it. Where the view holds many events the server answers
// clusters counted in SQL (mode "clusters"): drawn as circles with their count, a click
// zooms to the cluster's extent. The first request (and the first after a filter change)
// has no bbox: the server answers the whole scope and the map frames it.
// window.GridGovLiveMap.refresh() runs a refresh now (returns a promise).
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gg-event-map-config").textContent);
  var T = cfg.text;
  var root = document.querySelector("[data-gg-livemap]");
  var statusEl = document.getElementById("gg-map-status");
  var updatedEl = document.getElementById("gg-map-updated");
  var form = document.getElementById("gg-event-filter");
  var panel = document.getElementById("gg-livemap-panel");
  var toggle = document.querySelector("[data-gg-panel-toggle]");

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- full height: from the top of the map block to the bottom of the window ---------------
  function fitHeight() {
    var top = root.getBoundingClientRect().top + window.scrollY;
    root.style.setProperty("--gg-livemap-top", Math.max(0, Math.round(top)) + "px");
  }
  fitHeight();

  var map = L.map("gg-map", { zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
  map.attributionControl.setPrefix("Leaflet");
  // The base: tiles, or the district's land, boundaries and the names of its streets,
  // communities and grids (de-cluttered); this map's scoped outlines are drawn over it.
  var base = GG.basemap(map, cfg.basemap);
  // With tiles the outlines below carry their own names; the own base names them already.
  var nameOutlines = base.tiles.length > 0;
  L.control.scale({ imperial: false }).addTo(map);
  map.setView([29.87, 121.55], 12);

  // --- area outlines -------------------------------------------------------------------------
  map.createPane("gg-outlines").style.zIndex = 350;
  map.getPane("gg-outlines").style.pointerEvents = "none";
  // Area names under the markers (Leaflet's tooltip pane is above them).
  map.createPane("gg-labels").style.zIndex = 450;
  map.getPane("gg-labels").style.pointerEvents = "none";
  var outlines = L.layerGroup().addTo(map);
  var OUTLINE = {
    street: { color: "#6b3fa0", weight: 2, fill: false },
    community: { color: "#1e6b3a", weight: 1.2, dashArray: "5 4", fill: false },
    grid: { color: "#c05a00", weight: 1, fillColor: "#f0a040", fillOpacity: 0.06 }
  };
  // Streets load once; communities and grids by the view's box once zoomed in far enough
  // (the district's communities alone are ~700 KB: never all at once on a phone).
  var BOX_LEVELS = [{ level: "community", minZoom: 14 }, { level: "grid", minZoom: cfg.gridMinZoom }];
  var drawn = {};
  var fetched = { community: [], grid: [] };
  var outlineBounds = null;

  function areasUrl(params) {
    var q = new URLSearchParams(params);
    if (cfg.crs && cfg.crs !== "wgs84") { q.set("crs", cfg.crs); }
    return cfg.areasUrl + "?" + q.toString();
  }

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status + " " + url); } return r.json(); });
  }

  function drawAreas(level, data) {
    data.features = data.features.filter(function (f) { return !drawn[f.properties.code]; });
    var layer = L.geoJSON(data, {
      pane: "gg-outlines", interactive: false, style: OUTLINE[level],
      onEachFeature: function (f, l) {
        drawn[f.properties.code] = true;
        if (!nameOutlines) { return; }
        l.bindTooltip(esc(f.properties.name), {
          permanent: true, direction: "center", interactive: false, pane: "gg-labels",
          className: "gg-area-label gg-area-label-" + level
        });
      }
    });
    outlines.addLayer(layer);
    return layer;
  }

  function loadInView() {
    if (!cfg.areasUrl || !map.hasLayer(outlines)) { return; }
    var view = map.getBounds();
    BOX_LEVELS.forEach(function (spec) {
      if (map.getZoom() < spec.minZoom) { return; }
      if (fetched[spec.level].some(function (b) { return b.contains(view); })) { return; }
      var b = view.pad(0.25);
      fetched[spec.level].push(b);
      var box = [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]
        .map(function (n) { return n.toFixed(5); }).join(",");
      getJSON(areasUrl({ level: spec.level, bbox: box })).then(function (data) {
        drawAreas(spec.level, data);
      }).catch(function () {
        // Outlines are context: the events still show; ask again on the next move.
        fetched[spec.level] = fetched[spec.level].filter(function (x) { return x !== b; });
      });
    });
  }

  // Which labels show at which zoom: streets when the district is in view, communities from
  // zoom 14, grids from the zoom after grid outlines start.
  function labelZoom() {
    var z = map.getZoom();
    var c = map.getContainer().classList;
    c.toggle("gg-show-street-labels", z >= 11 && z < 14);
    c.toggle("gg-show-community-labels", z >= 14 && z < cfg.gridMinZoom + 1);
    c.toggle("gg-show-grid-labels", z >= cfg.gridMinZoom + 1);
  }

  if (cfg.areasUrl) {
    getJSON(areasUrl({ level: "street" })).then(function (data) {
      var streets = drawAreas("street", data);
      if (streets.getLayers().length) { outlineBounds = streets.getBounds(); }
      if (!framed && outlineBounds && !shown) { map.fitBounds(outlineBounds); }
      loadInView();
    }).catch(function () { /* no outlines: the events still show */ });
  }
  map.on("moveend", loadInView);
  map.on("zoomend", labelZoom);
  labelZoom();

  var outlineBox = document.querySelector("[data-gg-outlines]");
  if (outlineBox) {
    outlineBox.addEventListener("change", function () {
      if (outlineBox.checked) { outlines.addTo(map); loadInView(); } else { map.removeLayer(outlines); }
    });
  }

  // --- events --------------------------------------------------------------------------------
  var RANK = { overdue: 2, due_soon: 1 };
  var cluster = L.markerClusterGroup({
    showCoverageOnHover: false, maxClusterRadius: 45, spiderfyOnMaxZoom: true,
    chunkedLoading: true,
    iconCreateFunction: function (c) {
      var worst = 0;
      c.getAllChildMarkers().forEach(function (m) { worst = Math.max(worst, RANK[m.ggDeadline] || 0); });
      var n = c.getChildCount();
      var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
      return L.divIcon({
        html: "<div><span>" + n + "</span></div>",
        className: "marker-cluster marker-cluster-" + size + " gg-cluster-" + ["ok", "soon", "late"][worst],
        iconSize: L.point(40, 40)
      });
    }
  }).addTo(map);
  var markers = {};
  var framed = false;
  var loading = null;
  var again = false;
  // The server's clusters (low zoom, many events): circles with their count.
  var cells = L.layerGroup().addTo(map);
  var shown = 0;

  function markerCount() { return cluster.getLayers().length; }

  function clearMarkers() {
    cluster.clearLayers();
    Object.keys(markers).forEach(function (id) { delete markers[id]; });
  }

  function drawCells(data) {
    cells.clearLayers();
    data.features.forEach(function (f) {
      var c = f.geometry.coordinates;
      var p = f.properties;
      var radius = Math.min(34, 12 + 5 * Math.log10(p.count + 1));
      var circle = L.circleMarker([c[1], c[0]], {
        radius: radius, color: "#fff", weight: 2, fillColor: p.color, fillOpacity: 0.8
      });
      circle.bindTooltip(String(p.count), {
        permanent: true, direction: "center", interactive: false, className: "gg-cell-count"
      });
      circle.ggCount = p.count;
      circle.on("click", function () {
        var b = p.bounds;
        var box = L.latLngBounds([b[1], b[0]], [b[3], b[2]]);
        // A cluster in one spot has no extent: zoom in on it instead.
        if (box.getNorthEast().equals(box.getSouthWest())) {
          map.setView([c[1], c[0]], map.getZoom() + 2);
        } else {
          map.fitBounds(box.pad(0.1));
        }
      });
      cells.addLayer(circle);
    });
  }

  function popup(p) {
    var flags = [];
    if (p.overdue) { flags.push('<span class="gg-badge gg-badge-danger">' + esc(T.overdue) + "</span>"); }
    if (p.due_soon) { flags.push('<span class="gg-badge gg-badge-warn">' + esc(T.due_soon) + "</span>"); }
    if (p.supervised) { flags.push('<span class="gg-badge gg-badge-warn">' + esc(T.supervised) + "</span>"); }
    if (p.urgent) { flags.push('<span class="gg-badge gg-badge-danger">' + esc(T.urgent) + "</span>"); }
    return '<div class="gg-popup gg-livemap-popup" data-number="' + esc(p.number) + '">' +
      "<h3>" + esc(p.number) + "</h3>" +
      '<p><span class="gg-dot" style="background:' + esc(p.color) + '"></span>' + esc(p.state_label) +
      (flags.length ? " " + flags.join(" ") : "") + "</p>" +
      (p.category ? "<p>" + esc(p.category) + "</p>" : "") +
      (p.address ? '<p class="gg-muted">' + esc(p.address) + "</p>" : "") +
      (p.url ? '<p><a class="gg-btn gg-btn-primary gg-btn-sm" href="' + esc(p.url) + '">' +
        esc(T.open) + "</a></p>" : "") + "</div>";
  }

  function icon(p) {
    var cls = "gg-ev-marker" + (p.supervised ? " is-supervised" : "") + (p.urgent ? " is-urgent" : "") +
      (p.overdue ? " is-overdue" : "");
    return L.divIcon({
      className: cls, iconSize: [18, 18], iconAnchor: [9, 9], popupAnchor: [0, -8],
      html: '<span style="background:' + esc(p.color) + '"></span>'
    });
  }

  // What, if it changes, calls for a new icon or popup.
  function keyOf(f) {
    var p = f.properties;
    return [p.state, p.color, p.supervised, p.urgent, p.deadline, p.category, p.address].join("|");
  }

  function apply(data, box) {
    if (data.mode === "clusters") {
      clearMarkers();
      drawCells(data);
      shown = data.total;
    } else {
      cells.clearLayers();
      applyFeatures(data, box);
      shown = markerCount();
    }
    var n = shown;
    var text = T.loaded.replace("%(n)s", n);
    if (data.truncated) { text += T.truncated.replace("%(n)s", n); }
    if (data.mode === "clusters") { text += T.clustered; }
    statusEl.textContent = text;
    statusEl.setAttribute("data-count", n);
    statusEl.setAttribute("data-mode", data.mode || "features");
    updatedEl.textContent = T.updated.replace("%(t)s", data.updated || "");
    if (!framed && data.features.length) {
      // From the answer itself: the cluster group adds markers in chunks, after this call.
      var points = [];
      data.features.forEach(function (f) {
        var b = f.properties.bounds;
        if (b) { points.push([b[1], b[0]], [b[3], b[2]]); }
        points.push([f.geometry.coordinates[1], f.geometry.coordinates[0]]);
      });
      framed = true;
      map.invalidateSize();
      map.fitBounds(L.latLngBounds(points).pad(0.15), { maxZoom: 16 });
    }
  }

  // box: the bounds asked for (null: the whole scope). Markers outside it are kept as they
  // are (they were not asked about); inside it, those not in the answer are gone.
  function applyFeatures(data, box) {
    var seen = {};
    var add = [];
    var remove = [];
    data.features.forEach(function (f) {
      var id = String(f.id);
      var c = f.geometry.coordinates;
      var p = f.properties;
      var key = keyOf(f);
      var known = markers[id];
      seen[id] = true;
      if (known) {
        // The position the answer gave, not getLatLng(): a spiderfied marker is drawn away
        // from it, and must not count as moved (re-adding it would fold the spider).
        if (known.at[1] === c[1] && known.at[0] === c[0]) {
          if (known.key !== key) {
            known.marker.setIcon(icon(p));
            known.marker.setPopupContent(popup(p));
            known.marker.ggDeadline = p.deadline;
            known.key = key;
          }
          return;
        }
        remove.push(known.marker);  // moved: drawn again below
      }
      var marker = L.marker([c[1], c[0]], { icon: icon(p), title: p.number, keyboard: true,
        riseOnHover: true });
      marker.ggDeadline = p.deadline;
      marker.ggId = id;
      marker.bindPopup(popup(p), { minWidth: 200 });
      markers[id] = { marker: marker, key: key, at: [c[0], c[1]] };
      add.push(marker);
    });
    Object.keys(markers).forEach(function (id) {
      var marker = markers[id].marker;
      var at = markers[id].at;
      if (!seen[id] && (!box || box.contains([at[1], at[0]]))) {
        remove.push(marker);
        delete markers[id];
      }
    });
    if (remove.length) { cluster.removeLayers(remove); }
    if (add.length) { cluster.addLayers(add); }
    if (add.length || remove.length) { cluster.refreshClusters(); }
  }

  function query() {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, name) { if (value !== "") { params.append(name, value); } });
    return params.toString();
  }

  // The viewport: bbox in the map's datum (the server reads it as such) and the zoom. Until
  // the map has been framed on its events, no bbox: the whole scope.
  function viewport(b) {
    var params = new URLSearchParams();
    params.set("zoom", String(map.getZoom()));
    if (b) {
      params.set("bbox", [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()),
        Math.min(180, b.getEast()), Math.min(90, b.getNorth())]
        .map(function (n) { return n.toFixed(5); }).join(","));
      if (cfg.crs && cfg.crs !== "wgs84") { params.set("bbox_crs", cfg.crs); }
    }
    return params.toString();
  }

  function refresh() {
    if (loading) { again = true; return loading; }
    var box = framed ? map.getBounds().pad(0.1) : null;
    var url = cfg.geojsonUrl + "?" + [query(), viewport(box)].filter(Boolean).join("&");
    loading = getJSON(url).then(function (data) { apply(data, box); }).catch(function () {
      statusEl.textContent = T.failed;
    }).then(function () {
      loading = null;
      // A move or a filter change while this was loading: ask again for the view now.
      if (again) { again = false; return refresh(); }
    });
    return loading;
  }

  // After a move: once the map has stood still for a moment, not on every step of a drag.
  var moved = null;
  map.on("moveend", function () {
    if (!framed) { return; }
    window.clearTimeout(moved);
    moved = window.setTimeout(refresh, 300);
  });

  function filterChanged() {
    framed = false;
    if (window.history && window.history.replaceState) {
      window.history.replaceState(null, "", "?" + query());
    }
    refresh();
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); filterChanged(); });
  form.addEventListener("change", filterChanged);
  var reset = form.querySelector("[data-gg-reset]");
  if (reset) {
    reset.addEventListener("click", function (e) { e.preventDefault(); form.reset(); filterChanged(); });
  }
  var again = form.querySelector("[data-gg-refresh]");
  if (again) { again.addEventListener("click", function () { refresh(); }); }

  // --- the panel: collapsible (folded at first on a phone) -----------------------------------
  function setPanel(open) {
    panel.classList.toggle("is-collapsed", !open);
    root.classList.toggle("gg-panel-collapsed", !open);
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
    toggle.textContent = open ? T.collapse : T.expand;
    window.setTimeout(function () { map.invalidateSize(); }, 50);
  }
  toggle.addEventListener("click", function () {
    setPanel(panel.classList.contains("is-collapsed"));
  });
  if (window.matchMedia && window.matchMedia("(max-width: 760px)").matches) { setPanel(false); }

  window.addEventListener("resize", function () { fitHeight(); map.invalidateSize(); });

  refresh();
  var timer = window.setInterval(refresh, cfg.refreshSeconds * 1000);
  // Catch up at once when the tab comes back to the front.
  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { refresh(); }
  });

  window.GridGovLiveMap = {
    map: map, cluster: cluster, cells: cells, markers: markers, outlines: outlines, refresh: refresh,
    count: function () { return shown; }, config: cfg,
    setInterval: function (seconds) {
      window.clearInterval(timer);
      timer = window.setInterval(refresh, seconds * 1000);
    }
  };
}());
