// 指挥大屏: the wall screen. The first figures come with the page (#gg-screen-first); then
// every refreshSeconds the JSON endpoint is asked again and everything is updated IN PLACE:
// the counters' text, the one ECharts instance (setOption), the alert and duty lists'
// contents replaced (never appended), the map's markers updated by id on a canvas layer (no
// DOM node per marker). The page is never reloaded; window.GridGovScreen.refreshes counts
// the answers applied. The polls count as activity for the idle sign-out (no
// X-GG-Background header, see stats/views/screen.py); when the session has ended anyway, the
// screen says so and stops asking.
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("gg-screen-config").textContent);
  var first = JSON.parse(document.getElementById("gg-screen-first").textContent);
  var T = cfg.text;
  var statusEl = document.getElementById("gg-screen-status");
  var updatedEl = document.getElementById("gg-screen-updated");
  var MARK = {
    overdue: { color: "#ff4d4f", fillColor: "#ff4d4f", radius: 6 },
    due_soon: { color: "#faad14", fillColor: "#faad14", radius: 5 },
    open: { color: "#3fa9f5", fillColor: "#3fa9f5", radius: 4 }
  };

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, k) { return values[k]; });
  }

  // --- clock ---------------------------------------------------------------------------------
  var clock = document.getElementById("gg-screen-time");
  function tick() {
    var d = new Date();
    function two(n) { return (n < 10 ? "0" : "") + n; }
    clock.textContent = d.getFullYear() + "-" + two(d.getMonth() + 1) + "-" + two(d.getDate()) +
      " " + two(d.getHours()) + ":" + two(d.getMinutes()) + ":" + two(d.getSeconds());
  }
  tick();
  window.setInterval(tick, 1000);

  // --- map: outlines once, markers by id -------------------------------------------------------
  var map = L.map("gg-screen-map", { zoomSnap: 0.25, preferCanvas: true, attributionControl: false,
    zoomControl: false });
  var renderer = L.canvas({ padding: 0.2 });
  // Tiles when a tile service is set; the wall screen keeps its dark background and its own
  // outlines otherwise (the own base is a light paper map), and shows no overlay control.
  if (window.GG && GG.basemap) { GG.basemap(map, cfg.basemap, { own: false, overlays: false }); }
  map.setView([29.87, 121.55], 12);
  var framed = false;
  var frame = null;  // the area's box: framed again when the window changes size
  if (cfg.areaGeometry) {
    var own = L.geoJSON({ type: "Feature", geometry: cfg.areaGeometry, properties: {} },
      { style: { color: "#7fb3ff", weight: 2.5, fill: false }, interactive: false }).addTo(map);
    frame = own.getBounds();
    map.fitBounds(frame, { padding: [12, 12] });
    framed = true;
  }
  function outline(params, style, labels) {
    if (!cfg.areasUrl) { return; }
    var q = new URLSearchParams(params);
    fetch(cfg.areasUrl + "?" + q.toString(), { credentials: "same-origin",
      headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (data) {
        var layer = L.geoJSON(data, { style: style, interactive: false,
          onEachFeature: labels ? function (f, l) {
            l.bindTooltip(f.properties.name, { permanent: true, direction: "center",
              className: "gg-screen-area-label", interactive: false });
          } : null }).addTo(map);
        layer.bringToBack();
        if (!framed && layer.getLayers().length) {
          frame = layer.getBounds();
          map.fitBounds(frame);
          framed = true;
        }
      }).catch(function () { /* outlines are context only */ });
  }
  var len = (cfg.area || "").length;
  var child = len === 0 || len === 6 ? "street" : len === 9 ? "community" : "grid";
  var within = cfg.area ? { within: cfg.area } : {};
  outline(Object.assign({ level: child }, within), { color: "#5a7fb8", weight: 1.4, fill: false },
    child !== "grid");
  if (len === 9) {
    outline(Object.assign({ level: "grid" }, within),
      { color: "#2f4d73", weight: 0.8, fillColor: "#16365c", fillOpacity: 0.25 }, false);
  }

  var markers = {};
  var pointsEl = document.getElementById("gg-screen-points");
  function applyPoints(points) {
    var seen = {};
    points.forEach(function (p) {
      var id = p[0];
      var mark = p[3];
      seen[id] = true;
      var known = markers[id];
      if (known) {
        if (known.mark !== mark) { known.layer.setStyle(MARK[mark]); known.mark = mark; }
        return;
      }
      var style = MARK[mark];
      var layer = L.circleMarker([p[1], p[2]], { renderer: renderer, radius: style.radius,
        color: style.color, fillColor: style.fillColor, fillOpacity: 0.85, weight: 1,
        interactive: false }).addTo(map);
      markers[id] = { layer: layer, mark: mark };
    });
    Object.keys(markers).forEach(function (id) {
      if (!seen[id]) { map.removeLayer(markers[id].layer); delete markers[id]; }
    });
    pointsEl.textContent = fmt(T.points, { n: points.length });
    pointsEl.setAttribute("data-count", points.length);
  }

  // --- counters ------------------------------------------------------------------------------
  function applyCounters(counters, duty) {
    Array.prototype.forEach.call(document.querySelectorAll("[data-counter]"), function (node) {
      var key = node.getAttribute("data-counter");
      var value = key === "duty" ? duty.count : counters[key];
      if (value === undefined) { return; }
      if (node.textContent !== String(value)) {
        node.textContent = value;
        node.classList.remove("is-changed");
        void node.offsetWidth;  // restart the highlight
        node.classList.add("is-changed");
      }
    });
  }

  // --- alerts: contents replaced, the box scrolls by itself ------------------------------------
  var alertsEl = document.getElementById("gg-screen-alerts");
  var scrollEl = document.getElementById("gg-screen-scroll");
  function span(cls, text) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    return s;
  }
  function duration(minutes) {
    if (minutes < 60) { return fmt(T.minutes, { n: minutes }); }
    return fmt(T.hours, { h: Math.floor(minutes / 60), m: minutes % 60 });
  }
  function applyAlerts(alerts) {
    var items = alerts.map(function (a) {
      var li = document.createElement("li");
      li.className = a.status === "overdue" ? "is-overdue" : "is-due";
      li.setAttribute("data-number", a.number);
      li.appendChild(span("gg-screen-badge", a.status === "overdue" ? T.overdue : T.due_soon));
      li.appendChild(span("gg-screen-alert-number", a.number));
      li.appendChild(span("gg-screen-alert-what", (a.category || "—") + " · " + a.grid));
      li.appendChild(span("gg-screen-alert-time", fmt(a.status === "overdue" ? T.late : T.left,
        { t: duration(a.minutes) })));
      if (a.supervised) { li.appendChild(span("gg-screen-badge is-supervised", T.supervised)); }
      return li;
    });
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "gg-screen-empty";
      empty.textContent = T.noAlerts;
      items.push(empty);
    }
    alertsEl.replaceChildren.apply(alertsEl, items);
  }
  window.setInterval(function () {
    if (scrollEl.scrollHeight <= scrollEl.clientHeight + 2) { scrollEl.scrollTop = 0; return; }
    if (scrollEl.scrollTop + scrollEl.clientHeight >= scrollEl.scrollHeight - 1) {
      scrollEl.scrollTop = 0;
    } else {
      scrollEl.scrollTop += 1;
    }
  }, 60);

  // --- duty list -----------------------------------------------------------------------------
  var dutyEl = document.getElementById("gg-screen-duty");
  function applyDuty(duty) {
    var items = duty.items.map(function (w) {
      var li = document.createElement("li");
      li.appendChild(span("gg-screen-duty-name", w.name));
      li.appendChild(span("gg-screen-muted", w.last + " · " + fmt(T.steps, { n: w.steps })));
      return li;
    });
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "gg-screen-empty";
      empty.textContent = T.noDuty;
      items.push(empty);
    }
    dutyEl.replaceChildren.apply(dutyEl, items);
  }

  // --- trend: one chart instance -------------------------------------------------------------
  var chart = window.echarts.init(document.getElementById("gg-screen-trend"), null,
    { renderer: "canvas" });
  function applyTrend(trend) {
    chart.setOption({
      animation: false,
      color: ["#3fa9f5", "#52c41a"],
      textStyle: { color: "#c9d6ea" },
      legend: { top: 0, textStyle: { color: "#c9d6ea" } },
      grid: { left: 8, right: 16, top: 30, bottom: 4, containLabel: true },
      xAxis: { type: "category", data: trend.labels, axisLine: { lineStyle: { color: "#5a7fb8" } } },
      yAxis: { type: "value", minInterval: 1, splitLine: { lineStyle: { color: "#1d3557" } } },
      series: [
        { name: T.reported, type: "bar", data: trend.reported, barMaxWidth: 18,
          label: { show: true, position: "top", color: "#c9d6ea" } },
        { name: T.closed, type: "line", data: trend.closed, symbolSize: 6 }
      ]
    });
  }

  // --- the loop ------------------------------------------------------------------------------
  // stopped: no more polls (the session ended, or a test pausing the screen); busy: a poll
  // is under way.
  var api = window.GridGovScreen = { refreshes: 0, failures: 0, stopped: false, busy: false,
    chart: chart, map: map, markers: markers };

  function apply(data) {
    applyCounters(data.counters, data.duty);
    applyAlerts(data.alerts);
    applyPoints(data.points);
    applyTrend(data.trend);
    applyDuty(data.duty);
    updatedEl.textContent = fmt(T.updated, { t: data.updated });
    statusEl.hidden = true;
  }

  function say(text) {
    statusEl.textContent = text;
    statusEl.hidden = false;
  }

  var timer = null;
  function schedule() {
    window.clearTimeout(timer);
    if (!api.stopped) { timer = window.setTimeout(refresh, cfg.refreshSeconds * 1000); }
  }

  function refresh() {
    if (api.stopped || api.busy) { return Promise.resolve(); }
    api.busy = true;
    return fetch(cfg.dataUrl, { credentials: "same-origin", cache: "no-store",
      headers: { Accept: "application/json" } })
      .then(function (r) {
        var json = (r.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if (r.status === 401 || r.status === 403 || (r.ok && !json)) {
          api.stopped = true;
          say(T.signedOut);
          return null;
        }
        if (!r.ok) { throw new Error(String(r.status)); }
        return r.json();
      })
      .then(function (data) {
        if (data) { apply(data); api.refreshes += 1; document.body.setAttribute("data-refreshes", api.refreshes); }
      })
      .catch(function () { api.failures += 1; say(T.failed); })
      .then(function () { api.busy = false; schedule(); });
  }
  api.refresh = refresh;

  apply(first);
  window.addEventListener("resize", function () {
    chart.resize();
    map.invalidateSize();
    if (frame) { map.fitBounds(frame, { padding: [12, 12] }); }
  });
  var full = document.querySelector("[data-gg-fullscreen]");
  if (full) {
    full.addEventListener("click", function () {
      if (document.documentElement.requestFullscreen) { document.documentElement.requestFullscreen(); }
    });
  }
  schedule();
}());
