/* 网格通 — 巡查 (/m/patrol/): start and stop a patrol, sample the track on the phone and send
   it through the outbox (window.GridgovOutbox), keyed by the patrol's client UUID.

   The running patrol lives on the device: localStorage["gridgov.field.patrol"] holds its client
   id (other screens read it), localStorage["gridgov.field.patrol.state"] the rest (start time,
   distance, the last kept fix, the points not queued yet, the drawn track). Closing the page
   loses nothing: reopening it resumes the patrol. Sampling: a fix worse than 100 m is skipped;
   a point is kept when the worker moved 20 m or a minute passed (an impossible jump, over
   30 m/s, is skipped); kept points are queued in batches of 20, or every 2 minutes. The
   server samples again (10 m / 5 min) and dedupes a batch sent twice. A screen wake lock keeps
   the phone awake while patrolling where the browser supports it. */
(function () {
  "use strict";
  var cfgEl = document.getElementById("p-patrol-config");
  var root = document.querySelector("[data-patrol-root]");
  if (!cfgEl || !root) { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var KEY = "gridgov.field.patrol", STATE_KEY = "gridgov.field.patrol.state",
    STOPPED_KEY = "gridgov.field.patrol.stopped";
  var MAX_ACC = 100, MIN_MOVE = 20, EVERY_MS = 60000, MAX_SPEED = 30,
    BATCH = 20, FLUSH_MS = 120000, TRACK_MAX = 5000;

  var els = {
    state: root.querySelector("[data-patrol-state]"),
    time: root.querySelector("[data-patrol-time]"),
    distance: root.querySelector("[data-patrol-distance]"),
    fix: root.querySelector("[data-patrol-fix]"),
    error: root.querySelector("[data-patrol-error]"),
    toggle: document.querySelector("[data-patrol-toggle]"),
    map: document.querySelector("[data-patrol-map]")
  };
  var state = null, watchId = null, ticker = null, flusher = null, wakeLock = null,
    queuing = false, busy = false;

  /* --- small helpers ------------------------------------------------------------------------ */
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

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function haversine(a, b) {
    var R = 6371008.8, rad = Math.PI / 180;
    var p1 = a[1] * rad, p2 = b[1] * rad, dp = p2 - p1, dl = (b[0] - a[0]) * rad;
    var h = Math.sin(dp / 2) * Math.sin(dp / 2) +
      Math.cos(p1) * Math.cos(p2) * Math.sin(dl / 2) * Math.sin(dl / 2);
    return 2 * R * Math.asin(Math.min(1, Math.sqrt(h)));
  }

  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    function two(n) { return (n < 10 ? "0" : "") + n; }
    return two(Math.floor(s / 3600)) + ":" + two(Math.floor(s % 3600 / 60)) + ":" + two(s % 60);
  }

  function showError(text) {
    els.error.textContent = text || "";
    els.error.hidden = !text;
  }

  /* --- GCJ-02 for a GCJ-02 tile server (the published transform, as areas/datum.py) ------- */
  var GA = 6378245.0, EE = 0.00669342162296594323;
  function toMap(lng, lat) {
    if (cfg.crs !== "gcj02" || !(lng >= 72.004 && lng <= 137.8347 && lat >= 0.8293 && lat <= 55.8271)) {
      return [lat, lng];
    }
    var x = lng - 105.0, y = lat - 35.0, xpi = x * Math.PI, ypi = y * Math.PI;
    var common = (20 * Math.sin(6 * xpi) + 20 * Math.sin(2 * xpi)) * 2 / 3;
    var sx = Math.sqrt(Math.abs(x));
    var dlat = -100 + 2 * x + 3 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sx + common +
      (20 * Math.sin(ypi) + 40 * Math.sin(ypi / 3)) * 2 / 3 +
      (160 * Math.sin(ypi / 12) + 320 * Math.sin(ypi / 30)) * 2 / 3;
    var dlng = 300 + x + 2 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sx + common +
      (20 * Math.sin(xpi) + 40 * Math.sin(xpi / 3)) * 2 / 3 +
      (150 * Math.sin(xpi / 12) + 300 * Math.sin(xpi / 30)) * 2 / 3;
    var radlat = lat / 180 * Math.PI, magic = 1 - EE * Math.sin(radlat) * Math.sin(radlat);
    var sm = Math.sqrt(magic);
    return [lat + (dlat * 180) / ((GA * (1 - EE)) / (magic * sm) * Math.PI),
      lng + (dlng * 180) / (GA / sm * Math.cos(radlat) * Math.PI)];
  }

  /* --- the device's state ------------------------------------------------------------------- */
  function load() {
    var id = localStorage.getItem(KEY);
    if (!id) { return null; }
    try {
      var s = JSON.parse(localStorage.getItem(STATE_KEY) || "null");
      if (s && s.clientId === id) { return s; }
    } catch (e) { /* a damaged state: start over from the id */ }
    return { clientId: id, startedAt: Date.now(), distance: 0, last: null, pending: [],
      track: [], lastFlush: Date.now() };
  }

  function save() {
    if (!state) {
      localStorage.removeItem(KEY);
      localStorage.removeItem(STATE_KEY);
      return;
    }
    localStorage.setItem(KEY, state.clientId);
    localStorage.setItem(STATE_KEY, JSON.stringify(state));
  }

  function stopped() {
    try { return JSON.parse(localStorage.getItem(STOPPED_KEY) || "[]"); } catch (e) { return []; }
  }

  function markStopped(id) {
    var list = stopped().filter(function (x) { return x !== id; });
    list.unshift(id);
    localStorage.setItem(STOPPED_KEY, JSON.stringify(list.slice(0, 20)));
  }

  /* --- the map ------------------------------------------------------------------------------ */
  var map = null, line = null, here = null;
  function setupMap() {
    if (!els.map || !window.L) { return; }
    map = L.map(els.map, { zoomSnap: 0.5, minZoom: 8, maxZoom: 19, zoomControl: true,
      attributionControl: !!cfg.tileUrl });
    // The base: tiles, or the district's names and outlines; offline (no answer) the grid and
    // the track are drawn on a plain background as before.
    if (window.GG && GG.basemap) { GG.basemap(map, cfg.basemap); }
    var bounds = null;
    if (cfg.grid) {
      var grid = L.geoJSON(cfg.grid, { interactive: false,
        style: { color: "#c05a00", weight: 2, fillColor: "#f0a040", fillOpacity: 0.1 } });
      bounds = grid.getBounds();
      map.fitBounds(bounds, { padding: [8, 8], maxZoom: 17 });
      grid.addTo(map);
    } else {
      map.setView([29.87, 121.55], 13);
    }
    line = L.polyline([], { color: "#1f4e8c", weight: 4, opacity: 0.85 }).addTo(map);
    window.addEventListener("resize", function () { map.invalidateSize(); });
  }

  function drawTrack() {
    if (!map) { return; }
    var pts = (state && state.track || []).map(function (p) { return toMap(p[0], p[1]); });
    line.setLatLngs(pts);
    if (pts.length) {
      var last = pts[pts.length - 1];
      if (!here) {
        here = L.circleMarker(last, { radius: 7, color: "#fff", weight: 2, fillColor: "#1f4e8c",
          fillOpacity: 1 }).bindTooltip(t("patrolHere", "当前位置")).addTo(map);
      } else {
        here.setLatLng(last);
      }
      if (pts.length > 1) {
        map.fitBounds(line.getBounds(), { padding: [24, 24], maxZoom: 18 });
      } else {
        map.setView(last, 17);
      }
    } else if (here) {
      map.removeLayer(here);
      here = null;
    }
  }

  /* --- the display ---------------------------------------------------------------------------- */
  function render() {
    var on = !!state;
    els.state.textContent = on ? t("patrolActive", "巡查中") : t("patrolIdle", "未在巡查");
    els.state.className = "m-badge" + (on ? " m-badge--ok" : "");
    els.toggle.textContent = on ? t("patrolStop", "结束巡查") : t("patrolStart", "开始巡查");
    els.toggle.className = "m-btn m-btn--block p-toggle " + (on ? "m-btn--danger" : "m-btn--primary");
    els.toggle.disabled = busy;
    root.setAttribute("data-state", on ? "active" : "idle");
    tick();
  }

  function tick() {
    if (!state) { return; }
    els.time.textContent = clock(Date.now() - state.startedAt);
    els.distance.textContent = (state.distance / 1000).toFixed(2) + " km";
  }

  /* --- the outbox --------------------------------------------------------------------------- */
  function outbox() {
    if (!window.GridgovOutbox) { showError(t("patrolNoOutbox", "发件箱不可用,请刷新页面后重试。")); return null; }
    return window.GridgovOutbox;
  }

  function queuePoints(force) {
    if (!state || queuing || !state.pending.length) { return Promise.resolve(); }
    if (!force && state.pending.length < BATCH && Date.now() - state.lastFlush < FLUSH_MS) {
      return Promise.resolve();
    }
    var box = outbox();
    if (!box) { return Promise.resolve(); }
    var batch = state.pending.slice(), id = state.clientId;
    queuing = true;
    return box.enqueue({
      kind: "patrol-points", label: t("patrolPointsLabel", "巡查:轨迹 %(n)s 点", { n: batch.length }),
      url: cfg.api + id + "/points/", method: "POST",
      fields: { points: JSON.stringify(batch) }
    }).then(function () {
      // Only what was queued leaves the pending list (a fix may have arrived meanwhile).
      if (state && state.clientId === id) {
        state.pending.splice(0, batch.length);
        state.lastFlush = Date.now();
        save();
      }
    }).finally(function () { queuing = false; });
  }

  /* --- positions ------------------------------------------------------------------------------ */
  function onFix(pos) {
    var c = pos.coords, fix = [+c.longitude.toFixed(7), +c.latitude.toFixed(7),
      Math.round(c.accuracy || 0), pos.timestamp || Date.now()];
    if (c.accuracy > MAX_ACC) {
      els.fix.textContent = t("patrolWeak", "定位精度差(%(n)s 米),此点不记录", { n: Math.round(c.accuracy) });
      return;
    }
    els.fix.textContent = t("patrolFix", "定位精度 %(n)s 米", { n: Math.round(c.accuracy) });
    if (!state) { return; }
    var last = state.last;
    if (last) {
      var dt = fix[3] - last[3], d = haversine(last, fix);
      if (dt <= 0) { return; }
      if (d < MIN_MOVE && dt < EVERY_MS) { return; }
      if (d / (dt / 1000) > MAX_SPEED) { return; }
      state.distance += d;
    }
    state.last = fix;
    state.pending.push(fix);
    state.track.push([fix[0], fix[1]]);
    if (state.track.length > TRACK_MAX) { state.track.splice(0, state.track.length - TRACK_MAX); }
    save();
    tick();
    drawTrack();
    queuePoints(false);
  }

  function onGeoError(err) {
    els.fix.textContent = t("patrolNoGeo", "无法定位:%(reason)s。巡查仍会记录时间,请检查定位权限。", { reason: err && err.message ? err.message : "" });
  }

  function watch() {
    if (watchId !== null || !navigator.geolocation) { return; }
    watchId = navigator.geolocation.watchPosition(onFix, onGeoError,
      { enableHighAccuracy: true, maximumAge: 5000, timeout: 30000 });
  }

  function unwatch() {
    if (watchId !== null && navigator.geolocation) { navigator.geolocation.clearWatch(watchId); }
    watchId = null;
  }

  function currentFix() {
    return new Promise(function (resolve) {
      if (!navigator.geolocation) { resolve(null); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        resolve(pos.coords.accuracy > MAX_ACC ? null : pos);
      }, function () { resolve(null); }, { enableHighAccuracy: true, timeout: 10000, maximumAge: 10000 });
    });
  }

  /* --- wake lock ------------------------------------------------------------------------------ */
  function lockScreen() {
    if (!state || wakeLock || !("wakeLock" in navigator)) { return; }
    navigator.wakeLock.request("screen").then(function (lock) {
      wakeLock = lock;
      lock.addEventListener("release", function () { wakeLock = null; });
    }).catch(function () { /* not allowed now (battery saver, hidden page) */ });
  }

  function unlockScreen() {
    if (wakeLock) { wakeLock.release().catch(function () {}); }
    wakeLock = null;
  }

  /* --- running -------------------------------------------------------------------------------- */
  function run() {
    watch();
    lockScreen();
    if (!ticker) { ticker = setInterval(tick, 1000); }
    if (!flusher) { flusher = setInterval(function () { queuePoints(false); }, 15000); }
    render();
    drawTrack();
  }

  function halt() {
    unwatch();
    unlockScreen();
    clearInterval(ticker); ticker = null;
    clearInterval(flusher); flusher = null;
  }

  function start() {
    var box = outbox();
    if (!box) { return Promise.resolve(); }
    busy = true;
    els.toggle.textContent = t("patrolStarting", "正在定位…");
    els.toggle.disabled = true;
    showError("");
    return currentFix().then(function (pos) {
      var now = Date.now(), id = uuid();
      var fields = { client_id: id, started_at: new Date(now).toISOString() };
      var first = null;
      if (pos) {
        first = [+pos.coords.longitude.toFixed(7), +pos.coords.latitude.toFixed(7),
          Math.round(pos.coords.accuracy || 0), now];
        fields.lng = first[0]; fields.lat = first[1]; fields.accuracy_m = first[2];
      }
      state = { clientId: id, startedAt: now, distance: 0, last: first, pending: [],
        track: first ? [[first[0], first[1]]] : [], lastFlush: now };
      save();
      return box.enqueue({ kind: "patrol-start", label: t("patrolStartLabel", "巡查:开始"), url: cfg.api,
        method: "POST", fields: fields });
    }).then(function () {
      busy = false;
      run();
    }, function (err) {
      // The start could not be stored: nothing runs on a patrol the server will never know.
      state = null;
      save();
      busy = false;
      showError(String(err && err.message || err));
      render();
    });
  }

  function stop() {
    var box = outbox();
    if (!box || !state) { return Promise.resolve(); }
    if (!window.confirm(t("patrolConfirmStop", "确定结束本次巡查?"))) { return Promise.resolve(); }
    busy = true;
    render();
    var id = state.clientId, ended = Date.now(), summary = {
      t: clock(ended - state.startedAt), d: t("patrolKm", "%(n)s 公里", { n: (state.distance / 1000).toFixed(2) }) };
    var fields = { ended_at: new Date(ended).toISOString() };
    if (state.last) { fields.lng = state.last[0]; fields.lat = state.last[1]; }
    return queuePoints(true).then(function () {
      return box.enqueue({ kind: "patrol-stop", label: t("patrolStopLabel", "巡查:结束"),
        url: cfg.api + id + "/stop/", method: "POST", fields: fields });
    }).then(function () {
      halt();
      markStopped(id);
      state = null;
      save();
      busy = false;
      render();
      drawTrack();
      els.fix.textContent = t("patrolEnded", "巡查已结束:%(t)s · %(d)s,将在联网时上传。", summary);
    }, function (err) {
      busy = false;
      showError(String(err && err.message || err));
      render();
    });
  }

  /* --- start up ------------------------------------------------------------------------------- */
  function adopt() {
    // The device's own patrol wins; else the server's active one (another tab, a reinstall),
    // unless this device stopped it already (its stop may still wait in the outbox).
    state = load();
    var ended = cfg.endedToday || [];
    if (state && ended.indexOf(state.clientId) >= 0) {
      state = null; // ended on the server meanwhile (automatically, or from another device)
      save();
    }
    var server = cfg.active;
    if (!state && server && stopped().indexOf(server.clientId) < 0) {
      state = { clientId: server.clientId, startedAt: server.startedAt, distance: server.distance,
        last: server.last, pending: [], track: server.track || [], lastFlush: Date.now() };
      save();
    }
  }

  els.toggle.addEventListener("click", function () {
    if (busy) { return; }
    if (state) { stop(); } else { start(); }
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") { lockScreen(); queuePoints(false); }
  });
  window.addEventListener("pagehide", function () { if (state) { save(); } });

  setupMap();
  adopt();
  if (state) { run(); } else { render(); drawTrack(); }

  window.GridgovPatrol = {
    state: function () { return state; },
    flush: function () { return queuePoints(true); }
  };
}());
