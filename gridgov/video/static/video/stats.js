/* 视频资源统计: per department, cameras online / offline / fault (stacked bars) and the
   online rate (a line on the right axis). */
(function () {
  "use strict";
  var el = document.getElementById("gg-video-stats-chart");
  var data = document.getElementById("gg-video-stats-data");
  if (!el || !data || typeof echarts === "undefined") { return; }
  var cfg = JSON.parse(data.textContent);
  var COLOURS = { online: "#2a7f62", offline: "#9aa0a8", fault: "#b3261e" };
  var chart = echarts.init(el);
  var series = cfg.series.map(function (s) {
    return { name: s.name, type: "bar", stack: "cameras", data: s.data,
             itemStyle: { color: COLOURS[s.key] }, barMaxWidth: 48 };
  });
  series.push({ name: cfg.rateLabel, type: "line", yAxisIndex: 1, data: cfg.rate,
                itemStyle: { color: "#1f5fa8" }, label: { show: true, formatter: "{c}%" } });
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 48, right: 48, top: 40, bottom: 40, containLabel: true },
    xAxis: { type: "category", data: cfg.departments, axisLabel: { interval: 0 } },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", min: 0, max: 100,
             axisLabel: { formatter: "{value}%" } }],
    series: series
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
