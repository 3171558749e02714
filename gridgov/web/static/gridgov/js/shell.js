// Page shell behaviour: the phone menu toggle, the language selector that submits itself, and
// toasts (window.gg.toast), which also take over the Django messages the server drew.
(function () {
  "use strict";
  var gg = window.gg = window.gg || {};

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

  // --- Toasts ------------------------------------------------------------------------------
  var KINDS = { info: "i", ok: "✓", warn: "!", danger: "!" };
  // Milliseconds on screen; a danger toast stays until it is closed (it may need action).
  var LIFETIME = { info: 5000, ok: 4000, warn: 8000, danger: 0 };

  function container() {
    var box = document.getElementById("gg-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "gg-toasts";
      box.setAttribute("aria-live", "polite");
      box.setAttribute("aria-relevant", "additions");
      document.body.appendChild(box);
    }
    return box;
  }

  function dismiss(el) {
    if (!el || el.classList.contains("is-leaving")) return;
    el.classList.add("is-leaving");
    window.setTimeout(function () { if (el.parentNode) el.parentNode.removeChild(el); }, 220);
  }

  function arm(el, kind) {
    var close = el.querySelector("[data-gg-toast-close]");
    if (close) close.addEventListener("click", function () { dismiss(el); });
    var life = LIFETIME[kind];
    if (life) {
      var timer = window.setTimeout(function () { dismiss(el); }, life);
      // Keep it while the pointer or keyboard focus is on it (reading, or reaching "close").
      el.addEventListener("mouseenter", function () { window.clearTimeout(timer); });
      el.addEventListener("focusin", function () { window.clearTimeout(timer); });
    }
  }

  function kindOf(el) {
    for (var k in KINDS) {
      if (el.classList.contains("gg-toast-" + k)) return k;
    }
    return "info";
  }

  /** Show a short notice: gg.toast("已保存", "ok"). kind: info | ok | warn | danger.
   *  Text only (never HTML). Returns the toast element; gg.toast.dismiss(el) removes it. */
  gg.toast = function (text, kind) {
    kind = Object.prototype.hasOwnProperty.call(KINDS, kind) ? kind : "info";
    var box = container();
    var el = document.createElement("div");
    el.className = "gg-toast gg-toast-" + kind;
    el.setAttribute("role", kind === "danger" || kind === "warn" ? "alert" : "status");
    el.setAttribute("data-gg-toast", "");
    var icon = document.createElement("span");
    icon.className = "gg-toast-icon";
    icon.setAttribute("aria-hidden", "true");
    icon.textContent = KINDS[kind];
    var body = document.createElement("div");
    body.className = "gg-toast-text";
    body.textContent = String(text);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "gg-toast-close";
    close.setAttribute("aria-label", box.getAttribute("data-close-label") || "×");
    close.setAttribute("data-gg-toast-close", "");
    close.textContent = "×";
    el.appendChild(icon);
    el.appendChild(body);
    el.appendChild(close);
    box.appendChild(el);
    arm(el, kind);
    return el;
  };
  gg.toast.dismiss = dismiss;

  // A button may announce something without script of its own (the examples page /ui/):
  // <button type="button" data-gg-toast-text="已保存" data-gg-toast-kind="ok">.
  document.addEventListener("click", function (event) {
    var el = event.target.closest ? event.target.closest("[data-gg-toast-text]") : null;
    if (el) gg.toast(el.getAttribute("data-gg-toast-text"), el.getAttribute("data-gg-toast-kind"));
  });

  // The messages the server drew (web/_toasts.html): same behaviour as script-made toasts.
  document.querySelectorAll("#gg-toasts [data-gg-toast]").forEach(function (el) {
    arm(el, kindOf(el));
  });
})();
