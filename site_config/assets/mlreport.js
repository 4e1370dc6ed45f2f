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

  // Long tables arrive as data (<script type="application/json">): a cell is its text or
  // [text, sort, href, tooltip]. They are filtered, sorted and shown a page at a time.
  var PAGE_ROWS = 50;

  function cellParts(cell) {
    return typeof cell === "string" ? [cell, null, null, null] : [cell[0], cell[1], cell[2], cell[3]];
  }

  function sortKey(cell, numeric) {
    var parts = cellParts(cell);
    var raw = parts[1] !== null && parts[1] !== undefined ? parts[1] : parts[0];
    return numeric ? (raw === "" ? NaN : parseFloat(raw)) : String(raw).trim().toLowerCase();
  }

  // Only links to this site or the web: the browser's own URL parser decides the scheme.
  function safeHref(href) {
    var url;
    try { url = new URL(href, window.location.href); } catch (error) { return null; }
    var allowed = url.protocol === "http:" || url.protocol === "https:" ||
      url.protocol === window.location.protocol;
    return allowed ? href : null;
  }

  function renderCell(cell) {
    var parts = cellParts(cell);
    var td = document.createElement("td");
    if (parts[1] !== null && parts[1] !== undefined) td.setAttribute("data-sort", parts[1]);
    if (parts[3]) td.title = parts[3];
    var href = parts[2] ? safeHref(parts[2]) : null;
    if (href) {
      var link = document.createElement("a");
      link.setAttribute("href", href);
      link.textContent = parts[0];
      td.appendChild(link);
    } else {
      td.textContent = parts[0];
    }
    return td;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function makePaged(wrap) {
    var table = wrap.querySelector("table");
    var source = document.getElementById(wrap.getAttribute("data-rows"));
    if (!table || !source) return;
    var all = JSON.parse(source.textContent);
    var headers = table.tHead.rows[0].cells;
    var body = table.tBodies[0];
    var shown = all, start = 0;

    var filter = element("input", "mlreport-filter");
    filter.type = "search";
    filter.placeholder = "Filter " + all.length.toLocaleString("en") + " rows";
    filter.setAttribute("aria-label", "Filter the rows of this table");
    var status = element("span", "mlreport-pager-status");
    status.setAttribute("aria-live", "polite");
    var previous = element("button", "md-button mlreport-previous", "Previous");
    var next = element("button", "md-button mlreport-next", "Next");
    var pager = element("div", "mlreport-pager");
    pager.appendChild(previous);
    pager.appendChild(status);
    pager.appendChild(next);
    wrap.insertBefore(filter, table);
    wrap.appendChild(pager);

    function draw() {
      var end = Math.min(start + PAGE_ROWS, shown.length);
      var rows = document.createDocumentFragment();
      for (var i = start; i < end; i++) {
        var tr = document.createElement("tr");
        for (var j = 0; j < shown[i].length; j++) tr.appendChild(renderCell(shown[i][j]));
        rows.appendChild(tr);
      }
      body.replaceChildren(rows);
      status.textContent = shown.length
        ? "Rows " + (start + 1).toLocaleString("en") + "\u2013" + end.toLocaleString("en") +
          " of " + shown.length.toLocaleString("en") +
          (shown.length < all.length ? " (filtered from " + all.length.toLocaleString("en") + ")" : "")
        : "No row matches.";
      previous.disabled = start === 0;
      next.disabled = end >= shown.length;
    }

    function texts(row) {  // what a row is found by: its text and tooltips (whole values)
      return row.map(function (cell) {
        var parts = cellParts(cell);
        return parts[3] ? parts[0] + "\u0000" + parts[3] : parts[0];
      }).join("\u0000").toLowerCase();
    }
    var searchable = all.map(texts);

    filter.addEventListener("input", function () {
      var needle = filter.value.trim().toLowerCase();
      shown = needle ? all.filter(function (row, i) { return searchable[i].indexOf(needle) >= 0; }) : all;
      var sorted = table.querySelector('th[aria-sort="ascending"], th[aria-sort="descending"]');
      if (sorted) sortBy(Array.prototype.indexOf.call(headers, sorted), sorted.getAttribute("aria-sort") === "ascending");
      start = 0;
      draw();
    });
    previous.addEventListener("click", function () { start = Math.max(0, start - PAGE_ROWS); draw(); });
    next.addEventListener("click", function () { start += PAGE_ROWS; draw(); });

    function sortBy(index, ascending) {
      var numeric = headers[index].getAttribute("data-type") === "number";
      var keyed = shown.map(function (row, i) { return [sortKey(row[index], numeric), i, row]; });
      keyed.sort(function (x, y) {
        var a = x[0], b = y[0];
        var order = numeric && (isNaN(a) || isNaN(b)) ? compare(a, b, true)
          : ascending ? compare(a, b, numeric) : compare(b, a, numeric);
        return order || x[1] - y[1];
      });
      shown = keyed.map(function (k) { return k[2]; });
    }

    Array.prototype.forEach.call(headers, function (th, index) {
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      var sort = function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        sortBy(index, ascending);
        Array.prototype.forEach.call(headers, function (other) { other.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        start = 0;
        draw();
      };
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    draw();
  }

  function drawCharts(charts) {
    charts.forEach(function (div) {
      var data = document.getElementById(div.getAttribute("data-figure"));
      if (!data) return;
      var figure = JSON.parse(data.textContent);
      figure.layout = figure.layout || {};
      var template = figure.layout.template;
      if (window.mlreportPlotlyTemplate && !(template && template.layout)) {
        figure.layout.template = window.mlreportPlotlyTemplate;  // shared, not in each page
      }
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
    document.querySelectorAll("[data-rows]").forEach(makePaged);
    var charts = Array.prototype.slice.call(document.querySelectorAll(".mlreport-chart"));
    if (charts.length) loadPlotly(function () { drawCharts(charts); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
