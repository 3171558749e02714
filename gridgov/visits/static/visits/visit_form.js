/* 走访 form: stamp the device's time of the visit (visited_at) when the form is submitted,
   before the outbox takes the form (a capturing listener on the document runs first), so a
   visit sent hours later still says when it happened. */
(function () {
  "use strict";
  function stamp(form) {
    var input = form.querySelector("[data-visited-at]");
    if (input) { input.value = new Date().toISOString(); }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form && form.matches && form.matches("[data-visit-form]")) { stamp(form); }
  }, true);
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-visit-form]").forEach(stamp);
  });
})();
