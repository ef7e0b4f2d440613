// Draws every Plotly figure whose JSON the server put in a <script type="application/json">.
// No inline scripts: the page lists figures as <div data-figure="json-element-id">.
//
// Text in two directions (STYLE.md): a chart is a drawing whose time runs left to right in both
// languages, so that a rising line looks like one; only its texts follow the page. So, whatever a
// figure asks:
// - a reversed x axis is put back in order, and the drawing itself is left to right (the .chart
//   box is dir="ltr": Plotly anchors its SVG labels by start and end, which a right-to-left page
//   would swap, putting a title over the ticks);
// - on a right-to-left page every text (titles, legend, category labels, hover) is a right-to-left
//   isolate, so "ציון (0–100)" or "רבעון 4, 2026" reads as it does in the page, and a range in a
//   title is a left-to-right isolate inside it;
// - the axes make room for their labels (automargin: no clipped period, no title over the ticks),
//   and a horizontal legend stands above the plot, where rotated period labels cannot reach it;
// - Plotly speaks the page's language: its locale (plotly-locale-<lang>.js) is registered first.
(function () {
  "use strict";
  var LRI = "\u2066", RLI = "\u2067", PDI = "\u2069";
  var RANGE = /\d[\d,.]*\s?[–—-]\s?\d[\d,.]*%?/g;

  function isolateRanges(text) {
    if (typeof text !== "string" || text.indexOf(LRI) !== -1) { return text; }
    return text.replace(RANGE, function (r) { return LRI + r + PDI; });
  }

  function pageText(text, rtl) {
    if (typeof text !== "string" || text === "") { return text; }
    text = isolateRanges(text);
    return text;
  }

  function titled(axis, rtl) {
    if (typeof axis.title === "string") { axis.title = {text: axis.title}; }
    axis.title = axis.title || {};
    axis.title.text = pageText(axis.title.text, rtl);
    return axis.title;
  }

  function normaliseLayout(layout, rtl) {
    layout = layout || {};
    Object.keys(layout).forEach(function (key) {
      var axis = layout[key];
      if (!axis || typeof axis !== "object") { return; }
      if (/^xaxis\d*$/.test(key)) {
        if (axis.autorange === "reversed") { axis.autorange = true; }
        if (Array.isArray(axis.range) && axis.range.length === 2 && axis.range[0] > axis.range[1]) {
          axis.range = [axis.range[1], axis.range[0]];
        }
        axis.automargin = true;
        ["categoryarray", "ticktext"].forEach(function (k) {
          if (Array.isArray(axis[k])) { axis[k] = axis[k].map(function (t) { return pageText(t, rtl); }); }
        });
        if (Array.isArray(axis.tickvals) && axis.type === "category") {
          axis.tickvals = axis.tickvals.map(function (t) { return pageText(t, rtl); });
        }
        titled(axis, rtl);
      } else if (/^yaxis\d*$/.test(key)) {
        axis.side = "left";
        axis.automargin = true;
        titled(axis, rtl).standoff = 10;
      }
    });
    if (layout.title) {
      layout.title = typeof layout.title === "string" ? {text: layout.title} : layout.title;
      layout.title.text = pageText(layout.title.text, rtl);
    }
    if (layout.legend && layout.legend.orientation === "h" && (layout.legend.y || 0) < 0) {
      layout.legend = Object.assign({}, layout.legend, {y: 1.02, yanchor: "bottom"});
    }
    layout.hoverlabel = Object.assign({align: rtl ? "right" : "left"}, layout.hoverlabel || {});
    return layout;
  }

  function normaliseData(data, layout, rtl) {
    var categorical = layout.xaxis && layout.xaxis.type === "category";
    return (data || []).map(function (trace) {
      trace = Object.assign({}, trace);
      trace.name = pageText(trace.name, rtl);
      if (rtl && categorical && Array.isArray(trace.x)) {
        trace.x = trace.x.map(function (x) { return pageText(x, rtl); });
      }
      return trace;
    });
  }

  // Exposed for the tests (tests/test_browser_hebrew.py).
  // Room for the labels. Plotly's automargin under-measures rotated category labels and leaves the
  // y title out, so the margins are made wide enough here (automargin may still widen them).
  var CHAR = 7;  // px per character at the 12px tick font, generous for Hebrew and digits
  function makeRoom(figure) {
    var layout = figure.layout, xaxis = layout.xaxis || {}, yaxis = layout.yaxis || {};
    var margin = layout.margin = Object.assign({l: 40, r: 40, t: 40, b: 50}, layout.margin || {});
    var labels = (xaxis.ticktext || xaxis.categoryarray || []).map(String);
    (figure.data || []).forEach(function (trace) {
      (Array.isArray(trace.x) ? trace.x : []).forEach(function (x) { if (x !== null) { labels.push(String(x)); } });
    });
    var longest = labels.reduce(function (n, t) { return Math.max(n, t.length); }, 0);
    var count = Math.max(xaxis.categoryarray ? xaxis.categoryarray.length : 0, 1);
    var yTitle = yaxis.title && yaxis.title.text ? 22 : 0;
    var ySide = yaxis.side === "right" ? "r" : "l";
    margin[ySide] = Math.max(margin[ySide], 48 + yTitle);
    if (xaxis.type === "category" && longest * count > 60) {
      // Many long labels: slanted, ending under their tick, with the room they take below and left.
      var slant = Math.ceil(longest * CHAR * 0.71);
      xaxis.tickangle = -45;
      margin.b = Math.max(margin.b, slant + 16);
      margin.l = Math.max(margin.l, slant - 10);
      layout.height = (layout.height || 280) + Math.max(0, slant + 16 - 50);
    } else {
      margin.r = Math.max(margin.r, Math.ceil(longest * CHAR / 2) + 8);
    }
    return figure;
  }

  // Exposed for the tests (tests/test_browser_hebrew.py).
  function normalise(figure, rtl) {
    var layout = normaliseLayout(figure.layout, rtl);
    return makeRoom({data: normaliseData(figure.data, layout, rtl), layout: layout});
  }

  function draw() {
    if (typeof Plotly === "undefined") { return; }
    var lang = document.documentElement.lang || "en";
    var rtl = document.documentElement.dir === "rtl";
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = normalise(JSON.parse(source.textContent), rtl);
      el.setAttribute("dir", "ltr");
      Plotly.newPlot(el, figure.data, figure.layout, {
        displaylogo: false,
        responsive: true,
        locale: lang,
        modeBarButtonsToRemove: ["select2d", "lasso2d"],
      }).then(function () { el.setAttribute("data-rendered", "true"); });
    });
  }

  window.ciCharts = {normalise: normalise, isolateRanges: isolateRanges};
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
