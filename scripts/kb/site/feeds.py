"""Feeds and the calendar: Atom and JSON Feed 1.1 of new articles and new events, and the timeline as iCalendar.

Per language, beside the pages: ``feeds/articles.xml`` and ``feeds/articles.json``
(the newest articles), ``feeds/events.xml`` and ``feeds/events.json`` (the
events of the newest sources, each with its source), and
``downloads/timeline.ics`` (every event, all-day, over the whole period its
source gives: a month event spans its month, never a made-up day). Every date
comes from the data, never the clock, so two builds give the same bytes.

Dates in the feeds: an article's entry is dated by its publication (and its
update, when the metadata gives one); a date without a time is 12:00 UTC of
its day, as the rest of the site sorts it. An event's entry is dated by the
publication of the article that reports it (the event's own date, often only a
month or a year, is in its title: Atom and JSON Feed need an exact time).
"""

from __future__ import annotations

import datetime as dt
import html
import json
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from kb.content.project import Article
from kb.content.schema import PubDate
from kb.knowledge.facts import Event
from kb.site import downloads, knowledge_pages
from kb.site.downloads import base_url, event_url, page_url, period, source_url

if TYPE_CHECKING:
    from kb.site.pages import Site
    from kb.site.ui import UI

FOLDER = "feeds"
FEED_ARTICLES = 50  # entries per feed: the newest; the downloads hold everything
FEED_EVENTS = 100
ATOM = "http://www.w3.org/2005/Atom"
ATOM_TYPE = "application/atom+xml"
JSON_TYPE = "application/feed+json"
JSON_FEED = "https://jsonfeed.org/version/1.1"
FEEDS = ("articles", "events")


def feed_path(name: str, fmt: str) -> str:
    return f"{FOLDER}/{name}.{'xml' if fmt == 'atom' else 'json'}"


def head_links(ui: UI) -> list[dict[str, str]]:
    """The feeds every page's <head> announces (overrides/partials/kb-feeds.html), for ``extra.kb_feeds``."""
    return [
        {"type": kind, "title": f"{ui('feed_' + name)} ({label})", "path": feed_path(name, fmt)}
        for name in FEEDS
        for fmt, kind, label in (("atom", ATOM_TYPE, "Atom"), ("json", JSON_TYPE, "JSON Feed"))
    ]


def rfc3339(when: PubDate) -> str:
    """A publication date as an RFC 3339 time: its own zone, or 12:00 UTC of a bare date."""
    text = when.value.isoformat(timespec="seconds")
    return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text


# --------------------------------------------------------------------------
# What the feeds hold
# --------------------------------------------------------------------------


def newest_articles(site: Site) -> list[Article]:
    """The newest articles (the project lists them newest first)."""
    return site.project.articles[:FEED_ARTICLES]


def newest_events(site: Site) -> list[tuple[Event, Article]]:
    """The events of the newest sources: by their article's publication, then their own date, newest first."""
    articles = _by_slug(site)
    pairs = [(e, articles[e.source.article]) for e in site.knowledge.events if e.source.article in articles]
    pairs.sort(key=lambda p: (p[1].meta.published.sort_key, p[0].date.key, p[0].id), reverse=True)
    return pairs[:FEED_EVENTS]


def _by_slug(site: Site) -> dict[str, Article]:
    return {a.slug: a for a in site.project.articles}


def _updated(article: Article) -> PubDate:
    return article.meta.updated or article.meta.published


def _event_title(event: Event, ui: UI, lang: str) -> str:
    return f"{knowledge_pages.event_date(event.date, ui)} · {event.title[lang]}"


def _event_html(site: Site, base: str, event: Event, article: Article) -> str:
    lang, ui = site.lang, site.ui
    parts = [f"<p>{html.escape(event.description[lang])}</p>"]
    link = f'<a href="{html.escape(source_url(base, event.source))}">{html.escape(article.title(lang))}</a>'
    parts.append(f"<p>{html.escape(ui('source'))}: {link}</p>")
    if event.note:
        parts.append(f"<p>{html.escape(ui('note'))}: {html.escape(event.note[lang])}</p>")
    return "".join(parts)


# --------------------------------------------------------------------------
# Atom (RFC 4287)
# --------------------------------------------------------------------------


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
    if text is not None:
        element.text = text
    return element


def _atom_feed(site: Site, base: str, site_name: str, name: str, home: str, updated: str) -> ET.Element:
    ui = site.ui
    root = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": site.lang})
    self_url = base + feed_path(name, "atom")
    _sub(root, "id", self_url)
    _sub(root, "title", f"{site_name}: {ui('feed_' + name)}")
    _sub(root, "subtitle", ui(f"feed_{name}_about"))
    _sub(root, "link", rel="self", type=ATOM_TYPE, href=self_url)
    _sub(root, "link", rel="alternate", type="text/html", href=home)
    _sub(root, "updated", updated)
    author = _sub(root, "author")
    _sub(author, "name", site_name)
    _sub(author, "uri", base)
    return root


def _serialise(root: ET.Element) -> bytes:
    ET.register_namespace("", ATOM)
    ET.indent(root)
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode("utf-8")


def atom_articles(site: Site, base: str, site_name: str) -> bytes:
    lang, k = site.lang, site.knowledge
    articles = newest_articles(site)
    updated = max((rfc3339(_updated(a)) for a in articles), default="1970-01-01T00:00:00Z")
    root = _atom_feed(site, base, site_name, "articles", page_url(base, "articles/index.md"), updated)
    for article in articles:
        url = page_url(base, article.src_uri)
        entry = _sub(root, "entry")
        _sub(entry, "id", url)
        _sub(entry, "title", article.title(lang))
        _sub(entry, "link", rel="alternate", type="text/html", href=url)
        if article.meta.url:
            _sub(entry, "link", rel="related", href=article.meta.url)
        _sub(entry, "published", rfc3339(article.meta.published))
        _sub(entry, "updated", rfc3339(_updated(article)))
        if article.meta.author:
            _sub(_sub(entry, "author"), "name", article.meta.author)
        for tag in article.meta.tags:
            if tag in k.topics:
                _sub(entry, "category", term=tag, label=k.topics[tag].name[lang])
        _sub(entry, "summary", article.summary(lang), type="text")
    return _serialise(root)


def atom_events(site: Site, base: str, site_name: str) -> bytes:
    lang, ui, k = site.lang, site.ui, site.knowledge
    pairs = newest_events(site)
    updated = max((rfc3339(a.meta.published) for _, a in pairs), default="1970-01-01T00:00:00Z")
    root = _atom_feed(site, base, site_name, "events", page_url(base, "timeline.md"), updated)
    for event, article in pairs:
        entry = _sub(root, "entry")
        _sub(entry, "id", page_url(base, "timeline.md") + f"#{event.id}")
        _sub(entry, "title", _event_title(event, ui, lang))
        _sub(entry, "link", rel="alternate", type="text/html", href=event_url(site, base, event))
        _sub(entry, "link", rel="via", type="text/html", href=source_url(base, event.source))
        _sub(entry, "published", rfc3339(article.meta.published))
        _sub(entry, "updated", rfc3339(article.meta.published))
        for topic in event.topics:
            _sub(entry, "category", term=topic, label=k.topics[topic].name[lang])
        _sub(entry, "content", _event_html(site, base, event, article), type="html")
    return _serialise(root)


# --------------------------------------------------------------------------
# JSON Feed 1.1
# --------------------------------------------------------------------------


def _json_feed(site: Site, base: str, site_name: str, name: str, home: str, items: list[dict]) -> bytes:
    ui = site.ui
    feed = {
        "version": JSON_FEED,
        "title": f"{site_name}: {ui('feed_' + name)}",
        "description": ui(f"feed_{name}_about"),
        "home_page_url": home,
        "feed_url": base + feed_path(name, "json"),
        "language": site.lang,
        "authors": [{"name": site_name, "url": base}],
        "items": items,
    }
    return (json.dumps(feed, ensure_ascii=False, indent=1) + "\n").encode("utf-8")


def json_articles(site: Site, base: str, site_name: str) -> bytes:
    lang, k = site.lang, site.knowledge
    items = []
    for article in newest_articles(site):
        url = page_url(base, article.src_uri)
        item: dict[str, object] = {"id": url, "url": url}
        if article.meta.url:
            item["external_url"] = article.meta.url
        item |= {
            "title": article.title(lang),
            "content_text": article.summary(lang),
            "date_published": rfc3339(article.meta.published),
            "date_modified": rfc3339(_updated(article)),
            "tags": [k.topics[t].name[lang] for t in article.meta.tags if t in k.topics],
        }
        if article.meta.author:
            item["authors"] = [{"name": article.meta.author}]
        items.append(item)
    return _json_feed(site, base, site_name, "articles", page_url(base, "articles/index.md"), items)


def json_events(site: Site, base: str, site_name: str) -> bytes:
    lang, ui, k = site.lang, site.ui, site.knowledge
    items = []
    for event, article in newest_events(site):
        items.append(
            {
                "id": page_url(base, "timeline.md") + f"#{event.id}",
                "url": event_url(site, base, event),
                "external_url": source_url(base, event.source),
                "title": _event_title(event, ui, lang),
                "content_html": _event_html(site, base, event, article),
                "date_published": rfc3339(article.meta.published),
                "tags": [k.topics[t].name[lang] for t in event.topics],
                "_kb": {"date": event.date.iso(), "precision": event.date.precision, "source": article.slug},
            }
        )
    return _json_feed(site, base, site_name, "events", page_url(base, "timeline.md"), items)


# --------------------------------------------------------------------------
# iCalendar (RFC 5545)
# --------------------------------------------------------------------------


def ical_text(value: str) -> str:
    """A TEXT value escaped: backslash, semicolon, comma and line ends."""
    return (
        value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n").replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (continuations start with a space), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts, start, width = [], 0, 75
    while len(data) - start > width:
        cut = start + width
        while data[cut] & 0xC0 == 0x80:  # a continuation byte: cut before its character
            cut -= 1
        parts.append(data[start:cut])
        start, width = cut, 74  # a continuation line's space counts
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode("utf-8")


def _ical_date(day: dt.date) -> str:
    return day.strftime("%Y%m%d")


def _utc_stamp(when: PubDate) -> str:
    return when.value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def vevent(site: Site, base: str, event: Event, host: str, articles: dict[str, Article]) -> list[str]:
    """One event, all-day over its period: DTEND is the day after its last day (RFC 5545's end is exclusive)."""
    lang, ui, k = site.lang, site.ui, site.knowledge
    start, end = period(event.date)
    label = knowledge_pages.event_date(event.date, ui)
    summary = event.title[lang] if event.date.precision == "day" else f"{event.title[lang]} ({label})"
    article = articles.get(event.source.article)
    title = article.title(lang) if article else event.source.article
    description = [
        event.description[lang],
        "",
        f"{ui('calendar_date')}: {label} ({ui('precision_' + event.date.precision)})",
    ]
    if event.note:
        description.append(f"{ui('note')}: {event.note[lang]}")
    description.append(f"{ui('source')}: {title} {source_url(base, event.source)}")
    stamp = _utc_stamp(article.meta.published) if article else "19700101T000000Z"
    lines = [
        "BEGIN:VEVENT",
        f"UID:{event.id}.{lang}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{_ical_date(start)}",
        f"DTEND;VALUE=DATE:{_ical_date(end + dt.timedelta(days=1))}",
        f"SUMMARY:{ical_text(summary)}",
        f"DESCRIPTION:{ical_text(chr(10).join(description))}",
        f"URL:{event_url(site, base, event)}",
        "CATEGORIES:" + ",".join(ical_text(k.topics[t].name[lang]) for t in event.topics),
        f"X-KB-DATE:{event.date.iso()}",
        f"X-KB-PRECISION:{event.date.precision}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]
    return lines


def calendar(site: Site, base: str, site_name: str) -> bytes:
    """The timeline as an iCalendar file: every event, in timeline order."""
    host = urlparse(base).hostname or "localhost"
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ical_text(site_name)}//kb//{site.lang.upper()}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ical_text(site_name + ': ' + site.ui('timeline_title'))}",
        f"X-WR-CALDESC:{ical_text(site.ui('calendar_about'))}",
    ]
    articles = _by_slug(site)
    for event in site.knowledge.events:
        lines.extend(vevent(site, base, event, host, articles))
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")


def site_files(site: Site, site_url: str | None, site_name: str) -> dict[str, bytes]:
    """Every file this module and :mod:`kb.site.downloads` write for a language: path -> bytes."""
    base = base_url(site_url, site.lang)
    files = downloads.table_files(site, site_url, site_name)
    files[downloads.CALENDAR] = calendar(site, base, site_name)
    files[feed_path("articles", "atom")] = atom_articles(site, base, site_name)
    files[feed_path("events", "atom")] = atom_events(site, base, site_name)
    files[feed_path("articles", "json")] = json_articles(site, base, site_name)
    files[feed_path("events", "json")] = json_events(site, base, site_name)
    return files
