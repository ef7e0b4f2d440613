// Draws every Plotly figure whose JSON the server put in a <script type="application/json">.
// No inline scripts: the page lists figures as <div data-figure="json-element-id">.
//
// Text in two directions (docs/glossary.md, STYLE.md): time runs left to right on every chart in
// both languages, so that a rising line looks like one; only titles, legends and labels follow the
// page. Whatever a figure asks, a reversed x axis is put back in order here, axes make room for
// their labels (automargin: no clipped period, no title over the ticks), ranges such as 0–100 in
// a title are isolated left to right, and Plotly speaks the page's language (its locale is
// registered by plotly-locale-<lang>.js, loaded before this file).
(function () {
  "use strict";
  var LRI = "\u2066", PDI = "\u2069";
  var RANGE = /\d[\d,.]*\s?[–—-]\s?\d[\d,.]*%?/g;

  function isolateRanges(text) {
    if (typeof text !== "string" || text.indexOf(LRI) !== -1) { return text; }
    return text.replace(RANGE, function (r) { return LRI + r + PDI; });
  }

  function titled(axis) {
    if (typeof axis.title === "string") { axis.title = {text: axis.title}; }
    axis.title = axis.title || {};
    axis.title.text = isolateRanges(axis.title.text);
    return axis.title;
  }

  // Exposed for the tests (tests/test_browser_hebrew.py) and any other page that draws a figure.
  function normalise(layout) {
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
        titled(axis);
      } else if (/^yaxis\d*$/.test(key)) {
        axis.automargin = true;
        titled(axis).standoff = 12;
      }
    });
    if (layout.title) { layout.title = typeof layout.title === "string" ? {text: layout.title} : layout.title; }
    layout.hoverlabel = Object.assign({align: "auto"}, layout.hoverlabel || {});
    return layout;
  }

  function draw() {
    if (typeof Plotly === "undefined") { return; }
    var lang = document.documentElement.lang || "en";
    document.querySelectorAll("[data-figure]").forEach(function (el) {
      var source = document.getElementById(el.getAttribute("data-figure"));
      if (!source) { return; }
      var figure = JSON.parse(source.textContent);
      Plotly.newPlot(el, figure.data, normalise(figure.layout), {
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
