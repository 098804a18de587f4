/* "Cite this page" (scripts/kb/site/pagemeta.py): the build writes a placeholder for the date
   accessed, so two builds are the same; here it becomes the day the reader views the page, in
   the page's date format (data-kb-date-format, from data/ui.yml) in the plain-text citation and
   as YYYY-MM-DD in BibTeX. Without JavaScript the placeholder stays for the reader to fill in. */
(function () {
  "use strict";

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function format(pattern, months, now) {
    var values = {
      day: now.getDate(),
      month: now.getMonth() + 1,
      year: now.getFullYear(),
      month_name: months[now.getMonth()] || now.getMonth() + 1,
    };
    return pattern.replace(/\{(\w+)(:02d)?\}/g, function (_, name, padded) {
      var value = values[name];
      return padded ? pad(value) : String(value);
    });
  }

  function replaceIn(element, placeholder, text) {
    var walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    var node;
    while ((node = walker.nextNode())) {
      if (node.nodeValue.indexOf(placeholder) !== -1) {
        node.nodeValue = node.nodeValue.split(placeholder).join(text);
      }
    }
  }

  function fill() {
    var now = new Date();
    var iso = now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
    document.querySelectorAll(".kb-cite[data-kb-placeholder]").forEach(function (box) {
      var placeholder = box.getAttribute("data-kb-placeholder");
      var months = (box.getAttribute("data-kb-months") || "").split("|").filter(Boolean);
      var local = format(box.getAttribute("data-kb-date-format") || "{year}-{month:02d}-{day:02d}", months, now);
      box.querySelectorAll(".kb-cite-text").forEach(function (el) {
        replaceIn(el, placeholder, local);
      });
      box.querySelectorAll(".kb-cite-bibtex").forEach(function (el) {
        replaceIn(el, placeholder, iso);
      });
      box.removeAttribute("data-kb-placeholder");
    });
  }

  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(fill);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
