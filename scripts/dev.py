#!/usr/bin/env python3
"""Set up everything, then serve the site or run the whole test suite.

    python3 scripts/dev.py serve   # http://127.0.0.1:8000/ (English at /en/)
    python3 scripts/dev.py test    # lint, kb check, and every test

Needs only Python 3.11 and git. Creates .venv/ and installs the pinned
dependencies (scripts/requirements.lock) when they changed; for the tests,
installs Debian's Chromium through apt when it is missing. Standard library
only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
LOCK = ROOT / "scripts" / "requirements.lock"
STAMP = VENV / ".kb-installed"
APT_PACKAGES = ["chromium", "fonts-noto-core", "default-jre-headless"]


def run(*cmd: str | Path, **kwargs) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)


def ensure_venv() -> None:
    if sys.version_info[:2] != (3, 11):
        sys.exit(f"dev.py: Python 3.11 is required (this is {sys.version.split()[0]})")
    if not (BIN / "python").exists():
        print("Creating .venv ...", flush=True)
        venv.create(VENV, with_pip=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if STAMP.exists() and STAMP.read_text(encoding="utf-8") == wanted:
        return
    pip = [BIN / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run(*pip, "-c", LOCK, "-e", ".[test]") != 0:
        sys.exit("dev.py: installing the dependencies failed (see above)")
    STAMP.write_text(wanted, encoding="utf-8")


def ensure_system_packages() -> None:
    """Chromium for the browser tests, Java for the HTML checker, via apt."""
    missing = [
        p for p, exe in zip(APT_PACKAGES, ("chromium", None, "java"), strict=True) if exe and not shutil.which(exe)
    ]
    if not missing:
        return
    prefix = [] if os.geteuid() == 0 else (["sudo"] if shutil.which("sudo") else None)
    if prefix is None or not shutil.which("apt-get"):
        sys.exit(f"dev.py: please install {' '.join(APT_PACKAGES)} (Debian packages) for the browser tests")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    run(*prefix, "apt-get", "update", "-qq", env=env)
    if run(*prefix, "apt-get", "install", "-y", "-qq", "--no-install-recommends", *APT_PACKAGES, env=env) != 0:
        sys.exit("dev.py: apt-get could not install the browser")


def serve() -> int:
    ensure_venv()
    return run(BIN / "kb", "serve")


def test() -> int:
    ensure_venv()
    ensure_system_packages()
    steps = [
        (BIN / "ruff", "check", "scripts", "tests"),
        (BIN / "ruff", "format", "--check", "scripts", "tests"),
        (BIN / "kb", "check"),
        (BIN / "python", "-m", "pytest", "-p", "no:cacheprovider"),
    ]
    for step in steps:
        if (code := run(*step)) != 0:
            return code
    return 0


def main(argv: list[str]) -> int:
    commands = {"serve": serve, "test": test}
    if len(argv) != 1 or argv[0] not in commands:
        print(__doc__.strip().splitlines()[2:4] and "usage: python3 scripts/dev.py serve|test", file=sys.stderr)
        return 2
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    return commands[argv[0]]()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
