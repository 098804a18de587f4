"""markdown: a post from a static-site generator (Jekyll, Hugo, Hexo, Astro…) or plain Markdown.

What the generators add around the Markdown is turned into what it means:

* front-matter (YAML between ``---``, TOML between ``+++``) is read for what
  it states (title, date, author, description, tags, address) and dropped;
* Liquid tags and Hugo shortcodes: code highlighting becomes a fenced block,
  ``figure`` an image with its caption, comments and ``raw`` markers go;
  any other template tag is kept as code, so nothing is lost unseen (the
  content checks report it);
* raw ``<img>`` and ``<figure>`` become Markdown images and captions;
* site-relative links and images are made absolute against the original
  address (``ingest.link_base``, else ``url``); a link that cannot be made
  absolute keeps its text, an image its alt text, and the checks say so;
* math (``$…$``, ``$$…$$``) is left as it is for the math extension.

The Markdown itself is tidied: lines opening with an emoji become list
items, lists are separated from paragraphs, indented output blocks (Jupyter)
stay code, links broken across lines are joined, and text in angle brackets
that is no HTML tag is escaped, so the sanitiser cannot swallow it.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import tomllib
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

from kb import yamlio
from kb.errors import ContentError, Problem
from kb.ingest.text import CAPTION_CLASS, Converted, strip_leading_title, tidy

if TYPE_CHECKING:
    from kb.content.schema import SeedMeta

_EMOJI_START = re.compile(r"^\s*(?:[\U0001f000-\U0001faff\u2600-\u27bf\u2b00-\u2bff\u2300-\u23ff]|\U0001f1e6)")
_IMG_TAG = re.compile(r"<img\s+([^>]*?)/?>", re.I)
_FIGURE = re.compile(r"<figure\b[^>]*>(?P<inner>.*?)</figure>", re.I | re.S)
_FIGCAPTION = re.compile(r"<figcaption\b[^>]*>(?P<text>.*?)</figcaption>", re.I | re.S)
_ATTR = re.compile(r"""(\w[\w-]*)\s*=\s*("([^"]*)"|'([^']*)')""")
_MD_LINK = re.compile(r"(!?)\[((?:[^\[\]]|\[[^\]]*\])*)\]\(\s*<?((?:[^()\s<>]|\([^()\s]*\))+)>?(\s+\"[^\"]*\")?\s*\)")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_FENCE = re.compile(r"^(```|~~~)")
# Hexo also reads front-matter without its opening '---': 'key: value' lines down to a '---' line.
OPEN_FRONT_MATTER = re.compile(r"\A((?:[A-Za-z_][\w-]*:.*\n|[ \t]+-.*\n|[ \t]*\n)+?)---[ \t]*(?:\n|\Z)")
_TOML_FRONT = re.compile(r"\A\+\+\+[ \t]*\n(.*?\n)\+\+\+[ \t]*(?:\n|\Z)", re.S)
_FENCE_MARKS = re.compile(r"^(`{3,}|~{3,})")
_LEADING_TITLE = re.compile(r"\A\s*# +(\S[^\n]*?)\s*#*\s*$", re.M)
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_TABLE_ROW = re.compile(r"^\s*\|.*\|\s*$")
_TAGS = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)\b")
_HTML_ELEMENTS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "hr",
        "i",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "picture",
        "pre",
        "q",
        "s",
        "samp",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "video",
        "audio",
        "iframe",
        "script",
        "style",
        "center",
        "font",
        "section",
        "article",
        "aside",
        "header",
        "footer",
        "nav",
        "main",
        "label",
        "input",
        "button",
        "form",
    ]
)
_ANGLED = re.compile(r"<(?!/?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>)|<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_AUTOLINK = re.compile(r"^<(?:https?|mailto|ftp):[^<>\s]*>")

# Liquid ({% … %}) and Hugo shortcodes ({{< … >}}, {{% … %}}).
_LIQUID = re.compile(r"\{%-?\s*(?P<name>\w+)(?P<args>.*?)-?%\}")
_SHORTCODE = re.compile(r"\{\{[<%]\s*(?P<close>/)?\s*(?P<name>[\w-]+)(?P<args>.*?)\s*[>%]\}\}")
_LIQUID_OUTPUT = re.compile(r"\{\{-?\s*(?:site\.(?:url|baseurl)|\.Site\.BaseURL)\s*-?\}\}/?")
_CODE_OPEN = {"highlight"}
_DROPPED = {"raw", "endraw", "comment", "endcomment", "include", "assign", "capture", "endcapture", "toc"}

# Front-matter keys of the common generators and what they state.
FRONT_MATTER_KEYS = {
    "title": ("title",),
    "published": ("date", "pubDate", "publishDate", "published", "added", "time", "created"),
    "author": ("author", "authors"),
    "description": ("description", "summary", "excerpt", "subtitle"),
    "tags": ("tags", "categories"),
    "url": ("canonical_url", "canonicalURL", "canonical", "url", "permalink", "source_url"),
}


def front_matter(raw: str, shown: str) -> tuple[dict[str, Any], str, int]:
    """The capture's front-matter (YAML or TOML), the Markdown after it, and that Markdown's first line."""
    if m := _TOML_FRONT.match(raw):
        try:
            data = tomllib.loads(m.group(1))
        except tomllib.TOMLDecodeError as exc:
            raise ContentError(
                Problem(shown, f"the TOML front-matter does not parse ({exc})", line=1, expected="valid TOML")
            ) from None
        return data, raw[m.end() :], raw[: m.end()].count("\n") + 1
    if not raw.startswith("---") and (m := OPEN_FRONT_MATTER.match(raw)):
        raw = "---\n" + raw  # Hexo's form: the same YAML, one line more
        data, _, body, first = yamlio.split_front_matter(raw, shown, required=False)
        return data, body, first - 1
    data, _, body, first = yamlio.split_front_matter(raw, shown, required=False)
    return data, body, first


def stated(data: dict[str, Any]) -> dict[str, Any]:
    """What the front-matter states, under our field names."""
    found: dict[str, Any] = {}
    for ours, keys in FRONT_MATTER_KEYS.items():
        for key in keys:
            value = data.get(key)
            if value in (None, "", []):
                continue
            if ours == "published":
                value = published_value(value)
                if not value:
                    continue
            if ours == "author":
                value = _author(value)
                if not value:
                    continue
            if ours == "url" and not (isinstance(value, str) and value.startswith(("http://", "https://"))):
                continue
            found[ours] = value
            break
    return found


_ISO = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{2})(?::\d{2}(?:\.\d+)?)?\s*(Z|[+-]\d{2}:?\d{2})?)?$"
)
_SLASHED = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def published_value(value: Any) -> str | None:
    """A front-matter date as ISO text, with its time and zone when given; None when it is no date.

    '03/20/2023' is read month first only because 20 cannot be a month (and
    day first when the first number cannot be one); when both could be, the
    date is ambiguous and not read.
    """
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            return value.strftime("%Y-%m-%dT%H:%M")
        return value.isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    if m := _ISO.match(text):
        y, mo, d, h, mi, zone = m.groups()
        try:
            day = dt.date(int(y), int(mo), int(d))
        except ValueError:
            return None
        if h is None:
            return day.isoformat()
        if zone:
            zone = "+00:00" if zone == "Z" else (zone if ":" in zone else f"{zone[:3]}:{zone[3:]}")
        return f"{day.isoformat()}T{int(h):02d}:{mi}{zone or ''}"
    if m := _SLASHED.match(text):
        a, b, y = int(m[1]), int(m[2]), int(m[3])
        if a > 12 >= b:
            a, b = b, a  # day first
        elif not (b > 12 >= a):
            return None  # 03/04/2023: April or March? Not guessed
        try:
            return dt.date(y, a, b).isoformat()
        except ValueError:
            return None
    return None


def _author(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        names = [_author(v) for v in value]
        return ", ".join(n for n in names if n) or None
    return str(value).strip() if value else None


def convert_markdown(raw: str, meta: SeedMeta) -> Converted:
    """Clean Markdown from another site (see the module's docstring)."""
    data, body, _ = front_matter(raw, meta.slug)
    found = stated(data)
    if "title" not in found and (heading := _LEADING_TITLE.match(body)):
        found["title"] = tidy(heading.group(1))  # a README's or a plain post's '# Title' on its first line
    for key in ("tags", "slug"):
        if key in data:
            found.setdefault(key, data[key])
    base = meta.ingest.link_base or meta.url or (found.get("url") if isinstance(found.get("url"), str) else None)

    body = _LIQUID_OUTPUT.sub("/", body)
    body = _FIGURE.sub(lambda m: _figure(m, meta), body)
    lines = _template_tags(body.split("\n"))
    lines = _join_broken_links(lines)
    lines = [_IMG_TAG.sub(lambda m: _img(m, meta), line) for line in lines]

    blocks: list[list[str]] = []
    current: list[str] = []
    fence = ""  # the open fence's marks: a fence closes only on as many of the same marks, or more
    closed = False  # the line before closed a fence: the block ends unless an attribute list follows
    for line in lines:
        stripped = line.strip()
        if closed and not stripped.startswith("{:"):
            blocks.append(current)
            current = []
        closed = False
        if m := _FENCE_MARKS.match(stripped):
            if not fence:
                fence = m.group(1)
                if current:  # a code block is a block of its own, even with no blank line before it
                    blocks.append(current)
                    current = []
            elif (
                m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence) and not stripped[len(m.group(1)) :].strip()
            ):
                fence = ""
                closed = True  # nor after it
            current.append(line.rstrip())
            continue
        in_fence = bool(fence)
        if not in_fence and not stripped:
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
    out = [block if _FENCE.match(block) else _links(block, base) for block in out]
    out = strip_leading_title(out, meta.title.vi)
    return Converted("\n\n".join(out) + "\n", found)


# ------------------------------------------------------------------ blocks


def _split_block(block: list[str]) -> list[str]:
    """Split one blank-line block into paragraphs, lists, headings, images and code."""
    if _FENCE.match(block[0].strip()):
        return ["\n".join(block)]
    if all(line.startswith(("    ", "\t")) for line in block) and not _LIST_ITEM.match(block[0]):
        return ["```text\n" + "\n".join(_dedent(line) for line in block) + "\n```"]  # output or code, kept as such
    if block[0].lstrip().startswith("$$") or block[0].lstrip().startswith("\\["):
        return ["\n".join(line.strip() for line in block)]  # display math: the lines stay together
    parts: list[tuple[str, list[str]]] = []
    for index, line in enumerate(block):
        if _SETEXT.match(line.strip()) and index and parts and parts[-1][0] == "table":
            continue  # a rule drawn under a table row, not a heading underline
        if _EMOJI_START.match(line):
            kind = "emoji"
        elif line.lstrip().startswith("#"):
            kind = "heading"
        elif line.startswith("!["):
            kind = "image"
        elif _TABLE_ROW.match(line):
            kind = "table"
        elif _LIST_ITEM.match(line) or (parts and parts[-1][0] == "list" and line.startswith("    ")):
            kind = "list"
        else:
            kind = "text"
        if parts and parts[-1][0] == kind and kind in {"list", "text", "emoji", "table"}:
            parts[-1][1].append(line)
        else:
            parts.append((kind, [line]))
    rendered = []
    for kind, group in parts:
        if kind == "emoji":  # one item per emoji line
            rendered.append("\n".join(f"- {escape_angles(tidy(line))}" for line in group))
        elif kind == "list":
            rendered.append("\n".join(_tidy_list_line(line) for line in group))
        elif kind == "table":
            rendered.append("\n".join(line.strip() for line in group))
        elif kind == "text":
            rendered.append("\n".join(escape_angles(tidy(line)) for line in group))
        else:
            rendered.extend(escape_angles(tidy(line)) for line in group)
    return rendered


def _dedent(line: str) -> str:
    return line[1:] if line.startswith("\t") else line[4:]


def _tidy_list_line(line: str) -> str:
    indent = len(line) - len(line.lstrip(" "))
    return " " * indent + escape_angles(tidy(line))


def escape_angles(text: str) -> str:
    """Escape '<' that opens no HTML element ('<bound method …>', 'a < b'), outside code spans."""
    if "<" not in text:
        return text
    parts = re.split(r"(`+[^`]*`+)", text)
    for index in range(0, len(parts), 2):
        parts[index] = _ANGLED.sub(_angle, parts[index])
    return "".join(parts)


def _angle(m: re.Match[str]) -> str:
    if m.group(2) is None:  # a '<' that starts no tag
        return "&lt;" if not _AUTOLINK.match(m.string[m.start() :]) else "<"
    if m.group(2).lower() in _HTML_ELEMENTS:
        return m.group(0)
    return "&lt;" + m.group(0)[1:]


# --------------------------------------------------------- template tags


def _template_tags(lines: list[str]) -> list[str]:
    """Liquid tags and Hugo shortcodes, turned into Markdown (see the module docstring)."""
    out: list[str] = []
    skipping = False
    for line in lines:
        stripped = line.strip()
        liquid = _LIQUID.fullmatch(stripped)
        shortcode = _SHORTCODE.fullmatch(stripped)
        if liquid and liquid["name"] == "comment":
            skipping = True
            continue
        if liquid and liquid["name"] == "endcomment":
            skipping = False
            continue
        if skipping:
            continue
        if liquid:
            name, args = liquid["name"], liquid["args"].split()
            if name in _CODE_OPEN:
                out.append(f"```{args[0] if args else ''}")
                continue
            if name == "endhighlight":
                out.append("```")
                continue
            if name in _DROPPED:
                continue
        if shortcode:
            name, attrs = shortcode["name"], _attrs(shortcode["args"])
            if name in {"highlight", "code"}:
                out.append(
                    "```"
                    if shortcode["close"]
                    else f"```{shortcode['args'].split()[0] if shortcode['args'].split() else ''}"
                )
                continue
            if name == "figure" and not shortcode["close"]:
                out.append(
                    _image(attrs.get("alt") or attrs.get("title") or attrs.get("caption") or "", attrs.get("src", ""))
                )
                if attrs.get("caption"):
                    out += ["", f"*{tidy(attrs['caption'])}*", CAPTION_CLASS]
                continue
            if name in {"youtube", "vimeo"} and (video := shortcode["args"].strip().strip("\"'")):
                host = "https://www.youtube.com/watch?v=" if name == "youtube" else "https://vimeo.com/"
                out.append(f"[{name.capitalize()}: {video}]({host}{video})")
                continue
        out.append(line)
    return out


def _attrs(text: str) -> dict[str, str]:
    return {m[1].lower(): html.unescape(m[3] if m[3] is not None else m[4]) for m in _ATTR.finditer(text)}


def _join_broken_links(lines: list[str]) -> list[str]:
    """Join a line that leaves a link open with the next: '[text](http://…' or '[long text' + '…](url)'."""
    out: list[str] = []
    in_fence = False
    index = 0
    while index < len(lines):
        line = lines[index]
        if _FENCE.match(line.strip()):
            in_fence = not in_fence
        while not in_fence and index + 1 < len(lines) and lines[index + 1].strip():
            state = _link_state(line)
            nxt = lines[index + 1].strip()
            if state == "target" or (state == "text" and "](" in nxt and nxt.find("]") < nxt.find("](") + 1):
                line = f"{line.rstrip()}{'' if state == 'target' else ' '}{nxt}"
                index += 1
                continue
            break
        out.append(line)
        index += 1
    return out


def _link_state(text: str) -> str | None:
    """'target' when the line ends inside a link's address, 'text' inside its text, else None."""
    if text.startswith(("    ", "\t")):
        return None
    depth = 0
    in_target = False
    for index, char in enumerate(text):
        if in_target:
            if char == ")":
                in_target = False
            elif char.isspace():
                return None  # a space in an address: this was no link
        elif char == "[" and (index == 0 or text[index - 1] != "\\"):
            depth += 1
        elif char == "]" and depth:
            depth -= 1
            in_target = text[index + 1 : index + 2] == "("
    if in_target:
        return "target"
    return "text" if depth > 0 else None


# ----------------------------------------------------------- images, links


def _image(alt: str, src: str) -> str:
    return f"![{alt}]({src})"


def _img(match: re.Match[str], meta: SeedMeta) -> str:
    attrs = _attrs(match[1])
    src = attrs.get("src", "")
    name = src.rsplit("/", 1)[-1]
    alt = attrs.get("alt") or meta.ingest.image_alt.get(name) or _humanise(name)
    return _image(alt, src)


def _figure(match: re.Match[str], meta: SeedMeta) -> str:
    inner = match["inner"]
    images = [_img(m, meta) for m in _IMG_TAG.finditer(inner)]
    caption = _FIGCAPTION.search(inner)
    parts = [*images]
    if caption and (text := re.sub(r"<[^>]+>", "", caption["text"]).strip()):
        parts.append(f"*{tidy(html.unescape(text))}*\n{CAPTION_CLASS}")
    return "\n\n".join(parts) if parts else match[0]


def _humanise(filename: str) -> str:
    stem = filename.rsplit(".", 1)[0]
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else "Hình minh họa"


def _links(block: str, base: str | None) -> str:
    """Make every link and image absolute, or keep only its text when it cannot be."""

    def replace(m: re.Match[str]) -> str:
        bang, text, target, title = m[1], m[2], m[3], m[4] or ""
        if target.startswith(("http://", "https://", "mailto:", "#")) or target.startswith("data:"):
            return m[0]
        if base:
            return f"{bang}[{text}]({urljoin(base, target)}{title})"
        if bang:  # an image of the original site we cannot reach: its alt text stays
            return f"*{text}*" if text else ""
        return text  # a page of the original site we cannot link to

    return _MD_LINK.sub(replace, block)
