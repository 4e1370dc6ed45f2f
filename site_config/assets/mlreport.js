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
      if (th.classList.contains("mlreport-pick-head")) return;
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
    var data = JSON.parse(source.textContent);
    var all = Array.isArray(data) ? data : data.rows;
    var runs = Array.isArray(data) ? null : data.runs;  // run refs: rows can be ticked
    var picks = runs ? pickBar(wrap) : null;
    if (runs) all = all.map(function (row, i) { row.ref = runs[i]; return row; });
    var headers = table.tHead.rows[0].cells;
    var offset = runs ? 1 : 0;  // the tick column comes first
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
        if (picks) tr.appendChild(picks.cell(shown[i].ref));
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
      if (sorted) sortBy(Array.prototype.indexOf.call(headers, sorted) - offset, sorted.getAttribute("aria-sort") === "ascending");
      start = 0;
      draw();
    });
    previous.addEventListener("click", function () { start = Math.max(0, start - PAGE_ROWS); draw(); });
    next.addEventListener("click", function () { start += PAGE_ROWS; draw(); });

    function sortBy(index, ascending) {
      var numeric = headers[index + offset].getAttribute("data-type") === "number";
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
      if (th.classList.contains("mlreport-pick-head")) return;
      th.tabIndex = 0;
      th.setAttribute("aria-sort", "none");
      var sort = function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        sortBy(index - offset, ascending);
        Array.prototype.forEach.call(headers, function (other) {
          if (!other.classList.contains("mlreport-pick-head")) other.setAttribute("aria-sort", "none");
        });
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

  // Charts are drawn one at a time, each in a task of its own so the page paints and
  // answers between them: first those in or near the window (as the reader scrolls, the
  // ones coming into view), then, when the browser is idle, the rest in page order.
  // A page of many big charts (a 2,000-trial search) thus shows its first ones at once.
  function drawCharts(charts) {
    var pending = charts.slice(), queue = [], busy = false;
    function take(div) {
      var at = pending.indexOf(div);
      if (at >= 0) pending.splice(at, 1);
      return at >= 0;
    }
    function draw(div) {
      var data = document.getElementById(div.getAttribute("data-figure"));
      if (!data) return Promise.resolve();
      var figure = JSON.parse(data.textContent);
      figure.layout = figure.layout || {};
      var template = figure.layout.template;
      if (window.mlreportPlotlyTemplate && !(template && template.layout)) {
        figure.layout.template = window.mlreportPlotlyTemplate;  // shared, not in each page
      }
      return window.Plotly.newPlot(div, figure.data, figure.layout, { responsive: true, displaylogo: false });
    }
    function pump() {
      if (busy) return;
      var next = queue.shift();
      if (!next) { whenIdle(); return; }
      busy = true;
      var done = function () { busy = false; setTimeout(pump, 0); };
      draw(next).then(done, done);
    }
    function whenIdle() {
      if (!pending.length) return;
      var later = window.requestIdleCallback || function (then) { return setTimeout(then, 50); };
      later(function () {
        if (busy || queue.length || !pending.length) return;
        queue.push(pending.shift());
        pump();
      });
    }
    if (!("IntersectionObserver" in window)) { queue = pending.splice(0); pump(); return; }
    var observer = new IntersectionObserver(function (seen) {
      var near = seen.filter(function (e) { return e.isIntersecting && take(e.target); })
        .map(function (e) { observer.unobserve(e.target); return e.target; });
      queue = near.concat(queue);
      pump();
    }, { rootMargin: "400px 0px" });
    charts.forEach(function (div) { observer.observe(div); });
  }

  function loadPlotly(then) {
    if (window.Plotly) { then(); return; }
    var script = document.createElement("script");
    script.src = here.replace(/mlreport\.js(\?.*)?$/, "plotly.min.js");
    script.onload = then;
    document.head.appendChild(script);
  }

  // ---- Runs: ticking runs to compare, runs tables, the run view and the comparison ----
  // Run data comes in files of window.mlreportData entries (site data/<group>/*.js), put
  // in the page with <script src> or loaded here the same way: that works offline and
  // from file://, where fetch does not.
  var root = here.replace(/assets\/mlreport\.js(\?.*)?$/, "");
  var GROUP = /^(experiments|mlflow)\/[a-z0-9-]+$/;
  var RUN_ID = /^[A-Za-z0-9_-]+$/;

  function parseRef(ref) {
    var cut = ref ? ref.lastIndexOf("/") : -1;
    if (cut < 0) return null;
    var group = ref.slice(0, cut), id = ref.slice(cut + 1);
    return GROUP.test(group) && RUN_ID.test(id) ? { group: group, id: id, ref: ref } : null;
  }

  var scripts = {};
  function loadScript(src) {
    if (!scripts[src]) {
      scripts[src] = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = resolve;
        script.onerror = function () { reject(new Error("could not load " + src)); };
        document.head.appendChild(script);
      });
    }
    return scripts[src];
  }

  function entries(group, kind) {
    return (window.mlreportData || []).filter(function (e) { return e.group === group && e.kind === kind; });
  }

  function dataUrl(group, kind, part) { return root + "data/" + group + "/" + kind + "-" + part + ".js"; }

  // Keys of params, metrics, tags and histories may be any text ("__proto__",
  // "constructor"): the data files hold them as pairs, read into objects without a
  // prototype, and "has" looks at own keys only.
  function keyed(pairs) {
    var object = Object.create(null);
    pairs.forEach(function (pair) { object[pair[0]] = pair.length > 2 ? pair.slice(1) : pair[1]; });
    return object;
  }
  function has(object, key) { return Object.prototype.hasOwnProperty.call(object, key); }

  function readRun(run) {  // once per run, in place: the data files are shared
    if (!Array.isArray(run.params)) return run;
    run.params = keyed(run.params);
    run.metrics = keyed(run.metrics);
    run.tags = keyed(run.tags);
    run.history = keyed(run.history);
    return run;
  }

  function groupTitle(group) {
    var first = entries(group, "runs")[0];
    return first && first.title ? first.title : group.replace(/^(experiments|mlflow)\//, "");
  }

  function loadedRuns(group) {  // the group's runs in table order, once every part is here
    var parts = entries(group, "runs").sort(function (a, b) { return a.part - b.part; });
    var seen = {};
    parts = parts.filter(function (p) { if (seen[p.part]) return false; seen[p.part] = true; return true; });
    if (!parts.length || parts.length < parts[0].parts) return null;
    return [].concat.apply([], parts.map(function (p) { return p.runs.map(readRun); }));
  }

  function loadRuns(group) {
    var ready = loadedRuns(group);
    if (ready) return Promise.resolve(ready);
    return loadScript(dataUrl(group, "runs", 0)).then(function () {
      var first = entries(group, "runs")[0];
      var rest = [];
      for (var part = 1; part < first.parts; part++) rest.push(loadScript(dataUrl(group, "runs", part)));
      return Promise.all(rest);
    }).then(function () { return loadedRuns(group); });
  }

  function loadHistory(group, run, key) {  // {step, value} of one metric of a run
    if (!has(run.history, key)) return Promise.resolve(null);
    var where = run.history[key];
    var find = function () {
      var found = null;
      entries(group, "history").forEach(function (e) {
        if (e.part !== where[0] || !has(e.runs, run.id)) return;
        e.runs[run.id].forEach(function (pair) { if (pair[0] === key) found = pair[1]; });
      });
      return found;
    };
    var ready = find();
    return ready ? Promise.resolve(ready) : loadScript(dataUrl(group, "history", where[0])).then(find);
  }

  function runHref(ref) { return root + "run.html?run=" + encodeURIComponent(ref).replace(/%2F/g, "/"); }
  function compareHref(base, refs) {
    return base + "?" + refs.map(function (r) { return "run=" + encodeURIComponent(r).replace(/%2F/g, "/"); }).join("&");
  }

  // A bar under a table whose rows can be ticked: "Compare (n)" opens the comparison.
  function pickBar(wrap, compareUrl) {
    var base = compareUrl || wrap.getAttribute("data-compare");
    var selected = [];
    var bar = element("div", "mlreport-compare-bar");
    var open = element("a", "md-button md-button--primary mlreport-compare-open", "Compare");
    var clear = element("button", "md-button mlreport-compare-clear", "Clear");
    var note = element("span", "mlreport-compare-note");
    bar.appendChild(open); bar.appendChild(clear); bar.appendChild(note);
    wrap.insertBefore(bar, wrap.firstChild);
    var boxes = [];
    function update() {
      open.textContent = "Compare " + selected.length + " ticked run" + (selected.length === 1 ? "" : "s");
      if (selected.length >= 2) open.setAttribute("href", compareHref(base, selected));
      else open.removeAttribute("href");
      open.setAttribute("aria-disabled", selected.length < 2 ? "true" : "false");
      note.textContent = selected.length < 2 ? "Tick two runs or more." : "";
      clear.disabled = !selected.length;
      boxes.forEach(function (box) { box.checked = selected.indexOf(box.value) >= 0; });
    }
    function toggle(ref, on) {
      var at = selected.indexOf(ref);
      if (on && at < 0) selected.push(ref);
      if (!on && at >= 0) selected.splice(at, 1);
      update();
    }
    function watch(box) {
      boxes.push(box);
      box.addEventListener("change", function () { toggle(box.value, box.checked); });
    }
    clear.addEventListener("click", function () { selected = []; update(); });
    update();
    return {
      watch: watch,
      selected: function () { return selected.slice(); },
      cell: function (ref) {  // a tick box cell for a row drawn from data
        var td = element("td", "mlreport-pick-cell");
        var box = document.createElement("input");
        box.type = "checkbox"; box.className = "mlreport-pick"; box.value = ref;
        box.setAttribute("aria-label", "Tick to compare");
        boxes = boxes.filter(function (b) { return b.isConnected; });
        watch(box);
        box.checked = selected.indexOf(ref) >= 0;
        td.appendChild(box);
        return td;
      }
    };
  }

  function shortNumber(value) {
    if (typeof value === "string") return value;  // NaN, Infinity, -Infinity
    if (value === null || value === undefined) return "";
    if (Number.isInteger(value)) return String(value);
    return String(parseFloat(value.toPrecision(6)));
  }

  function isoTime(ms) { return ms === null || ms === undefined ? "" : new Date(ms).toISOString().slice(0, 19).replace("T", " "); }

  function numberOf(value) {
    if (typeof value === "number") return value;
    if (value === "Infinity") return Infinity;
    if (value === "-Infinity") return -Infinity;
    if (typeof value === "string" && value.trim() !== "" && isFinite(Number(value))) return Number(value);
    return NaN;
  }

  var SYSTEM_TAG = /^(mlflow\.|mlreport\.)/;

  function runColumns(runs) {
    var columns = [
      { id: "run", label: "Run", group: "Run", text: function (r) { return r.name || r.id; } },
      { id: "status", label: "Status", group: "Run", text: function (r) { return r.status + (r.deleted ? " (deleted)" : ""); } },
      { id: "model", label: "Model", group: "Run", text: function (r) { return r.model; } },
      { id: "role", label: "Role", group: "Run", text: function (r) { return r.role; } },
      { id: "start", label: "Start (UTC)", group: "Run", text: function (r) { return isoTime(r.start); }, key: function (r) { return r.start === null ? NaN : r.start; }, numeric: true },
      { id: "duration", label: "Duration (s)", group: "Run", text: function (r) { return shortNumber(r.duration); }, key: function (r) { return numberOf(r.duration); }, numeric: true },
      { id: "id", label: "Run id", group: "Run", text: function (r) { return r.id; }, hidden: true }
    ];
    var keys = { params: Object.create(null), metrics: Object.create(null), tags: Object.create(null) };
    runs.forEach(function (r) {
      ["params", "metrics", "tags"].forEach(function (kind) { Object.keys(r[kind]).forEach(function (k) { keys[kind][k] = true; }); });
    });
    Object.keys(keys.params).sort().forEach(function (k) {
      var numeric = runs.every(function (r) { return !has(r.params, k) || !isNaN(numberOf(r.params[k])); });
      columns.push({ id: "param:" + k, label: k, group: "Params", numeric: numeric,
        text: function (r) { return has(r.params, k) ? r.params[k] : ""; },
        key: function (r) { return has(r.params, k) ? numberOf(r.params[k]) : NaN; } });
    });
    Object.keys(keys.metrics).sort().forEach(function (k) {
      columns.push({ id: "metric:" + k, label: k, group: "Metrics", numeric: true,
        text: function (r) { return has(r.metrics, k) ? shortNumber(r.metrics[k]) : ""; },
        raw: function (r) { return has(r.metrics, k) ? String(r.metrics[k]) : ""; },
        key: function (r) { return has(r.metrics, k) ? numberOf(r.metrics[k]) : NaN; } });
    });
    Object.keys(keys.tags).sort().forEach(function (k) {
      columns.push({ id: "tag:" + k, label: k, group: SYSTEM_TAG.test(k) ? "System tags" : "Tags", hidden: SYSTEM_TAG.test(k),
        text: function (r) { return has(r.tags, k) ? r.tags[k] : ""; } });
    });
    columns.forEach(function (c) {
      var first = null, same = true;
      var value = c.raw || c.text;  // as logged: 0.1234567 and 0.1234568 differ
      runs.forEach(function (r, i) { var v = value(r); if (i === 0) first = v; else if (v !== first) same = false; });
      c.constant = runs.length > 1 && same && c.id !== "run";
    });
    return columns;
  }

  // A filter: "> 0.8", "<= 10", "= 3" on numeric columns, else the text it contains.
  function matcher(text, numeric) {
    var needle = text.trim().toLowerCase();
    if (!needle) return null;
    var compared = numeric && /^(<=|>=|<|>|=)\s*(\S+)$/.exec(needle);
    if (compared && !isNaN(Number(compared[2]))) {
      var bound = Number(compared[2]), op = compared[1];
      return function (column, run) {
        var v = column.key(run);
        if (isNaN(v)) return false;
        return op === "<" ? v < bound : op === ">" ? v > bound : op === "<=" ? v <= bound : op === ">=" ? v >= bound : v === bound;
      };
    }
    return function (column, run) { return column.text(run).toLowerCase().indexOf(needle) >= 0; };
  }

  function csvField(text) {
    var value = String(text);
    if (/^[=+\-@\t\r]/.test(value) && !isFinite(Number(value))) value = "'" + value;  // no formulas
    return /[",\n\r]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function runsTable(container) {
    var group = container.getAttribute("data-group");
    var runs = loadedRuns(group) || [];
    var columns = runColumns(runs);
    var state = { hideConstant: true, filters: {}, sort: null, ascending: true, start: 0 };
    columns.forEach(function (c) { c.chosen = !c.hidden; });
    var PAGE = 100;

    var toolbar = element("div", "mlreport-runs-toolbar");
    var chooser = element("div", "mlreport-column-chooser");
    var summary = element("button", "md-button mlreport-columns-button", "Columns");
    summary.setAttribute("aria-expanded", "false");
    chooser.appendChild(summary);
    var lists = element("div", "mlreport-column-lists");
    lists.hidden = true;
    chooser.appendChild(lists);
    summary.addEventListener("click", function () {
      lists.hidden = !lists.hidden;
      summary.setAttribute("aria-expanded", lists.hidden ? "false" : "true");
    });
    var groups = {};
    columns.forEach(function (c) {
      if (!groups[c.group]) {
        var fieldset = element("fieldset");
        fieldset.appendChild(element("legend", null, c.group));
        groups[c.group] = fieldset;
        lists.appendChild(fieldset);
      }
      var label = element("label", "mlreport-column-choice");
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = c.chosen; box.value = c.id;
      box.addEventListener("change", function () { c.chosen = box.checked; draw(); });
      label.appendChild(box);
      label.appendChild(document.createTextNode(" " + c.label + (c.constant ? " (all equal)" : "")));
      groups[c.group].appendChild(label);
    });
    var constantLabel = element("label", "mlreport-hide-constant");
    var constantBox = document.createElement("input");
    constantBox.type = "checkbox"; constantBox.checked = true;
    constantBox.addEventListener("change", function () { state.hideConstant = constantBox.checked; draw(); });
    constantLabel.appendChild(constantBox);
    constantLabel.appendChild(document.createTextNode(" Hide columns whose values are all equal"));
    var download = element("button", "md-button mlreport-download", "Download CSV");
    toolbar.appendChild(chooser); toolbar.appendChild(constantLabel); toolbar.appendChild(download);
    container.appendChild(toolbar);

    var wrap = element("div", "mlreport-table-wrap");
    container.appendChild(wrap);
    var picks = pickBar(wrap, container.getAttribute("data-compare"));
    var table = element("table", "mlreport-table mlreport-runs-table");
    wrap.appendChild(table);
    var status = element("span", "mlreport-pager-status");
    status.setAttribute("aria-live", "polite");
    var previous = element("button", "md-button mlreport-previous", "Previous");
    var next = element("button", "md-button mlreport-next", "Next");
    var pager = element("div", "mlreport-pager");
    pager.appendChild(previous); pager.appendChild(status); pager.appendChild(next);
    wrap.appendChild(pager);
    previous.addEventListener("click", function () { state.start = Math.max(0, state.start - PAGE); drawBody(); });
    next.addEventListener("click", function () { state.start += PAGE; drawBody(); });

    function shownColumns() {
      return columns.filter(function (c) { return c.chosen && !(state.hideConstant && c.constant); });
    }
    function shownRuns() {
      var tests = columns.map(function (c) { var m = state.filters[c.id]; return m ? [c, m] : null; }).filter(Boolean);
      var kept = runs.filter(function (r) { return tests.every(function (t) { return t[1](t[0], r); }); });
      if (state.sort) {
        var c = state.sort, up = state.ascending;
        var keyed = kept.map(function (r, i) { return [c.numeric && c.key ? c.key(r) : c.text(r).toLowerCase(), i, r]; });
        keyed.sort(function (x, y) {
          var a = x[0], b = y[0];
          var order = c.numeric && (isNaN(a) || isNaN(b)) ? compare(a, b, true) : up ? compare(a, b, c.numeric) : compare(b, a, c.numeric);
          return order || x[1] - y[1];
        });
        kept = keyed.map(function (k) { return k[2]; });
      }
      return kept;
    }
    var body = document.createElement("tbody");
    function draw() {
      var shown = shownColumns();
      summary.textContent = "Columns (" + shown.length + " of " + columns.length + ")";
      var head = document.createElement("thead");
      var titles = document.createElement("tr");
      var filters = document.createElement("tr");
      filters.className = "mlreport-filters";
      titles.appendChild(element("th", "mlreport-pick-head", "Compare"));
      filters.appendChild(element("th"));
      shown.forEach(function (c) {
        var th = element("th", null, c.label);
        th.scope = "col";
        th.title = c.group + ": " + c.label;
        if (c.numeric) th.setAttribute("data-type", "number");
        th.tabIndex = 0;
        th.setAttribute("aria-sort", state.sort === c ? (state.ascending ? "ascending" : "descending") : "none");
        var sort = function () {
          state.ascending = state.sort === c ? !state.ascending : true;
          state.sort = c; state.start = 0; draw();
        };
        th.addEventListener("click", sort);
        th.addEventListener("keydown", function (event) { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); } });
        titles.appendChild(th);
        var cell = element("th");
        var input = element("input", "mlreport-column-filter");
        input.type = "search";
        input.placeholder = c.numeric ? "> 0.5" : "filter";
        input.setAttribute("aria-label", "Filter " + c.label);
        input.value = c.filterText || "";
        input.addEventListener("input", function () {
          c.filterText = input.value;
          state.filters[c.id] = matcher(input.value, c.numeric);
          state.start = 0; drawBody();
        });
        cell.appendChild(input);
        filters.appendChild(cell);
      });
      head.appendChild(titles); head.appendChild(filters);
      table.replaceChildren(head, body);
      drawBody();
    }
    function drawBody() {
      var shown = shownColumns();
      var kept = shownRuns();
      var end = Math.min(state.start + PAGE, kept.length);
      var rows = document.createDocumentFragment();
      for (var i = state.start; i < end; i++) {
        var r = kept[i], tr = document.createElement("tr");
        tr.appendChild(picks.cell(group + "/" + r.id));
        shown.forEach(function (c) {
          var td = element("td");
          var text = c.text(r);
          if (c.numeric) td.setAttribute("data-sort", "");
          if (c.id === "run") {
            var link = element("a", null, text);
            link.href = runHref(group + "/" + r.id);
            td.appendChild(link);
          } else {
            td.textContent = text.length > 120 ? text.slice(0, 119) + "\u2026" : text;
            if (text.length > 120) td.title = text;
          }
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      }
      body.replaceChildren(rows);
      status.textContent = kept.length
        ? "Runs " + (state.start + 1).toLocaleString("en") + "\u2013" + end.toLocaleString("en") + " of " +
          kept.length.toLocaleString("en") + (kept.length < runs.length ? " (filtered from " + runs.length.toLocaleString("en") + ")" : "")
        : "No run matches.";
      previous.disabled = state.start === 0;
      next.disabled = end >= kept.length;
    }
    download.addEventListener("click", function () {
      var shown = shownColumns();
      var lines = [["run_id"].concat(shown.map(function (c) { return c.id; })).map(csvField).join(",")];
      shownRuns().forEach(function (r) {
        lines.push([r.id].concat(shown.map(function (c) { return c.raw ? c.raw(r) : c.text(r); })).map(csvField).join(","));
      });
      var blob = new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv;charset=utf-8" });
      var link = element("a");
      link.href = URL.createObjectURL(blob);
      link.download = container.getAttribute("data-csv") || "runs.csv";
      document.body.appendChild(link);
      link.click();
      setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 0);
    });
    draw();
  }

  function keyValueTable(rows, caption, className) {
    var wrap = element("div", "mlreport-table-wrap");
    if (!rows.length) { wrap.appendChild(element("p", "mlreport-empty", "None.")); return wrap; }
    var table = element("table", "mlreport-table " + (className || ""));
    var head = document.createElement("thead");
    var tr = document.createElement("tr");
    caption.forEach(function (label) { var th = element("th", null, label); th.scope = "col"; tr.appendChild(th); });
    head.appendChild(tr);
    var body = document.createElement("tbody");
    rows.forEach(function (row) {
      var line = document.createElement("tr");
      row.forEach(function (text) { line.appendChild(element("td", null, text)); });
      body.appendChild(line);
    });
    table.appendChild(head); table.appendChild(body);
    wrap.appendChild(table);
    return wrap;
  }

  // A figure per stepped metric, placed in key order before any history arrives; each
  // is drawn when its history is here, or says it could not be loaded.
  function historyCharts(grid, keys, load) {
    keys.forEach(function (key) {
      var figure = element("figure", "mlreport-chart-figure");
      grid.appendChild(figure);
      load(key).then(function (drawn) {
        if (drawn) historyChart(figure, key, drawn.traces, drawn.note);
        else figure.remove();
      }, function (error) {
        figure.appendChild(element("p", "mlreport-error", "The history of " + key + " could not be loaded (" + error.message + ")."));
      });
    });
  }

  function historyChart(figure, key, traces, note) {
    var div = element("div", "mlreport-chart mlreport-history-chart");
    div.setAttribute("data-metric", key);
    div.style.minHeight = "300px";
    figure.appendChild(div);
    if (note) figure.appendChild(element("figcaption", null, note));
    loadPlotly(function () {
      var layout = { height: 300, margin: { l: 60, r: 20, t: 30, b: 50 }, title: { text: escapeHtml(key), font: { size: 13 } },
        xaxis: { title: { text: "step" } }, yaxis: { title: { text: escapeHtml(key) } }, showlegend: traces.length > 1,
        legend: { orientation: "h", y: -0.25 } };
      if (window.mlreportPlotlyTemplate) layout.template = window.mlreportPlotlyTemplate;
      window.Plotly.newPlot(div, traces, layout, { responsive: true, displaylogo: false }).then(function () {
        div.setAttribute("data-drawn", "true");
      });
    });
  }

  function escapeHtml(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  }

  function heading(parent, text) { parent.appendChild(element("h2", null, text)); }

  function message(container, text) { container.replaceChildren(element("p", "mlreport-empty", text)); }

  function runView(container) {
    var ref = new URLSearchParams(window.location.search).get("run");
    var parsed = parseRef(ref);
    if (!parsed) { message(container, ref ? "No run is named " + ref + "." : "No run chosen: open a run from a leaderboard or a runs table."); return; }
    loadRuns(parsed.group).then(function (runs) {
      var run = runs.filter(function (r) { return r.id === parsed.id; })[0];
      if (!run) { message(container, "The site has no run " + parsed.id + " in " + parsed.group + "."); return; }
      var title = document.querySelector(".md-content h1");
      var name = run.name || run.id;
      if (title) title.textContent = name;
      document.title = name + " - " + document.title;
      container.replaceChildren();
      var facts = element("dl", "mlreport-facts");
      var fact = function (label, value, href) {
        facts.appendChild(element("dt", null, label));
        var dd = element("dd");
        if (href) { var a = element("a", null, value); a.href = href; dd.appendChild(a); } else dd.textContent = value;
        facts.appendChild(dd);
      };
      fact("Runs of", groupTitle(parsed.group), root + parsed.group + "/runs.html");
      fact("Status", run.status + (run.deleted ? " (deleted)" : ""));
      if (run.model) fact("Model", run.model);
      if (run.role) fact("Role", run.role);
      fact("Start (UTC)", isoTime(run.start) || "\u2014");
      fact("Duration", run.duration === null ? "\u2014" : shortNumber(run.duration) + " s");
      if (run.parent) {
        var parentRun = runs.filter(function (r) { return r.id === run.parent; })[0];
        fact("Parent run", parentRun ? parentRun.name || parentRun.id : run.parent, parentRun ? runHref(parsed.group + "/" + run.parent) : null);
      }
      fact("Run id", run.id);
      container.appendChild(facts);
      var keys = function (object) { return Object.keys(object).sort(); };
      heading(container, "Params");
      container.appendChild(keyValueTable(keys(run.params).map(function (k) { return [k, run.params[k]]; }), ["Param", "Value"], "mlreport-run-params"));
      heading(container, "Metrics");
      container.appendChild(keyValueTable(keys(run.metrics).map(function (k) { return [k, shortNumber(run.metrics[k])]; }), ["Metric", "Latest value"], "mlreport-run-metrics"));
      var histories = keys(run.history);
      if (histories.length) {
        heading(container, "Metric histories");
        var grid = element("div", "mlreport-chart-grid mlreport-chart-grid-wide");
        container.appendChild(grid);
        historyCharts(grid, histories, function (key) {
          return loadHistory(parsed.group, run, key).then(function (history) {
            if (!history) return null;
            var logged = run.history[key][1];
            return {
              traces: [{ x: history.step, y: history.value, mode: "lines", name: escapeHtml(name) }],
              note: logged > history.step.length ? logged.toLocaleString("en") + " values logged; " + history.step.length.toLocaleString("en") + " evenly spaced steps drawn." : ""
            };
          });
        });
      }
      heading(container, "Tags");
      container.appendChild(keyValueTable(keys(run.tags).map(function (k) { return [k, run.tags[k]]; }), ["Tag", "Value"], "mlreport-run-tags"));
      heading(container, "Artifacts");
      container.appendChild(run.artifacts.length ? keyValueTable(run.artifacts.map(function (a) { return [a]; }), ["Path"], "mlreport-run-artifacts") : element("p", "mlreport-empty", "No artifact was logged."));
    }, function () { message(container, "The site has no run " + parsed.id + " in " + parsed.group + " (it has no run data of " + parsed.group + ")."); });
  }

  function compareView(container) {
    var refs = [];
    new URLSearchParams(window.location.search).getAll("run").forEach(function (ref) {
      var parsed = parseRef(ref);
      if (parsed && !refs.some(function (r) { return r.ref === ref; })) refs.push(parsed);
    });
    if (!refs.length) return;  // the page's own text says how to pick runs
    var groups = refs.map(function (r) { return r.group; }).filter(function (g, i, all) { return all.indexOf(g) === i; });
    // a group the site does not have (an experiment renamed since the link was made)
    // leaves its runs out as missing; the others are compared
    Promise.all(groups.map(function (g) { return loadRuns(g).catch(function () { return []; }); })).then(function (loaded) {
      var byGroup = Object.create(null);
      groups.forEach(function (g, i) { byGroup[g] = loaded[i] || []; });
      var found = [], missing = [];
      refs.forEach(function (r) {
        var run = byGroup[r.group].filter(function (x) { return x.id === r.id; })[0];
        if (run) found.push({ ref: r, run: run }); else missing.push(r.ref);
      });
      container.replaceChildren();
      if (missing.length) container.appendChild(element("p", "mlreport-error", "Not in this site: " + missing.join(", ")));
      if (!found.length) return;
      var onlyDifferences = element("label", "mlreport-only-differences");
      var box = document.createElement("input");
      box.type = "checkbox"; box.checked = true;
      onlyDifferences.appendChild(box);
      onlyDifferences.appendChild(document.createTextNode(" Only differences"));
      container.appendChild(onlyDifferences);
      var names = found.map(function (f) { return f.run.name || f.run.id; });
      var tables = [];
      var section = function (title, kind, format) {
        heading(container, title);
        var keys = Object.create(null);
        found.forEach(function (f) { Object.keys(f.run[kind]).forEach(function (k) { keys[k] = true; }); });
        var wrap = element("div", "mlreport-table-wrap");
        var table = element("table", "mlreport-table mlreport-compare-table mlreport-compare-" + kind);
        table.style.minWidth = (12 + 9 * found.length) + "rem";
        var head = document.createElement("tr");
        head.appendChild(element("th", null, title.replace(/s$/, "")));
        found.forEach(function (f, i) {
          var th = element("th");
          var a = element("a", null, names[i]); a.href = runHref(f.ref.ref);
          th.appendChild(a);
          th.appendChild(element("div", "mlreport-compare-group", groupTitle(f.ref.group)));
          head.appendChild(th);
        });
        var thead = document.createElement("thead"); thead.appendChild(head);
        var body = document.createElement("tbody");
        Object.keys(keys).sort().forEach(function (k) {
          var tr = document.createElement("tr");
          tr.appendChild(element("th", null, k));
          var logged = found.map(function (f) { return has(f.run[kind], k) ? String(f.run[kind][k]) : null; });
          var values = found.map(function (f) { return has(f.run[kind], k) ? format(f.run[kind][k]) : "\u2014"; });
          var same = logged.every(function (v) { return v === logged[0]; });  // as logged, not as shown
          tr.className = same ? "mlreport-same" : "mlreport-differs";
          tr.setAttribute("data-key", k);
          values.forEach(function (v) { tr.appendChild(element("td", null, v)); });
          body.appendChild(tr);
        });
        table.appendChild(thead); table.appendChild(body);
        wrap.appendChild(table);
        container.appendChild(wrap);
        tables.push(table);
      };
      section("Params", "params", String);
      section("Metrics", "metrics", shortNumber);
      section("Tags", "tags", String);
      var apply = function () {
        tables.forEach(function (t) { t.classList.toggle("mlreport-hide-same", box.checked); });
      };
      box.addEventListener("change", apply);
      apply();
      var stepped = Object.create(null);
      found.forEach(function (f) { Object.keys(f.run.history).forEach(function (k) { stepped[k] = true; }); });
      var keys = Object.keys(stepped).sort();
      if (!keys.length) return;
      heading(container, "Metric histories");
      var grid = element("div", "mlreport-chart-grid mlreport-chart-grid-wide");
      container.appendChild(grid);
      historyCharts(grid, keys, function (key) {
        return Promise.all(found.map(function (f) { return loadHistory(f.ref.group, f.run, key); })).then(function (histories) {
          var traces = [];
          histories.forEach(function (h, i) {
            if (h) traces.push({ x: h.step, y: h.value, mode: "lines", name: escapeHtml(names[i]) });
          });
          return { traces: traces, note: "" };
        });
      });
    }, function (error) { message(container, "The run data could not be loaded (" + error.message + ")."); });
  }

  function init() {
    document.querySelectorAll("table[data-sortable]").forEach(makeSortable);
    document.querySelectorAll("[data-rows]").forEach(makePaged);
    document.querySelectorAll(".mlreport-table-wrap[data-compare]:not([data-rows])").forEach(function (wrap) {
      var picks = pickBar(wrap);
      wrap.querySelectorAll("input.mlreport-pick").forEach(function (box) { picks.watch(box); });
    });
    document.querySelectorAll(".mlreport-runs[data-group]").forEach(runsTable);
    document.querySelectorAll(".mlreport-run-view").forEach(runView);
    document.querySelectorAll(".mlreport-compare").forEach(compareView);
    var charts = Array.prototype.slice.call(document.querySelectorAll(".mlreport-chart"));
    if (charts.length) loadPlotly(function () { drawCharts(charts); });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
