/* 网格通 — the device's position for forms marked data-geo.

   Such a form gets hidden inputs lng, lat, accuracy_m and position_at (WGS-84 from
   navigator.geolocation, ISO time of the fix), kept up to date while the page is open; an
   element [data-geo-status] inside it shows the fix and its accuracy. The best (most
   accurate) recent fix wins; a page may read it from form.ggGeo or listen to "geo:fix". A
   page that lets the worker correct the point on a map sets the inputs itself and marks the
   form data-geo-manual="1": the device's fixes then no longer overwrite them. */
(function () {
  "use strict";
  // The page's texts (field/_js_texts.html, #gg-field-texts, through gettext); the Chinese
  // text is the fallback, %(name)s placeholders are filled in from args.
  var TEXTS;
  function t(key, fallback, args) {
    if (TEXTS === undefined) {
      var node = document.getElementById("gg-field-texts");
      try { TEXTS = node ? JSON.parse(node.textContent) || {} : {}; } catch (e) { TEXTS = {}; }
    }
    return String(TEXTS[key] || fallback).replace(/%\((\w+)\)[sd]/g, function (m, name) {
      return args && name in args ? String(args[name]) : m;
    });
  }
  var FIELDS = ["lng", "lat", "accuracy_m", "position_at"];
  var STALE_MS = 120000;

  function input(form, name) {
    var el = form.querySelector("input[name='" + name + "']");
    if (!el) {
      el = document.createElement("input");
      el.type = "hidden"; el.name = name;
      form.appendChild(el);
    }
    return el;
  }

  function show(form, cls, message) {
    var el = form.querySelector("[data-geo-status]");
    if (!el) return;
    el.classList.remove("is-good", "is-poor", "is-error", "is-waiting");
    el.classList.add(cls);
    el.textContent = message;
  }

  function apply(form, pos) {
    var c = pos.coords, prev = form.ggGeo;
    var fresh = !prev || Date.now() - prev.time > STALE_MS || c.accuracy <= prev.accuracy * 1.5;
    if (!fresh) return;
    form.ggGeo = { lng: c.longitude, lat: c.latitude, accuracy: c.accuracy, time: pos.timestamp };
    if (form.dataset.geoManual !== "1") {
      input(form, "lng").value = c.longitude.toFixed(7);
      input(form, "lat").value = c.latitude.toFixed(7);
      input(form, "accuracy_m").value = String(Math.round(c.accuracy));
      input(form, "position_at").value = new Date(pos.timestamp).toISOString();
    }
    var acc = Math.round(c.accuracy);
    show(form, acc <= 50 ? "is-good" : "is-poor",
         t(form.dataset.geoFixText || "geoFix", "已定位,精度约 %(m)s 米", { m: acc }));
    form.dispatchEvent(new CustomEvent("geo:fix", { bubbles: true, detail: form.ggGeo }));
  }

  function fail(form, err) {
    var msg = err && err.code === 1 ? t("geoDenied", "未获得定位权限:请在浏览器设置中允许定位,或在地图上选点")
      : t("geoFailed", "暂时无法定位,请到开阔处再试,或在地图上选点");
    show(form, "is-error", msg);
    form.dispatchEvent(new CustomEvent("geo:error", { bubbles: true, detail: { code: err && err.code } }));
  }

  function watch(form) {
    FIELDS.forEach(function (name) { input(form, name); });
    if (!("geolocation" in navigator)) { fail(form, null); return; }
    show(form, "is-waiting", t("geoWaiting", "正在定位…"));
    var id = navigator.geolocation.watchPosition(
      function (pos) { apply(form, pos); }, function (err) { fail(form, err); },
      { enableHighAccuracy: true, maximumAge: 30000, timeout: 30000 });
    window.addEventListener("pagehide", function () { navigator.geolocation.clearWatch(id); });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-geo]"), watch);
  }

  window.GridgovGeo = { watch: watch };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
