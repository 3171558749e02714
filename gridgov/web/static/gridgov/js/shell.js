// Page shell behaviour: the phone menu toggle and the language selector that submits itself.
(function () {
  "use strict";
  var toggle = document.querySelector("[data-gg-menu-toggle]");
  var nav = document.getElementById("gg-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("is-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  document.querySelectorAll("[data-gg-autosubmit]").forEach(function (el) {
    el.addEventListener("change", function () { el.form.submit(); });
  });
})();
