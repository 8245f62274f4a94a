// Plan dashboard charts, drawn from the page's json_script block (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("goals-dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var trend = document.getElementById("chart-trend");
  if (trend) {
    var trendChart = echarts.init(trend);
    trendChart.setOption({
      animation: false,
      title: { text: data.labels.trend, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      xAxis: { type: "category", data: data.dates },
      yAxis: [{ type: "value", min: 0, max: 100, name: data.labels.percent }, { type: "value", minInterval: 1, name: data.labels.tasks }],
      series: [
        { name: data.labels.red, type: "bar", stack: "lights", yAxisIndex: 1, data: data.red, itemStyle: { color: "#dc3545" } },
        { name: data.labels.yellow, type: "bar", stack: "lights", yAxisIndex: 1, data: data.yellow, itemStyle: { color: "#ffc107" } },
        { name: data.labels.green, type: "bar", stack: "lights", yAxisIndex: 1, data: data.green, itemStyle: { color: "#198754" } },
        { name: data.labels.percent, type: "line", data: data.percent, itemStyle: { color: "#c8102e" } }
      ]
    });
    charts.push(trendChart);
  }
  var units = document.getElementById("chart-units");
  if (units) {
    var unitChart = echarts.init(units);
    unitChart.setOption({
      animation: false,
      title: { text: data.labels.units, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      grid: { bottom: 80 },
      dataZoom: data.units.length > 30 ? [{ type: "slider", bottom: 0 }] : [],
      xAxis: { type: "category", data: data.units.map(function (u) { return u.name; }), axisLabel: { rotate: 30, interval: 0 } },
      yAxis: { type: "value", min: 0, max: 100 },
      series: [{ type: "bar", data: data.units.map(function (u) { return u.percent; }), itemStyle: { color: "#c8102e" }, label: { show: data.units.length <= 30, position: "top" } }]
    });
    charts.push(unitChart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
});
