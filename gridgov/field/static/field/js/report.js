// The field terminal's report form (/m/report/, field/report.html): the device's side.
//
// - Photos: the camera and album pickers add to a list shown as removable thumbnails; the
//   list is what the form's named file input holds (DataTransfer), so the outbox stores it.
// - Position: the GPS fix (watchPosition) fills lng/lat (WGS-84), accuracy_m and position_at,
//   and is drawn on the point picker's map (events/intake.js: tiles or the district's
//   outlines, the draggable marker, the tiles' datum) with its accuracy circle. A drag or a
//   tap on the map corrects the point: that point is what is sent, position_corrected=true,
//   and later fixes no longer move it.
// - observed_at: when the problem was seen: the earliest photo's time, else when the page
//   was opened (a report queued offline keeps it).
// - Category: search by name, class or code, recent choices (localStorage, last 6) as chips.
// - Submit: checked here first (capture phase, before the outbox takes the form).
// Every text shown comes from the template's data-text-* attributes.
(function () {
  "use strict";

  var RECENT_KEY = "gridgov.field.recentCategories";
  var RECENT_MAX = 6;
  var MATCH_MAX = 30;
  var FIX_ZOOM_MAX = 18;
  var OUTLINE_ZOOM_MAX = 16;
  var WEEK_MS = 7 * 24 * 3600 * 1000;

  function fill(template, values) {
    return String(template || "").replace(/%\((\w+)\)s/g, function (m, key) {
      return values[key] === undefined ? m : values[key];
    });
  }

  function readRecent() {
    try {
      var list = JSON.parse(window.localStorage.getItem(RECENT_KEY) || "[]");
      return Array.isArray(list) ? list.filter(function (c) { return typeof c === "string"; }) : [];
    } catch (e) {
      return [];
    }
  }

  function writeRecent(code) {
    var list = readRecent().filter(function (c) { return c !== code; });
    list.unshift(code);
    try {
      window.localStorage.setItem(RECENT_KEY, JSON.stringify(list.slice(0, RECENT_MAX)));
    } catch (e) { /* private mode: no recent list */ }
  }

  function showError(form, field, text) {
    var el = form.querySelector('[data-error-for="' + field + '"]');
    if (!el) { el = form.querySelector('[data-error-for="form"]'); }
    if (!el) { return; }
    el.textContent = text || "";
    el.hidden = !text;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-error-for]").forEach(function (el) {
      el.textContent = ""; el.hidden = true;
    });
  }

  // --- photos ---------------------------------------------------------------------------
  function photoList(form, field, onChange) {
    var files = [];
    var store = form.querySelector('[data-photo-store="' + field + '"]');
    var thumbs = form.querySelector('[data-photo-thumbs="' + field + '"]');
    var removeText = form.dataset.textRemove;

    function sync() {
      var dt = new DataTransfer();
      files.forEach(function (f) { dt.items.add(f); });
      store.files = dt.files;
      thumbs.querySelectorAll("img").forEach(function (img) { URL.revokeObjectURL(img.src); });
      thumbs.textContent = "";
      files.forEach(function (f, i) {
        var li = document.createElement("li");
        li.className = "m-report-thumb";
        var img = document.createElement("img");
        img.alt = f.name;
        img.src = URL.createObjectURL(f);
        var button = document.createElement("button");
        button.type = "button";
        button.className = "m-report-thumb-remove";
        button.setAttribute("aria-label", removeText + " " + (i + 1));
        button.textContent = "×";
        button.addEventListener("click", function () {
          files.splice(i, 1);
          sync();
        });
        li.appendChild(img);
        li.appendChild(button);
        thumbs.appendChild(li);
      });
      showError(form, field, "");
      if (onChange) { onChange(files); }
    }

    form.querySelectorAll('[data-photo-pick="' + field + '"]').forEach(function (input) {
      input.addEventListener("change", function () {
        Array.prototype.forEach.call(input.files || [], function (f) { files.push(f); });
        input.value = "";
        sync();
      });
    });
    return { files: function () { return files; } };
  }

  // --- category picker --------------------------------------------------------------------
  function categoryPicker(form) {
    var input = form.querySelector("[data-category-input]");
    var picker = form.querySelector("[data-category-picker]");
    var chosen = form.querySelector("[data-category-chosen]");
    var chosenName = form.querySelector("[data-category-chosen-name]");
    var search = form.querySelector("[data-category-search]");
    var recent = form.querySelector("[data-category-recent]");
    var none = form.querySelector("[data-category-none]");
    var all = form.querySelector("[data-category-all]");
    var rows = Array.prototype.slice.call(form.querySelectorAll("[data-category-list] li"));
    var byCode = {};
    rows.forEach(function (li) { byCode[li.dataset.code] = li; });

    function choose(code) {
      var li = byCode[code];
      if (!li) { return; }
      input.value = code;
      chosenName.textContent = li.dataset.name + "(" + li.dataset.major + ")";
      chosen.hidden = false;
      picker.hidden = true;
      writeRecent(code);
      showError(form, "category", "");
    }

    function filter(showAll) {
      var q = search.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (li) {
        var hay = (li.dataset.name + " " + li.dataset.major + " " + li.dataset.code).toLowerCase();
        var match = showAll || (q && hay.indexOf(q) !== -1 && shown < MATCH_MAX);
        li.hidden = !match;
        if (match) { shown += 1; }
      });
      none.hidden = !(q && !shown);
      all.hidden = !!showAll;
    }

    function drawRecent() {
      recent.textContent = "";
      var codes = readRecent().filter(function (c) { return byCode[c]; });
      codes.forEach(function (code) {
        var chip = document.createElement("button");
        chip.type = "button";
        chip.className = "m-chip";
        chip.dataset.code = code;
        chip.textContent = byCode[code].dataset.name;
        chip.addEventListener("click", function () { choose(code); });
        recent.appendChild(chip);
      });
      recent.hidden = !codes.length;
    }

    search.addEventListener("input", function () { filter(false); });
    // Enter in the search box picks the only match rather than sending the form.
    search.addEventListener("keydown", function (e) {
      if (e.key !== "Enter") { return; }
      e.preventDefault();
      var visible = rows.filter(function (li) { return !li.hidden; });
      if (visible.length === 1) { choose(visible[0].dataset.code); }
    });
    all.addEventListener("click", function () { filter(true); });
    rows.forEach(function (li) {
      li.querySelector("[data-category-choose]").addEventListener("click", function () {
        choose(li.dataset.code);
      });
    });
    form.querySelector("[data-category-clear]").addEventListener("click", function () {
      input.value = "";
      chosen.hidden = true;
      picker.hidden = false;
      drawRecent();
      search.value = "";
      filter(false);
      search.focus();
    });
    drawRecent();
    return {
      name: function () {
        var li = byCode[input.value];
        return li ? li.dataset.name : "";
      }
    };
  }

  // --- position ---------------------------------------------------------------------------
  function position(form) {
    var box = form.querySelector("[data-gg-point]");
    var badge = form.querySelector("[data-corrected]");
    var flag = form.querySelector("[data-position-corrected]");
    var inputs = {};
    ["lng", "lat", "crs", "accuracy_m", "position_at"].forEach(function (name) {
      inputs[name] = box.querySelector('[name="' + name + '"]');
    });
    var fix = null;          // the last GPS fix {lng, lat, accuracy}
    var corrected = null;    // the worker's point {lng, lat, crs} once moved by hand
    var circle = null, hooked = false, touched = false, framed = false;

    function picker() { return box.ggPicker || null; }

    function markCorrected() {
      corrected = { lng: inputs.lng.value, lat: inputs.lat.value, crs: inputs.crs.value };
      // geo.js no longer writes the inputs (accuracy_m and position_at keep the fix the
      // worker corrected).
      form.dataset.geoManual = "1";
      flag.value = "true";
      badge.hidden = false;
      showError(form, "location", "");
    }

    function hookMarker() {
      var p = picker(), marker = p && p.marker();
      if (!marker || hooked) { return; }
      hooked = true;
      marker.on("dragend", markCorrected);
    }

    function focus() {
      var p = picker();
      if (!p || touched) { return; }
      if (circle) {
        // Over tiles, close in on the fix; over the bare outlines, keep the grid's edges in
        // view so the worker sees where the point lies.
        p.map.fitBounds(circle.getBounds(), { animate: false,
          maxZoom: box.dataset.tileUrl ? FIX_ZOOM_MAX : OUTLINE_ZOOM_MAX });
      } else if (box.dataset.frame) {
        var b = box.dataset.frame.split(",").map(parseFloat);
        p.map.fitBounds([[b[1], b[0]], [b[3], b[2]]], { animate: false });
      }
    }

    function drawFix() {
      var p = picker();
      if (!p || !fix) { return; }
      var marker = p.marker();
      // The marker shows the fix in the map's datum (intake.js converts); the circle follows.
      var at = corrected || !marker ? null : marker.getLatLng();
      if (!at) { return; }
      if (circle) {
        circle.setLatLng(at).setRadius(fix.accuracy);
      } else {
        circle = L.circle(at, { radius: fix.accuracy, color: "#1f6feb", weight: 1,
          fillOpacity: 0.12, interactive: false }).addTo(p.map);
      }
      if (!framed) { framed = true; touched = false; }
      focus();
    }

    // A fix from the shell's geo.js (field/js/geo.js: it fills lng/lat/accuracy_m/position_at
    // in WGS-84 and shows the accuracy in [data-geo-status] until the point is corrected).
    function onFix(detail) {
      if (!detail) { return; }
      fix = { lng: detail.lng, lat: detail.lat,
        accuracy: Math.max(1, Math.round(detail.accuracy)) };
      if (corrected) { return; }
      inputs.lng.value = fix.lng.toFixed(7);
      inputs.lat.value = fix.lat.toFixed(7);
      inputs.crs.value = "wgs84";
      inputs.lng.dispatchEvent(new Event("input"));
      showError(form, "location", "");
      hookMarker();
      drawFix();
    }

    var p = picker();
    if (p) {
      p.map.on("click", function () {
        hookMarker();
        markCorrected();
      });
      var container = p.map.getContainer();
      ["pointerdown", "touchstart", "wheel"].forEach(function (name) {
        container.addEventListener(name, function () { touched = true; }, { passive: true });
      });
      // The outlines arrive after the map: intake.js then frames the district; frame the fix
      // (or the worker's grid) again unless the worker has moved the map meanwhile.
      var pending = false;
      p.map.on("layeradd", function (e) {
        if (pending || !(e.layer instanceof L.GeoJSON)) { return; }
        pending = true;
        window.setTimeout(function () { pending = false; focus(); }, 0);
      });
      focus();
    }

    form.addEventListener("geo:fix", function (e) { onFix(e.detail); });
    // geo.js starts before this script: a fix may be in already.
    if (form.ggGeo) { onFix(form.ggGeo); }

    return {
      // What is sent: the corrected point, else the last fix (another script may have
      // written the inputs meanwhile). False when there is no point at all.
      finalize: function () {
        if (corrected) {
          inputs.lng.value = corrected.lng;
          inputs.lat.value = corrected.lat;
          inputs.crs.value = corrected.crs;
        } else if (fix) {
          inputs.lng.value = fix.lng.toFixed(7);
          inputs.lat.value = fix.lat.toFixed(7);
          inputs.crs.value = "wgs84";
        }
        flag.value = corrected ? "true" : "false";
        return !!(inputs.lng.value && inputs.lat.value);
      }
    };
  }

  // --- observed_at --------------------------------------------------------------------------
  function observedAt(form) {
    var input = form.querySelector("[data-observed-at]");
    var opened = Date.now();
    input.value = new Date(opened).toISOString();
    return function (files) {
      var now = Date.now(), seen = opened;
      files.forEach(function (f) {
        if (f.lastModified && f.lastModified <= now && now - f.lastModified < WEEK_MS) {
          seen = Math.min(seen, f.lastModified);
        }
      });
      input.value = new Date(seen).toISOString();
    };
  }

  // --- resolved on the spot -------------------------------------------------------------
  function spotToggle(form) {
    var toggle = form.querySelector("[data-spot-toggle]");
    var fields = form.querySelector("[data-spot-fields]");
    var store = form.querySelector('[data-photo-store="after_photos"]');
    var text = form.querySelector("[data-spot-text]");

    function sync() {
      fields.hidden = !toggle.checked;
      // Disabled inputs are not sent: without the toggle there is no resolution at all.
      store.disabled = !toggle.checked;
      text.disabled = !toggle.checked;
      text.required = toggle.checked;
    }
    toggle.addEventListener("change", sync);
    sync();
  }

  // --- sending without the outbox (its script missing): a plain request, same contract -----
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "r" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function sendDirectly(form) {
    var button = form.querySelector("[data-report-submit]");
    button.disabled = true;
    showError(form, "form", form.dataset.textSending);
    fetch(form.action, {
      method: "POST", body: new FormData(form), credentials: "same-origin",
      headers: { "Idempotency-Key": form.dataset.key || (form.dataset.key = uuid()),
        "X-CSRFToken": cookie("csrftoken"), Accept: "application/json" }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (body) {
        if (r.ok) { window.location.href = form.dataset.doneUrl; return; }
        button.disabled = false;
        showError(form, "form", "");
        var shown = false;
        Object.keys(body || {}).forEach(function (field) {
          var reasons = body[field];
          if (Array.isArray(reasons)) { showError(form, field, reasons.join(" ")); shown = true; }
        });
        if (!shown) {
          showError(form, "form", fill(form.dataset.textFailed, { reason: r.status }));
        }
      });
    }).catch(function (err) {
      button.disabled = false;
      showError(form, "form", fill(form.dataset.textFailed, { reason: err.message }));
    });
  }

  // --- the queued reports on the done page ------------------------------------------------
  function drawQueued() {
    var list = document.querySelector("[data-report-queued]");
    var outbox = window.GridgovOutbox;
    if (!list || !outbox || typeof outbox.list !== "function") { return; }
    var labels = { rejected: list.dataset.textRejected, conflict: list.dataset.textConflict };
    var title = document.querySelector("[data-report-sent-title]");
    function draw(items) {
      list.textContent = "";
      var waiting = (items || []).filter(function (item) {
        return item.kind === "event-report" && item.status !== "done" &&
          item.status !== "replaced";
      });
      // Everything reached the server: say so rather than "saved, sent when online".
      if (title && !waiting.length) { title.textContent = title.dataset.textDone; }
      waiting.forEach(function (item) {
        var li = document.createElement("li");
        li.className = "m-row";
        var a = document.createElement("a");
        a.href = "/m/outbox/";
        var title = document.createElement("span");
        title.className = "m-row-title";
        title.textContent = item.label || "";
        var badge = document.createElement("span");
        badge.className = "m-row-badge m-badge m-badge--warn";
        badge.textContent = labels[item.status] || list.dataset.textQueued;
        a.appendChild(title);
        a.appendChild(badge);
        li.appendChild(a);
        list.appendChild(li);
      });
    }
    function refresh() {
      Promise.resolve(outbox.list()).then(draw)
        .catch(function () { /* the outbox is unreadable: the server's list stands */ });
    }
    refresh();
    if (typeof outbox.onchange === "function") { outbox.onchange(refresh); }
  }

  function init(form) {
    var seen = observedAt(form);
    photoList(form, "attachments", seen);
    photoList(form, "after_photos");
    var category = categoryPicker(form);
    var place = position(form);
    spotToggle(form);

    // Capture phase on window: runs before the outbox's own submit handler.
    window.addEventListener("submit", function (e) {
      if (e.target !== form) { return; }
      clearErrors(form);
      var ok = true;
      if (!place.finalize()) {
        showError(form, "location", form.dataset.textNoPoint);
        ok = false;
      }
      if (!form.querySelector("[data-category-input]").value) {
        showError(form, "category", form.dataset.textNoCategory);
        ok = false;
      }
      if (!ok) {
        e.preventDefault();
        e.stopImmediatePropagation();
        var first = form.querySelector("[data-error-for]:not([hidden])");
        if (first) { first.scrollIntoView({ block: "center" }); }
        return;
      }
      form.dataset.label = fill(form.dataset.textLabel, { name: category.name() });
      if (!window.GridgovOutbox) {
        e.preventDefault();
        e.stopImmediatePropagation();
        sendDirectly(form);
      }
    }, true);
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-report]").forEach(init);
    drawQueued();
  });
})();
