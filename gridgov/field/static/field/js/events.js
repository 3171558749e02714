// 核查 tab, one case (/m/events/<number>/): the small map of the event's point, the device's
// distance to it once geo.js has a fix, photo previews, and the verify form's two outcomes
// (a failed check needs the reason). Sending is the outbox's (forms with data-outbox).
(function () {
  "use strict";

  // The map and the distance line: field/js/point-map.js (not loaded on the list page).
  var pointMap = window.GridgovPointMap ? window.GridgovPointMap.create({
    configId: "m-event-map-config", mapId: "m-event-map", outlineKey: "grid",
    outlineStyle: { color: "#c05a00", weight: 2, fillColor: "#f0a040", fillOpacity: 0.1 },
    tooltipDirection: "right", tooltipOffset: [10, 0] }) : null;

  function initMap() {
    if (pointMap) { pointMap.draw(); }
  }

  function showFix(form) {
    if (pointMap) { pointMap.showFix(form); }
  }

  function watchFix(form) {
    // geo.js fills lng/lat and tells the form ("geo:fix"); a fix taken before this ran shows now.
    form.addEventListener("geo:fix", function () { showFix(form); });
    showFix(form);
  }

  function previewPhotos(input) {
    var list = input.parentNode.querySelector("[data-photo-preview]");
    if (!list) { return; }
    input.addEventListener("change", function () {
      list.textContent = "";
      Array.prototype.forEach.call(input.files || [], function (file) {
        if (!/^image\//.test(file.type)) { return; }
        var li = document.createElement("li");
        var img = document.createElement("img");
        img.alt = file.name;
        img.src = URL.createObjectURL(file);
        img.onload = function () { URL.revokeObjectURL(img.src); };
        li.appendChild(img);
        list.appendChild(li);
      });
      list.hidden = !list.children.length;
      var count = input.parentNode.querySelector("[data-photo-count]");
      var n = (input.files || []).length;
      if (count) {
        count.textContent = n ? count.getAttribute("data-some").replace("%(n)s", n)
          : count.getAttribute("data-none");
      }
      var error = input.parentNode.querySelector(".m-error");
      if (error && input.files && input.files.length) { error.textContent = ""; }
    });
  }

  function verifyOutcome(form) {
    var button = form.querySelector("button[type=submit]");
    var remark = form.querySelector("[data-required-when-failed]");
    function update() {
      var failed = form.querySelector("input[name=passed]:checked");
      failed = failed && failed.value === "false";
      if (remark) { remark.required = failed; }
      if (button) {
        button.textContent = button.getAttribute(failed ? "data-fail-text" : "data-pass-text");
        button.classList.toggle("m-btn--danger", failed);
        button.classList.toggle("m-btn--primary", !failed);
      }
      Array.prototype.forEach.call(form.querySelectorAll(".m-choice"), function (label) {
        label.classList.toggle("is-selected", label.querySelector("input").checked);
      });
    }
    Array.prototype.forEach.call(form.querySelectorAll("input[name=passed]"), function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }

  // The bar that jumps to the action form steps aside while the form is on the screen.
  function jumpBar() {
    var bar = document.querySelector("[data-event-jump]");
    var target = bar && document.getElementById(bar.getAttribute("data-event-jump"));
    if (!target || !window.IntersectionObserver) { return; }
    new IntersectionObserver(function (entries) {
      bar.hidden = entries[0].isIntersecting;
    }).observe(target);
  }

  // The list: a case with a step still in the outbox says so (the page may be a cached copy
  // that still shows it waiting for the worker).
  var WAITING = { pending: 1, sending: 1, auth: 1, rejected: 1, conflict: 1 };

  function markQueued() {
    var rows = document.querySelectorAll("[data-event-id]");
    if (!rows.length || !window.GridgovOutbox) { return; }
    function mark() {
      window.GridgovOutbox.list().then(function (items) {
        var queued = {};
        items.forEach(function (item) {
          var m = /\/api\/v1\/events\/(\d+)\//.exec(item.url || "");
          if (m && WAITING[item.status]) { queued[m[1]] = item.status; }
        });
        Array.prototype.forEach.call(rows, function (li) {
          var badge = li.querySelector("[data-queued-badge]");
          var status = queued[li.getAttribute("data-event-id")];
          badge.hidden = !status;
          badge.classList.toggle("m-badge--danger", status === "rejected" || status === "conflict");
        });
      });
    }
    window.GridgovOutbox.onchange(mark);
    mark();
  }

  function init() {
    initMap();
    jumpBar();
    markQueued();
    Array.prototype.forEach.call(document.querySelectorAll("form[data-event-form]"),
      function (form) {
        if (form.hasAttribute("data-geo")) { watchFix(form); }
        Array.prototype.forEach.call(form.querySelectorAll("input[type=file]"), previewPhotos);
        if (form.getAttribute("data-event-form") === "verify") { verifyOutcome(form); }
      });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
