from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")

# What a project copy needs to build: content, data, configs and theme overrides.
PROJECT_PARTS = ("seeds", "docs", "data", "overrides", "mkdocs.yml", "mkdocs.en.yml", "scripts")


def build_with_limits(root: Path, limits) -> Path:
    """``kb build`` of ``root`` with the lists' limits (``kb.site.paging.Limits``) lowered, as a knowledge
    base of thousands of articles would split them; both languages in this process, where the limits are."""
    from kb.content.project import Paths
    from kb.site import paging
    from kb.site.build import build_site

    saved, saved_parallel = paging.LIMITS, os.environ.get("KB_PARALLEL")
    paging.LIMITS = limits
    os.environ["KB_PARALLEL"] = "0"
    try:
        return build_site(Paths(root), root / "site")
    finally:
        paging.LIMITS = saved
        if saved_parallel is None:
            os.environ.pop("KB_PARALLEL")
        else:
            os.environ["KB_PARALLEL"] = saved_parallel


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
    from kb.content.project import Paths
    from kb.site.build import build_site

    out = tmp_path_factory.mktemp("site") / "site"
    return build_site(Paths(ROOT), out)


@pytest.fixture(scope="session")
def built_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the real project, without its git history, built once: what a changed copy's site is
    compared with (a copy's pages are dated by its data, the repository's by its commits: kb.site.dates)."""
    from kb.content.project import Paths
    from kb.site.build import build_site

    root = copy_project(tmp_path_factory.mktemp("copy") / "kb")
    return build_site(Paths(root), root / "site")


def replace_in(path: str, old: str, new: str):
    """An edit for a project copy: replace the first `old` in one file (which must contain it)."""

    def edit(root: Path) -> None:
        file = root / path
        text = file.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        file.write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


# A page with TeX math, inline and display (pymdownx.arithmatex, rendered by KaTeX from the site itself),
# and a dollar sign that is not math; the English version keeps the formulas and translates the prose.
MATH_PAGE = "math.md"
MATH_VI = r"""---
title: Công thức
---

# Công thức

Mô hình học tham số $\theta$ bằng cách giảm hàm mất mát $L(\theta) = -\sum_{i=1}^{n} \log p_\theta(x_i)$ qua \(n\) ví dụ; tỉ lệ $1/2$ ở đây không phải là ngày tháng.

$$
\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
$$

\[
\mathrm{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V
\]

Một triệu token có giá \$5 (năm đô la), không phải công thức.
"""
MATH_EN = r"""---
title: Formulas
source_hash: {source_hash}
translated: 2026-11-30
---

# Formulas

A model learns its parameters $\theta$ by minimising the loss $L(\theta) = -\sum_{i=1}^{n} \log p_\theta(x_i)$ over \(n\) examples; the ratio $1/2$ here is not a date.

$$
\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_{j=1}^{K} e^{z_j}}
$$

\[
\mathrm{Attention}(Q, K, V) = \operatorname{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right) V
\]

A million tokens cost \$5 (five dollars), which is not a formula.
"""


def add_math_page(root: Path) -> None:
    """Add the math page, in Vietnamese and its current English translation, to a project copy."""
    from kb.content.project import load_project

    (root / "docs/vi" / MATH_PAGE).write_text(MATH_VI, encoding="utf-8")
    page = next(p for p in load_project(root).pages if p.src_uri == MATH_PAGE)
    (root / "docs/en" / MATH_PAGE).write_text(MATH_EN.replace("{source_hash}", page.source_hash), encoding="utf-8")


@dataclass(frozen=True)
class BuiltProject:
    root: Path
    output: str  # what `kb check` and `kb build` printed

    @property
    def site(self) -> Path:
        return self.root / "site"


@pytest.fixture(scope="session")
def math_project(tmp_path_factory: pytest.TempPathFactory) -> BuiltProject:
    """A copy of the real project with the math page, checked and built (both languages, strict) by the
    real `kb` command, as a contributor runs it."""
    root = copy_project(tmp_path_factory.mktemp("math") / "kb")
    add_math_page(root)
    kb = Path(sys.executable).with_name("kb")
    output = []
    for command in ("check", "build"):
        result = subprocess.run(
            [str(kb), "--root", str(root), command], capture_output=True, text=True, encoding="utf-8"
        )
        assert result.returncode == 0, result.stdout + result.stderr
        output.append(result.stdout + result.stderr)
    return BuiltProject(root, "\n".join(output))
