"""What a reader's browser does with a page's own facts: the citation's date accessed, its copy button,
and the hreflang links in the head (which must not make Material fetch sitemaps that do not exist)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from kb.site.ui import load_ui
from tests.conftest import ROOT
from tests.site.conftest import SHOTS
from tests.site.test_browser import LANGS

pytestmark = pytest.mark.browser
UIS = load_ui(ROOT / "data", ROOT)
SITE_NAMES = {"vi": "Xu hướng AI", "en": "AI Trends"}
CITED = {"article": "articles/trung-quoc-thuc-day-ma-nguon-mo/", "entity": "entities/nvidia/", "glossary": "glossary/"}

TODAY = """() => { const d = new Date(); return [d.getFullYear(), d.getMonth() + 1, d.getDate()]; }"""


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", CITED)
def test_the_citation_is_dated_the_day_the_reader_views_it(visit, server, lang, kind):
    ui = UIS[lang]
    for width, label in ((1280, "desktop"), (390, "phone")):
        v = visit(width)
        responses: list[tuple[str, int]] = []
        v.page.on("response", lambda r, seen=responses: seen.append((urlparse(r.url).path, r.status)))
        v.page.goto(server + LANGS[lang] + CITED[kind])
        v.page.wait_for_load_state("networkidle")
        year, month, day = v.page.evaluate(TODAY)
        months = ui.strings.get("month_names") or []
        local = ui("date_format", day=day, month=month, year=year, month_name=months[month - 1] if months else month)
        box = v.page.locator("details.kb-cite")
        box.locator("summary").click()
        text = box.locator(".kb-cite-text code").inner_text()
        site = SITE_NAMES[lang]
        expected = ui(
            "cite_text",
            title=v.page.title().removesuffix(f" - {site}"),
            date=v.page.locator(".kb-updated time").inner_text(),
            site=site,
            url=v.page.locator("link[rel=canonical]").get_attribute("href"),
            accessed=local,
        )
        assert text == expected
        bibtex = box.locator(".kb-cite-bibtex code").inner_text()
        assert f"urldate      = {{{year:04d}-{month:02d}-{day:02d}}}" in bibtex
        # Material's copy buttons (content.code.copy), one per citation, copying what the reader sees
        assert box.locator("button[data-md-type=copy]").count() == 2
        box.scroll_into_view_if_needed()
        SHOTS.mkdir(parents=True, exist_ok=True)
        v.page.screenshot(path=str(SHOTS / f"{lang}-{kind}-citation-{label}.png"))
        assert not v.errors, v.errors
        # The hreflang links are in the head, and no sitemap is fetched beside them (each would be a 404).
        assert v.page.locator("head link[hreflang]").count() == 3
        assert [r for r in responses if r[1] >= 400] == []
        assert {p for p, _ in responses if p.endswith("sitemap.xml")} <= {"/sitemap.xml", "/en/sitemap.xml"}


@pytest.mark.parametrize("lang", LANGS)
def test_without_javascript_the_reader_fills_in_the_date(browser, server, lang):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(server + LANGS[lang] + CITED["entity"])
        page.locator("details.kb-cite summary").click()
        placeholder = UIS[lang]("cite_accessed_placeholder")
        assert placeholder in page.locator(".kb-cite-text code").inner_text()
        assert f"urldate      = {{{placeholder}}}" in page.locator(".kb-cite-bibtex code").inner_text()
    finally:
        context.close()
