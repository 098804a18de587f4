"""The last step of a page's content: sanitised, and marked up for the search indexer.

It needs only the page's HTML and the other language's names of its glossary
terms (found in the main process), not the project, so it can run in a second
process. MkDocs renders pages on one core; on a machine with a spare one the
hook sends each page to a worker (``python -m kb.finish``) as soon as its
Markdown is rendered (``on_page_content``) and collects it when the page's
template is rendered (``on_page_context``). MkDocs renders every page's
Markdown before any template, so by then the page is long done and the main
process does not wait.

The result does not depend on where it was computed: :func:`finish` is a pure
function, and if the worker fails, a page is finished in the main process.
The worker is a plain child process reading pickled pages on its standard
input, not a multiprocessing pool: a pool's children re-import the parent's
main script, which a build started from an unguarded script would run again.
"""

from __future__ import annotations

import contextlib
import logging
import os
import pickle
import subprocess
import sys
import threading
from pathlib import Path
from typing import BinaryIO

from kb import markup, search

log = logging.getLogger("mkdocs.kb")

# "0" finishes every page in the main process (one core, or to debug); anything else lets a worker do it.
WORKER_ENV = "KB_PAGE_WORKER"
_HEADER = 4  # bytes of a message's length, big-endian, before the pickled message


def finish(html: str, searchable: bool, other_forms: list[str]) -> str:
    """A page's content as the site shows it: active content removed, and, for a page in the search
    index, wrapped as what Pagefind indexes with the page's extra search words (:mod:`kb.search`)."""
    clean = markup.sanitize(html)
    if not searchable:
        return clean
    return f"<div data-pagefind-body>{clean}{search.hidden_terms(clean, other_forms)}</div>"


def spare_core() -> bool:
    """Whether pages are finished in a worker process: a second usable core, unless KB_PAGE_WORKER=0."""
    if os.environ.get(WORKER_ENV, "").strip() == "0":
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return cores >= 2


def _send(stream: BinaryIO, message: object) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(len(data).to_bytes(_HEADER, "big") + data)
    stream.flush()


def _receive(stream: BinaryIO) -> object | None:
    """The next message, or None at the end of the stream."""
    header = stream.read(_HEADER)
    if len(header) < _HEADER:
        return None
    data = stream.read(int.from_bytes(header, "big"))
    return pickle.loads(data)  # our own parent or child wrote it


def serve(requests: BinaryIO, replies: BinaryIO) -> None:
    """The worker: (key, html, searchable, forms) in, (key, finished content or None if it failed) out."""
    while (message := _receive(requests)) is not None:
        key, *args = message  # type: ignore[misc]
        try:
            content: str | None = finish(*args)
        except Exception:  # the parent finishes this page itself, and shows the error then
            content = None
        _send(replies, (key, content))


class Finisher:
    """Finishes pages, in one worker process when there is a spare core, else in this process.

    :meth:`submit` a page, then take it back with :meth:`result`; :meth:`close` ends the worker.
    """

    def __init__(self, worker: bool) -> None:
        self._args: dict[str, tuple[str, bool, list[str]]] = {}  # sent to the worker, not yet back
        self._done: dict[str, str | None] = {}
        self._arrived = threading.Condition()
        self._process: subprocess.Popen[bytes] | None = None
        self._alive = False  # the worker takes pages: started, and not known to have ended
        self._reader: threading.Thread | None = None
        if worker:
            self._start()

    def _start(self) -> None:
        package_parent = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, [package_parent, os.environ.get("PYTHONPATH")])),
        }
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "kb.finish"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:  # no processes here (a sandbox, a limit): finish in-process
            log.debug("kb: pages are finished in-process: %s", exc)
            return
        self._alive = True
        self._reader = threading.Thread(target=self._read, name="kb-finish-reader", daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        stream = self._process.stdout
        while True:
            try:
                message = _receive(stream)  # type: ignore[arg-type]
            except (OSError, EOFError, pickle.UnpicklingError):
                message = None
            with self._arrived:
                if message is None:  # the worker ended: whatever it did not send back is finished here
                    self._alive = False
                    self._arrived.notify_all()
                    return
                key, content = message  # type: ignore[misc]
                self._done[key] = content
                self._arrived.notify_all()

    @property
    def in_worker(self) -> bool:
        return self._alive

    def submit(self, key: str, html: str, searchable: bool, other_forms: list[str]) -> None:
        """Start finishing a page (keyed by its source path)."""
        args = (html, searchable, other_forms)
        process = self._process
        if self._alive and process is not None and process.stdin is not None:
            self._args[key] = args
            try:
                _send(process.stdin, (key, *args))  # type: ignore[arg-type]
                return
            except OSError as exc:  # the worker ended (BrokenPipeError): this page and the rest are done here
                log.debug("kb: page worker gone, finishing in-process: %s", exc)
                self._alive = False
        self._args.pop(key, None)
        self._done[key] = finish(*args)

    def result(self, key: str) -> str:
        """A submitted page's finished content."""
        with self._arrived:
            while key not in self._done and key in self._args and self._alive:
                self._arrived.wait()
            content = self._done.pop(key, None)
        args = self._args.pop(key, None)
        if content is None:  # the worker failed on it, or ended before sending it back
            if args is None:
                raise KeyError(key)
            content = finish(*args)
        return content

    @property
    def unfinished(self) -> list[str]:
        """Pages submitted and never collected."""
        return sorted({*self._args, *self._done})

    def close(self) -> None:
        """End the worker and wait for it, so its time is counted with this process's children."""
        process, self._process, self._alive = self._process, None, False
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
        self._args.clear()
        self._done.clear()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)
