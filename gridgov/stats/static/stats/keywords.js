// 热词分析: the top terms as a horizontal bar chart (ECharts) from the page's JSON
// (#gg-kw-data); clicking a bar opens the cases that mention the term (its "url").
(function () {
  "use strict";
  var el = document.getElementById("gg-kw-data");
  var node = document.getElementById("gg-kw-chart");
  if (!el || !node || !window.echarts) { return; }
  var data = JSON.parse(el.textContent);
  var status = document.getElementById("gg-kw-chart-status");
  if (!data.items.length) {
    node.hidden = true;
    if (status) { status.textContent = data.empty; }
    return;
  }
  var items = data.items.slice().reverse();
  node.style.height = Math.max(180, 40 + 24 * items.length) + "px";
  var chart = window.echarts.init(node, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    color: ["#1f4e8c"],
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    grid: { left: 8, right: 36, top: 8, bottom: 8, containLabel: true },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: items.map(function (i) { return i.name; }),
      axisLabel: { width: 110, overflow: "truncate" } },
    series: [{ type: "bar", name: data.name, barMaxWidth: 22,
      label: { show: true, position: "right" },
      data: items.map(function (i) { return { value: i.value, url: i.url }; }) }]
  });
  chart.on("click", function (p) {
    if (p.data && p.data.url) { window.location.href = p.data.url; }
  });
  node.setAttribute("data-gg-chart-ready", "1");
  window.addEventListener("resize", function () { chart.resize(); });
}());
