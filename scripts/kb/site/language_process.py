"""Where one language of ``kb serve``'s preview runs: in this process (:class:`Here`), or in a child
process of its own (:class:`InChild`, :func:`child`), which keeps its
:class:`kb.site.preview.LanguagePreview` between calls. Both take a call with ``start`` and give what it
returned, or raise what it raised, with ``result``; :class:`kb.site.preview.Preview` starts a call on
every language, then waits for each, so the languages work at the same time where they have processes.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import socket
import subprocess
import sys
import traceback
from pathlib import Path

from kb.content.project import Paths
from kb.site import build, knowledge_pages


class Here:
    """A language previewed in this process: each call runs when it is started."""

    def __init__(self, paths: Paths, lang: str, site_dir: Path, site_url: str | None) -> None:
        self.lang = lang
        from kb.site.preview import LanguagePreview

        self.language = LanguagePreview(paths, lang, site_dir, site_url)
        self._outcome: tuple[bool, object] = (True, None)

    def start(self, method: str, *args) -> None:
        try:
            self._outcome = (True, getattr(self.language, method)(*args))
        except Exception as exc:  # raised by result(), as a child's is
            self._outcome = (False, exc)

    def result(self):
        (ok, value), self._outcome = self._outcome, (True, None)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        knowledge_pages.LISTS = knowledge_pages.AFTER_ARTICLES = None  # this process's builds keep nothing


class InChild:
    """A language previewed by a child process (:func:`child`), which keeps its
    :class:`LanguagePreview` between calls; a call is sent by :meth:`start` and waited for by :meth:`result`."""

    def __init__(self, paths: Paths, lang: str, site_dir: Path, site_url: str | None) -> None:
        from multiprocessing.connection import Connection

        self.lang = lang
        mine, theirs = socket.socketpair()
        scripts = str(Path(__file__).resolve().parents[2])  # where the kb package is
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join(filter(None, (scripts, os.environ.get("PYTHONPATH")))),
            "NO_MKDOCS_2_WARNING": "1",
        }
        command = [
            sys.executable,
            "-c",
            "import sys; from kb.site.language_process import child; child(sys.argv[1:])",
            str(theirs.fileno()),
            str(paths.root),
            lang,
            str(site_dir),
            site_url or "",
        ]
        try:
            self._process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, pass_fds=[theirs.fileno()])
        finally:
            theirs.close()
        self._connection = Connection(mine.detach())

    def start(self, method: str, *args) -> None:
        with contextlib.suppress(OSError):  # the process ended: result() says so
            self._connection.send((method, args))

    def result(self):
        try:
            ok, value = self._connection.recv()
        except (EOFError, OSError):
            raise build.BuildFailed(
                f"the preview of the {self.lang!r} pages stopped (its process ended); start kb serve again"
            ) from None
        if not ok:
            raise value
        return value

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self._connection.send(None)
        try:
            self._process.wait(30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._connection.close()


def child(argv: list[str]) -> None:
    """A child process of :class:`InChild`: FD ROOT LANG SITE_DIR SITE_URL; it runs the calls it is sent
    on its language's :class:`kb.site.preview.LanguagePreview`, and sends back what each gave or raised."""
    from multiprocessing.connection import Connection

    from kb.site.preview import LanguagePreview

    fd, root, lang, site_dir, site_url = argv
    connection = Connection(int(fd))
    language = LanguagePreview(Paths(Path(root)), lang, Path(site_dir), site_url or None)
    with contextlib.suppress(KeyboardInterrupt, EOFError):  # kb serve stopped (Ctrl-C reaches both)
        while (call := connection.recv()) is not None:
            method, args = call
            gc.disable()  # garbage is collected once the call is answered, while the language waits
            try:
                outcome = (True, getattr(language, method)(*args))
            except Exception as exc:  # sent to the parent, which raises it
                outcome = (False, _portable(exc))
            finally:
                gc.enable()
            connection.send(outcome)
            # What is left is kept out of the collector's way: the next call's collections walk what it
            # makes, not the language's whole build (millions of objects at thousands of articles).
            gc.unfreeze()
            gc.collect()
            gc.freeze()


def _portable(exc: Exception) -> Exception:
    """An error as the parent can be given it: itself, when it can be pickled; else its traceback."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # any error that does not survive pickling
        return RuntimeError("".join(traceback.format_exception(exc)))
    return exc
