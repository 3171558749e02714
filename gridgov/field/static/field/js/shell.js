/* 网格通 — the page shell: service worker, network state, offline banner, outbox badge,
   the active tab, and pages asked for offline use (data-precache links). */
(function () {
  "use strict";
  var body = document.body;
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

  // Active tab (the CSS colours it from body[data-tab]; screen readers get aria-current).
  var tab = body.dataset.tab;
  if (tab) {
    var link = document.querySelector(".m-tab[data-tab-key='" + tab + "']");
    if (link) link.setAttribute("aria-current", "page");
  }

  // Network state and the offline banner ("离线 · 显示 HH:MM 的内容").
  var net = document.querySelector("[data-net-state]");
  var banner = document.querySelector("[data-offline-banner]");
  var rendered = body.dataset.renderedAt ? new Date(body.dataset.renderedAt) : null;
  var timeEl = document.querySelector("[data-rendered-time]");
  if (timeEl && rendered && !isNaN(rendered)) {
    var hh = ("0" + rendered.getHours()).slice(-2), mm = ("0" + rendered.getMinutes()).slice(-2);
    var sameDay = rendered.toDateString() === new Date().toDateString();
    timeEl.textContent = (sameDay ? "" : (rendered.getMonth() + 1) + "/" + rendered.getDate() + " ") + hh + ":" + mm;
    timeEl.setAttribute("datetime", rendered.toISOString());
  }
  function netState() {
    var online = navigator.onLine !== false;
    if (net) {
      net.classList.toggle("is-offline", !online);
      var label = net.querySelector(".m-net-text");
      if (label) label.textContent = online ? t("online", "在线") : t("offline", "离线");
    }
    // Also when the page came from the cache while the server was unreachable.
    if (banner) banner.hidden = online && !window.__ggFromCache;
  }
  window.addEventListener("online", function () { window.__ggFromCache = false; netState(); });
  window.addEventListener("offline", netState);
  netState();

  // Outbox badge: unsent items; red when something needs the worker (rejected, conflict).
  if (window.GridgovOutbox) {
    window.GridgovOutbox.onchange(function (s) {
      Array.prototype.forEach.call(document.querySelectorAll("[data-outbox-badge]"), function (b) {
        var n = s.unsent;
        b.hidden = !n;
        b.textContent = n > 99 ? "99+" : String(n);
        b.classList.toggle("is-alert", s.attention > 0);
      });
    });
  }

  // Ask the browser to keep the outbox and the pages under storage pressure.
  if (navigator.storage && navigator.storage.persist && body.dataset.signedIn) {
    navigator.storage.persisted().then(function (yes) { if (!yes) navigator.storage.persist(); })
      .catch(function () {});
  }

  // The service worker (scope /m/) and the pages asked for offline use.
  // Registered after the load event: on a slow link the worker's precache must not compete
  // with the page the worker is waiting for.
  function registerWorker() {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/m/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (reg) {
      var urls = [];
      Array.prototype.forEach.call(document.querySelectorAll("[data-precache]"), function (a) {
        var u = a.getAttribute("data-precache");
        if (u && u.indexOf("/m/") === 0 && urls.indexOf(u) < 0) urls.push(u);
      });
      if (urls.length && reg.active) reg.active.postMessage({ type: "precache", urls: urls });
    }).catch(function () { /* no service worker: the pages still work online */ });
  }
  if ("serviceWorker" in navigator && body.dataset.sw && body.dataset.signedIn) {
    if (document.readyState === "complete") registerWorker();
    else window.addEventListener("load", registerWorker);
    navigator.serviceWorker.addEventListener("message", function (event) {
      if (event.data && event.data.type === "from-cache") {
        window.__ggFromCache = true;
        netState();
      }
    });
  }
})();
