"""Checks that the data says what its sources say (warnings of ``kb check``).

Three kinds of mistake an audit of the data found, each checked against the
text of the article section an event cites:

- a date more precise than any date expression of the cited section (a day
  the source never gives);
- names and figures of an event that its cited section does not contain (a
  description that mixes in another section, or another article);
- figures that differ between an item's Vietnamese and English texts.

A name or figure that the item's note gives (a note saying "the source
writes X; the correct name is Y") is accounted for, as is the year of the
event itself ("năm nay" in an article of 2025 is 2025).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from kb.content.project import Project
from kb.content.structure import numbers
from kb.errors import Problem
from kb.knowledge.dates import MONTHS_EN
from kb.knowledge.facts import Event, EventDate, Knowledge, prose
from kb.textutil import slugify

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$", re.M)
_ANCHOR = re.compile(r"\{#([\w-]+)\}$")


def section_text(markdown: str, anchor: str | None) -> str:
    """The text under one heading (to the next heading of its level or higher); the page without an anchor."""
    if not anchor:
        return markdown
    headings = list(_HEADING.finditer(markdown))
    for i, heading in enumerate(headings):
        found = _ANCHOR.search(heading[2])
        if (found[1] if found else slugify(heading[2])) != anchor:
            continue
        level = len(heading[1])
        end = next((h.start() for h in headings[i + 1 :] if len(h[1]) <= level), len(markdown))
        return markdown[heading.start() : end]
    return ""


# --------------------------------------------------------------------------
# Dates: is the event's precision one the section states?
# --------------------------------------------------------------------------

_EN_MONTHS = ([m.casefold() for m in MONTHS_EN], [m[:3].casefold() for m in MONTHS_EN])
# Words that place a text relative to its publication date, by the unit they move in.
_RELATIVE = {
    "day": r"hôm nay|hôm qua|today|yesterday",
    "month": r"tháng này|tháng trước|tháng rồi|this month|last month|earlier this month|tuần này|tuần trước|"
    r"this week|last week|hồi đầu tháng|đầu tháng này|cuối tháng trước",
    "year": r"năm nay|năm ngoái|năm trước|this year|last year|đầu năm|cuối năm",
}


def _month_names(month: int) -> str:
    return f"{_EN_MONTHS[0][month - 1]}|{_EN_MONTHS[1][month - 1]}\\.?"


def _states_day(date: EventDate, text: str) -> bool:
    d, m = date.day, date.month
    names = _month_names(m)
    patterns = [
        rf"(?<![\d/.]){d:d}[/.-]0?{m:d}(?![\d])",  # 16/3, 16.3, 16/3/2025
        rf"(?<![\d/.])0?{d:d}[/.-]0?{m:d}(?![\d])",
        rf"\bngày\s+0?{d:d}\s+tháng\s+0?{m:d}\b",
        rf"\b(?:{names})\s+0?{d:d}(?:st|nd|rd|th)?\b",
        rf"\b0?{d:d}(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{names})\b",
        rf"\b{date.year}-{m:02d}-{d:02d}\b",
    ]
    return any(re.search(p, text, re.I) for p in patterns)


def _states_month(date: EventDate, text: str) -> bool:
    m = date.month
    patterns = [
        rf"\btháng\s+0?{m:d}(?![\d])",
        rf"(?<![\d/.])0?{m:d}/{date.year}\b",
        rf"(?<![\d/.])\d{{1,2}}[/.]0?{m:d}(?![\d])",
        rf"\b(?:{_month_names(m)})\b",
        rf"\b{date.year}-{m:02d}\b",
    ]
    return any(re.search(p, text, re.I) for p in patterns)


def _states_quarter(date: EventDate, text: str) -> bool:
    q = date.quarter
    return bool(re.search(rf"\bquý\s+(?:{q}|{'I' * q if q < 4 else 'IV'})\b|\bQ{q}\b|\b(?:quarter)\b", text, re.I))


def _relative(unit: str, text: str) -> bool:
    return re.search(rf"\b(?:{_RELATIVE[unit]})\b", text, re.I) is not None


def _near(date: EventDate, published: dt.date, unit: str) -> bool:
    """Whether a relative expression of that unit, read from the publication date, can reach the date."""
    if unit == "day":
        return abs((dt.date(date.year, date.month, date.day) - published).days) <= 1
    months = (published.year * 12 + published.month) - (date.year * 12 + date.month)
    return 0 <= months <= 1


_AFTER = re.compile(
    r"\b(?:\d+|một|hai|ba|bốn|năm|sáu)\s+(?:ngày|tuần|tháng|năm)\s+(?:sau|trước)|\blater\b|\bago\b|\bsau đó\b", re.I
)


def date_supported(date: EventDate, section: str, published: dt.date, note: str = "") -> bool:
    """Whether the section states the date at its precision.

    Directly ("16/3", "tháng 9", "quý 3"); relative to the publication date
    ("tháng trước" in an article of April for March); as the publication date
    itself (a report dated by its own release); or relative to another date of
    the section ("3 tháng sau") when the item's note states the date it resolves to.
    """
    text = prose(section)
    if date.precision in ("day", "month", "quarter") and _same(date, published):
        return True
    if note and _AFTER.search(text) and _states(date, note):
        return True
    return _states(date, text) or _states_relative(date, text, published)


def _same(date: EventDate, published: dt.date) -> bool:
    if date.precision == "day":
        return (date.year, date.month, date.day) == (published.year, published.month, published.day)
    if date.precision == "month":
        return (date.year, date.month) == (published.year, published.month)
    return (date.year, date.quarter) == (published.year, (published.month + 2) // 3)


def _states(date: EventDate, text: str) -> bool:
    if date.precision == "day":
        return _states_day(date, text)
    if date.precision == "month":
        return _states_month(date, text)
    if date.precision == "quarter":
        months = [EventDate("month", date.year, date.quarter * 3 - i) for i in (2, 1, 0)]
        return _states_quarter(date, text) or any(_states_month(m, text) for m in months)
    return True  # a year or a decade is what a source gives when it gives less


def _states_relative(date: EventDate, text: str, published: dt.date) -> bool:
    if date.precision == "day":
        return _relative("day", text) and _near(date, published, "day")
    if date.precision == "month":
        return _relative("month", text) and _near(date, published, "month")
    return False


# --------------------------------------------------------------------------
# Names and figures: are the event's in its section?
# --------------------------------------------------------------------------

# A name: a word with a digit or two capitals (GPT-4o, R1, AI, OpenAI), or a capitalised word
# that does not start a sentence (Stability, Friar).
_TOKEN = re.compile(r"[^\W_](?:[\w.+]*[\w+])?(?:-[\w.]*\w)*")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;“\"(]\s*|\n)$")


def names(text: str) -> list[str]:
    found = []
    for m in _TOKEN.finditer(text):
        word = m.group(0)
        if (
            (any(c.isdigit() for c in word) and not word.isdigit())
            or sum(c.isupper() for c in word) >= 2
            or (word[0].isupper() and not _SENTENCE_START.search(text[: m.start()]))
        ):
            found.append(word)
    return found


def _squashed(text: str) -> str:
    """Text as names are compared: case, spaces and hyphens aside ("Qwen-2.5" is "Qwen2.5")."""
    return re.sub(r"[\s\-–]+", "", text.casefold())


def missing_from_section(event: Event, section: str, title: str) -> list[str]:
    """Names and figures of the event's Vietnamese title and description that its section lacks."""
    source = prose(section) + "\n" + title
    note = event.note.vi + "\n" + event.note.en if event.note else ""
    told = _squashed(source + "\n" + note)
    text = f"{event.title.vi}\n{event.description.vi}"
    missing = [n for n in dict.fromkeys(names(text)) if _squashed(n) not in told]
    known_numbers = numbers(source + "\n" + note, "vi").keys() | {str(event.date.year)}
    missing += [n for n in numbers(text, "vi") if n not in known_numbers and n not in missing]
    return missing


# --------------------------------------------------------------------------
# Figures in both languages
# --------------------------------------------------------------------------


def differing_numbers(vi: str, en: str) -> tuple[list[str], list[str]]:
    """Figures only the Vietnamese text has, and figures only the English text has."""
    a, b = numbers(vi, "vi"), numbers(en, "en")
    return sorted(a.keys() - b.keys(), key=int), sorted(b.keys() - a.keys(), key=int)


@dataclass(frozen=True)
class _Item:
    file: str
    index: int
    id: str
    texts: Mapping[str, tuple[str, str]]  # field -> (vi, en)


def _items(k: Knowledge) -> Iterator[_Item]:
    place = k.places
    for topic in k.topics.values():
        yield _Item("topics", place["topics"][topic.id], topic.id, {"intro": (topic.intro.vi, topic.intro.en)})
    for e in k.entities.values():
        yield _Item("entities", place["entities"][e.id], e.id, {"description": (e.description.vi, e.description.en)})
    for term in k.terms.values():
        yield _Item(
            "glossary", place["glossary"][term.id], term.id, {"definition": (term.definition.vi, term.definition.en)}
        )
    for event in k.events:
        texts = {"title": (event.title.vi, event.title.en), "description": (event.description.vi, event.description.en)}
        if event.note:
            texts["note"] = (event.note.vi, event.note.en)
        yield _Item("events", k.places["events"][event.id], event.id, texts)


# --------------------------------------------------------------------------
# The warnings
# --------------------------------------------------------------------------


def problems(project: Project, k: Knowledge) -> list[Problem]:
    """Warnings for every item whose text or date goes beyond its source, or whose languages disagree."""
    paths = project.paths
    found: list[Problem] = []

    def warn(file: str, index: int, item_id: str, fld: str, message: str, expected: str) -> None:
        lines = k.lines.get(file, {})
        line = lines.get(f"{index}.{fld}") or lines.get(f"{index}.{fld.split('.')[0]}") or lines.get(f"{index}")
        shown = paths.show(paths.data / f"{file}.yml")
        found.append(Problem(shown, message, line=line, field=f"{item_id}.{fld}", expected=expected, warning=True))

    for event in k.events:
        article = project.article(event.source.article)
        if article is None:
            continue
        index = k.places["events"][event.id]
        section = section_text(article.body, event.source.section)
        where = f"{event.source.article}#{event.source.section}" if event.source.section else event.source.article
        note = f"{event.note.vi}\n{event.note.en}" if event.note else ""
        if not date_supported(event.date, section, article.meta.published.date, note):
            warn(
                "events",
                index,
                event.id,
                "date",
                f"{event.date.iso()} is more precise than any date that {where} states",
                f"the date at the precision the cited section gives (a month or a year: '{event.date.year}'), "
                "or the section that gives the day",
            )
        if missing := missing_from_section(event, section, article.meta.title.vi):
            warn(
                "events",
                index,
                event.id,
                "description",
                f"{', '.join(repr(m) for m in missing)} not found in {where}",
                "a title and description drawn from the cited section (cite the section that says it, "
                "or say in the note where it comes from)",
            )
    for item in _items(k):
        for fld, (vi, en) in item.texts.items():
            only_vi, only_en = differing_numbers(vi, en)
            if only_vi or only_en:
                told = "; ".join(
                    part
                    for part in (
                        f"Vietnamese has {', '.join(only_vi)}" if only_vi else "",
                        f"English has {', '.join(only_en)}" if only_en else "",
                    )
                    if part
                )
                warn(
                    item.file,
                    item.index,
                    item.id,
                    fld,
                    f"the two languages give different figures ({told})",
                    "the same figures in vi and en",
                )
    return found
