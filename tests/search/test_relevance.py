"""Search as a reader uses it (issue 21): the relevance set's floors, excerpts, and the issue's examples.

Every query of tests/search/relevance.yml and those generated from the data run once, in one
Chromium, through the built site's own search dialog (kb.search.relevance).
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from kb.search import pagefind, relevance
from tests.conftest import ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def outcomes(built_site: Path) -> dict[tuple[str, str], relevance.Outcome]:
    queries, _ = relevance.all_queries(ROOT)
    return {(o.query.lang, o.query.text): o for o in relevance.run(built_site, queries)}


@pytest.fixture(scope="module")
def visible(built_site: Path) -> dict[str, str]:
    """Each indexed page's visible text as Pagefind stores it: its text less the words added for the indexer."""
    pages = {}
    for data in pagefind.stored_pages(built_site).values():
        tokens = data["content"].split()
        hidden = int(data["meta"].get("kbh", "0"))
        pages[data["url"]] = " ".join(tokens[: len(tokens) - hidden])
        # What is cut off is exactly the words added for the indexer (the attribute Pagefind read).
        page = (built_site / data["url"].lstrip("/") / "index.html").read_text(encoding="utf-8")
        added = re.search(r'data-kb-terms="([^"]*)"', page)
        expected = html.unescape(added.group(1)) if added else ""
        assert " ".join(tokens[len(tokens) - hidden :]).removesuffix(".") == expected, data["url"]
    return pages


def test_every_group_is_at_or_above_its_floor(outcomes):
    _, floors = relevance.load_set(ROOT / relevance.SET)
    figures = relevance.scores(list(outcomes.values()))
    print("\n" + relevance.table(figures, floors))
    assert len(outcomes) >= 150
    assert set(floors) == {o.query.group for o in outcomes.values()}  # every group has a floor
    assert not relevance.below_floors(figures, floors)


META_LINE = re.compile(r"(Ngày đăng|Tác giả|Nơi đăng|Published|Author|Publisher):")


def test_excerpts_are_the_pages_visible_text_never_hidden_words_or_the_metadata_line(outcomes, visible):
    checked = 0
    for outcome in outcomes.values():
        for shown in outcome.shown:
            page = visible[shown.url]
            for excerpt in shown.excerpts:
                text = excerpt.removeprefix("… ").removesuffix(" …")
                assert text and text in page, (outcome.query.text, shown.url, excerpt)
                assert not META_LINE.search(text), (outcome.query.text, shown.url, excerpt)
                checked += 1
    assert checked > 1000


def _first(outcomes, lang: str, query: str) -> list[str]:
    return [s.url for s in outcomes[(lang, query)].shown]


@pytest.mark.parametrize(
    ("lang", "query", "first"),
    [
        ("vi", "dinh kien", "/articles/tri-tue-nhan-tao-tao-sinh/"),  # the article that uses "định kiến"
        ("vi", "định kiến", "/articles/tri-tue-nhan-tao-tao-sinh/"),
        ("vi", "dau tu", "/topics/business-investment/"),  # "Kinh doanh và đầu tư"
        ("vi", "đầu tư", "/topics/business-investment/"),
        ("en", "investment", "/en/topics/business-investment/"),
        ("vi", "quantization", "/glossary/"),  # the term's own entry, by its English name
        ("en", "lượng tử hóa", "/en/glossary/"),  # and by its Vietnamese one
        ("vi", "deepseek r1", "/entities/deepseek-r1/"),
        ("vi", "Business and investment", "/topics/business-investment/"),
    ],
)
def test_the_issues_examples_come_first(outcomes, lang, query, first):
    assert _first(outcomes, lang, query)[0] == first, _first(outcomes, lang, query)[:5]


def test_quantization_excerpt_is_the_sentence_that_uses_the_term(outcomes):
    shown = outcomes[("vi", "quantization")].shown[0]
    assert shown.subs[0] == "/glossary/#quantization"  # the sub-result is the term's own entry
    assert "danh day diem" not in " ".join(shown.excerpts)  # the words added for "đ" (issue 21's example)


@pytest.mark.parametrize(
    ("lang", "query"), [("vi", "mô hình suy luận"), ("vi", "mo hinh suy luan"), ("en", "Reasoning models")]
)
def test_the_home_page_is_no_result_for_a_topic_word(outcomes, lang, query):
    assert ("/en/" if lang == "en" else "/") not in _first(outcomes, lang, query)


def test_a_sub_result_links_to_the_section_that_matched(outcomes):
    shown = outcomes[("vi", "giai nobel")].shown[0]
    assert shown.url == "/articles/rewind-ai-2024/"
    assert shown.subs[0] == "/articles/rewind-ai-2024/#tri-tue-nhan-tao-len-ngoi-tren-san-khau-trao-giai-nobel"
    assert any(m.lower() == "nobel" for m in shown.marks)


@pytest.mark.parametrize(
    ("text", "typo"),
    [
        ("định kiến", "đính kiến"),  # nặng typed as sắc
        ("lập luận", "lấp luận"),  # the tone after the letter's other mark: NFC composes it
        ("mã nguồn mở", "mả nguồn mở"),  # ngã and hỏi, confused
        ("bản quyền", "bãn quyền"),
        ("tác nhân", "tàc nhân"),
        ("AI", None),  # no tone to mistype
        ("dau tu", None),
    ],
)
def test_a_mistyped_tone_is_the_first_tone_swapped(text, typo):
    assert relevance.mistype(text) == typo


def test_queries_generated_from_the_data_name_their_own_entries():
    from kb.site import pages

    k = pages.load_site(ROOT, "vi").knowledge
    queries = {(q.lang, q.group, q.text): q.expect for q in relevance.generated(k)}
    assert queries[("vi", "vi-marked", "Kinh doanh và đầu tư")] == ("topics/business-investment/",)
    assert queries[("vi", "vi-bare", "kinh doanh va dau tu")] == ("topics/business-investment/",)
    assert queries[("vi", "cross-language", "Business and investment")] == ("topics/business-investment/",)
    assert queries[("en", "cross-language", "lượng tử hóa")] == ("glossary/",)
    assert queries[("vi", "typos", "lướng tử hóa")] == ("glossary/",)
    assert queries[("en", "entities", "DeepMind")] == ("entities/google-deepmind/",)
    # "AI tạo sinh" is a topic's and a term's name: either page is its own entry.
    assert queries[("vi", "vi-marked", "AI tạo sinh")] == ("glossary/", "topics/generative-ai/")
    assert all(q.isascii() for (_, group, q) in queries if group == "vi-bare")
