#!/usr/bin/env python3
"""Set up everything, then serve the site or run the whole test suite.

    python3 scripts/dev.py serve   # http://127.0.0.1:8000/ (English at /en/)
    python3 scripts/dev.py test    # lint, kb check, and every test

Needs only Python 3.11, 3.12 or 3.13 and git. Creates .venv/ and installs
the pinned dependencies (scripts/requirements.lock) when they changed, and
makes .venv/ afresh when a different Python version runs this script; KB_VENV
names another folder instead of .venv (e.g. KB_VENV=.venv-3.13 to keep one per
Python). For the tests, installs Debian's Chromium through apt when it is
missing. Standard library only: it runs before anything is installed.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The Python versions we test on (oldest and newest in CI); keep in step with
# requires-python in pyproject.toml.
SUPPORTED = ((3, 11), (3, 12), (3, 13))
VENV = ROOT / (os.environ.get("KB_VENV") or ".venv")
BIN_NAME = "Scripts" if os.name == "nt" else "bin"
BIN = VENV / BIN_NAME
LOCK = ROOT / "scripts" / "requirements.lock"
APT_PACKAGES = ["chromium", "fonts-noto-core", "default-jre-headless"]


def run(*cmd: str | Path, **kwargs) -> int:
    print("+", " ".join(str(c) for c in cmd), flush=True)
    return subprocess.call([str(c) for c in cmd], cwd=ROOT, **kwargs)


def _dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


def unsupported_python(version: tuple[int, ...]) -> str | None:
    """The one-line complaint about this Python version, or None when it is supported."""
    if tuple(version[:2]) in SUPPORTED:
        return None
    names = [_dotted(v) for v in SUPPORTED]
    return (
        f"dev.py: Python {_dotted(version)} is not supported; "
        f"use Python {', '.join(names[:-1])} or {names[-1]} (e.g. python{names[-1]} scripts/dev.py test)"
    )


def venv_python(venv_dir: Path) -> tuple[int, int] | None:
    """The X.Y of the Python that made venv_dir, from its pyvenv.cfg; None when it is no venv."""
    try:
        lines = (venv_dir / "pyvenv.cfg").read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    for line in lines:
        if found := re.match(r"\s*version(?:_info)?\s*=\s*(\d+)\.(\d+)", line):
            return int(found[1]), int(found[2])
    return None


def install_stamp(version: tuple[int, ...]) -> str:
    """What .kb-installed holds once the pins are installed: Python X.Y and the pins' hash."""
    digest = hashlib.sha256()
    for part in (f"python{_dotted(version[:2])}".encode(), (ROOT / "pyproject.toml").read_bytes(), LOCK.read_bytes()):
        digest.update(part + b"\0")
    return f"python{_dotted(version[:2])} sha256:{digest.hexdigest()}\n"


def ensure_venv(venv_dir: Path = VENV, version: tuple[int, ...] | None = None) -> None:
    """Make venv_dir with this Python (afresh if another version made it) and install the pins."""
    version = tuple(version or sys.version_info[:3])
    if problem := unsupported_python(version):
        sys.exit(problem)
    name = venv_dir.relative_to(ROOT) if venv_dir.is_relative_to(ROOT) else venv_dir
    bin_dir = venv_dir / BIN_NAME
    made_by = venv_python(venv_dir)
    if made_by is not None and made_by != version[:2]:
        print(
            f"dev.py: {name} was made by Python {_dotted(made_by)}, this is Python {_dotted(version[:2])}: "
            f"making {name} afresh ...",
            flush=True,
        )
        venv.create(venv_dir, clear=True, with_pip=True)
    elif made_by is None or not (bin_dir / "python").exists():
        print(f"Creating {name} (Python {_dotted(version[:2])}) ...", flush=True)
        venv.create(venv_dir, clear=made_by is not None, with_pip=True)
    stamp = venv_dir / ".kb-installed"
    wanted = install_stamp(version)
    if stamp.exists() and stamp.read_text(encoding="utf-8") == wanted:
        return
    pip = [bin_dir / "python", "-m", "pip", "install", "--disable-pip-version-check", "-q"]
    if run(*pip, "-c", LOCK, "-e", ".[test]") != 0:
        sys.exit("dev.py: installing the dependencies failed (see above)")
    stamp.write_text(wanted, encoding="utf-8")


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
