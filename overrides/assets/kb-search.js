/* kb's search: opens a dialog with Pagefind's search box (partials/kb-search.html).
   Pagefind's script, styles and index load on first use only, from the one
   bundle at the site's root (each language has its own index in it). Keys
   "/", "s" and "f" open it, as in Material; Escape closes it; a "?q=" in the
   address opens it with that query. */
(function () {
  "use strict";
  var dialog = document.getElementById("kb-search");
  var opener = document.querySelector(".kb-search-open");
  if (!dialog || !opener || typeof dialog.showModal !== "function") return;
  opener.hidden = false;
  var strings = JSON.parse(dialog.querySelector(".kb-search__strings").textContent);
  var bundle = new URL(dialog.getAttribute("data-bundle"), document.baseURI);
  var siteRoot = new URL("..", bundle).pathname;
  var ui = null;
  var loading = null;

  function load() {
    if (loading) return loading;
    loading = new Promise(function (resolve, reject) {
      var css = document.createElement("link");
      css.rel = "stylesheet";
      css.href = bundle.href + "pagefind-ui.css";
      document.head.appendChild(css);
      var script = document.createElement("script");
      script.src = bundle.href + "pagefind-ui.js";
      script.onload = resolve;
      script.onerror = reject;
      document.head.appendChild(script);
    }).then(function () {
      ui = new window.PagefindUI({
        element: "#kb-search-ui",
        bundlePath: bundle.href,
        baseUrl: siteRoot,
        showImages: false,
        showSubResults: true,
        resetStyles: false,
        autofocus: true,
        excerptLength: 24,
        pageSize: 10,
        debounceTimeoutMs: 80,
        ranking: { pageLength: 0.2 }, /* short entity pages should not outrank the topic a query names */
        translations: strings
      });
    });
    return loading;
  }

  /* Pagefind marks words typed without tones, but not "đ" typed as "d" (a letter of its own):
     mark those in the excerpts too, so "con duong" shows "con <mark>đường</mark>". */
  function fold(text) {
    return text.replace(/[đĐ]/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }
  function markD(root) {
    var input = dialog.querySelector(".pagefind-ui__search-input");
    var terms = input ? fold(input.value).split(/\s+/).filter(Boolean) : [];
    if (!terms.length) return;
    root.querySelectorAll(".pagefind-ui__result-excerpt").forEach(function (excerpt) {
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
  new MutationObserver(function () { markD(dialog); }).observe(dialog.querySelector(".kb-search__ui"), { childList: true, subtree: true });

  function open(query) {
    if (!dialog.open) dialog.showModal();
    load().then(function () {
      var input = dialog.querySelector(".pagefind-ui__search-input");
      if (query) ui.triggerSearch(query);
      if (input) input.focus();
    });
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
