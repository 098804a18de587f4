"""Pure rendering of the knowledge pages: timeline, topics, entities, glossary."""

from __future__ import annotations

import heapq
import html
import re
from collections import Counter
from collections.abc import Sequence

from kb.content.project import Article, Project
from kb.knowledge.facts import ENTITY_TYPES, Entity, Event, EventDate, Knowledge, counts_by_year_topic
from kb.search.pagefind import NOINDEX
from kb.site import asof, paging, timeline_filter
from kb.site.ui import UI
from kb.textutil import fold, math_spans

# Colour-blind-safe palette (Okabe-Ito, then Tol's muted), one colour per topic in data order.
PALETTE = [
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#332288",
    "#117733",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
    "#6699CC",
    "#888888",
    "#DDCC77",
]


def event_date(date: EventDate, ui: UI) -> str:
    months = ui.strings.get("month_names") or []
    month_name = months[date.month - 1] if months and date.month else date.month
    fields = {
        "day": date.day,
        "month": date.month,
        "year": date.year,
        "quarter": date.quarter,
        "month_name": month_name,
    }
    return ui(f"event_{date.precision}", **fields)


def _source_link(event: Event, project: Project, lang: str, prefix: str) -> str:
    article = project.article(event.source.article)
    title = article.title(lang) if article else event.source.article
    anchor = f"#{event.source.section}" if event.source.section else ""
    return f"[{title}]({prefix}articles/{event.source.article}.md{anchor})"


def event_block(event: Event, k: Knowledge, project: Project, lang: str, ui: UI, prefix: str, level: int = 3) -> str:
    """One event: date and title as a heading with a stable anchor, then its facts."""
    entities = ", ".join(f"[{k.entities[e].name[lang]}]({prefix}entities/{e}.md)" for e in event.entities)
    topics = " ".join(f"[{k.topics[t].name[lang]}]({prefix}topics/{t}.md){{ .kb-tag }}" for t in event.topics)
    lines = [
        f"{'#' * level} {event_date(event.date, ui)} · {event.title[lang]} {{#{event.id}}}",
        "",
        asof.describe(event, project, lang, ui),
        "",
        f"<span class='kb-small {NOINDEX}'>**{ui('source')}:** {_source_link(event, project, lang, prefix)} · **{ui('involved')}:** {entities}</span>",
        "",
        f"<span class='{NOINDEX}'>{topics}</span>" if topics else "",
    ]
    if event.note:
        lines += ["", f"<span class='kb-small'>**{ui('note')}:** {event.note[lang]}</span>"]
    return "\n".join(lines) + "\n"


def chart_svg(k: Knowledge, lang: str, ui: UI) -> str:
    """Events per year by topic as an accessible stacked bar chart (inline SVG)."""
    counts = counts_by_year_topic(k.events)
    years = sorted(counts)
    if not years:
        return ""
    colors = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(k.topics)}
    top = max(sum(c.values()) for c in counts.values())
    bar, gap, height, left, bottom = 34, 12, 240, 8, 24
    width = left + len(years) * (bar + gap) + gap
    scale = (height - 10) / top
    title_id, desc_id = f"chart-title-{lang}", f"chart-desc-{lang}"
    summary = "; ".join(
        f"{year}: " + ", ".join(f"{k.topics[t].name[lang]} {n}" for t, n in counts[year].most_common())
        for year in years
    )
    parts = [
        f'<svg class="kb-chart" viewBox="0 0 {width} {height + bottom}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{html.escape(ui("chart_title"))}</title>',
        f'<desc id="{desc_id}">{html.escape(ui("chart_desc"))} {html.escape(summary)}</desc>',
        f'<line x1="{left - 4}" y1="{height}" x2="{width}" y2="{height}" class="kb-axis"/>',
    ]
    for i, year in enumerate(years):
        x = left + gap + i * (bar + gap)
        y = height
        for topic in k.topics:
            n = counts[year][topic]
            if not n:
                continue
            h = n * scale
            y -= h
            label = html.escape(f"{year} · {k.topics[topic].name[lang]}: {n}")
            parts.append(
                f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{colors[topic]}"><title>{label}</title></rect>'
            )
        total = sum(counts[year].values())
        parts.append(f'<text x="{x + bar / 2}" y="{y - 3:.1f}" class="kb-chart-total">{total}</text>')
        parts.append(f'<text x="{x + bar / 2}" y="{height + 16}" class="kb-chart-year">{year}</text>')
    parts.append("</svg>")
    used = [t for t in k.topics if any(counts[y][t] for y in years)]
    legend = "".join(
        f'<li><span class="kb-swatch" style="background:{colors[t]}"></span>{html.escape(k.topics[t].name[lang])}</li>'
        for t in used
    )
    return f'<figure class="kb-chart-figure">\n{"".join(parts)}\n</figure>\n<ul class="kb-legend">{legend}</ul>\n'


def _events_by_year(k: Knowledge) -> dict[int, list[Event]]:
    by_year: dict[int, list[Event]] = {}
    for event in k.events:
        by_year.setdefault(event.date.year, []).append(event)
    return by_year


def timeline(k: Knowledge, project: Project, lang: str, ui: UI) -> str:
    by_year = _events_by_year(k)
    jumps = " ".join(f"<span>[{year}](#y{year})</span>" for year in by_year)  # the dots between: kb.css
    out = [
        paging.front(ui("timeline_title"), ["toc"]),
        f"# {ui('timeline_title')}\n",
        f"{ui('timeline_intro')} {ui('timeline_count', count=len(k.events))}.\n",
        chart_svg(k, lang, ui),
        timeline_filter.filter_box(k.events, k, lang, ui),
        f'<nav class="kb-jump" markdown>{ui("timeline_jump")} {jumps}</nav>\n',
    ]
    for year, events in by_year.items():
        out.append(f"## {year} {{#y{year}}}\n")
        out.extend(timeline_filter.filterable(e, event_block(e, k, project, lang, ui, ""), k) for e in events)
    return "\n".join(out)


def event_location(k: Knowledge, event_id: str) -> str:
    """The timeline page (source path) that holds an event."""
    cache = k.__dict__.setdefault("_event_pages", {})
    if not cache:
        if len(k.events) <= paging.LIMITS.timeline:
            cache.update({e.id: "timeline.md" for e in k.events})
        else:
            per_page = paging.LIMITS.events_per_page
            for year, events in _events_by_year(k).items():
                sources = paging.page_sources(f"timeline/{year}.md", -(-len(events) // per_page))
                cache.update({e.id: sources[i // per_page] for i, e in enumerate(events)})
    return cache[event_id]


def timeline_pages(k: Knowledge, project: Project, lang: str, ui: UI) -> dict[str, str]:
    """/timeline/ on one page, or, past the limit, the chart and a page (or pages) per year."""
    if len(k.events) <= paging.LIMITS.timeline:
        return {"timeline.md": timeline(k, project, lang, ui)}
    by_year = _events_by_year(k)
    years = "\n".join(
        f"- [{year}](timeline/{year}.md) · {ui('timeline_count', count=len(events))}"
        for year, events in by_year.items()
    )
    pages = {
        "timeline.md": "\n".join(
            [
                paging.front(ui("timeline_title"), ["toc"], searchable=False),
                f"# {ui('timeline_title')}\n",
                f"{ui('timeline_intro')} {ui('timeline_count', count=len(k.events))}.\n",
                chart_svg(k, lang, ui),
                timeline_filter.filter_box(k.events, k, lang, ui, entities=False),
                f"## {ui('timeline_years')}\n",
                f'<div class="kb-years" markdown>\n\n{years}\n\n</div>\n',
                "",
            ]
        )
    }
    per_page = paging.LIMITS.events_per_page
    for year, events in by_year.items():
        pages |= paging.paginate(
            f"timeline/{year}.md",
            f"{ui('timeline_title')} {year}",
            lambda prefix: "",
            [
                lambda prefix, e=e: timeline_filter.filterable(e, event_block(e, k, project, lang, ui, prefix), k)
                for e in events
            ],
            ui,
            per_page,
            head=lambda n, events=events: timeline_filter.filter_box(
                events[n * per_page : (n + 1) * per_page], k, lang, ui
            ),
        )
    return pages


def not_indexed(markdown: str) -> str:
    """A section search leaves out: what a page lists (events, articles) is found on its own page."""
    return f'<div class="{NOINDEX}" markdown>\n\n{markdown}\n\n</div>\n'


_NOT_INDEXED = re.compile(rf'<div class="{NOINDEX}" markdown>\n\n.*?\n\n</div>\n', re.S)


def indexed_part(markdown: str) -> str:
    """A generated page's Markdown without the sections :func:`not_indexed` marked."""
    return _NOT_INDEXED.sub("\n", markdown) if NOINDEX in markdown else markdown


def _listed(items: list, render, more_link: str, more_label: str, ui: UI, newest_last: bool = False) -> list[str]:
    """At most LIMITS.listed items (the newest), then a link to the full list when there are more."""
    limit = paging.LIMITS.listed
    shown = items[-limit:] if newest_last else items[:limit]
    out = [render(item) for item in shown]
    if len(items) > limit:
        out.append(f"\n{more_label} [{ui('see_all', count=len(items))}]({more_link})\n")
    return out


def _events_section(events: list[Event], k: Knowledge, project: Project, lang: str, ui: UI) -> list[str]:
    """The newest events of a topic or an entity page, with a link to the timeline when there are more."""
    if not events:
        return [f"*{ui('none')}*\n"]
    render = lambda e: event_block(e, k, project, lang, ui, "../", level=3)  # noqa: E731
    return _listed(events, render, "../timeline.md", ui("events_newest"), ui, newest_last=True)


def _articles_section(articles: list[Article], more_link: str, lang: str, ui: UI) -> str:
    """The newest articles of a topic or an entity page, with a link to all of them when there are more."""
    listed = _listed(articles, lambda a: _article_line(a, lang, ui, "../"), more_link, "", ui)
    return "\n".join(listed) or f"*{ui('none')}*"


# kb serve's (None in a build): each list of articles' pages as last made, with what it was made from,
# so an update that keeps the articles does not make them again (kb.site.preview).
LISTS: dict[tuple[str, str], tuple[tuple, list[Article], dict, dict[str, str]]] | None = None


def _same_inputs(before: Sequence, now: Sequence) -> bool:
    """Whether a part kept by kb serve was made from what it would be made from now: item by item, the
    same object (an unchanged data item or article is), or an equal one."""
    return len(before) == len(now) and all(a is b or a == b for a, b in zip(before, now, strict=True))


def article_list_pages(base: str, title: str, articles: list[Article], lang: str, ui: UI) -> dict[str, str]:
    """Every article of a topic or an entity, on pages of its own, when the page itself shows only the newest."""
    if len(articles) <= paging.LIMITS.listed:
        return {}
    made_from = (title, paging.LIMITS)
    # an article's line is made from its metadata alone, which is the same while the article is
    kept = LISTS.get((lang, base)) if LISTS is not None else None
    if kept is not None and _same_inputs(kept[1], articles) and kept[0] == made_from and kept[2] == ui.strings:
        return kept[3]
    pages = paging.paginate(
        base,
        title,
        lambda prefix: "",
        [lambda prefix, a=a: _article_line(a, lang, ui, prefix) for a in articles],
        ui,
        paging.LIMITS.articles,
        searchable=False,
    )
    if LISTS is not None:
        LISTS[lang, base] = (made_from, list(articles), ui.strings, pages)
    return pages


def topics_index(k: Knowledge, project: Project, lang: str, ui: UI) -> str:
    out = [paging.front(ui("topics_title"), searchable=False), f"# {ui('topics_title')}\n", f"{ui('topics_intro')}\n"]
    for topic in k.topics.values():
        n_articles = sum(topic.id in a.meta.tags for a in project.articles)
        n_events = len(k.events_of_topic(topic.id))
        out.append(f"## [{topic.name[lang]}]({topic.id}.md)\n")
        out.append(
            f"{_first_sentence(topic.intro[lang])}  \n<span class='kb-small'>{ui('topic_counts', articles=n_articles, events=n_events)}</span>\n"
        )
    return "\n".join(out)


def _first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", text)
    return match[1] if match else text


def _article_line(article: Article, lang: str, ui: UI, prefix: str) -> str:
    return f"- [{article.title(lang)}]({prefix}articles/{article.slug}.md) <span class='kb-small'>· {ui.date(article.meta.published)}</span>"


def topic_pages(topic_id: str, k: Knowledge, project: Project, lang: str, ui: UI) -> dict[str, str]:
    """A topic's page, and the pages of all its articles when it has more than the page shows."""
    topic = k.topics[topic_id]
    articles = [a for a in project.articles if topic_id in a.meta.tags]
    events = k.events_of_topic(topic_id)
    out = [
        paging.front(topic.name[lang]),
        f"# {topic.name[lang]}\n",
        f"{topic.intro[lang]}\n",
        f"## {ui('topic_articles')}\n",
    ]
    out.append(not_indexed(_articles_section(articles, f"{topic_id}/articles.md", lang, ui)))
    out.append(f"\n## {ui('topic_events')}\n")
    if events:
        out.append(timeline_filter.see_on_timeline("../", ui, topic=topic_id) + "\n")
    out.append(not_indexed("\n".join(_events_section(events, k, project, lang, ui))))
    pages = {f"topics/{topic_id}.md": "\n".join(out)}
    title = f"{topic.name[lang]}: {ui('topic_articles')}"
    return pages | article_list_pages(f"topics/{topic_id}/articles.md", title, articles, lang, ui)


def entities_pages(k: Knowledge, lang: str, ui: UI) -> dict[str, str]:
    """/entities/ on one page, or, past the limit, counts per type and a page (or pages) per type."""
    if len(k.entities) <= paging.LIMITS.entities:
        return {"entities/index.md": entities_index(k, lang, ui)}
    out = [
        paging.front(ui("entities_title"), searchable=False),
        f"# {ui('entities_title')}\n",
        f"{ui('entities_intro')}\n",
    ]
    pages: dict[str, str] = {}
    for kind in ENTITY_TYPES:
        members = sorted((e for e in k.entities.values() if e.type == kind), key=lambda e: e.name[lang].casefold())
        if not members:
            continue
        out.append(f"- [{ui('types_' + kind)}](kind-{kind}.md) · {len(members)}")
        pages |= paging.paginate(
            f"entities/kind-{kind}.md",
            f"{ui('entities_title')}: {ui('types_' + kind)}",
            lambda prefix: "",
            [
                lambda prefix, e=e: f"- [{e.name[lang]}]({prefix}entities/{e.id}.md) — {e.description[lang]}"
                for e in members
            ],
            ui,
            paging.LIMITS.entities,
            searchable=False,
        )
    return {"entities/index.md": "\n".join(out) + "\n", **pages}


def entities_index(k: Knowledge, lang: str, ui: UI) -> str:
    out = [
        paging.front(ui("entities_title"), searchable=False),
        f"# {ui('entities_title')}\n",
        f"{ui('entities_intro')}\n",
    ]
    for kind in ENTITY_TYPES:
        members = sorted((e for e in k.entities.values() if e.type == kind), key=lambda e: e.name[lang].casefold())
        if not members:
            continue
        out.append(f"## {ui('types_' + kind)}\n")
        out.extend(f"- [{e.name[lang]}]({e.id}.md) — {e.description[lang]}" for e in members)
        out.append("")
    return "\n".join(out)


def entity_pages(
    entity: Entity, k: Knowledge, project: Project, mentions: dict[str, list[str]], lang: str, ui: UI
) -> str:
    from kb.site import entity_box  # it renders events with this module's helpers

    other = {"vi": "en", "en": "vi"}[lang]
    names = entity.name[lang] + (f" ({entity.name[other]})" if entity.name[other] != entity.name[lang] else "")
    out = [
        paging.front(entity.name[lang]),
        f"# {names}\n",
        f"{asof.describe(entity, project, lang, ui)}\n",
        entity_box.summary_box(entity, k, project, mentions, lang, ui),
    ]
    if entity.term:
        term = k.terms[entity.term]
        out.append(
            f"<span class='kb-small'>{ui('entity_term')}: [{term.term[lang]}](../glossary.md#{term.id})</span>\n"
        )
    out.append(f"## {ui('entity_events')}\n")
    if k.events_of_entity(entity.id):
        out.append(timeline_filter.see_on_timeline("../", ui, entity=entity.id) + "\n")
    out.append(not_indexed("\n".join(_events_section(k.events_of_entity(entity.id), k, project, lang, ui))))
    out.append(f"## {ui('entity_articles')}\n")
    articles = mentioning(project, mentions).get(entity.id, [])
    out.append(not_indexed(_articles_section(articles, f"{entity.id}/articles.md", lang, ui)))
    pages = {f"entities/{entity.id}.md": "\n".join(out) + "\n"}
    title = f"{entity.name[lang]}: {ui('entity_articles')}"
    return pages | article_list_pages(f"entities/{entity.id}/articles.md", title, articles, lang, ui)


def _initial(text: str) -> str:
    first = fold(text)[:1].upper()
    return first if first.isalpha() else "#"


def glossary(k: Knowledge, project: Project, lang: str, ui: UI) -> str:
    other = {"vi": "en", "en": "vi"}[lang]
    terms = sorted(k.terms.values(), key=lambda t: fold(t.term[lang]))
    out = [paging.front(ui("glossary_title")), f"# {ui('glossary_title')}\n", f"{ui('glossary_intro')}\n"]
    letter = None
    for term in terms:
        initial = _initial(term.term[lang])
        if initial != letter:
            letter = initial
            out.append(f"## {letter} {{#letter-{letter.lower() if letter != '#' else 'other'}}}\n")
        out.append(f"### {term.term[lang]} {{#{term.id}}}\n")
        out.append(
            f'<span class="kb-small">{ui("glossary_other")}: <span lang="{other}">**{term.term[other]}**</span></span>\n'
        )
        out.append(f"{term.definition[lang]}\n")
        if term.source:
            article = project.article(term.source.article)
            if article:
                anchor = f"#{term.source.section}" if term.source.section else ""
                out.append(
                    f"<span class='kb-small'>{ui('glossary_used_in')}: [{article.title(lang)}](articles/{article.slug}.md{anchor})</span>\n"
                )
        if entity := k.term_entities.get(term.id):
            events = len(k.events_of_entity(entity.id))
            count = f" · {ui('timeline_count', count=events)}" if events else ""
            out.append(
                f"<span class='kb-small'>{ui('glossary_entity')}: [{entity.name[lang]}](entities/{entity.id}.md){count}</span>\n"
            )
    return "\n".join(out)


# kb serve's (None in a build): what follows each article, as last made, with what it was made from.
AFTER_ARTICLES: dict[tuple[str, str], tuple[tuple, dict, str]] | None = None


def article_knowledge(
    article: Article, k: Knowledge, project: Project, mentions: dict[str, list[str]], lang: str, ui: UI
) -> str:
    """Topics, mentioned entities, events and related articles, shown after an article."""
    if AFTER_ARTICLES is None:
        return _article_knowledge(article, k, project, mentions, lang, ui)
    events = k.events_of_article(article.slug)
    related = related_articles(article, project, mentions)
    made_from = (
        article,
        *(k.topics.get(t) for t in article.meta.tags),
        "entities",
        *(k.entities[e] for e in mentions.get(article.slug, [])),
        "events",
        *events,
        *(event_location(k, e.id) for e in events),
        "related",
        *related,
    )
    kept = AFTER_ARTICLES.get((lang, article.slug))
    if kept is not None and kept[1] == ui.strings and _same_inputs(kept[0], made_from):
        return kept[2]
    text = _article_knowledge(article, k, project, mentions, lang, ui)
    AFTER_ARTICLES[lang, article.slug] = (made_from, ui.strings, text)
    return text


def _article_knowledge(
    article: Article, k: Knowledge, project: Project, mentions: dict[str, list[str]], lang: str, ui: UI
) -> str:
    out = ["", "---", ""]
    topics = " ".join(
        f"[{k.topics[t].name[lang]}](../topics/{t}.md){{ .kb-tag }}" for t in article.meta.tags if t in k.topics
    )
    out.append(f"**{ui('article_topics')}:** {topics or ui('none')}\n")
    entities = [k.entities[e] for e in mentions.get(article.slug, [])]
    links = ", ".join(
        f"[{e.name[lang]}](../entities/{e.id}.md)" for e in sorted(entities, key=lambda e: e.name[lang].casefold())
    )
    out.append(f"**{ui('article_entities')}:** {links or ui('none')}\n")
    # The events and the related articles are found on their own pages: this article is no result for
    # words it only lists (and the index's chunks of common words stay smaller).
    events = k.events_of_article(article.slug)
    if events:
        lines = [f"**{ui('article_events')}:**\n"]
        lines += [f"- {event_date(e.date, ui)}: [{e.title[lang]}](../{event_location(k, e.id)}#{e.id})" for e in events]
        out.append(not_indexed("\n".join(lines)))
    related = related_articles(article, project, mentions)
    if related:
        lines = [f"**{ui('article_related')}:**\n", *(_article_line(a, lang, ui, "../") for a in related)]
        out.append(not_indexed("\n".join(lines)))
    return "\n".join(out)


def mentioning(project: Project, mentions: dict[str, list[str]]) -> dict[str, list[Article]]:
    """Entity id -> the articles that mention it, newest first (built once per project and mentions)."""
    key = ("mentioning", id(mentions))
    if key not in project.cache:
        index: dict[str, list[Article]] = {}
        for article in project.articles:
            for entity_id in mentions.get(article.slug, []):
                index.setdefault(entity_id, []).append(article)
        project.cache[key] = index
    return project.cache[key]


def carry_over(old: Project, new: Project, mentions: dict[str, list[str]]) -> None:
    """What ``old``'s cache holds made from its articles and ``mentions`` alone (the articles mentioning
    each entity, each article's related articles, the entities mentioned together), put into ``new``'s: kb serve's, after a data edit
    that kept the articles and found the same mentions (given as the very dict both projects use)."""
    for key, value in old.cache.items():
        made_from_mentions = ("mentioning", "related", "related-index", "mentioned-together")
        if isinstance(key, tuple) and key[0] in made_from_mentions and key[1] == id(mentions):
            new.cache[key] = value


RELATED_POOL = 40  # candidates per shared topic or entity: the articles nearest in time


def related_articles(
    article: Article, project: Project, mentions: dict[str, list[str]], limit: int = 3
) -> list[Article]:
    """Articles sharing the most topics and entities with this one.

    Each shared topic or entity counts (a topic three times as much), among
    the articles nearest in time that share it, so the cost per article does
    not grow with the size of the knowledge base.
    """
    mine = ("related", id(mentions), article.slug, limit)  # the same in every language: found once
    if mine in project.cache:
        return project.cache[mine]
    key = ("related-index", id(mentions))
    if key not in project.cache:
        groups: dict[str, list[str]] = {}
        for a in project.articles:  # newest first
            for tag in dict.fromkeys(a.meta.tags):
                groups.setdefault(f"t:{tag}", []).append(a.slug)
            for entity_id in dict.fromkeys(mentions.get(a.slug, [])):
                groups.setdefault(f"e:{entity_id}", []).append(a.slug)
        positions = {g: {slug: i for i, slug in enumerate(members)} for g, members in groups.items()}
        project.cache[key] = (groups, positions)
    groups, positions = project.cache[key]
    me = article.slug
    scores: Counter[str] = Counter()
    keys = [(f"t:{t}", 3) for t in dict.fromkeys(article.meta.tags)]
    keys += [(f"e:{e}", 1) for e in dict.fromkeys(mentions.get(me, []))]
    for group, weight in keys:
        members = groups.get(group, [])
        here = positions[group].get(me, 0) if group in positions else 0
        nearest = members[max(0, here - RELATED_POOL) : here + RELATED_POOL + 1]
        for _ in range(weight):
            scores.update(nearest)  # counted in C
    scores.pop(me, None)
    ranked = heapq.nsmallest(limit, scores, key=lambda slug: (-scores[slug], slug))  # sorted(...)[:limit]
    project.cache[mine] = [a for slug in ranked if (a := project.article(slug)) is not None]
    return project.cache[mine]


# As knowledge._LINK_OR_CODE, with bold labels: every branch starts with a literal (fast to scan for).
_PROTECTED = re.compile(
    r"!\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\([^)]*\)|<[^>]+>|`[^`]*`|\{[:#][^}]*\}|https?://\S+|\*\*[^*]+\*\*"
)


def link_terms(markdown: str, k: Knowledge, lang: str, prefix: str, used: set[str] | None = None) -> str:
    """Link the first use of each glossary term to its entry, with its definition as tooltip.

    Headings, links, images, code, HTML, bold labels and TeX math are left alone.
    Terms are found as every name is (:mod:`kb.knowledge.mentions`): whole words,
    with their case and context rules, and not inside a longer name of an entity
    or a term. The link's title shows on hover and on keyboard focus (Material's
    tooltips).
    """
    done: set[str] = used if used is not None else set()
    out, last = [], 0
    for span in k.names(lang).find(_linkable(markdown), context=markdown, first=True):
        name = span.name
        if name.kind != "term" or name.id in done or span.start < last:
            continue
        title = k.terms[name.id].definition[lang].replace('"', "&quot;")
        out += [
            markdown[last : span.start],
            f'[{markdown[span.start : span.end]}]({prefix}glossary.md#{name.id} "{title}"){{ .kb-term }}',
        ]
        last = span.end
        done.add(name.id)
    out.append(markdown[last:])
    return "".join(out)


_UNLINKED_LINES = ("#", "!", "{:", "<", "|", "---")


def _linkable(markdown: str) -> str:
    """The page with what is never linked blanked out (same length, same lines): protected parts,
    TeX math, and lines that are headings, images, attribute lists, HTML, tables or rules."""
    spans = [m.span() for m in _PROTECTED.finditer(markdown)] + math_spans(markdown)
    at = 0
    for line in markdown.split("\n"):
        if line.lstrip().startswith(_UNLINKED_LINES):
            spans.append((at, at + len(line)))
        at += len(line) + 1
    if not spans:
        return markdown
    out, last = [], 0
    for start, end in sorted(spans):
        if end <= last:
            continue
        start = max(start, last)
        out += [markdown[last:start], re.sub(r"[^\n]", " ", markdown[start:end])]
        last = end
    out.append(markdown[last:])
    return "".join(out)
