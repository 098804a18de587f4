"""Text helpers every converter shares: tidy inline text, captions, the lead, the title."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

CAPTION_CLASS = "{: .kb-caption }"
LEAD_CLASS = "{: .kb-lead }"

TERMINAL = re.compile(r"""[.!?…:]["”’»)\]]*\s*$""")
# Runs of spaces and single odd spaces (tab, no-break): a lone plain space is left as it is.
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]{2,}|[\t\u00a0\u2007\u202f]")
_UPPER_START = re.compile(r"""^["“‘'(]*[A-ZÀ-ỸĐ0-9]""")
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
    repaired: list[tuple[int, str, str]] = field(default_factory=list)  # capture line, as captured, as repaired


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


def is_terminal(line: str) -> bool:
    return bool(TERMINAL.search(line))


def starts_upper(line: str) -> bool:
    return bool(_UPPER_START.match(line.lstrip()))


def same_words(a: str, b: str) -> bool:
    """Whether two texts have the same words (punctuation, spacing and case aside); a line with no
    word ('=====', '|') is the same as nothing."""
    norm = lambda s: re.sub(r"\W+", " ", unicodedata.normalize("NFC", s)).strip().casefold()  # noqa: E731
    words = norm(a)
    return bool(words) and words == norm(b)


def strip_leading_title(blocks: list[str], title: str) -> list[str]:
    """Drop opening lines that only repeat the title: the page shows it as H1."""
    joined = ""
    for count, block in enumerate(blocks, start=1):
        joined = f"{joined} {block}".strip()
        if same_words(joined, title):
            return blocks[count:]
        if len(joined) > len(title) + 10:
            break
    return blocks


def caption(text: str) -> str:
    return f"*{tidy(text)}*\n{CAPTION_CLASS}"


def lead(text: str) -> str:
    return f"{tidy(text)}\n{LEAD_CLASS}"


_DOLLAR = re.compile(r"(?<!\\)\$")


def escape_dollars(text: str) -> str:
    """'$' as a dollar sign, never the start of math: text copied from a page or a PDF holds prices, not TeX."""
    return _DOLLAR.sub(r"\\$", text) if "$" in text else text
