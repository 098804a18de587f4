"""``kb serve``'s incremental preview: after an edit, render only the pages whose Markdown changed.

For each language, a process keeps what its last MkDocs build knew: the
loaded config, the files, the navigation, the theme's template environment
and every page's Markdown as the hook decorated it (:class:`LanguagePreview`).
Where there are two cores each language has a child process of its own, so
both are built, and updated after an edit, at the same time (:class:`Preview`,
:mod:`kb.site.language_process`);
the default language's build leaves the other languages' folders inside its
own alone (:func:`kb.site.build.others_kept`).
After an edit, the project is loaded again (a seed is converted again only
when its text, metadata or the site rules changed:
:func:`kb.content.project.conversions_reused`; after an edit to data files
alone, the articles and pages are kept: :func:`kb.content.project.load_project_cached`),
the data files too (only the items whose text changed are parsed and
validated again: :func:`kb.yamlio.load_list`), and every page's Markdown is
generated and decorated again (our step, about a tenth of a build; a page's
source is parsed again only when it changed; when the articles were kept and
mention the same entities, what was found from them alone is kept too:
:meth:`LanguagePreview._carry_over`); a page
whose Markdown is the same as before is left as it is on disk, and only the
others are rendered and written, by MkDocs' own page rendering with the same
config, navigation and theme, so each page is byte for byte what a full build
makes. Cases where more than those pages could change fall back to a full
build of the language, and say so:

* the set of pages changed (an article, a translation or a page added or
  removed), so the sitemap and other pages' lists of files change;
* the configs, ``overrides/`` or a file in ``docs/`` other than a page changed;
* the glossary changed: its terms are linked in every article and indexed as
  search words on every page;
* the template strings changed (``data/ui.yml``'s search dialog strings).

The Pagefind index cannot be updated page by page, so :class:`kb.site.preview_search.SearchIndexer`
indexes the whole site again in the background once pages are written, into
a new folder swapped into place when it is complete: the changed page shows
at once, and search catches up (seconds at hundreds of articles).
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority

from kb.content.project import (
    ARTICLES,
    Paths,
    Project,
    conversions_reused,
    file_states,
    keep_loaded,
    load_project_cached,
    load_translation,
)
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.errors import ContentError
from kb.knowledge.facts import load_knowledge
from kb.search import pagefind
from kb.site import article_pages, build, dates, feeds, knowledge_pages, pages
from kb.site.finish import PageWork
from kb.site.preview_search import SearchIndexer, index_into_place

log = logging.getLogger("kb")


# The entities each article's texts mention (kb.site.pages.mentions), kept between rebuilds while
# data/entities.yml is the same (the languages share them: a project's mentions are found once for both).
_mentions: dict[tuple[tuple[str, str], ...], list[str]] = {}
_mentions_entities = [b""]


def _mentions_memo(paths: Paths) -> dict[tuple[tuple[str, str], ...], list[str]]:
    entities = paths.data / "entities.yml"
    state = entities.read_bytes() if entities.exists() else b""
    if state != _mentions_entities[0]:
        _mentions.clear()
        _mentions_entities[0] = state
    return _mentions


# Rebuilt.reason of an update that rendered only the page of the translation whose text changed.
TEXT_ONLY = "only the page of the translation whose text changed"


class _Capture(BasePlugin):
    """Registered after the kb hook: keeps what the build knew, for the next incremental rebuild."""

    def __init__(self, state: LanguagePreview) -> None:
        self.state = state

    def on_nav(self, nav, config, files):
        self.state._nav, self.state._files = nav, files
        LanguagePreview._hook(config)._sites[self.state.lang].linked = self.state._linked  # before any page
        return nav

    def on_env(self, env, config, files):
        self.state._env = env
        return env

    @event_priority(100)  # before the kb hook decorates the page: what the page's source gave
    def _source_read(self, markdown, page, config, files):
        if self.state._building:
            self.state._source[page.file.src_uri] = (_page_source(page, config), markdown, dict(page.meta))
            self.state._read[page.file.src_uri] = self.state._states.get(page.file.abs_src_path or "")
        return markdown

    def _decorated(self, markdown, page, config, files):
        # before on_page_content, which adds the head's tags and the description to page.meta; in a
        # full build only (an update compares with what it keeps, and keeps what it renders itself)
        if self.state._building:
            self.state._markdown[page.file.src_uri] = self.state._key(
                LanguagePreview._hook(config)._sites[self.state.lang], page.file.src_uri, markdown, page.meta
            )
        return markdown

    on_page_markdown = CombinedEvent(_source_read, _decorated)


def _page_source(page, config) -> str:
    """A page's source as :meth:`mkdocs.structure.pages.Page.read_source` reads it: what a plugin (the kb
    hook, for a person's file) gives, or the file's content (a generated page's Markdown)."""
    source = config.plugins.on_page_read_source(page=page, config=config)
    return page.file.content_string if source is None else source


@dataclass
class Rebuilt:
    """What one rebuild of one language did: ``full`` (and why), or the site files it wrote."""

    lang: str
    full: bool
    written: list[str] = field(default_factory=list)
    reason: str = ""
    # Seconds of an incremental rebuild's steps: loading the project, generating the pages' Markdown,
    # comparing the list of pages, making the downloads and feeds (and writing the changed ones),
    # decorating every page (and comparing), rendering and writing the changed ones.
    seconds: dict[str, float] = field(default_factory=dict)


class LanguagePreview:
    """One language's build, kept in memory between rebuilds (see the module's docstring)."""

    def __init__(self, paths: Paths, lang: str, site_dir: Path, site_url: str | None = None) -> None:
        self.paths, self.lang, self.site_dir, self.site_url = paths, lang, site_dir, site_url
        self._config = self._nav = self._files = self._env = None
        self._markdown: dict[str, tuple[str, dict]] = {}  # each page's decorated Markdown and front-matter
        self._source: dict[str, tuple[str, str, dict]] = {}  # each page's source, its Markdown and meta
        # the size and modification time of each person's file when its source was read (_page_source)
        self._read: dict[str, tuple[int, int] | None] = {}
        self._states: dict[str, tuple[int, int]] = {}  # the files' states the last build or update began with
        self._linked: dict = {}  # articles' bodies with their glossary terms linked (pages.Site.linked)
        self._plan: tuple = ()
        self._extra: dict = {}
        self._glossary = b""
        self._fresh = False
        self._building = False  # a full build under way: _Capture keeps its pages
        if knowledge_pages.LISTS is None:  # kept between updates: the lists of articles, what follows each
            knowledge_pages.LISTS, knowledge_pages.AFTER_ARTICLES = {}, {}

    def _outside(self, sources: dict[str, tuple[int, int]] | None = None) -> dict[str, tuple[int, int]]:
        """What, when it changes, rebuilds the language fully: configs, overrides, docs' files other than pages
        (taken from ``sources``, :func:`sources_state`, when given)."""
        sources = sources_state(self.paths) if sources is None else sources
        docs = os.path.join(str(self.paths.lang_docs(self.lang)), "")
        overrides = os.path.join(str(self.paths.root / "overrides"), "")
        configs = {str(self.paths.config(lang)) for lang in LANGS}
        return {
            path: state
            for path, state in sources.items()
            if path in configs or path.startswith(overrides) or (path.startswith(docs) and not path.endswith(".md"))
        }

    def _site_plan(self, site: pages.Site) -> tuple:
        return (
            tuple(sorted(site.pages)),
            tuple(sorted(site.static)),
            tuple(sorted(site.replaced)),
            tuple(sorted(pages.human_pages(self.paths.lang_docs(self.lang)))),
        )

    def _glossary_bytes(self) -> bytes:
        path = self.paths.data / "glossary.yml"
        return path.read_bytes() if path.exists() else b""

    def full(self, reason: str = "first build") -> Rebuilt:
        """A full strict build of the language into its folder, keeping what it knew for :meth:`update`."""
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import Abort, ConfigurationError, PluginError

        self._fresh = False
        self._markdown, self._source, self._linked, self._read = {}, {}, {}, {}
        self._states = sources_state(self.paths)
        outside = self._outside(self._states)
        glossary = self._glossary_bytes()
        name = self.paths.config(self.lang).name
        with build._quiet_mkdocs(False) as counter:
            try:
                config = load_config(
                    config_file=str(self.paths.config(self.lang)), site_dir=str(self.site_dir), strict=True
                )
                if self.site_url is not None:
                    config.site_url = article_pages.language_url(self.site_url, self.lang)
                config.plugins["kb-preview"] = _Capture(self)
                config.plugins.on_startup(command="build", dirty=False)
                self._remember_mentions()
                self._building = True
                try:
                    with conversions_reused(), build.others_kept(self.lang):
                        mkdocs_build(config)
                finally:
                    self._building = False
                    config.plugins.on_shutdown()
            except (Abort, ConfigurationError, PluginError) as exc:
                raise build.BuildFailed(f"{name}: {exc}") from None
        if counter.messages:
            raise build.BuildFailed(f"{name}: {len(counter.messages)} warning(s) in a strict build")
        hook = self._hook(config)
        self._config = config
        self._plan = self._site_plan(hook._sites[self.lang])
        self._extra = {key: config.extra.get(key) for key in ("kb_roots", "kb_search")}
        self._outside_state, self._glossary = outside, glossary
        self._fresh = True
        return Rebuilt(self.lang, True, reason=reason)

    def _remember_mentions(self) -> None:
        """Find the articles' mentions for the build about to load the project, keeping them in the
        memo, so the first update finds again only those of the article it changed."""
        with conversions_reused():
            try:
                project = load_project_cached(self.paths.root)
                knowledge = project.cache.get("knowledge") or project.cache.setdefault(
                    "knowledge", load_knowledge(project)
                )
            except ContentError:
                return  # the build says what is wrong
        pages.mentions(project, knowledge, _mentions_memo(self.paths))

    def _key(self, site: pages.Site, src_uri: str, markdown: str, meta: dict) -> tuple:
        """What a page's HTML is made from: its decorated Markdown, its front-matter and the date it shows."""
        shown = dates.page_dates(site.project, site.knowledge, site.mentions).changed(src_uri, self.lang)
        return markdown, dict(meta), shown

    def _carry_over(self, old: Project, new: Project) -> None:
        """After a data edit that kept the articles (:func:`kb.content.project.load_project_cached`), when
        the articles mention the same entities, the new project uses the old one's mentions, and what was
        found from them alone (:func:`kb.site.knowledge_pages.carry_over`), instead of finding it again."""
        same = len(new.articles) == len(old.articles) and all(
            a is b for a, b in zip(new.articles, old.articles, strict=True)
        )
        if new is old or not same or "mentions" not in old.cache:
            return
        try:
            knowledge = new.cache.get("knowledge") or new.cache.setdefault("knowledge", load_knowledge(new))
        except ContentError:
            return  # load_site reports it
        mentions = pages.mentions(new, knowledge, _mentions_memo(self.paths))
        before = old.cache["mentions"]
        if mentions.keys() == before.keys() and all(mentions[slug] == before[slug] for slug in mentions):
            new.cache["mentions"] = before
            knowledge_pages.carry_over(old, new, before)
            if "page_dates" in old.cache:
                dates.page_dates(new, knowledge, before).keep_articles(old.cache["page_dates"])

    @staticmethod
    def _hook(config):
        return next(iter(config["hooks"].values()))

    def update(self, sources: dict[str, tuple[int, int]] | None = None) -> Rebuilt:
        """Bring the language's folder up to date with the sources (``sources``: :func:`sources_state`, when
        the caller has it): only the changed pages, or a full build."""
        if not self._fresh:
            return self.full("the last rebuild failed")
        self._states = sources_state(self.paths) if sources is None else sources
        if self._outside(self._states) != self._outside_state:
            return self.full("a config, overrides/ or a file in docs/ other than a page changed")
        self._fresh = False  # until this update completes
        config, files = self._config, self._files
        start = time.perf_counter()
        with conversions_reused():
            project = load_project_cached(self.paths.root)
        self._carry_over(self._hook(config)._sites[self.lang].project, project)
        seconds = {"load": time.perf_counter() - start}
        site = pages.load_site(self.paths.root, self.lang, project, _mentions_memo(self.paths))
        seconds["generate"] = time.perf_counter() - start - seconds["load"]
        if self._site_plan(site) != self._plan:
            return self.full("pages were added or removed")
        seconds["plan"] = time.perf_counter() - start - seconds["load"] - seconds["generate"]
        hook = self._hook(config)
        extra = hook.template_extra(self.lang, config.site_url, site.ui, bool(pagefind.archived(project.articles)))
        if {key: extra.get(key) for key in self._extra} != self._extra:
            return self.full("the interface strings of the templates changed")
        glossary = self._glossary_bytes()
        every_page = glossary != self._glossary
        if every_page:
            self._linked = {}
        site.linked = self._linked
        hook._sites[self.lang] = site
        hook._work[self.lang] = PageWork(self.lang, site.knowledge)
        written = self._render_changed(config, files, site, every_page, seconds)
        self._glossary = glossary
        self._fresh = True
        return Rebuilt(self.lang, False, written, seconds=seconds)

    def page_edited(self, src_uri: str) -> Rebuilt:
        """Only the page a person's file makes rendered again (:meth:`Preview.update` has found that
        nothing else the language shows changed)."""
        config = self._config
        hook = self._hook(config)
        site = hook._sites[self.lang]
        site.terms_used.pop(src_uri, None)  # found again while its terms are linked
        hook._work[self.lang] = PageWork(self.lang, site.knowledge)
        self._fresh = False  # until this update completes
        seconds: dict[str, float] = {}
        written = self._render_changed(config, self._files, site, False, seconds, only={src_uri})
        self._fresh = True
        return Rebuilt(self.lang, False, written, reason=TEXT_ONLY, seconds=seconds)

    def translation_edited(self, path: Path, lang: str, sources: dict[str, tuple[int, int]]) -> Rebuilt | None:
        """The commonest edit, a translation's text (``lang``'s, at ``path``), the one file changed
        (``sources``: :func:`sources_state` after it), without loading the project again: when its
        front-matter is the same, and the entities it mentions and its summary too, nothing but its
        own page shows it. Then the new text is put into the project in place, and when the
        translation is this language's, its page alone is rendered. None, and nothing done, when that
        is not so (each language decides alike: they hold the same project)."""
        if not self._fresh:
            return None
        site = self._hook(self._config)._sites[self.lang]
        article = site.project.article(path.stem)
        old = article.translations.get(lang) if article is not None else None
        if old is None or old.path != path:
            return None
        try:
            new = load_translation(path, lang, article, self.paths)
        except ContentError:
            return None  # the full update reports it, as a build does
        summary = article.summary(lang)
        article.translations[lang] = new
        ids = pages.mentioned_ids(site.knowledge, pages.article_texts(article), _mentions_memo(self.paths))
        if new.meta != old.meta or ids != site.mentions.get(article.slug) or article.summary(lang) != summary:
            article.translations[lang] = old
            return None
        keep_loaded(site.project, sources)
        self._states = sources
        return self.page_edited(article.src_uri) if lang == self.lang else Rebuilt(self.lang, False)

    def archived(self) -> set[str]:
        """The articles of the search archive (:func:`kb.search.pagefind.archived`) of the project last built."""
        return set(pagefind.archived(self._hook(self._config)._sites[self.lang].project.articles))

    def pages_known(self) -> int:
        """How many pages the language has (what an edit to every page renders again)."""
        return len(self._markdown)

    def project_kept(self) -> bool:
        """Whether the project the pages were made from is the one loading it again would give."""
        return load_project_cached(self.paths.root) is self._hook(self._config)._sites[self.lang].project

    def _render_changed(
        self, config, files, site: pages.Site, every_page: bool, seconds: dict, only: set[str] | None = None
    ) -> list[str]:
        """Render and write the pages whose Markdown, front-matter or date changed (among ``only``, a set
        of pages whose source is a person's file, when given: then nothing generated changed)."""
        from mkdocs.commands.build import _build_page
        from mkdocs.structure.files import InclusionLevel
        from mkdocs.utils.meta import get_data

        written = []
        start = time.perf_counter()
        if only is None:
            for src_uri, content in site.pages.items():
                files.get_file_from_path(src_uri).content_string = content
            # the static files, then the downloads, the calendar and the feeds (made in the hook's on_files)
            made = {**site.static, **feeds.site_files(site, config.site_url, config.site_name)}
            for src_uri, data in sorted(made.items()):
                file = files.get_file_from_path(src_uri)
                if file.content_bytes != data:
                    file.content_bytes = data
                    file.copy_file()
                    written.append(file.dest_uri)
        doc_files = files.documentation_pages(inclusion=InclusionLevel.is_included)
        considered = doc_files if only is None else [f for f in doc_files if f.src_uri in only]
        changed = []
        seconds["files"] = time.perf_counter() - start
        start = time.perf_counter()
        name = self.paths.config(self.lang).name
        redated = False  # whether a page's date changed: the sitemap gives every page's date
        with build._quiet_mkdocs(False) as counter:
            for file in considered:
                page = file.page
                config._current_page = page
                try:
                    source = self._read_source(page, config)
                    if source == self._source.get(file.src_uri, (None,))[0]:
                        # as read last time (its front-matter without what on_page_content added)
                        _, page.markdown, meta = self._source[file.src_uri]
                        page.meta = dict(meta)
                    else:
                        page.markdown, page.meta = get_data(source)
                        self._source[file.src_uri] = (source, page.markdown, dict(page.meta))
                    markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
                    page.markdown = markdown
                    key = self._key(site, file.src_uri, markdown, page.meta)
                    before = self._markdown.get(file.src_uri)
                    if not every_page and before == key:
                        continue
                    redated = redated or before is None or before[2] != key[2]
                    self._markdown[file.src_uri] = key
                    page.render(config, files)
                    page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
                finally:
                    config._current_page = None
                changed.append(file)
            seconds["decorate"] = time.perf_counter() - start
            for file in changed:
                _build_page(file.page, config, doc_files, self._nav, self._env)
                written.append(file.dest_uri)
            if redated:
                self._sitemap(config, files, doc_files)
                written.append("sitemap.xml")
            log_level = config.validation.links.anchors
            for file in doc_files:
                file.page.validate_anchor_links(files=files, log_level=log_level)
            seconds["render"] = time.perf_counter() - start - seconds["decorate"]
        if counter.messages:
            raise build.BuildFailed(f"{name}: {len(counter.messages)} warning(s) in a strict build")
        return written

    def _read_source(self, page, config) -> str:
        """A page's source (:func:`_page_source`), not read again from a person's file whose size and
        modification time are as when it was last read."""
        src_uri, state = page.file.src_uri, self._states.get(page.file.abs_src_path or "")
        if state is not None and self._read.get(src_uri) == state and src_uri in self._source:
            return self._source[src_uri][0]
        self._read[src_uri] = state
        return _page_source(page, config)

    def _sitemap(self, config, files, doc_files) -> None:
        """sitemap.xml written again as a full build writes it: MkDocs' template, then the hook's dates."""
        from mkdocs.commands.build import _build_theme_template

        _build_theme_template("sitemap.xml", self._env, files, config, self._nav)
        hook = self._hook(config)
        hook._shown[self.lang] = {
            file.page.canonical_url or file.page.url: self._markdown[file.src_uri][2] for file in doc_files
        }
        hook.on_post_build(config)


def sources_state(paths: Paths) -> dict[str, tuple[int, int]]:
    """Size and modification time of every file a build reads: seeds, docs, data, overrides, configs."""
    root = paths.root
    return file_states(root / "seeds", root / "docs", root / "data", root / "overrides", *map(paths.config, LANGS))


class Preview:
    """Both languages of a site being previewed, and its search index.

    Where there are two cores (:func:`kb.site.build.parallel`), each language is previewed by a child
    process of its own (:class:`kb.site.language_process.InChild`), so both are built, and brought up to date after an edit, at
    the same time; else one after the other, in this process.
    """

    def __init__(self, paths: Paths, site_dir: Path, site_url: str | None = None) -> None:
        self.site_dir = site_dir
        # the root as the loaded project has it, so the files' states name the files as its do
        paths = Paths(paths.root.resolve())
        from kb.site.language_process import Here, InChild

        kind = InChild if build.parallel() else Here
        order = (DEFAULT_LANG, *(lang for lang in LANGS if lang != DEFAULT_LANG))
        self.languages: list = []  # kb.site.language_process.Here or InChild, one per language
        try:
            for lang in order:
                self.languages.append(kind(paths, lang, site_dir / article_pages.lang_root(lang), site_url))
        except BaseException:
            self.close()
            raise
        self.search = SearchIndexer(site_dir)
        self.paths = paths
        self._sources: dict[str, tuple[int, int]] | None = None  # what the last build or update read

    def ask(self, lang: str, method: str, *args):
        """What one language's :class:`LanguagePreview` method gives (in its process)."""
        language = next(x for x in self.languages if x.lang == lang)
        language.start(method, *args)
        return language.result()

    def _all(self, method: str, *args) -> list:
        """Each language's :class:`LanguagePreview` method run at once (in turn, in this process): what
        each gave or raised, in the languages' order."""
        for language in self.languages:
            language.start(method, *args)
        outcomes = []
        for language in self.languages:
            try:
                outcomes.append(language.result())
            except Exception as exc:  # given back to the caller, who raises it
                outcomes.append(exc)
        return outcomes

    def build(self) -> list[Rebuilt]:
        """Every language fully, then the search index (waited for: search works from the first page)."""
        sources = sources_state(self.paths)
        done = _raised(self._all("full"))
        self._sources = sources
        index_into_place(self.site_dir, self._archived())
        return done

    def _archived(self) -> set[str]:
        """The articles of the search archive (:func:`kb.search.pagefind.archived`) of the project last built."""
        return self.ask(DEFAULT_LANG, "archived")

    def update(self) -> list[Rebuilt]:
        """Every language brought up to date (each only as far as it changed); then search, in the background."""
        sources = sources_state(self.paths)  # before anything is read: a save during the update is seen next time
        done: list[Rebuilt] = []
        try:
            outcomes = self._translation_body_edited(sources) or self._all("update", sources)
            done = [x for x in outcomes if isinstance(x, Rebuilt)]
            _raised(outcomes)
            self._sources = sources
        finally:
            if any(r.full or r.written for r in done):
                self.search.request(self._archived())
        return done

    def _translation_body_edited(self, sources: dict[str, tuple[int, int]]) -> list[Rebuilt] | None:
        """A translation's text the one file changed, and only its page rendered
        (:meth:`LanguagePreview.translation_edited`); None when that is not so."""
        if self._sources is None:
            return None
        changed = [
            path for path in sources.keys() | self._sources.keys() if sources.get(path) != self._sources.get(path)
        ]
        if len(changed) != 1:
            return None
        path = Path(changed[0])
        lang = next(
            (x for x in LANGS if x != DEFAULT_LANG and path.parent == self.paths.lang_docs(x) / ARTICLES),
            None,
        )
        if lang is None or path.suffix != ".md":
            return None
        outcomes = self._all("translation_edited", path, lang, sources)
        # when one language did not take it (it was not up to date), each is updated as after any edit
        return outcomes if all(isinstance(x, Rebuilt) for x in outcomes) else None

    def close(self) -> None:
        if hasattr(self, "search"):
            self.search.stop()
        for language in self.languages:
            language.close()


def _raised(outcomes: list) -> list[Rebuilt]:
    """The languages' results, or the first language's error raised."""
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome
    return outcomes


@contextlib.contextmanager
def preview(paths: Paths, site_dir: Path, site_url: str | None = None):
    """A :class:`Preview` built once, closed on exit."""
    view = Preview(paths, site_dir, site_url)
    try:
        view.build()
        yield view
    finally:
        view.close()


def describe(done: list[Rebuilt]) -> str:
    """One line about a rebuild: per language, the pages written or why it was built fully."""
    parts = []
    for r in done:
        if r.full:
            parts.append(f"{r.lang}: built fully ({r.reason})")
        else:
            pages_written = sum(1 for w in r.written if w.endswith(".html"))
            parts.append(f"{r.lang}: {pages_written} page(s) rewritten" if r.written else f"{r.lang}: unchanged")
    return "; ".join(parts)


__all__ = ["ContentError", "LanguagePreview", "Preview", "Rebuilt", "SearchIndexer", "describe", "preview"]
