// Problems dashboard charts, drawn from the page's json_script block (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("problems-dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return; }
    var chart = echarts.init(element);
    chart.setOption(Object.assign({ animation: false }, option));
    charts.push(chart);
  }
  function title(text) { return { text: text, left: "center", textStyle: { fontSize: 14 } }; }
  function bars(id, text, rows, colour) {
    draw(id, {
      title: title(text),
      tooltip: { trigger: "axis" },
      grid: { bottom: 80 },
      dataZoom: rows.length > 20 ? [{ type: "slider", bottom: 0 }] : [],
      xAxis: { type: "category", data: rows.map(function (r) { return r.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: rows.map(function (r) { return r.value; }), itemStyle: { color: colour }, label: { show: rows.length <= 20, position: "top" } }]
    });
  }
  draw("chart-months", {
    title: title(data.labels.months),
    tooltip: { trigger: "axis" },
    legend: { bottom: 0 },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.found, type: "bar", data: data.found, itemStyle: { color: "#c8102e" } },
      { name: data.labels.signed_off, type: "bar", data: data.signed_off, itemStyle: { color: "#198754" } }
    ]
  });
  bars("chart-dimensions", data.labels.dimensions, data.dimensions, "#c8102e");
  draw("chart-sources", {
    title: title(data.labels.sources),
    tooltip: { trigger: "item" },
    legend: { bottom: 0, type: "scroll" },
    series: [{ type: "pie", radius: ["35%", "60%"], data: data.sources, label: { formatter: "{b}: {c}" } }]
  });
  bars("chart-units", data.labels.units, data.units, "#dc3545");
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
});
