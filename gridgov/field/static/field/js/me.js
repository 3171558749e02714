/* 网格通 — 我的: sign out only after a warning when unsent items remain; then the device's
   copies (cached pages, the outbox) are cleared before the session ends on the server. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-signout]");
  if (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.cleared) return;
      event.preventDefault();
      var box = window.GridgovOutbox;
      (box ? box.summary() : Promise.resolve({ unsent: 0 })).then(function (s) {
        var unsent = s.pending + s.sending + s.auth + s.rejected + s.conflict;
        if (unsent && !window.confirm(form.dataset.confirmUnsent.replace("%(n)s", unsent))) {
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
      est.textContent = (est.dataset.label || "") + mb(e.usage || 0) + " / " + mb(e.quota || 0);
    });
  }
})();
