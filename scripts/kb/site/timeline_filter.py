"""Filtering the timeline in the browser: each event's data as attributes, and the filter's options.

The filter itself is ``overrides/assets/kb-timeline.js``. Without JavaScript
the page shows every event and no controls: the filter's box is rendered
``hidden`` and the script reveals it. Its state lives in the address
(``?topic=…&entity=…&kind=…&from=…&to=…``), so a filtered view can be
shared, opened and left with the back button.

"Kind" is the type of the entities an event involves (organisation, model,
product, person): events carry no category of their own, and "what happened
to models" or "what people did" is what a reader of the timeline asks.

Past :data:`paging.LIMITS.timeline` events the timeline is split into year
pages. Then the filter works within the page a reader is on, and the
timeline's index and pagers carry the address's filter to the pages they link
to (and the index hides the years outside the chosen range): no page loads
data about events it does not show.
"""

from __future__ import annotations

import html
import json
from urllib.parse import urlencode

from kb.knowledge.facts import ENTITY_TYPES, Event, Knowledge
from kb.site.ui import UI

KINDS = ENTITY_TYPES  # an event's kinds: the types of the entities it involves
PARAMS = ("topic", "entity", "kind", "from", "to")  # the address's keys, in the order links write them


def event_kinds(event: Event, k: Knowledge) -> list[str]:
    """The types of the entities an event involves, in :data:`KINDS` order."""
    types = {k.entities[e].type for e in event.entities if e in k.entities}
    return [kind for kind in KINDS if kind in types]


def filterable(event: Event, block: str, k: Knowledge) -> str:
    """An event's Markdown wrapped in an element that carries what the filter matches."""
    attrs = {
        "data-year": str(event.date.year),
        "data-topics": " ".join(event.topics),
        "data-entities": " ".join(event.entities),
        "data-kinds": " ".join(event_kinds(event, k)),
    }
    rendered = " ".join(f'{name}="{html.escape(value)}"' for name, value in attrs.items())
    return f'<div class="kb-event" {rendered} markdown>\n\n{block}\n</div>\n'


def filter_box(events: list[Event], k: Knowledge, lang: str, ui: UI, *, entities: bool = True) -> str:
    """The filter's (hidden) box: its strings and the options the events on this page offer.

    ``entities=False`` leaves out the entity list (the split timeline's index, which lists
    years, not events: an entity named in its address is still carried to the year pages).
    """
    topics = dict.fromkeys(t for e in events for t in e.topics)
    involved = dict.fromkeys(x for e in events for x in e.entities) if entities else {}
    kinds = {kind for e in events for kind in event_kinds(e, k)}
    years = sorted({e.date.year for e in events})
    options = {
        "topic": [[t, k.topics[t].name[lang]] for t in k.topics if t in topics],
        "entity": sorted(
            ([x, k.entities[x].name[lang]] for x in involved if x in k.entities), key=lambda o: (o[1].casefold(), o[0])
        ),
        "kind": [[kind, ui("type_" + kind)] for kind in KINDS if kind in kinds],
        "year": [str(y) for y in years],
    }
    strings = {
        key: ui(f"filter_{key}")
        for key in ("legend", "topic", "entity", "kind", "from", "to", "all", "reset", "count_one", "count_other")
    }
    data = {"options": options, "strings": strings, "total": len(events)}
    payload = html.escape(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
    return f'<div class="kb-filters" hidden data-filter="{payload}"></div>\n'


def timeline_query(
    topic: str | None = None, entity: str | None = None, kind: str | None = None, years: tuple[int, int] | None = None
) -> str:
    """The query string of a filtered timeline address ('' when nothing is chosen)."""
    values = {"topic": topic, "entity": entity, "kind": kind}
    if years:
        values |= {"from": str(years[0]), "to": str(years[1])}
    pairs = [(key, values[key]) for key in PARAMS if values.get(key)]
    return "?" + urlencode(pairs) if pairs else ""


def see_on_timeline(prefix: str, ui: UI, **filters: str) -> str:
    """A link to the timeline filtered to a topic or an entity (Markdown, relative to ``prefix``)."""
    return f"[{ui('see_on_timeline')}]({prefix}timeline.md{timeline_query(**filters)}){{ .kb-timeline-link }}"
