/* kb's search: a dialog with a search box and results, on Pagefind's JavaScript API.
   Pagefind's engine (pagefind.js, its worker, the language's index) loads on
   first use only, from the bundle at its language's root (/pagefind/,
   /en/pagefind/); a pointer on the search button, or focus on it,
   starts loading. Keys "/", "s" and "f" open the dialog, as in Material;
   Escape closes it; a "?q=" in the address opens it with that query.

   Searching as the reader types costs the engine real work on a large
   Vietnamese index (its commonest syllables share big index chunks, and a
   short word is searched as the start of every word it begins: "ng" is
   "người", "ngày", "nghiên"...), so a search starts once typing pauses
   (DEBOUNCE_MS; SHORT_WORD_PAUSE_MS when the last word has fewer than three
   letters: likely still being typed, and the costliest), never more than
   one runs at a time (the newest query waits for it and for the pause, the
   ones in between are skipped), and a lone letter being typed after a word
   ("mô h") is left out until it grows into a word (unless Enter is pressed).
   Each finished word's part of the index loads while the reader types the
   next. The first RANKED results are ranked on their text and shown at once;
   those after show as each loads.

   At thousands of articles the older ones are indexed apart, in an archive
   (data-archive, a folder of the bundle: see kb.search.pagefind), so a first
   search downloads the index of the newest articles and the other pages
   only. The archive is searched too when those results do not fill a page,
   or when the reader asks for more at the end of the list; until then the
   message says the results are the newest. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 200;
  var SHORT_WORD_PAUSE_MS = 450;
  var PAGE_SIZE = 10;
  var dialog = document.getElementById("kb-search");
  var opener = document.querySelector(".kb-search-open");
  if (!dialog || !opener || typeof dialog.showModal !== "function") return;
  opener.hidden = false;
  var strings = JSON.parse(dialog.querySelector(".kb-search__strings").textContent);
  var bundle = new URL(dialog.getAttribute("data-bundle"), document.baseURI);
  var siteRoot = new URL("..", bundle).pathname;
  var input = dialog.querySelector(".kb-search__input");
  var message = dialog.querySelector(".kb-search__message");
  var list = dialog.querySelector(".kb-search__results");
  var more = dialog.querySelector(".kb-search__more");
  var archive = dialog.getAttribute("data-archive") || "";
  var RANKING = { pageLength: 0.2 }; /* short entity pages should not outrank the topic a query names */
  var engine = null;

  function load() {
    if (!engine) {
      engine = import(bundle.href + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ basePath: bundle.href, baseUrl: siteRoot, ranking: RANKING })
          .then(function () { return pagefind.init(); }).then(function () { return pagefind; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  /* The bundles a search runs in ("tiers"): the main one, and the archive once it is needed. Each
     remembers whether it matches marks exactly now (an option of its own). */
  var main = null;
  var older = null;
  function tiers(all) {
    return load().then(function (pagefind) {
      main = main || { pagefind: pagefind, exact: false };
      if (!all || !archive) return [main];
      if (!older) {
        var instance = pagefind.createInstance({ basePath: bundle.href + archive, baseUrl: siteRoot });
        older = instance.options({ ranking: RANKING }).then(function () { return instance.init(); })
          .then(function () { return { pagefind: instance, exact: false }; });
        older.catch(function () { older = null; });
      }
      return older.then(function (tier) { return [main, tier]; });
    });
  }

  function say(key, term, count) {
    message.textContent = strings[key].replace("[SEARCH_TERM]", term).replace("[COUNT]", String(count));
  }

  /* What is searched for: the query, less a single letter still being typed after other words (unless
     the reader says the query is whole: Enter; "chú ý" ends in a word of one letter). */
  function searchTerm(value, whole) {
    var words = value.trim().split(/\s+/).filter(Boolean);
    if (!whole && words.length > 1 && /^\p{L}$/u.test(words[words.length - 1])) words.pop();
    var term = words.join(" ");
    return term.length >= 2 ? term : "";
  }

  /* ---- Ranking and excerpts, from each result's visible text ----
     Pagefind scores every word of a query on its own, each as the start of any word, so for a bare
     phrase ("dinh kien") the short pages with many words starting "dinh" or "kien" come first. The
     first RANKED results' texts are loaded and ordered as a reader expects: the page that is the own
     entry of the query (a topic's or entity's name or alias, with or without marks, in either
     language: the page's "kbnames" metadata), then pages with the query as a phrase in their title,
     in an article's heading (a section about it), then the glossary's entry of a term so named, then
     pages with the phrase in their text, then pages with all its words, then the rest; within
     each, the words with the query's own marks first, then the engine's order. The excerpt is the
     sentence around the best match in the page's visible text: Pagefind stores the words added for
     the indexer at the end of the text ("kbh" says how many), and its own excerpts can show them. */
  var RANKED = 12;
  var WORD = /[\p{L}\p{N}]+/gu;
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function lower(text) { return text.normalize("NFC").toLowerCase(); }
  function wordsOf(text, exact) { return (exact ? lower(text) : fold(text)).match(WORD) || []; }

  function queryOf(term) {
    return { folded: wordsOf(term, false), lower: wordsOf(term, true), marks: fold(term) !== lower(term) };
  }

  /* The page's text as its words: tokens between spaces, as Pagefind counts them (its anchors' locations). */
  function textOf(data) {
    var content = data.content.trim();
    var tokens = content.split(/\s+/);
    var hidden = parseInt(data.meta.kbh || "0", 10);
    if (hidden > 0) tokens = tokens.slice(0, Math.max(0, tokens.length - hidden));
    /* folding and lower-casing keep the spaces: the whole text is done at once, token for token */
    var words = function (text) {
      var out = [];
      text.split(/\s+/).slice(0, tokens.length).forEach(function (token, at) {
        (token.match(WORD) || []).forEach(function (w) { out.push({ w: w, at: at }); });
      });
      return out;
    };
    return { tokens: tokens, folded: words(fold(content)), exact: words(lower(content)) };
  }

  /* Where the query's words stand together, each whole but the last (a start), from token `from`; or -1. */
  function phraseAt(words, query, from) {
    var n = query.length;
    for (var i = 0; i + n <= words.length; i++) {
      if (words[i].at < (from || 0)) continue;
      for (var j = 0; j < n; j++) {
        var w = words[i + j].w;
        if (j < n - 1 ? w !== query[j] : w.indexOf(query[j]) !== 0) break;
      }
      if (j === n) return words[i].at;
    }
    return -1;
  }
  function plain(words) { return words.map(function (w) { return { w: w, at: 0 }; }); }

  /* The anchor whose name the query is, from the page's "kbnames" ("anchor=name|name;..."), or null. */
  function ownEntry(data, query) {
    var wanted = query.folded.join(" ");
    var found = null;
    (data.meta.kbnames || "").split(";").some(function (entry) {
      var eq = entry.indexOf("=");
      return entry.slice(eq + 1).split("|").some(function (name) {
        if (wordsOf(name, false).join(" ") !== wanted) return false;
        found = { anchor: entry.slice(0, eq), exact: wordsOf(name, true).join(" ") === query.lower.join(" ") };
        return true;
      });
    });
    return found;
  }

  /* The token where the query is best met, from `from`: its phrase (with its marks first), else the
     place where most of its words are met within a few words; -1 where none is. */
  function bestAt(text, query, from) {
    var at = query.marks ? phraseAt(text.exact, query.lower, from) : -1;
    if (at < 0) at = phraseAt(text.folded, query.folded, from);
    if (at >= 0) return at;
    var best = -1, most = 0;
    var words = text.folded;
    var starts = function (w) { return query.folded.filter(function (q) { return w.indexOf(q) === 0; }); };
    for (var i = 0; i < words.length && most < query.folded.length; i++) {
      if (words[i].at < from || !starts(words[i].w).length) continue;
      var met = {};
      for (var k = i; k < words.length && words[k].at < words[i].at + 12; k++) {
        starts(words[k].w).forEach(function (q) { met[q] = true; });
      }
      var count = Object.keys(met).length;
      if (count > most) { most = count; best = words[i].at; }
    }
    return best;
  }

  function assess(data, query) {
    var text = textOf(data);
    var titleLength = (data.meta.title || "").split(/\s+/).filter(Boolean).length;
    var own = ownEntry(data, query);
    var headings = (data.anchors || []).filter(function (a) { return a.element !== "h1" && a.id; });
    var phrase = function (words) {
      return phraseAt(plain(wordsOf(words, false)), query.folded) >= 0;
    };
    var exactPhrase = function (words) { return phraseAt(plain(wordsOf(words, true)), query.lower) >= 0; };
    var inText = phraseAt(text.folded, query.folded, titleLength) >= 0;
    var all = query.folded.every(function (q) {
      return text.folded.some(function (w) { return w.w.indexOf(q) === 0; });
    });
    /* A section of an article about the phrase; other pages' headings are entries (the timeline's events). */
    var section = /\/articles\//.test(data.url) && headings.some(function (h) { return phrase(h.text); });
    var group = own && !own.anchor ? 0 : phrase(data.meta.title || "") ? 1
      : section ? 2 : own ? 2.5 : inText ? 3 : all ? 4 : 5;
    var exact = own ? own.exact : phraseAt(text.exact, query.lower) >= 0 || exactPhrase(data.meta.title || "");
    var anchor = own && own.anchor ? headings.filter(function (h) { return h.id === own.anchor; })[0] : null;
    return { data: data, text: text, group: group, inexact: query.marks && !exact ? 1 : 0, anchor: anchor,
      /* among titles with the phrase, the one it is most of first ("Trí tuệ nhân tạo tạo sinh") */
      length: group === 1 ? wordsOf(data.meta.title || "", false).length : 0,
      from: anchor ? anchor.location : titleLength };
  }

  /* The sentence (or up to 30 words) around token `at`, its words that start with the query's marked. */
  function excerptAt(text, at, query) {
    var tokens = text.tokens;
    var start = at;
    while (start > 0 && at - start < 12 && !/[.!?…:]$/.test(tokens[start - 1])) start--;
    var end = at + 1;
    while (end < tokens.length && end - start < 30 && !(end - at > 8 && /[.!?…]$/.test(tokens[end - 1]))) end++;
    var node = element("p", "kb-search__excerpt");
    /* matched on the query's marks when the engine was ("lượng" is not "lương"), else without them */
    var words = exactNow ? query.lower : query.folded;
    var form = exactNow ? lower : fold;
    tokens.slice(start, end).join(" ").split(/([\p{L}\p{N}]+)/u).forEach(function (part) {
      var hit = part && /^[\p{L}\p{N}]/u.test(part) && words.some(function (q) { return form(part).indexOf(q) === 0; });
      node.appendChild(hit ? element("mark", "", part) : document.createTextNode(part));
    });
    if (start > 0) node.insertBefore(document.createTextNode("… "), node.firstChild);
    if (end < tokens.length) node.appendChild(document.createTextNode(" …"));
    return node;
  }

  function sectionOf(data, at) {
    var found = null;
    (data.anchors || []).forEach(function (a) { if (a.element !== "h1" && a.id && a.location <= at) found = a; });
    return found;
  }

  /* A result: its title, the excerpt of its best match, and the sections where the query is met (each
     linked; the first is where the excerpt is from, the others with their own excerpt). */
  function item(view, query) {
    var data = view.data;
    var li = element("li", "kb-search__result");
    var link = element("a", "kb-search__link", data.meta.title || data.url);
    link.href = data.url;
    li.appendChild(element("p", "kb-search__title")).appendChild(link);
    var at = view.anchor ? view.anchor.location : bestAt(view.text, query, view.from);
    if (at < 0) at = bestAt(view.text, query, 0);
    if (at < 0) at = Math.min(view.from, Math.max(0, view.text.tokens.length - 1));
    if (view.text.tokens.length) li.appendChild(excerptAt(view.text, at, query));
    /* the sections where a word of the query is met, in one pass: each at its first match */
    var sections = [];
    var first = sectionOf(data, at);
    if (first) sections.push({ anchor: first, at: -1 });
    var headings = (data.anchors || []).filter(function (a) { return a.element !== "h1" && a.id; });
    var h = -1;
    view.text.folded.forEach(function (word) {
      if (sections.length >= 3) return;
      while (h + 1 < headings.length && headings[h + 1].location <= word.at) h++;
      var section = headings[h];
      if (!section || sections.some(function (s) { return s.anchor.id === section.id; })) return;
      if (query.folded.some(function (q) { return word.w.indexOf(q) === 0; })) sections.push({ anchor: section, at: word.at });
    });
    if (sections.length) {
      var ul = li.appendChild(element("ul", "kb-search__subs"));
      sections.forEach(function (section) {
        var sli = ul.appendChild(element("li", "kb-search__sub"));
        var a = element("a", "kb-search__link", section.anchor.text);
        a.href = data.url + "#" + section.anchor.id;
        sli.appendChild(element("p", "kb-search__title")).appendChild(a);
        if (section.at >= 0) sli.appendChild(excerptAt(view.text, section.at, query));
      });
    }
    return li;
  }

  /* The results in the order a reader expects: the first RANKED by the rules above, then the rest. */
  function ranked(results, query) {
    var top = results.slice(0, RANKED);
    return Promise.all(top.map(dataOf)).then(function (datas) {
      var views = datas.map(function (data, i) { var v = assess(data, query); v.index = i; return v; });
      views.sort(function (a, b) {
        return a.group - b.group || a.inexact - b.inexact || a.length - b.length || a.index - b.index;
      });
      return views.map(function (v) { return { id: top[v.index].id, view: v }; })
        .concat(results.slice(RANKED).map(function (r) { return { id: r.id, result: r }; }));
    });
  }

  var results = [];
  var shown = 0;
  var complete = true; /* whether the results shown come from every bundle, the archive too */
  var shownQuery = null;
  /* Each result's data, asked for once: the engine's worker answers only between searches. */
  var loaded = new WeakMap();
  function dataOf(result) {
    if (!loaded.has(result)) loaded.set(result, result.data());
    return loaded.get(result);
  }
  var appending = Promise.resolve();
  var shownTerm = "";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function showMore() {
    if (shown >= results.length && !complete) return searchOlder();
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= results.length && complete;
    var term = shownTerm;
    var query = shownQuery;
    /* Each result shows once it, and every result above it, has loaded. */
    appending = batch.map(function (entry) {
      return entry.view ? Promise.resolve(entry.view)
        : dataOf(entry.result).then(function (data) { return assess(data, query); });
    }).reduce(function (above, loading) {
      return above.then(function () { return loading; }).then(function (view) {
        if (shownTerm !== term) return; /* a newer query's results replaced these */
        list.appendChild(item(view, query));
      });
    }, appending).then(function () { if (shownTerm === term) dialog.setAttribute("data-kb-searched", term); });
    return appending;
  }

  function counted(term) {
    var many = complete ? "many_results" : "many_newest";
    say(results.length === 0 ? "zero_results" : results.length === 1 ? "one_result" : many, term, results.length);
  }

  /* "More" at the end of the results of the main bundle: the archive searched too, and the pages
     found there added after those shown. */
  function searchOlder() {
    if (running) return appending; /* a newer query's search is under way: its results replace these */
    var term = shownTerm;
    var live = function () { return shownTerm === term; };
    running = true;
    more.disabled = true;
    return tiers(true).then(function (list) { return searchAll(list, term, live); }).then(function (found) {
      if (!found || !live()) return null;
      var seen = {};
      results.forEach(function (entry) { seen[entry.id] = true; });
      combined(found).forEach(function (r) { if (!seen[r.id]) results.push({ id: r.id, result: r }); });
      complete = true;
      counted(term);
      return showMore();
    }).catch(function (error) { console.error(error); })
      .then(function () { more.disabled = false; running = false; if (wanted !== failed && wanted !== shownTerm) schedule(); });
  }

  function show(term, found, query, whole) {
    results = found || [];
    complete = whole !== false;
    shown = 0;
    shownTerm = term;
    shownQuery = query;
    appending = Promise.resolve();
    list.textContent = "";
    more.hidden = true;
    if (!term) { message.textContent = ""; dialog.setAttribute("data-kb-searched", ""); return Promise.resolve(); }
    counted(term);
    return showMore();
  }

  /* A query whose every word has a tone or vowel mark (or đ) is typed by a reader who writes the marks
     and means them: it is matched on its marks ("mô" is not "một", "mới" or "mọi"), as accented queries
     always were; that also spares the engine the commonest syllables, the costliest part of a query.
     A query with any bare word ("mo hinh", "con đường", "mô hình AI"), or one whose marks find nothing
     (a mark mistyped: "trí tuê"), is matched ignoring marks. */
  function marked(term) {
    return term.split(" ").every(function (word) { return /[đĐ]/.test(word) || /[\u0300-\u036f]/.test(word.normalize("NFD")); });
  }
  var exactNow = false; /* whether the last search matched marks exactly (the excerpts mark words so) */
  function searchTier(tier, term, exact) {
    var ready = exact === tier.exact ? Promise.resolve() : tier.pagefind.options({ exactDiacritics: exact });
    tier.exact = exactNow = exact;
    return ready.then(function () { return tier.pagefind.search(term); });
  }
  /* A search in every tier of ``list``: their results in one list, by the engine's score (as Pagefind
     merges indexes; one tier's results are in that order already). */
  function searchWith(list, term, exact) {
    return Promise.all(list.map(function (tier) { return searchTier(tier, term, exact); })).then(function (found) {
      if (found.some(function (f) { return !f; })) return null;
      var all = [].concat.apply([], found.map(function (f) { return f.results; }));
      return { results: list.length > 1 ? all.sort(function (a, b) { return b.score - a.score; }) : all };
    });
  }
  function search(list, term) {
    var exact = marked(term);
    return searchWith(list, term, exact).then(function (found) {
      return exact && found && !found.results.length ? searchWith(list, term, false) : found;
    });
  }

  /* Each word of a query is matched as the start of any word (a bare one with or without marks: "mo"
     is also "một", "mới", "mọi", "môi"...). Its words as a phrase ("mô hình ngôn ngữ", together and
     whole; "dinh kien" also where the page has "định kiến": see kb.search.pagefind) are found many
     times faster, and those pages go first into the ranking above. */
  function phraseFirst(term) {
    return term.indexOf(" ") > 0 && term.indexOf('"') < 0;
  }
  function phraseOnTop(phrase, found) {
    var inPhrase = {};
    phrase.results.forEach(function (r) { inPhrase[r.id] = true; });
    return phrase.results.concat(found.results.filter(function (r) { return !inPhrase[r.id]; }));
  }
  /* The query searched in the tiers of ``list``: { phrase, found } (phrase: the pages with it as a phrase);
     null once ``live`` says it is no longer wanted. */
  function searchAll(list, term, live) {
    var phrase = null;
    var exact = marked(term);
    var first = !phraseFirst(term) ? Promise.resolve() : searchWith(list, '"' + term + '"', exact)
      .then(function (found) {
        if (found && found.results.length) phrase = found;
        /* marks on every word, but nowhere together: likely one mistyped ("đầu từ"), so marks are ignored */
        else if (exact) {
          exact = false;
          return searchWith(list, '"' + term + '"', false).then(function (bare) {
            if (bare && bare.results.length) phrase = bare;
          });
        }
        /* bare words: a phrase with "d" for "đ" ("dinh kien") is among the words added for the indexer
           (kb.search.pagefind), which the engine finds as a phrase only when matching marks exactly */
        else if (/(^|\s)d/i.test(term)) return searchWith(list, '"' + term + '"', true).then(function (written) {
          if (written && written.results.length) phrase = written;
        });
      });
    return first.then(function () {
      return !live() ? null : exact ? search(list, term) : searchWith(list, term, false);
    }).then(function (found) {
      return found ? { phrase: phrase, found: found, whole: !archive || list.length > 1 } : null;
    });
  }
  function combined(found) {
    return found.phrase ? phraseOnTop(found.phrase, found.found) : found.found.results;
  }
  function searchAndShow(term) {
    var live = function () { return term === wanted; };
    return tiers(false).then(function (list) { return searchAll(list, term, live); }).then(function (found) {
      if (!found || !live()) return null;
      /* the archive too when the newest results do not fill a page */
      if (found.whole || found.found.results.length >= PAGE_SIZE) return found;
      return tiers(true).then(function (list) { return live() ? searchAll(list, term, live) : null; });
    }).then(function (found) {
      if (!found || term !== wanted) return null;
      var query = queryOf(term);
      return ranked(combined(found), query).then(function (list) {
        return term === wanted ? show(term, list, query, found.whole) : null;
      });
    });
  }

  /* One search at a time; while it runs, only the newest query waits. */
  var wanted = "";
  var running = false;
  var timer = null;
  var typedAt = 0;
  var failed = null;

  /* Run the newest query once typing has paused long enough for it. */
  function schedule() {
    clearTimeout(timer);
    var last = wanted.split(" ").pop();
    var pause = last.length < 3 ? SHORT_WORD_PAUSE_MS : DEBOUNCE_MS;
    timer = setTimeout(run, Math.max(0, pause - (performance.now() - typedAt)));
  }

  function run() {
    if (running || wanted === shownTerm) return;
    var term = wanted;
    if (!term) { show("", null, null); return; }
    running = true;
    say("searching", term, 0);
    searchAndShow(term)
      .catch(function (error) { console.error(error); failed = term; /* not tried again until changed */ })
      .then(function () { running = false; if (wanted !== failed && wanted !== shownTerm) schedule(); });
  }

  /* A word just finished (a space typed after it): load its index chunks while the reader types on. */
  var preloaded = "";
  function preload() {
    if (!/\s$/.test(input.value) || !wanted || wanted === preloaded) return;
    preloaded = wanted;
    load().then(function (pagefind) { return pagefind.preload(preloaded); }).catch(function () {});
  }

  function changed(immediately) {
    clearTimeout(timer);
    wanted = searchTerm(input.value, immediately);
    failed = null;
    typedAt = immediately ? -Infinity : performance.now();
    if (!wanted) { run(); return; }
    preload();
    schedule();
  }

  input.addEventListener("input", function () { changed(false); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") { event.preventDefault(); changed(true); }
  });
  more.addEventListener("click", function () { showMore(); });

  function open(query) {
    if (!dialog.open) dialog.showModal();
    load();
    if (query) { input.value = query; changed(true); }
    input.focus();
  }

  opener.addEventListener("click", function () { open(); });
  /* A pointer on the button or focus on it is a reader about to search: start loading. */
  ["pointerenter", "focus", "touchstart"].forEach(function (name) {
    opener.addEventListener(name, function () { load(); }, { once: true, passive: true });
  });
  dialog.querySelector(".kb-search__close").addEventListener("click", function () { dialog.close(); });
  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close(); /* a click on the backdrop */
  });
  document.addEventListener("keydown", function (event) {
    var typing = /^(input|textarea|select)$/i.test(document.activeElement.tagName) || document.activeElement.isContentEditable;
    if (dialog.open || typing || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "/" || event.key === "s" || event.key === "f") {
      event.preventDefault();
      open();
    }
  });
  var query = new URLSearchParams(window.location.search).get("q");
  if (query) open(query);
})();
