// 群众需求分析: the resident group × need heatmap and the monthly trend (ECharts), from the
// page's JSON (#gg-needs-data). The table under the heatmap holds the same numbers.
(function () {
  "use strict";
  var el = document.getElementById("gg-needs-data");
  if (!el || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var heat = document.getElementById("gg-needs-heat");
  var trend = document.getElementById("gg-needs-trend");
  var status = document.getElementById("gg-needs-status");
  var charts = [];
  var max = 0;
  data.cells.forEach(function (c) { if (c[2] > max) { max = c[2]; } });
  if (heat) {
    if (!data.groups.length || !max) {
      heat.hidden = true;
      if (status) { status.textContent = data.empty; }
    } else {
      // On a phone the needs run down the side (they are the longer list).
      var narrow = heat.clientWidth < 600;
      var needsAxis = { type: "category", data: data.categories, splitArea: { show: true },
        axisLabel: { interval: 0, rotate: narrow ? 0 : 40 } };
      var groupsAxis = { type: "category", data: data.groups, splitArea: { show: true },
        axisLabel: { interval: 0, rotate: narrow ? 40 : 0 } };
      var cells = narrow ? data.cells.map(function (c) { return [c[1], c[0], c[2]]; })
        : data.cells;
      var chart = window.echarts.init(heat, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: { position: "top" },
        grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
        xAxis: narrow ? groupsAxis : needsAxis,
        yAxis: Object.assign({ inverse: true }, narrow ? needsAxis : groupsAxis),
        visualMap: { min: 0, max: max, calculable: true, orient: "horizontal",
          left: "center", bottom: 0, itemHeight: 120,
          inRange: { color: ["#f2f6fc", "#9ec1e8", "#1f4e8c"] } },
        series: [{ type: "heatmap", data: cells, label: { show: true },
          emphasis: { itemStyle: { borderColor: "#333", borderWidth: 1 } } }]
      });
      heat.setAttribute("data-gg-chart-ready", "1");
      charts.push(chart);
    }
  }
  if (trend) {
    if (!data.trend.length) {
      trend.hidden = true;
    } else {
      var line = window.echarts.init(trend, null, { renderer: "svg" });
      line.setOption({
        animation: false,
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0 },
        grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
        xAxis: { type: "category", data: data.months },
        yAxis: { type: "value", minInterval: 1 },
        series: data.trend.map(function (s) {
          return { type: "line", name: s.name, data: s.data, symbolSize: 6 };
        })
      });
      trend.setAttribute("data-gg-chart-ready", "1");
      charts.push(line);
    }
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
}());
