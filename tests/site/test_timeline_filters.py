"""The timeline's filters in a real browser: what a reader chooses, the address, back, no JavaScript, a phone."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from tests.conftest import ROOT
from tests.site import test_browser as browsing
from tests.site.test_browser import SHOTS, Visit

# The browser tests' fixtures: one Chromium and one server for the session.
browser, server, visit = browsing.browser, browsing.server, browsing.visit

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
