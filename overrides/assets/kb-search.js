/* Highlight, in search results, the accented words a query typed without
   accents matched: "tri tue" marks "trí tuệ". Material highlights exact
   matches itself; this adds the folded ones. It only reads Material's result
   markup and adds <mark> elements, so search keeps working without it. */
(function () {
  "use strict";
  function foldChar(c) {
    if (c === "đ") return "d";
    if (c === "Đ") return "d";
    var f = c.normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    return (f.length === 1 ? f : c).toLowerCase();
  }
  function fold(text) {
    var out = "";
    for (var i = 0; i < text.length; i++) out += foldChar(text[i]);
    return out; /* same length as text: positions line up */
  }
  function terms() {
    var input = document.querySelector(".md-search__input");
    if (!input) return [];
    return fold(input.value).split(/[^a-z0-9.]+/).filter(function (t) { return t.length > 1; });
  }
  function markNode(node, pattern) {
    var text = node.nodeValue, folded = fold(text), match, last = 0, frag = null;
    pattern.lastIndex = 0;
    while ((match = pattern.exec(folded)) !== null) {
      var start = match.index + match[1].length, end = start + match[2].length;
      if (folded.slice(start, end) === text.slice(start, end).toLowerCase()) continue; /* Material marks exact ones */
      frag = frag || document.createDocumentFragment();
      frag.appendChild(document.createTextNode(text.slice(last, start)));
      var mark = document.createElement("mark");
      mark.setAttribute("data-md-highlight", "");
      mark.className = "kb-folded";
      mark.textContent = text.slice(start, end);
      frag.appendChild(mark);
      last = end;
    }
    if (!frag) return;
    frag.appendChild(document.createTextNode(text.slice(last)));
    node.parentNode.replaceChild(frag, node);
  }
  function highlight(root) {
    var list = terms();
    if (!list.length) return;
    /* Whole words for the terms already typed; a prefix for the last one, as Material does. */
    var escaped = list.map(function (t, i) {
      var e = t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return i < list.length - 1 ? e + "(?![a-z0-9])" : e;
    });
    var pattern = new RegExp("(^|[^a-z0-9])(" + escaped.join("|") + ")", "g");
    var walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT, {
      acceptNode: function (n) { return n.parentNode.closest("mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT; }
    });
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (n) { markNode(n, pattern); });
  }
  function start() {
    var list = document.querySelector(".md-search-result__list");
    if (!list) return;
    new MutationObserver(function (records) {
      records.forEach(function (r) {
        r.addedNodes.forEach(function (n) { if (n.nodeType === 1) highlight(n); });
      });
    }).observe(list, { childList: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
