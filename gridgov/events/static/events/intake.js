// Intake forms: the point picker ([data-gg-point], events/intake/_point.html).
//
// The map is always shown. With a tile server (GRIDGOV_TILE_URL) it draws the tiles; with
// none it stands on the district's own outlines from the public GeoJSON of the areas app
// (district, streets, communities, and grids once zoomed in), so nothing is fetched from any
// other host. The outlines come in the map's datum: the tiles' (GCJ-02 for AutoNavi or
// Tencent) or else WGS-84, the stored one. A click or a marker drag fills lng/lat in that
// datum; the device's GPS fills WGS-84; typed coordinates move the marker. Whether the point
// lies in a grid is only a hint here: the server decides when the form is sent.
// Every text shown comes from the template's data-text-* attributes (translated there).
(function () {
  "use strict";

  var STYLE = {
    district: { color: "#1f4e8c", weight: 2, fill: false },
    street: { color: "#6b3fa0", weight: 1.5, fill: false },
    community: { color: "#1e6b3a", weight: 1, dashArray: "4 3", fill: false },
    grid: { color: "#c05a00", weight: 0.8, opacity: 0.8, fill: false }
  };
  // Grids (about 1,400 in the demo district) are drawn only when a few hundred metres fill
  // the screen; street names show at district scale, community names when zoomed in.
  var GRID_MIN_ZOOM = 15;
  var COMMUNITY_LABEL_ZOOM = 14;
  var STREET_LABEL_ZOOM = 11.5;
  var CLICK_ZOOM_BELOW = 13;
  var FALLBACK_CENTER = [29.87, 121.55];

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (m, key) {
      return values[key] === undefined ? m : values[key];
    });
  }

  function esc(s) {
    return String(s === null || s === undefined ? "" : s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  // --- GCJ-02 (the published transform, as gridgov/areas/datum.py) --------------------------
  var A = 6378245.0, EE = 0.00669342162296594323;

  function outOfChina(lng, lat) {
    return !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271);
  }

  function gcjOffset(lng, lat) {
    var x = lng - 105.0, y = lat - 35.0, xpi = x * Math.PI, ypi = y * Math.PI;
    var common = (20 * Math.sin(6 * xpi) + 20 * Math.sin(2 * xpi)) * 2 / 3;
    var sx = Math.sqrt(Math.abs(x));
    var dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common +
      (20 * Math.sin(ypi) + 40 * Math.sin(ypi / 3)) * 2 / 3 +
      (160 * Math.sin(ypi / 12) + 320 * Math.sin(ypi / 30)) * 2 / 3;
    var dlng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common +
      (20 * Math.sin(xpi) + 40 * Math.sin(xpi / 3)) * 2 / 3 +
      (150 * Math.sin(xpi / 12) + 300 * Math.sin(xpi / 30)) * 2 / 3;
    var radlat = lat / 180 * Math.PI;
    var magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sm = Math.sqrt(magic);
    return [(dlng * 180) / (A / sm * Math.cos(radlat) * Math.PI),
      (dlat * 180) / ((A * (1 - EE)) / (magic * sm) * Math.PI)];
  }

  function wgsToGcj(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var d = gcjOffset(lng, lat);
    return [lng + d[0], lat + d[1]];
  }

  function gcjToWgs(lng, lat) {
    if (outOfChina(lng, lat)) { return [lng, lat]; }
    var d = gcjOffset(lng, lat), x = lng - d[0], y = lat - d[1];
    for (var i = 0; i < 30; i++) {
      var f = gcjOffset(x, y), rx = x + f[0] - lng, ry = y + f[1] - lat;
      x -= rx; y -= ry;
      if (Math.abs(rx) < 1e-10 && Math.abs(ry) < 1e-10) { break; }
    }
    return [x, y];
  }

  function convert(lng, lat, from, to) {
    from = from === "gcj02" ? "gcj02" : "wgs84";
    to = to === "gcj02" ? "gcj02" : "wgs84";
    if (from === to) { return [lng, lat]; }
    return from === "wgs84" ? wgsToGcj(lng, lat) : gcjToWgs(lng, lat);
  }

  // --- point in polygon (the "outside the jurisdiction" hint) -------------------------------
  function inRing(x, y, ring) {
    var inside = false;
    for (var i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      var xi = ring[i][0], yi = ring[i][1], xj = ring[j][0], yj = ring[j][1];
      if ((yi > y) !== (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi) {
        inside = !inside;
      }
    }
    return inside;
  }

  function polygons(geometry) {
    if (!geometry) { return []; }
    if (geometry.type === "Polygon") { return [geometry.coordinates]; }
    return geometry.type === "MultiPolygon" ? geometry.coordinates : [];
  }

  function contains(geometry, x, y) {
    return polygons(geometry).some(function (rings) {
      if (!rings.length || !inRing(x, y, rings[0])) { return false; }
      for (var k = 1; k < rings.length; k++) { if (inRing(x, y, rings[k])) { return false; } }
      return true;
    });
  }

  function bbox(geometry) {
    var b = [Infinity, Infinity, -Infinity, -Infinity];
    polygons(geometry).forEach(function (rings) {
      (rings[0] || []).forEach(function (p) {
        b[0] = Math.min(b[0], p[0]); b[1] = Math.min(b[1], p[1]);
        b[2] = Math.max(b[2], p[0]); b[3] = Math.max(b[3], p[1]);
      });
    });
    return b;
  }

  // --- Leaflet: the pages load it only with a tile server, so load it here otherwise ---------
  var leafletWaiters = null;

  function withLeaflet(box, done, failed) {
    if (window.L) { done(); return; }
    if (leafletWaiters) { leafletWaiters.push([done, failed]); return; }
    leafletWaiters = [[done, failed]];
    // The style sheet and the script load side by side; the map starts once both are in.
    var pending = 1, ok = true;
    function settle(loaded) {
      ok = ok && loaded;
      pending -= 1;
      if (pending) { return; }
      var waiters = leafletWaiters;
      leafletWaiters = null;
      waiters.forEach(function (w) { (ok && window.L ? w[0] : w[1])(); });
    }
    var css = box.dataset.leafletCss;
    if (css && !document.querySelector('link[href="' + css + '"]')) {
      pending += 1;
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = css;
      // A missing style sheet is ugly, not fatal.
      link.onload = link.onerror = function () { settle(true); };
      document.head.appendChild(link);
    }
    var script = document.createElement("script");
    script.src = box.dataset.leafletJs;
    script.onload = function () { settle(true); };
    script.onerror = function () { settle(false); };
    document.head.appendChild(script);
  }

  // --- one picker ---------------------------------------------------------------------------
  function init(box) {
    var T = {
      locating: box.dataset.textLocating, located: box.dataset.textLocated,
      locateFailed: box.dataset.textLocateFailed, outside: box.dataset.textOutside,
      inside: box.dataset.textInside, loadFailed: box.dataset.textLoadFailed
    };
    var lngInput = box.querySelector("[name=lng]");
    var latInput = box.querySelector("[name=lat]");
    var crsInput = box.querySelector("[name=crs]");
    var status = box.querySelector("[data-gg-locate-status]");
    var button = box.querySelector("[data-gg-locate]");
    var mapBox = box.querySelector("[data-gg-point-map-box]");
    var mapEl = box.querySelector("[data-gg-point-map]");
    var hint = box.querySelector("[data-gg-point-hint]");
    // The datum the map is drawn in: the tiles', or the outlines' own (WGS-84).
    var viewCrs = box.dataset.tileUrl && box.dataset.tileCrs === "gcj02" ? "gcj02" : "wgs84";
    var map = null, marker = null;
    var grids = null;  // [{box, geometry, name, code}] once the outlines are in
    var communityNames = {};

    function setHint(text, outside) {
      if (!hint) { return; }
      hint.textContent = text || "";
      hint.classList.toggle("is-outside", !!outside);
    }

    function writePoint(lng, lat, crs) {
      lngInput.value = lng.toFixed(7);
      latInput.value = lat.toFixed(7);
      crsInput.value = crs;
      var missing = box.querySelector("[data-gg-point-missing]");
      if (missing) { missing.hidden = true; }
    }

    // Where the inputs say the point is, in the map's datum (null when not two numbers).
    function typedPoint() {
      var lng = parseFloat(lngInput.value), lat = parseFloat(latInput.value);
      if (!isFinite(lng) || !isFinite(lat) || Math.abs(lng) > 180 || Math.abs(lat) > 90) {
        return null;
      }
      return convert(lng, lat, crsInput.value, viewCrs);
    }

    function gridAt(x, y) {
      for (var i = 0; i < grids.length; i++) {
        var g = grids[i], b = g.box;
        if (x >= b[0] && x <= b[2] && y >= b[1] && y <= b[3] && contains(g.geometry, x, y)) {
          return g;
        }
      }
      return null;
    }

    function checkPoint(x, y) {
      if (!grids || !grids.length) { return; }
      var grid = gridAt(x, y);
      if (!grid) { setHint(T.outside, true); return; }
      var community = communityNames[grid.code.slice(0, 12)] || "";
      var name = community && grid.name.indexOf(community) !== 0 ?
        community + " " + grid.name : grid.name;
      setHint(fill(T.inside, { name: name }), false);
    }

    function showMarker(point, pan) {
      if (!map) { return; }
      var latlng = L.latLng(point[1], point[0]);
      if (marker) {
        marker.setLatLng(latlng);
      } else {
        marker = L.marker(latlng, { draggable: true, autoPan: true }).addTo(map);
        marker.on("dragend", function () {
          var p = marker.getLatLng();
          writePoint(p.lng, p.lat, viewCrs);
          checkPoint(p.lng, p.lat);
        });
      }
      if (pan && !map.getBounds().contains(latlng)) {
        map.setView(latlng, Math.max(map.getZoom(), GRID_MIN_ZOOM));
      }
      checkPoint(point[0], point[1]);
    }

    // The inputs changed (typed, or filled by GPS): the marker follows.
    // "change" also fires when the field loses focus to a click on the map: a marker already
    // at the typed point stays put, so that click is not undone by a jump back to it.
    function followInputs() {
      var point = typedPoint();
      if (!point) { return; }
      var at = marker && marker.getLatLng();
      if (at && Math.abs(at.lng - point[0]) < 1e-9 && Math.abs(at.lat - point[1]) < 1e-9) {
        return;
      }
      showMarker(point, true);
    }

    [lngInput, latInput, crsInput].forEach(function (input) {
      input.addEventListener("change", followInputs);
      input.addEventListener("input", followInputs);
    });

    if (button) {
      // Served hidden: without script (or without geolocation) the button could do nothing.
      button.hidden = !navigator.geolocation;
      button.addEventListener("click", function () {
        status.textContent = T.locating;
        navigator.geolocation.getCurrentPosition(function (pos) {
          writePoint(pos.coords.longitude, pos.coords.latitude, "wgs84");
          status.textContent = fill(T.located, { m: Math.round(pos.coords.accuracy) });
          followInputs();
        }, function (err) {
          status.textContent = fill(T.locateFailed, { error: err.message });
        }, { enableHighAccuracy: true, timeout: 15000 });
      });
    }

    function labels(features) {
      var group = L.layerGroup();
      features.forEach(function (f) {
        var at = f.properties.label;
        if (!at) { return; }
        group.addLayer(L.marker([at[1], at[0]], {
          interactive: false, keyboard: false,
          icon: L.divIcon({
            className: "gg-intake-label gg-intake-label-" + f.properties.level,
            html: "<span>" + esc(f.properties.name) + "</span>", iconSize: null
          })
        }));
      });
      return group;
    }

    function drawOutlines(data) {
      var byLevel = { district: [], street: [], community: [], grid: [] };
      data.features.forEach(function (f) {
        var list = byLevel[f.properties.level];
        if (list) { list.push(f); }
      });
      byLevel.community.forEach(function (f) {
        communityNames[f.properties.code] = f.properties.name;
      });
      grids = byLevel.grid.map(function (f) {
        return { box: bbox(f.geometry), geometry: f.geometry, name: f.properties.name,
          code: f.properties.code };
      });
      var layers = {};
      ["district", "street", "community"].forEach(function (level) {
        layers[level] = L.geoJSON({ type: "FeatureCollection", features: byLevel[level] },
          { style: STYLE[level], interactive: false }).addTo(map);
      });
      var gridLayer = null;  // built on first zoom-in: most visits never need it
      var streetLabels = labels(byLevel.street), communityLabels = labels(byLevel.community);

      function byZoom() {
        var z = map.getZoom();
        if (z >= GRID_MIN_ZOOM && !gridLayer) {
          gridLayer = L.geoJSON({ type: "FeatureCollection", features: byLevel.grid },
            { style: STYLE.grid, interactive: false });
        }
        if (gridLayer) { toggle(gridLayer, z >= GRID_MIN_ZOOM); }
        toggle(streetLabels, z >= STREET_LABEL_ZOOM && z < COMMUNITY_LABEL_ZOOM);
        toggle(communityLabels, z >= COMMUNITY_LABEL_ZOOM);
      }
      function toggle(layer, on) {
        if (on && !map.hasLayer(layer)) { layer.addTo(map); }
        if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
      }
      map.on("zoomend", byZoom);

      var frame = layers.district.getLayers().length ? layers.district : layers.street;
      var point = typedPoint();
      // Framed at once, not animated: a click during the animation would land elsewhere.
      if (point) {
        map.setView([point[1], point[0]], GRID_MIN_ZOOM, { animate: false });
      } else if (frame.getLayers().length) {
        map.fitBounds(frame.getBounds(), { padding: [8, 8], animate: false });
      }
      byZoom();
      if (point) { showMarker(point, false); }
    }

    function loadOutlines() {
      var url = box.dataset.outlinesUrl;
      if (!url) { return; }
      if (viewCrs === "gcj02") { url += "?crs=gcj02"; }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/geo+json" } })
        .then(function (r) {
          if (!r.ok) { throw new Error(r.status + " " + url); }
          return r.json();
        })
        .then(drawOutlines)
        .catch(function () { setHint(T.loadFailed, true); });
    }

    // With the map up, the coordinate fields fold away (they stay in the form, filled by a
    // click or the GPS); a place the server refused keeps them open. Their "required" moves to
    // a check on submit: a browser cannot point at a required field inside a closed <details>.
    function foldCoordinates() {
      var coords = box.querySelector("[data-gg-coords]");
      var missing = box.querySelector("[data-gg-point-missing]");
      if (!coords) { return; }
      if (!coords.hasAttribute("data-gg-keep-open")) { coords.open = false; }
      lngInput.required = false;
      latInput.required = false;
      var form = box.closest("form");
      if (!form) { return; }
      form.addEventListener("submit", function (e) {
        if (lngInput.value.trim() && latInput.value.trim()) {
          if (missing) { missing.hidden = true; }
          return;
        }
        e.preventDefault();
        if (missing) { missing.hidden = false; }
        mapBox.scrollIntoView({ block: "center" });
      });
    }

    function startMap() {
      mapBox.hidden = false;
      foldCoordinates();
      // Leaflet finds its marker images through its style sheet, which may have come late.
      if (!L.Icon.Default.imagePath && box.dataset.leafletCss) {
        L.Icon.Default.imagePath = box.dataset.leafletCss.replace(/[^/]*$/, "") + "images/";
      }
      map = L.map(mapEl, { zoomSnap: 0.5, minZoom: 8, maxZoom: 19 });
      map.attributionControl.setPrefix("Leaflet");
      // The tiles through the platform's base (GG.basemap: an XYZ source or Tianditu) where
      // the page carries its configuration; this picker draws the own outlines itself.
      var cfgEl = document.getElementById("gg-basemap-config");
      if (window.GG && GG.basemap && cfgEl) {
        GG.basemap(map, null, { own: false, overlays: false });
      } else if (box.dataset.tileUrl) {
        L.tileLayer(box.dataset.tileUrl, {
          attribution: box.dataset.tileAttribution || "", maxZoom: 19
        }).addTo(map);
      }
      L.control.scale({ imperial: false }).addTo(map);
      map.setView(FALLBACK_CENTER, 11);
      map.on("click", function (e) {
        writePoint(e.latlng.lng, e.latlng.lat, viewCrs);
        showMarker([e.latlng.lng, e.latlng.lat], false);
        // At district scale a finger covers a few hundred metres: zoom in on the picked
        // point so it can be refined with a second tap or by dragging the marker.
        if (map.getZoom() < CLICK_ZOOM_BELOW) { map.setView(e.latlng, GRID_MIN_ZOOM); }
      });
      var point = typedPoint();
      if (point) { showMarker(point, true); }
      loadOutlines();
      box.ggPicker = { map: map, marker: function () { return marker; } };  // for tests
    }

    if (mapBox && mapEl) {
      withLeaflet(box, startMap, function () { setHint(T.loadFailed, true); });
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-gg-point]").forEach(init);
    // The QR poster's print button (no inline handlers under the site's CSP).
    document.querySelectorAll("[data-gg-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
