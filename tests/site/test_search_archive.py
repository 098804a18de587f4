"""The search archive: past the newest articles, older ones are indexed apart and searched only when needed.

A synthetic knowledge base of 24 articles is built with the main index holding
the newest 8 (``paging.LIMITS.searched_first`` lowered, as tests/bench lowers
the list limits), so the archive holds 16; the real five articles have no archive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from kb.bench.corpus import make_corpus
from kb.content.project import load_project
from kb.search import pagefind
from kb.site import paging
from kb.textutil import fold
from tests.conftest import ROOT, build_with_limits
from tests.site.conftest import Visit, serving

NEWEST = 8
LANGS = {"vi": "", "en": "en/"}


@pytest.fixture(scope="module")
def archived_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("archive") / "kb"
    make_corpus(root, 24, source_root=ROOT)
    site = build_with_limits(root, paging.Limits(searched_first=NEWEST))
    return root, site


@pytest.fixture(scope="module")
def archived_server(archived_site: tuple[Path, Path]) -> Iterator[str]:
    with serving(archived_site[1]) as url:
        yield url


def _stored(site: Path) -> tuple[dict[str, dict], dict[str, dict]]:
    """What the main bundles and the archives (of both languages) store of each page, by its address."""
    return pagefind.stored_pages(site, [""]), pagefind.stored_pages(site, [pagefind.ARCHIVE])


def _article_urls(slugs: list[str]) -> set[str]:
    return {f"/{root}articles/{slug}/" for slug in slugs for root in LANGS.values()}


@pytest.mark.parametrize(
    ("searched_first", "older"),
    [(3, ["d", "e"]), (5, []), (9, []), (1, ["b", "c", "d", "e"]), (0, ["b", "c", "d", "e"])],
)
def test_archived_are_the_articles_past_the_newest(monkeypatch, searched_first, older):
    class Article:
        def __init__(self, slug: str) -> None:
            self.slug = slug

    monkeypatch.setattr(paging, "LIMITS", paging.Limits(searched_first=searched_first))
    assert pagefind.archived([Article(s) for s in "abcde"]) == older  # newest first, as the project has them


def test_the_older_articles_are_in_the_archive_and_only_there(archived_site):
    root, site = archived_site
    articles = load_project(root).articles
    older = [a.slug for a in articles[NEWEST:]]
    main, archive = _stored(site)
    assert set(archive) == _article_urls(older)
    assert not set(main) & set(archive)
    assert _article_urls([a.slug for a in articles[:NEWEST]]) <= set(main)
    assert {"/", "/en/", "/glossary/", "/en/glossary/"} <= set(main)  # every other page is in the main index
    for lang, prefix in LANGS.items():
        entry = json.loads((site / prefix / "pagefind/archive/pagefind-entry.json").read_text(encoding="utf-8"))
        assert {name: language["page_count"] for name, language in entry["languages"].items()} == {lang: 16}
        page = (site / prefix / "index.html").read_text(encoding="utf-8")
        assert 'data-archive="archive/"' in page, lang


def test_a_small_site_has_no_archive(built_site):
    assert not (built_site / "pagefind" / "archive").exists() and not (built_site / "en/pagefind/archive").exists()
    assert 'data-archive=""' in (built_site / "index.html").read_text(encoding="utf-8")


def _open_search(v: Visit, url: str, query: str) -> list[str]:
    """Search ``query`` from ``url``; every request for the archive's files, from then on, into the list."""
    archive_requests: list[str] = []
    v.page.on(
        "request", lambda r: archive_requests.append(r.url) if "/pagefind/archive/" in urlparse(r.url).path else None
    )
    v.page.goto(url)
    v.page.click(".kb-search-open")
    v.page.fill(".kb-search__input", query)
    v.page.wait_for_function("q => document.getElementById('kb-search').dataset.kbSearched === q", arg=query)
    return archive_requests


def _shown(v: Visit) -> list[str]:
    return v.page.eval_on_selector_all(
        ".kb-search__results > .kb-search__result > .kb-search__title > a",
        "els => els.map(e => new URL(e.href).pathname)",
    )


def _count(v: Visit) -> int:
    return int(v.page.inner_text(".kb-search__message").split()[0])


NEWEST_SAYS = {"vi": "kết quả mới nhất cho", "en": "newest results for"}
ALL_SAYS = {"vi": "kết quả cho", "en": "results for"}


@pytest.mark.parametrize("lang", LANGS)
def test_a_common_query_shows_the_newest_results_then_the_archive_on_request(
    visit, archived_site, archived_server, lang
):
    """Enough results in the main index: the archive is not downloaded; the message says the results are the
    newest; "more" at their end searches the archive and adds its pages after them, none twice."""
    root, _ = archived_site
    older = _article_urls([a.slug for a in load_project(root).articles[NEWEST:]])
    query = "mô hình" if lang == "vi" else "model"
    v = visit()
    archive_requests = _open_search(v, archived_server + LANGS[lang], query)
    newest = _count(v)
    assert newest >= 10
    assert v.page.inner_text(".kb-search__message") == f"{newest} {NEWEST_SAYS[lang]} {query}"
    assert not archive_requests
    assert not set(_shown(v)) & older
    while v.page.locator(".kb-search__more").is_visible():
        # the dialog names the query again once the results "more" adds have all shown
        v.page.evaluate("delete document.getElementById('kb-search').dataset.kbSearched")
        v.page.click(".kb-search__more")
        v.page.wait_for_function("q => document.getElementById('kb-search').dataset.kbSearched === q", arg=query)
    shown = _shown(v)
    assert archive_requests
    assert len(shown) == len(set(shown)) == _count(v) > newest
    assert set(shown) & older
    assert set(shown[:newest]).isdisjoint(older)  # the archive's pages come after the newest results
    assert v.page.inner_text(".kb-search__message") == f"{len(shown)} {ALL_SAYS[lang]} {query}"
    assert not v.errors


def _rare_in_main(site: Path) -> str:
    """A word of an archived article found on fewer than ten pages of the main index (as the start of a word,
    marks ignored, as the engine matches a bare word)."""
    main, archive = _stored(site)
    words = lambda page: set(re.findall(r"[^\W\d_]{6,}", fold(page["content"])))  # noqa: E731
    main_words = [words(page) for url, page in main.items() if not url.startswith("/en/")]
    for url, page in sorted(archive.items()):
        if url.startswith("/en/"):
            continue
        for word in sorted(words(page)):
            if sum(any(w.startswith(word) for w in found) for found in main_words) < 3:
                return word
    raise AssertionError("no archived word is rare in the main index")


def test_a_query_with_few_newest_results_searches_the_archive_at_once(visit, archived_site, archived_server):
    """Fewer results than a page in the main index: the archive is searched with it, and the message counts both."""
    root, site = archived_site
    older = _article_urls([a.slug for a in load_project(root).articles[NEWEST:]])
    word = _rare_in_main(site)
    v = visit()
    archive_requests = _open_search(v, archived_server, word)
    shown = _shown(v)
    assert archive_requests
    assert set(shown) & older, (word, shown)
    assert v.page.inner_text(".kb-search__message").endswith(f"{ALL_SAYS['vi']} {word}")
    assert NEWEST_SAYS["vi"] not in v.page.inner_text(".kb-search__message")
    assert not v.errors
