// The data-entry grid without a connection (docs/measurement.md, "Offline data entry").
// - Registers the service worker (ci_platform/pwa.py) and asks it to keep the grid pages of the
//   organisation's open periods, so that they open offline.
// - Offline, "Save draft" checks the values as the server would (the rules and the server's
//   messages come with the page: measurement/offline.py) and keeps the draft in IndexedDB, under
//   the signed-in person, initiative, organisation and period; the page says it is not yet sent.
// - Back online (or on opening the page online with a draft kept), the draft goes through the
//   grid's own save (POST to this page; the server checks everything again). With the version
//   it was typed on: if the submission changed in between, nothing is overwritten and the page
//   shows the differences to choose from. A refused draft stays on this device with the
//   server's messages.
// No sentence is written here: every text comes from the page, translated by the server.
(function () {
  "use strict";

  var form = document.getElementById("entry-grid");
  if (!form || !window.indexedDB || !window.fetch) { return; }
  function data(id) { return JSON.parse(document.getElementById(id).textContent); }
  var RULES = data("offline-rules");
  var TEXTS = data("offline-texts");
  var GRIDS = data("offline-grids");
  var M = RULES.messages;
  var KEY = form.dataset.draftKey;
  var status = document.getElementById("offline-status");
  var slot = document.getElementById("conflict-slot");
  var version = form.querySelector('input[name="loaded_at"]');
  var FIELD = /^[cx]?v\d+_\d+_\d+$/;
  var hasDraft = false;

  // --- IndexedDB: one store of drafts, by key --------------------------------------------------
  function open() {
    return new Promise(function (resolve, reject) {
      var request = indexedDB.open("ci-offline", 1);
      request.onupgradeneeded = function () { request.result.createObjectStore("drafts"); };
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function store(mode, act) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction("drafts", mode);
        var request = act(tx.objectStore("drafts"));
        tx.oncomplete = function () { db.close(); resolve(request.result); };
        tx.onerror = tx.onabort = function () { db.close(); reject(tx.error); };
      });
    });
  }
  var drafts = {
    get: function (key) { return store("readonly", function (s) { return s.get(key); }); },
    set: function (key, value) { return store("readwrite", function (s) { return s.put(value, key); }); },
    del: function (key) { return store("readwrite", function (s) { return s.delete(key); }); }
  };

  // --- The page ---------------------------------------------------------------------------------
  function say(text, kind) {
    status.hidden = !text;
    status.className = "alert alert-" + (kind || "warning");
    status.textContent = text || "";
  }
  function fields(all) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && FIELD.test(el.name) && (all || !el.disabled);
    });
  }
  function collect() {
    var out = {};
    fields(false).forEach(function (el) { out[el.name] = el.type === "checkbox" ? el.checked : el.value; });
    return out;
  }
  function fill(values) {
    fields(false).forEach(function (el) {
      if (!Object.prototype.hasOwnProperty.call(values, el.name)) { return; }
      if (el.type === "checkbox") { el.checked = !!values[el.name]; } else { el.value = values[el.name]; }
    });
  }
  function unmark() {
    Array.prototype.forEach.call(form.querySelectorAll(".invalid-feedback"), function (el) { el.remove(); });
    Array.prototype.forEach.call(form.querySelectorAll(".is-invalid"), function (el) {
      el.classList.remove("is-invalid");
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
  }
  // The same markup as the server's (templates/measurement/_grid_rows.html).
  function mark(problems) {
    var first = null;
    Object.keys(problems).forEach(function (name) {
      var input = form.elements[name];
      if (!input) { return; }
      input.classList.add("is-invalid");
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", name + "-err");
      var message = document.createElement("div");
      message.className = "invalid-feedback d-block";
      message.id = name + "-err";
      message.textContent = problems[name].join(" ");
      input.insertAdjacentElement("afterend", message);
      first = first || input;
    });
    if (first) { first.focus(); }
  }

  // --- The checks of measurement/entry/validation.py and pipeline.comment_problem ------------
  function fill_in(template, params) {  // Python's "%(name)s" and "%%"
    return template.replace(/%\((\w+)\)s|%%/g, function (all, name) { return name ? String(params[name]) : "%"; });
  }
  var NUMBER = /^[+-]?(([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]*)?|\.[0-9]+)$/;
  // A decimal as sign, whole digits and fraction digits (no leading or trailing zeros).
  function decimal(text) {
    var negative = text.charAt(0) === "-";
    var parts = text.replace(/^[+-]/, "").split(".");
    var whole = parts[0].replace(/^0+/, "");
    var fraction = (parts[1] || "").replace(/0+$/, "");
    return { negative: negative && (whole + fraction).length > 0, whole: whole, fraction: fraction };
  }
  function compare(a, b) {
    if (a.negative !== b.negative) { return a.negative ? -1 : 1; }
    var sign = a.negative ? -1 : 1;
    if (a.whole.length !== b.whole.length) { return sign * (a.whole.length > b.whole.length ? 1 : -1); }
    var length = Math.max(a.fraction.length, b.fraction.length);
    var x = a.whole + a.fraction + "0".repeat(length - a.fraction.length);
    var y = b.whole + b.fraction + "0".repeat(length - b.fraction.length);
    return x === y ? 0 : sign * (x > y ? 1 : -1);
  }
  function number(d) { return (d.negative ? -1 : 1) * Number((d.whole || "0") + "." + (d.fraction || "0")); }
  // -> {value} or {error}; {unknown: true} for digits of other scripts (the server decides).
  function parse(raw) {
    var text = raw.trim().replace(/\u2212/g, "-");
    if (text.charAt(0) === "=" || text.charAt(0) === "@") { return { error: M.formula }; }
    if (!NUMBER.test(text)) {
      if (/(?![0-9])\p{Nd}/u.test(text) && /^[\p{Nd}+\-.,]+$/u.test(text)) { return { unknown: true }; }
      return { error: fill_in(M.notNumber, { value: Array.from(raw).slice(0, 40).join("") }) };
    }
    text = text.replace(/,/g, "");
    var parts = text.replace(/^[+-]/, "").split(".");
    if (parts[0].replace(/^0+/, "").length > RULES.maxDigits) { return { error: M.tooLarge }; }
    if ((parts[1] || "").length > 6) { return { error: M.decimals }; }
    return { value: decimal(text) };
  }
  var ZERO = decimal("0");
  var HUNDRED = decimal("100");
  function checkValue(rule, value) {
    if (rule.type === RULES.integer && value.fraction) { return M.whole; }
    if (rule.type === RULES.percent && (compare(value, ZERO) < 0 || compare(value, HUNDRED) > 0)) { return M.percent; }
    if (rule.nonNegative && compare(value, ZERO) < 0) { return M.nonNegative; }
    if (rule.min !== null && compare(value, decimal(rule.min)) < 0) { return rule.minMessage; }
    if (rule.max !== null && compare(value, decimal(rule.max)) > 0) { return rule.maxMessage; }
    return null;
  }
  function commentProblem(text) {
    if (text.indexOf("\u0000") !== -1) { return M.commentNul; }
    var length = Array.from(text).length;
    if (length > RULES.maxComment) {
      return fill_in(M.commentLength, { n: length.toLocaleString("en-US"), max: RULES.maxComment.toLocaleString("en-US") });
    }
    if (/^[=+\-@\t\r]/.test(text) && !parse(text).value) { return fill_in(M.commentFormula, { char: "'" + text.charAt(0) + "'" }); }
    return null;
  }
  function roundHalfEven(x) {
    var r = Math.round(x);
    return Math.abs(x % 1) === 0.5 ? 2 * Math.round(x / 2) : r;
  }
  var OPS = {
    "<=": function (a, b) { return a <= b; }, "<": function (a, b) { return a < b; },
    ">=": function (a, b) { return a >= b; }, ">": function (a, b) { return a > b; },
    "==": function (a, b) { return a === b; }
  };
  // Every problem the server would report per cell, in the server's order.
  function check() {
    var problems = {};
    function add(name, message) { (problems[name] = problems[name] || []).push(message); }
    var values = {};
    var comments = {};
    Object.keys(RULES.measures).forEach(function (id) {
      RULES.measures[id].cells.forEach(function (name) {
        var input = form.elements[name];
        var note = form.elements["c" + name];
        if (!input) { return; }
        var text = note ? note.value : "";
        comments[name] = text.trim();
        if (note && !note.disabled && text !== note.defaultValue) {
          var problem = commentProblem(text.trim());
          if (problem) { add(name, problem); }
        }
      });
    });
    Object.keys(RULES.measures).forEach(function (id) {
      var rule = RULES.measures[id];
      rule.cells.forEach(function (name) {
        var input = form.elements[name];
        if (!input || !input.value.trim()) { return; }
        var parsed = parse(input.value);
        if (parsed.unknown) { return; }
        if (parsed.error) { add(name, parsed.error); return; }
        var problem = checkValue(rule, parsed.value);
        if (problem) { add(name, problem); return; }
        values[name] = number(parsed.value);
      });
    });
    function total(id) {
      var present = RULES.measures[id].cells.filter(function (name) { return name in values; });
      if (!present.length) { return null; }
      return present.reduce(function (sum, name) { return sum + values[name]; }, 0);
    }
    Object.keys(RULES.measures).forEach(function (id) {
      var rule = RULES.measures[id];
      var complete = rule.cells.every(function (name) { return name in values; });
      if (rule.maxChange === null || !complete || rule.previous === null) { return; }
      var before = Number(rule.previous);
      if (before === 0) { return; }
      var change = Math.abs(total(id) - before) / Math.abs(before) * 100;
      var commented = rule.cells.some(function (name) { return comments[name]; });
      if (change > rule.maxChange && !commented) {
        add(rule.cells[0], fill_in(M.change, { change: roundHalfEven(change), limit: rule.maxChange }));
      }
    });
    RULES.rules.forEach(function (r) {
      var left = total(r.left);
      var right = total(r.right);
      if (left === null || right === null) { return; }
      if (!OPS[r.op](left, right)) { add(RULES.measures[r.left].cells[0], r.message || M.rule); }
    });
    return problems;
  }

  // --- Keep, send ------------------------------------------------------------------------------
  function keepHere() {
    unmark();
    var problems = check();
    if (Object.keys(problems).length) {
      mark(problems);
      say(M.invalid, "danger");
      return Promise.resolve(false);
    }
    return drafts.set(KEY, { base: version.value, fields: collect(), saved: Date.now() }).then(function () {
      hasDraft = true;
      say(TEXTS.savedHere);
      return true;
    });
  }
  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : form.elements.csrfmiddlewaretoken.value;
  }
  function send(action) {
    return drafts.get(KEY).then(function (draft) {
      if (!draft) { return null; }
      say(TEXTS.sending, "info");
      var body = new FormData();
      Object.keys(draft.fields).forEach(function (name) {
        var value = draft.fields[name];
        if (name.charAt(0) === "x") { if (value) { body.append(name, "1"); } } else { body.append(name, value); }
      });
      body.append("loaded_at", draft.base);
      body.append(action, "1");
      return fetch(location.pathname, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRFToken": csrf() }
      }).then(function (response) {
        return response.json().then(function (answer) { return answer; }, function () { return {}; }).then(function (answer) {
          return answered(response.status, answer);
        });
      }, function () { say(TEXTS.notSent + " " + TEXTS.savedHere); });
    });
  }
  function answered(code, answer) {
    if (code === 200 && answer.status === "saved") {
      return drafts.del(KEY).then(function () { hasDraft = false; location.assign(location.pathname); });
    }
    if (code === 409 && answer.status === "conflict") {
      slot.innerHTML = answer.html;  // rendered by the server (templates/measurement/_grid_conflict.html)
      say(TEXTS.conflict);
      slot.scrollIntoView();
      return null;
    }
    if (code === 400 && answer.status === "invalid") {
      unmark();
      mark(answer.cells || {});
      say([TEXTS.refused].concat(answer.general || []).join(" "), "danger");
      return null;
    }
    say(TEXTS.notSent + " " + TEXTS.savedHere);
    return null;
  }

  form.addEventListener("submit", function (event) {
    var action = event.submitter && event.submitter.name === "submit" ? "submit" : "save";
    if (navigator.onLine && !hasDraft) { return; }  // the ordinary save
    event.preventDefault();
    if (!navigator.onLine) {
      if (action === "submit") { say(TEXTS.submitOffline); return; }
      keepHere();
      return;
    }
    keepHere().then(function (kept) { if (kept) { send(action); } });
  });

  // The comparison's choices (the server's own buttons, in the page or sent with a 409).
  document.addEventListener("click", function (event) {
    var choice = event.target.closest && event.target.closest("#conflict [data-choice]");
    if (!choice) { return; }
    var section = document.getElementById("conflict");
    if (choice.dataset.choice === "mine") {
      // Mine, on top of what is stored now: the form's own submit follows (above).
      // (Hidden, not removed: a removed button submits nothing.)
      version.value = section.dataset.version;
      section.hidden = true;
      return;
    }
    event.preventDefault();
    drafts.del(KEY).then(function () { location.assign(choice.getAttribute("href")); });
  });

  window.addEventListener("online", function () { if (hasDraft) { send("save"); } });
  window.addEventListener("offline", function () { say(hasDraft ? TEXTS.savedHere : TEXTS.offline); });

  drafts.get(KEY).then(function (draft) {
    if (draft) {
      hasDraft = true;
      fill(draft.fields);
      version.value = draft.base;
      say(TEXTS.savedHere);
      if (navigator.onLine) { send("save"); }
    } else if (!navigator.onLine) {
      say(TEXTS.offline);
    }
  }).catch(function () { return null; });

  // --- The service worker ----------------------------------------------------------------------
  if ("serviceWorker" in navigator && form.dataset.serviceWorker && navigator.onLine) {
    navigator.serviceWorker.register(form.dataset.serviceWorker).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function (registration) {
      var channel = new MessageChannel();
      channel.port1.onmessage = function () { form.dataset.offlineReady = "true"; };
      registration.active.postMessage(
        { type: "keep-pages", user: KEY.split(":")[0], urls: GRIDS.concat([location.pathname]) }, [channel.port2]
      );
    }).catch(function () { return null; });
  }
})();
