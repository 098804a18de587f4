"""Build both languages with MkDocs, all or nothing."""

from __future__ import annotations

import contextlib
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from kb.content.project import Paths
from kb.content.schema import LANGS
from kb.errors import ContentError, Problem
from kb.search import pagefind
from kb.site import article_pages

log = logging.getLogger("kb")


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
                build(config)
            finally:
                config.plugins.on_shutdown()
        except (Abort, ConfigurationError, PluginError) as exc:
            raise BuildFailed(f"{paths.config(lang).name}: {exc}") from None
    if counter.messages:
        raise BuildFailed(f"{paths.config(lang).name}: {len(counter.messages)} warning(s) in a strict build")


def build_site(paths: Paths, out: Path | None = None, *, verbose: bool = False, site_url: str | None = None) -> Path:
    """Build every language into a fresh folder, then swap it into place.

    Nothing is written to ``out`` unless every build succeeds, so a failed
    build never leaves a half-written site.
    """
    out = out or paths.site
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.building-", dir=out.parent))
    try:
        for lang in LANGS:
            build_language(paths, lang, staging / article_pages.lang_root(lang), verbose=verbose, site_url=site_url)
        try:
            pagefind.index_site(staging)
        except pagefind.SearchIndexFailed as exc:
            raise BuildFailed(str(exc)) from None
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
    """Serve both languages together, rebuilding on every edit."""
    from mkdocs.livereload import LiveReloadServer

    site_dir = Path(tempfile.mkdtemp(prefix="kb-serve-"))
    url = f"http://{host}:{port}/"

    def builder() -> None:
        try:
            for lang in LANGS:
                build_language(paths, lang, site_dir / article_pages.lang_root(lang), site_url=url)
            pagefind.index_site(site_dir)
            log.info("Built both languages; serving %s and %sen/", url, url)
        except (BuildFailed, ContentError, pagefind.SearchIndexFailed) as exc:
            log.error("%s", exc)

    server = LiveReloadServer(builder=builder, host=host, port=port, root=str(site_dir), mount_path="/")
    builder()
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
        shutil.rmtree(site_dir, ignore_errors=True)
