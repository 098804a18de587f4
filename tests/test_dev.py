"""scripts/dev.py: which Pythons it accepts, and its virtualenv follows the Python that runs it."""

from __future__ import annotations

import fnmatch
import importlib.util
import re
import shutil
import tomllib
from pathlib import Path

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from tests.conftest import ROOT


def _load_dev():
    spec = importlib.util.spec_from_file_location("kb_dev_script", ROOT / "scripts" / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = _load_dev()


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 12, 1), (3, 13, 0), (3, 13)])
def test_supported_pythons_are_accepted(version):
    assert dev.unsupported_python(version) is None


@pytest.mark.parametrize("version", [(3, 10, 12), (3, 14, 0), (3, 9), (2, 7, 18), (4, 0, 0)])
def test_other_pythons_get_one_line_naming_the_supported_ones(version, tmp_path, monkeypatch):
    message = dev.unsupported_python(version)
    assert message is not None
    assert "\n" not in message
    assert message.startswith("dev.py: Python " + ".".join(map(str, version)) + " is not supported")
    assert "3.11, 3.12 or 3.13" in message
    monkeypatch.setattr(dev.venv, "create", lambda *a, **k: pytest.fail("made a venv for an unsupported Python"))
    with pytest.raises(SystemExit) as exit_:
        dev.ensure_venv(tmp_path / "venv", version)
    assert exit_.value.code == message


def test_supported_matches_requires_python():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    spec = SpecifierSet(pyproject["project"]["requires-python"])
    for minor in range(6, 20):
        assert (f"3.{minor}.0" in spec) == ((3, minor) in dev.SUPPORTED), f"3.{minor}"
    assert pyproject["tool"]["ruff"]["target-version"] == f"py3{min(dev.SUPPORTED)[1]}"


def test_ci_tests_on_the_oldest_and_newest_supported_python():
    ci = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    (job,) = ci["jobs"].values()
    wanted = [".".join(map(str, v)) for v in (min(dev.SUPPORTED), max(dev.SUPPORTED))]
    assert job["strategy"]["matrix"]["python"] == wanted
    assert job["strategy"].get("fail-fast") is False


def test_local_ci_runs_the_readme_command_then_the_newest_python_in_its_own_venv():
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    newest = ".".join(map(str, max(dev.SUPPORTED)))
    assert re.search(r"^python3 scripts/dev\.py test$", run, re.MULTILINE)
    assert re.search(rf"^NEWEST={re.escape(newest)}\b", run, re.MULTILINE)
    assert 'KB_VENV=".venv-$NEWEST"' in run
    ignored = [line.strip().rstrip("/") for line in (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()]
    for folder in (".venv", f".venv-{newest}"):
        assert any(fnmatch.fnmatch(folder, pattern) for pattern in ignored if pattern), folder


def test_kb_venv_names_the_venv_folder(monkeypatch):
    monkeypatch.setenv("KB_VENV", ".venv-elsewhere")
    assert _load_dev().VENV == ROOT / ".venv-elsewhere"
    monkeypatch.setenv("KB_VENV", "")
    assert _load_dev().VENV == ROOT / ".venv"
    monkeypatch.delenv("KB_VENV")
    assert _load_dev().BIN == ROOT / ".venv" / dev.BIN_NAME


# A fake venv: pyvenv.cfg names the Python that made it, nothing is installed.


def _fake_venv(folder: Path, made_by: str, stamp: str | None) -> Path:
    (folder / dev.BIN_NAME).mkdir(parents=True)
    (folder / dev.BIN_NAME / "python").write_text("", encoding="utf-8")
    (folder / "pyvenv.cfg").write_text(f"home = /usr/bin\nversion = {made_by}\n", encoding="utf-8")
    if stamp is not None:
        (folder / ".kb-installed").write_text(stamp, encoding="utf-8")
    return folder


@pytest.fixture
def calls(monkeypatch):
    """Record venv.create and dev.run instead of making venvs and running pip."""
    seen: dict[str, list] = {"create": [], "run": []}

    def create(folder, *, clear=False, with_pip=False, **_):
        seen["create"].append((Path(folder), clear))
        if clear:
            shutil.rmtree(folder)
        Path(folder).mkdir(parents=True, exist_ok=True)

    def run(*cmd, **_):
        seen["run"].append([str(c) for c in cmd])
        return 0

    monkeypatch.setattr(dev.venv, "create", create)
    monkeypatch.setattr(dev, "run", run)
    return seen


def test_venv_is_made_afresh_when_another_python_made_it(tmp_path, calls, capsys):
    folder = _fake_venv(tmp_path / "venv", "3.11.7", dev.install_stamp((3, 11, 7)))
    dev.ensure_venv(folder, (3, 13, 0))
    assert calls["create"] == [(folder, True)]
    out = capsys.readouterr().out
    assert "made by Python 3.11, this is Python 3.13" in out
    (pip,) = calls["run"]
    assert pip[:3] == [str(folder / dev.BIN_NAME / "python"), "-m", "pip"]
    assert "install" in pip and ".[test]" in pip
    assert (folder / ".kb-installed").read_text(encoding="utf-8") == dev.install_stamp((3, 13, 0))


def test_venv_is_kept_when_the_same_python_installed_the_same_pins(tmp_path, calls):
    folder = _fake_venv(tmp_path / "venv", "3.12.1", dev.install_stamp((3, 12, 1)))
    dev.ensure_venv(folder, (3, 12, 9))
    assert calls == {"create": [], "run": []}


def test_stamp_names_the_python():
    assert dev.install_stamp((3, 11, 7)).startswith("python3.11 ")
    assert dev.install_stamp((3, 11, 7)) == dev.install_stamp((3, 11, 2))
    assert dev.install_stamp((3, 11, 7)) != dev.install_stamp((3, 13, 0))


def test_an_old_stamp_reinstalls_without_remaking_the_venv(tmp_path, calls):
    old = "0" * 64  # the stamp before it named the Python: the bare hash of the pins
    folder = _fake_venv(tmp_path / "venv", "3.11.7", old)
    dev.ensure_venv(folder, (3, 11, 7))
    assert calls["create"] == []
    assert len(calls["run"]) == 1
    assert (folder / ".kb-installed").read_text(encoding="utf-8") == dev.install_stamp((3, 11, 7))


def test_a_missing_venv_is_created_without_clearing_anything(tmp_path, calls, capsys):
    folder = tmp_path / "venv"
    dev.ensure_venv(folder, (3, 12, 1))
    assert calls["create"] == [(folder, False)]
    assert "Creating" in capsys.readouterr().out
    assert len(calls["run"]) == 1


@pytest.mark.parametrize(
    ("cfg", "version"),
    [
        ("home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.13.0\n", (3, 13)),
        ("home = /x\nversion_info = 3.12.1.final.0\n", (3, 12)),
        ("home = /x\n", None),
    ],
)
def test_venv_python_reads_pyvenv_cfg(tmp_path, cfg, version):
    (tmp_path / "pyvenv.cfg").write_text(cfg, encoding="utf-8")
    assert dev.venv_python(tmp_path) == version
    assert dev.venv_python(tmp_path / "missing") is None
