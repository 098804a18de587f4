"""Past their limits, long lists split into pages: no page lists every other page.

The real site is below every limit; a synthetic corpus with the limits lowered
exercises the split pages through a real strict build (so every pager link
and every moved event anchor must resolve).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

import pytest

from kb.bench.corpus import make_corpus
from kb.content.project import load_project
from kb.knowledge.facts import ENTITY_TYPES
from kb.site import paging
from tests.conftest import ROOT, build_with_limits

SMALL = paging.Limits(articles=6, timeline=10, events_per_page=5, listed=3, entities=10, rows=9, sources=4)


@pytest.fixture(scope="module")
def split_site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("scaling") / "kb"
    make_corpus(root, 24, source_root=ROOT)
    site = build_with_limits(root, SMALL)
    return root, site


def _html(site: Path, path: str) -> str:
    return (site / path / "index.html").read_text(encoding="utf-8")


def _content(html: str) -> str:
    return html[html.index('<article class="md-content__inner') : html.index("</article>")]


def test_articles_split_by_year_and_into_pages(split_site):
    root, site = split_site
    articles = load_project(root).articles
    index = _content(_html(site, "articles/"))
    assert len(re.findall(r'href="[^"]+/"><strong>|<li><strong><a', index)) <= 20
    years = sorted({a.meta.published.value.year for a in articles})
    for year in years:
        assert f'href="{year}/"' in index
    listed = 0
    for page in sorted((site / "articles").glob("[0-9][0-9][0-9][0-9]/**/index.html")):
        items = re.findall(r"<li><strong><a ", _content(page.read_text(encoding="utf-8")))
        assert len(items) <= SMALL.articles, page
        listed += len(items)
    assert listed == len(articles)  # every article is on exactly one year page


PAGES = [
    "index.md",
    "timeline.md",
    "timeline/2024.md",
    "timeline/2024/2.md",
    "entities/openai.md",
    "entities/openai/articles.md",
    "entities/openai/articles/3.md",
    "topics/x/articles/2.md",
    "a.md",
    "a/a.md",
    "a/a/a.md",
    "ab/a.md",
    "a/ab.md",
]


@pytest.mark.parametrize("from_src", PAGES)
def test_link_is_the_relative_path_between_pages(from_src):
    for to_src in PAGES:
        assert paging.link(from_src, to_src) == posixpath.relpath(to_src, posixpath.dirname(from_src) or ".")


def test_timeline_splits_by_year_and_articles_link_to_the_right_page(split_site):
    _, site = split_site
    timeline = _content(_html(site, "timeline/"))
    assert "kb-chart" in timeline and 'class="kb-event"' not in timeline
    assert not re.search(r"<h3 id=", timeline)  # no event on the index page
    pages = sorted((site / "timeline").glob("*/**/index.html"))
    assert pages
    for page in pages:
        assert len(re.findall(r"<h3 id=", _content(page.read_text(encoding="utf-8")))) <= SMALL.events_per_page


def test_topic_and_entity_pages_show_the_newest_and_link_to_all(split_site):
    _, site = split_site
    for folder in ("topics", "entities"):
        for page in (site / folder).glob("*/index.html"):
            content = _content(page.read_text(encoding="utf-8"))
            if "/articles/" not in str(page):
                events = re.findall(r"<h3 id=", content)
                assert len(events) <= SMALL.listed, page
    long_lists = list((site / "topics").glob("*/articles/index.html"))
    assert long_lists, "a topic with more articles than the limit has its own list"


def test_entities_and_translation_status_split(split_site):
    _, site = split_site
    index = _content(_html(site, "entities/"))
    assert 'href="kind-organization/"' in index and len(re.findall(r"<li>", index)) <= len(ENTITY_TYPES)
    for page in (site / "translations").glob("**/index.html"):
        rows = re.findall(r"<tr>", _content(page.read_text(encoding="utf-8")))
        assert len(rows) <= SMALL.rows + 1, page  # and the header row
    assert (site / "translations/2/index.html").exists()


def test_the_sidebar_does_not_grow_with_the_content(split_site):
    _, site = split_site
    page = _html(site, "articles/")
    # The navigation's own entries (mkdocs.yml) and the page's few headings, however many articles there are.
    sections = len(re.findall(r"^  - [^:\n]+: \S+\.md$", (ROOT / "mkdocs.yml").read_text(encoding="utf-8"), re.M))
    assert sections >= 8
    assert len(re.findall(r'class="md-nav__item', page)) <= sections + 4


def test_split_pages_count_in_the_right_number_in_english(split_site):
    """'1 event', '2 events': the English counts of the split pages agree with their number."""
    _, site = split_site
    years = _content(_html(site, "en/timeline/"))
    counts = re.findall(r"· (\d+) (events?)\b", years)
    assert counts
    assert all((n == "1") == (word == "event") for n, word in counts), counts


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        ("{count} {count|event|events}", {"count": 1}, "1 event"),
        ("{count} {count|event|events}", {"count": 0}, "0 events"),
        ("{count} {count|event|events}", {"count": 21}, "21 events"),
        ("{a} {a|article|articles} · {e} {e|event|events}", {"a": 1, "e": 3}, "1 article · 3 events"),
        ("{count} sự kiện", {"count": 1}, "1 sự kiện"),
        ("no values", {}, "no values"),
    ],
)
def test_ui_plural_forms(template, values, expected):
    from kb.site.ui import UI

    assert UI("en", {"key": template})("key", **values) == expected


def test_downloads_point_each_event_to_the_timeline_page_that_holds_it(split_site):
    """Past the limit, an event's address in the downloads is its year page (and its anchor there)."""
    import csv
    import json

    _, site = split_site
    for lang_dir in ("", "en/"):
        base = json.loads((site / lang_dir / "downloads/events.json").read_text(encoding="utf-8"))["site"]
        with (site / lang_dir / "downloads/events.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        assert len(rows) > SMALL.timeline
        for row in rows:
            address, anchor = row["url"].split("#")
            assert re.fullmatch(r"timeline/\d{4}/(\d+/)?", address.removeprefix(base)), row["url"]
            page = _html(site / lang_dir, address.removeprefix(base))
            assert f'id="{anchor}"' in page
        year_page = _content(_html(site / lang_dir, "timeline/2024/"))
        assert re.search(r'href="(\.\./)+downloads/events\.csv"', year_page)
