"""Finishing a page's HTML, and linking an article's glossary terms: the last step of its content.

A page's HTML is sanitised (nh3), and, when the page is in the search index,
marked up for the indexer with its extra search words. The MkDocs hook does
both for every page as MkDocs renders it (``on_page_markdown``,
``on_page_content``).

Until issue 24 this work ran in a worker process beside MkDocs, over a
hand-written pipe protocol, when the machine had a second core. Measured
again for issue 24 on this 2-core machine, building a 500-article corpus in
three alternating rounds: 55.9, 57.6 and 66.4 s with the worker against 63.7,
59.7 and 63.9 s without it (paired: 12% and 4% faster, then 4% slower). That
is inside the 10-15% that two builds of one tree differ by here, so the
protocol (some 250 lines) did not pay for its code and the work is done in
the build's own process. The site is byte-identical either way.
"""

from __future__ import annotations

from kb.content import markup
from kb.knowledge.facts import Knowledge
from kb.search import pagefind
from kb.site import pages


class PageWork:
    """The page work of one language's build, given its glossary."""

    def __init__(self, lang: str, k: Knowledge) -> None:
        self.lang, self.k = lang, k

    def finish(self, html: str, searchable: bool, terms: set[str] | None, markdown: str, src_uri: str = "") -> str:
        """A page's content as the site shows it: active content removed, and, for a page in the search
        index, wrapped as what Pagefind indexes with the page's extra search words (:mod:`kb.search.pagefind`).

        ``terms`` are the glossary terms the page uses; None finds them in the indexed part of its Markdown.
        ``src_uri`` (the page's source path) says which topic's, entity's or the glossary's entry it is.
        """
        clean = markup.sanitize(html)
        if not searchable:
            return clean
        if terms is None:
            terms = pages.indexed_terms(self.k, self.lang, markdown)
        forms = pagefind.other_language_forms(self.k, self.lang, terms)
        names = pagefind.own_names(self.k, src_uri)
        return f"<div data-pagefind-body>{clean}{pagefind.hidden_terms(clean, forms, names)}</div>"
