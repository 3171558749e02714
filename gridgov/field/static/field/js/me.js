/* 网格通 — 我的: sign out only after a warning when unsent items remain; then the device's
   copies (cached pages, the outbox) are cleared before the session ends on the server. */
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
  var form = document.querySelector("form[data-signout]");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared) return;
      event.preventDefault();
      var box = window.GridgovOutbox;
      (box ? box.summary() : Promise.resolve({ unsent: 0 })).then(function (s) {
        var unsent = s.pending + s.sending + s.auth + s.rejected + s.conflict;
        if (unsent && !window.confirm(t("meConfirmUnsent", "发件箱中还有 %(n)s 条内容未发送,退出登录会把它们从本机删除。确定退出吗?", { n: unsent }))) {
          return false;
        }
        var jobs = [];
        if (box) jobs.push(box.wipe());
        if (window.caches) {
          jobs.push(caches.keys().then(function (keys) {
            return Promise.all(keys.map(function (k) { return caches.delete(k); }));
          }));
        }
        return Promise.all(jobs).catch(function () {}).then(function () { return true; });
      }).then(function (go) {
        if (!go) return;
        form.dataset.cleared = "1";
        form.submit();
      });
    });
  }
  var est = document.querySelector("[data-storage-estimate]");
  if (est && navigator.storage && navigator.storage.estimate) {
    navigator.storage.estimate().then(function (e) {
      var mb = function (b) { return (b / 1048576).toFixed(1) + " MB"; };
      est.textContent = t("meStorage", "本机存储:") + mb(e.usage || 0) + " / " + mb(e.quota || 0);
    });
  }
})();
