"""Documentation checked by tests: every command is documented."""

from __future__ import annotations

import argparse
import re

import pytest

from kb.cli import _parser
from tests.conftest import ROOT


def _commands() -> list[str]:
    actions = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    return sorted(actions[0].choices)


@pytest.mark.parametrize("doc", ["README.md", "CONTRIBUTING.md"])
@pytest.mark.parametrize("command", _commands())
def test_every_kb_command_is_documented(doc, command):
    assert f"kb {command}" in (ROOT / doc).read_text(encoding="utf-8")


def test_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "python3 scripts/dev.py serve" in readme and "python3 scripts/dev.py test" in readme
    assert "python3 scripts/dev.py test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


PACKAGE = ROOT / "scripts" / "kb"
MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" and "__pycache__" not in p.parts)


@pytest.mark.parametrize("module", MODULES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_architecture_maps_every_module_and_no_module_is_long(module):
    """ARCHITECTURE.md's code map names every module (by its path or its name in its package's row)."""
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    relative = module.relative_to(PACKAGE).as_posix()
    package = module.parent.relative_to(PACKAGE).as_posix()
    named = relative in text or (package != "." and f"`{package}/`" in text and f"`{module.stem}" in text)
    assert named, f"ARCHITECTURE.md does not name {relative}"
    lines = module.read_text(encoding="utf-8").count("\n")
    assert lines <= 650, f"{relative} is {lines} lines: split it by what it does (issue 24: about 600 at most)"


def test_every_path_architecture_names_exists():
    text = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    for path in re.findall(r"`((?:[a-z_]+/)+[a-z_]+\.(?:py|yml|md))`", text):
        candidates = [ROOT / path, PACKAGE / path, PACKAGE.parent / path, ROOT / "data" / path]
        assert any(c.exists() for c in candidates), path
