// Evidence rules (取证规则): where a class asks for the place, a completion or verification
// form carries the device's position. The button fills the form's hidden lng/lat inputs
// from the browser's geolocation (WGS-84); the server checks the distance to the event.
(function () {
  "use strict";
  // Each form that needs the place includes this script; listen once.
  if (window.ggEvidenceLocate) { return; }
  window.ggEvidenceLocate = true;
  function locate(button) {
    var form = button.form;
    var status = form.querySelector("[data-evidence-status]");
    if (!navigator.geolocation) {
      status.textContent = button.dataset.unsupported;
      return;
    }
    status.textContent = button.dataset.locating;
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("input[name$='lng']").value = pos.coords.longitude.toFixed(6);
      form.querySelector("input[name$='lat']").value = pos.coords.latitude.toFixed(6);
      status.textContent = button.dataset.done + " ±" + Math.round(pos.coords.accuracy) + " m";
    }, function () {
      status.textContent = button.dataset.failed;
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }
  document.addEventListener("click", function (e) {
    var button = e.target.closest("[data-evidence-locate]");
    if (button) {
      e.preventDefault();
      locate(button);
    }
  });
})();
