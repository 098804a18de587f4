"""Content checks: what a capture would publish wrong, found before the build.

Each check reads one article's clean page (and its capture, to name the line
a contributor can find) and returns problems as ``path:line: what is wrong;
what to do``. Errors stop ``kb check`` and ``kb build``; warnings are shown
and leave the decision to the contributor. CONTRIBUTING.md lists them all.

errors
    corrupted characters: U+FFFD, control characters, a capital or a letter
    no Vietnamese word has inside a Vietnamese word ("thỞi", "Ğây", "Þ tưởng");
    links the strict build refuses: a site-relative address ("/assets/…"),
    a relative link to no page of the site, an anchor no heading has.
warnings
    mojibake that was repaired (ftfy); text in angle brackets or raw HTML the
    sanitiser removes; runs of heading-like lines (a menu?); a first paragraph
    far longer than the rest (glued paragraphs?); code output outside a code
    block; a link broken across lines; unbalanced math delimiters.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from dataclasses import dataclass

from kb.content import markup
from kb.errors import Problem
from kb.textutil import markdown_slugify

# Letters of Vietnamese words: a-z, đ, and the vowels with their marks.
_VI_MARKED = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LATIN_FOREIGN = re.compile(r"[ĞğÞþŞşİıÐðßŁłŒœÆæØøÅåÑñÇç]")
# The words that may be corrupted or glued, the only ones checked one by one: a capital after a letter of the
# word (any capital of the Basic Multilingual Plane; a word with a character past it is checked too), or a
# letter no Vietnamese word has.
_CAPITALS = "".join(re.escape(c) for c in map(chr, range(0x10000)) if c.isupper())
_MAYBE_CORRUPTED = re.compile(rf"\b\w*?(?:\w[{_CAPITALS}]|{_LATIN_FOREIGN.pattern}|[\U00010000-\U0010ffff])\w*")
_OUTPUT = re.compile(
    r"^(?:Out\[\d+\]:|In \[\d+\]:|>>> |\.\.\. |<bound method |<function |array\(\[|tensor\(\[|"
    r"Traceback \(most recent call last\)|dtype: (?:int|float|object)|\[\d+ rows x \d+ columns\])"
)
_BROKEN_LINK = re.compile(r"\[[^\]\n]*\]\([^)\s]*$|\[[^\]\n]*$")
_HEADING = re.compile(r"^#{1,6} ")
_ANCHOR_ATTR = re.compile(r"\{[^}]*#([\w-]+)[^}]*\}\s*$")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])[^<>]*>")
_ABS_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?(/[^)\s>]*)>?")
_ANCHOR_LINK = re.compile(r"(?<!!)\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?#([^)\s>]+)>?")


@dataclass(frozen=True)
class Page:
    """One article to check: where its capture is, the capture's text and the clean page."""

    shown: str  # the capture's path, as messages show it
    raw: str
    body: str


def check_page(page: Page, known: set[str] | None = None) -> list[Problem]:
    """Every content problem of one article's clean page."""
    prose = markup.without_code(page.body)
    problems = _corrupted(page, prose)
    problems += _links(page, prose, known)
    problems += _sanitised(page, prose)
    problems += _shapes(page, prose)
    return problems


# --------------------------------------------------------------- helpers


def _raw_line(page: Page, needle: str) -> int | None:
    """The capture's line that holds ``needle`` (its first 40 characters), if any."""
    needle = needle.strip()[:40]
    if not needle:
        return None
    offset = page.raw.find(needle)
    if offset < 0:
        offset = unicodedata.normalize("NFC", page.raw).find(needle)
    return page.raw.count("\n", 0, offset) + 1 if offset >= 0 else None


def _problem(page: Page, body_line: int, snippet: str, message: str, expected: str, *, warning: bool) -> Problem:
    line = _raw_line(page, snippet)
    where = "" if line else f" (line {body_line} of the clean page, `kb convert`)"
    return Problem(page.shown, message + where, line=line, expected=expected, warning=warning)


# ------------------------------------------------------ corrupted text


def suspicious_word(word: str) -> str | None:
    """Why a word cannot be Vietnamese as written, or None."""
    vietnamese = bool(_VI_MARKED.search(word))
    if _LATIN_FOREIGN.search(word) and (vietnamese or len(word) == 1):
        letter = _LATIN_FOREIGN.search(word).group(0)
        return f"{letter!r} (U+{ord(letter):04X}) is no Vietnamese letter: a byte changed in a broken round trip?"
    if vietnamese and (capital := _inner_capital(word)) and not capital.isascii():
        return f"a capital {capital!r} inside a lower-case Vietnamese word: a byte changed in a broken round trip?"
    return None


def _inner_capital(word: str) -> str | None:
    """A capital between two lower-case letters ("thỞi"); not an acronym glued on ("nhưNFS") nor "iPhone"."""
    for before, char, after in zip(word, word[1:], word[2:], strict=False):
        if char.isupper() and before.islower() and after.islower():
            return char
    return None


def _corrupted(page: Page, prose: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(prose.split("\n"), start=1):
        if m := _CONTROL.search(line):
            problems.append(
                _problem(
                    page,
                    number,
                    line[: m.start()][-30:] or line,
                    f"control character U+{ord(m.group(0)):04X} in the text",
                    "text without control characters: capture the page again, or say in a note what stood there",
                    warning=False,
                )
            )
        if "\ufffd" in line:
            before = line[: line.index("\ufffd")]
            problems.append(
                _problem(
                    page,
                    number,
                    before[-30:] or line,
                    "a replacement character (U+FFFD): bytes were lost when the page was saved",
                    "the text as the original page prints it: capture the page again (the seed is never edited)",
                    warning=False,
                )
            )
        for word in _MAYBE_CORRUPTED.findall(line):  # of the words of the line, the only ones that may be
            if _VI_MARKED.search(word) and (capital := _inner_capital(word)) and capital.isascii():
                problems.append(
                    _problem(
                        page,
                        number,
                        word,
                        f"words glued together in {word!r}: the source lost a space before {capital!r}?",
                        "nothing if the original prints it so; the reader sees it as it is",
                        warning=True,
                    )
                )
                break
            if reason := suspicious_word(word):
                shown = word
                problems.append(
                    _problem(
                        page,
                        number,
                        shown,
                        f"corrupted word {shown!r}: {reason}",
                        "the word as the original page prints it: capture the page again (the seed is never edited)",
                        warning=False,
                    )
                )
                break  # one per line is enough to find it
    return problems


# ---------------------------------------------------------------- links


def anchors(body: str) -> set[str]:
    """The ids of the clean page's headings, as the build makes them."""
    ids = set()
    for line in markup.without_code(body).split("\n"):
        if not _HEADING.match(line):
            continue
        if m := _ANCHOR_ATTR.search(line):
            ids.add(m.group(1))
        else:
            text = re.sub(r"^#+\s*|\s*#+\s*$", "", line)
            text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
            ids.add(markdown_slugify(re.sub(r"[*_`]", "", text), "-"))
    return ids


def absolute_links(text: str) -> list[tuple[int, str]]:
    """Links and images to a site-relative address ('/assets/a.png'), which the strict build refuses: (line, address)."""
    prose = markup.without_code(text)
    return [(n, m.group(1)) for n, line in enumerate(prose.split("\n"), start=1) for m in _ABS_LINK.finditer(line)]


def _links(page: Page, prose: str, known: set[str] | None) -> list[Problem]:
    problems = []
    lines = prose.split("\n")
    ids = anchors(page.body)
    for number, line in enumerate(lines, start=1):
        for m in _ABS_LINK.finditer(line):
            problems.append(
                _problem(
                    page,
                    number,
                    m.group(1),
                    f"links to {m.group(1)!r}, an address on the original site that the strict build refuses",
                    "the original address in the metadata (`url:` or `ingest.link_base:`) so it is made absolute",
                    warning=False,
                )
            )
        for m in _ANCHOR_LINK.finditer(line):
            if m.group(1) not in ids:
                problems.append(
                    _problem(
                        page,
                        number,
                        f"#{m.group(1)}",
                        f"links to the anchor '#{m.group(1)}', which no heading of the page has",
                        f"one of the page's anchors ({', '.join(sorted(ids)[:5]) or 'it has no headings'})",
                        warning=False,
                    )
                )
    if known is not None:
        for link in markup.relative_links(page.body):
            target = markup.resolve("articles/page.md", link.target)
            if not markup.link_exists(target, known):
                problems.append(
                    _problem(
                        page,
                        link.line,
                        link.target,
                        f"links to {link.target!r}, a relative address that is no page or file of this site",
                        "the original address in the metadata (`url:` or `ingest.link_base:`) so it is made absolute",
                        warning=False,
                    )
                )
    return problems


# ----------------------------------------------------------- sanitiser


def _sanitised(page: Page, prose: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(prose.split("\n"), start=1):
        for m in _TAG.finditer(line):
            name = m.group(2).lower()
            if m.group(1):
                continue  # a closing tag: its opening tag is reported
            if name in markup.ALLOWED_TAGS and name not in markup.REMOVED_WITH_CONTENT:
                continue
            what = "and everything in it" if name in markup.REMOVED_WITH_CONTENT else "(its text stays)"
            problems.append(
                _problem(
                    page,
                    number,
                    m.group(0),
                    f"the sanitiser removes {m.group(0)[:60]!r} {what}",
                    "nothing if it is page furniture; if it is text the reader must see, say so in an issue",
                    warning=True,
                )
            )
    return problems


# ---------------------------------------------------------------- shapes


def _shapes(page: Page, prose: str) -> list[Problem]:
    problems = []
    lines = prose.split("\n")
    source = [*page.body.split("\n"), "text"]  # code, blanked in the prose, is text between headings too
    run: list[int] = []
    for number, line in enumerate([*lines, "text"], start=1):
        if _HEADING.match(line):
            run.append(number)
            continue
        if source[number - 1].strip() and run:
            if len(run) >= 3:
                problems.append(
                    _problem(
                        page,
                        run[0],
                        lines[run[0] - 1].lstrip("# "),
                        f"{len(run)} headings in a row with no text between: a menu or a list of headlines?",
                        "page furniture to drop (a site rule in data/sites.yml, or `format:`), or real headings",
                        warning=True,
                    )
                )
            run = []
    paragraphs = [
        (number, line)
        for number, line in enumerate(lines, start=1)
        if line.strip() and not line.startswith(("#", "!", "-", "|", "*", ">", "{:")) and not line[:1].isdigit()
    ]
    if len(paragraphs) >= 4:
        first_number, first = paragraphs[0]
        median = statistics.median(len(text) for _, text in paragraphs[1:])
        if len(first) > 1500 and len(first) > 5 * median:
            problems.append(
                _problem(
                    page,
                    first_number,
                    first,
                    f"the first paragraph is {len(first):,} characters, {len(first) / median:.0f} times the others",
                    "paragraphs glued together (a menu, the lead and a caption?): check the format and the capture",
                    warning=True,
                )
            )
    for number, line in enumerate(lines, start=1):
        if _OUTPUT.match(line.strip()):
            problems.append(
                _problem(
                    page,
                    number,
                    line.strip(),
                    "code or its output outside a code block",
                    "nothing if it reads well; a code block in the source would keep it as code",
                    warning=True,
                )
            )
        if _BROKEN_LINK.search(line) and not line.lstrip().startswith(("- [ ]", "- [x]")):
            problems.append(
                _problem(
                    page,
                    number,
                    line.strip()[-40:],
                    "a link broken across lines is shown as text",
                    "a link whose text and address are each on one line in the capture",
                    warning=True,
                )
            )
    body = page.body
    display = len(re.findall(r"(?<!\\)\$\$", markup.without_code(body)))
    if display % 2:
        problems.append(
            Problem(
                page.shown,
                "an odd number of '$$': a display formula is not closed",
                expected="'$$' before and after each display formula",
                warning=True,
            )
        )
    return problems
