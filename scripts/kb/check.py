"""``kb check``: every validation, writing nothing."""

from __future__ import annotations

import re
from pathlib import Path

from kb.content import markup, structure
from kb.content.project import ARTICLES, Project, load_project_cached, unsafe_problems
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.errors import ContentError, Problem
from kb.ingest import checks, duplicates, read_capture
from kb.knowledge import audit, similar
from kb.site.pages import Site, load_site
from kb.textutil import MAX_DATA_BYTES, read_text


def check(root: Path) -> list[Problem]:
    """All problems in the project, errors and warnings, in a stable order."""
    project = load_project_cached(root)
    problems = list(project.problems)
    problems += _data_problems(project)
    if not project.errors:
        for lang in LANGS:
            try:
                site = load_site(root, lang, project)
            except ContentError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
                continue
            problems += _link_problems(site)
            if lang == DEFAULT_LANG:
                problems += site.knowledge.warnings  # names that may be found where they mean something else
                problems += _content_problems(project, site)
                problems += audit.problems(project, site.knowledge)
                problems += _duplicate_events(project, site)
    for article in project.articles:
        for translation in article.translations.values():
            if translation.stale:
                continue  # reported as a warning already; its structure is expected to differ
            shown = project.paths.show(translation.path)
            for mismatch in structure.compare(article.page(), translation.body, "vi", translation.lang):
                problems.append(
                    Problem(
                        shown,
                        f"structure differs from the source: {mismatch}",
                        field="body",
                        expected="one translated block for every block of the source",
                    )
                )
    return problems


def _data_problems(project: Project) -> list[Problem]:
    """Unsafe raw HTML in the data files, whose texts are rendered as Markdown."""
    problems = []
    data = project.paths.data
    for path in sorted(data.glob("*.yml")) if data.is_dir() else []:
        shown = project.paths.show(path)
        try:
            problems += unsafe_problems(read_text(path, shown, limit=MAX_DATA_BYTES), shown)
        except ContentError:
            continue  # the loader reports an unreadable file with its own message
    return problems


def _link_problems(site: Site) -> list[Problem]:
    """Relative links in the pages people wrote that lead to no page or file of the site."""
    paths = site.project.paths
    docs = paths.lang_docs(site.lang)
    known = set(site.pages) | set(site.static)
    if docs.is_dir():
        known |= {p.relative_to(docs).as_posix() for p in docs.rglob("*") if p.is_file()}
    written = [
        (page.src_uri, page.versions[site.lang].path) for page in site.project.pages if site.lang in page.versions
    ]
    written += [
        (f"{ARTICLES}/{a.slug}.md", t.path)
        for a in site.project.articles
        for t in (*a.translations.values(), *a.drafts.values())
        if t.lang == site.lang
    ]
    problems = []
    for src_uri, path in sorted(written):
        shown = paths.show(path)
        text = read_text(path, shown)
        for line, target in checks.absolute_links(text):
            problems.append(
                Problem(
                    shown,
                    f"links to {target!r}, a site-relative address that the strict build refuses",
                    line=line,
                    field="link",
                    expected="a path relative to this page, like '../articles/<slug>.md', or a full https:// address",
                )
            )
        for link in markup.relative_links(text):
            target = markup.resolve(src_uri, link.target)
            if not markup.link_exists(target, known):
                problems.append(
                    Problem(
                        shown,
                        f"links to {link.target!r}, which is not a page or file of the site",
                        line=link.line,
                        field="link",
                        expected="a path relative to this page, like '../articles/<slug>.md' or 'about.md'",
                    )
                )
    return problems


def _content_problems(project: Project, site: Site) -> list[Problem]:
    """What each capture would publish wrong, and captures that are the same article (ingest/checks.py)."""
    paths = project.paths
    known = set(site.pages) | set(site.static)
    problems: list[Problem] = []
    captures = []
    for article in sorted(project.articles, key=lambda a: a.seed.name):
        shown = paths.show(article.seed)
        raw = read_capture(article.seed, shown)
        problems += checks.check_page(checks.Page(shown, raw, article.body), known)
        captures.append(duplicates.Capture(shown, article.seed.read_bytes(), raw, article.body))
    for later, earlier, how in duplicates.pairs(captures):
        problems.append(
            Problem(
                later,
                f"is a duplicate of {earlier}: {how}",
                expected="one seed per article: remove this capture (and its .yml), or keep the better one only",
            )
        )
    return problems


def _duplicate_events(project: Project, site: Site) -> list[Problem]:
    """Warnings for pairs of events that are likely one (knowledge/similar.py): same entities, dates, title."""
    path = project.paths.data / "events.yml"
    pairs = similar.duplicate_pairs(site.knowledge.events)
    if not pairs:
        return []
    shown = project.paths.show(path)
    text = read_text(path, shown, limit=MAX_DATA_BYTES)
    lines = {m[1]: text[: m.start()].count("\n") + 1 for m in re.finditer(r"^- id: *[\"']?([\w-]+)", text, re.M)}
    problems = []
    for a, b, _ in pairs:  # told at the one further down the file, the one most likely added second
        earlier, later = sorted((a, b), key=lambda e: lines.get(e.id, 0))
        likeness = similar.alike(later, earlier)
        assert likeness is not None  # alike() is symmetric
        problems.append(
            Problem(
                shown,
                f"event {later.id!r} is likely the same as {earlier.id!r}: {likeness.reason()}",
                line=lines.get(later.id),
                field=f"{later.id}.id",
                expected="one event per happening: keep one (the other source in its note), or titles that say how they differ",
                warning=True,
            )
        )
    return problems
