"""Events that are likely the same: shared entities, overlapping dates, similar titles.

Adding two news articles about one release put it on the timeline three
times (issue 20). Two events are reported as likely duplicates when all
three hold:

- **their dates overlap at their precisions**: "2025" overlaps
  "2025-01-20" and "2025-Q1", "2020s" overlaps "2024"; "2024-09" does not
  overlap "2024-12";
- **they name the same entities**: at least :data:`ENTITY_SHARE` of the
  entities of the event with fewer are the other's too;
- **their titles say the same** in either language: at least
  :data:`TITLE_SHARE` of the shorter title's words (lower-cased, without
  the little words in :data:`STOP_WORDS`) are in the other.

The thresholds were chosen on the real data (``kb check`` reports no pair
in it) and on the cases in ``tests/knowledge/test_suggest.py``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.knowledge.facts import Event, EventDate

ENTITY_SHARE = 0.5
TITLE_SHARE = 0.75
CANDIDATE_TITLE_SHARE = 0.25
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "and",
        "or",
        "is",
        "are",
        "its",
        "it",
        "by",
        "with",
        "from",
        "as",
        "new",
        "first",
        "releases",
        "released",
        "launches",
        "launched",
        "announces",
        "announced",
        "introduces",
        "unveils",
        "model",
        "models",
        "và",
        "của",
        "các",
        "những",
        "một",
        "là",
        "được",
        "cho",
        "với",
        "trong",
        "trên",
        "tại",
        "từ",
        "này",
        "đã",
        "sẽ",
        "có",
        "mới",
        "đầu",
        "ra",
        "mắt",
        "phát",
        "hành",
        "công",
        "bố",
        "giới",
        "thiệu",
        "tung",
        "mô",
        "hình",
    ]
)
_WORDS = re.compile(r"[\w.+-]*\w", re.UNICODE)


def span(date: EventDate) -> tuple[dt.date, dt.date]:
    """The first and last day a date at its precision may mean."""
    y = date.year
    if date.precision == "day":
        d = dt.date(y, date.month, date.day)
        return d, d
    if date.precision == "month":
        last = (dt.date(y + (date.month == 12), date.month % 12 + 1, 1)) - dt.timedelta(days=1)
        return dt.date(y, date.month, 1), last
    if date.precision == "quarter":
        first = 3 * date.quarter - 2
        last = dt.date(y + (date.quarter == 4), (first + 2) % 12 + 1, 1) - dt.timedelta(days=1)
        return dt.date(y, first, 1), last
    if date.precision == "decade":
        return dt.date(y, 1, 1), dt.date(y + 9, 12, 31)
    return dt.date(y, 1, 1), dt.date(y, 12, 31)


def dates_overlap(a: EventDate, b: EventDate) -> bool:
    (a0, a1), (b0, b1) = span(a), span(b)
    return a0 <= b1 and b0 <= a1


def words(text: str) -> set[str]:
    """A text's words as titles are compared: lower-cased, the little words left out."""
    return {w for w in _WORDS.findall(text.casefold()) if w not in STOP_WORDS}


def share(a: Iterable[str], b: Iterable[str]) -> float:
    """How much of the smaller set is in the other (0 when either is empty)."""
    a, b = set(a), set(b)
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


def containment(part: Iterable[str], whole: Iterable[str]) -> float:
    """How much of ``part`` is in ``whole``."""
    part = set(part)
    return len(part & set(whole)) / len(part) if part else 0.0


@dataclass(frozen=True)
class Likeness:
    """Why two events (or a candidate and an event) look like one."""

    other: str
    shared_entities: tuple[str, ...]
    title_share: float

    def reason(self) -> str:
        return f"same entities ({', '.join(self.shared_entities)}), overlapping dates, {self.title_share:.0%} of title words"


def title_likeness(a: Event, b: Event) -> float:
    return max(share(words(a.title[lang]), words(b.title[lang])) for lang in ("vi", "en"))


def alike(a: Event, b: Event) -> Likeness | None:
    """A :class:`Likeness` when two events are likely one, else None."""
    if not dates_overlap(a.date, b.date):
        return None
    if share(a.entities, b.entities) < ENTITY_SHARE:
        return None
    title = title_likeness(a, b)
    if title < TITLE_SHARE:
        return None
    shared = tuple(e for e in a.entities if e in b.entities)
    return Likeness(b.id, shared, title)


def duplicate_pairs(events: Sequence[Event]) -> list[tuple[Event, Event, Likeness]]:
    """Pairs of events that are likely one, each pair once, in the order of the list."""
    by_entity: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        for entity in dict.fromkeys(event.entities):
            by_entity.setdefault(entity, []).append(i)
    pairs = []
    seen: set[tuple[int, int]] = set()
    for i, event in enumerate(events):
        for entity in dict.fromkeys(event.entities):
            for j in by_entity[entity]:
                if j <= i or (i, j) in seen:
                    continue
                seen.add((i, j))
                if likeness := alike(event, events[j]):
                    pairs.append((event, events[j], likeness))
    return pairs


def likely_duplicates(
    date: EventDate, entities: Sequence[str], text: str, events: Iterable[Event]
) -> list[tuple[Event, Likeness]]:
    """Existing events a candidate (a date, its entities, its sentence) may repeat, likeliest first.

    The candidate has no title yet: an event is kept when its dates overlap,
    it shares :data:`ENTITY_SHARE` of the entities, and at least
    :data:`CANDIDATE_TITLE_SHARE` of its title's words (in either language)
    are in the candidate's sentence (a sentence says more than a title).
    """
    found = []
    text_words = words(text)
    for event in events:
        if not dates_overlap(date, event.date) or share(entities, event.entities) < ENTITY_SHARE:
            continue
        title = max(containment(words(event.title[lang]), text_words) for lang in ("vi", "en"))
        if title < CANDIDATE_TITLE_SHARE:
            continue
        shared = tuple(e for e in event.entities if e in entities)
        found.append((event, Likeness(event.id, shared, title)))
    # the most entities in common first, then the same date at the same precision, then the closest title
    found.sort(key=lambda pair: (-len(pair[1].shared_entities), pair[0].date != date, -pair[1].title_share, pair[0].id))
    return found
