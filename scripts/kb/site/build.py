"""Build both languages with MkDocs, all or nothing, at the same time where there are two cores.

Each language is its own strict MkDocs build. With a second usable core, the
languages other than the default one are built by child processes
(``python -m kb.site.build``) while this process builds the default one, or,
in ``kb build``, checks the project while every language is built by a child;
the site is the same as when they are built one after the other
(``KB_PARALLEL=0``, or one core). A child loads the project for itself: the
loading is counted in its build. The default language's build leaves the
other languages' folders in its own alone (:func:`others_kept`).
"""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from kb.content.project import Paths, load_project_cached
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.errors import ContentError, Problem
from kb.search import pagefind
from kb.site import article_pages

log = logging.getLogger("kb")

# "0" builds the languages one after the other in this process (one core, or to debug); else at once.
PARALLEL_ENV = "KB_PARALLEL"


class BuildFailed(Exception):
    """MkDocs reported errors or warnings; they were already logged."""


class _Counter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextlib.contextmanager
def _quiet_mkdocs(verbose: bool) -> Iterator[_Counter]:
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    logger = logging.getLogger("mkdocs")
    counter = _Counter()
    old_level, old_propagate = logger.level, logger.propagate
    stream = logging.StreamHandler()
    stream.setFormatter(logging.Formatter("%(levelname)-7s - %(message)s"))
    stream.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.addHandler(stream)
    logger.addHandler(counter)
    logger.setLevel(logging.INFO if verbose else logging.WARNING)
    logger.propagate = False
    try:
        yield counter
    finally:
        logger.removeHandler(stream)
        logger.removeHandler(counter)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


@contextlib.contextmanager
def others_kept(lang: str) -> Iterator[None]:
    """While the default language is built, MkDocs' cleaning of its site folder leaves the other
    languages' folders in it alone: they are being built at the same time (or were built already).

    MkDocs empties the site folder before it writes a language (``mkdocs.utils.clean_directory``,
    looked up when the build calls it); nothing else is kept, so the site is what a build into an
    empty folder makes.
    """
    import mkdocs.utils

    if lang != DEFAULT_LANG:
        yield
        return
    kept = {article_pages.lang_root(other).rstrip("/") for other in LANGS if other != lang}
    clean = mkdocs.utils.clean_directory

    def clean_but_others(directory: str) -> None:
        if not os.path.isdir(directory):
            return
        for entry in os.listdir(directory):
            if entry in kept or entry.startswith("."):  # MkDocs leaves hidden entries too
                continue
            path = os.path.join(directory, entry)
            if os.path.isdir(path) and not os.path.islink(path):
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)

    mkdocs.utils.clean_directory = clean_but_others
    try:
        yield
    finally:
        mkdocs.utils.clean_directory = clean


def build_language(
    paths: Paths, lang: str, site_dir: Path, *, verbose: bool = False, site_url: str | None = None
) -> None:
    """Run one strict MkDocs build of one language into ``site_dir``."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, PluginError

    with _quiet_mkdocs(verbose) as counter:
        try:
            config = load_config(config_file=str(paths.config(lang)), site_dir=str(site_dir), strict=True)
            if site_url is not None:
                config.site_url = article_pages.language_url(site_url, lang)
            config.plugins.on_startup(command="build", dirty=False)
            try:
                with others_kept(lang):
                    build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, ConfigurationError, PluginError) as exc:
            raise BuildFailed(f"{paths.config(lang).name}: {exc}") from None
    if counter.messages:
        raise BuildFailed(f"{paths.config(lang).name}: {len(counter.messages)} warning(s) in a strict build")


def build_and_index(
    paths: Paths, lang: str, site_dir: Path, *, verbose: bool = False, site_url: str | None = None
) -> None:
    """One language built (:func:`build_language`), then its search index (:func:`kb.search.pagefind.index_language`)."""
    build_language(paths, lang, site_dir, verbose=verbose, site_url=site_url)
    try:
        pagefind.index_language(site_dir, lang, set(pagefind.archived(load_project_cached(paths.root).articles)))
    except pagefind.SearchIndexFailed as exc:
        raise BuildFailed(f"{paths.config(lang).name}: {exc}") from None


def parallel() -> bool:
    """Whether the languages are built at once: a second usable core, unless KB_PARALLEL=0."""
    if os.environ.get(PARALLEL_ENV, "").strip() == "0":
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def build_languages(
    paths: Paths,
    site_dir: Path,
    *,
    verbose: bool = False,
    site_url: str | None = None,
    first: Callable[[], object] | None = None,
) -> None:
    """Build and index every language into ``site_dir`` (the default at its root): at once where there are
    two cores.

    ``first`` (``kb build``'s check) runs in this process while the languages build in child processes
    (without it, this process builds the default language); if it raises, they are stopped and nothing
    is kept. A child's messages are shown when it ends, after this process's.
    """
    others = [lang for lang in LANGS if lang != DEFAULT_LANG]
    if not parallel():
        if first is not None:
            first()
        for lang in (DEFAULT_LANG, *others):
            build_and_index(paths, lang, site_dir / article_pages.lang_root(lang), verbose=verbose, site_url=site_url)
        return
    # With a check to run, it and the two builds share the cores: the check no longer comes before the
    # default language's build (a child loads the project again, which costs less than the check).
    in_children = [DEFAULT_LANG, *others] if first is not None else others
    with contextlib.ExitStack() as stack:
        logs = {lang: stack.enter_context(tempfile.TemporaryFile("w+", encoding="utf-8")) for lang in in_children}
        children = {
            lang: _start_child(paths, lang, site_dir, logs[lang], verbose=verbose, site_url=site_url)
            for lang in in_children
        }
        try:
            if first is not None:
                first()
            else:
                default_dir = site_dir / article_pages.lang_root(DEFAULT_LANG)
                build_and_index(paths, DEFAULT_LANG, default_dir, verbose=verbose, site_url=site_url)
        except BaseException:
            for child in children.values():
                child.kill()
                child.wait()
            raise
        failed = []
        for lang, child in children.items():
            if child.wait() != 0:
                failed.append(lang)
            logs[lang].seek(0)
            sys.stderr.write(logs[lang].read())
    if failed:
        names = ", ".join(paths.config(lang).name for lang in failed)
        raise BuildFailed(f"{names}: the build failed (its messages are above)")


def _start_child(
    paths: Paths, lang: str, site_dir: Path, log: IO[str], *, verbose: bool, site_url: str | None
) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "kb.site.build",
        str(paths.root),
        lang,
        str(site_dir / article_pages.lang_root(lang)),
    ]
    if site_url is not None:
        command += ["--site-url", site_url]
    if verbose:
        command.append("--verbose")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", PARALLEL_ENV: "0"}
    return subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)


def build_site(
    paths: Paths,
    out: Path | None = None,
    *,
    verbose: bool = False,
    site_url: str | None = None,
    first: Callable[[], object] | None = None,
) -> Path:
    """Build every language into a fresh folder, then swap it into place.

    Nothing is written to ``out`` unless every build succeeds, so a failed
    build never leaves a half-written site. ``first`` runs before anything
    is kept (see :func:`build_languages`): ``kb build`` checks the project
    there, while the other language is already building.
    """
    out = out or paths.site
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        build_languages(paths, staging, verbose=verbose, site_url=site_url, first=first)
        if out.exists():
            if not (out / "sitemap.xml").exists() and any(out.iterdir()):
                raise ContentError(
                    Problem(
                        paths.show(out),
                        "exists and is not a built site",
                        expected="an empty folder or a previous build",
                    )
                )
            old = out.with_name(f".{out.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            out.rename(old)
            staging.rename(out)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def serve(paths: Paths, host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve both languages together; after an edit, rewrite only the pages it changed (:mod:`kb.site.preview`)."""
    from mkdocs.livereload import LiveReloadServer

    from kb.site.preview import Preview, describe

    site_dir = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    url = f"http://{host}:{port}/"
    view = Preview(paths, site_dir, site_url=url)

    def builder() -> None:
        start = time.perf_counter()
        try:
            done = view.update()
        except (BuildFailed, ContentError) as exc:
            log.error("%s", exc)
            return
        log.info("%s in %.1f s; the search index follows", describe(done), time.perf_counter() - start)

    try:
        view.build()
        log.info("Built both languages; serving %s and %sen/", url, url)
    except (BuildFailed, ContentError, pagefind.SearchIndexFailed) as exc:
        log.error("%s", exc)
    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir), mount_path="/")
    for watched in (
        paths.docs,
        paths.seeds,
        paths.data,
        paths.root / "overrides",
        *(paths.config(lang) for lang in LANGS),
    ):
        if watched.exists():
            server.watch(str(watched))
    try:
        server.serve()
    except KeyboardInterrupt:
        log.info("Stopped.")
    finally:
        server.shutdown()
        view.close()
        shutil.rmtree(site_dir, ignore_errors=True)


def main(argv: list[str]) -> int:
    """Build and index one language (a child of :func:`build_languages`): ROOT LANG SITE_DIR [--site-url URL]
    [--verbose]."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m kb.site.build")
    parser.add_argument("root", type=Path)
    parser.add_argument("lang", choices=LANGS)
    parser.add_argument("site_dir", type=Path)
    parser.add_argument("--site-url")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    try:
        build_and_index(Paths(args.root), args.lang, args.site_dir, verbose=args.verbose, site_url=args.site_url)
    except BuildFailed as exc:
        print(f"kb build: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
