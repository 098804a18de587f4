"""html: a saved web page (the browser's "Save page as", curl, an archive copy).

The article's text and what the page states about it come from trafilatura,
the standard main-text extractor (its metadata through htmldate): headings,
paragraphs, lists, tables, code, quotes, images with their alt text, links,
bold and italics. Two things are added around it:

* figure captions: trafilatura drops ``<figcaption>``; each is marked before
  extraction and comes back as the caption of the image before it;
* the publication time with its zone, read from the page's own metadata
  (``article:published_time``, JSON-LD ``datePublished``, ``<time datetime>``)
  when it gives one; htmldate's date otherwise.

Addresses are made absolute against the page's own address (``ingest.link_base``,
``url`` or the page's canonical address); without one, a site-relative link
keeps its text and an image its alt text, and the content checks say so.
"""

from __future__ import annotations

import json
import re
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from kb.errors import ContentError, Problem
from kb.ingest.markdown import escape_angles
from kb.ingest.metadata import date_line, is_name
from kb.ingest.text import CAPTION_CLASS, Converted, lead, same_words, strip_leading_title, tidy
from kb.textutil import math_spans

if TYPE_CHECKING:
    from lxml import etree

    from kb.content.schema import SeedMeta

_KEEP_MATH: ContextVar[bool] = ContextVar("keep_math", default=False)
_MATH_SCRIPT = re.compile(r"<script[^>]+(?:mathjax|katex)", re.I)
_CAPTION_MARK = "⟦kb-caption⟧"  # printable (trafilatura drops private-use characters), never in a real page
_ISO_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?")
_TIME_KEYS = (
    ("meta", "property", "article:published_time"),
    ("meta", "itemprop", "datePublished"),
    ("meta", "name", "pubdate"),
    ("meta", "name", "publishdate"),
    ("meta", "property", "og:published_time"),
)


def convert_html(raw: str, meta: SeedMeta) -> Converted:
    """Extract the article of a saved page (see the module's docstring)."""
    import lxml.html
    import trafilatura

    try:
        tree = lxml.html.document_fromstring(raw.encode("utf-8"), parser=lxml.html.HTMLParser(encoding="utf-8"))
    except Exception as exc:
        raise ContentError(
            Problem(meta.slug, f"the page is not HTML lxml can read ({exc})", expected="a saved web page")
        ) from None
    found = _metadata(raw, tree)
    _visible_stamp(tree, found)
    base = meta.ingest.link_base or meta.url or found.get("url")
    _KEEP_MATH.set(bool(_MATH_SCRIPT.search(raw)))
    _drop_chrome(tree)
    title_element = _title_element(tree)
    _mark_captions(tree)
    xml = trafilatura.extract(
        tree,
        url=base,
        output_format="xml",
        include_images=True,
        include_tables=True,
        include_links=True,
        include_formatting=True,
        include_comments=False,
        deduplicate=False,
        favor_recall=True,
        with_metadata=False,
    )
    if not xml:
        raise ContentError(
            Problem(meta.slug, "no article text was found in the saved page", expected="a page with an article in it")
        )
    from lxml import etree

    doc = etree.fromstring(xml.encode("utf-8"))
    main = doc.find("main")
    blocks = _blocks(main if main is not None else doc, base)
    blocks = _lead_before(title_element, blocks) + blocks
    if blocks and (m := _BOLD_NAME.match(blocks[-1])) and is_name(m[1]):
        found.setdefault("author", m[1])  # a byline in bold after the last paragraph, as Vietnamese news sites print it
    blocks = strip_leading_title(blocks, meta.title.vi)
    if found.get("title") and blocks and blocks[0].startswith("#"):
        blocks = (
            strip_leading_title([blocks[0].lstrip("# "), *blocks[1:]], found["title"])
            if same_words(blocks[0].lstrip("# "), found["title"])
            else blocks
        )
    if blocks and not blocks[0].startswith(("#", "*", "!", "-", "|", "`", ">")):
        blocks[0] = lead(blocks[0])
    return Converted("\n\n".join(blocks) + "\n", found)


# ---------------------------------------------------------------- metadata


def _metadata(raw: str, tree: Any) -> dict[str, Any]:
    """What the page states: title, date (with time and zone when given), author, site, address."""
    from trafilatura import extract_metadata

    found: dict[str, Any] = {}
    document = extract_metadata(tree, extensive=False)  # a date the page states; no year-only guesses (© 2026)
    if document is not None:
        for ours, theirs in (("title", "title"), ("author", "author"), ("publisher", "sitename"), ("url", "url")):
            value = getattr(document, theirs, None)
            if value:
                found[ours] = tidy(str(value))
        if document.date:
            found["published"] = document.date
        if getattr(document, "description", None):
            found["description"] = tidy(document.description)
    if stamp := _published_time(tree):
        found["published"] = stamp
    url = str(found.get("url", ""))
    if url and (not url.startswith(("http://", "https://")) or not urlsplit(url).hostname):
        del found["url"]
    language = tree.get("lang") or (tree.find("html").get("lang") if tree.find("html") is not None else None)
    if language:
        found["language"] = language.split("-")[0].lower()
    return found


def _published_time(tree: Any) -> str | None:
    """The page's own publication time, when it gives one with its zone."""
    candidates = [
        el.get("content") for tag, attr, value in _TIME_KEYS for el in tree.iter(tag) if el.get(attr) == value
    ]
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() == "application/ld+json" and script.text:
            try:
                data = json.loads(script.text)
            except ValueError:
                continue
            for item in data if isinstance(data, list) else data.get("@graph", [data]):
                if isinstance(item, dict) and isinstance(item.get("datePublished"), str):
                    candidates.append(item["datePublished"])
    candidates += [el.get("datetime") for el in tree.iter("time") if el.get("datetime")][:1]
    for value in candidates:
        if value and (m := _ISO_TIME.match(value.strip())):
            date, time, zone = m.groups()
            if time and zone:
                zone = "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
                return f"{date}T{time}{zone}"
            return date
    return None


_BOLD_NAME = re.compile(r"^\*\*([^*]{3,60})\*\*$")
_STAMP_HINT = re.compile(r"date|time|publish|posted|ngay", re.I)


def _visible_stamp(tree: Any, found: dict[str, Any]) -> None:
    """A date line the page prints ('Thứ hai, 15/12/2025, 10:00 (GMT+7)'), when it says more than the metadata."""
    if "T" in str(found.get("published", "")) and str(found["published"])[-6] in "+-":
        return  # the metadata gave a time and a zone already
    for element in tree.iter():
        if not isinstance(element.tag, str) or len(element):
            continue
        if element.tag != "time" and not _STAMP_HINT.search(f"{element.get('class', '')} {element.get('id', '')}"):
            continue
        stamp = date_line(" ".join(element.text_content().split()))
        if stamp and (stamp.zone or "published" not in found or found["published"] == stamp.date):
            found["published"] = stamp.iso()
            return


def _title_element(tree: Any) -> Any:
    return next(iter(tree.iter("h1")), None)


def _lead_before(title: Any, blocks: list[str]) -> list[str]:
    """Paragraphs between the page's title and the extracted text that extraction left out: the lead (sapo).

    News pages print the lead outside the element that holds the body, and
    trafilatura keeps only that element. Sentences there are the article's.
    """
    if title is None or not blocks:
        return []
    body = " ".join(" ".join(blocks).split())
    lead: list[str] = []
    passed = False
    for element in title.getroottree().iter():
        if element is title:
            passed = True
            continue
        if not passed or not isinstance(element.tag, str) or element.tag not in {"p", "h2", "div", "span"}:
            continue
        if any(isinstance(child.tag, str) and child.tag in {"p", "div", "h2", "ul", "figure"} for child in element):
            continue
        text = tidy(" ".join(element.text_content().split()))
        if not text:
            continue
        if _escape_text(text)[:60] in body or text[:60] in body:
            break  # the extracted text starts here
        if len(text) >= 50 and text.rstrip()[-1:] in '.!?…"”»)' and len(lead) < 3:
            lead.append(_escape_text(text))
    return lead


_CHROME_TAGS = {"header", "nav", "footer", "aside"}
_ARCHIVE_IDS = ("wm-ipp", "donato")  # the Wayback Machine's toolbar and banner in an archive copy
_CHROME_ROLES = {"banner", "navigation", "contentinfo", "complementary", "search"}
_IMAGE_FILE = re.compile(r"\.(?:jpe?g|png|gif|webp|avif|svg)(?:[?#].*)?$", re.I)


def _inside(element: Any, tags: set[str]) -> bool:
    return any(ancestor.tag in tags for ancestor in element.iterancestors())


def _drop_chrome(tree: Any) -> None:
    """Remove the page's own chrome before extraction: what no article's text is.

    The page header, navigation, footer and sidebars (by element or ARIA role)
    outside the article, a web archive's toolbar, and logo links (a link whose only content is an
    image and that leads to a page, not to the image) outside the article.
    trafilatura removes most of these itself; these are the ones it keeps.
    """
    has_article = tree.find(".//article") is not None or tree.find(".//main") is not None
    for element in list(tree.iter()):
        if not isinstance(element.tag, str) or element.getparent() is None:
            continue
        chrome = (
            element.tag in _CHROME_TAGS
            or (element.get("role") or "").lower() in _CHROME_ROLES
            or (element.get("id") or "").startswith(_ARCHIVE_IDS)
        )
        if chrome and not (has_article and _inside(element, {"article", "main"})) and element.tag != "body":
            element.drop_tree()
            continue
        if element.tag == "a" and not _inside(element, {"article", "main", "figure"}):
            images = element.findall(".//img")
            text = "".join(element.itertext()).strip()
            if images and not text and not _IMAGE_FILE.search(element.get("href") or ""):
                element.drop_tree()


def _mark_captions(tree: Any) -> None:
    """Turn each figure caption into a marked paragraph after its image, which trafilatura keeps."""
    for figcaption in list(tree.iter("figcaption")):
        text = " ".join(figcaption.text_content().split())
        parent = figcaption.getparent()
        if not text or parent is None:
            continue
        paragraph = figcaption.makeelement("p", {})
        paragraph.text = _CAPTION_MARK + text
        figure = parent if parent.tag == "figure" else figcaption
        figcaption.drop_tree()
        if figure is not figcaption:
            figure.addnext(paragraph)
        else:
            parent.append(paragraph)


# ------------------------------------------------------------------ blocks


def _blocks(root: etree._Element, base: str | None) -> list[str]:
    out: list[str] = []
    for element in root:
        out.extend(_block(element, base))
    return [b for b in out if b.strip()]


def _block(element: etree._Element, base: str | None, depth: int = 0) -> list[str]:
    tag = element.tag
    if tag == "head":
        level = int((element.get("rend") or "h2")[1:] or 2)
        text = _inline(element, base).strip()
        if len(text.split()) >= 12 and text.rstrip('*_"”’)').endswith((".", "…")):
            return [text]  # a sentence set as a heading (a lead styled as <h2>): a paragraph
        return [f"{'#' * max(2, min(level, 6))} {text}"] if text else []
    if tag == "p":
        text = _inline(element, base).strip()
        if text.startswith(_CAPTION_MARK):
            return [f"*{text[len(_CAPTION_MARK) :].strip()}*\n{CAPTION_CLASS}"]
        return [text] if text else []
    if tag == "list":
        return ["\n".join(_items(element, base, 0))]
    if tag == "table":
        return [_table(element, base)]
    if tag == "code":
        code = "".join(element.itertext())
        fence = "````" if "```" in code else "```"
        return [f"{fence}\n{code.strip(chr(10))}\n{fence}"]
    if tag == "quote":
        inner = _blocks(element, base) or [_inline(element, base)]
        return ["\n>\n".join("\n".join(f"> {line}" if line else ">" for line in b.split("\n")) for b in inner)]
    if tag == "graphic":
        return [_graphic(element, base)]
    if tag in {"div", "section"}:
        return _blocks(element, base)
    text = _inline(element, base).strip()
    return [text] if text else []


def _items(element: etree._Element, base: str | None, depth: int) -> list[str]:
    ordered = (element.get("rend") or "").lower() in {"ol", "1"}
    lines = []
    number = 1
    for item in element:
        if item.tag != "item":
            continue
        nested = [child for child in item if child.tag == "list"]
        for child in nested:
            item.remove(child)
        marker = f"{number}." if ordered else "-"
        lines.append(f"{'    ' * depth}{marker} {_inline(item, base).strip()}")
        number += 1
        for child in nested:
            lines.extend(_items(child, base, depth + 1))
    return lines


def _table(element: etree._Element, base: str | None) -> str:
    rows = [[_inline(cell, base).strip().replace("|", "\\|") for cell in row] for row in element.iter("row")]
    rows = [row for row in rows if row]
    if not rows:
        return ""
    width = max(len(row) for row in rows)
    rows = [row + [""] * (width - len(row)) for row in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in rows[1:]]
    return "\n".join(lines)


def _graphic(element: etree._Element, base: str | None) -> str:
    src = element.get("src") or ""
    alt = tidy(element.get("alt") or element.get("title") or "")
    if src.startswith("data:") or not src:
        return f"*{alt}*" if alt else ""
    if not src.startswith(("http://", "https://")):
        if not base:
            return f"*{alt}*" if alt else ""
        src = urljoin(base, src)
    return f"![{alt}]({src})"


_FORMAT = {"#b": "**", "#strong": "**", "#i": "*", "#em": "*", "#t": "`", "#sub": "", "#sup": "", "#u": ""}


def _inline(element: etree._Element, base: str | None) -> str:
    """The element's text as one line of Markdown: formatting, links, line breaks."""
    parts = [_escape_text(element.text or "")]
    for child in element:
        if child.tag == "hi":
            mark = _FORMAT.get(child.get("rend") or "", "")
            inner = _inline(child, base).strip()
            parts.append(f"{mark}{inner}{mark}" if inner else "")
        elif child.tag == "ref":
            inner = _inline(child, base).strip()
            target = child.get("target") or ""
            if target and not target.startswith(("http://", "https://", "mailto:")) and base:
                target = urljoin(base, target)
            parts.append(f"[{inner}]({target})" if inner and target.startswith(("http", "mailto:")) else inner)
        elif child.tag == "lb":
            parts.append(" ")
        elif child.tag == "code":
            parts.append(f"`{child.text or ''}`")
        elif child.tag == "graphic":
            parts.append(_graphic(child, base))
        elif child.tag == "list":
            parts.append(" ")
        else:
            parts.append(_inline(child, base))
        parts.append(_escape_text(child.tail or ""))
    return tidy("".join(parts))


def _escape_text(text: str) -> str:
    """Plain page text as Markdown: characters Markdown would read as markup are escaped.

    On a page that typesets math (it loads MathJax or KaTeX), TeX in the text is kept
    as it is for the math extension; elsewhere a dollar is a dollar ('US$5'), never math.
    """
    if not text:
        return text
    if _KEEP_MATH.get() and (spans := math_spans(text)):
        parts, last = [], 0
        for start, end in spans:
            parts += [_escape_text_only(text[last:start]), text[start:end]]
            last = end
        return "".join([*parts, _escape_text_only(text[last:])])
    return _escape_text_only(text)


def _escape_text_only(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([*_`\[\]$])", r"\\\1", text)
    return escape_angles(text)
