from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# What a project copy needs to build: content, data, configs and theme overrides.
PROJECT_PARTS = ("seeds", "docs", "data", "overrides", "mkdocs.yml", "mkdocs.en.yml", "scripts")


def copy_project(dest: Path) -> Path:
    for part in PROJECT_PARTS:
        src = ROOT / part
        if src.is_dir():
            shutil.copytree(src, dest / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, dest / part)
    return dest


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A throwaway copy of the real project, safe to break."""
    return copy_project(tmp_path / "kb")


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real project built once, both languages, by `kb build`."""
    from kb.build import build_site
    from kb.project import Paths

    out = tmp_path_factory.mktemp("site") / "site"
    return build_site(Paths(ROOT), out)


def replace_in(path: str, old: str, new: str):
    """An edit for a project copy: replace the first `old` in one file (which must contain it)."""

    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit
