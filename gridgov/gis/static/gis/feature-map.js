/* A map of GeoJSON features: the OGC API's HTML pages and a layer's page.

   The canvas names its data with data-gg-feature-map: the id of a JSON script element holding
   a FeatureCollection (lon/lat), or, with data-src, a URL to fetch one from (the OGC API's
   items in GeoJSON). The base is GG.basemap when the page carries its configuration
   (#gg-basemap-config), else the configured tiles, else a plain background. Popups show a feature's
   properties as text, never as HTML. */
(function () {
  "use strict";
  var DEFAULT_VIEW = [29.87, 121.55];
  var STYLE = { color: "#123b70", weight: 2, fillColor: "#2f80ed", fillOpacity: 0.15 };

  function popup(feature) {
    var box = document.createElement("div");
    box.className = "gg-ogc-popup";
    var props = feature.properties || {};
    var title = document.createElement("strong");
    title.textContent = props.name || props["名称"] || props.code || props.number ||
      String(feature.id);
    box.appendChild(title);
    var list = document.createElement("dl");
    Object.keys(props).slice(0, 12).forEach(function (key) {
      var value = props[key];
      if (value === null || value === "" || typeof value === "object" || key === "url") { return; }
      var dt = document.createElement("dt");
      dt.textContent = key;
      var dd = document.createElement("dd");
      dd.textContent = String(value);
      list.appendChild(dt);
      list.appendChild(dd);
    });
    box.appendChild(list);
    if (props.url) {
      var a = document.createElement("a");
      a.href = props.url;
      a.textContent = "»";
      box.appendChild(a);
    }
    return box;
  }

  function draw(map, collection) {
    var layer = L.geoJSON(collection, {
      // Points keep their circle markers' own look; lines and polygons take STYLE.
      style: function (feature) {
        return /Point/.test((feature.geometry || {}).type || "") ? {} : STYLE;
      },
      pointToLayer: function (feature, latlng) {
        return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1.5,
                                        fillColor: "#c0392b", fillOpacity: 0.9 });
      },
      onEachFeature: function (feature, item) { item.bindPopup(popup(feature)); }
    }).addTo(map);
    var bounds = layer.getBounds();
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: 17 });
    }
    map.getContainer().setAttribute("data-features", String(collection.features.length));
  }

  function start(canvas) {
    var map = L.map(canvas, { zoomSnap: 0.25 }).setView(DEFAULT_VIEW, 11);
    var cfg = document.getElementById("gg-basemap-config");
    if (cfg && window.GG && typeof window.GG.basemap === "function") {
      var base = window.GG.basemap(map, JSON.parse(cfg.textContent));
      if (base && base.ready) {
        base.ready.then(function () { canvas.setAttribute("data-base-ready", "1"); });
      }
    } else if (canvas.dataset.tileUrl) {
      L.tileLayer(canvas.dataset.tileUrl, { attribution: canvas.dataset.tileAttribution || "",
                                            maxZoom: 19 }).addTo(map);
    }
    if (canvas.dataset.src) {
      fetch(canvas.dataset.src, { credentials: "same-origin",
                                  headers: { Accept: "application/geo+json" } })
        .then(function (r) { return r.ok ? r.json() : { features: [] }; })
        .then(function (data) { draw(map, data); });
      return;
    }
    var data = document.getElementById(canvas.dataset.ggFeatureMap);
    if (data) { draw(map, JSON.parse(data.textContent)); }
  }

  function init() {
    if (typeof L === "undefined") { return; }
    document.querySelectorAll("[data-gg-feature-map]").forEach(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
