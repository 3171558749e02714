// 考核排名: the bar chart of scores from the page's JSON (#gg-assess-chart).
(function () {
  "use strict";
  var el = document.getElementById("gg-assess-chart");
  var node = document.getElementById("gg-assess-chart-box");
  if (!el || !node || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    color: ["#1f4e8c"],
    tooltip: { trigger: "axis" },
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 8 ? 35 : 0 } },
    yAxis: { type: "value", max: 100 },
    series: [{ type: "bar", barMaxWidth: 48, data: data.scores, label: { show: data.labels.length <= 20, position: "top" } }]
  });
  node.setAttribute("data-gg-chart-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
})();
