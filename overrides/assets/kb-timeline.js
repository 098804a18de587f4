/* Timeline filters: topic, entity, kind and years, kept in the address.
 *
 * The page (scripts/kb/site/timeline_filter.py) renders every event, each with
 * its data as attributes (data-year, data-topics, data-entities, data-kinds),
 * and a hidden box holding the filter's options and strings. This script
 * builds the controls in that box and reveals it; without JavaScript the page
 * shows every event. The state is the address's query (?topic=&entity=&kind=
 * &from=&to=): each change pushes an address, so a filtered view can be
 * shared and opened, and back and forward restore the one before.
 * On the split timeline (years on pages of their own) the index hides the
 * years outside the range, and its links and the pagers keep the filter.
 */
(function () {
  "use strict";
  var KEYS = ["topic", "entity", "kind", "from", "to"];

  function stateFromAddress() {
    var params = new URLSearchParams(window.location.search);
    var state = {};
    KEYS.forEach(function (key) { state[key] = params.get(key) || ""; });
    return state;
  }

  function query(state) {
    var params = new URLSearchParams();
    KEYS.forEach(function (key) { if (state[key]) params.set(key, state[key]); });
    var text = params.toString();
    return text ? "?" + text : "";
  }

  function matches(el, state) {
    var year = parseInt(el.getAttribute("data-year"), 10);
    var has = function (attr, value) {
      return !value || (el.getAttribute(attr) || "").split(" ").indexOf(value) !== -1;
    };
    return has("data-topics", state.topic) && has("data-entities", state.entity) &&
      has("data-kinds", state.kind) &&
      (!state.from || year >= parseInt(state.from, 10)) && (!state.to || year <= parseInt(state.to, 10));
  }

  function select(id, label, options, allLabel) {
    var wrap = document.createElement("div");
    wrap.className = "kb-filters__field";
    var lab = document.createElement("label");
    lab.htmlFor = id;
    lab.textContent = label;
    var sel = document.createElement("select");
    sel.id = id;
    if (allLabel !== null) sel.add(new Option(allLabel, ""));
    options.forEach(function (o) { sel.add(new Option(o[1], o[0])); });
    wrap.appendChild(lab);
    wrap.appendChild(sel);
    return { wrap: wrap, select: sel };
  }

  function setup() {
    var box = document.querySelector(".kb-filters");
    if (!box || box.getAttribute("data-ready")) return;
    box.setAttribute("data-ready", "1");
    var data = JSON.parse(box.getAttribute("data-filter"));
    var s = data.strings, opts = data.options;
    var events = Array.prototype.slice.call(document.querySelectorAll(".kb-event"));
    var years = opts.year.map(function (y) { return [y, y]; });

    var fieldset = document.createElement("fieldset");
    var legend = document.createElement("legend");
    legend.textContent = s.legend;
    fieldset.appendChild(legend);
    var controls = {};
    var fields = [
      ["topic", s.topic, opts.topic], ["entity", s.entity, opts.entity], ["kind", s.kind, opts.kind],
      ["from", s.from, years], ["to", s.to, years]
    ];
    fields.forEach(function (f) {
      if (!f[2].length || ((f[0] === "from" || f[0] === "to") && f[2].length < 2)) return;
      var made = select("kb-filter-" + f[0], f[1], f[2], s.all);
      controls[f[0]] = made.select;
      fieldset.appendChild(made.wrap);
    });
    var reset = document.createElement("button");
    reset.type = "button";
    reset.className = "md-button kb-filters__reset";
    reset.textContent = s.reset;
    fieldset.appendChild(reset);
    var status = document.createElement("p");
    status.className = "kb-filters__status";
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    box.appendChild(fieldset);
    box.appendChild(status);
    box.hidden = false;

    function apply(state) {
      KEYS.forEach(function (key) {
        var sel = controls[key];
        if (!sel) return;
        if (state[key] && !Array.prototype.some.call(sel.options, function (o) { return o.value === state[key]; })) {
          sel.add(new Option(state[key], state[key]));  // a value this page has no option for is still shown
        }
        sel.value = state[key];
      });
      var shown = 0;
      events.forEach(function (el) {
        var ok = matches(el, state);
        el.hidden = !ok;
        if (ok) shown += 1;
      });
      // A year's heading (and its jump link) hides with the last of its events.
      document.querySelectorAll(".md-content h2[id^='y']").forEach(function (h) {
        var any = false;
        for (var el = h.nextElementSibling; el && el.tagName !== "H2"; el = el.nextElementSibling) {
          if (el.classList.contains("kb-event") && !el.hidden) { any = true; break; }
        }
        h.hidden = !any;
        var jump = document.querySelector(".kb-jump a[href='#" + h.id + "']");
        if (jump) (jump.parentElement.tagName === "SPAN" ? jump.parentElement : jump).hidden = !any;
      });
      // The split timeline's index: years outside the range hide, links keep the filter.
      document.querySelectorAll(".kb-years li").forEach(function (li) {
        var year = parseInt(li.textContent, 10);
        li.hidden = (state.from && year < parseInt(state.from, 10)) || (state.to && year > parseInt(state.to, 10));
      });
      var q = query(state);
      document.querySelectorAll(".kb-years a, .kb-pager a").forEach(function (a) {
        var url = new URL(a.href, window.location.href);
        url.search = q;
        a.href = url.href;
      });
      if (events.length) {
        var template = shown === 1 ? s.count_one : s.count_other;
        status.textContent = template.replace("{count}", shown).replace("{total}", events.length);
      } else {
        status.textContent = "";
      }
    }

    function current() {
      var state = {};
      KEYS.forEach(function (key) { state[key] = controls[key] ? controls[key].value : stateFromAddress()[key]; });
      if (state.from && state.to && parseInt(state.from, 10) > parseInt(state.to, 10)) {
        var t = state.from; state.from = state.to; state.to = t;  // a range given backwards
      }
      return state;
    }

    function change() {
      var state = current();
      var url = window.location.pathname + query(state) + window.location.hash;
      window.history.pushState(state, "", url);
      apply(state);
    }

    Object.keys(controls).forEach(function (key) { controls[key].addEventListener("change", change); });
    reset.addEventListener("click", function () {
      Object.keys(controls).forEach(function (key) { controls[key].value = ""; });
      change();
    });
    active = function () { apply(stateFromAddress()); };
    active();
  }

  var active = null;  // the page's filter: one listener for the life of the document
  window.addEventListener("popstate", function () {
    if (active && document.querySelector(".kb-filters[data-ready]")) active();
  });

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(setup);  // Material's instant navigation replaces the page's content
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
})();
