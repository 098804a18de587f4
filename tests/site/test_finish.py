"""Finishing a page's HTML (kb.site.finish): sanitised, and marked up for the search indexer."""

from __future__ import annotations

import pytest

from kb.knowledge.facts import Knowledge
from kb.site import finish, pages
from tests.conftest import ROOT


@pytest.fixture(scope="module")
def knowledge() -> Knowledge:
    return pages.load_site(ROOT, "vi").knowledge


# (html, searchable, terms, markdown) -> what must and must not be in the finished Vietnamese page
CASES = [
    pytest.param(
        '<p>Bài <a href="javascript:alert(1)" onclick="x()">đây</a></p><script>alert(2)</script>',
        True,
        set(),
        "",
        ["<div data-pagefind-body><p>Bài <a>đây</a></p>", 'data-kb-terms="bai day"', 'data-pagefind-meta="kbh:2"'],
        ["javascript:", "onclick", "<script", "alert(2)"],
        id="active-content-removed-d-words-added-with-their-neighbours",
    ),
    pytest.param(
        "<p>Tác nhân AI làm việc.</p>",
        True,
        {"ai-agent"},
        "",
        ['data-kb-terms="AI agents AI agent"'],
        [],
        id="other-language-names-of-its-terms",
    ),
    pytest.param(
        "<p>Về AI tạo sinh.</p>",
        True,
        None,
        "Về AI tạo sinh.\n",
        ['data-kb-terms="generative artificial intelligence generative AI GenAI"'],
        [],
        id="terms-found-in-the-markdown",
    ),
    pytest.param(
        '<ul><li><a href="../x/">Đà Nẵng</a></li></ul><iframe src="https://e.com"></iframe>',
        False,
        {"ai-agent"},
        "",
        ['<ul><li><a href="../x/">Đà Nẵng</a></li></ul>'],
        ["data-pagefind-body", "kb-search-terms", "<iframe"],
        id="not-searchable-page-is-only-sanitised",
    ),
    pytest.param(
        '<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>',
        True,
        set(),
        "",
        ['<svg viewBox="0 0 10 10"><rect x="1" y="1" width="2" height="2" fill="#123"></rect></svg>'],
        ["kb-search-terms"],
        id="our-own-markup-kept-no-extra-words",
    ),
]


@pytest.mark.parametrize(("html", "searchable", "terms", "markdown", "present", "absent"), CASES)
def test_finish(knowledge, html, searchable, terms, markdown, present, absent):
    content = finish.PageWork("vi", knowledge).finish(html, searchable, terms, markdown)
    for text in present:
        assert text in content
    for text in absent:
        assert text not in content


def test_every_page_of_a_real_build_is_finished(built_site):
    """Each page's content went through the sanitiser and, for searchable pages, the indexer's markup."""
    articles = [p for p in built_site.glob("**/articles/*/index.html") if "/page/" not in str(p)]
    assert len(articles) >= 10  # both languages' articles were built, with their terms linked
    for page in articles:
        html = page.read_text(encoding="utf-8")
        assert "data-pagefind-body" in html and 'class="kb-term"' in html
