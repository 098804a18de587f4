"""Seed ingest: turn a raw capture into clean Vietnamese Markdown.

Each seed format has one converter. A converter returns the Markdown body
(blocks separated by one blank line) and what the capture itself says about
the article (title, date, author), so the metadata can be checked against it.
Conversion is pure: the same seed and metadata always give the same bytes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from kb import yamlio
from kb.errors import ContentError, Problem
from kb.schema import SeedMeta

CAPTION_CLASS = "{: .kb-caption }"
LEAD_CLASS = "{: .kb-lead }"

TERMINAL = re.compile(r"""[.!?…:]["”’»)\]]*\s*$""")
# Runs of spaces and single odd spaces (tab, no-break): a lone plain space is left as it is.
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]{2,}|[\t\u00a0\u2007\u202f]")
_UPPER_START = re.compile(r"""^["“‘'(]*[A-ZÀ-ỸĐ0-9]""")
_DATE_LINE = re.compile(r"^(\d{1,2}):(\d{2}) (\d{1,2})/(\d{1,2})/(\d{4})$")
_PDF_PLACEHOLDER = re.compile(r"^Image not found or type unknown$", re.I)
_PHOTO_PLACEHOLDER = re.compile(r"[-–]\s*Ảnh\s*\d+\.?$")
_BYLINE = re.compile(r"^Theo (?P<author>[^()]+?) \((?P<publisher>[^()]+)\)$")
_SOURCE = re.compile(r"^Nguồn:\s*(?P<url>https?://\S+)$")
_AUTHOR_LINE = re.compile(r"^Tác giả:\s*(?P<author>.+)$")
_UNKNOWN_AUTHOR = {"đang cập nhật", "không rõ", "n/a"}
_SCRAPE_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4}) (\d{1,2}):(\d{2})")
_IMG_TAG = re.compile(r"<img\s+([^>]*?)/?>", re.I)
_ATTR = re.compile(r"""(\w[\w-]*)\s*=\s*("([^"]*)"|'([^']*)')""")
_MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^(```|~~~)")
_PADDED_OPENING_QUOTE = re.compile(r'(^|[\s(:])"\s+(?=\S)')
_PADDED_CLOSING_QUOTE = re.compile(r'(?<=\S)\s+([.,;:!?]*)"(?=\s|$|[.,;:)])')
_PUNCTUATION = ".,;:!?"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"(?<=\w)\s+([.,;:!?])(?=\"|$)")

_PEOPLE_EMOJI = re.compile("[\U0001f3c3-\U0001f9d8]")  # the first characters _LOST_ZWJ can start with
# Emoji sequences whose zero-width joiner (U+200D) was lost upstream: the
# pair is shown as two pictures instead of one. Restored when rendering.
_LOST_ZWJ = re.compile(
    "([\U0001f9d1\U0001f468\U0001f469][\U0001f3fb-\U0001f3ff]?)(?=[\U0001f4bc\U0001f4bb\U0001f52c\U0001f3a8\U0001f680\U0001f3eb\U0001f373\U0001f33e\U0001f527\U0001f3ed\U0001f3a4\u2695\u2696\u2708])"
    "|([\U0001f3cb\U0001f3c3\U0001f6b6\U0001f937\U0001f926\U0001f481\U0001f64b\U0001f9d8]\ufe0f?)(?=[\u2640\u2642]\ufe0f?)"
)


@dataclass
class Converted:
    """A converted seed: the clean body and what the capture itself states."""

    body: str
    found: dict[str, Any] = field(default_factory=dict)


def tidy(text: str) -> str:
    """Normalise one block's inline text: NFC, single spaces, tidy quotes."""
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    text = _SPACES.sub(" ", text).strip()
    # Each regex below runs only when the text has what it could change (most lines have nothing).
    quoted = '"' in text
    if quoted:  # PDF extraction pads straight quotes: '" Chúng ta … hoạt động ."'.
        text = _PADDED_OPENING_QUOTE.sub(r'\1"', text)
        text = _PADDED_CLOSING_QUOTE.sub(r'\1"', text)
    if quoted or (len(text) > 1 and text[-1] in _PUNCTUATION and text[-2].isspace()):
        text = _SPACE_BEFORE_PUNCTUATION.sub(r"\1", text)
    if _PEOPLE_EMOJI.search(text):
        text = _LOST_ZWJ.sub(lambda m: (m.group(1) or m.group(2)) + "\u200d", text)
    return text


def _is_terminal(line: str) -> bool:
    return bool(TERMINAL.search(line))


def _starts_upper(line: str) -> bool:
    return bool(_UPPER_START.match(line.lstrip()))


def _same_words(a: str, b: str) -> bool:
    norm = lambda s: re.sub(r"\W+", " ", unicodedata.normalize("NFC", s)).strip().casefold()  # noqa: E731
    return norm(a) == norm(b)


def _strip_leading_title(blocks: list[str], title: str) -> list[str]:
    """Drop opening lines that only repeat the title: the page shows it as H1."""
    joined = ""
    for count, block in enumerate(blocks, start=1):
        joined = f"{joined} {block}".strip()
        if _same_words(joined, title):
            return blocks[count:]
        if len(joined) > len(title) + 10:
            break
    return blocks


def _caption(text: str) -> str:
    return f"*{tidy(text)}*\n{CAPTION_CLASS}"


def _lead(text: str) -> str:
    return f"{tidy(text)}\n{LEAD_CLASS}"


# --------------------------------------------------------------------------
# pdf-text: text extracted from a PDF (seed 000)
# --------------------------------------------------------------------------


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
        if m := _DATE_LINE.match(line.strip()):
            hh, mm, d, mo, y = m.groups()
            found["published"] = f"{y}-{int(mo):02d}-{int(d):02d}T{int(hh):02d}:{mm}"
            found["title"] = tidy(" ".join(title_parts))
            header_end = index + 1
            if index + 1 < len(lines) and (a := _AUTHOR_LINE.match(lines[index + 1].strip())):
                author = a["author"].strip()
                found["author"] = None if author.casefold() in _UNKNOWN_AUTHOR else author
                header_end = index + 2
            break
        if line.strip():
            title_parts.append(line.strip())

    items: list[_PdfLine] = []
    gap = 0
    for number, line in enumerate(lines[header_end:], start=header_end + 1):
        if not line.strip():
            gap += 1
            continue
        if _PDF_PLACEHOLDER.match(line.strip()):
            gap = max(gap, 3)  # an image stood here: treat it as a layout gap
            continue
        items.append(_PdfLine(line.strip(), line.startswith(" "), gap, number))
        gap = 0
    if not items:
        raise ContentError(Problem(meta.slug, "the PDF text has no body", expected="paragraphs after the header"))

    lengths = sorted(len(i.text) for i in items)
    full = lengths[int(len(lengths) * 0.9)] if len(lengths) > 3 else max(lengths)
    short = lambda item: len(item.text) < 0.8 * full  # noqa: E731

    def heading_like(k: int) -> bool:
        item = items[k]
        nxt = items[k + 1] if k + 1 < len(items) else None
        return (
            not item.page_start
            and short(item)
            and not _is_terminal(item.text)
            and len(item.text.split()) <= 14
            and _starts_upper(item.text)
            and (nxt is None or _starts_upper(nxt.text))
        )

    blocks: list[list[_PdfLine]] = [[items[0]]]
    for k in range(1, len(items)):
        prev, cur = items[k - 1], items[k]
        layout_break = cur.page_start or cur.gap_before >= 3
        # A caption opens a page and is at most a few lines long.
        in_caption = blocks[-1][0].page_start and len(blocks[-1]) <= 3
        new_block = (
            (_is_terminal(prev.text) and (short(prev) or layout_break or heading_like(k)))
            or (
                not _is_terminal(prev.text)
                and (short(prev) or in_caption)
                and _starts_upper(cur.text)
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
        elif block[0].page_start and not _is_terminal(block[-1].text):
            out.append(_caption(text))
        else:
            out.append(tidy(text))
    out = _strip_leading_title(out, meta.title.vi)
    if out and not out[0].startswith(("#", "*")):
        out[0] = _lead(out[0])
    return Converted("\n\n".join(out) + "\n", found)


def _continues(prev: _PdfLine, cur: _PdfLine) -> bool:
    """A line that ends in a comma or an open phrase keeps its paragraph going."""
    return prev.text.endswith((",", ";", "-", "–")) or not _starts_upper(cur.text)


# --------------------------------------------------------------------------
# markdown: Markdown or plain text with another site's front-matter (001, 002)
# --------------------------------------------------------------------------

_EMOJI_START = re.compile(r"^\s*(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff]|\U0001f1e6)")


def convert_markdown(raw: str, meta: SeedMeta) -> Converted:
    """Clean Markdown from another site.

    Its front-matter is read for what it says (title, description, date,
    tags) and dropped; raw ``<img>`` tags become Markdown images with alt
    text from the metadata; site-relative links become absolute links when
    the original site is known (``ingest.link_base``), plain text otherwise;
    lines that each open with an emoji become one list item each; a list is
    always separated from the paragraph before and after it.
    """
    found: dict[str, Any] = {}
    data, _, body, _ = yamlio.split_front_matter(raw, meta.slug, required=False)
    for key in ("title", "description", "tags", "time", "added", "date", "slug"):
        if key in data:
            found[key] = data[key]

    lines = [_convert_images(line, meta) for line in body.split("\n")]
    lines = [_MD_LINK.sub(lambda m: _convert_link(m, meta), line) for line in lines]

    blocks: list[list[str]] = []
    current: list[str] = []
    in_fence = False
    for line in lines:
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        if not in_fence and not line.strip():
            if current:
                blocks.append(current)
                current = []
            continue
        current.append(line.rstrip())
    if current:
        blocks.append(current)

    out: list[str] = []
    for block in blocks:
        out.extend(_split_block(block))
    out = _strip_leading_title(out, meta.title.vi)
    return Converted("\n\n".join(out) + "\n", found)


def _split_block(block: list[str]) -> list[str]:
    """Split one blank-line block into paragraphs, lists and images."""
    if _FENCE.match(block[0].strip()):
        return ["\n".join(block)]
    parts: list[tuple[str, list[str]]] = []
    for line in block:
        if _EMOJI_START.match(line):
            kind = "emoji"
        elif line.lstrip().startswith("#"):
            kind = "heading"
        elif line.startswith("!["):
            kind = "image"
        elif _LIST_ITEM.match(line) or (parts and parts[-1][0] == "list" and line.startswith("    ")):
            kind = "list"
        else:
            kind = "text"
        if parts and parts[-1][0] == kind and kind in {"list", "text", "emoji"}:
            parts[-1][1].append(line)
        else:
            parts.append((kind, [line]))
    rendered = []
    for kind, group in parts:
        if kind == "emoji":  # one item per emoji line
            rendered.append("\n".join(f"- {tidy(line)}" for line in group))
        elif kind == "list":
            rendered.append("\n".join(_tidy_list_line(line) for line in group))
        elif kind == "text":
            rendered.append("\n".join(tidy(line) for line in group))
        else:
            rendered.extend(tidy(line) for line in group)
    return rendered


def _tidy_list_line(line: str) -> str:
    indent = len(line) - len(line.lstrip(" "))
    return " " * indent + tidy(line)


def _convert_images(line: str, meta: SeedMeta) -> str:
    def replace(match: re.Match[str]) -> str:
        attrs = {m[1].lower(): m[3] if m[3] is not None else m[4] for m in _ATTR.finditer(match[1])}
        src = attrs.get("src", "")
        name = src.rsplit("/", 1)[-1]
        alt = attrs.get("alt") or meta.ingest.image_alt.get(name) or _humanise(name)
        return f"![{alt}]({src})"

    return _IMG_TAG.sub(replace, line)


def _humanise(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Hình minh họa"


def _convert_link(match: re.Match[str], meta: SeedMeta) -> str:
    text, target = match[1], match[2]
    if target.startswith(("http://", "https://", "mailto:", "#")):
        return match[0]
    if target.startswith("/") and meta.ingest.link_base:
        return f"[{text}]({meta.ingest.link_base.rstrip('/')}{target})"
    return text  # a page of the original site we cannot link to


# --------------------------------------------------------------------------
# scraped-page: a news page with navigation and headline lists (003, 004)
# --------------------------------------------------------------------------


def convert_scraped_page(raw: str, meta: SeedMeta) -> Converted:
    """Keep only the article of a scraped news page.

    The article starts at the line that holds its title (alone, or after a
    'dd/mm/yyyy hh:mm' date) and ends at its byline ('Theo X (Y)') or its
    'Nguồn: URL' line, which is kept; everything before and after is page
    furniture. Inside, '… - Ảnh N.' photo placeholders are dropped and the
    line after each is kept as the photo's caption; short lines without a
    full stop are section headings; the first paragraph is the lead.
    """
    lines = [line.strip() for line in raw.split("\n")]
    title = meta.title.vi
    found: dict[str, Any] = {}
    start = None
    for index, line in enumerate(lines):
        if _same_words(line, title):
            start = index + 1
            break
        if line.endswith(title) and (m := _SCRAPE_DATE.match(line)):
            d, mo, y, hh, mm = m.groups()
            found["published"] = f"{y}-{int(mo):02d}-{int(d):02d}T{int(hh):02d}:{mm}"
            start = index + 1
            break
    if start is None:
        raise ContentError(
            Problem(
                meta.slug,
                "the article's title was not found in the scraped page",
                field="title.vi",
                expected="title.vi exactly as the page prints it",
            )
        )
    found["title"] = title
    end = None
    for index in range(start, len(lines)):
        if m := _BYLINE.match(lines[index]):
            found["author"], found["publisher"] = m["author"].strip(), m["publisher"].strip()
            end = index
            break
        if m := _SOURCE.match(lines[index]):
            found["url"] = m["url"]
            end = index
            break
    if end is None:
        raise ContentError(
            Problem(
                meta.slug,
                "the article's end was not found in the scraped page",
                expected="a 'Theo Tác giả (Báo)' byline or a 'Nguồn: https://…' line after the article",
            )
        )

    out: list[str] = []
    caption_next = False
    for line in lines[start:end]:
        if not line:
            continue
        if _PHOTO_PLACEHOLDER.search(line):
            caption_next = True
            continue
        if caption_next:
            out.append(_caption(line))
            caption_next = False
        elif not _is_terminal(line) and len(line.split()) <= 14 and not line.startswith(("“", '"', "-")):
            out.append(f"## {tidy(line)}")
        else:
            out.append(tidy(line))
    closing = lines[end]
    if m := _SOURCE.match(closing):
        out.append(f"Nguồn: <{m['url']}>")
    else:
        out.append(f"*{tidy(closing)}*")
    if out and not out[0].startswith(("#", "*")):
        out[0] = _lead(out[0])
    return Converted("\n\n".join(out) + "\n", found)


CONVERTERS: dict[str, Callable[[str, SeedMeta], Converted]] = {
    "pdf-text": convert_pdf_text,
    "markdown": convert_markdown,
    "scraped-page": convert_scraped_page,
}


def convert(raw: str, meta: SeedMeta) -> Converted:
    """Convert a decoded seed with the converter its metadata names."""
    converted = CONVERTERS[meta.format](raw, meta)
    converted.body = unicodedata.normalize("NFC", converted.body)
    return converted
