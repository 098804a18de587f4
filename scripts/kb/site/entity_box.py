"""The summary box at the top of an entity's page: type, aliases, first and latest event, topics, companions.

"Mentioned with it" counts, for each other entity, the events that involve
both plus the articles whose text mentions both. It is computed once per
build for every entity (:func:`companions`), in one pass over the events and
one over the articles, so the cost grows with the mentions, not with the
number of entity pages.
"""

from __future__ import annotations

import heapq
from collections import Counter

from kb.content.project import Project
from kb.knowledge.facts import Entity, Event, Knowledge
from kb.site.knowledge_pages import event_date, event_location
from kb.site.ui import UI

COMPANIONS = 5


def companions(k: Knowledge, project: Project, mentions: dict[str, list[str]]) -> dict[str, list[tuple[str, int]]]:
    """Entity id -> the (at most five) entities most often mentioned with it, with their shared count."""
    key = ("companions", id(mentions))
    if key in project.cache:
        return project.cache[key]
    # the articles' part is made from the articles and their mentions alone: kb serve keeps it through
    # a data edit that keeps both (kb.site.knowledge_pages.carry_over)
    in_articles = project.cache.get(("mentioned-together", id(mentions)))
    if in_articles is None:
        in_articles = _together(list(dict.fromkeys(mentions.get(a.slug, []))) for a in project.articles)
        project.cache[("mentioned-together", id(mentions))] = in_articles
    together = _together(list(dict.fromkeys(e.entities)) for e in k.events)
    for entity_id, counts in in_articles.items():
        if entity_id in together:
            together[entity_id].update(counts)
        else:
            together[entity_id] = Counter(counts)
    order = k.entity_order
    result = {}
    for entity_id, counts in together.items():
        counts.pop(entity_id, None)
        known = [other for other in counts if other in k.entities]
        best = heapq.nsmallest(COMPANIONS, known, key=lambda other: (-counts[other], order[other]))
        result[entity_id] = [(other, counts[other]) for other in best]
    project.cache[key] = result
    return result


def _together(groups) -> dict[str, Counter[str]]:
    """Entity id -> how many of the groups (each a list of distinct entity ids) hold it and each other
    (itself counted too)."""
    together: dict[str, Counter[str]] = {}
    for group in groups:
        if len(group) < 2:
            continue
        for entity_id in group:
            together.setdefault(entity_id, Counter()).update(group)
    return together


def _event_link(event: Event, k: Knowledge, lang: str, ui: UI) -> str:
    return f"{event_date(event.date, ui)}: [{event.title[lang]}](../{event_location(k, event.id)}#{event.id})"


def summary_box(
    entity: Entity, k: Knowledge, project: Project, mentions: dict[str, list[str]], lang: str, ui: UI
) -> str:
    """The box as a definition list (Markdown inside HTML): only the rows that have something to say."""
    rows = [(ui("summary_type"), ui("type_" + entity.type))]
    names = {entity.name["vi"], entity.name["en"]}
    aliases = [a for a in dict.fromkeys(a.form for a in entity.aliases) if a not in names]
    if aliases:
        rows.append((ui("summary_aliases"), ", ".join(aliases)))
    events = k.events_of_entity(entity.id)
    if events:
        rows.append((ui("summary_events"), str(len(events))))
        rows.append((ui("summary_first"), _event_link(events[0], k, lang, ui)))
        if len(events) > 1:
            rows.append((ui("summary_latest"), _event_link(events[-1], k, lang, ui)))
    if entity.topics:
        links = ", ".join(f"[{k.topics[t].name[lang]}](../topics/{t}.md)" for t in entity.topics if t in k.topics)
        rows.append((ui("summary_topics"), links))
    others = companions(k, project, mentions).get(entity.id, [])
    if others:
        links = ", ".join(f"[{k.entities[o].name[lang]}]({o}.md) ({n})" for o, n in others)
        rows.append((ui("summary_with"), links))
    items = "\n".join(f'<dt>{label}</dt>\n<dd markdown="span">{value}</dd>' for label, value in rows)
    return f'<dl class="kb-summary" markdown>\n{items}\n</dl>\n'
