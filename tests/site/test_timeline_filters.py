"""The timeline's filters in a real browser: what a reader chooses, the address, back, no JavaScript, a phone."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from kb.bench.corpus import make_corpus
from kb.site import paging
from tests.conftest import ROOT, build_with_limits
from tests.site.conftest import SHOTS, Visit, serving

pytestmark = pytest.mark.browser

RAW_EVENTS = yaml.safe_load((ROOT / "data" / "events.yml").read_text(encoding="utf-8"))
LANGS = {"vi": "", "en": "en/"}
COUNT = {"vi": "Đang hiện {n} trên {total} sự kiện", "en": "Showing {n} of {total} events"}


def _year(raw: object) -> int:
    return int(str(raw)[:4])


def _visible(v: Visit) -> list[str]:
    return v.page.eval_on_selector_all(
        ".kb-event", "els => els.filter(e => e.offsetParent !== null).map(e => e.querySelector('h3').id)"
    )


def _query(v: Visit) -> dict[str, list[str]]:
    return parse_qs(urlsplit(v.page.url).query)


def _expected(topic=None, entity=None, kind=None, years=None) -> list[str]:
    entities = {e["id"]: e["type"] for e in yaml.safe_load((ROOT / "data" / "entities.yml").read_text("utf-8"))}
    out = []
    for e in RAW_EVENTS:
        if (topic and topic not in e["topics"]) or (entity and entity not in e["entities"]):
            continue
        if kind and kind not in {entities[x] for x in e["entities"]}:
            continue
        if years and not years[0] <= _year(e["date"]) <= years[1]:
            continue
        out.append(e["id"])
    return sorted(out)


@pytest.mark.parametrize("lang", LANGS)
def test_choosing_filters_hides_events_updates_the_address_and_back_restores(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "timeline/")
    total = len(RAW_EVENTS)
    assert v.page.inner_text(".kb-filters__status") == COUNT[lang].format(n=total, total=total)
    v.page.select_option("#kb-filter-topic", "open-models")
    assert sorted(_visible(v)) == _expected(topic="open-models")
    assert _query(v) == {"topic": ["open-models"]}
    n = len(_expected(topic="open-models"))
    assert v.page.inner_text(".kb-filters__status") == COUNT[lang].format(n=n, total=total)
    v.page.select_option("#kb-filter-from", "2025")
    assert sorted(_visible(v)) == _expected(topic="open-models", years=(2025, 9999))
    assert _query(v) == {"topic": ["open-models"], "from": ["2025"]}
    # Years with no event left lose their heading and their jump link.
    assert v.page.is_hidden("h2#y2024") and v.page.is_visible("h2#y2025")
    v.page.select_option("#kb-filter-kind", "person")
    assert sorted(_visible(v)) == _expected(topic="open-models", kind="person", years=(2025, 9999))
    v.page.go_back()
    assert sorted(_visible(v)) == _expected(topic="open-models", years=(2025, 9999))
    assert v.page.input_value("#kb-filter-kind") == ""
    v.page.go_back()
    assert sorted(_visible(v)) == _expected(topic="open-models") and v.page.is_visible("h2#y2024")
    v.page.go_forward()
    assert _query(v) == {"topic": ["open-models"], "from": ["2025"]}
    v.page.click(".kb-filters__reset")
    assert len(_visible(v)) == total and _query(v) == {}
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_a_filtered_address_opens_filtered_and_the_entity_page_link_leads_there(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "entities/deepseek/")
    v.page.click("a.kb-timeline-link")
    v.page.wait_for_selector(".kb-filters:not([hidden])")
    assert urlsplit(v.page.url).path.endswith(LANGS[lang] + "timeline/")
    assert sorted(_visible(v)) == _expected(entity="deepseek")
    assert v.page.input_value("#kb-filter-entity") == "deepseek"
    v.page.goto(server + LANGS[lang] + "timeline/?topic=llm&from=2023&to=2024")
    assert sorted(_visible(v)) == _expected(topic="llm", years=(2023, 2024))
    assert [v.page.input_value(f"#kb-filter-{k}") for k in ("topic", "from", "to")] == ["llm", "2023", "2024"]
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_every_event_shows_and_no_controls(browser, server, lang):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + LANGS[lang] + "timeline/?topic=llm")
    assert page.locator(".kb-event:visible").count() == len(RAW_EVENTS)
    assert page.locator(".kb-filters").is_hidden() and page.locator("select").count() == 0
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_filters_are_labelled_keyboard_usable_and_fit_a_phone(visit, server, lang):
    from axe_playwright_python.sync_playwright import Axe

    v = visit(width=390)
    v.page.goto(server + LANGS[lang] + "timeline/")
    for select in v.page.locator(".kb-filters select").all():
        label = v.page.locator(f"label[for='{select.get_attribute('id')}']")
        assert label.count() == 1 and label.inner_text()
    v.page.focus("#kb-filter-topic")
    v.page.keyboard.press("ArrowDown")  # the first topic, chosen from the keyboard
    v.page.wait_for_function("() => location.search.includes('topic=')")
    topic = _query(v)["topic"][0]
    assert sorted(_visible(v)) == _expected(topic=topic)
    width = v.page.evaluate("document.querySelector('.kb-filters').getBoundingClientRect().right")
    assert width <= 390 and v.page.evaluate("document.documentElement.scrollWidth") <= 390
    SHOTS.mkdir(parents=True, exist_ok=True)
    v.page.locator(".kb-filters").screenshot(path=str(SHOTS / f"timeline-filters-{lang}-390.png"))
    results = Axe().run(v.page, context={"include": [[".kb-filters"]]})
    assert results.response["violations"] == [], [x["id"] for x in results.response["violations"]]
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_home_trends_and_entity_box_at_desktop_and_phone_width(visit, server, lang):
    """Screenshots for review; the chart scrolls inside its box on a phone and the page itself does not."""
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in (1280, 390):
        v = visit(width=width)
        v.page.goto(server + LANGS[lang])
        v.page.locator("#xu-huong, #trends").first.scroll_into_view_if_needed()
        v.page.locator(".kb-heatmap-figure").screenshot(path=str(SHOTS / f"home-trends-{lang}-{width}.png"))
        assert v.page.evaluate("document.documentElement.scrollWidth") <= width
        drawn = v.page.evaluate(
            "(() => { const s = document.querySelector('svg.kb-heatmap');"
            " return [s.getBoundingClientRect().width, +s.getAttribute('width')]; })()"
        )
        assert drawn[0] == drawn[1]  # drawn at its own size, so its 11 px text stays legible
        box = v.page.evaluate("document.querySelector('.kb-heatmap-scroll').clientWidth")
        scrolls = v.page.evaluate("(d => d.scrollWidth > d.clientWidth)(document.querySelector('.kb-heatmap-scroll'))")
        assert not scrolls and drawn[1] <= box  # the real chart fits a phone at its own size (a wider one scrolls)
        results = Axe().run(v.page)
        assert results.response["violations"] == [], [x["id"] for x in results.response["violations"]]
        v.page.goto(server + LANGS[lang] + "entities/openai/")
        v.page.locator("dl.kb-summary").screenshot(path=str(SHOTS / f"entity-box-{lang}-{width}.png"))
        assert v.page.evaluate("document.documentElement.scrollWidth") <= width
        assert not v.errors


@pytest.fixture(scope="module")
def split_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A synthetic knowledge base whose timeline is split into year pages (limits lowered, as in tests/bench)."""
    root = tmp_path_factory.mktemp("split-timeline") / "kb"
    make_corpus(root, 24, source_root=ROOT)
    site = build_with_limits(root, paging.Limits(timeline=10, events_per_page=4))
    with serving(site) as url:
        yield url, root


def test_on_a_split_timeline_the_index_and_pagers_carry_the_filter(visit, split_server):
    url, root = split_server
    raw = yaml.safe_load((root / "data" / "events.yml").read_text(encoding="utf-8"))
    years = Counter(_year(e["date"]) for e in raw)
    year = next(y for y, n in sorted(years.items()) if n > 4)  # a year on more than one page
    topic = Counter(t for e in raw if _year(e["date"]) == year for t in e["topics"]).most_common(1)[0][0]
    v = visit()
    v.page.goto(f"{url}timeline/?topic={topic}&from={year}&to={year}")
    shown = v.page.eval_on_selector_all(".kb-years li", "els => els.filter(e => !e.hidden).map(e => e.textContent)")
    assert [int(s.split()[0]) for s in shown] == [year]  # the years outside the range are hidden
    with v.page.expect_navigation():
        v.page.click(f".kb-years a[href*='/{year}/']")
    v.page.wait_for_selector(".kb-filters[data-ready]")
    assert _query(v) == {"topic": [topic], "from": [str(year)], "to": [str(year)]}
    ids = {e["id"]: e for e in raw}
    on_pages: list[str] = []
    while True:
        visible = _visible(v)
        assert all(topic in ids[i]["topics"] for i in visible)
        on_pages += visible
        following = v.page.locator(".kb-pager a", has_text="→")
        if not following.count():
            break
        with v.page.expect_navigation():
            following.first.click()
        v.page.wait_for_selector(".kb-filters[data-ready]")
        assert _query(v)["topic"] == [topic]  # the pager kept the filter
    expected = [e["id"] for e in raw if _year(e["date"]) == year and topic in e["topics"]]
    assert sorted(on_pages) == sorted(expected)
    assert not v.errors
