"""The home page's trends, the entity summary box and the timeline filter's markup, against the real data.

Expected values are computed here from the YAML files and the built pages
directly (not with the functions under test), so a wrong count fails.
"""

from __future__ import annotations

import html as html_lib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from bs4 import BeautifulSoup

from kb.content.project import load_project
from kb.knowledge.facts import Event, Knowledge, load_knowledge
from kb.site import entity_box, paging, timeline_filter, trends
from kb.site.knowledge_pages import timeline_pages
from kb.site.pages import mentions as find_mentions
from kb.site.ui import load_ui
from tests.conftest import ROOT

PROJECT = load_project(ROOT)
K = load_knowledge(PROJECT)
UIS = load_ui(ROOT / "data", ROOT)
MENTIONS = find_mentions(PROJECT, K)
RAW_EVENTS = yaml.safe_load((ROOT / "data" / "events.yml").read_text(encoding="utf-8"))
LANGS = {"vi": "", "en": "en/"}
SVG = "{http://www.w3.org/2000/svg}"


def soup(site: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((site / path / "index.html").read_text(encoding="utf-8"), "html.parser")


def _year(raw: str) -> int:
    return int(str(raw)[:4])


# ------------------------------------------------------------------ the chart


@pytest.mark.parametrize("lang", LANGS)
def test_home_chart_is_accessible_svg_whose_cells_are_the_data_counts(built_site, lang):
    page = soup(built_site / LANGS[lang], "")
    svg_tag = page.select_one("svg.kb-heatmap")
    root = ET.fromstring(str(svg_tag))  # parses as XML
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    title = root.find(f"{SVG}title")
    desc = root.find(f"{SVG}desc")
    assert (title.get("id"), desc.get("id")) == (title_id, desc_id)
    words = {"vi": ("chủ đề", "năm"), "en": ("topic", "year")}[lang]
    assert all(w in title.text.lower() for w in words) and len(desc.text) > 40
    # Every (topic, year) count, from the YAML: an event counts under each of its topics.
    expected: Counter[tuple[str, int]] = Counter()
    for event in RAW_EVENTS:
        for topic in dict.fromkeys(event["topics"]):
            expected[(topic, _year(event["date"]))] += 1
    # The newest five years, and a column for all the years before them.
    years = sorted({_year(e["date"]) for e in RAW_EVENTS})
    columns = [years[:-5], *([y] for y in years[-5:])]
    cells = root.findall(f".//{SVG}g[@data-topic]")
    assert len(cells) == len({t for t, _ in expected}) * len(columns)
    for cell in cells:
        n = sum(expected[(cell.get("data-topic"), y)] for y in columns[int(cell.get("data-period"))])
        assert int(cell.get("data-count")) == n
        assert (cell.findtext(f"{SVG}text") or "0") == str(n)  # the number is drawn, not only a shade
    labels = [t.findall(f"{SVG}tspan") for t in root.findall(f"{SVG}text[@class='kb-heatmap-col']")]
    shown = [" ".join(s.text for s in spans) for spans in labels]
    assert shown == [{"vi": f"trước {years[-5]}", "en": f"before {years[-5]}"}[lang], *map(str, years[-5:])]
    # Every topic's name is drawn whole (a long one on two lines).
    rows = [
        " ".join(s.text for s in t.findall(f"{SVG}tspan")) for t in root.findall(f"{SVG}text[@class='kb-heatmap-row']")
    ]
    assert rows == [K.topics[t].name[lang] for t in K.topics if any(t == x for x, _ in expected)]


@pytest.mark.parametrize("lang", LANGS)
def test_chart_table_has_the_numbers_and_links_to_the_filtered_timeline(built_site, lang):
    page = soup(built_site / LANGS[lang], "")
    table = page.select_one("details table")
    rows = table.select("tbody tr")
    assert len(rows) == len({t for e in RAW_EVENTS for t in e["topics"]})
    for row in rows:
        topic_link = row.select_one("td a")
        query = parse_qs(urlsplit(topic_link["href"]).query)
        topic = query["topic"][0]
        assert urlsplit(topic_link["href"]).path == "timeline/"
        assert topic_link.text == K.topics[topic].name[lang]
        total = sum(topic in e["topics"] for e in RAW_EVENTS)
        assert row.select("td")[-1].text == str(total)
        for link in row.select("td a")[1:]:
            q = parse_qs(urlsplit(link["href"]).query)
            first, last = int(q.get("from", ["0"])[0]), int(q["to"][0])
            assert q["topic"] == [topic]
            events = [e for e in RAW_EVENTS if topic in e["topics"] and first <= _year(e["date"]) <= last]
            assert link.text == str(len(events))


@pytest.mark.parametrize("lang", LANGS)
def test_home_lists_the_latest_events_and_the_most_mentioned_of_the_latest_year(built_site, lang):
    page = soup(built_site / LANGS[lang], "")
    heading = page.find(id={"vi": "su-kien-moi-nhat", "en": "latest-events"}[lang])
    items = heading.find_next("ul").select("li")
    newest = sorted(RAW_EVENTS, key=lambda e: (_key(e["date"]), e["id"]))[-5:][::-1]
    assert [li.a["href"] for li in items] == [f"timeline/#{e['id']}" for e in newest]
    assert [li.a.text for li in items] == [e["title"][lang] for e in newest]
    # "This year" is the latest year with an event or an article, said as such.
    year = max([_year(e["date"]) for e in RAW_EVENTS] + [a.meta.published.value.year for a in PROJECT.articles])
    title = {"vi": f"Được nhắc đến nhiều nhất năm {year}", "en": f"Most mentioned in {year}"}[lang]
    top = page.find(lambda tag: tag.name == "h3" and tag.text.strip().startswith(title))
    assert top is not None
    listed = [a["href"] for a in top.find_next("ol").select("a")]
    events = Counter(x for e in RAW_EVENTS if _year(e["date"]) == year for x in dict.fromkeys(e["entities"]))
    articles = Counter(
        x for a in PROJECT.articles if a.meta.published.value.year == year for x in MENTIONS.get(a.slug, [])
    )
    score = {x: events[x] + articles[x] for x in events | articles}
    assert len(listed) == min(8, len(score))
    ranked = [score[h.split("/")[1]] for h in listed]
    assert ranked == sorted(ranked, reverse=True)
    assert ranked[0] == max(score.values())
    assert all(h.startswith("entities/") and (built_site / LANGS[lang] / h / "index.html").exists() for h in listed)


def _key(raw: str) -> tuple[int, int, int]:
    parts = str(raw).rstrip("s").split("-")
    month = (
        int(parts[1][1:]) * 3 - 2
        if len(parts) > 1 and parts[1].startswith("Q")
        else int(parts[1])
        if len(parts) > 1
        else 0
    )
    return (int(parts[0]), month, int(parts[2]) if len(parts) > 2 else 0)


def _event(id: str, date: str, topics: list[str]) -> Event:
    return Event.model_validate(
        {
            "id": id,
            "date": date,
            "title": {"vi": id, "en": id},
            "description": {"vi": id, "en": id},
            "entities": ["openai"],
            "topics": topics,
            "source": {"article": "x"},
        }
    )


def _knowledge(events: list[Event]) -> Knowledge:
    return Knowledge(topics=K.topics, entities=K.entities, events=sorted(events, key=lambda e: (e.date.key, e.id)))


DENSE = [f"2025-{m:02d}-01" for m in range(1, 13)] * 2  # 24 events, all with a month
PERIOD_CASES = [
    ("sparse years stay years", ["2023", "2024-05", "2024"], ["2023", "2024"], False),
    ("a decade is labelled as one", ["1960s", "2024"], ["the 1960s", "2024"], False),
    ("six years stay six columns", [str(y) for y in range(2020, 2026)], [str(y) for y in range(2020, 2026)], False),
    ("a dense year by quarter", DENSE, ["Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"], True),
    (
        "a dense year keeps its events without a quarter apart",
        DENSE + ["2025"] * 8,
        ["2025, quarter unknown", "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"],
        True,
    ),
    (
        "many periods: the 'before' column ends with a whole year",
        [d.replace("2025", "2024") for d in DENSE] + DENSE,  # two dense years: eight quarters
        ["before 2025", "Q1 2025", "Q2 2025", "Q3 2025", "Q4 2025"],
        True,
    ),
    (
        "a dense year before a sparse latest one stays a year",
        [d.replace("2025", "2024") for d in DENSE] + ["2025"],
        ["2024", "2025"],
        False,
    ),
    ("dense but mostly year-only stays a year", ["2025-03"] * 10 + ["2025"] * 20, ["2025"], False),
    (
        "too many years: the oldest in one column",
        [str(y) for y in range(2000, 2016)],
        ["before 2011"] + [str(y) for y in range(2011, 2016)],
        False,
    ),
]


@pytest.mark.parametrize(
    ("dates", "labels", "by_quarter"), [c[1:] for c in PERIOD_CASES], ids=[c[0] for c in PERIOD_CASES]
)
def test_chart_periods(dates, labels, by_quarter):
    k = _knowledge([_event(f"e{i}", d, ["llm"]) for i, d in enumerate(dates)])
    data = trends.topic_counts(k, UIS["en"])
    assert data.labels == labels and data.by_quarter == by_quarter
    assert sum(data.counts["llm"]) == len(dates)  # every event counted once, in one column


# ---------------------------------------------------------- the summary box


def _companions_by_brute_force(entity_id: str) -> Counter[str]:
    together: Counter[str] = Counter()
    groups = [set(e["entities"]) for e in RAW_EVENTS] + [set(MENTIONS.get(a.slug, [])) for a in PROJECT.articles]
    for group in groups:
        if entity_id in group:
            together.update(group - {entity_id})
    return together


BOX_CASES = ["openai", "deepseek", "llama-3-1", "eliza", "google"]


@pytest.mark.parametrize("entity_id", BOX_CASES)
@pytest.mark.parametrize("lang", LANGS)
def test_entity_page_opens_with_its_summary_box(built_site, lang, entity_id):
    ui, entity = UIS[lang], K.entities[entity_id]
    page = soup(built_site / LANGS[lang], f"entities/{entity_id}/")
    box = page.select_one("dl.kb-summary")
    assert box.find_previous("h2") is None  # at the top, before the page's sections
    rows = {dt.text: dd for dt, dd in zip(box.select("dt"), box.select("dd"), strict=True)}
    assert rows[ui("summary_type")].text == ui("type_" + entity.type)
    raw = [e for e in RAW_EVENTS if entity_id in e["entities"]]
    raw.sort(key=lambda e: (_key(e["date"]), e["id"]))
    if raw:
        assert rows[ui("summary_events")].text == str(len(raw))
        assert rows[ui("summary_first")].a["href"] == f"../../timeline/#{raw[0]['id']}"
        if len(raw) > 1:
            assert rows[ui("summary_latest")].a["href"] == f"../../timeline/#{raw[-1]['id']}"
    topics = [a["href"] for a in rows[ui("summary_topics")].select("a")] if entity.topics else []
    assert topics == [f"../../topics/{t}/" for t in entity.topics]
    expected = _companions_by_brute_force(entity_id)
    shown = [
        (a["href"].strip("./").rstrip("/"), a.next_sibling.strip(" ,()")) for a in rows[ui("summary_with")].select("a")
    ]
    assert len(shown) == min(5, len(expected))
    assert [int(n) for _, n in shown] == sorted(expected.values(), reverse=True)[: len(shown)]
    assert all(expected[other] == int(n) for other, n in shown)
    for other, _ in shown:
        assert (built_site / LANGS[lang] / "entities" / other / "index.html").exists()


def test_companions_are_computed_once_for_every_entity():
    first = entity_box.companions(K, PROJECT, MENTIONS)
    assert entity_box.companions(K, PROJECT, MENTIONS) is first
    assert set(first) <= set(K.entities) and all(len(v) <= 5 for v in first.values())


# ------------------------------------------------------ the timeline's markup


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_events_carry_their_data_and_the_filter_box_is_hidden(built_site, lang):
    page = soup(built_site / LANGS[lang], "timeline/")
    box = page.select_one("div.kb-filters")
    assert box.has_attr("hidden")  # without JavaScript: no controls, every event
    data = json.loads(box["data-filter"])
    assert [o[0] for o in data["options"]["topic"]] == [t for t in K.topics if K.events_of_topic(t)]
    assert data["total"] == len(RAW_EVENTS) and data["strings"]["topic"] == UIS[lang]("filter_topic")
    events = page.select("div.kb-event")
    assert [e.find(["h3"])["id"] for e in events] == [e.id for e in K.events]
    by_id = {e["id"]: e for e in RAW_EVENTS}
    for el in events:
        raw = by_id[el.find("h3")["id"]]
        assert el["data-topics"].split() == raw["topics"]
        assert el["data-entities"].split() == raw["entities"]
        assert int(el["data-year"]) == _year(raw["date"])
        assert set(el["data-kinds"].split()) == {K.entities[x].type for x in raw["entities"]}


@pytest.mark.parametrize(("path", "query"), [("topics/llm/", "topic=llm"), ("entities/openai/", "entity=openai")])
@pytest.mark.parametrize("lang", LANGS)
def test_topic_and_entity_pages_link_to_the_timeline_filtered_to_them(built_site, lang, path, query):
    link = soup(built_site / LANGS[lang], path).select_one("a.kb-timeline-link")
    assert link["href"] == f"../../timeline/?{query}" and link.text == UIS[lang]("see_on_timeline")


QUERY_CASES = [
    ({}, ""),
    ({"topic": "llm"}, "?topic=llm"),
    ({"entity": "openai", "topic": "llm"}, "?topic=llm&entity=openai"),
    ({"kind": "person", "years": (2023, 2025)}, "?kind=person&from=2023&to=2025"),
]


@pytest.mark.parametrize(("values", "query"), QUERY_CASES)
def test_timeline_query(values, query):
    assert timeline_filter.timeline_query(**values) == query


def test_split_timeline_has_a_filter_on_every_page_with_only_its_events_options(monkeypatch):
    monkeypatch.setattr(paging, "LIMITS", paging.Limits(timeline=10, events_per_page=5))
    pages = timeline_pages(K, PROJECT, "en", UIS["en"])
    index = pages["timeline.md"]
    assert 'class="kb-filters"' in index and '<div class="kb-years" markdown>' in index
    assert _filter_data(index)["options"]["entity"] == []  # the index lists years, not entities
    year_pages = [src for src in pages if src.startswith("timeline/")]
    assert len(year_pages) > len({e.date.year for e in K.events})  # some years split into several pages
    for src in year_pages:
        html = pages[src]
        data = _filter_data(html)
        events = html.count('<div class="kb-event"')
        assert data["total"] == events and 1 <= events <= 5
        entities = {x for part in html.split('data-entities="')[1:] for x in part.split('"', 1)[0].split()}
        assert {o[0] for o in data["options"]["entity"]} == entities


def _filter_data(markdown: str) -> dict:
    return json.loads(html_lib.unescape(markdown.split('data-filter="', 1)[1].split('"', 1)[0]))
