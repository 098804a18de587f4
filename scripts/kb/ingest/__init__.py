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

import email
import email.policy
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from kb.errors import ContentError, Problem
from kb.ingest.html import convert_html
from kb.ingest.layouts import NO_SITES, Sites
from kb.ingest.markdown import convert_markdown
from kb.ingest.pagetext import convert_scraped_page
from kb.ingest.pdftext import convert_pdf_text
from kb.ingest.text import CAPTION_CLASS, LEAD_CLASS, Converted, tidy
from kb.textutil import decode_text, read_text

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


def _is_mhtml(data: bytes) -> bool:
    """A MIME archive of a page (Chrome's and Edge's "single file" save): mail-style headers, multipart/related."""
    head = re.split(rb"\r?\n\r?\n", data[:4000], maxsplit=1)[0]
    return bool(re.match(rb"\A[\w-]+: ", head)) and b"multipart/related" in head.lower()


_DECLARED = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)|<\?xml[^>]+encoding\s*=\s*["']([\w-]+)""", re.I)


def decode_capture(data: bytes, shown: str) -> str:
    """A capture's text: UTF-8, or the encoding a saved page declares; a saved MHTML archive's page.

    The seed keeps its bytes; only what the converters read is decoded. Anything else that is not
    UTF-8 is refused with the byte and line (:func:`kb.textutil.decode_text`).
    """
    if _is_mhtml(data):
        return _mhtml_page(data, shown)
    try:
        return decode_text(data, shown)
    except ContentError:
        declared = _DECLARED.search(data[:8000])
        charset = (declared.group(1) or declared.group(2)).decode("ascii").lower() if declared else None
        if charset in (None, "utf-8", "utf8"):
            raise
        try:
            text = data.decode(charset)
        except (LookupError, UnicodeDecodeError):
            raise ContentError(
                Problem(
                    shown,
                    f"the page says it is {charset}, but its bytes are not",
                    expected="the page saved again (UTF-8, or the encoding it declares)",
                )
            ) from None
        return decode_text(text.encode("utf-8"), shown)


def _mhtml_page(data: bytes, shown: str) -> str:
    """The HTML of a page saved as one MHTML file (a browser's "Save page as: single file")."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True) or b""
            charset = part.get_content_charset() or "utf-8"
            try:
                return decode_text(payload.decode(charset).encode("utf-8"), shown)
            except (LookupError, UnicodeDecodeError):
                break
    raise ContentError(
        Problem(shown, "is an MHTML archive without a readable HTML page", expected="a saved page (.html or .mhtml)")
    )


def read_capture(path: Path, shown: str) -> str:
    """Read a seed or a capture to add: :func:`decode_capture` of its bytes, with the size limit of every text."""
    return read_text(path, shown, decode=decode_capture)


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
