/* 案件查询: submit only the conditions that are set, so the address stays short enough to
 * read, share and save (the server treats a missing and an empty condition alike).
 * 附近 (events/search/_near.html): the point picked on the map (intake.js's picker, present
 * with ?pick=1) and the radius chosen go into the one field near=lng,lat,radius_m; a point
 * picked on a GCJ-02 map says so in near_crs, and the server converts it. */
(function () {
  "use strict";
  var form = document.getElementById("gg-search-form");
  if (!form) { return; }

  var nearInput = form.querySelector("[name=near]");
  var nearCrs = form.querySelector("[data-gg-near-crs]");
  var radius = form.querySelector("[data-gg-near-radius]");
  var picker = form.querySelector("[data-gg-near] [data-gg-point]");
  var pickLng = picker && picker.querySelector("[name=lng]");
  var pickLat = picker && picker.querySelector("[name=lat]");
  var pickCrs = picker && picker.querySelector("[name=crs]");
  var seen = pickLng ? pickLng.value + "," + pickLat.value : "";

  function round(value) { return String(Math.round(parseFloat(value) * 1e7) / 1e7); }

  // A point newly picked on the map (click, drag, GPS) replaces the field's point.
  function takePicked() {
    if (!pickLng || !pickLng.value || !pickLat.value) { return; }
    var now = pickLng.value + "," + pickLat.value;
    if (now === seen) { return; }
    seen = now;
    nearInput.value = round(pickLng.value) + "," + round(pickLat.value) + "," + radius.value;
    nearCrs.value = pickCrs.value === "gcj02" ? "gcj02" : "";
  }

  // The radius chosen replaces the field's radius (or completes "lng,lat").
  function takeRadius() {
    var parts = nearInput.value.replace(/，/g, ",").split(",");
    if (parts.length < 2 || !parts[0].trim() || !parts[1].trim()) { return; }
    nearInput.value = parts[0].trim() + "," + parts[1].trim() + "," + radius.value;
  }

  if (nearInput && radius) {
    radius.addEventListener("change", takeRadius);
    if (picker) {
      // The picker writes its inputs in Leaflet's own handlers: read them just after.
      ["click", "pointerup", "touchend", "keyup"].forEach(function (type) {
        picker.addEventListener(type, function () { setTimeout(takePicked, 0); });
      });
    }
  }

  form.addEventListener("submit", function () {
    if (nearInput && radius) {
      takePicked();
      if (nearInput.value.split(",").length === 2) { takeRadius(); }
      if (!nearInput.value.trim()) { nearCrs.value = ""; }
    }
    Array.prototype.forEach.call(form.elements, function (field) {
      if (field.name && !field.disabled && field.type !== "checkbox" && field.value === "") {
        field.disabled = true;
      }
    });
    // Re-enable after the browser has read the form (back button shows it filled).
    setTimeout(function () {
      Array.prototype.forEach.call(form.elements, function (field) { field.disabled = false; });
    }, 0);
  });
}());
