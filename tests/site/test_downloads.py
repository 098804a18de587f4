"""Downloads, the calendar and the feeds: each file parses with its format's own library, and says what the data says.

The tables of cases below build files from events of every precision; the
rest reads the real site, built once by `kb build` (both languages), and
follows every address the files give to a page and an anchor that exist.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag

import atoma
import feedparser
import icalendar
import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.knowledge.facts import Event, Knowledge
from kb.site import downloads, feeds, pages
from kb.site.downloads import TABLES
from tests.conftest import ROOT, replace_in

LANGS = {"vi": "", "en": "en/"}
SITE_URL = "https://example.org/ai/"


# ---------------------------------------------------------------------------
# Dates at every precision: CSV, JSON and iCalendar from one table of cases
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_sites() -> dict[str, pages.Site]:
    return {lang: pages.load_site(ROOT, lang) for lang in LANGS}


def _with_events(site: pages.Site, dates: list[str]) -> pages.Site:
    """The real site's data with only these events (one per date), sourced to a real article section."""
    real = site.knowledge.events[0]
    events = [
        Event.model_validate(
            {
                "id": f"case-{n}",
                "date": raw,
                "title": {"vi": f"Sự kiện {n}, có dấu phẩy; và chấm phẩy", "en": f"Event {n}, with a comma; and more"},
                "description": {"vi": "Mô tả\nhai dòng.", "en": "A description\nof two lines."},
                "entities": list(real.entities),
                "topics": list(real.topics),
                "source": real.source.model_dump(),
            }
        )
        for n, raw in enumerate(dates)
    ]
    k = site.knowledge
    knowledge = Knowledge(topics=k.topics, entities=k.entities, events=events, terms=k.terms)
    return dataclasses.replace(site, knowledge=knowledge)


# date as written, precision, first day, last day, iCalendar DTSTART, DTEND (exclusive), the title's note (vi, en)
PRECISION_CASES = [
    ("2024-09-12", "day", "2024-09-12", "2024-09-12", "20240912", "20240913", None, None),
    ("2024-12-31", "day", "2024-12-31", "2024-12-31", "20241231", "20250101", None, None),
    ("2024-09", "month", "2024-09-01", "2024-09-30", "20240901", "20241001", "(tháng 9/2024)", "(September 2024)"),
    ("2024-02", "month", "2024-02-01", "2024-02-29", "20240201", "20240301", "(tháng 2/2024)", "(February 2024)"),
    ("2025-Q1", "quarter", "2025-01-01", "2025-03-31", "20250101", "20250401", "(quý 1/2025)", "(Q1 2025)"),
    ("2024-Q4", "quarter", "2024-10-01", "2024-12-31", "20241001", "20250101", "(quý 4/2024)", "(Q4 2024)"),
    ("2024", "year", "2024-01-01", "2024-12-31", "20240101", "20250101", "(năm 2024)", "(2024)"),
    ("1960s", "decade", "1960-01-01", "1969-12-31", "19600101", "19700101", "(thập niên 1960)", "(the 1960s)"),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(
    ("raw", "precision", "first", "last", "dtstart", "dtend", "note_vi", "note_en"),
    PRECISION_CASES,
    ids=[c[0] for c in PRECISION_CASES],
)
def test_an_event_keeps_its_precision_in_csv_json_and_calendar(
    real_sites, lang, raw, precision, first, last, dtstart, dtend, note_vi, note_en
):
    site = _with_events(real_sites[lang], [raw])
    files = feeds.site_files(site, SITE_URL if lang == "vi" else SITE_URL + "en/", "Site")
    row = next(csv.DictReader(io.StringIO(files["downloads/events.csv"].decode("utf-8"), newline="")))
    item = json.loads(files["downloads/events.json"])["items"][0]
    for got in (row, item):
        assert (got["date"], got["precision"], got["start"], got["end"]) == (raw, precision, first, last)
    assert item["title"] == row["title"] and "," in row["title"]  # quoted, not split
    assert item["description"] == row["description"] and "\n" in row["description"]
    assert row["note"] == "" and item["note"] is None

    calendar = icalendar.Calendar.from_ical(files["downloads/timeline.ics"])
    (event,) = calendar.walk("VEVENT")
    assert event.get("DTSTART").params["VALUE"] == "DATE" and event.get("DTEND").params["VALUE"] == "DATE"
    assert event.decoded("DTSTART").strftime("%Y%m%d") == dtstart
    assert event.decoded("DTEND").strftime("%Y%m%d") == dtend
    note = note_vi if lang == "vi" else note_en
    title = site.knowledge.events[0].title[lang]
    assert str(event["SUMMARY"]) == (title if note is None else f"{title} {note}")
    assert str(event["X-KB-DATE"]) == raw and str(event["X-KB-PRECISION"]) == precision
    assert str(event["UID"]) == f"case-0.{lang}@example.org"
    assert str(event["URL"]) == item["url"] and item["source_url"] in str(event["DESCRIPTION"])
    assert item["url"].startswith(SITE_URL + LANGS[lang] + "timeline/#case-0")


def test_calendar_lines_are_crlf_and_folded_at_75_octets_without_splitting_a_character(real_sites):
    site = _with_events(real_sites["vi"], ["2024-09"])
    data = feeds.site_files(site, SITE_URL, "Xu hướng AI")["downloads/timeline.ics"]
    assert data.endswith(b"\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert any(line.startswith(b" ") for line in lines)  # the long description was folded
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character cut in two


@pytest.mark.parametrize(
    ("items", "cell"),
    [
        ([], ""),
        (["openai"], "openai"),
        (["openai", "google"], "openai|google"),
        (["a|b", "c"], "a\\|b|c"),
    ],
)
def test_a_list_is_one_cell_its_items_separated_by_a_bar(items, cell):
    assert downloads._cell(items) == cell


# ---------------------------------------------------------------------------
# The real site's files
# ---------------------------------------------------------------------------


class _Ids(HTMLParser):
    """The ids of a page's elements, its <link> and <a> elements."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[dict[str, str]] = []
        self.anchors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "link":
            self.links.append(values)
        if tag == "a" and "href" in values:
            self.anchors.append(values["href"])


def _parse(path: Path) -> _Ids:
    parser = _Ids()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


class Resolver:
    """Addresses in the files -> the built page and anchor they name (every page parsed once)."""

    def __init__(self, site: Path, base: str) -> None:
        self.site, self.base, self.pages = site, base, {}

    def page(self, url: str) -> tuple[Path, str]:
        address, fragment = urldefrag(url)
        assert address.startswith(self.base), url
        path = self.site / address.removeprefix(self.base)
        return (path / "index.html" if address.endswith("/") else path), fragment

    def resolves(self, url: str) -> bool:
        path, fragment = self.page(url)
        if not path.is_file():
            return False
        if path not in self.pages:
            self.pages[path] = _parse(path).ids
        return not fragment or fragment in self.pages[path]


def _read(built_site: Path, lang: str, table: str) -> tuple[list[dict[str, str]], dict]:
    folder = built_site / LANGS[lang] / "downloads"
    with (folder / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    return rows, json.loads((folder / f"{table}.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("table", TABLES)
def test_each_table_parses_as_csv_and_json_with_the_same_items_and_the_fields_the_dictionary_lists(
    built_site, lang, table
):
    raw = (built_site / LANGS[lang] / "downloads" / f"{table}.csv").read_bytes()
    rows, data = _read(built_site, lang, table)
    names = [c.name for c in TABLES[table]]
    # UTF-8 without a byte-order mark, a header row, CRLF after every record (RFC 4180)
    assert raw.split(b"\r\n", 1)[0] == ",".join(names).encode("utf-8")
    assert raw.endswith(b"\r\n") and raw.count(b"\r\n") == len(rows) + 1
    assert list(rows[0]) == names
    assert [f["name"] for f in data["fields"]] == names
    assert data["language"] == lang and data["count"] == len(rows) == len(data["items"])
    assert data["dictionary"].endswith(f"downloads/#{table}")
    for row, item in zip(rows, data["items"], strict=True):
        assert list(item) == names
        for column in TABLES[table]:
            value = item[column.name]
            if column.kind in {"ids", "texts"}:
                assert row[column.name] == downloads._cell(value)
            elif value is None:
                assert column.optional and row[column.name] == ""
            else:
                assert row[column.name] == str(value)
            if column.values:
                assert value in column.values
    dictionary = _parse(built_site / LANGS[lang] / "downloads" / "index.html")
    assert table in dictionary.ids


def _ids_in_data() -> dict[str, list[str]]:
    project = load_project(ROOT)
    k = pages.load_site(ROOT, "vi").knowledge
    return {
        "events": [e.id for e in k.events],
        "entities": sorted(k.entities),
        "topics": sorted(k.topics),
        "glossary": sorted(k.terms),
        "articles": [a.slug for a in project.articles],
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_item_is_there_with_its_id_and_addresses_that_reach_a_real_page_and_anchor(built_site, lang):
    expected = _ids_in_data()
    k = pages.load_site(ROOT, lang).knowledge
    for table, ids in expected.items():
        rows, data = _read(built_site, lang, table)
        assert [row["id"] for row in rows] == ids
        resolver = Resolver(built_site / LANGS[lang], data["site"])
        for row in rows:
            for column in TABLES[table]:
                if column.kind == "url" and row[column.name] and column.name != "original_url":
                    assert resolver.resolves(row[column.name]), (table, row["id"], column.name, row[column.name])
            assert row["url"].startswith(data["site"])
    events, data = _read(built_site, lang, "events")
    for row, event in zip(events, k.events, strict=True):
        assert row["source_article"] == event.source.article and row["source_section"] == (event.source.section or "")
        anchor = f"#{event.source.section}" if event.source.section else ""
        assert row["source_url"] == f"{data['site']}articles/{event.source.article}/{anchor}"
        assert row["url"].endswith(f"#{event.id}") and row["date"] == event.date.iso()
    terms, _ = _read(built_site, lang, "glossary")
    assert all(row["source_url"] for row in terms if k.terms[row["id"]].source)


@pytest.mark.parametrize("lang", LANGS)
def test_the_calendar_holds_every_event_as_an_all_day_event_over_its_period(built_site, lang):
    calendar = icalendar.Calendar.from_ical((built_site / LANGS[lang] / "downloads" / "timeline.ics").read_bytes())
    rows, data = _read(built_site, lang, "events")
    vevents = calendar.walk("VEVENT")
    assert [str(v["UID"]).split(".")[0] for v in vevents] == [row["id"] for row in rows]
    assert len({str(v["UID"]) for v in vevents}) == len(vevents)
    resolver = Resolver(built_site / LANGS[lang], data["site"])
    for vevent, row in zip(vevents, rows, strict=True):
        assert vevent.decoded("DTSTART").isoformat() == row["start"]
        assert (vevent.decoded("DTEND") - vevent.decoded("DTSTART")).days >= 1
        assert str(vevent["URL"]) == row["url"] and resolver.resolves(row["url"])
        assert row["source_url"] in str(vevent["DESCRIPTION"])


# ---------------------------------------------------------------------------
# Feeds
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("name", feeds.FEEDS)
def test_feeds_parse_newest_first_and_every_entry_reaches_its_page(built_site, lang, name):
    folder = built_site / LANGS[lang] / "feeds"
    atom = feedparser.parse((folder / f"{name}.xml").read_bytes())
    assert not atom.bozo, atom.get("bozo_exception")
    assert atom.version == "atom10" and atom.feed.language == lang
    json_feed = atoma.parse_json_feed_bytes((folder / f"{name}.json").read_bytes())
    raw = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
    assert raw["version"] == "https://jsonfeed.org/version/1.1" and raw["language"] == lang
    assert raw["feed_url"].endswith(f"feeds/{name}.json")
    assert [e.id for e in atom.entries] == [item.id_ for item in json_feed.items]
    dates = [e.published_parsed for e in atom.entries]
    assert dates and dates == sorted(dates, reverse=True)
    assert [i.date_published for i in json_feed.items] == sorted(
        (i.date_published for i in json_feed.items), reverse=True
    )
    resolver = Resolver(built_site / LANGS[lang], raw["authors"][0]["url"])  # the language's root
    project = load_project(ROOT)
    if name == "articles":
        assert len(atom.entries) == min(len(project.articles), feeds.FEED_ARTICLES)
        assert [e.link for e in atom.entries] == [i.url for i in json_feed.items]
        for entry, article in zip(atom.entries, project.articles, strict=False):
            assert entry.title == article.title(lang) and resolver.resolves(entry.link)
    else:
        k = pages.load_site(ROOT, lang).knowledge
        assert len(atom.entries) == min(len(k.events), feeds.FEED_EVENTS)
        for entry, item in zip(atom.entries, raw["items"], strict=True):
            via = next(link.href for link in entry.links if link.rel == "via")
            assert via == item["external_url"] and resolver.resolves(via)  # the source section
            assert resolver.resolves(entry.link) and entry.link == item["url"]
            assert item["_kb"]["precision"] in downloads.PRECISIONS
            assert via in entry.content[0].value


def test_an_event_entry_is_dated_by_its_source_and_titled_with_its_own_date(built_site):
    raw = json.loads((built_site / "en" / "feeds" / "events.json").read_text(encoding="utf-8"))
    project = load_project(ROOT)
    k = pages.load_site(ROOT, "en").knowledge
    events = {e.id: e for e in k.events}
    for item in raw["items"]:
        event = events[item["url"].rsplit("#", 1)[1]]
        article = project.article(event.source.article)
        assert item["date_published"] == feeds.rfc3339(article.meta.published)
        assert item["_kb"]["date"] == event.date.iso()
        assert item["title"].endswith(event.title.en)


# ---------------------------------------------------------------------------
# Where readers find them
# ---------------------------------------------------------------------------

PAGES = ["", "articles/rewind-ai-2024/", "timeline/", "downloads/", "glossary/", "entities/deepseek/"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", PAGES)
def test_every_page_announces_the_feeds_in_its_head(built_site, lang, path):
    page = built_site / LANGS[lang] / path / "index.html"
    links = [link for link in _parse(page).links if "feed" in link.get("rel", "").split()]
    assert sorted((link["type"], Path(link["href"]).name) for link in links) == sorted(
        [
            ("application/atom+xml", "articles.xml"),
            ("application/feed+json", "articles.json"),
            ("application/atom+xml", "events.xml"),
            ("application/feed+json", "events.json"),
        ]
    )
    for link in links:
        assert (
            "alternate" in link["rel"].split() and link["rel"] != "alternate"
        )  # Material fetches a sitemap beside those
        assert link["title"] and (page.parent / link["href"]).resolve().is_file()


LINKED = {
    "timeline/": ["events.csv", "events.json", "timeline.ics"],
    "topics/": ["topics.csv", "events.csv"],
    "topics/open-models/": ["topics.csv", "events.json"],
    "entities/": ["entities.csv", "events.csv"],
    "entities/deepseek/": ["entities.json", "events.csv", "timeline.ics"],
    "glossary/": ["glossary.csv", "glossary.json"],
    "articles/": ["articles.csv", "articles.json"],
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", LINKED)
def test_pages_link_to_their_data_and_its_field_dictionary(built_site, lang, path):
    page = built_site / LANGS[lang] / path / "index.html"
    targets = {(page.parent / href).resolve() for href in _parse(page).anchors if not href.startswith(("http", "#"))}
    folder = (built_site / LANGS[lang] / "downloads").resolve()
    for name in LINKED[path]:
        assert folder / name in targets and (folder / name).is_file()
    assert folder in targets  # the field dictionary


@pytest.mark.parametrize("lang", LANGS)
def test_the_dictionary_page_is_in_the_navigation_and_lists_every_file_and_field(built_site, lang):
    home = _parse(built_site / LANGS[lang] / "index.html")
    assert "downloads/" in home.anchors
    page = built_site / LANGS[lang] / "downloads" / "index.html"
    parsed = _parse(page)
    targets = {(page.parent / href).resolve() for href in parsed.anchors if not href.startswith(("http", "#"))}
    folder = page.parent.resolve()
    for table in TABLES:
        assert {folder / f"{table}.csv", folder / f"{table}.json"} <= targets
    assert folder / "timeline.ics" in targets
    assert {(folder.parent / "feeds" / f"{n}.{x}").resolve() for n in feeds.FEEDS for x in ("xml", "json")} <= targets
    text = page.read_text(encoding="utf-8")
    for table, columns in TABLES.items():
        section = text.split(f'id="{table}"', 1)[1].split("<h2", 1)[0]
        for column in columns:
            assert f"<td><code>{column.name}</code></td>" in section, (table, column.name)


# ---------------------------------------------------------------------------
# The dictionary's data: checked against the columns
# ---------------------------------------------------------------------------

DICTIONARY_CASES = [
    (
        "field-without-meaning",
        replace_in(
            "data/downloads.yml",
            '      note: {vi: "Ghi chú về nguồn hoặc cách suy ra ngày.", en: "A note on the source or on how the date was worked out."}\n',
            "",
        ),
        ["data/downloads.yml:", "tables.events.fields.note", "field 'note' of events has no meaning"],
    ),
    (
        "meaning-of-no-field",
        replace_in(
            "data/downloads.yml", '      url: {vi: "Địa chỉ trang chủ đề."', '      link: {vi: "Địa chỉ trang chủ đề."'
        ),
        ["data/downloads.yml:", "tables.topics.fields.link", "topics has no field 'link'"],
    ),
    (
        "meaning-in-one-language",
        replace_in(
            "data/downloads.yml",
            '      intro: {vi: "Lời giới thiệu chủ đề.", en: "The topic\'s introduction."}',
            '      intro: {vi: "Lời giới thiệu chủ đề."}',
        ),
        ["data/downloads.yml:", "tables.topics.fields.intro.en"],
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in DICTIONARY_CASES], ids=[c[0] for c in DICTIONARY_CASES])
def test_a_field_dictionary_out_of_step_with_the_files_stops_check_naming_file_line_and_field(
    project: Path, capsys, edit, expected
):
    edit(project)
    assert main(["--root", str(project), "check"]) == 1
    out = capsys.readouterr().out
    assert any(all(f in line for f in expected) for line in out.splitlines()), out
