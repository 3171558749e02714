// Field terminal: the small map of one point (an event's, a task's) from a JSON config element
// (json_script), with an outline layer, the point's marker and, once geo.js has a fix in a form,
// the device's distance to the point and its own marker ("you"). Used by field/js/events.js and
// tasks/field_task.js, which say how and when to look at a form's fix.
//
//   var pm = GridgovPointMap.create({ configId: "...", mapId: "...", outlineKey: "grid",
//     outlineStyle: {...}, tooltipDirection: "right", tooltipOffset: [10, 0] });
//   pm.config      the parsed config (null without the element)
//   pm.draw()      draws the map (nothing without the map element, the config or Leaflet)
//   pm.showFix(f)  shows the distance from form f's lng/lat (once per fix) and the device's point
(function () {
  "use strict";

  // Haversine, metres (WGS-84 points; the map's point and the device's).
  function distance(lng1, lat1, lng2, lat2) {
    var r = Math.PI / 180;
    var dp = (lat2 - lat1) * r;
    var dl = (lng2 - lng1) * r;
    var a = Math.sin(dp / 2) * Math.sin(dp / 2) +
      Math.cos(lat1 * r) * Math.cos(lat2 * r) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * 6371008.8 * Math.asin(Math.sqrt(a));
  }

  function create(opts) {
    var cfgEl = document.getElementById(opts.configId);
    var cfg = cfgEl ? JSON.parse(cfgEl.textContent) : null;
    var map = null;
    var you = null;

    function draw() {
      var el = document.getElementById(opts.mapId);
      if (!el || !cfg || !window.L) { return; }
      map = L.map(el, { zoomControl: true, attributionControl: !!cfg.tileUrl,
        scrollWheelZoom: false, dragging: !L.Browser.mobile, tap: false })
        .setView(cfg.point, 17);
      // The base: tiles, or the district's names and outlines (the plain background stays
      // beneath them, and is all there is offline).
      if (!cfg.tileUrl) { el.classList.add("m-map--plain"); }
      if (window.GG && GG.basemap) { GG.basemap(map, cfg.basemap); }
      var outline = cfg[opts.outlineKey];
      if (outline) {
        L.geoJSON(outline, { interactive: false, style: opts.outlineStyle }).addTo(map);
      }
      L.circleMarker(cfg.point, { radius: 9, color: "#ffffff", weight: 2, fillColor: "#d64545",
        fillOpacity: 1 }).bindTooltip(cfg.text.here, { permanent: true,
        direction: opts.tooltipDirection, offset: opts.tooltipOffset }).addTo(map);
    }

    function showFix(form) {
      var lng = parseFloat((form.elements.lng || {}).value);
      var lat = parseFloat((form.elements.lat || {}).value);
      var out = form.querySelector("[data-geo-distance]");
      if (!out || !cfg || isNaN(lng) || isNaN(lat)) { return; }
      if (out.getAttribute("data-fix") === lng + "," + lat) { return; }
      out.setAttribute("data-fix", lng + "," + lat);
      var metres = Math.round(distance(cfg.wgs84[0], cfg.wgs84[1], lng, lat));
      out.textContent = cfg.text.distance.replace("%(n)s", metres);
      out.hidden = false;
      // The device's point on the map (only where the map draws in WGS-84 itself).
      if (map && cfg.crs === "wgs84") {
        if (you) { map.removeLayer(you); }
        you = L.circleMarker([lat, lng], { radius: 7, color: "#ffffff", weight: 2,
          fillColor: "#1f6feb", fillOpacity: 1 }).bindTooltip(cfg.text.you).addTo(map);
        map.fitBounds(L.latLngBounds([cfg.point, [lat, lng]]).pad(0.3), { maxZoom: 18 });
      }
    }

    return { config: cfg, draw: draw, showFix: showFix };
  }

  window.GridgovPointMap = { create: create, distance: distance };
}());
