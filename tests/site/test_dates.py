"""When pages last changed and when articles were added: from git history with known commit dates, or
from the data when there is no history (kb.site.dates)."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from kb.content.project import load_project
from kb.knowledge.facts import load_knowledge
from kb.site import dates, pages

ARTICLE = "rewind-ai-2024"  # seeds/000_…, cited by timeline events, mentions entities
OTHER = "tri-tue-nhan-tao-tao-sinh"


def git(root: Path, *args: str, when: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org"}
    env |= {"GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org"}
    if when:
        env |= {"GIT_COMMITTER_DATE": when, "GIT_AUTHOR_DATE": when}
    return subprocess.run(
        ["git", "-C", str(root), *args], check=True, capture_output=True, text=True, encoding="utf-8", env=env
    ).stdout


def commit(root: Path, paths: list[str], when: str, message: str = "change") -> None:
    git(root, "add", "--", *paths)
    git(root, "commit", "-q", "-m", message, when=when)


def touch(root: Path, path: str, text: str = "\n") -> None:
    with (root / path).open("a", encoding="utf-8") as f:
        f.write(text)


def page_dates(root: Path) -> dates.PageDates:
    project = load_project(root)
    k = load_knowledge(project)
    return dates.PageDates(project, k, pages.mentions(project, k))


def seed_of(root: Path, slug: str) -> tuple[str, str]:
    article = load_project(root).article(slug)
    return (f"seeds/{article.seed.name}", f"seeds/{article.meta_path.name}")


@pytest.fixture
def history(project: Path) -> Path:
    """The project copy in a git repository: everything committed on 2024-01-10, then an article's seed
    metadata on 2024-03-05, events.yml on 2024-05-20 and the other article's English translation on 2024-06-01."""
    git(project, "init", "-q")
    commit(project, ["."], "2024-01-10T09:00:00+00:00", "all")
    _seed, meta = seed_of(project, ARTICLE)
    touch(project, meta)
    commit(project, [meta], "2024-03-05T23:30:00-05:00")  # 2024-03-06 in UTC
    touch(project, "data/events.yml")
    commit(project, ["data/events.yml"], "2024-05-20T08:00:00+07:00")
    touch(project, f"docs/en/articles/{OTHER}.md")
    commit(project, [f"docs/en/articles/{OTHER}.md"], "2024-06-01T12:00:00+00:00")
    return project


def test_git_history_gives_each_files_first_and_last_commit_in_utc(history: Path):
    seed, meta = seed_of(history, ARTICLE)
    files = dates.git_history(history)
    assert files[seed] == dates.FileHistory(dt.date(2024, 1, 10), dt.date(2024, 1, 10))
    assert files[meta] == dates.FileHistory(dt.date(2024, 1, 10), dt.date(2024, 3, 6))
    assert files["data/events.yml"].last == dt.date(2024, 5, 20)
    assert "mkdocs.yml" not in files  # only the content's folders date pages


LAST_CHANGED = [
    # (page, language, expected date): the newest commit of the files the page shows
    (f"articles/{ARTICLE}.md", "vi", dt.date(2024, 3, 6)),  # its metadata
    (f"articles/{ARTICLE}.md", "en", dt.date(2024, 3, 6)),
    (f"articles/{OTHER}.md", "vi", dt.date(2024, 1, 10)),  # its English translation does not date the original
    (f"articles/{OTHER}.md", "en", dt.date(2024, 6, 1)),
    ("timeline.md", "vi", dt.date(2024, 5, 20)),  # events.yml
    ("entities/openai.md", "en", dt.date(2024, 6, 1)),  # events.yml, and articles that mention it (translation)
    ("entities/index.md", "vi", dt.date(2024, 1, 10)),  # entities.yml only
    ("glossary.md", "en", dt.date(2024, 6, 1)),  # glossary.yml and the articles its terms cite
    ("glossary.md", "vi", dt.date(2024, 3, 6)),
    ("about.md", "vi", dt.date(2024, 3, 6)),  # its file, and the sources it lists
    ("articles/index.md", "vi", dt.date(2024, 3, 6)),
]


@pytest.mark.parametrize(("src_uri", "lang", "expected"), LAST_CHANGED, ids=[f"{c[0]}-{c[1]}" for c in LAST_CHANGED])
def test_a_page_changed_when_the_newest_file_it_shows_was_committed(history: Path, src_uri, lang, expected):
    assert page_dates(history).changed(src_uri, lang) == expected


def test_an_article_was_added_when_its_seed_was_first_committed(history: Path):
    d = page_dates(history)
    assert d.added(d.project.article(ARTICLE)) == dt.date(2024, 1, 10)


def test_an_uncommitted_file_has_its_own_data_date(history: Path):
    """A new article's files are not in the history yet: its page is dated by its metadata, and git does
    not know when it was added (no guess)."""
    seed, meta = seed_of(history, ARTICLE)
    git(history, "rm", "-q", "--cached", seed, meta)
    git(history, "commit", "-q", "-m", "untrack", when="2024-07-01T00:00:00+00:00")
    d = page_dates(history)
    article = d.project.article(ARTICLE)
    assert d.added(article) is None
    assert d.article(article, "vi") == article.meta.published.value.astimezone(dt.UTC).date()


def test_without_git_pages_are_dated_by_the_data_never_the_clock(project: Path):
    d = page_dates(project)
    assert d.history is None
    newest = max(a.meta.published.value.astimezone(dt.UTC).date() for a in d.project.articles)
    article = d.project.article(ARTICLE)
    assert d.changed(f"articles/{ARTICLE}.md", "vi") == dt.date(2024, 12, 26)
    assert d.added(article) is None
    # The timeline: the newest article its events cite; the entity index: nothing but the data, so the articles.
    assert d.changed("timeline.md", "vi") == newest
    assert d.changed("entities/index.md", "vi") == newest
    assert d.changed("topics/index.md", "vi") == newest
    # In English an article is also its translation, dated by its `translated`.
    translated = max(t.meta.translated.value.date() for a in d.project.articles for t in a.translations.values())
    assert d.changed("topics/index.md", "en") == max(newest, translated)
    # The glossary: the newest article its terms cite.
    cited = {t.source.article for t in load_knowledge(d.project).terms.values() if t.source}
    assert d.changed("glossary.md", "vi") == max(
        d.project.article(s).meta.published.value.astimezone(dt.UTC).date() for s in cited
    )


def test_a_shallow_clone_has_no_history(history: Path, tmp_path: Path):
    """Its oldest commit would claim to have added every file."""
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{history}", str(clone)], check=True, capture_output=True
    )
    assert dates.git_history(clone) is None
    assert dates.git_history(history) is not None
