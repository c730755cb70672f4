#include "output/html_assets.hpp"

namespace slowburn::analyze {

const std::string_view kHtmlStyle = R"css(
:root { --growing: #c62828; --plateau: #b26a00; --churn: #00838f; --transient: #2e7d32;
        --stable: #607d8b; --ink: #1d2329; --muted: #5f6b76; --line: #d6dbe0; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
       margin: 0 auto; padding: 16px 24px 48px; max-width: 1180px; }
h1 { font-size: 20px; margin: 0 0 4px; word-break: break-all; }
h2 { font-size: 16px; margin: 28px 0 8px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; }
.facts { color: var(--muted); margin: 2px 0; }
.note { color: #8a5a00; background: #fff6e0; padding: 4px 8px; margin: 4px 0; }
code, .mono { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 13px; }
.verdict { border-left: 6px solid var(--stable); background: #f4f6f8; padding: 10px 14px;
           margin: 14px 0; font-size: 16px; }
.verdict.bad { border-color: var(--growing); background: #fdecea; }
.verdict .where { font-weight: 600; word-break: break-all; }
.badge { display: inline-block; font: 600 11px/1 system-ui, sans-serif; color: #fff;
         padding: 3px 6px; border-radius: 3px; letter-spacing: .03em; }
.badge.GROWING { background: var(--growing); } .badge.PLATEAU { background: var(--plateau); }
.badge.CHURN { background: var(--churn); } .badge.TRANSIENT { background: var(--transient); }
.badge.STABLE { background: var(--stable); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line);
         vertical-align: top; }
td.num, th.num { text-align: right; white-space: nowrap; }
th { cursor: pointer; user-select: none; background: #f4f6f8; position: sticky; top: 0; }
th[aria-sort=descending]::after { content: " \25BE"; }
th[aria-sort=ascending]::after { content: " \25B4"; }
tr.GROWING td:first-child { box-shadow: inset 4px 0 var(--growing); }
td.where { word-break: break-all; }
dl.legend { display: grid; grid-template-columns: max-content 1fr; gap: 4px 12px;
            margin: 8px 0 12px; }
dl.legend dd { margin: 0; color: var(--muted); }
section.site { border: 1px solid var(--line); border-radius: 4px; padding: 10px 14px;
               margin: 14px 0; }
section.site .facts b { color: var(--ink); }
ol.stack { margin: 6px 0 0; padding-left: 28px; }
ol.stack li { word-break: break-all; }
ol.stack li.plumbing { color: var(--muted); }
details.inner { margin-top: 4px; color: var(--muted); } details.inner summary { cursor: pointer; }
ol.stack li.location { font-weight: 600; }
svg.chart { width: 100%; height: auto; max-width: 760px; display: block; margin: 6px 0; }
svg .grid { stroke: #eceff1; } svg .axis, svg .tick { stroke: #90a4ae; }
svg text { font: 11px system-ui, sans-serif; fill: var(--muted); }
svg .ytick { text-anchor: end; } svg .xtick { text-anchor: middle; }
svg .series, svg .key { fill: none; stroke-width: 2; stroke-linejoin: round; }
svg .live { stroke: #1565c0; } svg .calls { stroke: #00838f; } svg .heap { stroke: #1565c0; } svg .rss { stroke: #8e24aa; }
svg .fit { stroke: var(--growing); stroke-width: 1.5; stroke-dasharray: 6 4; }
.rest { color: var(--muted); }
footer { margin-top: 32px; color: var(--muted); font-size: 12px; word-break: break-all; }
)css";

const std::string_view kHtmlScript = R"js(
"use strict";
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  heads.forEach(function (th, column) {
    th.title = "sort by this column";
    th.addEventListener("click", function () {
      var descending = th.getAttribute("aria-sort") !== "descending";
      heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", descending ? "descending" : "ascending");
      var numeric = th.classList.contains("num");
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      rows.sort(function (a, b) {
        var x = a.cells[column], y = b.cells[column];
        var order = numeric ? Number(x.dataset.v) - Number(y.dataset.v)
                            : x.textContent.localeCompare(y.textContent);
        return descending ? -order : order;
      });
      rows.forEach(function (row) { body.appendChild(row); });
    });
  });
});
)js";

}  // namespace slowburn::analyze
