// mlreport pages: sortable tables and plotly charts. No inline script is needed:
// chart data sits in <script type="application/json"> blocks, read here.
(function () {
  "use strict";
  var here = document.currentScript ? document.currentScript.src : "";

  function cellValue(row, index, numeric) {
    var cell = row.cells[index];
    if (!cell) return numeric ? NaN : "";
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent;
    return numeric ? (raw === "" ? NaN : parseFloat(raw)) : raw.trim().toLowerCase();
  }

  function compare(a, b, numeric) {
    if (numeric) {
      if (isNaN(a) && isNaN(b)) return 0;
      if (isNaN(a)) return 1;   // missing values last in both directions
      if (isNaN(b)) return -1;
      return a - b;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }

  function makeSortable(table) {
    var headers = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(headers, function (th, index) {
      th.tabIndex = 0;
      var sort = function () {
        var numeric = th.getAttribute("data-type") === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r1, r2) {
          var a = cellValue(r1, index, numeric), b = cellValue(r2, index, numeric);
          if (numeric && (isNaN(a) || isNaN(b))) return compare(a, b, true);
          return ascending ? compare(a, b, numeric) : compare(b, a, numeric);
        });
        Array.prototype.forEach.call(headers, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.forEach(function (row) { body.appendChild(row); });
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  }

  function drawCharts(charts) {
    charts.forEach(function (div) {
      var data = document.getElementById(div.getAttribute("data-figure"));
      if (!data) return;
      var figure = JSON.parse(data.textContent);
      window.Plotly.newPlot(div, figure.data, figure.layout, { responsive: true, displaylogo: false });
    });
  }

  function loadPlotly(then) {
    if (window.Plotly) { then(); return; }
    var script = document.createElement("script");
    script.src = here.replace(/mlreport\.js(\?.*)?$/, "plotly.min.js");
    script.onload = then;
    document.head.appendChild(script);
  }

  function init() {
    document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
    var charts = Array.prototype.slice.call(document.querySelectorAll(".mlreport-chart"));
    if (charts.length) loadPlotly(function () { drawCharts(charts); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
