"""Text helpers: strict decoding, NFC, accent folding and ASCII slugs."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

from kb.errors import ContentError, Problem

MAX_TEXT_BYTES = 5 * 1024 * 1024  # an article, a page, a capture
# The data files grow with the knowledge base (about 650 bytes per event, two
# events per article: 10,000 articles make a 13 MB events.yml); the limit
# still stops a dump or a binary put there by mistake.
MAX_DATA_BYTES = 64 * 1024 * 1024
_SLUG_SEPARATORS = re.compile(r"[^a-z0-9]+")
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def read_text(
    path: Path, shown: str, *, limit: int = MAX_TEXT_BYTES, decode: Callable[[bytes, str], str] | None = None
) -> str:
    """Read a UTF-8 text file; a clear error for anything else.

    A byte-order mark and CRLF line ends are accepted and normalised, and so
    is decomposed Vietnamese (to NFC): they are common and harmless. Binary,
    oversized, empty or non-UTF-8 files are refused. ``decode`` reads the
    bytes another way (a capture: :func:`kb.ingest.decode_capture`).
    """
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(Problem(shown, f"cannot be read ({exc.strerror})")) from None
    if size > limit:
        raise ContentError(Problem(shown, f"is {size:,} bytes", expected=f"a text file under {limit:,} bytes"))
    data = path.read_bytes()
    return (decode or decode_text)(data, shown)


def decode_text(data: bytes, shown: str) -> str:
    """Decode bytes as UTF-8 text, normalised to NFC with LF line ends."""
    if not data.strip():
        raise ContentError(Problem(shown, "is empty", expected="UTF-8 text"))
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(Problem(shown, "is UTF-16", expected="UTF-8 text (save it as UTF-8)"))
    if b"\x00" in data:
        raise ContentError(Problem(shown, "is a binary file", expected="UTF-8 text"))
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ContentError(
            Problem(
                shown,
                f"byte 0x{data[exc.start]:02x} is not UTF-8 (Windows-1258 or another legacy encoding?)",
                line=line,
                expected="UTF-8 text (save it as UTF-8)",
            )
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", text)


def _fold_table() -> dict[int, str | None]:
    """Latin letters with marks -> the bare letter; combining marks -> nothing; đ -> d."""
    table: dict[int, str | None] = {ord("đ"): "d", ord("Đ"): "D"}
    for code in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        base = "".join(c for c in unicodedata.normalize("NFD", chr(code)) if not unicodedata.combining(c))
        if base != chr(code) and len(base) == 1:
            table[code] = base
    table.update({code: None for code in range(0x300, 0x370)})
    return table


_FOLD = _fold_table()


def fold(text: str) -> str:
    """Lower-case and strip Vietnamese diacritics, đ included: 'Đường' -> 'duong'."""
    return text.translate(_FOLD).lower()


def slugify(value: str, separator: str = "-") -> str:
    """ASCII slug that keeps Vietnamese readable: 'Đường đi' -> 'duong-di'."""
    slug = _SLUG_SEPARATORS.sub(separator, fold(value)).strip(separator)
    return slug


def markdown_slugify(value: str, separator: str) -> str:
    """Heading-anchor slugify for Python-Markdown's toc extension."""
    return slugify(value, separator) or "section"


WORD = re.compile(r"\w+")  # a word as Python's regular expressions see one: letters, digits, "_"


def short_hash(text: str) -> str:
    """A short, stable content hash used to tie a translation to its source."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


# TeX math as pymdownx.arithmatex finds it (mkdocs.yml): $$…$$, \[…\] and \begin{env}…\end{env},
# then $…$ (no space just inside either dollar, neither escaped) and \(…\); none across a blank line.
# Where the build reads a page's words (glossary links, mentions, a translation's numbers), math is
# left alone. Every branch starts with a literal, so a text without "$" or "\" is scanned quickly.
_MATH_CHAR = r"(?:\\.|[^\\\n]|\n(?![ \t]*\n))"
MATH = re.compile(
    rf"\$\$(?:{_MATH_CHAR})+?\$\$"
    rf"|\\\[(?:{_MATH_CHAR})+?\\\]"
    rf"|\\begin\{{(?P<env>[a-z]+\*?)\}}(?:{_MATH_CHAR})+?\\end\{{(?P=env)\}}"
    rf"|\$(?<!\\\$)(?![\s$])(?:\\.|[^\\$\n]|\n(?![ \t]*\n))+?(?<!\s)\$"
    rf"|\\\((?:{_MATH_CHAR})+?\\\)"
)


def math_spans(text: str) -> list[tuple[int, int]]:
    """Where a text holds TeX math (:data:`MATH`), as (start, end) offsets."""
    if "$" not in text and "\\" not in text:
        return []
    return [m.span() for m in MATH.finditer(text)]


def replace_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` whole or not at all: into a file beside it, moved into place. An
    existing file keeps its permissions."""
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(text)
    if path.exists():
        shutil.copymode(path, tmp.name)
    os.replace(tmp.name, path)
