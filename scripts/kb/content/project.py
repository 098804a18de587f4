"""The project on disk: where things live, and loading seeds and translations.

Loading never writes. Every problem found is collected with its file, line
and field, so ``kb check`` can report them all at once and the build can
refuse to start with the same messages.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from kb import ingest, yamlio
from kb.content import markup
from kb.content.schema import DEFAULT_LANG, LANGS, PageMeta, PubDate, SeedMeta, TranslationMeta, problems_from
from kb.errors import ContentError, Problem, rel
from kb.ingest.layouts import NO_SITES, load_sites
from kb.textutil import read_text, short_hash

SEED_SUFFIX = ".txt"
META_SUFFIX = ".yml"
ARTICLES = "articles"


@dataclass(frozen=True)
class Paths:
    """Where the project's parts live, relative to its root."""

    root: Path

    @property
    def seeds(self) -> Path:
        return self.root / "seeds"

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def site(self) -> Path:
        return self.root / "site"

    def lang_docs(self, lang: str) -> Path:
        return self.docs / lang

    def config(self, lang: str) -> Path:
        return self.root / ("mkdocs.yml" if lang == DEFAULT_LANG else f"mkdocs.{lang}.yml")

    def show(self, path: Path) -> str:
        return rel(path, self.root)


@dataclass
class Translation:
    """A person's translation of an article into one language."""

    lang: str
    path: Path
    meta: TranslationMeta
    body: str
    source_hash: str

    @property
    def stale(self) -> bool:
        return self.meta.source_hash != self.source_hash

    @property
    def draft(self) -> bool:
        return self.meta.draft


@dataclass
class Article:
    """One seed, its metadata, its clean Vietnamese page and its translations."""

    seed: Path
    meta_path: Path
    meta: SeedMeta
    converted: ingest.Converted
    translations: dict[str, Translation] = field(default_factory=dict)
    drafts: dict[str, Translation] = field(default_factory=dict)

    @property
    def slug(self) -> str:
        return self.meta.slug

    @property
    def body(self) -> str:
        return self.converted.body

    @cached_property
    def source_hash(self) -> str:
        return short_hash(self.body)

    @cached_property
    def seed_bytes(self) -> bytes:
        """The seed as captured (the site serves it): read once, as the article is loaded once for
        a build, and kb serve keeps the article through an edit to data files."""
        return self.seed.read_bytes()

    @property
    def src_uri(self) -> str:
        return f"{ARTICLES}/{self.slug}.md"

    def page(self) -> str:
        """The clean Vietnamese page: front-matter, then the body."""
        return self._page

    @cached_property
    def _page(self) -> str:
        # made once: an article's metadata and body do not change (kb serve keeps the articles
        # through an edit to data files, and every page is generated again then)
        m = self.meta
        front = {
            "title": m.title.vi,
            "slug": m.slug,
            "lang": DEFAULT_LANG,
            "published": m.published.iso(),
            "author": m.author,
            "publisher": m.publisher,
            "url": m.url,
            "tags": list(m.tags),
            "seed": f"seeds/{self.seed.name}",
            "source_hash": self.source_hash,
        }
        return f"---\n{yamlio.dump(front)}---\n\n{self.body}"

    def summary(self, lang: str) -> str:
        if self.meta.summary:
            return self.meta.summary[lang]
        translation = self.translations.get(lang)
        if translation and translation.meta.summary:
            return translation.meta.summary
        body = translation.body if translation else self.body
        return first_paragraph(body)

    def title(self, lang: str) -> str:
        return self.meta.title[lang]

    def state(self, lang: str) -> str:
        """'source', 'current', 'stale' or 'missing' (a draft counts as missing) for this language."""
        if lang == DEFAULT_LANG:
            return "source"
        translation = self.translations.get(lang)
        if translation is None:
            return "missing"
        return "stale" if translation.stale else "current"

    @property
    def source_lang(self) -> str:
        return DEFAULT_LANG

    def translated(self, lang: str) -> PubDate | None:
        translation = self.translations.get(lang) or self.drafts.get(lang)
        return translation.meta.translated if translation else None

    @property
    def changed(self) -> PubDate:
        """The newest date known for the page: source updated or published, or a translation made."""
        dates = [self.meta.updated or self.meta.published]
        dates += [t.meta.translated for t in (*self.translations.values(), *self.drafts.values())]
        return max(dates, key=lambda d: d.sort_key)


@dataclass
class PageVersion:
    """One language's file of a page a person wrote."""

    lang: str
    path: Path
    meta: PageMeta
    body: str


@dataclass
class HumanPage:
    """A page people write in ``docs/<lang>/`` (home, about…), in one or more languages.

    The Vietnamese file is the source when there is one; another language's
    file records the source's hash it was translated from, like an article.
    """

    src_uri: str
    versions: dict[str, PageVersion] = field(default_factory=dict)

    @property
    def source_lang(self) -> str:
        return DEFAULT_LANG if DEFAULT_LANG in self.versions else next(iter(self.versions))

    @property
    def source(self) -> PageVersion:
        return self.versions[self.source_lang]

    @cached_property
    def source_hash(self) -> str:
        return short_hash(self.source.body)

    def title(self, lang: str) -> str:
        version = self.versions.get(lang) or self.source
        return version.meta.title or first_heading(version.body) or self.src_uri

    def state(self, lang: str) -> str:
        if lang == self.source_lang:
            return "source"
        version = self.versions.get(lang)
        if version is None or version.meta.draft:
            return "missing"
        return "current" if version.meta.source_hash == self.source_hash else "stale"

    def translated(self, lang: str) -> PubDate | None:
        version = self.versions.get(lang)
        return version.meta.translated if version else None

    @property
    def changed(self) -> PubDate | None:
        dates = [d for v in self.versions.values() for d in (v.meta.updated, v.meta.translated) if d]
        return max(dates, key=lambda d: d.sort_key) if dates else None


def first_heading(body: str) -> str | None:
    match = re.search(r"^# +(.+?)\s*(?:\{[^}]*\})?\s*$", body, re.M)
    return match[1] if match else None


_MARKUP = re.compile(r"[*_`#>]|\{:[^}]*\}|!\[[^\]]*\]\([^)]*\)")


def first_paragraph(body: str) -> str:
    """The first prose paragraph of a Markdown body, without markup."""
    for block in body.split("\n\n"):
        text = block.strip()
        if not text or text.startswith(("#", "!", "-", "*", "<", "|")):
            continue
        return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", _MARKUP.sub("", text)).strip()
    return ""


@dataclass
class Project:
    """Everything the build needs, loaded and checked."""

    paths: Paths
    articles: list[Article] = field(default_factory=list)
    pages: list[HumanPage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Indexes and derived data, built once by whoever needs them.
    cache: dict[Any, Any] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    def article(self, slug: str) -> Article | None:
        index = self.cache.get("by_slug")
        if index is None or len(index) != len(self.articles):
            index = self.cache["by_slug"] = {a.slug: a for a in self.articles}
        return index.get(slug)

    def raise_errors(self) -> None:
        if self.errors:
            raise ContentError(self.errors)


def load_seed_meta(meta_path: Path, paths: Paths) -> SeedMeta:
    shown = paths.show(meta_path)
    data, lines = yamlio.load(read_text(meta_path, shown), shown)
    if not isinstance(data, dict):
        raise ContentError(Problem(shown, "is not a mapping", line=1, expected="'key: value' lines"))
    try:
        return SeedMeta.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from(exc, shown, lines, SeedMeta)) from None


def unsafe_problems(text: str, shown: str) -> list[Problem]:
    """Raw HTML that could run code, each as a problem with its line."""
    return [
        Problem(
            shown,
            f"raw HTML with a {found.what} is not allowed",
            line=found.line,
            expected="plain Markdown: the site never runs scripts or embeds from content",
        )
        for found in markup.unsafe_html(text)
    ]


def load_translation(path: Path, lang: str, article: Article, paths: Paths) -> Translation:
    shown = paths.show(path)
    text = read_text(path, shown)
    data, lines, body, _ = yamlio.split_front_matter(text, shown)
    try:
        meta = TranslationMeta.model_validate(data)
    except ValidationError as exc:
        raise ContentError(problems_from(exc, shown, lines, TranslationMeta)) from None
    if unsafe := unsafe_problems(text, shown):
        raise ContentError(unsafe)
    return Translation(lang, path, meta, body.lstrip("\n"), article.source_hash)


def _is_translation(src_uri: str) -> bool:
    return src_uri.startswith(f"{ARTICLES}/") and src_uri.count("/") == 1 and src_uri != f"{ARTICLES}/index.md"


def load_pages(project: Project) -> None:
    """Load the pages people wrote in docs/<lang>/ (except article translations)."""
    paths = project.paths
    by_uri: dict[str, HumanPage] = {}
    for lang in LANGS:
        docs = paths.lang_docs(lang)
        for path in sorted(docs.rglob("*.md")) if docs.is_dir() else []:
            src_uri = path.relative_to(docs).as_posix()
            if lang != DEFAULT_LANG and _is_translation(src_uri):
                continue
            shown = paths.show(path)
            lines: dict[str, int] = {}
            try:
                text = read_text(path, shown)
                data, lines, body, _ = yamlio.split_front_matter(text, shown, required=False)
                meta = PageMeta.model_validate(data)
            except ContentError as exc:
                project.problems.extend(exc.problems)
                continue
            except ValidationError as exc:
                project.problems.extend(problems_from(exc, shown, lines, PageMeta))
                continue
            project.problems.extend(unsafe_problems(text, shown))
            page = by_uri.setdefault(src_uri, HumanPage(src_uri))
            page.versions[lang] = PageVersion(lang, path, meta, body.lstrip("\n"))
    for src_uri in sorted(by_uri):
        page = by_uri[src_uri]
        project.pages.append(page)
        for lang, version in page.versions.items():
            if lang == page.source_lang:
                if version.meta.source_hash is not None:
                    project.problems.append(
                        Problem(
                            paths.show(version.path),
                            f"translates a page that does not exist (no {DEFAULT_LANG}/{src_uri})",
                            field="source_hash",
                            line=1,
                            expected=f"the source page at {paths.show(paths.lang_docs(DEFAULT_LANG) / src_uri)}",
                        )
                    )
                continue
            project.problems.extend(_freshness_problems(page, lang, version, paths))


def _freshness_problems(page: HumanPage, lang: str, version: PageVersion, paths: Paths) -> list[Problem]:
    shown = paths.show(version.path)
    source = paths.show(page.source.path)
    problems = []
    for name, value in (("source_hash", page.source_hash), ("translated", "the date of the translation")):
        if getattr(version.meta, name) is None:
            problems.append(
                Problem(
                    shown,
                    f"required field is missing: this page translates {source}",
                    field=name,
                    line=1,
                    expected=value if name == "translated" else f"source_hash: {value}",
                )
            )
    if problems:
        return problems
    if version.meta.draft:
        problems.append(_draft_warning(shown))
    elif page.state(lang) == "stale":
        problems.append(_stale_warning(shown, page.source_hash))
    return problems


def _stale_warning(shown: str, source_hash: str) -> Problem:
    return Problem(
        shown,
        f"translation is stale: its source changed (now {source_hash})",
        field="source_hash",
        line=1,
        warning=True,
        expected="an updated translation with source_hash set to the new value",
    )


def _draft_warning(shown: str) -> Problem:
    return Problem(
        shown,
        "translation is a draft: readers see the original until it is finished",
        field="draft",
        line=1,
        warning=True,
        expected="a finished translation without `draft: true`",
    )


def _slug_of_broken(meta_path: Path) -> str | None:
    """Best-effort slug of a metadata file that failed validation."""
    try:
        text = meta_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^slug:\s*['\"]?([^'\"\s#]+)", text, re.M)
    return match[1] if match else None


def load_project(root: Path) -> Project:
    """Load every seed, its metadata and its translations; collect problems."""
    paths = Paths(root)
    project = Project(paths)
    seeds = sorted(paths.seeds.glob(f"*{SEED_SUFFIX}")) if paths.seeds.is_dir() else []
    metas = sorted(paths.seeds.glob(f"*{META_SUFFIX}")) if paths.seeds.is_dir() else []
    for meta_path in metas:
        if not meta_path.with_suffix(SEED_SUFFIX).exists():
            project.problems.append(
                Problem(
                    paths.show(meta_path),
                    "has no seed beside it",
                    expected=f"{meta_path.with_suffix(SEED_SUFFIX).name} in seeds/",
                )
            )
    try:
        sites = load_sites(paths.data / "sites.yml", "data/sites.yml")
    except ContentError as exc:
        project.problems.extend(exc.problems)
        sites = NO_SITES
    sites_path = paths.data / "sites.yml"
    sites_text = sites_path.read_bytes() if sites_path.is_file() else b""
    conversions: dict[tuple[str, str, bytes], ingest.Converted] = {}
    by_slug: dict[str, Path] = {}
    broken: set[str | None] = set()  # slugs whose seed or metadata has problems already reported
    for seed in seeds:
        meta_path = seed.with_suffix(META_SUFFIX)
        if not meta_path.exists():
            project.problems.append(
                Problem(
                    paths.show(seed), "has no metadata file", expected=f"seeds/{meta_path.name} (see CONTRIBUTING.md)"
                )
            )
            continue
        try:
            meta = load_seed_meta(meta_path, paths)
            raw = ingest.read_capture(seed, paths.show(seed))
            key = (raw, meta.model_dump_json(), sites_text)
            converted = (_conversions.get(key) if _reuse else None) or ingest.convert(raw, meta, sites)
            conversions[key] = converted
        except ContentError as exc:
            project.problems.extend(exc.problems)
            broken.add(_slug_of_broken(meta_path))
            continue
        if meta.slug in by_slug:
            project.problems.append(
                Problem(
                    paths.show(meta_path),
                    f"slug {meta.slug!r} is already used by {paths.show(by_slug[meta.slug])}",
                    field="slug",
                    line=1,
                    expected="a slug no other article uses",
                )
            )
            continue
        by_slug[meta.slug] = meta_path
        if not converted.body.strip():
            project.problems.append(
                Problem(
                    paths.show(seed),
                    "the article has no text yet",
                    warning=True,
                    expected="its text in Markdown below the front-matter (a new article from `kb new article`)",
                )
            )
        for line, before, after in converted.repaired:
            project.problems.append(
                Problem(
                    paths.show(seed),
                    f"mojibake repaired: {before.strip()[:50]!r} is published as {after.strip()[:50]!r}",
                    line=line,
                    warning=True,
                    expected="nothing if the repaired text is right; otherwise capture the page again as UTF-8",
                )
            )
        for found in markup.unsafe_html(converted.body):
            project.problems.append(
                Problem(
                    paths.show(seed),
                    f"the capture has raw HTML with a {found.what} (line {found.line} of the clean page)",
                    warning=True,
                    expected="nothing to do: the build's sanitiser removes it from the page",
                )
            )
        project.articles.append(Article(seed, meta_path, meta, converted))

    known = {a.slug: a for a in project.articles}
    for lang in LANGS:
        if lang == DEFAULT_LANG:
            continue
        folder = paths.lang_docs(lang) / ARTICLES
        for path in sorted(folder.glob("*.md")) if folder.is_dir() else []:
            article = known.get(path.stem)
            if article is None and path.stem in broken:
                continue  # its source has a problem of its own, reported above
            if article is None:
                project.problems.append(
                    Problem(
                        paths.show(path),
                        f"translates an article that does not exist ({path.stem!r})",
                        expected="the slug of an article in seeds/*.yml as the file name",
                    )
                )
                continue
            try:
                translation = load_translation(path, lang, article, paths)
            except ContentError as exc:
                project.problems.extend(exc.problems)
                continue
            if translation.draft:
                article.drafts[lang] = translation
                project.problems.append(_draft_warning(paths.show(path)))
                continue
            article.translations[lang] = translation
            if translation.stale:
                project.problems.append(_stale_warning(paths.show(path), article.source_hash))
    project.articles.sort(key=lambda a: (a.meta.published.sort_key, a.slug), reverse=True)
    load_pages(project)
    _conversions.clear()  # the last load's only: a long-running kb serve does not accumulate old ones
    if _reuse:
        _conversions.update(conversions)
    return project


# Converting a seed is pure (its text, its metadata, the site rules give the same page): kb serve loads the
# project again after every edit and, inside :func:`conversions_reused`, converts again only the seeds whose
# inputs changed.
_conversions: dict[tuple[str, str, bytes], ingest.Converted] = {}
_reuse = False


@contextlib.contextmanager
def conversions_reused() -> Iterator[None]:
    """Within it, loading the project keeps each seed's conversion and reuses it while its inputs are the same."""
    global _reuse
    _reuse = True
    try:
        yield
    finally:
        _reuse = False


_loaded: dict[Path, tuple[tuple, Project]] = {}


def file_states(*roots: Path) -> dict[str, tuple[int, int]]:
    """Path -> size and modification time of every file under ``roots`` (a root may be a file itself, or
    missing): what changes when any of those files is saved."""
    states: dict[str, tuple[int, int]] = {}
    for root in roots:
        if root.is_file():
            stat = root.stat()
            states[str(root)] = (stat.st_size, stat.st_mtime_ns)
            continue
        for dirpath, _, filenames in os.walk(root):
            for name in filenames:
                path = os.path.join(dirpath, name)
                stat = os.stat(path)
                states[path] = (stat.st_size, stat.st_mtime_ns)
    return states


def _fingerprints(paths: Paths, states: dict[str, tuple[int, int]] | None = None) -> tuple[tuple, tuple]:
    """Every input file's path, size and modification time (``states``, or as they are now), in two
    parts: what :func:`load_project` reads (seeds, docs and ``data/sites.yml``), and the other data
    files, which only what is derived from the project reads (the knowledge, the interface strings...)."""
    folder, sites = os.path.join(str(paths.data), ""), str(paths.data / "sites.yml")
    content, data = [], []
    states = file_states(paths.seeds, paths.docs, paths.data) if states is None else states
    for path, state in sorted(states.items()):
        (data if path.startswith(folder) and path != sites else content).append((path, state))
    return tuple(content), tuple(data)


def keep_loaded(project: Project, states: dict[str, tuple[int, int]]) -> None:
    """Let :func:`load_project_cached` return ``project`` (the one it returned last) while the files are
    as ``states`` (:func:`file_states`, from the project's root) gives them: kb serve has put the one
    translation whose text changed into it in place, as loading would have
    (:meth:`kb.site.preview.Preview.update`), so a data edit after it need not load the project."""
    folders = tuple(
        os.path.join(str(folder), "") for folder in (project.paths.seeds, project.paths.docs, project.paths.data)
    )
    inputs = {path: state for path, state in states.items() if path.startswith(folders)}
    if _loaded.get(project.paths.root, (None, None))[1] is project:
        _loaded[project.paths.root] = (_fingerprints(project.paths, inputs), project)


def forget_loaded() -> None:
    """Drop the project kept by :func:`load_project_cached`: the next call loads it anew."""
    _loaded.clear()


def load_project_cached(root: Path) -> Project:
    """load_project, reused while no input file changed (one load for a check and both builds).

    When only data files other than ``data/sites.yml`` changed (an event, an entity, a term), the
    articles and pages are the same: a new :class:`Project` holds them, with an empty
    :attr:`Project.cache`, since what is cached there (the knowledge, the mentions, the pages' dates)
    is made from the data too. kb serve's preview of a data edit then skips loading the project
    (a third of that preview's time at 5,000 articles).
    """
    root = root.resolve()
    paths = Paths(root)
    content, data = _fingerprints(paths)
    cached = _loaded.get(root)
    if cached is not None and cached[0] == (content, data):
        return cached[1]
    if cached is not None and cached[0][0] == content:
        old = cached[1]
        project = Project(paths, list(old.articles), list(old.pages), list(old.problems))
    else:
        project = load_project(root)
    _loaded.clear()  # one project at a time: a long-running serve does not accumulate old ones
    _loaded[root] = ((content, data), project)
    return project
