"""Markup safety and links: what person-written Markdown may contain.

Two layers keep scripts out of the site:

* ``kb check`` rejects unsafe raw HTML (``<script>``, ``<iframe>``, ``on…=``
  handlers, ``javascript:`` addresses) in the files people write, with the
  line, so a contributor learns about it before review;
* the build passes the HTML of every page's content through ``nh3`` (the
  Rust ``ammonia`` sanitiser) with an allow-list of what our Markdown
  extensions produce, so whatever reaches a page from a seed, a data file or
  a person is never rendered as active content.

It also finds the relative links of a Markdown text, for the missing-page check.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import nh3

# --------------------------------------------------------------- detection

_CODE_FENCE = re.compile(r"^( {0,3})(`{3,}|~{3,}).*?^\1\2[`~]*[ \t]*$", re.M | re.S)
_CODE_SPAN = re.compile(r"(`+)(?!`).+?(?<!`)\1(?!`)", re.S)
_DANGEROUS_TAG = re.compile(r"<\s*(script|iframe|object|embed|frame|frameset|base|meta|form|template)\b", re.I)
_EVENT_ATTR = re.compile(r"<[a-zA-Z][^<>]*?\s(on[a-z]+)\s*=", re.I | re.S)
_BAD_URL = re.compile(
    r"""(?:\]\(\s*<?|\b(?:href|src|action|formaction|xlink:href)\s*=\s*["']?)\s*((?:java|vb)script:|data:text/html)""",
    re.I,
)


@dataclass(frozen=True)
class Unsafe:
    line: int
    what: str


def _blank(match: re.Match[str]) -> str:
    """Replace code by spaces, keeping the line count."""
    return re.sub(r"[^\n]", " ", match.group(0))


def without_code(text: str) -> str:
    """The text with fenced code blocks and code spans blanked out."""
    return _CODE_SPAN.sub(_blank, _CODE_FENCE.sub(_blank, text))


def _line(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def unsafe_html(text: str) -> list[Unsafe]:
    """Every place where Markdown carries active content, outside code."""
    lower = text.lower()
    if "<" not in text and "script:" not in lower and "data:" not in lower:
        return []  # nothing any of the patterns below could match
    prose = without_code(text)
    found = [Unsafe(_line(prose, m.start()), f"<{m[1].lower()}> element") for m in _DANGEROUS_TAG.finditer(prose)]
    found += [Unsafe(_line(prose, m.start(1)), f"{m[1].lower()}= event handler") for m in _EVENT_ATTR.finditer(prose)]
    found += [Unsafe(_line(prose, m.start(1)), f"{m[1].lower()} address") for m in _BAD_URL.finditer(prose)]
    return sorted(set(found), key=lambda u: (u.line, u.what))


# ----------------------------------------------------------------- links

_INLINE_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+[\"'(][^)]*)?\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HTML_LINK = re.compile(r"""\b(?:href|src)\s*=\s*["']([^"']+)["']""", re.I)


@dataclass(frozen=True)
class Link:
    line: int
    target: str


def relative_links(text: str) -> list[Link]:
    """Links to other files of the site: no scheme, no leading '/', not only an anchor."""
    prose = without_code(text)
    links = []
    for pattern in (_INLINE_LINK, _REF_DEF, _HTML_LINK):
        for m in pattern.finditer(prose):
            target = m.group(1)
            parts = urlsplit(target)
            if parts.scheme or parts.netloc or not parts.path or target.startswith("/"):
                continue
            links.append(Link(_line(prose, m.start(1)), target))
    return sorted(set(links), key=lambda link: (link.line, link.target))


def resolve(src_uri: str, target: str) -> str:
    """The docs-relative path a relative link of a page points to."""
    path = unquote(urlsplit(target).path)
    return posixpath.normpath(posixpath.join(posixpath.dirname(src_uri), path))


def link_exists(resolved: str, known: set[str]) -> bool:
    """Whether a resolved link matches a page or file of the site (as MkDocs resolves it)."""
    if resolved in known:
        return True
    stem = resolved.rstrip("/")
    return any(candidate in known for candidate in (f"{stem}.md", f"{stem}/index.md", f"{stem}/README.md"))


# -------------------------------------------------------------- sanitiser

_TAGS = nh3.ALLOWED_TAGS | {
    "abbr", "article", "aside", "details", "div", "figcaption", "figure", "hr", "img", "input", "label",
    "mark", "nav", "section", "small", "span", "summary", "sup", "sub", "kbd", "time",
    # inline SVG: the timeline chart and Material's icons
    "svg", "g", "path", "rect", "line", "circle", "ellipse", "polyline", "polygon", "text", "tspan",
    "title", "desc", "defs", "use", "symbol", "lineargradient", "stop",
}  # fmt: skip
_REMOVED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template"}
_GENERIC = {"class", "id", "lang", "dir", "title", "role", "tabindex", "hidden"}
_ATTRIBUTES = {
    "*": _GENERIC,
    "a": {"href", "rel", "hreflang", "target", "download", "name"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "span": {"style"},
    "td": {"style", "colspan", "rowspan", "align"},
    "th": {"style", "colspan", "rowspan", "align", "scope"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "input": {"type", "checked", "disabled"},
    "label": {"for"},
    "time": {"datetime"},
    "details": {"open"},
    "abbr": set(),
    "svg": {"viewBox", "viewbox", "xmlns", "width", "height", "fill", "preserveAspectRatio"},
    "path": {"d", "fill", "stroke", "stroke-width", "fill-rule", "clip-rule"},
    "rect": {"x", "y", "width", "height", "fill", "rx", "ry", "stroke"},
    "line": {"x1", "x2", "y1", "y2", "stroke", "stroke-width"},
    "circle": {"cx", "cy", "r", "fill", "stroke"},
    "ellipse": {"cx", "cy", "rx", "ry", "fill"},
    "polyline": {"points", "fill", "stroke"},
    "polygon": {"points", "fill", "stroke"},
    "text": {"x", "y", "dx", "dy", "text-anchor", "fill", "font-size", "transform"},
    "tspan": {"x", "y", "dx", "dy"},
    "g": {"fill", "transform", "stroke"},
}
ALLOWED_TAGS = frozenset(_TAGS)  # what the content checks compare a capture's raw HTML with
REMOVED_WITH_CONTENT = frozenset(_REMOVED_WITH_CONTENT)
_STYLE_PROPERTIES = {"color", "background", "background-color", "text-align", "width", "height", "border-color"}


# Built once: a cleaner converts its allow-lists for Rust when it is made, not on every page.
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_REMOVED_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    generic_attribute_prefixes={"aria-", "data-"},
    url_schemes={"http", "https", "mailto", "tel"},
    link_rel=None,
    strip_comments=True,
    filter_style_properties=_STYLE_PROPERTIES,
)


def sanitize(html: str) -> str:
    """The HTML of a page's content with active content removed (nh3/ammonia)."""
    return _CLEANER.clean(html)
