"""Page work done beside MkDocs: linking an article's glossary terms, and finishing a page's HTML.

Finishing is the last step of a page's content: sanitised (nh3), and marked
up for the search indexer with its extra search words. Linking and finishing
need only the glossary, not the project, so they can run in a second process.
MkDocs renders pages on one core; on a machine with a spare one the hook
hands them to a worker (``python -m kb.site.finish``):

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
import select
import subprocess
import sys
from pathlib import Path
from typing import Any, BinaryIO

from kb.content import markup
from kb.search import pagefind
from kb.site import pages

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]
from kb.knowledge.facts import Knowledge, Term

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
        index, wrapped as what Pagefind indexes with the page's extra search words (:mod:`kb.search.pagefind`).

        ``terms`` are the glossary terms the page uses; None finds them in the indexed part of its Markdown.
        """
        clean = markup.sanitize(html)
        if not searchable:
            return clean
        if terms is None:
            terms = pages.indexed_terms(self.k, self.lang, markdown)
        forms = pagefind.other_language_forms(self.k, self.lang, terms)
        return f"<div data-pagefind-body>{clean}{pagefind.hidden_terms(clean, forms)}</div>"


def spare_core() -> bool:
    """Whether page work goes to a worker process: a second usable core, unless KB_PAGE_WORKER=0."""
    if os.environ.get(WORKER_ENV, "").strip() == "0":
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def _frame(message: object) -> bytes:
    """A message as sent down a pipe: its pickled length, then the pickle."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    return len(data).to_bytes(_HEADER, "big") + data


def _send(stream: BinaryIO, message: object) -> None:
    stream.write(_frame(message))
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


def _widen(fd: int) -> None:
    """Let a pipe hold many pages, so neither side waits for the other (Linux; elsewhere it keeps its size)."""
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if set_size is not None:
        with contextlib.suppress(OSError):  # refused (a lower limit for this user): the default size works too
            fcntl.fcntl(fd, set_size, _PIPE_BYTES)


_FINISHED = ("finished in the worker",)  # what stays of a page's work once the worker has done it


class Finisher:
    """Does one language's page work, in one worker process when there is a spare core, else in this process.

    :meth:`begin` with the language's glossary; send article bodies with :meth:`submit_link` and take them
    back with :meth:`link`; send pages with :meth:`submit` and take them back with :meth:`result`;
    :meth:`close` ends the worker.

    The pipes to and from the worker are non-blocking and are served by this thread alone: every call
    writes what the worker can take and reads what it has sent back, and only a call that needs a result
    not yet in waits for it. No helper threads: a thread that wakes for every page takes the
    interpreter lock from MkDocs thousands of times, which cost the build as much as the worker saved.
    """

    def __init__(self, worker: bool) -> None:
        self._work: PageWork | None = None
        self._sent: dict[tuple[str, str], tuple[Any, ...]] = {}  # sent to the worker, not yet taken back
        self._done: dict[tuple[str, str], Any] = {}  # results in from the worker (None: it failed)
        self._finished: dict[str, str] = {}  # pages finished here
        self._process: subprocess.Popen[bytes] | None = None
        self._alive = False  # the worker takes work: started, and not known to have ended
        self._outgoing = bytearray()  # messages not yet written to the worker
        self._incoming = bytearray()  # bytes read from the worker, not yet a whole message
        if worker:
            self._start()

    def _start(self) -> None:
        if os.name != "posix":  # non-blocking pipes and select on them: POSIX only
            return
        package_parent = str(Path(__file__).resolve().parents[2])
        path = os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")]))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kb.site.finish"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env={**os.environ, "PYTHONPATH": path},
            )
        except OSError as exc:  # no processes here (a sandbox, a limit): the work is done in-process
            log.debug("kb: page work stays in-process: %s", exc)
            return
        assert self._process.stdin is not None and self._process.stdout is not None
        self._to, self._from = self._process.stdin.fileno(), self._process.stdout.fileno()
        for fd in (self._to, self._from):
            _widen(fd)
            os.set_blocking(fd, False)
        self._alive = True

    def _gone(self, exc: BaseException | None = None) -> None:
        """The worker ended: whatever it did not send back is done here."""
        if self._alive:
            log.debug("kb: page worker gone, working in-process: %s", exc)
        self._alive = False
        self._outgoing.clear()

    def pump(self, wait: bool = False) -> None:
        """Write what the worker can take, and read what it has sent; with ``wait``, until something is read."""
        while self._alive:
            if self._outgoing:
                try:
                    with memoryview(self._outgoing) as pending:
                        written = os.write(self._to, pending[:_PIPE_BYTES])
                    del self._outgoing[:written]
                except BlockingIOError:
                    pass
                except OSError as exc:  # BrokenPipeError: the worker ended
                    self._gone(exc)
                    return
            try:
                data = os.read(self._from, _PIPE_BYTES)
            except BlockingIOError:
                data = None
            except OSError as exc:
                self._gone(exc)
                return
            if data == b"":  # the end of its output: the worker ended
                self._gone()
                return
            if data:
                self._incoming += data
                self._unpack()
            if wait:
                if data:
                    return
                select.select([self._from], [self._to] if self._outgoing else [], [])
            elif data is None or not self._outgoing:
                return  # nothing more to read, or nothing left to write

    def _unpack(self) -> None:
        """Take each whole message read so far."""
        buffer, start = self._incoming, 0
        while len(buffer) - start >= _HEADER:
            end = start + _HEADER + int.from_bytes(buffer[start : start + _HEADER], "big")
            if len(buffer) < end:
                break
            try:
                kind, key, result = pickle.loads(buffer[start + _HEADER : end])  # our own child wrote it
            except (pickle.UnpicklingError, EOFError, ValueError) as exc:
                self._gone(exc)
                return
            start = end
            self._done[kind, key] = result
            if kind == "finish" and result is not None and (kind, key) in self._sent:
                # A page's HTML is needed again only to redo failed work: it is not kept until the
                # page is collected (MkDocs renders every page before the first is collected).
                self._sent[kind, key] = _FINISHED
        del buffer[:start]

    @property
    def in_worker(self) -> bool:
        return self._alive

    def _post(self, message: tuple[Any, ...]) -> None:
        self._outgoing += _frame(message)

    def _send_work(self, kind: str, key: str, *args: Any) -> bool:
        """Send work to the worker; False if there is none (any more)."""
        self.pump()
        if not self._alive:
            return False
        self._sent[kind, key] = args
        self._post((kind, key, *args))
        return True

    def _take(self, kind: str, key: str) -> tuple[tuple[Any, ...] | None, Any]:
        """(the arguments sent, the worker's result or None), waiting for it while the worker lives."""
        self.pump()
        while (kind, key) in self._sent and (kind, key) not in self._done and self._alive:
            self.pump(wait=True)
        return self._sent.pop((kind, key), None), self._done.pop((kind, key), None)

    def begin(self, lang: str, k: Knowledge) -> None:
        """Start a language's work with its knowledge (the worker gets the glossary only)."""
        self._work = PageWork(lang, k)
        if self._alive:
            terms: dict[str, Term] = dict(k.terms)
            self._post(("begin", lang, terms))
            self.pump()

    @property
    def work(self) -> PageWork:
        if self._work is None:
            raise RuntimeError("Finisher.begin was not called")
        return self._work

    def submit_link(self, key: str, body: str, prefix: str) -> None:
        """Send an article body for linking ahead of time (only to a worker: here it is linked when needed)."""
        self._send_work("link", key, body, prefix)

    def link(self, key: str, body: str, prefix: str) -> tuple[str, set[str]]:
        """An article body with its glossary terms linked: the worker's, if it linked this very body."""
        sent, result = self._take("link", key)
        if result is not None and sent == (body, prefix):
            return result  # type: ignore[no-any-return]
        return self.work.link(body, prefix)

    def submit(self, key: str, html: str, searchable: bool, terms: set[str] | None, markdown: str) -> None:
        """Start finishing a page (keyed by its source path)."""
        args = (html, searchable, terms, markdown)
        if not self._send_work("finish", key, *args):
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
        if process is not None:
            with contextlib.suppress(OSError):  # it had ended already (a broken pipe)
                process.stdin.close()  # type: ignore[union-attr]  # the worker ends at the end of its input
            process.stdout.close()  # type: ignore[union-attr]  # nothing more is read: one still writing ends
            process.wait()
        self._outgoing.clear()
        self._incoming.clear()
        self._sent.clear()
        self._done.clear()
        self._finished.clear()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
