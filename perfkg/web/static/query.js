// perfkg's query page: a SPARQL editor (CodeMirror 5, vendored), the named queries one click away
// with their parameters, results as a sortable table with CSV download, and a bar chart when a
// column is numeric. Plain DOM, no framework; every value is set with textContent, never as HTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("query-data").textContent);
  var form = document.getElementById("query-form");
  var textarea = document.getElementById("editor");
  var status = document.getElementById("status");
  var resultsBox = document.getElementById("results");
  var chartBox = document.getElementById("chart");
  var tools = document.getElementById("result-tools");
  var countBox = document.getElementById("count");
  var paramsBox = document.getElementById("params");
  var NUMERIC = ["integer", "decimal", "double", "float", "int", "long", "nonNegativeInteger", "short"]
    .map(function (t) { return "http://www.w3.org/2001/XMLSchema#" + t; });
  var editor = window.CodeMirror ? CodeMirror.fromTextArea(textarea, {
    mode: "application/sparql-query", lineNumbers: true, matchBrackets: true, indentUnit: 2, viewportMargin: Infinity
  }) : null;
  var selected = null;   // {query, text}: the named query whose text the editor holds
  var current = null;    // {vars, rows}

  function text() { return editor ? editor.getValue() : textarea.value; }
  function setText(t) { if (editor) { editor.setValue(t); } else { textarea.value = t; } }
  function el(tag, attrs, content) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (content !== undefined) { e.textContent = content; }
    return e;
  }

  // --- named queries ------------------------------------------------------------------------
  Array.prototype.forEach.call(document.querySelectorAll("#named-queries button.named"), function (b) {
    b.addEventListener("click", function () { choose(b.getAttribute("data-name")); });
  });

  function choose(name) {
    var q = data.queries.filter(function (x) { return x.name === name; })[0];
    if (!q) { return; }
    selected = {query: q, text: q.text};
    setText(q.text);
    Array.prototype.forEach.call(document.querySelectorAll("#named-queries button.named"), function (b) {
      b.classList.toggle("active", b.getAttribute("data-name") === name);
    });
    paramsBox.textContent = "";
    if (q.params.length) {
      var fs = el("fieldset", {"class": "params"});
      fs.appendChild(el("legend", {}, "参数 Parameters · " + q.name));
      q.params.forEach(function (p) {
        var label = el("label", {"for": "param-" + p.name}, p.name + " (" + p.type + ") ");
        var input;
        if (p.choices && p.choices.length) {
          input = el("select", {id: "param-" + p.name, name: p.name});
          p.choices.forEach(function (c) {
            var o = el("option", {value: c}, c);
            if (c === p.default) { o.selected = true; }
            input.appendChild(o);
          });
        } else {
          input = el("input", {id: "param-" + p.name, name: p.name, type: p.type === "date" || p.type === "month" ? p.type : "text",
                               placeholder: p.description || ""});
          if (p.default !== null && p.default !== undefined) { input.value = p.default; }
        }
        input.setAttribute("data-param", p.name);
        label.appendChild(input);
        if (p.description) { label.appendChild(el("small", {}, " " + p.description)); }
        fs.appendChild(label);
      });
      paramsBox.appendChild(fs);
    }
    status.textContent = q.title_zh + " · " + q.title_en;
  }

  // --- running ------------------------------------------------------------------------------
  form.addEventListener("submit", function (ev) {
    ev.preventDefault();
    if (editor) { editor.save(); }
    var request;
    if (selected && text() === selected.text) {
      var qs = [];
      Array.prototype.forEach.call(paramsBox.querySelectorAll("[data-param]"), function (i) {
        if (i.value !== "") { qs.push(encodeURIComponent(i.getAttribute("data-param")) + "=" + encodeURIComponent(i.value)); }
      });
      request = fetch(data.api + encodeURIComponent(selected.query.name) + (qs.length ? "?" + qs.join("&") : ""),
                      {headers: {Accept: "application/sparql-results+json"}});
    } else {
      request = fetch(data.endpoint, {
        method: "POST",
        headers: {"Content-Type": "application/x-www-form-urlencoded", Accept: "application/sparql-results+json, text/turtle;q=0.9"},
        body: "query=" + encodeURIComponent(text())
      });
    }
    status.textContent = "运行中… running…";
    var started = Date.now();
    request.then(function (r) {
      var type = r.headers.get("Content-Type") || "";
      return r.text().then(function (body) { return {ok: r.ok, status: r.status, type: type, body: body, truncated: r.headers.get("X-Perfkg-Truncated")}; });
    }).then(function (r) {
      var secs = ((Date.now() - started) / 1000).toFixed(2);
      if (!r.ok) { showError(r.status, r.body); return; }
      if (r.type.indexOf("json") < 0) { showText(r.body); status.textContent = secs + " s"; return; }
      var json = JSON.parse(r.body);
      if (json.boolean !== undefined) { showText(String(json.boolean)); status.textContent = secs + " s"; return; }
      current = {vars: json.head.vars, rows: json.results.bindings};
      renderTable();
      renderChart();
      status.textContent = current.rows.length + " 行 rows · " + secs + " s" + (r.truncated ? " · 结果已截断 truncated" : "");
    }).catch(function (e) { showError("", String(e)); });
  });

  function showError(code, body) {
    current = null;
    tools.hidden = true;
    chartBox.textContent = "";
    resultsBox.textContent = "";
    resultsBox.appendChild(el("pre", {"class": "error", id: "error"}, (code ? code + " " : "") + body));
    status.textContent = "出错 error";
  }
  function showText(body) {
    current = null;
    tools.hidden = true;
    chartBox.textContent = "";
    resultsBox.textContent = "";
    resultsBox.appendChild(el("pre", {"class": "rdf"}, body));
  }

  // --- the table ----------------------------------------------------------------------------
  var sortState = {col: null, dir: 1};

  function isNumeric(cell) { return cell && cell.type !== "uri" && NUMERIC.indexOf(cell.datatype) >= 0; }
  function pageFor(iri) {
    for (var i = 0; i < data.bases.length; i++) {
      var b = data.bases[i] + "/";
      if (iri.indexOf(b) === 0) { return data.site + "id/" + iri.slice(b.length); }
    }
    return iri;
  }
  function compare(a, b) {
    if (!a && !b) { return 0; }
    if (!a) { return 1; }
    if (!b) { return -1; }
    if (isNumeric(a) && isNumeric(b)) { return Number(a.value) - Number(b.value); }
    return a.value.localeCompare(b.value, "zh");
  }

  function renderTable() {
    resultsBox.textContent = "";
    var table = el("table", {"class": "data results", id: "result-table"});
    var thead = el("thead");
    var tr = el("tr");
    current.vars.forEach(function (v) {
      var th = el("th", {"data-var": v, scope: "col"});
      var b = el("button", {type: "button", "class": "sort"}, v);
      if (sortState.col === v) { b.textContent = v + (sortState.dir > 0 ? " ▲" : " ▼"); th.setAttribute("aria-sort", sortState.dir > 0 ? "ascending" : "descending"); }
      b.addEventListener("click", function () {
        sortState.dir = sortState.col === v ? -sortState.dir : 1;
        sortState.col = v;
        current.rows.sort(function (x, y) { return sortState.dir * compare(x[v], y[v]); });
        renderTable();
      });
      th.appendChild(b);
      tr.appendChild(th);
    });
    thead.appendChild(tr);
    table.appendChild(thead);
    var tbody = el("tbody");
    current.rows.forEach(function (row) {
      var r = el("tr");
      current.vars.forEach(function (v) {
        var cell = row[v];
        var td = el("td");
        if (cell) {
          if (cell.type === "uri") {
            td.appendChild(el("a", {href: pageFor(cell.value)}, cell.value));
          } else {
            td.textContent = cell.value;
            if (isNumeric(cell)) { td.className = "num"; }
            if (cell["xml:lang"]) { td.setAttribute("lang", cell["xml:lang"]); }
          }
        }
        r.appendChild(td);
      });
      tbody.appendChild(r);
    });
    table.appendChild(tbody);
    resultsBox.appendChild(table);
    tools.hidden = false;
    countBox.textContent = current.rows.length + " 行 rows";
  }

  // --- CSV ----------------------------------------------------------------------------------
  function csvField(s) { return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s; }
  function toCsv() {
    var lines = [current.vars.map(csvField).join(",")];
    current.rows.forEach(function (row) {
      lines.push(current.vars.map(function (v) { return csvField(row[v] ? row[v].value : ""); }).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }
  document.getElementById("download-csv").addEventListener("click", function () {
    if (!current) { return; }
    var blob = new Blob(["\ufeff" + toCsv()], {type: "text/csv;charset=utf-8"});
    var a = el("a", {href: URL.createObjectURL(blob), download: (selected ? selected.query.name : "query") + ".csv"});
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
  });

  // --- the chart: bars of the first numeric column, labelled by the first text column --------
  function renderChart() {
    chartBox.textContent = "";
    if (!current || !current.rows.length) { return; }
    // the numeric column with the largest values (a total rather than a count), labelled by the
    // text column that tells the rows apart best
    var numCol = null, labelCol = null, numMax = -1, labelDistinct = 0;
    current.vars.forEach(function (v) {
      var cells = current.rows.map(function (r) { return r[v]; }).filter(Boolean);
      if (!cells.length) { return; }
      if (cells.every(isNumeric)) {
        var m = Math.max.apply(null, cells.map(function (c) { return Math.abs(Number(c.value)); }));
        if (m > numMax) { numMax = m; numCol = v; }
      } else if (cells.every(function (c) { return c.type !== "uri"; })) {
        var distinct = {};
        cells.forEach(function (c) { distinct[c.value] = true; });
        var n = Object.keys(distinct).length;
        if (n > labelDistinct) { labelDistinct = n; labelCol = v; }
      }
    });
    if (numCol === null) { return; }
    var rows = current.rows.filter(function (r) { return r[numCol]; }).slice(0, 30);
    var max = Math.max.apply(null, rows.map(function (r) { return Math.abs(Number(r[numCol].value)); })) || 1;
    var NS = "http://www.w3.org/2000/svg", W = 820, L = 300, H = 26 * rows.length + 30;
    var svg = document.createElementNS(NS, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("width", W);
    svg.setAttribute("height", H);
    svg.setAttribute("id", "result-chart");
    svg.setAttribute("class", "chart");
    var title = document.createElementNS(NS, "text");
    title.setAttribute("x", 4); title.setAttribute("y", 14); title.setAttribute("class", "note");
    title.textContent = numCol + (labelCol ? " × " + labelCol : "");
    svg.appendChild(title);
    rows.forEach(function (r, i) {
      var y = 24 + i * 26, value = Number(r[numCol].value), w = Math.max(1, (W - L - 120) * Math.abs(value) / max);
      var label = document.createElementNS(NS, "text");
      label.setAttribute("x", L - 8); label.setAttribute("y", y + 16); label.setAttribute("text-anchor", "end");
      label.setAttribute("class", "label");
      var name = labelCol && r[labelCol] ? r[labelCol].value : String(i + 1);
      label.textContent = name.length > 28 ? name.slice(0, 27) + "…" : name;
      var rect = document.createElementNS(NS, "rect");
      rect.setAttribute("x", L); rect.setAttribute("y", y + 3); rect.setAttribute("width", w.toFixed(1));
      rect.setAttribute("height", 20); rect.setAttribute("fill", "#2f6db5");
      var val = document.createElementNS(NS, "text");
      val.setAttribute("x", L + w + 6); val.setAttribute("y", y + 16); val.setAttribute("class", "value");
      val.textContent = r[numCol].value;
      svg.appendChild(label); svg.appendChild(rect); svg.appendChild(val);
    });
    chartBox.appendChild(svg);
  }

  var wanted = new URLSearchParams(location.search).get("named");
  if (wanted) { choose(wanted); }
})();
