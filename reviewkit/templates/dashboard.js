/* reviewkit dashboard: filter and sort the articles table. Vanilla JS, no network. */
(function () {
  "use strict";
  var table = document.getElementById("articles");
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var filter = document.getElementById("filter");
  var stateSelect = document.getElementById("state-filter");
  var dueOnly = document.getElementById("due-only");
  var shown = document.getElementById("shown");
  var empty = document.getElementById("no-match");
  var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var countButtons = Array.prototype.slice.call(document.querySelectorAll("[data-filter-state]"));

  /* rows the browser actually lays out (not just flagged hidden=false) */
  function visibleRows() {
    return rows.filter(function (r) { return r.getClientRects().length > 0; });
  }

  function apply() {
    var terms = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    var state = stateSelect.value;
    var due = dueOnly.checked;
    var n = 0;
    rows.forEach(function (r) {
      var hay = r.getAttribute("data-search");
      var ok = (!state || r.getAttribute("data-state") === state) &&
        (!due || r.getAttribute("data-due") !== "") &&
        terms.every(function (t) { return hay.indexOf(t) !== -1; });
      r.hidden = !ok;
      if (ok) { n += 1; }
    });
    shown.textContent = n === rows.length ? "all " + n + " articles" : n + " of " + rows.length + " articles";
    empty.hidden = n !== 0;
    countButtons.forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-filter-state") === state));
    });
  }

  function sortKey(row, col) {
    var cell = row.cells[col];
    var key = cell.getAttribute("data-sort");
    return key !== null ? key : cell.textContent.trim().toLowerCase();
  }

  function sortBy(th) {
    var col = th.cellIndex;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    headers.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var keyed = rows.map(function (r, i) { return [sortKey(r, col), i, r]; });
    keyed.sort(function (a, b) {
      if (a[0] === b[0]) { return a[1] - b[1]; }
      if (a[0] === "") { return 1; }  /* empty cells last, in both directions */
      if (b[0] === "") { return -1; }
      return (a[0] < b[0] ? -1 : 1) * dir;
    });
    rows = keyed.map(function (k) { return k[2]; });
    var frag = document.createDocumentFragment();
    rows.forEach(function (r) { frag.appendChild(r); });
    tbody.appendChild(frag);
  }

  filter.addEventListener("input", apply);
  stateSelect.addEventListener("change", apply);
  dueOnly.addEventListener("change", apply);
  headers.forEach(function (th) {
    var button = th.querySelector("button");
    if (button) { button.addEventListener("click", function () { sortBy(th); }); }
  });
  countButtons.forEach(function (b) {
    b.addEventListener("click", function () {
      var state = b.getAttribute("data-filter-state");
      stateSelect.value = stateSelect.value === state ? "" : state;
      apply();
    });
  });
  apply();

  /* file:///…/index.html#selftest: exercise the page and write the results into #selftest,
     for a headless browser's --dump-dom (reviewkit's tests). */
  function selftest() {
    var out = { total: rows.length, initial_visible: visibleRows().length, states: {} };
    Array.prototype.forEach.call(stateSelect.options, function (opt) {
      if (!opt.value) { return; }
      stateSelect.value = opt.value;
      stateSelect.dispatchEvent(new Event("change"));
      var el = document.querySelector('[data-count="' + opt.value + '"]');
      out.states[opt.value] = {
        visible: visibleRows().length,
        count_element: el ? Number(el.textContent) : null,
        all_match: visibleRows().every(function (r) { return r.getAttribute("data-state") === opt.value; })
      };
    });
    stateSelect.value = "";
    stateSelect.dispatchEvent(new Event("change"));
    var probe = rows.length ? rows[rows.length - 1].getAttribute("data-title") : "";
    filter.value = probe;
    filter.dispatchEvent(new Event("input"));
    out.text_filter = {
      query: probe, visible: visibleRows().length,
      all_match: visibleRows().every(function (r) {
        return r.getAttribute("data-search").indexOf(probe.toLowerCase()) !== -1;
      }),
      shown: shown.textContent
    };
    filter.value = "zz-no-such-article-zz";
    filter.dispatchEvent(new Event("input"));
    out.no_match = { visible: visibleRows().length, message_shown: !empty.hidden };
    filter.value = "";
    filter.dispatchEvent(new Event("input"));
    dueOnly.checked = true;
    dueOnly.dispatchEvent(new Event("change"));
    out.due_visible = visibleRows().length;
    dueOnly.checked = false;
    dueOnly.dispatchEvent(new Event("change"));
    var titleButton = document.querySelector('th[data-key="title"] button');
    titleButton.click();
    titleButton.click();
    out.sorted_by_title = document.querySelector('th[data-key="title"]').getAttribute("aria-sort");
    titleButton.click();  /* leave it ascending for the dumped DOM */
    out.sorted_final = document.querySelector('th[data-key="title"]').getAttribute("aria-sort");
    out.final_visible = visibleRows().length;
    out.errors = window.__rkErrors.slice();
    document.getElementById("selftest").textContent = JSON.stringify(out);
  }
  if (location.hash === "#selftest") {
    /* after the load event and a turn of the event loop, so late errors are captured too */
    window.addEventListener("load", function () {
      setTimeout(function () {
        try { selftest(); } catch (e) {
          window.__rkErrors.push("selftest: " + e);
          document.getElementById("selftest").textContent = JSON.stringify({ errors: window.__rkErrors.slice() });
        }
      }, 0);
    });
  }
})();
