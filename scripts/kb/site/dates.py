"""When each page's content last changed, and when each article was added: from git, or from the data.

A page's date is the newest date of the files it shows. A file's date is
the date of the last commit that touched it (``git log``, read once for the
whole project: one process however many articles there are); a file git
does not know (no repository, a shallow clone, a file not committed yet) has
the date its own data gives instead: an article's ``updated`` or
``published``, a translation's ``translated``, a page's ``updated``. Data
files (``data/*.yml``) have no date of their own, so without git a page made
from them takes the dates of the articles its items cite. Never the clock:
two builds of one tree give the same dates.

Which files a page shows (:meth:`PageDates.changed`):

- an article: its seed, its metadata and, in a language it is translated
  into, the translation;
- a page a person wrote: its file in that language (or the original a
  missing translation shows), plus the articles it lists (the home page's
  latest, the About page's sources);
- the timeline, topic, entity and glossary pages: the data files they are
  made from (per file, not per item: a change to one event dates every
  timeline page) and the articles whose titles and addresses they show;
- the lists of articles: the articles listed.

Interface strings and templates (``data/ui.yml``, ``overrides/``) are the
site's chrome, not a page's content: they date no page.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from kb.content.project import ARTICLES, Article, HumanPage, Project
from kb.content.schema import PubDate
from kb.knowledge.facts import Knowledge
from kb.site import article_pages, knowledge_pages, paging

# Folders whose history dates pages: the content, not the code.
HISTORY_FOLDERS = ("seeds", "docs", "data")
_RECORD = "\x1e"  # starts each commit in the log's output


@dataclass(frozen=True)
class FileHistory:
    """The dates of the first and the last commit that touched a file (UTC)."""

    first: dt.date
    last: dt.date


def git_history(root: Path, folders: tuple[str, ...] = HISTORY_FOLDERS) -> dict[str, FileHistory] | None:
    """Path relative to ``root`` -> its first and last commit dates; None without a usable history.

    Three git processes whatever the size of the project. A shallow clone's
    oldest commit would claim to have added every file: no history then.
    """
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "--show-toplevel", "--is-shallow-repository"],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        if head.returncode != 0:
            return None
        top, shallow = head.stdout.splitlines()[:2]
        if shallow.strip() != "false":
            return None
        prefix = root.resolve().relative_to(Path(top).resolve()).as_posix()
        log = subprocess.run(
            [
                "git",
                "-C",
                str(root),
                "-c",
                "core.quotepath=off",
                "log",
                f"--format={_RECORD}%cI",
                "--name-only",
                "--",
                *folders,
            ],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
        # Files committed and still tracked: a file removed from git keeps its past commits in the log.
        tracked = subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=off", "ls-files", "--full-name", "--", *folders],
            capture_output=True,
            text=True,
            encoding="utf-8",
            check=False,
        )
    except (OSError, ValueError):
        return None
    if log.returncode != 0 or tracked.returncode != 0:
        return None
    lead = "" if prefix == "." else prefix + "/"
    current = set(tracked.stdout.splitlines())
    history: dict[str, FileHistory] = {}
    for record in log.stdout.split(_RECORD)[1:]:  # newest commit first
        stamp, _, names = record.partition("\n")
        when = dt.datetime.fromisoformat(stamp.strip()).astimezone(dt.UTC).date()
        for name in names.splitlines():
            if not name or not name.startswith(lead) or name not in current:
                continue
            path = name.removeprefix(lead)
            known = history.get(path)
            history[path] = FileHistory(when, known.last if known else when)
    return history


def _date(when: PubDate | None) -> dt.date | None:
    return when.value.astimezone(dt.UTC).date() if when else None


def _newest(dates) -> dt.date | None:
    known = [d for d in dates if d is not None]
    return max(known) if known else None


class PageDates:
    """The dates of one project's pages, in every language (computed once per project)."""

    def __init__(self, project: Project, knowledge: Knowledge, mentions: dict[str, list[str]]) -> None:
        self.project, self.k, self.mentions = project, knowledge, mentions
        self.history = git_history(project.paths.root)

    def file(self, path: Path, fallback: PubDate | None = None) -> dt.date | None:
        """A file's last commit date; what its data says (``fallback``) when git does not know it."""
        if self.history is not None:
            known = self.history.get(self.project.paths.show(path))
            if known is not None:
                return known.last
        return _date(fallback)

    def added(self, article: Article) -> dt.date | None:
        """When the article's seed was first committed here; None when git does not know (no guess)."""
        if self.history is None:
            return None
        known = self.history.get(self.project.paths.show(article.seed))
        return known.first if known else None

    def article(self, article: Article, lang: str) -> dt.date | None:
        """The newest of an article's seed, metadata and translation into ``lang``."""
        cache = self.__dict__.setdefault("_articles", {})
        key = (article.slug, lang)
        if key not in cache:
            own = article.meta.updated or article.meta.published
            dates = [self.file(article.seed, own), self.file(article.meta_path, own)]
            translation = article.translations.get(lang)
            if translation is not None:
                dates.append(self.file(translation.path, translation.meta.translated))
            cache[key] = _newest(dates)
        return cache[key]

    def keep_articles(self, old: PageDates) -> None:
        """The articles' dates ``old`` found, taken over when git gives the same history: kb serve's,
        after a data edit that kept the articles (they are made from the articles' files alone)."""
        if self.history == old.history and "_articles" in old.__dict__:
            self.__dict__["_articles"] = dict(old.__dict__["_articles"])

    def articles(self, articles, lang: str) -> dt.date | None:
        return _newest(self.article(a, lang) for a in articles)

    def data(self, *names: str) -> dt.date | None:
        """The newest last commit of data files (None without git: they carry no date of their own)."""
        return _newest(self.file(self.project.paths.data / f"{name}.yml") for name in names)

    def _cited(self, events, lang: str) -> dt.date | None:
        return self.articles(
            (a for a in (self.project.article(slug) for slug in {e.source.article for e in events}) if a), lang
        )

    @cached_property
    def _by_year(self) -> dict[int, list[Article]]:
        years: dict[int, list[Article]] = {}
        for a in self.project.articles:
            years.setdefault(a.meta.published.value.year, []).append(a)
        return years

    @cached_property
    def _events_by_page(self) -> dict[str, list]:
        pages: dict[str, list] = {}
        for event in self.k.events:
            pages.setdefault(knowledge_pages.event_location(self.k, event.id), []).append(event)
        return pages

    def events_on(self, src_uri: str) -> list:
        """The events a timeline page shows, in timeline order."""
        return self._events_by_page.get(src_uri, [])

    def _all(self, lang: str) -> dt.date | None:
        cache = self.__dict__.setdefault("_all_cache", {})
        if lang not in cache:
            cache[lang] = _newest(
                [
                    self.articles(self.project.articles, lang),
                    self.data("topics", "entities", "events", "glossary"),
                    *(self.human(p, lang) for p in self.project.pages),
                ]
            )
        return cache[lang]

    def human(self, page: HumanPage, lang: str) -> dt.date | None:
        version = page.versions.get(lang)
        if version is None or version.meta.draft or page.state(lang) == "missing":
            version = page.source
        own = _date(version.meta.updated or version.meta.translated)
        dates = [self.file(version.path, version.meta.updated or version.meta.translated) or own]
        if article_pages.LATEST_MARKER in version.body:
            dates.append(self.articles(self.project.articles[: article_pages.LATEST_COUNT], lang))
        if article_pages.SOURCES_MARKER in version.body:
            dates.append(self.articles(self.project.articles[: paging.LIMITS.sources], lang))
        return _newest(dates)

    def changed(self, src_uri: str, lang: str) -> dt.date | None:
        """When the content of the page at ``src_uri`` (in ``lang``) last changed; None if nothing says."""
        parts = src_uri.removesuffix(".md").split("/")
        # A topic's or entity's pages (its list of articles split in pages) share one date: computed once.
        group = "/".join(parts[:2]) if parts[0] in {"topics", "entities"} else src_uri
        cache = self.__dict__.setdefault("_pages", {})
        if (group, lang) not in cache:
            cache[group, lang] = self._changed(src_uri, lang)
        return cache[group, lang]

    def _changed(self, src_uri: str, lang: str) -> dt.date | None:
        parts = src_uri.removesuffix(".md").split("/")
        human = next((p for p in self.project.pages if p.src_uri == src_uri), None)
        if human is not None:
            return self.human(human, lang)
        if parts[0] == ARTICLES:
            if len(parts) == 2 and (article := self.project.article(parts[1])) is not None:
                return self.article(article, lang)
            if len(parts) >= 2 and parts[1].isdigit():
                return self.articles(self._by_year.get(int(parts[1]), []), lang)
            return self.articles(self.project.articles, lang)
        if parts[0] == "timeline":
            events = self._events_by_page.get(src_uri, self.k.events)
            return _newest([self.data("events", "entities", "topics"), self._cited(events, lang)])
        if parts[0] == "topics":
            if len(parts) >= 2 and parts[1] in self.k.topics:
                topic = parts[1]
                tagged = [a for a in self.project.articles if topic in a.meta.tags]
                return _newest(
                    [
                        self.data("topics", "events", "entities"),
                        self._cited(self.k.events_of_topic(topic), lang),
                        self.articles(tagged, lang),
                    ]
                )
            return _newest([self.data("topics", "events"), self.articles(self.project.articles, lang)])
        if parts[0] == "entities":
            if len(parts) >= 2 and parts[1] in self.k.entities:
                entity = parts[1]
                mentioning = knowledge_pages.mentioning(self.project, self.mentions).get(entity, [])
                return _newest(
                    [
                        self.data("entities", "events", "topics"),
                        self._cited(self.k.events_of_entity(entity), lang),
                        self.articles(mentioning, lang),
                    ]
                )
            return self.data("entities") or self.articles(self.project.articles, lang)
        if parts[0] == "glossary":
            cited = (self.project.article(t.source.article) for t in self.k.terms.values() if t.source)
            return _newest([self.data("glossary"), self.articles((a for a in cited if a), lang)])
        if parts[0] == "downloads":  # the field dictionary: the tables' data, their meanings, the articles' metadata
            tables = self.data("topics", "entities", "events", "glossary", "downloads")
            return _newest([tables, self.articles(self.project.articles, lang)])
        return self._all(lang)


def page_dates(project: Project, knowledge: Knowledge, mentions: dict[str, list[str]]) -> PageDates:
    """The project's :class:`PageDates`, made once and kept with the loaded project."""
    if "page_dates" not in project.cache:
        project.cache["page_dates"] = PageDates(project, knowledge, mentions)
    return project.cache["page_dates"]


def pubdate(day: dt.date) -> PubDate:
    """A date as the interface formats it (:meth:`kb.site.ui.UI.date`)."""
    return PubDate(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC), False)
