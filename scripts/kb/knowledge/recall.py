"""``kb suggest --measure``: how many dated events ``kb suggest`` finds again, and how much else it proposes.

The events of ``data/events.yml`` whose cited section states their date
explicitly are found by a check deliberately simpler than the suggestions'
parser (so that a form the parser misses is not also left out of the
count): a sentence of the cited section (the whole article when the event
cites none) that names one of the event's entities other than the one the
most events name ("o1" or "ChatGPT", not "OpenAI", for an event of
OpenAI's) and writes the date's own numbers: the year for a year ("2024"), the month after "tháng"
or as a month name for a month ("tháng 9", "September"), the day and the
month for a day ("16/3", "ngày 16 tháng 3", "March 16"), "quý 3"/"Q3" for
a quarter, the decade's first year for a decade ("1960"). A relative date
("3 tháng sau", "tháng trước") is not written out, so its event is not in
that count; how many of those the suggestions also date right is reported
beside it.

An event counts as proposed when a candidate of the same article and
section has the same date at the same precision. A candidate that matches
no existing event that way (date, article, section) is counted as noise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.content.project import Project
from kb.knowledge.dates import MONTHS_EN
from kb.knowledge.facts import Event, Knowledge
from kb.knowledge.suggest import event_candidates, sentences


def _written(event: Event) -> re.Pattern[str]:
    d = event.date
    if d.precision == "decade":
        return re.compile(rf"\b{d.year}")
    if d.precision == "year":
        return re.compile(rf"(?<!\d){d.year}(?!\d)")
    if d.precision == "quarter":
        return re.compile(rf"(?i:quý)\s+0?{d.quarter}\b|\bQ{d.quarter}\b")
    month = MONTHS_EN[d.month - 1]
    if d.precision == "month":
        return re.compile(rf"(?i:tháng)\s+0?{d.month}(?!\d)|\b{month}\b")
    return re.compile(
        rf"(?<!\d)0?{d.day}[/.]0?{d.month}(?!\d)|(?i:ngày)\s+0?{d.day}\s+(?i:tháng)\s+0?{d.month}(?!\d)"
        rf"|\b{month}\s+{d.day}(?!\d)|(?<!\d){d.day}\s+{month}\b"
    )


def explicit_sentence(k: Knowledge, project: Project, event: Event) -> str | None:
    """The sentence of the event's cited section that writes its date out, if there is one."""
    article = project.article(event.source.article)
    if article is None:
        return None
    written = _written(event)
    for s in sentences(article):
        if event.source.section and s.section != event.source.section:
            continue
        if not written.search(s.text):
            continue
        text, paragraph = s.in_paragraph()
        named = {m.name.id for m in k.names("vi").find(text, paragraph, first=True) if m.name.kind == "entity"}
        if _particular(k, event) & named:
            return s.text
    return None


def _particular(k: Knowledge, event: Event) -> set[str]:
    """The event's entities but the one the most events name ('o1', not 'openai'); all of one."""
    if len(event.entities) == 1:
        return set(event.entities)
    common = max(event.entities, key=lambda e: (len(k.events_of_entity(e)), -event.entities.index(e)))
    return set(event.entities) - {common}


@dataclass
class Recall:
    explicit: list[str] = field(default_factory=list)  # event ids
    found: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    relative: list[str] = field(default_factory=list)  # events not written out that a candidate still dates right
    candidates: int = 0
    noise: int = 0

    @property
    def share(self) -> float:
        return len(self.found) / len(self.explicit) if self.explicit else 1.0

    def report(self) -> str:
        lines = [
            f"events whose cited section writes their date out: {len(self.explicit)}",
            f"proposed by kb suggest with the same date and precision: {len(self.found)} ({self.share:.0%})",
            f"other events (a relative date, or one their section gives) it also dates right: {len(self.relative)}",
            f"suggestions: {self.candidates}, matching no existing event: {self.noise}"
            + (f" ({self.noise / self.candidates:.0%})" if self.candidates else ""),
        ]
        lines += [f"missed: {event_id}" for event_id in self.missed]
        return "\n".join(lines)


def measure(k: Knowledge, project: Project) -> Recall:
    result = Recall()
    proposed: set[tuple[str, str | None, str]] = set()  # (article, section, date)
    for article in project.articles:
        for c in event_candidates(k, article):
            proposed.add((article.slug, c.section, c.date.iso()))
            result.candidates += 1
            if not any(
                e.source.article == article.slug and e.source.section == c.section and e.date == c.date
                for e in k.events
            ):
                result.noise += 1
    for event in k.events:
        key = (event.source.article, event.source.section, event.date.iso())
        if explicit_sentence(k, project, event) is not None:
            result.explicit.append(event.id)
            (result.found if key in proposed else result.missed).append(event.id)
        elif key in proposed:
            result.relative.append(event.id)
    return result
