"""``kb serve``'s search index: the Pagefind index cannot be updated page by page, so the whole site is
indexed again in the background once pages are written, into new bundles swapped into place when they
are complete (:class:`SearchIndexer`, :func:`index_into_place`)."""

from __future__ import annotations

import logging
import shutil
import tempfile
import threading
import time
from pathlib import Path

from kb.content.schema import LANGS
from kb.search import pagefind
from kb.site import article_pages

log = logging.getLogger("kb")


class SearchIndexer:
    """Indexes the site with Pagefind in a background thread, swapping the new bundle into place.

    :meth:`request` after pages are written, with the articles of the search archive
    (:func:`kb.search.pagefind.archived`); an index already under way is followed by another.
    """

    def __init__(self, site_dir: Path) -> None:
        self.site_dir = site_dir
        self._archived: set[str] = set()
        self._wanted = threading.Event()
        self._idle = threading.Event()
        self._idle.set()
        self._lock = threading.Lock()
        self._stop = False
        self.seconds = 0.0  # how long the last index took
        self._thread = threading.Thread(target=self._run, name="kb-search-index", daemon=True)
        self._thread.start()

    def request(self, archived: set[str]) -> None:
        with self._lock:
            self._archived = archived
            self._idle.clear()
            self._wanted.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until no index is wanted or under way; whether it is."""
        return self._idle.wait(timeout)

    def stop(self) -> None:
        self._stop = True
        self._wanted.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            if self._stop:
                return
            with self._lock:
                self._wanted.clear()
                archived = self._archived
            start = time.perf_counter()
            try:
                index_into_place(self.site_dir, archived)
            except pagefind.SearchIndexFailed as exc:
                log.error("%s", exc)
            self.seconds = time.perf_counter() - start
            with self._lock:
                if not self._wanted.is_set():
                    self._idle.set()


def index_into_place(site_dir: Path, archived: set[str]) -> None:
    """Index the site into new bundles beside it, then swap each for the old one."""
    staging = Path(tempfile.mkdtemp(prefix=".kb-search-", dir=site_dir.parent))
    try:
        pagefind.index_site(site_dir, archived, staging)
        for lang in LANGS:
            root = article_pages.lang_root(lang)
            bundle, old = site_dir / root / pagefind.BUNDLE, staging / "old" / root
            old.mkdir(parents=True, exist_ok=True)
            if bundle.exists():
                bundle.rename(old / pagefind.BUNDLE)
            (staging / root / pagefind.BUNDLE).rename(bundle)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
