/* 网格通 — the outbox: every write of the terminal is stored on the device first (IndexedDB,
   with a client-generated UUID) and sent when the network allows, one at a time, in creation
   order, with the UUID as its Idempotency-Key (a retry after a lost answer creates nothing
   twice: the server replays its first answer).

   Forms: <form method="post" action="/api/v1/…" data-outbox="kind" data-label="…"
   data-done-url="/m/…" [data-method="PATCH"]> are intercepted on submit. From JS:
   GridgovOutbox.enqueue({kind, label, url, method, fields: {name: value | [values]},
   files: [{field, blob, name}], doneUrl}) → Promise<id>; GridgovOutbox.onchange(cb).

   Statuses: pending → sending → done | rejected (400/404/413/422: set aside, editable) |
   conflict (409: set aside, shown, never overwritten) | auth (401, 403 not signed in or CSRF:
   waits for sign-in, stops the queue) | replaced (a rejected item corrected and resent as a
   new item). Network errors, 5xx and 429 are retried with backoff and stop the queue. */
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
  var DB = window.GridgovIDB;
  if (!DB || !window.indexedDB) return;
  var MAX_SIDE = 1600, QUALITY = 0.8, TICK_MS = 30000;
  var listeners = [], flushing = null, timer = null, ticker = null, counter = 0, stopped = false;
  var channel = "BroadcastChannel" in window ? new BroadcastChannel("gridgov-outbox") : null;
  var SENDABLE = { pending: 1, sending: 1, auth: 1 };

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  /* --- photos: resized on the device before they are stored ------------------------------ */
  function resize(file) {
    if (!file || !/^image\/(jpeg|png|webp|heic|heif|gif|bmp)/i.test(file.type || "") ||
        !window.createImageBitmap) {
      return Promise.resolve({ blob: file, name: file && file.name });
    }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var w = Math.max(1, Math.round(bitmap.width * scale));
      var h = Math.max(1, Math.round(bitmap.height * scale));
      var canvas = document.createElement("canvas");
      canvas.width = w; canvas.height = h;
      var ctx = canvas.getContext("2d");
      ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, w, h);
      ctx.drawImage(bitmap, 0, 0, w, h);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          var base = (file.name || "photo").replace(/\.[^.]*$/, "");
          resolve(blob ? { blob: blob, name: base + ".jpg" } : { blob: file, name: file.name });
        }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return { blob: file, name: file.name }; });
  }

  /* --- the store -------------------------------------------------------------------------- */
  function summary(items) {
    var s = { total: items.length, pending: 0, sending: 0, done: 0, rejected: 0, conflict: 0,
              auth: 0, replaced: 0 };
    items.forEach(function (it) { s[it.status] = (s[it.status] || 0) + 1; });
    s.unsent = s.pending + s.sending + s.auth + s.rejected + s.conflict;
    s.attention = s.rejected + s.conflict + s.auth;
    return s;
  }

  function changed(fromOtherTab) {
    return DB.all().then(function (items) {
      var s = summary(items);
      listeners.forEach(function (cb) { try { cb(s, items); } catch (e) { /* a listener's bug */ } });
      if (channel && !fromOtherTab) channel.postMessage("changed");
      return s;
    }, function () { return null; });
  }
  if (channel) channel.onmessage = function () { changed(true); };

  function save(item) {
    item.updatedAt = Date.now();
    return DB.put(item);
  }

  function enqueue(spec) {
    var files = spec.files || [];
    return Promise.all(files.map(function (f) {
      return resize(f.blob).then(function (r) {
        return { field: f.field, blob: r.blob, name: f.name && !r.name ? f.name : (r.name || f.name || "file"),
                 type: r.blob && r.blob.type || "" };
      });
    })).then(function (stored) {
      var now = Date.now();
      var item = {
        id: uuid(), seq: now + (counter++ % 1000) / 1000, kind: spec.kind || "write",
        label: spec.label || spec.kind || "", url: spec.url, method: (spec.method || "POST").toUpperCase(),
        fields: spec.fields || {}, files: stored, doneUrl: spec.doneUrl || "", status: "pending",
        attempts: 0, nextAt: 0, createdAt: now, updatedAt: now, replaces: spec.replaces || null,
        labels: spec.labels || {}, hidden: spec.hidden || []
      };
      return DB.put(item).then(function () { return item.id; });
    }).then(function (id) {
      changed();
      // A form that opens another page leaves the sending to that page: an upload begun
      // here would be cut off by the navigation.
      if (!spec.doneUrl) schedule(0);
      return id;
    });
  }

  /* --- sending ---------------------------------------------------------------------------- */
  function body(item) {
    var data = new FormData();
    Object.keys(item.fields || {}).forEach(function (name) {
      var v = item.fields[name];
      (Array.isArray(v) ? v : [v]).forEach(function (one) {
        data.append(name, one === null || one === undefined ? "" : String(one));
      });
    });
    (item.files || []).forEach(function (f) { if (f.blob) data.append(f.field, f.blob, f.name); });
    return data;
  }

  function reasons(json) {
    var out = {};
    if (!json) return out;
    if (Array.isArray(json.errors)) {
      json.errors.forEach(function (e) {
        var key = e.field || "__all__";
        (out[key] = out[key] || []).push(e.message || e.code || "");
      });
    } else if (typeof json === "object") {
      Object.keys(json).forEach(function (k) {
        if (k === "current") return;
        var v = json[k];
        out[k] = Array.isArray(v) ? v.map(String) : [typeof v === "string" ? v : JSON.stringify(v)];
      });
    }
    return out;
  }

  function firstCode(json) {
    return json && Array.isArray(json.errors) && json.errors[0] ? json.errors[0].code || "" : "";
  }

  function backoff(attempts) {
    var base = Math.min(300000, 2000 * Math.pow(2, Math.max(0, attempts - 1)));
    return base / 2 + Math.random() * base / 2;
  }

  function send(item) {
    item.status = "sending";
    item.attempts = (item.attempts || 0) + 1;
    return save(item).then(function () {
      changed();
      return fetch(item.url, {
        method: item.method, body: body(item), credentials: "same-origin", cache: "no-store",
        headers: { "Idempotency-Key": item.id, "X-CSRFToken": csrfToken(),
                   "Accept": "application/json", "X-Requested-With": "outbox" }
      });
    }).then(function (response) {
      return response.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: response.status, json: json, redirected: response.redirected,
                 url: response.url, retryAfter: response.headers.get("Retry-After") };
      });
    }).then(function (r) {
      item.httpStatus = r.status;
      var code = firstCode(r.json);
      if (r.redirected && /\/login\//.test(r.url)) return finish(item, "auth", r);
      if (r.status >= 200 && r.status < 300) return finish(item, "done", r);
      if (r.status === 409 && code === "idempotency_key_in_progress") return retry(item, r);
      if (r.status === 409) return finish(item, "conflict", r);
      if (r.status === 401) return finish(item, "auth", r);
      if (r.status === 403) {
        var text = JSON.stringify(r.json || "");
        var signin = /not_authenticated|authentication_failed|second_factor|CSRF/i.test(text);
        return finish(item, signin ? "auth" : "rejected", r);
      }
      if (r.status === 429 || r.status >= 500) return retry(item, r);
      if (r.status >= 400) return finish(item, "rejected", r);
      return retry(item, r);
    }, function () {
      return retry(item, null);  // no answer: offline, DNS, connection reset, aborted
    });
  }

  function finish(item, status, r) {
    item.status = status;
    item.response = r.json;
    item.errors = status === "done" ? null : reasons(r.json);
    item.nextAt = 0;
    if (status === "done") { item.files = (item.files || []).map(function (f) { return { field: f.field, name: f.name, type: f.type, size: f.blob && f.blob.size }; }); }
    return save(item).then(function () { return status; });
  }

  function retry(item, r) {
    item.status = "pending";
    var wait = backoff(item.attempts);
    if (r && r.retryAfter && /^\d+$/.test(r.retryAfter)) wait = Math.max(wait, +r.retryAfter * 1000);
    item.nextAt = Date.now() + wait;
    item.lastError = r ? "HTTP " + r.status : "network";
    return save(item).then(function () { return "retry"; });
  }

  function runQueue(force) {
    return DB.all().then(function loop(items) {
      var head = null;
      for (var i = 0; i < items.length; i++) {
        if (SENDABLE[items[i].status]) { head = items[i]; break; }
      }
      if (stopped) return "stopped";
      if (!head) return "idle";
      if (navigator.onLine === false) return "offline";
      if (!force && head.nextAt && head.nextAt > Date.now()) {
        schedule(head.nextAt - Date.now());
        return "waiting";
      }
      return send(head).then(function (outcome) {
        changed();
        if (outcome === "retry") { return DB.get(head.id).then(function (it) { schedule(it.nextAt - Date.now()); return "waiting"; }); }
        if (outcome === "auth") return "auth";
        force = false;
        return DB.all().then(loop);  // done, rejected and conflict: on with the queue
      });
    });
  }

  function flush(force) {
    if (stopped) return Promise.resolve("stopped");
    if (flushing) return flushing;
    var work = function () { return runQueue(force); };
    var run = navigator.locks && navigator.locks.request
      ? navigator.locks.request("gridgov-outbox", { ifAvailable: true }, function (lock) {
          return lock ? work() : "busy";  // another tab is sending
        })
      : work();
    flushing = Promise.resolve(run).catch(function () { return "error"; })
      .then(function (result) { flushing = null; return result; });
    return flushing;
  }

  function schedule(ms) {
    clearTimeout(timer);
    timer = setTimeout(function () { flush(false); }, Math.max(0, Math.min(ms, TICK_MS)));
  }

  /* --- set-aside items: discard, correct and resend ---------------------------------------- */
  function discard(id) {
    return DB.remove(id).then(function () { return changed(); });
  }

  function resend(id, fields, files) {
    return DB.get(id).then(function (old) {
      if (!old) throw new Error("gone");
      var kept = (old.files || []).filter(function (f) { return f.blob; })
        .map(function (f) { return { field: f.field, blob: f.blob, name: f.name }; });
      return enqueueStored({
        kind: old.kind, label: old.label, url: old.url, method: old.method, doneUrl: old.doneUrl,
        fields: fields || old.fields, files: (files || kept), replaces: old.id,
        labels: old.labels, hidden: old.hidden
      }).then(function (newId) {
        old.status = "replaced"; old.replacedBy = newId;
        return save(old).then(function () { changed(); schedule(0); return newId; });
      });
    });
  }

  // Like enqueue, without resizing again (the stored photos were resized already).
  function enqueueStored(spec) {
    var now = Date.now();
    var item = {
      id: uuid(), seq: now + (counter++ % 1000) / 1000, kind: spec.kind, label: spec.label,
      url: spec.url, method: spec.method, fields: spec.fields, doneUrl: spec.doneUrl,
      files: spec.files.map(function (f) { return { field: f.field, blob: f.blob, name: f.name, type: f.blob.type }; }),
      status: "pending", attempts: 0, nextAt: 0, createdAt: now, updatedAt: now, replaces: spec.replaces,
      labels: spec.labels || {}, hidden: spec.hidden || []
    };
    return DB.put(item).then(function () { return item.id; });
  }

  function clearDone() {
    return DB.all().then(function (items) {
      return Promise.all(items.filter(function (i) { return i.status === "done" || i.status === "replaced"; })
        .map(function (i) { return DB.remove(i.id); }));
    }).then(function () { return changed(); });
  }

  /* --- forms marked data-outbox ------------------------------------------------------------ */
  // What the worker called each field (its label) and which ones were hidden, for the
  // editor of a rejected item.
  function describe(form) {
    var labels = {}, hidden = [];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name) return;
      if (el.type === "hidden") { if (hidden.indexOf(el.name) < 0) hidden.push(el.name); return; }
      var label = el.id && form.querySelector("label[for='" + el.id + "']");
      if (!label) { var f = el.closest(".m-field"); label = f && f.querySelector("label, .m-label"); }
      if (label && !labels[el.name]) labels[el.name] = label.textContent.trim().replace(/[*::]+$/, "");
    });
    return { labels: labels, hidden: hidden };
  }

  function fromForm(form) {
    var data = new FormData(form), fields = {}, files = [];
    data.forEach(function (value, name) {
      if (name === "csrfmiddlewaretoken" || name === "idempotency_key") return;
      if (typeof value === "object" && value !== null && "size" in value) {
        if (value.size > 0 || value.name) { if (value.size > 0) files.push({ field: name, blob: value, name: value.name }); }
        return;
      }
      if (name in fields) {
        if (!Array.isArray(fields[name])) fields[name] = [fields[name]];
        fields[name].push(value);
      } else {
        fields[name] = value;
      }
    });
    return { fields: fields, files: files };
  }

  function toast(text) {
    var el = document.createElement("div");
    el.className = "m-toast"; el.setAttribute("role", "status"); el.textContent = text;
    document.body.appendChild(el);
    setTimeout(function () { el.remove(); }, 2600);
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || !form.matches || !form.matches("form[data-outbox]") || event.defaultPrevented) return;
    event.preventDefault();
    if (form.dataset.outboxBusy) return;
    form.dataset.outboxBusy = "1";
    var got = fromForm(form);
    var submitter = event.submitter;
    if (submitter && submitter.name) got.fields[submitter.name] = submitter.value;
    var spec = {
      kind: form.dataset.outbox, label: form.dataset.label || form.dataset.outbox,
      url: new URL(form.getAttribute("action") || location.pathname, location.href).pathname +
        (new URL(form.getAttribute("action") || location.pathname, location.href).search),
      method: form.dataset.method || form.getAttribute("method") || "POST",
      fields: got.fields, files: got.files, doneUrl: form.dataset.doneUrl || ""
    };
    var about = describe(form);
    spec.labels = about.labels; spec.hidden = about.hidden;
    enqueue(spec).then(function (id) {
      form.dispatchEvent(new CustomEvent("outbox:queued", { bubbles: true, detail: { id: id } }));
      if (spec.doneUrl) {
        location.assign(spec.doneUrl);
      } else {
        delete form.dataset.outboxBusy;
        toast(t("queued", "已保存到发件箱,有网络时自动发送"));
      }
    }, function () {
      delete form.dataset.outboxBusy;
      toast(t("storeFailed", "保存失败:本机存储不可用"));
    });
  });

  window.GridgovOutbox = {
    enqueue: enqueue,
    onchange: function (cb) { listeners.push(cb); changed(true); return cb; },
    list: function () { return DB.all(); },
    get: function (id) { return DB.get(id); },
    flush: function () { return flush(true); },
    discard: discard,
    resend: resend,
    clearDone: clearDone,
    summary: function () { return DB.all().then(summary); },
    // Sign-out: stop sending, let a request in flight finish, then delete the queue.
    wipe: function () {
      stopped = true;
      clearTimeout(timer);
      clearInterval(ticker);
      var inFlight = Promise.resolve(flushing).catch(function () {});
      var atMost = new Promise(function (resolve) { setTimeout(resolve, 5000); });
      return Promise.race([inFlight, atMost]).then(function () { return DB.drop(); });
    },
    toast: toast
  };

  // Signed out (the sign-in page also loads this file): nothing to send with.
  if (document.body && document.body.dataset.signedIn !== "1") { stopped = true; return; }
  window.addEventListener("online", function () { flush(true); });
  ticker = setInterval(function () { flush(false); }, TICK_MS);
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") flush(false);
  });
  // On load: an item left "sending" (the tab was closed mid-send) goes again with the same
  // key; the server replays its answer if the first try had got through.
  flush(true);
})();
