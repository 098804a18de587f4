"""Seed ingest: turn a raw capture into clean Vietnamese Markdown.

Four kinds of capture, one module each:

* ``html`` (html.py): a saved web page, through trafilatura;
* ``scraped-page`` (pagetext.py): text copied from a browser page;
* ``markdown`` (markdown.py): a static-site generator's post, or Markdown;
* ``pdf-text`` (pdftext.py): the text extracted from a PDF.

detect.py tells which kind a file is and why; metadata.py reads the dates
and bylines a capture prints; layouts.py holds a site's peculiarities as
data; checks.py finds what would be published wrong; duplicates.py finds a
capture that is already a seed. A converter returns the Markdown body
(blocks separated by one blank line) and what the capture itself states
about the article (title, date, author…), so the metadata can be checked
against it. Conversion is pure: the same seed, metadata and site rules
always give the same bytes.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from kb.ingest.html import convert_html
from kb.ingest.layouts import NO_SITES, Sites
from kb.ingest.markdown import convert_markdown
from kb.ingest.pagetext import convert_scraped_page
from kb.ingest.pdftext import convert_pdf_text
from kb.ingest.text import CAPTION_CLASS, LEAD_CLASS, Converted, tidy

if TYPE_CHECKING:
    from kb.schema import SeedMeta

__all__ = ["CAPTION_CLASS", "CONVERTERS", "LEAD_CLASS", "Converted", "convert", "tidy"]

CONVERTERS: dict[str, Callable[..., Converted]] = {
    "html": convert_html,
    "scraped-page": convert_scraped_page,
    "markdown": convert_markdown,
    "pdf-text": convert_pdf_text,
}


def convert(raw: str, meta: SeedMeta, sites: Sites = NO_SITES) -> Converted:
    """Convert a decoded seed with the converter its metadata names (and its site's rules)."""
    if meta.format == "scraped-page":
        converted = convert_scraped_page(raw, meta, sites.for_capture(meta.url, meta.publisher))
    else:
        converted = CONVERTERS[meta.format](raw, meta)
    converted.body = unicodedata.normalize("NFC", converted.body)
    return converted
