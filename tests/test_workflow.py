"""The repository workflow: CI, Pages deployment, pre-commit and the pull request template."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from tests.conftest import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"
PR_TEMPLATE = ROOT / ".github" / "pull_request_template.md"
PRE_COMMIT = ROOT / ".pre-commit-config.yaml"


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _triggers(workflow: dict) -> dict:
    """The `on:` mapping; PyYAML (YAML 1.1) reads the bare key `on` as True."""
    on = workflow.get("on", workflow.get(True))
    assert on is not None, "the workflow has no `on:` triggers"
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return dict.fromkeys(on)
    return on


def _steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def _runs(workflow: dict) -> list[str]:
    return [step["run"] for step in _steps(workflow) if "run" in step]


def _uses(workflow: dict, action: str) -> list[dict]:
    return [step for step in _steps(workflow) if step.get("uses", "").split("@")[0] == action]


def _pushes_to_main(triggers: dict) -> bool:
    push = triggers.get("push") or {}
    return "main" in push.get("branches", [])


def _ruff_pin() -> str:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    deps = [d for group in pyproject["project"]["optional-dependencies"].values() for d in group]
    pins = [d.split("==")[1].strip() for d in deps if re.match(r"ruff\s*==", d)]
    assert len(pins) == 1, f"expected one exact ruff pin in pyproject.toml, found {deps}"
    return pins[0]


@pytest.fixture(scope="module")
def ci() -> dict:
    return _load(WORKFLOWS / "ci.yml")


@pytest.fixture(scope="module")
def deploy() -> dict:
    return _load(WORKFLOWS / "deploy.yml")


@pytest.fixture(scope="module")
def pre_commit() -> dict:
    return _load(PRE_COMMIT)


def test_ci_runs_on_pull_requests_and_on_pushes_to_main(ci):
    triggers = _triggers(ci)
    assert "pull_request" in triggers
    assert _pushes_to_main(triggers)


def test_ci_runs_the_tests_kb_check_and_both_builds_in_that_order(ci):
    runs = _runs(ci)
    order = [
        next(i for i, r in enumerate(runs) if "python3 scripts/dev.py test" in r),
        next(i for i, r in enumerate(runs) if re.search(r"\bkb check\b", r)),
        next(i for i, r in enumerate(runs) if re.search(r"\bkb build\b", r)),
    ]
    assert order == sorted(order), runs


def test_ci_runs_where_apt_gives_a_real_chromium(ci):
    """dev.py installs Debian's chromium; on an Ubuntu runner that would be a snap shim."""
    (job,) = ci["jobs"].values()
    container = job.get("container")
    image = container["image"] if isinstance(container, dict) else container
    assert image and "bookworm" in image
    # One job per Python of the matrix (test_dev.py checks which), each in its own image.
    assert image == "python:${{ matrix.python }}-bookworm"


def test_ci_only_reads_the_repository(ci):
    assert ci["permissions"] == {"contents": "read"}


def test_ci_uploads_the_built_site_after_building_it(ci):
    steps = _steps(ci)
    (upload,) = [s for s in _uses(ci, "actions/upload-artifact") if s["with"]["name"] == "site-preview"]
    assert upload["with"]["path"].rstrip("/") == "site"
    build = next(i for i, s in enumerate(steps) if re.search(r"\bkb build\b", s.get("run", "")))
    assert steps.index(upload) > build


def test_ci_cancels_superseded_pull_request_runs(ci):
    cancel = ci["concurrency"]["cancel-in-progress"]
    assert cancel is True or "github.event_name == 'pull_request'" in cancel


def test_deploy_runs_on_pushes_to_main(deploy):
    assert _pushes_to_main(_triggers(deploy))


def test_deploy_may_publish_to_pages(deploy):
    permissions = deploy["permissions"]
    assert permissions["pages"] == "write"
    assert permissions["id-token"] == "write"
    assert permissions["contents"] == "read"


def test_deploy_builds_with_the_pages_address_as_site_url(deploy):
    build = [s for s in _steps(deploy) if re.search(r"\bkb build\b", s.get("run", ""))]
    assert build, "deploy.yml never runs kb build"
    (configure,) = _uses(deploy, "actions/configure-pages")
    url = build[0].get("env", {}).get("KB_SITE_URL", "")
    assert f"steps.{configure['id']}.outputs.base_url" in url
    assert url.endswith("/")
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(r"^site_url: !ENV \[KB_SITE_URL\b", mkdocs, re.MULTILINE)


def test_deploy_uploads_site_and_deploys_it_to_pages(deploy):
    (upload,) = _uses(deploy, "actions/upload-pages-artifact")
    assert upload["with"]["path"].rstrip("/") == "site"
    (deploy_step,) = _uses(deploy, "actions/deploy-pages")
    job = next(j for j in deploy["jobs"].values() if deploy_step in j["steps"])
    assert job["environment"]["name"] == "github-pages"
    assert job["needs"] in ("build", ["build"])
    assert deploy["concurrency"]["cancel-in-progress"] is False


@pytest.mark.parametrize("name", ["ci.yml", "deploy.yml"])
def test_every_action_is_pinned_to_a_version_tag(name):
    workflow = _load(WORKFLOWS / name)
    uses = [s["uses"] for s in _steps(workflow) if "uses" in s]
    assert uses
    for use in uses:
        assert re.fullmatch(r"[\w.-]+/[\w./-]+@v\d+(\.\d+)*", use), use


def test_pre_commit_ruff_matches_the_pinned_ruff(pre_commit):
    (ruff,) = [r for r in pre_commit["repos"] if r["repo"] == "https://github.com/astral-sh/ruff-pre-commit"]
    assert ruff["rev"] == f"v{_ruff_pin()}"
    ids = {h["id"] for h in ruff["hooks"]}
    assert ids & {"ruff", "ruff-check"}, "no ruff lint hook"
    assert "ruff-format" in ids


def test_pre_commit_runs_kb_check(pre_commit):
    hooks = [h for r in pre_commit["repos"] if r["repo"] == "local" for h in r["hooks"]]
    (kb,) = [h for h in hooks if h["entry"] == "kb check"]
    assert kb["language"] == "system"
    assert kb["pass_filenames"] is False
    assert kb["always_run"] is True


def test_pr_template_points_to_the_rules_and_the_checks():
    text = PR_TEMPLATE.read_text(encoding="utf-8")
    for needed in ("CONTRIBUTING.md", "kb check", "python3 scripts/dev.py test", "source_hash"):
        assert needed in text, needed


def test_contributing_describes_pre_commit_and_the_pr_template():
    text = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert ".pre-commit-config.yaml" in text or "pre-commit" in text
    assert "pull_request_template.md" in text or "pull request template" in text.lower()
