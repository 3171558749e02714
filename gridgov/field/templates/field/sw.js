/* 网格通 service worker (served by gridgov.field.views.shell.service_worker at /m/sw.js,
   scope /m/). Version __VERSION__.

   - Install: precache the app shell (versioned CSS, JS, icons) and the tab pages.
   - Static files with ?v=: cache-first (the version changes when they do).
   - /m/ pages (GET): network first, falling back to the cached copy (served after 6 s
     without an answer too, and refreshed when the answer comes), else the offline page.
     A page answered by a redirect to the sign-in page drops the page cache: the cache holds
     one person's pages only, and sign-out clears it (me.js, login.js).
   - Photos shown by /m/ pages (<img> GETs to the scoped event attachment and thumbnail,
     task result photo and visit photo views, which answer no-store): network first, a
     successful same-origin image answer is kept in the page cache (so sign-out drops it with
     the pages), and offline the kept copy is served. Never /api/.
   - API, POST and everything else: straight to the network (writes go through the outbox).
   - message {type: "precache", urls}: fetch and keep those /m/ pages. */
"use strict";
var VERSION = "__VERSION__";
var STATIC_CACHE = "gg-field-static-" + VERSION;
var PAGE_CACHE = "gg-field-pages";
var PRECACHE_STATIC = __PRECACHE_STATIC__;
var PRECACHE_PAGES = __PRECACHE_PAGES__;
var OFFLINE_URL = __OFFLINE_URL__;
var LOGIN_URL = __LOGIN_URL__;
var NETWORK_WAIT_MS = 6000;
// The photo views the terminal's pages show (events/views/files.py, tasks/urls.py,
// visits/views.py): same origin, outside /m/, each checking the reader's scope.
var PHOTO_PATHS = [
  /^\/events\/\d+\/attachments\/\d+\/(thumb\/[A-Za-z0-9_-]+\/)?$/,
  /^\/tasks\/\d+\/photos\/\d+\/$/,
  /^\/visits\/photos\/\d+\/$/
];

self.addEventListener("install", function (event) {
  event.waitUntil(Promise.all([
    caches.open(STATIC_CACHE).then(function (cache) { return cache.addAll(PRECACHE_STATIC); }),
    caches.open(PAGE_CACHE).then(function (cache) {
      // One by one: a page the person may not open (or not built yet) must not fail install.
      return Promise.all(PRECACHE_PAGES.map(function (url) { return keepPage(cache, url); }));
    })
  ]).then(function () { return self.skipWaiting(); }));
});

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {
    return Promise.all(keys.filter(function (k) {
      return k.indexOf("gg-field-static-") === 0 && k !== STATIC_CACHE;
    }).map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function keepPage(cache, url) {
  return fetch(url, { credentials: "same-origin", redirect: "follow" }).then(function (r) {
    if (r.ok && !r.redirected) return cache.put(url, r);
    return null;
  }).catch(function () { return null; });
}

function isLogin(response) {
  return response.redirected && new URL(response.url).pathname.indexOf(LOGIN_URL) === 0;
}

function fromCache(request) {
  return caches.open(PAGE_CACHE).then(function (cache) {
    return cache.match(request, { ignoreVary: true }).then(function (hit) {
      return hit || cache.match(request.url.split("?")[0], { ignoreVary: true });
    });
  });
}

function tellFromCache(clientId) {
  if (!clientId) return;
  setTimeout(function () {
    self.clients.get(clientId).then(function (client) {
      if (client) client.postMessage({ type: "from-cache" });
    });
  }, 500);
}

function page(event) {
  var request = event.request;
  var network = fetch(request).then(function (response) {
    if (isLogin(response)) {
      caches.delete(PAGE_CACHE);
    } else if (response.ok && response.type === "basic") {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { cache.put(request.url, copy); });
    }
    return response;
  });
  var timeout = new Promise(function (resolve) {
    setTimeout(function () { resolve(null); }, NETWORK_WAIT_MS);
  });
  var cachedOnTimeout = timeout.then(function () { return fromCache(request); })
    .then(function (hit) { if (hit) { tellFromCache(event.resultingClientId); return hit; } return network; });
  return Promise.race([network.catch(function () { return null; }), cachedOnTimeout])
    .then(function (first) {
      if (first) return first;
      return fromCache(request).then(function (hit) {
        if (hit) { tellFromCache(event.resultingClientId || event.clientId); return hit; }
        return caches.match(OFFLINE_URL).then(function (offline) {
          return offline || new Response("offline", { status: 503,
            headers: { "Content-Type": "text/plain; charset=utf-8" } });
        });
      });
    });
}

function isPhoto(request, url) {
  if (request.destination !== "image" || url.pathname.indexOf("/api/") === 0) return false;
  return PHOTO_PATHS.some(function (re) { return re.test(url.pathname); });
}

function photo(request) {
  var key = request.url;
  return fetch(request).then(function (response) {
    var type = response.headers.get("Content-Type") || "";
    if (response.ok && response.type === "basic" && !response.redirected &&
        type.indexOf("image/") === 0) {
      var copy = response.clone();
      caches.open(PAGE_CACHE).then(function (cache) { return cache.put(key, copy); })
        .catch(function () {});
    } else if (response.redirected || [403, 404, 410].indexOf(response.status) >= 0) {
      // No longer this person's to see: drop the kept copy too.
      caches.open(PAGE_CACHE).then(function (cache) { return cache.delete(key); });
    }
    return response;
  }, function () {
    return caches.open(PAGE_CACHE).then(function (cache) {
      return cache.match(key, { ignoreVary: true });
    }).then(function (hit) { return hit || Response.error(); });
  });
}

function staticFile(request) {
  return caches.match(request).then(function (hit) {
    if (hit) return hit;
    return fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(STATIC_CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    if (url.searchParams.has("v")) event.respondWith(staticFile(request));
    return;
  }
  if (isPhoto(request, url)) {
    event.respondWith(photo(request));
    return;
  }
  if (url.pathname.indexOf("/m/") !== 0 || url.pathname === "/m/sw.js" ||
      url.pathname.indexOf(LOGIN_URL) === 0 || url.pathname.indexOf("/m/logout/") === 0) {
    return;
  }
  var accept = request.headers.get("Accept") || "";
  if (request.mode === "navigate" || accept.indexOf("text/html") >= 0) {
    event.respondWith(page(event));
  }
});

self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type === "precache" && Array.isArray(data.urls)) {
    var urls = data.urls.filter(function (u) {
      return typeof u === "string" && u.indexOf("/m/") === 0 && u.indexOf("/m/logout/") !== 0;
    }).slice(0, 50);
    event.waitUntil(caches.open(PAGE_CACHE).then(function (cache) {
      return Promise.all(urls.map(function (u) {
        return cache.match(u).then(function (hit) { return hit ? null : keepPage(cache, u); });
      }));
    }));
  } else if (data.type === "clear") {
    event.waitUntil(caches.keys().then(function (keys) {
      return Promise.all(keys.map(function (k) { return caches.delete(k); }));
    }));
  }
});
