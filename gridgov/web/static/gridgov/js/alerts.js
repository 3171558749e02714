// Active alerts (issue 11 item 5) on every signed-in page (notifications/_alerts.html):
//
// - polls the person's alert feed (/notifications/alerts/?after=<id>) every data-interval
//   seconds, only while the tab is visible, backing off after errors and stopping once the
//   session is gone; shows a toast per new overdue / supervised / returned case (clicking it
//   marks the notice read and opens the case), keeps the bell's unread count, and beeps when
//   the person switched the sound on (remembered in localStorage, off by default);
// - refreshes the live queue regions ([data-gg-live], htmx polling of a partial): never while
//   the tab is hidden or the person is working in the region (an open form, a ticked box, a
//   focused field), and at once when an alert arrives or the tab comes back.
//
// window.ggAlerts.pause() (a promise, resolved when no request is in flight) and resume()
// let another script (or a browser test) hold the polling for a moment.
(function () {
  "use strict";
  var root = document.querySelector("[data-gg-alerts]");
  if (!root || !window.fetch) { return; }

  var feed = root.getAttribute("data-feed");
  var interval = Math.max(0.2, parseFloat(root.getAttribute("data-interval")) || 20) * 1000;
  var user = root.getAttribute("data-user") || "";
  var afterKey = "gg.alerts.after." + user;
  var soundKey = "gg.alerts.sound." + user;
  var bellCount = root.querySelector("[data-gg-bell-count]");
  var bell = root.querySelector("[data-gg-bell]");
  var soundButton = root.querySelector("[data-gg-sound]");
  // A phone shows fewer at once: the bell and 我的通知 keep the rest.
  var MAX_TOASTS = window.matchMedia && window.matchMedia("(max-width: 720px)").matches ? 2 : 4;
  var MAX_DELAY = 300000;

  var after = null;
  var timer = null;
  var delay = interval;
  var inflight = 0;
  var paused = false;
  var stopped = false;
  var asking = false;
  var answered = false;  // a poll succeeded on this page (so a later refusal means signed out)
  var idleWaiters = [];

  function label(name, n) {
    var text = root.getAttribute("data-label-" + name) || "";
    return n === undefined ? text : text.replace("%(n)s", String(n));
  }

  // localStorage may be unavailable (private mode, policy): the page then works without it.
  function read(key) {
    try { return window.localStorage.getItem(key); } catch (e) { return null; }
  }
  function write(key, value) {
    try { window.localStorage.setItem(key, value); } catch (e) { /* not remembered */ }
  }

  // The newest id seen by this tab or another tab of the same person (no toast twice).
  function currentAfter() {
    var stored = parseInt(read(afterKey), 10);
    if (isNaN(stored)) { return after; }
    return after === null ? stored : Math.max(after, stored);
  }

  // --- requests in flight (for pause()) --------------------------------------------------
  function started() { inflight += 1; }
  function finished() {
    inflight = Math.max(0, inflight - 1);
    if (inflight === 0) {
      var waiters = idleWaiters;
      idleWaiters = [];
      waiters.forEach(function (resolve) { resolve(true); });
    }
  }

  // --- the bell ------------------------------------------------------------------------
  function setBell(n) {
    if (!bellCount) { return; }
    bellCount.textContent = n > 99 ? "99+" : String(n);
    bellCount.hidden = !n;
    if (bell) { bell.setAttribute("aria-label", label("unread", n)); }
  }

  // --- sound (WebAudio: no file to fetch) ------------------------------------------------
  var audio = null;
  function soundOn() { return read(soundKey) === "1"; }
  function audioContext() {
    var Context = window.AudioContext || window.webkitAudioContext;
    if (!Context) { return null; }
    if (!audio) { audio = new Context(); }
    if (audio.state === "suspended" && audio.resume) { audio.resume(); }
    return audio;
  }
  function beep(level) {
    if (!soundOn()) { return; }
    var ctx = audioContext();
    if (!ctx) { return; }
    var tones = level === "danger" ? [880, 660, 880] : [660, 880];
    tones.forEach(function (frequency, i) {
      var osc = ctx.createOscillator();
      var gain = ctx.createGain();
      var t = ctx.currentTime + i * 0.2;
      osc.type = "sine";
      osc.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t);
      gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.17);
      osc.connect(gain);
      gain.connect(ctx.destination);
      osc.start(t);
      osc.stop(t + 0.18);
    });
  }
  function showSound() {
    if (!soundButton) { return; }
    var on = soundOn();
    soundButton.setAttribute("aria-pressed", on ? "true" : "false");
    soundButton.title = label(on ? "sound-on" : "sound-off");
    soundButton.classList.toggle("is-on", on);
  }
  if (soundButton) {
    soundButton.addEventListener("click", function () {
      write(soundKey, soundOn() ? "0" : "1");
      showSound();
      beep("warn");  // the click is the gesture browsers ask for before a page may sound
    });
    showSound();
  }
  // A page opened with the sound on may only sound after a gesture: unlock on the first one.
  function unlock() {
    if (soundOn()) { audioContext(); }
    document.removeEventListener("pointerdown", unlock);
    document.removeEventListener("keydown", unlock);
  }
  document.addEventListener("pointerdown", unlock);
  document.addEventListener("keydown", unlock);

  // --- toasts --------------------------------------------------------------------------
  function toastContainer() {
    var box = document.getElementById("gg-toasts");
    if (!box) {
      box = document.createElement("div");
      box.id = "gg-toasts";
      box.className = "gg-toasts-fallback";
      box.setAttribute("aria-live", "polite");
      document.body.appendChild(box);
    }
    return box;
  }

  function hidden(name, value) {
    var input = document.createElement("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function trim(box) {
    var toasts = box.querySelectorAll(".gg-alert-toast");
    for (var i = 0; i < toasts.length - MAX_TOASTS; i += 1) { toasts[i].remove(); }
  }

  // One toast of this script: its body (a form for an alert, a line for a note) and a close
  // button, in the shell's toast box, the oldest dropped beyond MAX_TOASTS.
  function addToast(level, role, body) {
    var box = toastContainer();
    var toast = document.createElement("div");
    toast.className = "gg-toast gg-toast-" + level + " gg-alert-toast gg-alert-" + level;
    toast.setAttribute("role", role);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "gg-alert-close";
    close.setAttribute("aria-label", label("close"));
    close.textContent = "×";
    close.addEventListener("click", function () { toast.remove(); });
    toast.appendChild(body);
    toast.appendChild(close);
    box.appendChild(toast);
    trim(box);
    return toast;
  }

  // The toast stays until closed or followed: an alert asks for action.
  function showAlert(alert) {
    // Following the alert marks it read (a POST) and goes on to the case.
    var form = document.createElement("form");
    form.method = "post";
    form.action = alert.read_url;
    form.className = "gg-alert-body";
    form.appendChild(hidden("csrfmiddlewaretoken", root.getAttribute("data-csrf") || ""));
    form.appendChild(hidden("next", alert.url || root.getAttribute("data-list") || "/"));
    var title = document.createElement("strong");
    title.className = "gg-alert-title";
    title.textContent = alert.label;
    var text = document.createElement("span");
    text.className = "gg-alert-text";
    text.textContent = alert.text;
    var open = document.createElement("button");
    open.type = "submit";
    open.className = "gg-btn gg-btn-sm gg-alert-open";
    open.textContent = label("view");
    form.appendChild(title);
    form.appendChild(text);
    form.appendChild(open);
    text.addEventListener("click", function () { open.click(); });

    var toast = addToast(alert.level, alert.level === "danger" ? "alert" : "status", form);
    toast.setAttribute("data-gg-alert", String(alert.id));
    toast.setAttribute("data-kind", alert.kind);
  }

  // A line of information (no case to open): the shell's toast when there is one.
  function showNote(text, level) {
    if (window.gg && typeof window.gg.toast === "function") {
      window.gg.toast(text, level);
      return;
    }
    var body = document.createElement("div");
    body.className = "gg-alert-body";
    body.textContent = text;
    addToast(level, "status", body);
  }

  // --- polling the feed ----------------------------------------------------------------
  function schedule(ms) {
    window.clearTimeout(timer);
    if (!stopped) { timer = window.setTimeout(poll, ms); }
  }

  function stop(expired) {
    stopped = true;
    window.clearTimeout(timer);
    // Only a session that ended while the page was open is news (not the TOTP step's page).
    if (expired && answered) { showNote(label("expired"), "warn"); }
  }

  function receive(data, since) {
    setBell(data.unread || 0);
    var latest = Math.max(data.latest || 0, since || 0, after || 0);
    var moved = since !== null && latest > since;
    after = latest;
    write(afterKey, String(latest));
    var alerts = since === null ? [] : (data.alerts || []);
    if (alerts.length) {
      alerts.forEach(showAlert);
      if (data.more) { showNote(label("more", data.more), "info"); }
      beep(alerts.some(function (a) { return a.level === "danger"; }) ? "danger" : "warn");
      document.dispatchEvent(new CustomEvent("gg:alerts", {detail: alerts}));
    }
    // Something happened to this person: the queues on the page show it now.
    if (moved) { refreshLive(); }
  }

  function poll() {
    if (stopped) { return; }
    if (paused || document.hidden || asking) { schedule(interval); return; }
    var since = currentAfter();
    asking = true;
    var url = feed + (since === null ? "" : "?after=" + encodeURIComponent(since));
    started();
    fetch(url, {credentials: "same-origin", cache: "no-store",
                headers: {"Accept": "application/json", "X-GG-Background": "1"}})
      .then(function (response) {
        if (response.status === 401 || response.redirected) { stop(true); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        if (data) {
          answered = true;
          delay = interval;
          receive(data, since);
        }
        schedule(delay);
      }, function () {
        delay = Math.min(delay * 2, MAX_DELAY);
        schedule(delay);
      })
      .then(done, done);
  }

  function done() {
    asking = false;
    finished();
  }

  // --- live queue regions (htmx) -------------------------------------------------------
  function liveRegions() { return document.querySelectorAll("[data-gg-live]"); }

  // The person is working in the region: a refresh would throw their input away.
  function busy(region) {
    if (region.querySelector("details[open], input[type=checkbox]:checked")) { return true; }
    var active = document.activeElement;
    if (active && region.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName)) {
      return true;
    }
    var selection = window.getSelection ? window.getSelection() : null;
    return !!(selection && !selection.isCollapsed && region.contains(selection.anchorNode));
  }

  function refreshLive() {
    if (!window.htmx) { return; }
    liveRegions().forEach(function (region) { window.htmx.trigger(region, "gg:refresh"); });
  }

  function snapshot() {
    var rows = {};
    var counts = {};
    document.querySelectorAll("[data-gg-live] tr[data-event]").forEach(function (tr) {
      rows[tr.getAttribute("data-event")] = true;
    });
    document.querySelectorAll("#gg-queue-tabs [data-queue]").forEach(function (a) {
      var badge = a.querySelector("[data-count]");
      counts[a.getAttribute("data-queue")] = badge ? badge.getAttribute("data-count") : null;
    });
    return {rows: rows, counts: counts};
  }

  // After a refresh, mark what changed: new rows and tab counts that moved.
  function markChanges(before) {
    document.querySelectorAll("[data-gg-live] tr[data-event]").forEach(function (tr) {
      if (!before.rows[tr.getAttribute("data-event")]) { tr.classList.add("gg-row-new"); }
    });
    document.querySelectorAll("#gg-queue-tabs [data-queue]").forEach(function (a) {
      var badge = a.querySelector("[data-count]");
      var key = a.getAttribute("data-queue");
      if (badge && key in before.counts && before.counts[key] !== badge.getAttribute("data-count")) {
        badge.classList.add("gg-count-changed");
      }
    });
  }

  var lastSnapshot = null;
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = event.detail && event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-gg-live")) { return; }
    if (stopped || paused || document.hidden || busy(region)) {
      // Held, not lost: the next tick (or the next alert) tries again.
      region.setAttribute("data-gg-held", "");
      event.preventDefault();
      return;
    }
    region.removeAttribute("data-gg-held");
    region.setAttribute("data-gg-loading", "");
    started();
    // The request's own end (load, error or abort), whatever becomes of the region swapped out.
    event.detail.xhr.addEventListener("loadend", function () {
      region.removeAttribute("data-gg-loading");
      finished();
    });
  });
  document.addEventListener("htmx:beforeSwap", function (event) {
    var region = event.detail && event.detail.elt;
    if (!region || !region.hasAttribute || !region.hasAttribute("data-gg-live")) { return; }
    // Only a region answers a region: a sign-in page after the session ended, an error page
    // or a busy person (who started typing while the request was out) keep the page as it is.
    var body = event.detail.serverResponse || "";
    if (event.detail.xhr.status !== 200 || body.indexOf("data-gg-live") === -1 || busy(region)) {
      event.detail.shouldSwap = false;
      return;
    }
    lastSnapshot = snapshot();
  });
  document.addEventListener("htmx:afterSettle", function () {
    if (lastSnapshot) {
      markChanges(lastSnapshot);
      lastSnapshot = null;
    }
  });

  // --- visibility ----------------------------------------------------------------------
  document.addEventListener("visibilitychange", function () {
    if (document.hidden || stopped) { return; }
    poll();
    refreshLive();
  });

  window.ggAlerts = {
    // Hold polling (alerts and queues); resolves once no request is in flight.
    pause: function () {
      paused = true;
      if (inflight === 0) { return Promise.resolve(true); }
      return new Promise(function (resolve) {
        idleWaiters.push(resolve);
        window.setTimeout(function () { resolve(inflight === 0); }, 15000);
      });
    },
    resume: function () { paused = false; },
    poll: function () { poll(); },
    intervalMs: interval,
  };

  poll();
})();
