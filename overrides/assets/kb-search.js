/* kb's search: a dialog with a search box and results, on Pagefind's JavaScript API.
   Pagefind's engine (pagefind.js, its worker, the language's index) loads on
   first use only, from the one bundle at the site's root (each language has
   its own index in it); a pointer on the search button, or focus on it,
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
   ("mô h") is left out until it grows into a word. Each finished word's part
   of the index loads while the reader types the next; each result shows as
   soon as it has loaded. */
(function () {
  "use strict";
  var DEBOUNCE_MS = 200;
  var SHORT_WORD_PAUSE_MS = 450;
  var PREVIEW_MS = 150;
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
  var engine = null;

  function load() {
    if (!engine) {
      engine = import(bundle.href + "pagefind.js").then(function (pagefind) {
        return pagefind.options({ basePath: bundle.href, baseUrl: siteRoot, excerptLength: 24,
          ranking: { pageLength: 0.2 } /* short entity pages should not outrank the topic a query names */
        }).then(function () { return pagefind.init(); }).then(function () { return pagefind; });
      });
      engine.catch(function () { engine = null; });
    }
    return engine;
  }

  function say(key, term, count) {
    message.textContent = strings[key].replace("[SEARCH_TERM]", term).replace("[COUNT]", String(count));
  }

  /* What is searched for: the query, less a single letter still being typed after other words. */
  function searchTerm(value) {
    var words = value.trim().split(/\s+/).filter(Boolean);
    if (words.length > 1 && /^\p{L}$/u.test(words[words.length - 1])) words.pop();
    var term = words.join(" ");
    return term.length >= 2 ? term : "";
  }

  /* Pagefind marks words typed without tones, but not "đ" typed as "d" (a letter of its own):
     mark those in the excerpts too, so "con duong" shows "con <mark>đường</mark>". */
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function markD(root) {
    var terms = fold(input.value).split(/\s+/).filter(Boolean);
    if (!terms.length) return;
    root.querySelectorAll(".kb-search__excerpt").forEach(function (excerpt) {
      var walker = document.createTreeWalker(excerpt, NodeFilter.SHOW_TEXT);
      var nodes = [];
      while (walker.nextNode()) if (!walker.currentNode.parentNode.closest("mark")) nodes.push(walker.currentNode);
      nodes.forEach(function (node) {
        if (!/[đĐ]/.test(node.nodeValue)) return;
        var parts = node.nodeValue.split(/([\p{L}\p{N}]+)/u);
        if (!parts.some(function (w) { return /[đĐ]/.test(w) && terms.indexOf(fold(w)) >= 0; })) return;
        var frag = document.createDocumentFragment();
        parts.forEach(function (w) {
          if (/[đĐ]/.test(w) && terms.indexOf(fold(w)) >= 0) {
            var mark = document.createElement("mark");
            mark.textContent = w;
            frag.appendChild(mark);
          } else if (w) frag.appendChild(document.createTextNode(w));
        });
        node.parentNode.replaceChild(frag, node);
      });
    });
  }

  var results = [];
  var shown = 0;
  /* Each result's data, asked for once: the engine's worker answers only between searches. */
  var loaded = new WeakMap();
  function dataOf(result) {
    if (!loaded.has(result)) loaded.set(result, result.data());
    return loaded.get(result);
  }
  var whole = true; /* the results shown are the whole query's, not only its phrase's */
  var appending = Promise.resolve();
  var shownTerm = "";

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  /* Excerpts come from Pagefind as HTML of the page's own text with <mark>s: keep only those marks. */
  function excerpt(html) {
    var node = element("p", "kb-search__excerpt");
    html.split(/(<mark>[^<]*<\/mark>)/).forEach(function (part) {
      var marked = /^<mark>([^<]*)<\/mark>$/.exec(part);
      var text = (marked ? marked[1] : part).replace(/<[^>]*>/g, "")
        .replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, "&");
      node.appendChild(marked ? element("mark", "", text) : document.createTextNode(text));
    });
    return node;
  }

  function item(data) {
    var li = element("li", "kb-search__result");
    var link = element("a", "kb-search__link", data.meta.title || data.url);
    link.href = data.url;
    li.appendChild(element("p", "kb-search__title")).appendChild(link);
    li.appendChild(excerpt(data.excerpt));
    var subs = (data.sub_results || []).filter(function (sub) {
      return sub.url !== data.url && sub.url.indexOf("#") > 0 && sub.title !== data.meta.title;
    });
    subs.sort(function (a, b) { return b.locations.length - a.locations.length; });
    if (subs.length) {
      var ul = li.appendChild(element("ul", "kb-search__subs"));
      subs.slice(0, 3).forEach(function (sub) {
        var sli = ul.appendChild(element("li", "kb-search__sub"));
        var a = element("a", "kb-search__link", sub.title);
        a.href = sub.url;
        sli.appendChild(element("p", "kb-search__title")).appendChild(a);
        sli.appendChild(excerpt(sub.excerpt));
      });
    }
    return li;
  }

  function showMore() {
    var batch = results.slice(shown, shown + PAGE_SIZE);
    shown += batch.length;
    more.hidden = shown >= results.length;
    var term = shownTerm;
    /* Each result shows once it, and every result above it, has loaded. */
    appending = batch.map(dataOf).reduce(function (above, loading) {
      return above.then(function () { return loading; }).then(function (data) {
        if (shownTerm !== term) return; /* a newer query's results replaced these */
        markD(list.appendChild(item(data)));
      });
    }, appending);
    return appending;
  }

  function counted(term) {
    say(results.length === 0 ? "zero_results" : results.length === 1 ? "one_result" : "many_results", term, results.length);
  }

  function show(term, found, phrase) {
    results = found ? found.results : [];
    whole = !phrase;
    shown = 0;
    shownTerm = term;
    appending = Promise.resolve();
    list.textContent = "";
    more.hidden = true;
    if (!term) { message.textContent = ""; return Promise.resolve(); }
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
  var exactNow = false;
  function searchWith(pagefind, term, exact) {
    var ready = exact === exactNow ? Promise.resolve() : pagefind.options({ exactDiacritics: exact });
    exactNow = exact;
    return ready.then(function () { return pagefind.search(term); });
  }
  function search(pagefind, term) {
    var exact = marked(term);
    return searchWith(pagefind, term, exact).then(function (found) {
      return exact && found && !found.results.length ? searchWith(pagefind, term, false) : found;
    });
  }

  /* Each word of a query is matched as the start of any word (a bare one with or without marks: "mo"
     is also "một", "mới", "mọi", "môi"...), so a query of several words can cost the engine most of a
     second. Its words as a phrase ("mô hình ngôn ngữ", together and whole) are found many times faster.
     Pages with the phrase are listed first, each group in the engine's order; and while the whole
     query is still being searched (after PREVIEW_MS), the phrase's pages show already. */
  function phraseFirst(term) {
    return term.indexOf(" ") > 0 && term.indexOf('"') < 0;
  }
  function phraseOnTop(phrase, found) {
    var inPhrase = {};
    phrase.results.forEach(function (r) { inPhrase[r.id] = true; });
    return { results: found.results.filter(function (r) { return inPhrase[r.id]; })
      .concat(found.results.filter(function (r) { return !inPhrase[r.id]; })) };
  }
  function searchAndShow(pagefind, term) {
    if (!phraseFirst(term)) {
      return search(pagefind, term).then(function (found) { return term === wanted ? show(term, found) : null; });
    }
    var phrase = null;
    var preview = null;
    return searchWith(pagefind, '"' + term + '"', marked(term)).then(function (found) {
      if (found && found.results.length) phrase = found;
      /* its first results load now: the engine's worker would load them only after the whole query */
      return phrase && Promise.all(phrase.results.slice(0, PAGE_SIZE).map(dataOf));
    }).then(function () {
      if (term !== wanted) return null;
      if (phrase) preview = setTimeout(function () { if (term === wanted) show(term, phrase, true); }, PREVIEW_MS);
      return search(pagefind, term);
    }).then(function (found) {
      clearTimeout(preview);
      if (!found || term !== wanted) return null;
      return show(term, phrase ? phraseOnTop(phrase, found) : found);
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
    if (running || (wanted === shownTerm && whole)) return;
    var term = wanted;
    if (!term) { show("", null); return; }
    running = true;
    say("searching", term, 0);
    load().then(function (pagefind) { return searchAndShow(pagefind, term); })
      .catch(function (error) { console.error(error); failed = term; /* not tried again until changed */ })
      .then(function () { running = false; if (wanted !== failed && (wanted !== shownTerm || !whole)) schedule(); });
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
    wanted = searchTerm(input.value);
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
