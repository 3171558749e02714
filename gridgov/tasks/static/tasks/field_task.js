// Field terminal, one task (/m/tasks/<id>/): the small map of the task's point and, once
// geo.js has a fix in the report form, the device's distance to the point. Sending is the
// outbox's (forms with data-outbox); this file only draws.
(function () {
  "use strict";

  // The map and the distance line: field/js/point-map.js.
  var pointMap = window.GridgovPointMap.create({
    configId: "m-task-map-config", mapId: "m-task-map", outlineKey: "outline",
    outlineStyle: { color: "#1d5bb0", weight: 2, fillColor: "#1d5bb0", fillOpacity: 0.06 },
    tooltipDirection: "top", tooltipOffset: [0, -8] });

  function showFix(form) { pointMap.showFix(form); }

  function start() {
    pointMap.draw();
    var form = document.querySelector("#m-task-complete form[data-geo]");
    if (!form) { return; }
    ["lng", "lat"].forEach(function (name) {
      var input = form.elements[name];
      if (input) { input.addEventListener("change", function () { showFix(form); }); }
    });
    // geo.js fills the hidden inputs without events on some paths: look again now and then.
    window.setInterval(function () { showFix(form); }, 2000);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
