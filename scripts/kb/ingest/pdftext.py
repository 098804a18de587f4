"""pdf-text: the text a PDF reader or ``pdftotext`` extracts from an article's PDF."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kb.errors import ContentError, Problem
from kb.ingest.layouts import Layout
from kb.ingest.metadata import author_of, date_line, is_name
from kb.ingest.pagetext import FOOTER, GENERAL, SHARE
from kb.ingest.text import (
    CAPTION_CLASS,
    Converted,
    caption,
    escape_dollars,
    is_terminal,
    lead,
    starts_upper,
    strip_leading_title,
    tidy,
)

if TYPE_CHECKING:
    from kb.content.schema import SeedMeta

_SHARE = re.compile(SHARE, re.I)
PDF_PLACEHOLDER = re.compile(r"^Image not found or type unknown$", re.I)

# --------------------------------------------------------------------------
# pdf-text: text extracted from a PDF (seed 000)
# --------------------------------------------------------------------------


_PAGE_NUMBER = re.compile(r"^(?:(?:trang|page)\s*)?\d{1,4}(?:\s*(?:/|of|trên)\s*\d{1,4})?$", re.I)


def _header(lines: list[str], found: dict[str, Any]) -> int:
    """Read the header (title, date line, author) from the first lines; the line where the body starts.

    The title is the block of lines just before the date line (a blank line
    or a menu line ends it upward), less an author's name alone on the line
    before the date. When the lines before the date are a menu (short lines,
    or items separated by '|'), the title is the line after the date. Without
    a date line near the top there is no header.
    """
    for index, line in enumerate(lines[:25]):
        if not (stamp := date_line(line)):
            continue
        found["published"] = stamp.iso()
        end = index + 1
        before: list[str] = []
        for prior in reversed(lines[:index]):
            text = prior.strip()
            if not text or "|" in text or (text.isupper() and len(text.split()) <= 3):
                break
            before.insert(0, text)
        if before and is_name(before[-1]) and len(before) > 1:
            found["author"] = before.pop()
        menu = not before or all(len(text.split()) <= 3 for text in before)
        after = end
        while after < len(lines) and not lines[after].strip() and after - end < 2:
            after += 1
        if menu and after < len(lines) and lines[after].strip() and not is_terminal(lines[after].strip()):
            found["title"] = tidy(lines[after])
            end = after + 1
        elif before:
            found["title"] = tidy(" ".join(before))
        if end < len(lines) and (author := author_of(lines[end])) is not False:
            found["author"] = author
            end += 1
        return end
    return 0


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
    header_end = _header(lines, found)
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
        if items and Layout.matches(GENERAL.end_at, line.strip()):
            break  # a label that opens the page's lists of other articles: the article ended
        if (FOOTER.search(line) and len(line.strip()) < 150) or _SHARE.match(line.strip()):
            continue  # a copyright or licence line, a share button
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
            and not item.text.endswith((";", ","))
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
    for number, block in enumerate(blocks):
        text = " ".join(item.text for item in block)
        if Layout.matches(GENERAL.caption, text):
            out.append(caption(text))  # "… Ảnh: Reuters", "(Ảnh minh họa: Getty)"
        elif number == len(blocks) - 1 and is_name(text):
            found.setdefault("author", text)  # the author's name alone after the last paragraph
            out.append(f"*{tidy(text)}*")
        elif len(block) == 1 and heading_like(items.index(block[0])):
            out.append(f"## {tidy(text)}")
        elif block[0].page_start and not is_terminal(block[-1].text):
            out.append(caption(text))
        else:
            out.append(tidy(text))
    out = _without_navigation(out)
    out = strip_leading_title(out, meta.title.vi)
    if out and not out[0].startswith(("#", "*")):
        out[0] = lead(out[0])
    return Converted(escape_dollars("\n\n".join(out)) + "\n", found)


def _without_navigation(blocks: list[str]) -> list[str]:
    """Drop a printed web page's navigation: what stands before the first and after the last paragraph.

    After the last paragraph, headings (and captions among them) head no text:
    they are the page's links. Before the first paragraph, a line also printed
    after the last one is repeated navigation ("Trước đó", "Kế tiếp"), and a
    run of eight or more short blocks is a menu or an index, not the article's
    structure (its last heading may open the text and is kept); a title page
    is shorter.
    """

    def label(block: str) -> str | None:
        if block.startswith("## "):
            return block[3:]
        if block.endswith(CAPTION_CLASS):
            return block.split("\n")[0].strip("*")
        return None

    paragraphs = [
        i for i, block in enumerate(blocks) if label(block) is None and (is_terminal(block) or len(block) >= 80)
    ]
    if not paragraphs:
        return blocks
    first, last = paragraphs[0], paragraphs[-1]
    tail = blocks[last + 1 :]
    if not any(block.startswith("## ") for block in tail):
        tail_labels: set[str] = set()
    else:
        tail_labels = {label(block) for block in tail}
        blocks = blocks[: last + 1]
    head = blocks[:first]
    keep = [block for block in head if label(block) not in tail_labels]
    if len(keep) >= 8 and all(len(block) <= 80 for block in keep):
        keep = keep[-1:]
    return keep + blocks[first:]


def _continues(prev: _PdfLine, cur: _PdfLine) -> bool:
    """A line that ends in a comma or an open phrase keeps its paragraph going."""
    return prev.text.endswith((",", ";", "-", "–")) or not starts_upper(cur.text)
