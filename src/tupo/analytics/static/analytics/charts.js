/* Input-output analysis: the frontier scatter (one input, one output) and the Malmquist trend.
   Reads json_script data; no inline code (CSP). */
(function () {
  "use strict";
  function draw() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-frontier]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.frontier);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      function pts(eff) {
        return spec.points.filter(function (p) { return p.efficient === eff; })
          .map(function (p) { return { name: p.name, value: [p.x, p.y] }; });
      }
      var option = {
        color: ["#6c757d", "#b22222", "#d4a017"],
        tooltip: { trigger: "item", formatter: function (p) {
          return p.seriesIndex === 2 ? "" : p.name + "<br>" + spec.x_label + ": " + p.value[0] + "<br>" + spec.y_label + ": " + p.value[1];
        } },
        legend: { bottom: 0, data: spec.legend },
        grid: { left: 60, right: 20, top: 40, bottom: 70 },
        xAxis: { type: "value", name: spec.x_label, nameLocation: "middle", nameGap: 28, min: 0 },
        yAxis: { type: "value", name: spec.y_label, min: 0 },
        series: [
          { name: spec.legend[0], type: "scatter", data: pts(false), symbolSize: 9 },
          { name: spec.legend[1], type: "scatter", data: pts(true), symbolSize: 13 },
          { name: spec.legend[2], type: "line", data: spec.frontier, showSymbol: false, lineStyle: { type: "dashed" } }
        ]
      };
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  function drawTrend() {
    if (typeof echarts === "undefined") return;
    document.querySelectorAll("[data-trend]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.trend);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      // one pair of years: bars side by side read better than three lone dots
      var single = spec.categories.length === 1;
      var series = spec.series.map(function (s, i) {
        return single ? { name: s.name, type: "bar", data: s.data, barMaxWidth: 48,
                          label: { show: true, position: "top", formatter: function (p) { return p.value.toFixed(3); } } }
                      : { name: s.name, type: "line", data: s.data, symbolSize: i === 0 ? 10 : 6,
                          lineStyle: { width: i === 0 ? 3 : 1.5 } };
      });
      series[0].markLine = { silent: true, symbol: "none", label: { show: false },
                             lineStyle: { type: "dashed", color: "#6c757d" }, data: [{ yAxis: 1 }] };
      var option = {
        animation: false,
        color: ["#b22222", "#2f6690", "#d4a017"],
        tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v.toFixed(3); } },
        legend: { bottom: 0 },
        grid: { left: 60, right: 20, top: 30, bottom: 60 },
        xAxis: { type: "category", data: spec.categories },
        yAxis: { type: "value", name: spec.y_label,
                 min: function (v) { return single ? 0 : Math.floor((Math.min(v.min, 1) - 0.05) * 20) / 20; },
                 max: function (v) { return Math.ceil((Math.max(v.max, 1) + 0.05) * 20) / 20; } },
        series: series
      };
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { draw(); drawTrend(); });
})();
