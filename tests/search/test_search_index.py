"""Search bundle and anchors: one Pagefind bundle, extra words per page, ASCII ids; Material pinned."""

from __future__ import annotations

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

import pytest

from kb.search import pagefind
from kb.site import knowledge_pages, pages
from kb.textutil import slugify
from tests.conftest import ROOT

MATERIAL = Path(__import__("material").__file__).parent / "templates" / "partials"


def test_material_is_the_version_our_overrides_were_made_for():
    """Our partials copy Material's; an upgrade must re-check them."""
    assert version("mkdocs-material") == "9.8.1"
    originals = {
        "header.html": "8cf3fb15bcf969ff596649616fd99366b3c31c08d57a86d05308efc16d8fa75f",
        "alternate.html": "572b1d4dae611aa5fd65107edec95e44331b6141abf86834ea4dc6c1ddd7241b",
        "../base.html": "8536d352b0093623df9e0032894f321cbe264b15a9b48cdd962583772455dadb",  # main.html's block
    }
    for name, digest in originals.items():
        assert hashlib.sha256((MATERIAL / name).read_bytes()).hexdigest() == digest, f"Material's {name} changed"


def _content_pages(site: Path) -> list[Path]:
    return [p for p in site.rglob("*.html") if "data-pagefind-body" in p.read_text(encoding="utf-8")]


def test_a_pagefind_bundle_at_each_language_root_with_its_pages(built_site):
    pages = _content_pages(built_site)
    english = [p for p in pages if p.is_relative_to(built_site / "en")]
    for lang, bundle, count in (("vi", "pagefind", len(pages) - len(english)), ("en", "en/pagefind", len(english))):
        entry = json.loads((built_site / bundle / "pagefind-entry.json").read_text(encoding="utf-8"))
        assert entry["version"] == version("pagefind")
        assert {name: language["page_count"] for name, language in entry["languages"].items()} == {lang: count}
    assert not (built_site / "search").exists() and not (built_site / "en" / "search").exists()  # no lunr index


def _indexed(site: Path) -> dict[str, str]:
    """What Pagefind stored of each page it indexed: URL -> the page's indexed text."""
    return {url: data["content"] for url, data in pagefind.stored_pages(site).items()}


def test_lists_are_left_out_of_the_index_and_content_pages_are_in(built_site):
    """What a list repeats is found on its own page; every list page left in would swell the index chunks."""
    indexed = _indexed(built_site)
    for lang in ("", "en/"):
        for url in ("", "about/", "glossary/", "timeline/", "articles/rewind-ai-2024/", "entities/openai/"):
            assert f"/{lang}{url}" in indexed
        for url in ("articles/", "translations/", "topics/", "entities/"):
            assert f"/{lang}{url}" not in indexed
    assert any(url.startswith("/topics/") and url != "/topics/" for url in indexed)  # name and introduction
    # The OpenAI page lists events and articles found elsewhere: only its own text is indexed.
    openai, timeline = indexed["/entities/openai/"], indexed["/timeline/"]
    html = (built_site / "entities/openai/index.html").read_text(encoding="utf-8")
    listed = re.findall(r'<li><a href="../../articles/[^"]+">([^<]+)</a>', html)
    assert listed and not any(title in openai for title in listed)
    assert "OpenAI" in openai
    # The timeline keeps each event's title and description, not its source line.
    assert "Nguồn:" not in timeline and "OpenAI" in timeline
    # An article is found by its own text, not by the events and related articles listed after it.
    article = indexed["/articles/rewind-ai-2024/"]
    html = (built_site / "articles/rewind-ai-2024/index.html").read_text(encoding="utf-8")
    related = re.findall(r'<li><a href="../([a-z0-9-]+)/">([^<]+)</a>', html)
    events = re.findall(r'<li>[^<]*<a href="../../timeline/[^"]*">([^<]+)</a>', html)
    assert related and events
    body = re.sub(r"<[^>]+>", "", html.split('<article class="md-content__inner', 1)[1].split("<hr", 1)[0])
    listed_only = [title for _, title in related] + [title for title in events if title not in body]
    assert len(listed_only) > 10  # (one event's title is also a sentence of the article: that one is found)
    assert not [title for title in listed_only if title in article]
    assert "ChatGPT" in article


def _extra_words(page: Path) -> str:
    html = page.read_text(encoding="utf-8")
    found = re.findall(r'data-pagefind-index-attrs="data-kb-terms" data-kb-terms="([^"]*)"', html)
    assert len(found) == 1, page
    return found[0]


def test_pages_carry_their_d_words_folded_and_other_language_terms(built_site):
    rewind = _extra_words(built_site / "articles/rewind-ai-2024/index.html")
    assert "con duong phia" in rewind  # "con đường phía trước": Pagefind folds tones, not đ
    generative = _extra_words(built_site / "articles/tri-tue-nhan-tao-tao-sinh/index.html")
    assert "dinh kien" in generative  # "định kiến": found as a phrase typed without marks
    assert "ngay dang" not in rewind  # the metadata line ("Ngày đăng: ...") is not indexed
    efficiency = _extra_words(built_site / "articles/state-of-ai-report-2024/index.html")
    assert "quantization" in efficiency and "distillation" in efficiency
    agents = _extra_words(built_site / "en/topics/ai-agents/index.html")
    assert "tác nhân AI" in agents
    assert "đ" not in rewind


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("con đường phía trước", ["đường"]),
        ("Đà Nẵng và đi đến", ["Đà", "đi", "đến"]),
        ("đường-đi, (đâu)?", ["đường", "đi", "đâu"]),
        ("ĐĐđ đ", ["ĐĐđ", "đ"]),  # one word however many đ it holds
        ("x_đ1 2đ", ["x_đ1", "2đ"]),  # \w: letters, digits, underscore
        ("modelđ", ["modelđ"]),
        ("không có chữ nào", []),
        ("", []),
    ],
)
def test_d_words_are_the_whole_words_holding_d(text, words):
    assert pagefind.d_words(text) == words
    assert pagefind.d_words(text) == re.findall(r"\w*[đĐ]\w*", text)  # the plain pattern it replaces


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("AI có định kiến, và", ["co dinh kien"]),  # the word before and after each "đ" word, folded
        ("đầu tư", ["dau tu"]),  # at the start of the text
        ("vốn đầu", ["von dau"]),  # at its end
        ("và đầu tư vào Đà Nẵng, đó là", ["va dau tu", "vao da nang do la"]),  # runs that touch are one
        ("a đi b. c đi b. a đi b", ["a di b", "c di b"]),  # a run met again is given once
        ("không có chữ nào", []),
        ("", []),
    ],
)
def test_d_phrases_are_each_d_word_with_its_neighbours_folded(text, phrases):
    assert pagefind.d_phrases(text) == phrases


@pytest.mark.parametrize(
    ("html", "indexed"),
    [
        ('<p>a</p><div class="kb-noindex"><div>x</div><p>y</p></div><p>b</p>', "<p>a</p> <p>b</p>"),
        ('<span class="kb-small kb-noindex">x</span>z', " z"),  # one class among others
        ('<div class="kb-meta"><p>Ngày đăng</p></div>t', " t"),  # the article's metadata line
        ('<h2>T<a class="headerlink" href="#t">¶</a></h2>', "<h2>T </h2>"),
        ('<div class="kb-noindexed">k</div>', '<div class="kb-noindexed">k</div>'),  # not the class
        ('<div class="kb-noindex">never closed', " "),
    ],
)
def test_indexed_html_leaves_out_what_pagefind_leaves_out(html, indexed):
    assert pagefind.indexed_html(html) == indexed


def test_hidden_terms_say_how_many_words_they_add_and_what_the_page_is_the_entry_of():
    html = pagefind.hidden_terms("<p>có định kiến</p>", ["bias"], "=Định kiến|bias")
    assert 'data-kb-terms="co dinh kien bias"' in html and 'data-pagefind-meta="kbh:4"' in html
    assert 'data-pagefind-meta="kbnames:=Định kiến|bias"' in html
    assert pagefind.hidden_terms("<p>AI</p>", [], "") == ""
    assert pagefind.hidden_terms('<p>"&<</p>', ['a "b" & <c>'], "") == (
        '<span class="kb-search-terms" data-pagefind-index-attrs="data-kb-terms" '
        'data-kb-terms="a &quot;b&quot; &amp; &lt;c>" data-pagefind-meta="kbh:4"></span>'
    )


def test_own_names_are_a_topics_an_entitys_and_the_glossarys_terms():
    k = pages.load_site(ROOT, "vi").knowledge
    assert pagefind.own_names(k, "topics/business-investment.md") == "=Kinh doanh và đầu tư|Business and investment"
    assert pagefind.own_names(k, "entities/google-deepmind.md") == "=Google DeepMind|DeepMind"
    glossary = dict(e.split("=") for e in pagefind.own_names(k, "glossary.md").split(";"))
    assert glossary["quantization"].split("|")[:2] == ["lượng tử hóa", "quantization"]
    assert set(glossary) == set(k.terms)
    for page in ("index.md", "articles/rewind-ai-2024.md", "topics/index.md", "entities/nope.md", "timeline.md"):
        assert pagefind.own_names(k, page) == ""


def test_a_pages_search_terms_come_from_what_is_indexed_not_its_lists():
    site = pages.load_site(ROOT, "vi")
    terms = site.knowledge.terms
    listed, described = terms["quantization"], terms["ai-agent"]
    text = f"Trang này nói về {described.term['vi']}.\n\n" + knowledge_pages.not_indexed(
        f"### 2024 · Một sự kiện {{#e}}\n\nNhờ {listed.term['vi']}."  # an event, as topic pages list them
    )
    assert pages.indexed_terms(site.knowledge, site.lang, text) == {"ai-agent"}
    assert pages.indexed_terms(site.knowledge, site.lang, text.replace("kb-noindex", "kb-other")) == {
        "ai-agent",
        "quantization",
    }


def test_search_code_is_not_loaded_until_a_reader_searches(built_site):
    page = (built_site / "articles/rewind-ai-2024/index.html").read_text(encoding="utf-8")
    assert 'data-bundle="../../pagefind/"' in page
    assert "pagefind-ui.js" not in page and "pagefind.js" not in page
    english = (built_site / "en/articles/rewind-ai-2024/index.html").read_text(encoding="utf-8")
    assert 'data-bundle="../../pagefind/"' in english  # its language's own bundle, at /en/pagefind/


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Đường đi của Nguyễn", "duong-di-cua-nguyen"),
        ('AI "tác nhân" lên ngôi', "ai-tac-nhan-len-ngoi"),
        ("1.1. Lịch sử", "1-1-lich-su"),
        ("Cuộc chiến Mỹ-Trung", "cuoc-chien-my-trung"),
    ],
)
def test_heading_anchors_are_readable_ascii(heading, anchor):
    assert slugify(heading) == anchor


def test_every_id_in_the_built_site_is_ascii_and_unique_on_its_page(built_site):
    for page in built_site.rglob("*.html"):
        ids = re.findall(r'\sid="([^"]+)"', page.read_text(encoding="utf-8"))
        assert all(i.isascii() for i in ids), page
        assert len(ids) == len(set(ids)), (page, [i for i in ids if ids.count(i) > 1][:3])
