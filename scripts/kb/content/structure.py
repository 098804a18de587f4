"""Compare the structure of an article and its translation.

Counts headings by level, paragraphs, list items, links, images, captions,
TeX formulas and the numbers in the text, so a translation that drops or
merges a block is caught. A formula is counted, not read: its digits are not
prose numbers (and "1/2" in one is not a Vietnamese date). Numbers are compared as runs of digits, which is robust to
'3,7' versus '3.7' and '1.200' versus '1,200'; month numbers written as
'tháng 9' or '16/3' in Vietnamese are left out because English names them.

Usage: python -m kb.content.structure SOURCE.md TRANSLATION.md
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

from kb.textutil import MATH, math_spans

_FRONT = re.compile(r"\A---\n.*?^---\n", re.S | re.M)
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"(?<!!)\[[^\]]+\]\([^)]*\)|<https?://[^>]+>")
_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_VI_MONTH = re.compile(r"\b(?:tháng|thg)[ \t\u00a0]+\d{1,2}", re.I)  # on one line: "tháng\n1." is a list
_VI_DAY_MONTH = re.compile(r"\b(\d{1,2})/(\d{1,2})(?:/(\d{4}))?\b")
_VI_MONTH_YEAR = re.compile(r"\b(\d{1,2})/(\d{4})\b")
_DIGITS = re.compile(r"\d+")
_ATTR_LIST = re.compile(r"\{[:#.][^}]*\}")  # attribute lists: {: .kb-lead }, {#anchor}


def strip_front_matter(text: str) -> str:
    return _FRONT.sub("", text, count=1)


def blocks(body: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]


def numbers(text: str, lang: str) -> Counter[str]:
    """Digit runs of the prose; Vietnamese month numbers are dropped."""
    text = _IMAGE.sub("", text)
    text = re.sub(r"\]\([^)]*\)|<https?://[^>]+>", "]", text)  # link targets are not prose
    if lang == "vi":
        text = _VI_MONTH.sub("tháng", text)
        text = _VI_MONTH_YEAR.sub(lambda m: m[2], text)
        text = _VI_DAY_MONTH.sub(lambda m: f"{m[1]} {m[3] or ''}", text)
    return Counter(_DIGITS.findall(text))


def structure(markdown: str, lang: str) -> dict[str, object]:
    """Counts that a faithful translation keeps equal to its source."""
    body = strip_front_matter(markdown)
    counts: Counter[str] = Counter()
    if formulas := math_spans(body):
        counts["formulas"] = len(formulas)
        body = MATH.sub("formula", body)  # a display formula of its own stays a paragraph
    for block in blocks(body):
        first = block.splitlines()[0]
        if m := re.match(r"^(#{1,6})\s", first):
            counts[f"h{len(m[1])}"] += 1
        elif _LIST_ITEM.match(first):
            counts["list items"] += len(_LIST_ITEM.findall(block))
        elif block.startswith("!["):
            pass
        elif "{: .kb-caption }" in block:
            counts["captions"] += 1
        else:
            counts["paragraphs"] += 1
        counts["images"] += len(_IMAGE.findall(block))
        counts["links"] += len(_LINK.findall(block))
    return {"counts": counts, "numbers": numbers(_ATTR_LIST.sub("", body), lang)}


def compare(source: str, translation: str, source_lang: str = "vi", lang: str = "en") -> list[str]:
    """Mismatches between a source and its translation, each with counts."""
    a, b = structure(source, source_lang), structure(translation, lang)
    problems = []
    ca, cb = a["counts"], b["counts"]
    for key in sorted(set(ca) | set(cb)):
        if ca[key] != cb[key]:
            problems.append(f"{key}: {ca[key]} in the source vs {cb[key]} in the translation")
    na, nb = a["numbers"], b["numbers"]
    missing = sorted((na - nb).elements(), key=int)
    extra = sorted((nb - na).elements(), key=int)
    if missing:
        problems.append("numbers missing from the translation: " + ", ".join(missing))
    if extra:
        problems.append("numbers not in the source: " + ", ".join(extra))
    return problems


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    source, translation = (Path(p).read_text(encoding="utf-8") for p in args)
    problems = compare(source, translation)
    for problem in problems:
        print(problem)
    print("structure matches" if not problems else f"{len(problems)} mismatch(es)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
