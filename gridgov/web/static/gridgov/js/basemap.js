// 底图: the base every map of the platform draws beneath its own content, and the overlays.
//
//   var base = GG.basemap(map, cfg, opts);
//
// cfg is the page's "basemap" configuration (gridgov/web/basemap.py, basemap_config); without
// it the element #gg-basemap-config is read. With tile layers in cfg.tiles (an XYZ source, or
// Tianditu's vector + annotation as one base) they are added; with none, the district's own
// base is drawn: a land-coloured district, street, community and grid outlines and their
// names at cfg.labelZoom, from the public outlines (fetched once per page, then the HTTP
// cache). The own base sits in panes below the map's own content (overlayPane, 400) and takes
// no clicks; the names sit above the map's polygons (they would be hidden under their fills)
// and below its markers, tooltips and popups (pane gg-base-labels, z-index 480). Overlays: the OGC API collections marked "gridgov:overlay" are listed in a layers
// control and loaded for the viewport when switched on. A failing index or outline request
// leaves the map as it is, quietly: the field terminal works offline without a base.
//
// opts.own (default true): draw the own base when there are no tiles (false: the map draws
//   its own outlines, e.g. the intake picker). opts.outlines: the levels whose lines the own
//   base draws (default all; labels are drawn for every level). opts.overlays (default true).
// Returns { config, tiles, own, overlays, control, ready } (ready: a Promise, never rejected).
(function () {
  "use strict";
  var GG = window.GG = window.GG || {};
  var LEVELS = ["district", "street", "community", "grid"];
  var STYLE = {
    district: { color: "#7d8797", weight: 2.5, fill: true, fillColor: "#f8f6f0",
      fillOpacity: 1 },
    street: { color: "#8e7bb8", weight: 2, dashArray: "10 5", fill: false },
    community: { color: "#9fb39b", weight: 1, fill: false },
    grid: { color: "#d9c9ad", weight: 0.8, fill: false }
  };
  // Estimated glyph widths (px per character at 1px font size) for the collision boxes.
  var LABEL_FONT = { street: 14, community: 12, grid: 11, district: 16 };
  var PRIORITY = ["street", "community", "grid"];
  var CSS = [
    ".leaflet-container.gg-basemap-own{background:#e9e7e1}",
    ".gg-bm-label{background:none;border:0;white-space:nowrap;pointer-events:none}",
    ".gg-bm-label span{display:block;transform:translate(-50%,-50%);font-family:'Noto Sans CJK SC',",
    "'Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif;line-height:1.2;",
    "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff,1px 1px 0 #fff,-1px -1px 0 #fff}",
    ".gg-bm-label--street span{font-size:14px;font-weight:700;color:#51358a;letter-spacing:1px}",
    ".gg-bm-label--community span{font-size:12px;font-weight:600;color:#2b5e36}",
    ".gg-bm-label--grid span{font-size:11px;color:#8a5a1c}",
    ".gg-bm-camera{background:none;border:0}",
    ".gg-bm-camera span{display:flex;align-items:center;justify-content:center;width:20px;",
    "height:20px;border-radius:50%;border:2px solid #fff;box-shadow:0 1px 3px rgba(0,0,0,.4);",
    "background:#2a7f62}",
    ".gg-bm-camera--offline span{background:#7a808a}.gg-bm-camera--fault span{background:#b3261e}",
    ".gg-bm-camera svg{width:12px;height:12px;fill:#fff}",
    ".gg-bm-popup table{border-collapse:collapse;font-size:12px}",
    ".gg-bm-popup th{text-align:left;padding:1px 8px 1px 0;color:#5a6170;font-weight:400}",
    ".gg-bm-note{background:#fff;padding:2px 6px;border-radius:3px;font-size:12px}"
  ].join("");
  var CAMERA_SVG = '<svg viewBox="0 0 24 24" aria-hidden="true"><path d="M4 7h11a2 2 0 0 1 2 ' +
    '2v1.5l4-2.5v8l-4-2.5V15a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V9a2 2 0 0 1 2-2z"/></svg>';

  function injectCss() {
    if (document.getElementById("gg-basemap-css")) { return; }
    var style = document.createElement("style");
    style.id = "gg-basemap-css";
    style.textContent = CSS;
    document.head.appendChild(style);
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // One request per URL per page; the server's ETag and max-age make later pages cheap.
  var cache = {};
  function getJSON(url) {
    if (!cache[url]) {
      cache[url] = fetch(url, { credentials: "same-origin",
        headers: { Accept: "application/json" } }).then(function (r) {
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      });
      cache[url].catch(function () { delete cache[url]; });
    }
    return cache[url];
  }

  // WGS-84 → GCJ-02 (the published formula; outside China it is the identity). Used only
  // for overlay features when the tiles draw in GCJ-02.
  function outOfChina(lng, lat) {
    return lng < 72.004 || lng > 137.8347 || lat < 0.8293 || lat > 55.8271;
  }
  function tLat(x, y) {
    var r = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(y * Math.PI) + 40 * Math.sin(y / 3 * Math.PI)) * 2 / 3;
    return r + (160 * Math.sin(y / 12 * Math.PI) + 320 * Math.sin(y * Math.PI / 30)) * 2 / 3;
  }
  function tLng(x, y) {
    var r = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * Math.sqrt(Math.abs(x));
    r += (20 * Math.sin(6 * x * Math.PI) + 20 * Math.sin(2 * x * Math.PI)) * 2 / 3;
    r += (20 * Math.sin(x * Math.PI) + 40 * Math.sin(x / 3 * Math.PI)) * 2 / 3;
    return r + (150 * Math.sin(x / 12 * Math.PI) + 300 * Math.sin(x / 30 * Math.PI)) * 2 / 3;
  }
  function toGcj02(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var a = 6378245.0, ee = 0.00669342162296594323;
    var dLat = tLat(lng - 105, lat - 35), dLng = tLng(lng - 105, lat - 35);
    var radLat = lat / 180 * Math.PI, magic = Math.sin(radLat);
    magic = 1 - ee * magic * magic;
    var sq = Math.sqrt(magic);
    dLat = (dLat * 180) / ((a * (1 - ee)) / (magic * sq) * Math.PI);
    dLng = (dLng * 180) / (a / sq * Math.cos(radLat) * Math.PI);
    return [lng + dLng, lat + dLat];
  }
  function fromGcj02(lng, lat) {  // one correction step: ample for a viewport's bbox
    var g = toGcj02(lng, lat);
    return [lng - (g[0] - lng), lat - (g[1] - lat)];
  }

  // --- the own base -----------------------------------------------------------------------

  // A point to write a grid's name at: the area-weighted centroid of its largest ring
  // (grids are compact; the server gives streets and communities a point inside).
  function ringCentroid(ring) {
    var a = 0, x = 0, y = 0;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var f = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
      a += f; x += (ring[j][0] + ring[i][0]) * f; y += (ring[j][1] + ring[i][1]) * f;
    }
    if (!a) { return ring[0]; }
    return [x / (3 * a), y / (3 * a)];
  }
  function labelPoint(feature) {
    var p = feature.properties;
    if (p.label) { return p.label; }
    var g = feature.geometry;
    if (!g) { return null; }
    var rings = g.type === "Polygon" ? [g.coordinates[0]] :
      g.type === "MultiPolygon" ? g.coordinates.map(function (poly) { return poly[0]; }) : [];
    var best = null, bestSize = -1;
    rings.forEach(function (ring) {
      if (ring.length > bestSize) { best = ring; bestSize = ring.length; }
    });
    return best ? ringCentroid(best) : null;
  }

  function textWidth(text, size) {
    var w = 0;
    for (var i = 0; i < text.length; i++) { w += text.charCodeAt(i) > 255 ? size : size * 0.6; }
    return w + 6;
  }

  function ownBase(map, cfg, opts, handle) {
    var labelZoom = cfg.labelZoom || { street: 0, community: 13, grid: 15 };
    var gridZoom = cfg.gridOutlineZoom || 14;
    var outlined = opts.outlines || LEVELS;
    map.getContainer().classList.add("gg-basemap-own");
    map.createPane("gg-base").style.zIndex = 250;
    // Names above every map's polygons (overlayPane 400, the maps' own panes up to 450) and
    // below markers (600): a name under a filled polygon or a crossing line is hard to read.
    var labelPane = map.createPane("gg-base-labels");
    labelPane.style.zIndex = 480;
    labelPane.style.pointerEvents = "none";
    var renderer = L.canvas({ pane: "gg-base", padding: 0.5 });
    var group = L.layerGroup().addTo(map);
    var labels = L.layerGroup().addTo(map);
    var gridLines = null;
    var byLevel = { district: [], street: [], community: [], grid: [] };
    handle.own = group;
    handle.labels = labels;

    function placeLabels() {
      var zoom = map.getZoom();
      var view = map.getBounds().pad(0.05);
      var placed = [];
      var keep = {};
      var centre = map.latLngToLayerPoint(map.getCenter());
      // The box as laid out now (Leaflet's own size is stale until invalidateSize).
      var el = map.getContainer();
      var size = { x: el.clientWidth, y: el.clientHeight };
      var origin = map.containerPointToLayerPoint([0, 0]);
      PRIORITY.forEach(function (level) {
        if (zoom < (labelZoom[level] || 0)) { return; }
        // Nearest the centre first: the place being looked at keeps its name.
        byLevel[level].filter(function (item) { return view.contains(item.latlng); })
          .map(function (item) {
            var p = map.latLngToLayerPoint(item.latlng);
            return { item: item, p: p, d: p.distanceTo(centre) };
          })
          .sort(function (a, b) { return a.d - b.d; })
          .forEach(function (c) {
            var item = c.item, p = c.p;
            var font = LABEL_FONT[level];
            var w = textWidth(item.name, font) / 2, h = font * 0.8;
            var box = [p.x - w, p.y - h, p.x + w, p.y + h];
            // Whole names only, clear of the bottom line (scale, attribution).
            var cp = p.subtract(origin);
            if (cp.x - w < 0 || cp.x + w > size.x || cp.y - h < 0 || cp.y + h > size.y - 22) {
              return;
            }
            for (var i = 0; i < placed.length; i++) {
              var o = placed[i];
              if (box[0] < o[2] && box[2] > o[0] && box[1] < o[3] && box[3] > o[1]) { return; }
            }
            placed.push(box);
            keep[item.key] = item;
          });
      });
      labels.eachLayer(function (m) {
        if (!keep[m.options.ggKey]) { labels.removeLayer(m); }
      });
      Object.keys(keep).forEach(function (key) {
        var item = keep[key];
        if (!item.marker) {
          item.marker = L.marker(item.latlng, { pane: "gg-base-labels", interactive: false,
            keyboard: false, ggKey: key, icon: L.divIcon({ iconSize: null,
              className: "gg-bm-label gg-bm-label--" + item.level,
              html: "<span>" + esc(item.name) + "</span>" }) });
        }
        if (!labels.hasLayer(item.marker)) { labels.addLayer(item.marker); }
      });
    }

    function showGrids() {
      if (!gridLines) { return; }
      var want = map.getZoom() >= gridZoom;
      if (want && !group.hasLayer(gridLines)) { group.addLayer(gridLines); }
      if (!want && group.hasLayer(gridLines)) { group.removeLayer(gridLines); }
    }

    var redraw = null;
    function schedule() {
      if (redraw) { return; }
      redraw = window.requestAnimationFrame(function () { redraw = null; placeLabels(); });
    }

    return getJSON(cfg.outlinesUrl).then(function (data) {
      var features = { district: [], street: [], community: [], grid: [] };
      var names = {};
      (data.features || []).forEach(function (f) {
        var level = f.properties && f.properties.level;
        if (!features[level]) { return; }
        features[level].push(f);
        names[f.properties.code] = f.properties.name;
        var at = labelPoint(f);
        if (at && f.properties.name && level !== "district") {
          byLevel[level].push({ key: f.properties.code || level + byLevel[level].length,
            name: f.properties.name, level: level, latlng: L.latLng(at[1], at[0]) });
        }
      });
      // "兴港社区第1网格" is written "第1网格" inside 兴港社区, whose name is on the map too:
      // shorter names, fewer left out. (Outlines come parents first; codes nest by prefix.)
      byLevel.grid.forEach(function (item) {
        var parent = names[String(item.key).slice(0, 12)];
        if (parent && item.name.indexOf(parent) === 0 && item.name.length > parent.length) {
          item.name = item.name.slice(parent.length);
        }
      });
      LEVELS.forEach(function (level) {
        if (outlined.indexOf(level) < 0 && level !== "district") { return; }
        var style = L.extend({}, STYLE[level]);
        if (outlined.indexOf("district") < 0 && level === "district") { style.weight = 0; }
        var layer = L.geoJSON({ type: "FeatureCollection", features: features[level] },
          { renderer: renderer, interactive: false, style: style });
        if (level === "grid") { gridLines = layer; } else { group.addLayer(layer); }
      });
      showGrids();
      map.on("zoomend", showGrids);
      map.on("zoomend moveend viewreset resize", schedule);
      // A box laid out again (style sheets arriving, a card resized) without Leaflet being
      // told: names that no longer fit are taken off.
      if (window.ResizeObserver) { new ResizeObserver(schedule).observe(map.getContainer()); }
      map.whenReady(placeLabels);
      if (cfg.attribution && map.attributionControl) {
        map.attributionControl.addAttribution(esc(cfg.attribution));
      }
    }).catch(function () { /* offline or refused: the map keeps a plain background */ });
  }

  // --- overlays (OGC API collections) -----------------------------------------------------

  function cameraIcon(status) {
    var s = status === "offline" || status === "fault" ? status : "online";
    return L.divIcon({ className: "gg-bm-camera gg-bm-camera--" + s, iconSize: [20, 20],
      iconAnchor: [10, 10], popupAnchor: [0, -10], html: "<span>" + CAMERA_SVG + "</span>" });
  }

  function safeUrl(u) {
    return typeof u === "string" && (/^\/[^/]/.test(u) || /^https?:\/\//.test(u)) ? u : "";
  }

  function popupHtml(feature, collection, T) {
    var p = feature.properties || {};
    var title = p.name || p.title || feature.id || collection.title || collection.id;
    var rows = [];
    var skip = { name: 1, title: 1, url: 1, status: 1, kind: 1 };
    Object.keys(p).forEach(function (k) {
      var v = p[k];
      if (skip[k] || rows.length >= 10 || v === null || v === "" || typeof v === "object") {
        return;
      }
      var label = { code: T.code, status_label: T.status, kind_label: T.kind,
        owner: T.owner }[k] || k;
      rows.push("<tr><th>" + esc(label) + "</th><td>" + esc(v) + "</td></tr>");
    });
    var link = safeUrl(p.url);
    return '<div class="gg-bm-popup gg-popup"><strong>' + esc(title) + "</strong>" +
      (rows.length ? "<table>" + rows.join("") + "</table>" : "") +
      (link ? '<a href="' + esc(link) + '">' + esc(T.open) + "</a>" : "") + "</div>";
  }

  function itemsUrl(collection, indexUrl) {
    var href = "";
    (collection.links || []).forEach(function (l) {
      if (!href && l.rel === "items" && (!l.type || /json/.test(l.type))) { href = l.href; }
    });
    var u = new URL(href || indexUrl.split("?")[0].replace(/\/$/, "") + "/" +
      encodeURIComponent(collection.id) + "/items", window.location.href);
    // Always this site (the API may name itself by an internal host name behind a proxy).
    return new URL(u.pathname + u.search, window.location.href);
  }

  function overlays(map, cfg, handle) {
    var T = cfg.text || {};
    var gcj = cfg.crs === "gcj02";
    var active = [];
    var timer = null;
    var limit = cfg.overlayLimit || 1000;
    var note = null;

    // "Only the first N shown, zoom in" while any overlay on the map was cut at the limit.
    function updateNote() {
      var cut = active.some(function (a) { return a.truncated; });
      if (!cut) { if (note) { note.remove(); note = null; } return; }
      if (!note) {
        note = L.control({ position: "bottomleft" });
        note.onAdd = function () {
          var div = L.DomUtil.create("div", "gg-bm-note");
          div.setAttribute("role", "status");
          div.textContent = (T.truncated || "").replace("%(n)s", limit);
          return div;
        };
        note.addTo(map);
      }
    }

    function load(entry) {
      var b = map.getBounds();
      var sw = [b.getWest(), b.getSouth()], ne = [b.getEast(), b.getNorth()];
      if (gcj) { sw = fromGcj02(sw[0], sw[1]); ne = fromGcj02(ne[0], ne[1]); }
      var u = new URL(entry.url.href);
      u.searchParams.set("f", "json");
      u.searchParams.set("bbox", [sw[0], sw[1], ne[0], ne[1]].map(function (n) {
        return n.toFixed(6); }).join(","));
      u.searchParams.set("limit", String(limit));
      var seq = entry.seq = (entry.seq || 0) + 1;
      fetch(u.toString(), { credentials: "same-origin",
        headers: { Accept: "application/geo+json, application/json" } })
        .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.json(); })
        .then(function (data) {
          if (seq !== entry.seq || !map.hasLayer(entry.layer)) { return; }
          entry.layer.clearLayers();
          entry.truncated = (data.features || []).length >= limit;
          updateNote();
          var camera = entry.collection.id === "cameras";
          L.geoJSON(data, {
            coordsToLatLng: function (c) {
              var p = gcj ? toGcj02(c[0], c[1]) : c;
              return L.latLng(p[1], p[0]);
            },
            pointToLayer: function (f, latlng) {
              if (camera) {
                return L.marker(latlng, { icon: cameraIcon((f.properties || {}).status),
                  title: (f.properties || {}).name || "" });
              }
              return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5,
                fillColor: "#1f6feb", fillOpacity: 0.9 });
            },
            style: { color: "#1f6feb", weight: 2, fillOpacity: 0.12 },
            onEachFeature: function (f, layer) {
              layer.bindPopup(function () { return popupHtml(f, entry.collection, T); },
                { maxWidth: 320 });
            }
          }).addTo(entry.layer);
        })
        .catch(function () { /* the layer stays as it was */ });
    }

    map.on("overlayadd", function (e) {
      if (e.layer._ggOverlay) { active.push(e.layer._ggOverlay); load(e.layer._ggOverlay); }
    });
    map.on("overlayremove", function (e) {
      var entry = e.layer._ggOverlay;
      if (!entry) { return; }
      active = active.filter(function (a) { return a !== entry; });
      entry.seq = (entry.seq || 0) + 1;
      entry.truncated = false;
      entry.layer.clearLayers();
      updateNote();
    });
    map.on("moveend", function () {
      if (!active.length) { return; }
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { active.forEach(load); }, 300);
    });

    return getJSON(cfg.overlaysUrl).then(function (index) {
      var list = (index.collections || []).filter(function (c) {
        return c && c.id && c["gridgov:overlay"] === true;
      });
      if (!list.length) { return; }
      var control = L.control.layers(null, null, { collapsed: true, position: "topright" });
      list.forEach(function (c) {
        var layer = L.layerGroup();
        layer._ggOverlay = handle.overlays[c.id] = {
          collection: c, layer: layer, url: itemsUrl(c, cfg.overlaysUrl) };
        control.addOverlay(layer, '<span data-gg-overlay="' + esc(c.id) + '">' +
          esc(c.title || c.id) + "</span>");
      });
      control.addTo(map);
      var toggle = control.getContainer().querySelector(".leaflet-control-layers-toggle");
      if (toggle && T.overlays) {
        toggle.title = T.overlays;
        toggle.setAttribute("aria-label", T.overlays);
      }
      handle.control = control;
    }).catch(function () { /* no OGC API here, or refused: a map without overlays */ });
  }

  // --- entry point ------------------------------------------------------------------------

  function readConfig() {
    var el = document.getElementById("gg-basemap-config");
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  GG.basemap = function (map, cfg, opts) {
    cfg = cfg || readConfig() || {};
    opts = opts || {};
    injectCss();
    var handle = { config: cfg, tiles: [], own: null, overlays: {}, control: null };
    var waits = [];
    var tiles = cfg.tiles || [];
    tiles.forEach(function (t, i) {
      var options = { attribution: t.attribution || "", maxZoom: cfg.maxZoom || 19,
        maxNativeZoom: t.maxNativeZoom || 19, zIndex: i + 1 };
      if (t.subdomains) { options.subdomains = t.subdomains; }
      handle.tiles.push(L.tileLayer(t.url, options).addTo(map));
    });
    if (!tiles.length && opts.own !== false && cfg.outlinesUrl) {
      waits.push(ownBase(map, cfg, opts, handle));
    }
    if (opts.overlays !== false && cfg.overlaysUrl && window.fetch && window.URL) {
      waits.push(overlays(map, cfg, handle));
    }
    handle.ready = Promise.all(waits).then(function () { return handle; });
    return handle;
  };
  GG.basemap.cameraIcon = function (status) { injectCss(); return cameraIcon(status); };
  GG.basemap.toGcj02 = toGcj02;
}());
