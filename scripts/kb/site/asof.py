"""'As of' notes: a description of a situation that moves is dated by its source.

An event with ``as_of: true`` or an entity with ``as_of: <article slug>``
describes something that changes (a valuation, a ranking, user counts, a
role); its description ends with "(tính đến tháng 3/2025)" / "(as of March
2025)", the month the cited article was published. Only the source's own
date is used: an item whose article is unknown gets no note.
"""

from __future__ import annotations

from kb.content.project import Project
from kb.content.schema import PubDate
from kb.knowledge.facts import Entity, Event
from kb.site.ui import UI


def month(when: PubDate, ui: UI) -> str:
    """A publication date at month precision, as the interface writes a month ('tháng 3/2025', 'March 2025')."""
    months = ui.strings.get("month_names") or []
    m, year = when.value.month, when.value.year
    return ui("event_month", month=m, year=year, month_name=months[m - 1] if months else m, day=0, quarter=0)


def as_of_date(item: Event | Entity, project: Project) -> PubDate | None:
    """The publication date an item's description is as of, or None when it is not marked (or unknown)."""
    # An event cites its article; an entity names the article its description is as of.
    slug = item.as_of if isinstance(item, Entity) else (item.source.article if item.as_of else None)
    article = project.article(slug) if slug else None
    return article.meta.published if article else None


def as_of_note(item: Event | Entity, project: Project, ui: UI) -> str:
    """' (as of March 2025)' to put after the item's description, or '' when it is not marked."""
    when = as_of_date(item, project)
    return f" {ui('as_of', when=month(when, ui))}" if when else ""


def describe(item: Event | Entity, project: Project, lang: str, ui: UI) -> str:
    """An item's description in one language, with its 'as of' note."""
    return item.description[lang] + as_of_note(item, project, ui)
