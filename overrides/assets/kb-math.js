/* Renders a page's math with KaTeX (assets/katex/, served from the site itself).
 *
 * pymdownx.arithmatex (generic mode) writes inline math as
 * <span class="arithmatex">\(…\)</span> and display math as
 * <div class="arithmatex">\[…\]</div>; each is replaced by KaTeX's rendering
 * (HTML for the eye, MathML for screen readers). A formula KaTeX cannot parse
 * is shown as its TeX, in KaTeX's error colour, and the rest still renders.
 *
 * Only pages with math load this script and KaTeX (overrides/main.html).
 * Material's instant navigation is off (theme.features), so every page is a
 * full load and running once per load is enough; tests/test_math.py fails if
 * navigation.instant is turned on, as a page reached that way would not have
 * KaTeX loaded.
 */
(function () {
  "use strict";

  function render(root) {
    if (typeof katex === "undefined") return;
    root.querySelectorAll(".arithmatex").forEach(function (el) {
      if (el.dataset.kbMath) return;
      var tex = el.textContent.trim();
      var display = el.tagName === "DIV";
      var open = display ? "\\[" : "\\(";
      var close = display ? "\\]" : "\\)";
      if (tex.startsWith(open) && tex.endsWith(close)) {
        tex = tex.slice(open.length, tex.length - close.length);
      }
      katex.render(tex, el, { displayMode: display, throwOnError: false });
      el.dataset.kbMath = "rendered";
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { render(document); });
  } else {
    render(document);
  }
})();
