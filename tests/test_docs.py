"""Documentation checked by tests: every command is documented."""

from __future__ import annotations

import argparse

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
