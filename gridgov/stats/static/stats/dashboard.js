// 统计分析 dashboard: draws the charts from the page's JSON (#gg-stats-charts) with ECharts;
// clicking a point, bar or slice opens the list of the cases behind it (its "url").
(function () {
  "use strict";
  var el = document.getElementById("gg-stats-charts");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var charts = [];
  var COLORS = ["#1f4e8c", "#2ca02c", "#f5a623", "#d62728", "#6b3fa0", "#17becf", "#8c564b",
    "#bcbd22", "#e377c2", "#7f7f7f"];

  function make(id, option, urlOf) {
    var node = document.getElementById(id);
    if (!node) { return null; }
    var chart = window.echarts.init(node, null, { renderer: "svg" });
    option.color = COLORS;
    option.animation = false;
    chart.setOption(option);
    chart.on("click", function (p) {
      var url = urlOf(p);
      if (url) { window.location.href = url; }
    });
    node.setAttribute("data-gg-chart-ready", "1");
    charts.push(chart);
    return chart;
  }

  var trend = data.trend;
  make("gg-chart-trend", {
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 40, right: 32, top: 36, bottom: 28, containLabel: true },
    xAxis: { type: "category", data: trend.labels, boundaryGap: false },
    yAxis: { type: "value", minInterval: 1 },
    series: trend.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, symbolSize: 6, triggerLineEvent: true };
    })
  }, function (p) { return trend.urls[p.dataIndex]; });

  function bar(id, block, horizontal) {
    var items = block.items.slice();
    if (horizontal) { items.reverse(); }
    var names = items.map(function (i) { return i.name; });
    var values = items.map(function (i) { return { value: i.value, url: i.url }; });
    var cat = { type: "category", data: names, axisLabel: { width: 90, overflow: "truncate" } };
    var val = { type: "value", minInterval: 1 };
    return make(id, {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 24, top: 16, bottom: 8, containLabel: true },
      xAxis: horizontal ? val : cat,
      yAxis: horizontal ? cat : val,
      series: [{ type: "bar", name: block.name, data: values, barMaxWidth: 28,
        label: { show: true, position: horizontal ? "right" : "top" } }]
    }, function (p) { return p.data && p.data.url; });
  }

  // Horizontal bars: the chart as tall as its bars need (a street has a handful of
  // communities, the district 17 streets).
  function fit(id, n) {
    var node = document.getElementById(id);
    if (node) { node.style.height = Math.max(160, 48 + 30 * n) + "px"; }
  }
  fit("gg-chart-major", data.major.items.length);
  fit("gg-chart-ranking", data.ranking.items.length);
  bar("gg-chart-major", data.major, true);
  bar("gg-chart-ranking", data.ranking, true);

  make("gg-chart-source", {
    tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
    legend: { type: "scroll", bottom: 0 },
    series: [{ type: "pie", name: data.source.name, radius: ["35%", "65%"],
      center: ["50%", "45%"], label: { formatter: "{b}\n{c}" },
      data: data.source.items.map(function (i) { return { name: i.name, value: i.value, url: i.url }; })
    }]
  }, function (p) { return p.data && p.data.url; });

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
  window.ggStatsCharts = charts;
}());
