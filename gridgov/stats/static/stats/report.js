// 月度分析报告: draws the report's charts (fixed sizes, SVG, no animation, so that printing
// shows them as on screen) and wires the print button. When all charts are drawn the report
// carries data-gg-report-ready="1" (what the PDF test waits for).
(function () {
  "use strict";
  var printButton = document.querySelector("[data-gg-print]");
  if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
  var el = document.getElementById("gg-report-data");
  var report = document.querySelector("[data-gg-report]");
  if (!el || !report || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var COLORS = ["#1f4e8c", "#2ca02c", "#f5a623", "#d62728", "#6b3fa0", "#17becf", "#8c564b",
    "#bcbd22", "#e377c2", "#7f7f7f"];
  var TEXT = { color: "#111", fontSize: 11 };
  var charts = [];

  function draw(id, option) {
    var node = document.getElementById(id);
    if (!node) { return; }
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    option.animation = false;
    option.color = COLORS;
    option.textStyle = TEXT;
    chart.setOption(option);
    charts.push(chart);
  }

  // The charts follow their box: fixed sizes on paper (report.css), the screen's width on a
  // phone; redrawn when the window or the media (screen / print) changes.
  function fit() { charts.forEach(function (c) { c.resize(); }); }

  var names = {
    reported: report.getAttribute("data-label-reported") || "上报",
    closed: report.getAttribute("data-label-closed") || "结案"
  };
  draw("gg-report-trend", {
    legend: { top: 0 },
    grid: { left: 8, right: 12, top: 28, bottom: 4, containLabel: true },
    xAxis: { type: "category", data: data.labels, boundaryGap: false, axisLabel: { interval: 1 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: names.reported, type: "line", data: data.reported, symbolSize: 4 },
      { name: names.closed, type: "line", data: data.closed, symbolSize: 4 }
    ]
  });
  var majors = data.majors.slice().reverse();
  draw("gg-report-majors", {
    grid: { left: 8, right: 36, top: 4, bottom: 4, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: majors.map(function (m) { return m.name; }) },
    series: [{ type: "bar", data: majors.map(function (m) { return m.value; }), barMaxWidth: 16,
      label: { show: true, position: "right" } }]
  });
  draw("gg-report-sources", {
    series: [{ type: "pie", radius: ["30%", "60%"], data: data.sources,
      label: { formatter: "{b}\n{d}%", fontSize: 10 } }]
  });
  window.addEventListener("resize", fit);
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
  if (window.matchMedia) {
    var printing = window.matchMedia("print");
    if (printing.addEventListener) { printing.addEventListener("change", fit); }
  }
  report.setAttribute("data-gg-report-ready", "1");
}());
