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

import re
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING

from kb.errors import ContentError, Problem
from kb.ingest.html import convert_html
from kb.ingest.layouts import NO_SITES, Sites
from kb.ingest.markdown import convert_markdown
from kb.ingest.pagetext import convert_scraped_page
from kb.ingest.pdftext import convert_pdf_text
from kb.ingest.text import CAPTION_CLASS, LEAD_CLASS, Converted, tidy

if TYPE_CHECKING:
    from kb.content.schema import SeedMeta

__all__ = ["CAPTION_CLASS", "CONVERTERS", "LEAD_CLASS", "Converted", "convert", "tidy"]

CONVERTERS: dict[str, Callable[..., Converted]] = {
    "html": convert_html,
    "scraped-page": convert_scraped_page,
    "markdown": convert_markdown,
    "pdf-text": convert_pdf_text,
}


# A character UTF-8 starts a letter with, read as Windows-1252 or Latin-1, then one it continues it with:
# what mojibake always has ("Ã­", "á»‡"), and Vietnamese text never.
_MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
)


def repair(raw: str) -> tuple[str, list[tuple[int, str, str]]]:
    """The capture with mojibake repaired where ftfy can do it safely, and each line it changed."""
    if not _MOJIBAKE.search(raw):
        return raw, []
    import ftfy

    changed = []
    lines = raw.split("\n")
    for number, line in enumerate(lines, start=1):
        if _MOJIBAKE.search(line) and (fixed := ftfy.fix_encoding(line)) != line:
            changed.append((number, line, fixed))
            lines[number - 1] = fixed
    return "\n".join(lines), changed


def convert(raw: str, meta: SeedMeta, sites: Sites = NO_SITES) -> Converted:
    """Convert a decoded seed with the converter its metadata names (and its site's rules)."""
    raw, repaired = repair(raw)
    try:
        if meta.format == "scraped-page":
            converted = convert_scraped_page(raw, meta, sites.for_capture(meta.url, meta.publisher))
        else:
            converted = CONVERTERS[meta.format](raw, meta)
    except ContentError:
        raise
    except Exception as exc:
        raise ContentError(
            Problem(
                meta.slug,
                f"the {meta.format} converter could not read this capture ({type(exc).__name__}: {exc})",
                field="format",
                expected="a capture of that kind (check `format:`), or report the capture in an issue",
            )
        ) from None
    converted.body = unicodedata.normalize("NFC", converted.body)
    converted.repaired = repaired
    return converted
