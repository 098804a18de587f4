"""Page work done beside MkDocs: linking an article's glossary terms, and finishing a page's HTML.

Finishing is the last step of a page's content: sanitised (nh3), and marked
up for the search indexer with its extra search words. Linking and finishing
need only the glossary, not the project, so they can run in a second process.
MkDocs renders pages on one core; on a machine with a spare one the hook
hands them to a worker (``python -m kb.finish``):

* every article's body is sent for linking when the build's files are known
  (``on_files``), and taken back when MkDocs reaches the article
  (``on_page_markdown``): the worker, ten times faster per page than MkDocs'
  rendering, is ahead by then;
* each page's HTML is sent as soon as its Markdown is rendered
  (``on_page_content``) and collected when its template is rendered
  (``on_page_context``). MkDocs renders every page's Markdown before any
  template, so by then it is long done.

The results do not depend on where they were computed: :class:`PageWork` is
the same code in both places, a body is used only if it is the one MkDocs
hands over, and whatever the worker fails on is done again in the main
process. The worker is a plain child process reading pickled messages on its
standard input, not a multiprocessing pool: a pool's children re-import the
parent's main script, which a build started from an unguarded script would
run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any, BinaryIO

from kb import markup, pages, search

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
from kb.knowledge import Knowledge, Term

log = logging.getLogger("mkdocs.kb")

# "0" does all page work in the main process (one core, or to debug); anything else lets a worker do it.
WORKER_ENV = "KB_PAGE_WORKER"
_HEADER = 4  # bytes of a message's length, big-endian, before the pickled message
_PIPE_BYTES = 1 << 20  # a pipe this large takes a page without waiting for the other side to read


class PageWork:
    """The page work of one language's build, given its glossary."""

    def __init__(self, lang: str, k: Knowledge) -> None:
        self.lang, self.k = lang, k

    def link(self, body: str, prefix: str) -> tuple[str, set[str]]:
        """An article body with its glossary terms linked, and the terms it links."""
        return pages.link_article_terms(body, self.k, self.lang, prefix)

    def finish(self, html: str, searchable: bool, terms: set[str] | None, markdown: str) -> str:
        """A page's content as the site shows it: active content removed, and, for a page in the search
        index, wrapped as what Pagefind indexes with the page's extra search words (:mod:`kb.search`).

        ``terms`` are the glossary terms the page uses; None finds them in the indexed part of its Markdown.
        """
        clean = markup.sanitize(html)
        if not searchable:
            return clean
        if terms is None:
            terms = pages.indexed_terms(self.k, self.lang, markdown)
        forms = search.other_language_forms(self.k, self.lang, terms)
        return f"<div data-pagefind-body>{clean}{search.hidden_terms(clean, forms)}</div>"


def spare_core() -> bool:
    """Whether page work goes to a worker process: a second usable core, unless KB_PAGE_WORKER=0."""
    if os.environ.get(WORKER_ENV, "").strip() == "0":
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def _send(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_HEADER, "big") + data)
    stream.flush()


def _receive(stream: BinaryIO) -> Any:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER)
    if len(header) < _HEADER:
        return None
    data = stream.read(int.from_bytes(header, "big"))
    return pickle.loads(data)  # our own parent or child wrote it


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The worker: ("begin", lang, terms), then ("link" | "finish", key, *arguments) -> (kind, key, result).

    The result is None when the work failed: the parent does it again itself, and shows the error then.
    """
    work: PageWork | None = None
    while (message := _receive(requests)) is not None:
        kind, *args = message
        if kind == "begin":
            lang, terms = args
            work = PageWork(lang, Knowledge(terms=terms))
            continue
        key, *arguments = args
        try:
            result = getattr(work, kind)(*arguments)
        except Exception:
            result = None
        _send(replies, (kind, key, result))


def _widen(stream: BinaryIO | None) -> None:
    """Let a pipe hold a whole page, so sending one rarely waits (Linux; elsewhere it keeps its size)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is not None and set_size is not None:
        with contextlib.suppress(OSError):  # refused (a lower limit for this user): the default size works too
            fcntl.fcntl(stream.fileno(), set_size, _PIPE_BYTES)


_FINISHED = ("finished in the worker",)  # what stays of a page's work once the worker has done it


class Finisher:
    """Does one language's page work, in one worker process when there is a spare core, else in this process.

    :meth:`begin` with the language's glossary; send article bodies with :meth:`submit_link` and take them
    back with :meth:`link`; send pages with :meth:`submit` and take them back with :meth:`result`;
    :meth:`close` ends the worker.
    """

    def __init__(self, worker: bool) -> None:
        self._work: PageWork | None = None
        self._sent: dict[tuple[str, str], tuple[Any, ...]] = {}  # sent to the worker, not yet taken back
        self._done: dict[tuple[str, str], Any] = {}  # results in from the worker (None: it failed)
        self._finished: dict[str, str] = {}  # pages finished here
        self._arrived = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._alive = False  # the worker takes work: started, and not known to have ended
        self._reader: threading.Thread | None = None
        # Messages for the worker, written by a thread of their own: the main process never waits
        # for the worker to read (a burst of article bodies would otherwise fill the pipe and block it).
        self._outbox: queue.SimpleQueue[tuple[Any, ...] | None] = queue.SimpleQueue()
        self._writer: threading.Thread | None = None
        if worker:
            self._start()

    def _start(self) -> None:
        package_parent = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kb.finish"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )
        except OSError as exc:  # no processes here (a sandbox, a limit): the work is done in-process
            log.debug("kb: page work stays in-process: %s", exc)
            return
        _widen(self._process.stdin)  # type: ignore[arg-type]
        self._alive = True
        self._reader = threading.Thread(target=self._read, name="kb-page-worker-reader", daemon=True)
        self._reader.start()
        self._writer = threading.Thread(target=self._write, name="kb-page-worker-writer", daemon=True)
        self._writer.start()

    def _write(self) -> None:
        assert self._process is not None and self._process.stdin is not None
        stream = self._process.stdin
        while (message := self._outbox.get()) is not None:
            try:
                _send(stream, message)  # type: ignore[arg-type]
            except OSError as exc:  # the worker ended (BrokenPipeError): what it did not get is done here
                log.debug("kb: page worker gone, working in-process: %s", exc)
                with self._arrived:
                    self._alive = False
                    self._arrived.notify_all()
                return

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout
        while True:
            try:
                message = _receive(stream)  # type: ignore[arg-type]
            except (OSError, EOFError, pickle.UnpicklingError):
                message = None
            with self._arrived:
                if message is None:  # the worker ended: whatever it did not send back is done here
                    self._alive = False
                    self._arrived.notify_all()
                    return
                kind, key, result = message
                self._done[kind, key] = result
                if kind == "finish" and result is not None and (kind, key) in self._sent:
                    # A page's HTML is needed again only to redo failed work: it is not kept until the
                    # page is collected (MkDocs renders every page before the first is collected).
                    self._sent[kind, key] = _FINISHED
                self._arrived.notify_all()

    @property
    def in_worker(self) -> bool:
        return self._alive

    def _post(self, kind: str, key: str, *args: Any) -> bool:
        """Send work to the worker; False if there is none (any more)."""
        if not self._alive:
            return False
        with self._arrived:
            self._sent[kind, key] = args
        self._outbox.put((kind, key, *args))
        return True

    def _take(self, kind: str, key: str) -> tuple[tuple[Any, ...] | None, Any]:
        """(the arguments sent, the worker's result or None), waiting for it while the worker lives."""
        with self._arrived:
            while (kind, key) in self._sent and (kind, key) not in self._done and self._alive:
                self._arrived.wait()
            return self._sent.pop((kind, key), None), self._done.pop((kind, key), None)

    def begin(self, lang: str, k: Knowledge) -> None:
        """Start a language's work with its knowledge (the worker gets the glossary only)."""
        self._work = PageWork(lang, k)
        if self._alive:
            terms: dict[str, Term] = dict(k.terms)
            self._outbox.put(("begin", lang, terms))

    @property
    def work(self) -> PageWork:
        if self._work is None:
            raise RuntimeError("Finisher.begin was not called")
        return self._work

    def submit_link(self, key: str, body: str, prefix: str) -> None:
        """Send an article body for linking ahead of time (only to a worker: here it is linked when needed)."""
        self._post("link", key, body, prefix)

    def link(self, key: str, body: str, prefix: str) -> tuple[str, set[str]]:
        """An article body with its glossary terms linked: the worker's, if it linked this very body."""
        sent, result = self._take("link", key)
        if result is not None and sent == (body, prefix):
            return result  # type: ignore[no-any-return]
        return self.work.link(body, prefix)

    def submit(self, key: str, html: str, searchable: bool, terms: set[str] | None, markdown: str) -> None:
        """Start finishing a page (keyed by its source path)."""
        args = (html, searchable, terms, markdown)
        if not self._post("finish", key, *args):
            self._finished[key] = self.work.finish(*args)

    def result(self, key: str) -> str:
        """A submitted page's finished content."""
        if key in self._finished:
            return self._finished.pop(key)
        sent, result = self._take("finish", key)
        if sent is None:
            raise KeyError(key)
        return result if result is not None else self.work.finish(*sent)

    @property
    def unfinished(self) -> list[str]:
        """Pages submitted and never collected."""
        return sorted({*self._finished, *(key for kind, key in {*self._sent, *self._done} if kind == "finish")})

    def close(self) -> None:
        """End the worker and wait for it, so its time is counted with this process's children."""
        process, self._process, self._alive = self._process, None, False
        if self._writer is not None:
            self._outbox.put(None)  # after whatever is still queued
            self._writer.join()
            self._writer = None
        if process is not None:
            if process.stdin is not None:
                with contextlib.suppress(OSError):  # it had ended already (a broken pipe)
                    process.stdin.close()  # the worker ends at the end of its input
            process.wait()
        if self._reader is not None:
            self._reader.join()
            self._reader = None
        if process is not None and process.stdout is not None:
            process.stdout.close()
        self._sent.clear()
        self._done.clear()
        self._finished.clear()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
