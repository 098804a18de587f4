"""The knowledge base as files to download: CSV and JSON of every table, in each language.

Five tables (events, entities, topics, glossary terms, articles), each a list
of :class:`Column` and a function that gives its rows. Every row has its id,
and every sourced item its source (article slug, section anchor and the
address of that section in the file's language). The field dictionary page
(:mod:`kb.site.dictionary`) describes the same columns; the iCalendar file and
the feeds are in :mod:`kb.site.feeds`. Everything here is pure: bytes from the
data, the same bytes for the same data.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from kb.content.project import ARTICLES, Article
from kb.knowledge.facts import ENTITY_TYPES, Event, EventDate, SourceRef
from kb.site import article_pages, knowledge_pages, paging

if TYPE_CHECKING:
    from kb.site.pages import Site

FOLDER = "downloads"  # the files, and the field dictionary at downloads/index.md
PAGE = f"{FOLDER}/index.md"
LIST_SEPARATOR = "|"  # between the items of a list in a CSV cell; "\|" is a "|" inside an item
FORMATS = ("csv", "json")

# The kinds of value a column holds (the field dictionary names each in both languages).
KINDS = ("id", "ids", "text", "texts", "enum", "date", "period_date", "datetime", "url", "integer")


@dataclass(frozen=True)
class Column:
    """One field of a table: its name, the kind of value, and the values it allows (for an enum)."""

    name: str
    kind: str
    values: tuple[str, ...] = ()
    optional: bool = False  # empty in CSV, null in JSON, where the data has no value


PRECISIONS = ("day", "month", "quarter", "year", "decade")
STATES = ("source", "current", "stale", "missing")

SOURCE_COLUMNS = (
    Column("source_article", "id"),
    Column("source_section", "id", optional=True),
    Column("source_url", "url"),
)

TABLES: dict[str, tuple[Column, ...]] = {
    "events": (
        Column("id", "id"),
        Column("date", "period_date"),
        Column("precision", "enum", PRECISIONS),
        Column("start", "date"),
        Column("end", "date"),
        Column("date_label", "text"),
        Column("title", "text"),
        Column("description", "text"),
        Column("note", "text", optional=True),
        Column("entities", "ids"),
        Column("topics", "ids"),
        *SOURCE_COLUMNS,
        Column("url", "url"),
    ),
    "entities": (
        Column("id", "id"),
        Column("type", "enum", ENTITY_TYPES),
        Column("name_vi", "text"),
        Column("name_en", "text"),
        Column("aliases", "texts"),
        Column("description", "text"),
        Column("topics", "ids"),
        Column("events", "ids"),
        Column("article_count", "integer"),
        Column("url", "url"),
    ),
    "topics": (
        Column("id", "id"),
        Column("name_vi", "text"),
        Column("name_en", "text"),
        Column("intro", "text"),
        Column("article_count", "integer"),
        Column("event_count", "integer"),
        Column("url", "url"),
    ),
    "glossary": (
        Column("id", "id"),
        Column("term_vi", "text"),
        Column("term_en", "text"),
        Column("aliases", "texts"),
        Column("definition", "text"),
        *(Column(c.name, c.kind, c.values, optional=True) for c in SOURCE_COLUMNS),
        Column("url", "url"),
    ),
    "articles": (
        Column("id", "id"),
        Column("title_vi", "text"),
        Column("title_en", "text"),
        Column("published", "datetime"),
        Column("updated", "datetime", optional=True),
        Column("author", "text", optional=True),
        Column("publisher", "text", optional=True),
        Column("original_url", "url", optional=True),
        Column("tags", "ids"),
        Column("entities", "ids"),
        Column("events", "ids"),
        Column("summary", "text"),
        Column("state", "enum", STATES),
        Column("translated", "datetime", optional=True),
        Column("seed_url", "url"),
        Column("url", "url"),
    ),
}

Row = dict[str, object]


# --------------------------------------------------------------------------
# Addresses and dates
# --------------------------------------------------------------------------


def base_url(site_url: str | None, lang: str) -> str:
    """The language's root address, absolute when the site's address is known (``site_url`` as the hook sets it)."""
    if site_url:
        return site_url.rstrip("/") + "/"
    return "/" + article_pages.lang_root(lang)


def page_url(base: str, src_uri: str) -> str:
    """The address of a page from its source path (directory URLs, as mkdocs.yml has them)."""
    path = src_uri.removesuffix(".md")
    path = "" if path == "index" else path.removesuffix("/index") + "/"
    return base + path


def source_url(base: str, source: SourceRef) -> str:
    anchor = f"#{source.section}" if source.section else ""
    return f"{base}{ARTICLES}/{source.article}/{anchor}"


def event_url(site: Site, base: str, event: Event) -> str:
    return page_url(base, knowledge_pages.event_location(site.knowledge, event.id)) + f"#{event.id}"


def period(date: EventDate) -> tuple[dt.date, dt.date]:
    """The first and the last day of the period a date names (a day is its own period)."""
    if date.precision == "day":
        day = dt.date(date.year, date.month, date.day)
        return day, day
    if date.precision == "month":
        return dt.date(date.year, date.month, 1), dt.date(
            date.year, date.month, calendar.monthrange(date.year, date.month)[1]
        )
    if date.precision == "quarter":
        first, last = date.quarter * 3 - 2, date.quarter * 3
        return dt.date(date.year, first, 1), dt.date(date.year, last, calendar.monthrange(date.year, last)[1])
    years = 10 if date.precision == "decade" else 1
    return dt.date(date.year, 1, 1), dt.date(date.year + years - 1, 12, 31)


# --------------------------------------------------------------------------
# Rows
# --------------------------------------------------------------------------


def _source(base: str, source: SourceRef | None) -> Row:
    if source is None:
        return {"source_article": None, "source_section": None, "source_url": None}
    return {
        "source_article": source.article,
        "source_section": source.section,
        "source_url": source_url(base, source),
    }


def event_rows(site: Site, base: str) -> list[Row]:
    """Every event, in timeline order (date, then id)."""
    lang, ui = site.lang, site.ui
    rows = []
    for e in site.knowledge.events:
        start, end = period(e.date)
        rows.append(
            {
                "id": e.id,
                "date": e.date.iso(),
                "precision": e.date.precision,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "date_label": knowledge_pages.event_date(e.date, ui),
                "title": e.title[lang],
                "description": e.description[lang],
                "note": e.note[lang] if e.note else None,
                "entities": list(e.entities),
                "topics": list(e.topics),
                **_source(base, e.source),
                "url": event_url(site, base, e),
            }
        )
    return rows


def _mentioning_counts(site: Site) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ids in site.mentions.values():
        for entity_id in ids:
            counts[entity_id] = counts.get(entity_id, 0) + 1
    return counts


def entity_rows(site: Site, base: str) -> list[Row]:
    """Every entity, by id."""
    k, lang = site.knowledge, site.lang
    counts = _mentioning_counts(site)
    return [
        {
            "id": e.id,
            "type": e.type,
            "name_vi": e.name.vi,
            "name_en": e.name.en,
            "aliases": [a.form for a in e.aliases],
            "description": e.description[lang],
            "topics": list(e.topics),
            "events": [event.id for event in k.events_of_entity(e.id)],
            "article_count": counts.get(e.id, 0),
            "url": page_url(base, f"entities/{e.id}.md"),
        }
        for e in sorted(k.entities.values(), key=lambda e: e.id)
    ]


def topic_rows(site: Site, base: str) -> list[Row]:
    """Every topic, by id."""
    k, lang = site.knowledge, site.lang
    tagged: dict[str, int] = {}
    for article in site.project.articles:
        for tag in dict.fromkeys(article.meta.tags):
            tagged[tag] = tagged.get(tag, 0) + 1
    return [
        {
            "id": t.id,
            "name_vi": t.name.vi,
            "name_en": t.name.en,
            "intro": t.intro[lang],
            "article_count": tagged.get(t.id, 0),
            "event_count": len(k.events_of_topic(t.id)),
            "url": page_url(base, f"topics/{t.id}.md"),
        }
        for t in sorted(k.topics.values(), key=lambda t: t.id)
    ]


def term_rows(site: Site, base: str) -> list[Row]:
    """Every glossary term, by id."""
    lang = site.lang
    return [
        {
            "id": t.id,
            "term_vi": t.term.vi,
            "term_en": t.term.en,
            "aliases": [a.form for a in t.aliases[lang]],
            "definition": t.definition[lang],
            **_source(base, t.source),
            "url": page_url(base, "glossary.md") + f"#{t.id}",
        }
        for t in sorted(site.knowledge.terms.values(), key=lambda t: t.id)
    ]


def _article_row(site: Site, base: str, article: Article) -> Row:
    m, lang = article.meta, site.lang
    translated = article.translated(lang) if article.state(lang) in {"current", "stale"} else None
    return {
        "id": article.slug,
        "title_vi": m.title.vi,
        "title_en": m.title.en,
        "published": m.published.iso(),
        "updated": m.updated.iso() if m.updated else None,
        "author": m.author,
        "publisher": m.publisher,
        "original_url": m.url,
        "tags": list(m.tags),
        "entities": list(site.mentions.get(article.slug, [])),
        "events": [e.id for e in site.knowledge.events_of_article(article.slug)],
        "summary": article.summary(lang),
        "state": article.state(lang),
        "translated": translated.iso() if translated else None,
        "seed_url": f"{base}seeds/{article.seed.name}",  # each language's build serves the seeds
        "url": page_url(base, article.src_uri),
    }


def article_rows(site: Site, base: str) -> list[Row]:
    """Every article, newest first (as the article list), then by id."""
    return [_article_row(site, base, a) for a in site.project.articles]


ROWS: dict[str, Callable[[Site, str], list[Row]]] = {
    "events": event_rows,
    "entities": entity_rows,
    "topics": topic_rows,
    "glossary": term_rows,
    "articles": article_rows,
}


# --------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item).replace(LIST_SEPARATOR, "\\" + LIST_SEPARATOR) for item in value)
    return str(value)


def to_csv(columns: tuple[Column, ...], rows: list[Row]) -> bytes:
    """RFC 4180: a header row, CRLF line ends, fields quoted where they need it; UTF-8 without a byte-order mark."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([c.name for c in columns])
    for row in rows:
        writer.writerow([_cell(row[c.name]) for c in columns])
    return out.getvalue().encode("utf-8")


def to_json(header: dict[str, object], columns: tuple[Column, ...], rows: list[Row]) -> bytes:
    """A small header (what, language, fields, notice), then the items, one to a line; UTF-8, LF, a final newline.

    One item a line keeps a big file readable and quick to write (the indenting encoder is pure Python).
    """
    head = {
        **header,
        "count": len(rows),
        "fields": [
            {"name": c.name, "type": c.kind, **({"values": list(c.values)} if c.values else {}), "optional": c.optional}
            for c in columns
        ],
    }
    names = [c.name for c in columns]
    encode = json.JSONEncoder(ensure_ascii=False).encode
    items = ",\n".join(encode({name: row[name] for name in names}) for row in rows)
    opening = json.dumps(head, ensure_ascii=False, indent=1).removesuffix("\n}")
    return f'{opening},\n "items": [\n{items}\n ]\n}}\n'.encode()


def file_path(table: str, fmt: str) -> str:
    return f"{FOLDER}/{table}.{fmt}"


def table_files(site: Site, site_url: str | None, site_name: str) -> dict[str, bytes]:
    """Every table as CSV and JSON: the path under the language's root -> the file's bytes."""
    lang, ui = site.lang, site.ui
    base = base_url(site_url, lang)
    files = {}
    for table, columns in TABLES.items():
        rows = ROWS[table](site, base)
        header = {
            "title": f"{site_name}: {ui('downloads_' + table)}",
            "language": lang,
            "site": base,
            "dictionary": page_url(base, PAGE) + f"#{table}",
            "notice": ui("downloads_notice"),
        }
        files[file_path(table, "csv")] = to_csv(columns, rows)
        files[file_path(table, "json")] = to_json(header, columns, rows)
    return files


# --------------------------------------------------------------------------
# Links from the pages the data belongs to
# --------------------------------------------------------------------------

# Which tables each generated page shows (by its source path, or the folder of its pages).
LINKED = {
    "timeline.md": ("events",),
    "timeline/": ("events",),  # a year's page, once the timeline is split by year
    "topics/index.md": ("topics", "events"),
    "topics/": ("topics", "events"),
    "entities/index.md": ("entities", "events"),
    "entities/": ("entities", "events"),
    "glossary.md": ("glossary",),
    f"{ARTICLES}/index.md": ("articles",),
}
CALENDAR = f"{FOLDER}/timeline.ics"


def tables_of(src_uri: str) -> tuple[str, ...]:
    """The tables a generated page shows: its own, or its folder's (a topic's or an entity's page)."""
    if src_uri in LINKED:
        return LINKED[src_uri]
    folder = src_uri.split("/", 1)[0] + "/"
    if folder in LINKED and src_uri.count("/") == 1:
        return LINKED[folder]
    return ()


def links_line(src_uri: str, site: Site) -> str:
    """ "Download this data: Events (CSV, JSON, iCalendar) · …" for a page, linking to the files and their fields."""
    ui = site.ui
    parts = []
    for table in tables_of(src_uri):
        formats = [f"[{fmt.upper()}]({paging.link(src_uri, file_path(table, fmt))})" for fmt in FORMATS]
        if table == "events":
            formats.append(f"[iCalendar]({paging.link(src_uri, CALENDAR)})")
        parts.append(f"{ui('downloads_' + table)} ({', '.join(formats)})")
    fields = f"[{ui('downloads_fields')}]({paging.link(src_uri, PAGE)})"
    return (
        f'<div class="kb-downloads kb-small" markdown>:octicons-download-16: '
        f"**{ui('downloads_this')}:** {' · '.join(parts)} · {fields}</div>\n"
    )


def add_links(site: Site) -> None:
    """Put the download line under the title of each page whose data the files hold."""
    for src_uri in [s for s in site.pages if tables_of(s)]:
        markdown = site.pages[src_uri]
        lines = markdown.split("\n")
        at = next((i for i, line in enumerate(lines) if line.startswith("# ")), None)
        if at is None:
            continue
        lines[at + 1 : at + 1] = ["", links_line(src_uri, site).rstrip("\n")]
        site.pages[src_uri] = "\n".join(lines)
