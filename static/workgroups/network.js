/* The collaboration network, drawn with Plotly from the data the page embeds (json_script).
 * Organisations are coloured by sector and sized by their number of ties. Survey ties are solid
 * when both sides report them and dotted when one side does; thicker lines mean more contact. */
(function () {
  "use strict";

  var holder = document.getElementById("network-graph");
  var source = document.getElementById("network-data");
  if (!holder || !source || typeof window.Plotly === "undefined") {
    return;
  }
  var data = JSON.parse(source.textContent);
  var graph = data.graph || { nodes: [], edges: [] };
  var labels = data.labels;
  var byId = {};
  graph.nodes.forEach(function (node) { byId[node.id] = node; });

  function edgeStyle(edge) {
    if (edge.frequency !== undefined) {
      return { width: 0.5 + edge.frequency, dash: edge.mutual ? "solid" : "dot" };
    }
    return { width: 0.5 + Math.min(4, (edge.activities || 0) + (edge.groups || 0)), dash: "solid" };
  }

  function edgeText(edge, a, b) {
    var parts = [];
    if (edge.frequency !== undefined) {
      parts.push(labels.frequency[String(edge.frequency)] || "");
      (edge.kinds || []).forEach(function (kind) { parts.push(labels.kinds[kind] || kind); });
      parts.push(edge.mutual ? labels.mutual : labels.one_side);
    } else {
      if (edge.activities) { parts.push(edge.activities + " " + labels.activities); }
      if (edge.groups) { parts.push(edge.groups + " " + labels.groups); }
    }
    return a.name + " — " + b.name + "<br>" + parts.filter(Boolean).join(" · ");
  }

  // One line trace per style (Plotly draws a trace with a single width and dash).
  var styles = {};
  var middles = { x: [], y: [], text: [] };
  graph.edges.forEach(function (edge) {
    var a = byId[edge.source];
    var b = byId[edge.target];
    if (!a || !b) { return; }
    var style = edgeStyle(edge);
    var key = style.width + "|" + style.dash;
    if (!styles[key]) { styles[key] = { style: style, x: [], y: [] }; }
    styles[key].x.push(a.x, b.x, null);
    styles[key].y.push(a.y, b.y, null);
    middles.x.push((a.x + b.x) / 2);
    middles.y.push((a.y + b.y) / 2);
    middles.text.push(edgeText(edge, a, b));
  });

  var traces = Object.keys(styles).map(function (key) {
    var s = styles[key];
    return {
      type: "scatter", mode: "lines", x: s.x, y: s.y, hoverinfo: "skip", showlegend: false,
      line: { width: s.style.width, dash: s.style.dash, color: "rgba(90, 90, 90, 0.55)" }
    };
  });
  // Invisible points in the middle of each tie carry its description on hover.
  traces.push({
    type: "scatter", mode: "markers", x: middles.x, y: middles.y, text: middles.text,
    hovertemplate: "%{text}<extra></extra>", showlegend: false,
    marker: { size: 10, opacity: 0 }
  });

  // One node trace per sector, so that the legend names the colours.
  Object.keys(labels.sectors).forEach(function (sector) {
    var nodes = graph.nodes.filter(function (node) { return node.sector === sector; });
    if (!nodes.length) { return; }
    traces.push({
      type: "scatter",
      mode: "markers+text",
      name: labels.sectors[sector],
      x: nodes.map(function (n) { return n.x; }),
      y: nodes.map(function (n) { return n.y; }),
      text: nodes.map(function (n) { return n.name; }),
      customdata: nodes.map(function (n) { return n.degree; }),
      textposition: nodes.map(function (n) { return n.y >= 0 ? "top center" : "bottom center"; }),
      hovertemplate: "<b>%{text}</b><br>" + labels.sectors[sector] + "<br>%{customdata} " + labels.ties + "<extra></extra>",
      marker: {
        color: labels.colours[sector],
        size: nodes.map(function (n) { return 14 + 4 * Math.sqrt(n.degree); }),
        line: { width: 1, color: "#fff" }
      }
    });
  });

  var axis = { visible: false, range: [-1.35, 1.35], fixedrange: true };
  var layout = {
    margin: { l: 10, r: 10, t: 10, b: 10 },
    xaxis: axis,
    yaxis: Object.assign({ scaleanchor: "x" }, axis),
    hovermode: "closest",
    showlegend: false, // the page's own legend names the sector colours
    paper_bgcolor: "rgba(0,0,0,0)",
    plot_bgcolor: "rgba(0,0,0,0)",
    font: { family: getComputedStyle(document.body).fontFamily }
  };
  window.Plotly.newPlot(holder, traces, layout, { displaylogo: false, responsive: true }).then(function () {
    holder.dataset.rendered = "true";
  });
}());
