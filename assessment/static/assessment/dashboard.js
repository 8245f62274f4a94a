// Round dashboard charts, drawn from the page's json_script block (no inline script: CSP).
document.addEventListener("DOMContentLoaded", function () {
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) { return; }
  var data = JSON.parse(source.textContent);
  var charts = [];
  var grades = document.getElementById("chart-grades");
  if (grades) {
    var gradeChart = echarts.init(grades);
    gradeChart.setOption({
      animation: false,
      title: { text: data.labels.grades, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.grades.names },
      yAxis: { type: "value", minInterval: 1, name: data.labels.units },
      series: [{ type: "bar", data: data.grades.counts, itemStyle: { color: "#c8102e" }, label: { show: true, position: "top" } }]
    });
    charts.push(gradeChart);
  }
  var dimensions = document.getElementById("chart-dimensions");
  if (dimensions) {
    var dimensionChart = echarts.init(dimensions);
    dimensionChart.setOption({
      animation: false,
      title: { text: data.labels.dimensions, left: "center", textStyle: { fontSize: 14 } },
      tooltip: { trigger: "axis" },
      legend: { bottom: 0 },
      xAxis: { type: "category", data: data.dimensions.map(function (d) { return d.name; }) },
      yAxis: { type: "value" },
      series: [
        { name: data.labels.mean, type: "bar", data: data.dimensions.map(function (d) { return d.mean; }), itemStyle: { color: "#c8102e" }, label: { show: true, position: "top" } },
        { name: data.labels.points, type: "bar", data: data.dimensions.map(function (d) { return d.points; }), itemStyle: { color: "#d9d9d9" } }
      ]
    });
    charts.push(dimensionChart);
  }
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
});
