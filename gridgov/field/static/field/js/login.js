/* 网格通 — the sign-in page: whoever signs in next must not see the previous person's pages
   or queue, so a page reached signed out drops the device's page cache (the outbox was
   emptied by the sign-out itself, after a warning). */
(function () {
  "use strict";
  if (window.caches) {
    caches.keys().then(function (keys) {
      keys.forEach(function (k) { if (k.indexOf("gg-field-pages") === 0) caches.delete(k); });
    });
  }
})();
