"""pdf-text: the text a PDF reader or ``pdftotext`` extracts from an article's PDF."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kb.errors import ContentError, Problem
from kb.ingest.metadata import author_of, date_line
from kb.ingest.text import Converted, caption, is_terminal, lead, starts_upper, strip_leading_title, tidy

if TYPE_CHECKING:
    from kb.schema import SeedMeta

PDF_PLACEHOLDER = re.compile(r"^Image not found or type unknown$", re.I)

# --------------------------------------------------------------------------
# pdf-text: text extracted from a PDF (seed 000)
# --------------------------------------------------------------------------


_PAGE_NUMBER = re.compile(r"^(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?$", re.I)


def _running_lines(lines: list[str]) -> set[str]:
    """Lines printed at the top or bottom of three or more pages: running headers and footers."""
    pages = "\n".join(lines).split("\f")
    if len(pages) < 3:
        return set()
    seen: dict[str, int] = {}
    for page in pages:
        text = [line.strip() for line in page.split("\n") if line.strip()]
        for line in {*text[:2], *text[-2:]}:
            seen[line] = seen.get(line, 0) + 1
    return {line for line, count in seen.items() if count >= 3 and count >= len(pages) / 2}


@dataclass
class _PdfLine:
    text: str
    page_start: bool
    gap_before: int
    number: int


def convert_pdf_text(raw: str, meta: SeedMeta) -> Converted:
    """Rebuild paragraphs, headings and captions from PDF-extracted text.

    In this layout every line is followed by a blank line, so blank lines say
    nothing; a line that begins with a space opens a new page; runs of three
    or more blank lines are page-layout gaps. A paragraph ends at a line that
    ends a sentence and is short, or that is followed by a page break or gap.
    A short line without a full stop that is followed by a capitalised line
    is a heading; a page-opening block that ends without a full stop is a
    photo caption. 'Image not found' placeholders are dropped.
    """
    lines = raw.split("\n")
    found: dict[str, Any] = {}
    # Header: the title runs up to the date line, then an author line.
    header_end = 0
    title_parts: list[str] = []
    for index, line in enumerate(lines[:12]):
        if stamp := date_line(line):
            found["published"] = stamp.iso()
            found["title"] = tidy(" ".join(title_parts))
            header_end = index + 1
            if index + 1 < len(lines) and (author := author_of(lines[index + 1])) is not False:
                found["author"] = author
                header_end = index + 2
            break
        if line.strip():
            title_parts.append(line.strip())

    items: list[_PdfLine] = []
    gap = 0
    furniture = _running_lines(lines[header_end:])
    page_break = False
    for number, line in enumerate(lines[header_end:], start=header_end + 1):
        if "\f" in line:  # pdftotext's page break
            page_break = True
            line = line.replace("\f", "")
        if not line.strip():
            gap += 1
            continue
        if PDF_PLACEHOLDER.match(line.strip()):
            gap = max(gap, 3)  # an image stood here: treat it as a layout gap
            continue
        if line.strip() in furniture or _PAGE_NUMBER.match(line.strip()):
            page_break = True  # a running header or footer, or a page number: the page turns here
            continue
        items.append(_PdfLine(line.strip(), line.startswith(" ") or page_break, gap, number))
        gap, page_break = 0, False
    if not items:
        raise ContentError(Problem(meta.slug, "the PDF text has no body", expected="paragraphs after the header"))

    # In seed 000's layout every line is followed by a blank line; pdftotext's blank lines end paragraphs.
    followed = sum(1 for a, b in itertools.pairwise(lines) if a.strip() and not b.strip())
    double_spaced = followed >= 0.6 * sum(1 for line in lines if line.strip())
    lengths = sorted(len(i.text) for i in items)
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) > 3 else max(lengths)
    short = lambda item: len(item.text) < 0.8 * full  # noqa: E731

    def heading_like(k: int) -> bool:
        item = items[k]
        nxt = items[k + 1] if k + 1 < len(items) else None
        return (
            not item.page_start
            and short(item)
            and not is_terminal(item.text)
            and len(item.text.split()) <= 14
            and starts_upper(item.text)
            and (nxt is None or starts_upper(nxt.text))
        )

    blocks: list[list[_PdfLine]] = [[items[0]]]
    for k in range(1, len(items)):
        prev, cur = items[k - 1], items[k]
        layout_break = cur.page_start or cur.gap_before >= (3 if double_spaced else 1)
        # A caption opens a page and is at most a few lines long.
        in_caption = blocks[-1][0].page_start and len(blocks[-1]) <= 3
        new_block = (
            (is_terminal(prev.text) and (short(prev) or layout_break or heading_like(k)))
            or (
                not is_terminal(prev.text)
                and (short(prev) or in_caption)
                and starts_upper(cur.text)
                and not _continues(prev, cur)
            )
            or heading_like(k - 1)
        )
        if new_block:
            blocks.append([cur])
        else:
            blocks[-1].append(cur)

    out: list[str] = []
    for block in blocks:
        text = " ".join(item.text for item in block)
        if len(block) == 1 and heading_like(items.index(block[0])):
            out.append(f"## {tidy(text)}")
        elif block[0].page_start and not is_terminal(block[-1].text):
            out.append(caption(text))
        else:
            out.append(tidy(text))
    out = strip_leading_title(out, meta.title.vi)
    if out and not out[0].startswith(("#", "*")):
        out[0] = lead(out[0])
    return Converted("\n\n".join(out) + "\n", found)


def _continues(prev: _PdfLine, cur: _PdfLine) -> bool:
    """A line that ends in a comma or an open phrase keeps its paragraph going."""
    return prev.text.endswith((",", ";", "-", "–")) or not starts_upper(cur.text)
