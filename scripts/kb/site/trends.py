"""Trends at a glance, for the home page: events per topic over time, the latest events, the most mentioned.

Everything here comes from the data, never the clock, so two builds of one
tree give the same page. The "current year" is the latest year that has an
event or an article. Each part links to where it comes from: the chart's
numbers to the timeline filtered to that topic and year, the events to their
place on the timeline, the entities to their pages.

Periods: years, or quarters where the data is dense. The choice is made once
for the chart, on the latest year with events: quarters when it has at least
:data:`DENSE_YEAR` events and at least three in four of them are dated to a
quarter or finer (one year in quarters beside others in years would read as a
jump). In quarters, the events a source dates only to the year have a column
of their own ("2025, quarter unknown"), so no event is put in a quarter its
source does not give. At most :data:`MAX_PERIODS` columns are drawn (the
newest); older events are counted in one "before" column, which always ends
with a whole year.
"""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass

from kb.content.project import Project
from kb.knowledge.facts import Event, Knowledge
from kb.site import timeline_filter
from kb.site.knowledge_pages import event_date, event_location
from kb.site.ui import UI

TRENDS_MARKER = "<!-- kb:trends -->"
DENSE_YEAR = 24
MAX_PERIODS = 6  # with two-line topic names, the chart fits a phone's 390 px
WRAP = 16  # a topic name longer than this goes on two lines
LATEST_EVENTS = 5
TOP_ENTITIES = 8


@dataclass(frozen=True)
class Period:
    """A column of the chart: a year, a quarter of it, a year's events without a quarter, or all before."""

    key: tuple[int, int]  # (year, 0) year or the year's unknown quarter; (year, 1-4) a quarter; (year, -1) before
    first: int  # the years the timeline filter shows for it
    last: int
    split: bool = False  # its year is shown by quarter
    decade: bool = False  # its events are all dated to a decade only

    def label(self, ui: UI) -> str:
        year, part = self.key
        if part == -1:
            return ui("trends_earlier", year=self.last + 1)
        if part > 0:
            return ui("event_quarter", quarter=part, year=year)
        if self.decade:
            return ui("event_decade", year=year)
        return ui("trends_undated", year=year) if self.split else str(year)


def _dense(events: list[Event]) -> bool:
    fine = sum(e.date.precision in {"day", "month", "quarter"} for e in events)
    return len(events) >= DENSE_YEAR and fine * 4 >= len(events) * 3


def _quarter(event: Event) -> int:
    d = event.date
    if d.precision == "quarter":
        return d.quarter
    if d.precision in {"day", "month"}:
        return (d.month - 1) // 3 + 1
    return 0


@dataclass
class TopicCounts:
    """Events per topic and period: an event counts under each of its topics."""

    periods: list[Period]
    labels: list[str]
    counts: dict[str, list[int]]  # topic id -> one count per period (topics with no event left out)
    by_quarter: bool


def topic_counts(k: Knowledge, ui: UI) -> TopicCounts:
    by_year: dict[int, list[Event]] = {}
    for event in k.events:
        by_year.setdefault(event.date.year, []).append(event)
    split = set(by_year) if by_year and _dense(by_year[max(by_year)]) else set()
    columns: dict[tuple[int, int], Counter[str]] = {}
    not_decade: set[tuple[int, int]] = set()
    for event in k.events:
        year = event.date.year
        part = _quarter(event) if year in split else 0
        columns.setdefault((year, part), Counter()).update(dict.fromkeys(event.topics, 1))
        if event.date.precision != "decade":
            not_decade.add((year, part))
    keys = sorted(columns)
    periods: list[Period] = []
    if len(keys) > MAX_PERIODS:
        cut = len(keys) - MAX_PERIODS + 1
        while cut < len(keys) - 1 and keys[cut][0] == keys[cut - 1][0]:
            cut += 1  # a year's quarters stay together: the "before" column ends with a year
        older, keys = keys[:cut], keys[cut:]
        before: Counter[str] = Counter()
        for key in older:
            before.update(columns[key])
        first_kept = keys[0][0]
        columns[(first_kept, -1)] = before
        periods.append(Period((first_kept, -1), older[0][0], first_kept - 1))
    for year, part in keys:
        last = year + 9 if (year, part) not in not_decade else year
        periods.append(Period((year, part), year, last, year in split, (year, part) not in not_decade))
    counts = {t: [columns[p.key][t] for p in periods] for t in k.topics if any(columns[p.key][t] for p in periods)}
    return TopicCounts(periods, [p.label(ui) for p in periods], counts, bool(split))


def _level(n: int, top: int) -> int:
    """A cell's shade, 0 (no event) to 4 (the most)."""
    if not n:
        return 0
    return min(4, 1 + (4 * (n - 1)) // max(top, 1))


def heatmap_svg(k: Knowledge, data: TopicCounts, lang: str, ui: UI) -> str:
    """Events per topic and period as an accessible heat map: the number in every cell, shade as a second cue."""
    if not data.counts:
        return ""
    period = ui("trends_period_quarter" if data.by_quarter else "trends_period_year")
    top = max(max(row) for row in data.counts.values())
    names = {t: _two_lines(k.topics[t].name[lang]) for t in data.counts}
    longest = max(len(line) for lines in names.values() for line in lines)
    label_w, cell, head, gap = 14 + 6 * longest, 38, 40, 2  # about 6 px a character at 11 px
    width = label_w + len(data.periods) * cell
    height = head + len(data.counts) * cell
    title_id, desc_id = f"trends-title-{lang}", f"trends-desc-{lang}"
    parts = [
        f'<svg class="kb-heatmap" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{html.escape(ui("trends_chart_title", period=period))}</title>',
        f'<desc id="{desc_id}">{html.escape(ui("trends_chart_desc", period=period))}</desc>',
    ]
    for i, label in enumerate(data.labels):
        x = label_w + i * cell + cell / 2
        lines = label.rsplit(" ", 1) if " " in label else [label]  # a long label on two lines
        spans = "".join(
            f'<tspan x="{x:g}" dy="{0 if n == 0 else 12}">{html.escape(line)}</tspan>' for n, line in enumerate(lines)
        )
        parts.append(f'<text x="{x:g}" y="{head - 8 - 12 * (len(lines) - 1)}" class="kb-heatmap-col">{spans}</text>')
    for r, (topic, row) in enumerate(data.counts.items()):
        y = head + r * cell
        lines = names[topic]
        spans = "".join(
            f'<tspan x="{label_w - 8}" dy="{0 if n == 0 else 12}">{html.escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        top_y = y + cell / 2 + 4 - 6 * (len(lines) - 1)
        parts.append(f'<text x="{label_w - 8}" y="{top_y:g}" class="kb-heatmap-row">{spans}</text>')
        for i, n in enumerate(row):
            x = label_w + i * cell
            tip = html.escape(f"{k.topics[topic].name[lang]}, {data.labels[i]}: {ui('timeline_count', count=n)}")
            parts.append(
                f'<g class="kb-heat-{_level(n, top)}" data-topic="{topic}" data-period="{i}" data-count="{n}">'
                f'<title>{tip}</title><rect x="{x + gap}" y="{y + gap}" width="{cell - 2 * gap}" '
                f'height="{cell - 2 * gap}" rx="3"/>'
                + (f'<text x="{x + cell / 2:g}" y="{y + cell / 2 + 4:g}">{n}</text>' if n else "")
                + "</g>"
            )
    parts.append("</svg>")
    return f'<figure class="kb-heatmap-figure">\n<div class="kb-heatmap-scroll" tabindex="0" role="group" aria-labelledby="{title_id}">{"".join(parts)}</div>\n</figure>\n'


def _two_lines(name: str) -> list[str]:
    """A long name split at the space nearest its middle."""
    if len(name) <= WRAP or " " not in name:
        return [name]
    spaces = [i for i, c in enumerate(name) if c == " "]
    cut = min(spaces, key=lambda i: (abs(len(name) / 2 - i), i))
    return [name[:cut], name[cut + 1 :]]


def _filtered(prefix: str, topic: str | None, period: Period | None) -> str:
    years = (period.first, period.last) if period else None
    return f"{prefix}timeline.md{timeline_filter.timeline_query(topic=topic, years=years)}"


def data_table(k: Knowledge, data: TopicCounts, lang: str, ui: UI, prefix: str) -> str:
    """The chart's numbers as a table (in a collapsed block): each topic and each count links to its events."""
    head = [ui("trends_topic"), *data.labels, ui("trends_total")]
    rows = ["| " + " | ".join(head) + " |", "|---|" + "---|" * (len(head) - 1)]
    for topic, row in data.counts.items():
        cells = [f"[{k.topics[topic].name[lang]}]({_filtered(prefix, topic, None)})"]
        cells += [f"[{n}]({_filtered(prefix, topic, p)})" if n else "0" for n, p in zip(row, data.periods, strict=True)]
        cells.append(str(len(k.events_of_topic(topic))))
        rows.append("| " + " | ".join(cells) + " |")
    table = "\n".join("    " + line for line in rows)
    return f'??? info "{ui("trends_table")}"\n\n{table}\n'


def current_year(k: Knowledge, project: Project) -> int | None:
    """The latest year with an event or an article: the home page's "this year", taken from the data."""
    years = [e.date.year for e in k.events] + [a.meta.published.value.year for a in project.articles]
    return max(years) if years else None


def latest_events(k: Knowledge, lang: str, ui: UI, prefix: str, count: int = LATEST_EVENTS) -> str:
    """The newest events (timeline order, newest first), dated at their precision, linking to the timeline."""
    newest = k.events[-count:][::-1]
    return "\n".join(
        f"- {event_date(e.date, ui)}: [{e.title[lang]}]({prefix}{event_location(k, e.id)}#{e.id})" for e in newest
    )


def most_mentioned(
    k: Knowledge, project: Project, mentions: dict[str, list[str]], year: int, count: int = TOP_ENTITIES
) -> list[tuple[str, int, int]]:
    """(entity id, events of the year it is involved in, articles of the year that mention it), most first."""
    events: Counter[str] = Counter()
    for event in k.events:
        if event.date.year == year:
            events.update(dict.fromkeys(event.entities, 1))
    articles: Counter[str] = Counter()
    for article in project.articles:
        if article.meta.published.value.year == year:
            articles.update(dict.fromkeys(mentions.get(article.slug, []), 1))
    found = [e for e in (events.keys() | articles.keys()) if e in k.entities]
    found.sort(key=lambda e: (-(events[e] + articles[e]), -events[e], k.entity_order[e]))
    return [(e, events[e], articles[e]) for e in found[:count]]


def trends_section(k: Knowledge, project: Project, mentions: dict[str, list[str]], lang: str, ui: UI) -> str:
    """The home page's trends: the chart and its table, the latest events, the most mentioned entities."""
    if not k.events:
        return ""
    prefix = ""  # the home page is the docs root's index.md
    data = topic_counts(k, ui)
    out = [
        f"### {ui('trends_chart_title', period=ui('trends_period_quarter' if data.by_quarter else 'trends_period_year'))}\n",
        heatmap_svg(k, data, lang, ui),
        data_table(k, data, lang, ui, prefix),
        f"### {ui('trends_latest_events')}\n",
        latest_events(k, lang, ui, prefix),
        "",
        f"[{ui('trends_see_timeline')}]({prefix}timeline.md)\n",
    ]
    year = current_year(k, project)
    top = most_mentioned(k, project, mentions, year) if year else []
    if top:
        out += [
            f"### {ui('trends_top_entities', year=year)}\n",
            f"<span class='kb-small'>{ui('trends_top_note', year=year)}</span>\n",
        ]
        out += [
            f"1. [{k.entities[e].name[lang]}]({prefix}entities/{e}.md) <span class='kb-small'>· "
            f"{ui('trends_entity_counts', events=n_events, articles=n_articles)}</span>"
            for e, n_events, n_articles in top
        ]
        out.append("")
    return "\n".join(out)
