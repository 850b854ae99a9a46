/* Tupo front-end glue: ECharts from the local vendor copy, confirmation prompts. No inline scripts (CSP). */
(function () {
  "use strict";
  function renderCharts(root) {
    if (typeof echarts === "undefined") return;
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      if (el.dataset.rendered) return;
      var source = document.getElementById(el.dataset.chart);
      if (!source) return;
      var spec = JSON.parse(source.textContent);
      var names = spec.rows.map(function (r) { return r[0]; });
      var values = spec.rows.map(function (r) { return r[1]; });
      var option;
      var palette = ["#b22222", "#d4a017", "#2f6690", "#3a7d44", "#8e5572", "#e07a5f", "#5b8e7d", "#6c757d", "#9c6644"];
      if (spec.colors) palette = spec.colors;  // a chart whose categories carry meaning (done / late) picks its own
      if (spec.kind === "pie") {
        option = { color: palette, tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
          legend: { bottom: 0, type: "scroll" },
          series: [{ type: "pie", radius: ["35%", "65%"], center: ["50%", "45%"],
            data: spec.rows.map(function (r) { return { name: r[0], value: r[1] }; }), label: { formatter: "{b}\n{d}%" } }] };
      } else {
        option = { color: palette, tooltip: { trigger: "axis" }, grid: { left: 50, right: 20, top: 20, bottom: 60 },
          xAxis: { type: "category", data: names, axisLabel: { interval: 0, rotate: names.length > 6 ? 30 : 0 } },
          yAxis: { type: "value" }, series: [{ type: "bar", data: values, barMaxWidth: 40 }] };
      }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(option);
      el.dataset.rendered = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  function bindConfirms(root) {
    root.querySelectorAll("form[data-confirm]").forEach(function (form) {
      if (form.dataset.bound) return;
      form.dataset.bound = "1";
      form.addEventListener("submit", function (ev) {
        if (!window.confirm(form.dataset.confirm)) ev.preventDefault();
      });
    });
    // One click, one submission: a double-clicked submit does not post twice.
    root.querySelectorAll("form[method=post]").forEach(function (form) {
      if (form.dataset.once) return;
      form.dataset.once = "1";
      form.addEventListener("submit", function () {
        setTimeout(function () {
          form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  }
  function init(root) { renderCharts(root); bindConfirms(root); }
  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (ev) { init(ev.target); });
})();
