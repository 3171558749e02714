// The statistics' selector: the anchor date for a day/week/month/quarter/year, the start and
// end dates for a custom range; the other fields hide (all show without JavaScript).
(function () {
  "use strict";
  var form = document.getElementById("gg-stats-selector");
  if (!form) { return; }
  var period = form.querySelector("[name=period]");
  function field(name) { return form.querySelector("[data-gg-field=" + name + "]"); }
  function sync() {
    var custom = period.value === "custom";
    field("date").hidden = custom;
    field("start").hidden = !custom;
    field("end").hidden = !custom;
  }
  period.addEventListener("change", sync);
  sync();
}());
