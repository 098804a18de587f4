"""Which kind of capture a file is, and why: ``kb new article`` prints the reason.

The kinds, in the order they are tried:

* ``html``: the file is a web page (a doctype, an ``<html>`` element, or a
  ``<head>``/``<body>`` with more than a few tags);
* ``markdown``: it opens with a static-site generator's front-matter
  (``---`` or ``+++``), or has Markdown headings, links or fences;
* ``pdf-text``: it has form feeds (``pdftotext``'s page breaks), or most of
  its lines are cut mid-sentence at a similar width, as a PDF's are;
* ``scraped-page``: anything else is text copied from a browser page.

``format:`` in the seed's metadata (or ``--format``) overrides the guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.ingest.markdown import OPEN_FRONT_MATTER

_HTML = re.compile(r"\A\s*(?:<!--.*?-->\s*)*(?:<!doctype\s+html|<html[\s>])", re.I | re.S)
_HTML_TAGS = re.compile(r"</?(?:head|body|div|p|article|meta|link|section|span|a)\b[^>]*>", re.I)
_FRONT = re.compile(r"\A(?:---|\+\+\+)[ \t]*\n")
_MD_HEADING = re.compile(r"^#{1,6} \S", re.M)
_MD_LINK = re.compile(r"\]\((?:https?://|/|\.{0,2}/?\w)[^)\s]*\)")
_MD_FENCE = re.compile(r"^(```|~~~)", re.M)
_TERMINAL = re.compile(r"""[.!?…:;"”’)]\s*$""")


@dataclass(frozen=True)
class Detected:
    kind: str
    reason: str


def detect(text: str) -> Detected:
    """The kind of capture ``text`` is, with the evidence, in one sentence."""
    if _HTML.match(text):
        return Detected("html", "it starts as an HTML document (<!doctype html> or <html>)")
    tags = len(_HTML_TAGS.findall(text[:200_000]))
    if tags >= 10 and re.search(r"<body\b|<head\b", text, re.I):
        return Detected("html", f"it has a <head> or <body> and {tags} HTML tags")
    if m := _FRONT.match(text):
        return Detected("markdown", f"it opens with front-matter ('{m.group(0).strip()}')")
    if OPEN_FRONT_MATTER.match(text):
        return Detected("markdown", "it opens with front-matter 'key: value' lines ended by '---' (Hexo)")
    headings = len(_MD_HEADING.findall(text))
    links = len(_MD_LINK.findall(text))
    fences = len(_MD_FENCE.findall(text)) // 2
    if headings >= 2 or fences or (headings and links) or links >= 3:
        found = [
            f"{n} {what}"
            for n, what in ((headings, "'#' headings"), (links, "Markdown links"), (fences, "code fences"))
            if n
        ]
        return Detected("markdown", f"it has Markdown syntax ({', '.join(found)})")
    if "\f" in text:
        return Detected("pdf-text", f"it has {text.count(chr(12))} form feeds (page breaks, as pdftotext writes them)")
    lines = [line.rstrip() for line in text.split("\n") if line.strip()]
    long_lines = [line for line in lines if len(line) >= 40]
    if len(long_lines) >= 4:
        cut = sum(1 for line in long_lines if not _TERMINAL.search(line))
        widths = sorted(len(line) for line in long_lines)
        spread = widths[int(len(widths) * 0.8)] - widths[int(len(widths) * 0.2)]
        if cut / len(long_lines) >= 0.5 and spread <= 0.35 * widths[len(widths) // 2]:
            return Detected(
                "pdf-text",
                f"{cut} of its {len(long_lines)} long lines stop mid-sentence at a similar width, as a PDF's lines do",
            )
    return Detected(
        "scraped-page", "it is plain text without HTML, Markdown or PDF line breaks: text copied from a page"
    )
