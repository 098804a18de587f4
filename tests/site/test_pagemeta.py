"""What each page says about itself (kb.site.pagemeta, kb.site.asof): JSON-LD and Open Graph read with
extruct as consumers read them, hreflang links, the sitemap's lastmod, citations and "as of" notes."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import extruct
import lxml.html
import pytest

from kb.content.project import load_project
from kb.knowledge.facts import load_knowledge, parse_event_date
from kb.site import asof, dates, pagemeta
from kb.site.ui import load_ui
from tests.conftest import ROOT, replace_in

SITE_URL = "http://127.0.0.1:8000/"
LANGS = {"vi": "", "en": "en/"}
PROJECT = load_project(ROOT)
K = load_knowledge(PROJECT)
UIS = load_ui(ROOT / "data", ROOT)
SITE_NAMES = {"vi": "Xu hướng AI", "en": "AI Trends"}  # site_name in mkdocs.yml and mkdocs.en.yml


def page_html(site: Path, lang: str, path: str) -> str:
    return (site / LANGS[lang] / path / "index.html").read_text(encoding="utf-8")


def classed(node, cls: str, below: str = "") -> list:
    """The elements with a class under ``node`` (and what ``below`` selects in them)."""
    return node.xpath(f".//*[contains(concat(' ', normalize-space(@class), ' '), ' {cls} ')]{below}")


def extracted(site: Path, lang: str, path: str) -> dict:
    return extruct.extract(
        page_html(site, lang, path),
        base_url=SITE_URL + LANGS[lang] + path,
        syntaxes=["json-ld", "opengraph"],
        uniform=True,
    )


# --------------------------------------------------------------------------
# "As of"
# --------------------------------------------------------------------------

EVENTS = {e.id: e for e in K.events}
AS_OF = [
    # (item, vi, en): the month its cited article was published
    (EVENTS["2025-03-openai-funding-talks"], " (tính đến tháng 3/2025)", " (as of March 2025)"),
    (EVENTS["2023-03-meta-llama-leak"], " (tính đến tháng 5/2023)", " (as of May 2023)"),
    (EVENTS["2019-openai-gpt-2"], "", ""),  # not marked
    (EVENTS["2019-openai-gpt-2"].model_copy(update={"as_of": True}), " (tính đến tháng 3/2023)", " (as of March 2023)"),
    (K.entities["nvidia"], " (tính đến tháng 10/2024)", " (as of October 2024)"),
    (K.entities["openai"], "", ""),
    (
        K.entities["openai"].model_copy(update={"as_of": "rewind-ai-2024"}),
        " (tính đến tháng 12/2024)",
        " (as of December 2024)",
    ),
]


@pytest.mark.parametrize(("item", "vi", "en"), AS_OF, ids=[f"{i.id}-{bool(vi)}" for i, vi, _ in AS_OF])
def test_as_of_note_is_the_month_of_the_cited_article(item, vi, en):
    assert asof.as_of_note(item, PROJECT, UIS["vi"]) == vi
    assert asof.as_of_note(item, PROJECT, UIS["en"]) == en


def test_as_of_notes_show_on_the_timeline_and_entity_pages(built_site):
    assert "(tính đến tháng 3/2025)" in page_html(built_site, "vi", "timeline/")
    assert "(as of March 2025)" in page_html(built_site, "en", "timeline/")
    entity = lxml.html.fromstring(page_html(built_site, "en", "entities/nvidia/"))
    description = " ".join(entity.xpath("//article//p")[1].text_content().split())
    assert description.endswith("(as of October 2024)"), description


def test_an_as_of_naming_no_article_is_one_clear_problem(project: Path):
    replace_in("data/entities.yml", "  as_of: state-of-ai-report-2024", "  as_of: no-such-article")(project)
    problems = load_knowledge(load_project(project)).problems
    assert [(p.path, p.field) for p in problems] == [("data/entities.yml", "nvidia.as_of")]
    line = (project / "data/entities.yml").read_text(encoding="utf-8").split("\n").index("  as_of: no-such-article")
    assert problems[0].line == line + 1 and "no-such-article" in problems[0].message


# --------------------------------------------------------------------------
# Structured data and link previews
# --------------------------------------------------------------------------

PAGE_KINDS = [
    ("index.md", "home"),
    ("about.md", "page"),
    ("articles/rewind-ai-2024.md", "article"),
    ("articles/index.md", "list"),
    ("articles/2024.md", "list"),
    ("timeline.md", "timeline"),
    ("timeline/2024/2.md", "timeline"),
    ("topics/index.md", "list"),
    ("topics/llm.md", "topic"),
    ("topics/llm/articles.md", "list"),
    ("entities/index.md", "list"),
    ("entities/kind-model.md", "list"),  # the entity index by type, at scale: no entity of that id
    ("entities/openai.md", "entity"),
    ("entities/openai/articles/2.md", "list"),
    ("glossary.md", "glossary"),
    ("translations.md", "list"),
]


@pytest.mark.parametrize(("src_uri", "expected"), PAGE_KINDS, ids=[c[0] for c in PAGE_KINDS])
def test_each_page_kind_is_told_by_its_path_and_the_data(src_uri, expected):
    article = PROJECT.article(src_uri.removeprefix("articles/").removesuffix(".md"))
    human = any(p.src_uri == src_uri for p in PROJECT.pages)
    assert pagemeta.kind(src_uri, article, human, K) == expected


EVENT_DATES = [
    ("2025-03-16", {"startDate": "2025-03-16"}),
    ("2025-03", {"startDate": "2025-03"}),
    ("2025-Q2", {"startDate": "2025-04", "endDate": "2025-06"}),
    ("2024", {"startDate": "2024"}),
    ("1960s", {"startDate": "1960", "endDate": "1969"}),
]


@pytest.mark.parametrize(("raw", "expected"), EVENT_DATES, ids=[r for r, _ in EVENT_DATES])
def test_event_dates_keep_their_precision_in_iso_8601(raw, expected):
    assert pagemeta.event_dates(parse_event_date(raw)) == expected


# (path, schema.org type, properties it must have)
KINDS = [
    ("", "WebSite", ["name", "url", "inLanguage", "description"]),
    ("articles/rewind-ai-2024/", "BlogPosting", ["headline", "datePublished", "dateModified", "url", "isPartOf"]),
    (
        "articles/trung-quoc-thuc-day-ma-nguon-mo/",
        "NewsArticle",
        ["headline", "datePublished", "dateModified", "isBasedOn", "publisher", "inLanguage"],
    ),
    ("timeline/", "CollectionPage", ["name", "mainEntity", "dateModified", "inLanguage"]),
    ("topics/open-models/", "CollectionPage", ["name", "about", "inLanguage"]),
    ("entities/nvidia/", "Organization", ["name", "description", "url", "alternateName"]),
    ("entities/tim-wang/", "Person", ["name", "description", "url"]),
    ("entities/deepseek-r1/", "SoftwareApplication", ["name", "description", "url"]),
    ("glossary/", "DefinedTermSet", ["name", "hasDefinedTerm", "inLanguage", "dateModified"]),
    ("about/", "WebPage", ["name", "url", "inLanguage", "dateModified"]),
    ("articles/", "CollectionPage", ["name", "url", "inLanguage"]),
]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize(("path", "schema_type", "required"), KINDS, ids=[k[0] or "home" for k in KINDS])
def test_each_page_has_json_ld_of_its_kind_and_open_graph(built_site, lang, path, schema_type, required):
    data = extracted(built_site, lang, path)
    [item] = data["json-ld"]
    assert item["@context"] == "https://schema.org" and item["@type"] == schema_type
    missing = [p for p in required if not item.get(p) and not (item.get("mainEntityOfPage") and p == "url")]
    assert not missing, missing
    assert item.get("inLanguage", lang) == lang
    [og] = data["opengraph"]
    url = SITE_URL + LANGS[lang] + path
    assert og["og:url"] == url and og["og:title"] and og["og:description"]
    assert og["@type"] == ("article" if path.startswith("articles/") and path != "articles/" else "website")
    assert (og["og:locale"], og["og:locale:alternate"]) == (("vi_VN", "en_US") if lang == "vi" else ("en_US", "vi_VN"))
    head = lxml.html.fromstring(page_html(built_site, lang, path)).head
    meta = {m.get("name"): m.get("content") for m in head.iter("meta") if m.get("name")}
    assert meta["twitter:card"] == "summary" and meta["twitter:title"] == og["og:title"]
    assert meta["description"] == og["og:description"] == meta["twitter:description"]


@pytest.mark.parametrize("lang", LANGS)
def test_articles_are_based_on_their_original_and_dated(built_site, lang):
    for article in PROJECT.articles:
        [item] = extracted(built_site, lang, f"articles/{article.slug}/")["json-ld"]
        assert item.get("isBasedOn") == article.meta.url  # only where the metadata gives the address
        assert item["datePublished"] == article.meta.published.iso()
        assert item["headline"] and len(item["headline"]) <= 110
        assert (item.get("author") or {}).get("name") == article.meta.author
        assert (item["@type"] == "NewsArticle") == bool(article.meta.publisher)


@pytest.mark.parametrize("lang", LANGS)
def test_timeline_events_and_glossary_terms_are_all_described(built_site, lang):
    [timeline] = extracted(built_site, lang, "timeline/")["json-ld"]
    items = [e["item"] for e in timeline["mainEntity"]["itemListElement"]]
    assert [e["@id"].rsplit("#", 1)[1] for e in items] == [e.id for e in K.events]
    for item, event in zip(items, K.events, strict=True):
        assert item["@type"] == "Event" and item["name"] == event.title[lang]
        assert item | pagemeta.event_dates(event.date) == item  # the date at its precision
        section = f"#{event.source.section}" if event.source.section else ""
        assert item["subjectOf"]["url"] == f"{SITE_URL}{LANGS[lang]}articles/{event.source.article}/{section}"
    [glossary] = extracted(built_site, lang, "glossary/")["json-ld"]
    terms = {t["termCode"]: t for t in glossary["hasDefinedTerm"]}
    assert set(terms) == set(K.terms)
    for term_id, term in terms.items():
        assert term["@type"] == "DefinedTerm" and term["name"] == K.terms[term_id].term[lang]
        assert term["inDefinedTermSet"] == glossary["@id"] and term["description"]


def test_every_page_has_json_ld_and_a_description(built_site):
    for page in sorted(built_site.rglob("index.html")):
        if "seeds" in page.parts or "pagefind" in page.parts:
            continue
        text = page.read_text(encoding="utf-8")
        data = extruct.extract(text, base_url=SITE_URL, syntaxes=["json-ld"], uniform=True)
        assert len(data["json-ld"]) == 1, page
        assert re.search(r'<meta name="description" content="[^"]+">', text), page


# --------------------------------------------------------------------------
# hreflang, sitemap dates, citations
# --------------------------------------------------------------------------


def hreflang(text: str) -> dict[str, str]:
    head = lxml.html.fromstring(text).head
    return {link.get("hreflang"): link.get("href") for link in head.iter("link") if link.get("hreflang")}


@pytest.mark.parametrize("path", [k[0] for k in KINDS] + ["translations/", "entities/"])
def test_hreflang_links_pair_the_page_in_both_languages(built_site, path):
    vi, en = hreflang(page_html(built_site, "vi", path)), hreflang(page_html(built_site, "en", path))
    expected = {"vi": SITE_URL + path, "en": SITE_URL + "en/" + path, "x-default": SITE_URL + path}
    assert vi == en == expected
    for url in expected.values():
        assert (built_site / url.removeprefix(SITE_URL) / "index.html").is_file(), url
    # Material's script fetches a sitemap beside every link[rel=alternate] (an exact match): none match.
    doc = lxml.html.fromstring(page_html(built_site, "vi", path))
    assert not doc.xpath('//link[@rel="alternate"][@hreflang]')
    assert all(link.get("rel").split() == ["alternate"] for link in doc.xpath("//link[@hreflang]"))


@pytest.mark.parametrize("lang", LANGS)
def test_sitemap_lastmod_is_the_date_each_page_shows(built_site, lang):
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ET.parse(built_site / LANGS[lang] / "sitemap.xml")
    checked = 0
    for url in tree.getroot().findall("s:url", ns):
        loc = url.findtext("s:loc", namespaces=ns)
        lastmod = url.findtext("s:lastmod", namespaces=ns)
        doc = lxml.html.fromstring((built_site / loc.removeprefix(SITE_URL) / "index.html").read_bytes())
        shown = classed(doc, "kb-updated", "//time")
        assert (shown[0].get("datetime") if shown else None) == lastmod, loc
        checked += bool(lastmod)
    assert checked > 100


def test_shown_dates_follow_the_repository_history(built_site):
    """An article shows when its seed was added (its first commit) and when its files last changed."""
    d = dates.PageDates(PROJECT, K, {})
    for article in PROJECT.articles:
        text = page_html(built_site, "en", f"articles/{article.slug}/")
        added = d.added(article)
        if d.history is None:  # a tarball or a shallow clone: nothing is claimed
            assert "Added here" not in text
            continue
        assert f"<strong>Added here:</strong> {UIS['en'].date(dates.pubdate(added))}" in text
        changed = d.article(article, "en")
        assert f'<time datetime="{changed.isoformat()}">' in text
        assert changed >= added


CITED = ["articles/rewind-ai-2024/", "timeline/", "entities/nvidia/", "glossary/", "topics/open-models/", "about/"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("path", CITED)
def test_cited_pages_offer_a_citation_in_their_language(built_site, lang, path):
    ui = UIS[lang]
    doc = lxml.html.fromstring(page_html(built_site, lang, path))
    [box] = classed(doc, "kb-cite")
    assert box.xpath(".//summary")[0].text_content() == ui("cite_title")
    title = doc.findtext(".//title").removesuffix(f" - {SITE_NAMES[lang]}")
    url = SITE_URL + LANGS[lang] + path
    placeholder = ui("cite_accessed_placeholder")
    assert box.get("data-kb-placeholder") == placeholder
    text = classed(box, "kb-cite-text", "//code")[0].text_content()
    shown = classed(doc, "kb-updated", "//time")[0].text_content()
    assert text == ui("cite_text", title=title, date=shown, site=SITE_NAMES[lang], url=url, accessed=placeholder)
    bibtex = classed(box, "kb-cite-bibtex", "//code")[0].text_content()
    assert re.match(r"@misc\{[a-z]+-[a-z0-9-]+,\n", bibtex) and f"\\url{{{url}}}" in bibtex
    assert f"urldate      = {{{placeholder}}}" in bibtex and bibtex.rstrip().endswith("}")


@pytest.mark.parametrize("path", ["", "articles/", "entities/", "translations/"])
def test_lists_show_their_date_but_offer_no_citation(built_site, path):
    for lang in LANGS:
        doc = lxml.html.fromstring(page_html(built_site, lang, path))
        assert not classed(doc, "kb-cite")
        assert classed(doc, "kb-updated")[0].text_content().startswith(UIS[lang]("last_updated") + ": ")


SITEMAP = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
    <url>
         <loc>http://x/a/</loc>
         <lastmod>2026-01-01</lastmod>
    </url>
    <url>
         <loc>http://x/b/</loc>
         <lastmod>2026-01-01</lastmod>
    </url>
    <url>
         <loc>http://x/c/</loc>
         <lastmod>2026-01-01</lastmod>
    </url>
</urlset>"""


def test_sitemap_lastmod_is_replaced_removed_or_kept():
    text = pagemeta.sitemap_lastmod(SITEMAP, {"http://x/a/": dt.date(2024, 5, 6), "http://x/b/": None})
    tree = ET.fromstring(text)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    got = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns) for u in tree}
    assert got == {"http://x/a/": "2024-05-06", "http://x/b/": None, "http://x/c/": "2026-01-01"}
