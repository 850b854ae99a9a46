/* Cases dashboard: charts with several series (grouped or stacked bars) from json_script data.
   Single-series pies and bars are drawn by tupo/app.js. No inline code (CSP); every chart has a table twin. */
(function () {
  "use strict";
  var palette = ["#b22222", "#d4a017", "#2f6690", "#3a7d44", "#8e5572", "#e07a5f"];
  function draw(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-series-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.seriesChart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var stacked = spec.kind === "stacked";
      var option = {
        color: palette,
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        legend: { bottom: 0, type: "scroll" },
        grid: { left: 45, right: 15, top: 20, bottom: spec.categories.length > 6 ? 80 : 55 },
        xAxis: { type: "category", data: spec.categories,
                 axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
        yAxis: { type: "value", minInterval: 1 },
        series: spec.series.map(function (s) {
          return { name: s.name, type: "bar", data: s.data, barMaxWidth: 36, stack: stacked ? "total" : undefined };
        })
      };
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(document); });
})();
