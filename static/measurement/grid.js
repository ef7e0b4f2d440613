// The data-entry grid, for the keyboard (progressive enhancement: without it, Tab still works).
// - The arrow keys move between the value fields like a spreadsheet: Up and Down to the same
//   column of the row above or below; Left and Right to the neighbouring field once the caret is
//   at the edge of the text (or the whole value is selected), so that editing a value still
//   works. Left and Right follow the page's direction: in Hebrew (right to left) ArrowLeft goes to
//   the next field. Enter keeps its usual meaning (saves the draft).
// - After a failed save the first marked field gets the focus, so that its error is read out.
(function () {
  "use strict";

  function start() {
    var form = document.getElementById("entry-grid");
    if (!form) { return; }
    var rows = Array.prototype.map.call(form.querySelectorAll("tbody tr"), function (tr) {
      return Array.prototype.filter.call(tr.querySelectorAll('input[inputmode="decimal"]'), function (input) {
        return !input.disabled;
      });
    }).filter(function (cells) { return cells.length > 0; });

    function find(input) {
      for (var r = 0; r < rows.length; r++) {
        var c = rows[r].indexOf(input);
        if (c !== -1) { return [r, c]; }
      }
      return null;
    }

    function go(cell) {
      if (!cell) { return false; }
      cell.focus();
      cell.select();
      return true;
    }

    function atEdge(input, end) {
      var length = input.value.length;
      var start = input.selectionStart;
      var stop = input.selectionEnd;
      if (start === 0 && stop === length) { return true; }  // empty, or the whole value selected
      return start === stop && start === (end ? length : 0);
    }

    form.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      var at = find(event.target);
      if (!at) { return; }
      var r = at[0];
      var c = at[1];
      var rtl = getComputedStyle(form).direction === "rtl";
      var target = null;
      switch (event.key) {
        case "ArrowUp":
          if (r > 0) { target = rows[r - 1][Math.min(c, rows[r - 1].length - 1)]; }
          break;
        case "ArrowDown":
          if (r < rows.length - 1) { target = rows[r + 1][Math.min(c, rows[r + 1].length - 1)]; }
          break;
        case "ArrowLeft":
        case "ArrowRight":
          // The value fields are left to right (numbers); the caret edge is checked in the field's
          // own direction, the move follows the page's.
          if (!atEdge(event.target, event.key === "ArrowRight")) { return; }
          var forward = (event.key === "ArrowRight") !== rtl;
          var cells = [].concat.apply([], rows);
          var index = cells.indexOf(event.target) + (forward ? 1 : -1);
          target = cells[index] || null;
          break;
        default:
          return;
      }
      if (go(target)) { event.preventDefault(); }
    });

    var firstError = form.querySelector(".is-invalid");
    if (firstError) { firstError.focus(); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
