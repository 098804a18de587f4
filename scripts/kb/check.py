"""``kb check``: every validation, writing nothing."""

from __future__ import annotations

from pathlib import Path

from kb import structure
from kb.errors import ContentError, Problem
from kb.pages import load_site
from kb.project import load_project
from kb.schema import LANGS


def check(root: Path) -> list[Problem]:
    """All problems in the project, errors and warnings, in a stable order."""
    project = load_project(root)
    problems = list(project.problems)
    if not project.errors:
        for lang in LANGS:
            try:
                load_site(root, lang, project)
            except ContentError as exc:
                problems.extend(p for p in exc.problems if p not in problems)
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
