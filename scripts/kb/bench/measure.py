"""Measuring builds and rounds, sizes, the first search, Lighthouse, page weight and a serve rebuild."""

from __future__ import annotations

import gzip
import html.parser
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from time import perf_counter
from typing import Any

from kb.bench.corpus import IMAGE_HOST
from kb.content.project import ARTICLES, Paths
from kb.content.schema import DEFAULT_LANG, LANGS
from kb.site import article_pages

# A reader's first searches: the commonest words of the corpus (the biggest index chunks), a name, a term.
FIRST_SEARCHES = {
    # Typed with and without marks: most Vietnamese readers type without them, two or three syllables.
    "vi": (
        "mô hình ngôn ngữ",
        "mo hinh ngon ngu",
        "trí tuệ nhân tạo",
        "tri tue nhan tao",
        "dinh kien",
        "dau tu",
        "OpenAI",
        "dữ liệu huấn luyện",
    ),
    "en": ("language model", "artificial intelligence", "OpenAI", "training data"),
}
TYPING_DELAY_MS = 120  # a quick reader: about eight characters a second
IMAGE_STAND_IN = "/_bench-images/"
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675">'
    b'<rect width="1200" height="675" fill="#d8dce8"/></svg>'
)
FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")

# --------------------------------------------------------------------------
# Measuring builds and sizes
# --------------------------------------------------------------------------


# One child process builds both languages in turn, as ``kb build`` does: what
# the languages share (the loaded project, its knowledge and mentions) is
# loaded once. Each language's time, the time spent in the kb hook's events
# (MkDocs calls every hook and plugin through PluginCollection.run_event; the
# kb hook is the only one) and the peak memory so far are printed.
_BUILD_BOTH = """
import json, resource, sys, time
from pathlib import Path
from mkdocs.plugins import PluginCollection
from kb.site.build import build_language
from kb.content.project import Paths
from kb.site.article_pages import lang_root
from kb.content.schema import LANGS
root, site = Path(sys.argv[1]), Path(sys.argv[2])
in_hook = [0.0]
run_event = PluginCollection.run_event
def timed(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return run_event(self, *args, **kwargs)
    finally:
        in_hook[0] += time.perf_counter() - start
PluginCollection.run_event = timed
result = {}
for lang in LANGS:
    in_hook[0] = 0.0
    start = time.perf_counter()
    build_language(Paths(root), lang, site / lang_root(lang))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result[lang] = {
        "seconds": time.perf_counter() - start,
        "peak_rss_kib": float(peak),
        "hook_seconds": in_hook[0],
    }
print(json.dumps(result))
"""


def measure_builds(root: Path, site_dir: Path) -> dict[str, dict[str, float]]:
    """Each language's ``mkdocs build --strict`` (seconds, seconds in hooks, peak RSS in KiB), both in one
    child process."""
    root, site_dir = root.resolve(), site_dir.resolve()
    command = [sys.executable, "-c", _BUILD_BOTH, str(root), str(site_dir)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode:
        raise RuntimeError(f"mkdocs builds of {root} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


Measure = Callable[[Path, Path], dict[str, dict[str, float]]]

MAX_ROUNDS = 15


def measure_rounds(
    corpus: Path,
    floor: Path,
    site: Path,
    floor_site: Path,
    scratch: Path,
    rounds: int,
    measure: Measure,
    *,
    at_least_s: float = 0.0,
) -> dict[str, Any]:
    """Repeat the hooked and floor builds and pair them, so the machine's drift is seen and mostly cancelled.

    Round one's hooked build writes ``site``, which the other figures come
    from; the floor builds write to ``floor_site``, later hooked builds to
    ``scratch``. The order alternates (hooked then floor, floor then hooked,
    ...): a machine slowing down or speeding up through a round favours
    neither side. Each round's build − floor is its two builds' difference
    over its hooked build; the figures reported are medians over the rounds.

    When there are rounds to pair (``rounds`` > 1), each tree is first built
    once untimed: the first build of a new tree was the slowest hooked build
    of a run, by up to a fifth, and it was always a hooked one. Past
    ``rounds``, rounds go on until their builds add up to ``at_least_s``
    seconds (at most ``MAX_ROUNDS``): where a build takes seconds, one
    second of noise is several percent, and more rounds cost little.
    """
    paired = rounds > 1
    if paired:
        measure(corpus, scratch)
        measure(floor, floor_site)
    real, floor_runs = [measure(corpus, site)], [measure(floor, floor_site)]

    def total(run: dict[str, dict[str, float]]) -> float:
        return sum(run[lang]["seconds"] for lang in LANGS)

    def more() -> bool:
        if len(real) < rounds:
            return True
        spent = sum(map(total, real)) + sum(map(total, floor_runs))
        return paired and len(real) < MAX_ROUNDS and spent < at_least_s

    while more():
        hooked_first = len(real) % 2 == 0
        if hooked_first:
            real.append(measure(corpus, scratch))
        floor_runs.append(measure(floor, floor_site))
        if not hooked_first:
            real.append(measure(corpus, scratch))

    def median(runs: list[dict[str, dict[str, float]]], key: str) -> dict[str, float]:
        return {lang: statistics.median(run[lang][key] for run in runs) for lang in LANGS}

    return {
        "rounds": len(real),
        "build_s": median(real, "seconds"),
        "hook_s": median(real, "hook_seconds"),
        "peak_rss_kib": {lang: max(run[lang]["peak_rss_kib"] for run in real) for lang in LANGS},
        "floor_s": median(floor_runs, "seconds"),
        "build_floor_pct": [100 * (total(r) - total(f)) / total(r) for r, f in zip(real, floor_runs, strict=True)],
    }


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def html_pages(site: Path) -> set[str]:
    """Paths of every HTML page of a built site, relative to it."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def _tree_bytes(folder: Path, skip: Path | None = None) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not (skip and p.is_relative_to(skip)))


def site_sizes(site: Path) -> dict[str, Any]:
    """Bytes of each language's site and of its part of the Pagefind search bundle (raw and gzipped)."""
    result: dict[str, Any] = {
        "site_bytes": {
            lang: _tree_bytes(site, site / "en") if lang == DEFAULT_LANG else _tree_bytes(site / lang) for lang in LANGS
        },
        "search": {},
    }
    for lang in LANGS:
        bundle = site / article_pages.lang_root(lang) / "pagefind"
        files = [p for p in bundle.rglob(f"*{lang}_*") if p.is_file()] if bundle.is_dir() else []
        data = [p.read_bytes() for p in files]
        # Pagefind's chunks are gzip already: they are sent as they are.
        sent = [len(d) if d[:2] == b"\x1f\x8b" else gzip_size(d) for d in data]
        result["search"][lang] = {"raw": sum(map(len, data)), "gz": sum(sent)}
    return result


class _Server:
    """A local server for a built site that compresses text as a production host would (gzip)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".pf_meta")

    def __init__(self, site: Path) -> None:
        import functools
        import http.server
        import threading

        text, cache = self.TEXT, {}

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "max-age=3600")
                super().end_headers()

            def _send(self, body: bytes, content_type: str, gzipped: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if gzipped:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.startswith(IMAGE_STAND_IN):  # the article images' host, offline
                    return self._send(PLACEHOLDER_SVG, "image/svg+xml", gzipped=False)
                path = Path(self.translate_path(self.path))
                if path.is_dir():
                    path = path / "index.html"
                wants = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (wants and path.is_file() and path.suffix in text):
                    return super().do_GET()
                if path not in cache:
                    data = path.read_bytes()
                    if path.suffix == ".html":
                        data = data.replace(IMAGE_HOST.encode(), IMAGE_STAND_IN.encode())
                    cache[path] = gzip.compress(data, compresslevel=6, mtime=0)
                self._send(cache[path], self.guess_type(str(path)), gzipped=True)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                # A browser that drops a download (a page closed mid-fetch, a search superseded) is no error.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.httpd = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def first_search(site: Path) -> dict[str, dict[str, Any]]:
    """What a reader's first search costs in Chromium, per language, over FIRST_SEARCHES.

    Each query starts cold (a new browser context): the page is opened and
    left idle, then the reader opens search and types the query key by key
    (TYPING_DELAY_MS apart), as a person does, while the engine loads.
    Measured: seconds from the last key until the results of the whole query
    show, and the gzipped bytes downloaded from opening search until then
    (as served: the server gzips text; Pagefind's chunks are gzip already).
    The worst query of each language goes in the table.
    """
    import contextlib

    from playwright.sync_api import sync_playwright

    server = _Server(site)
    result: dict[str, dict[str, Any]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            for lang in LANGS:
                queries: dict[str, dict[str, float]] = {}
                for query in FIRST_SEARCHES[lang]:
                    page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
                    page.goto(server.base + article_pages.lang_root(lang))
                    page.wait_for_load_state("networkidle")
                    sizes: list[int] = []

                    def count(response, sizes=sizes) -> None:
                        with contextlib.suppress(Exception):
                            body = response.body()
                            sizes.append(len(body) if body[:2] == b"\x1f\x8b" else gzip_size(body))

                    page.on("response", count)  # includes Pagefind's web worker and its fetches
                    page.click(".kb-search-open")
                    page.type(".kb-search__input", query, delay=TYPING_DELAY_MS)
                    typed = perf_counter()
                    page.wait_for_function(
                        "q => document.querySelector('.kb-search__message').textContent.endsWith(q)"
                        " && document.querySelector('.kb-search__result')",
                        arg=query,
                        timeout=60_000,
                    )
                    seconds = perf_counter() - typed
                    page.wait_for_load_state("networkidle")
                    queries[query] = {"seconds": seconds, "gz": float(sum(sizes))}
                    page.context.close()
                worst = max(queries.values(), key=lambda q: q["seconds"])
                result[lang] = {
                    "seconds": worst["seconds"],
                    "gz": max(q["gz"] for q in queries.values()),
                    "queries": queries,
                }
            browser.close()
    finally:
        server.close()
    return result


def _ms_per_page(row: dict) -> float:
    return 1000 * sum(row["build_s"].values()) / row["pages"]


def per_page_growth(rows: list[dict]) -> str:
    """How much more each page costs at the largest N than at each smaller N of 500 or more."""
    if len(rows) < 2:
        return ""
    largest = max(rows, key=lambda r: r["n"])
    lines = [
        f"\nBuild time per page at N={largest['n']:,} against N={row['n']:,}: "
        f"{_ms_per_page(largest) / _ms_per_page(row):.2f}×\n"
        for row in sorted(rows, key=lambda r: r["n"])
        if 500 <= row["n"] < largest["n"]
    ]
    return "".join(lines)


def format_first_search(rows: list[dict]) -> str:
    """Every query of the first-search measurement, per corpus size."""
    lines = [
        "| N | language | query | KB gz downloaded | s from the last key to results |",
        "|---:|---|---|---:|---:|",
    ]
    for row in rows:
        for lang in LANGS:
            for query, figures in row["first_search"][lang]["queries"].items():
                lines.append(
                    f"| {row['n']:,} | {lang} | {query} | {figures['gz'] / 1024:,.0f} | {figures['seconds']:.2f} |"
                )
    return "\n".join(lines) + "\n"


LIGHTHOUSE = "lighthouse@13.5.0"
LIGHTHOUSE_PAGES = {"home": "", "article": None, "timeline": "timeline/", "entity": None}


def _lighthouse() -> Path | None:
    """The pinned Lighthouse, installed with npm into .bench/ on first use; None without npm."""
    folder = project_root() / ".bench"
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        folder.mkdir(exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", LIGHTHOUSE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


# Lighthouse's own advice (docs/variability.md): scores vary from run to run, report the median of
# five or more. Here an article page's score moves from 90 to 99 between identical runs (Material's
# bundle and style work vary about 2x), so seven.
LIGHTHOUSE_RUNS = 7


def _lighthouse_once(binary: Path, url: str) -> dict[str, int]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(binary),
                url,
                "--chrome-path=" + (shutil.which("chromium") or "/usr/bin/chromium"),
                "--chrome-flags=--headless=new --no-sandbox",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json",
                f"--output-path={report.name}",
                "--quiet",
            ],
            check=True,
        )
        data = json.loads(Path(report.name).read_text(encoding="utf-8"))
    return {name: round(100 * category["score"]) for name, category in data["categories"].items()}


def lighthouse_pages(site: Path) -> dict[str, str]:
    """The pages Lighthouse scores, by label: the home, a typical article, the timeline and an entity."""
    article = typical_article(site).parent.relative_to(site).as_posix() + "/"
    entities = sorted(
        p.parent for p in (site / "entities").glob("*/index.html") if not p.parent.name.startswith("kind-")
    )
    entity = entities[len(entities) // 2].relative_to(site).as_posix() + "/"
    return {"home": "", "article": article, "timeline": "timeline/", "entity": entity}


def lighthouse(site: Path, runs: int = LIGHTHOUSE_RUNS) -> dict[str, dict[str, int]]:
    """Median Lighthouse scores over ``runs`` runs (phone profile, Debian's Chromium) of each page in both languages."""
    binary = _lighthouse()
    if binary is None:
        _log("npm not found: Lighthouse skipped")
        return {}
    server = _Server(site)
    scores: dict[str, dict[str, int]] = {}
    try:
        for lang in LANGS:
            for label, path in lighthouse_pages(site).items():
                url = server.base + article_pages.lang_root(lang) + path
                results = [_lighthouse_once(binary, url) for _ in range(runs)]
                scores[f"{lang} {label}"] = {
                    name: sorted(r[name] for r in results)[len(results) // 2] for name in results[0]
                }
    finally:
        server.close()
    return scores


def format_lighthouse(scores: dict[str, dict[str, int]]) -> str:
    if not scores:
        return ""
    names = ["performance", "accessibility", "best-practices", "seo"]
    lines = ["| page | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {page} | " + " | ".join(str(s.get(n, "–")) for n in names) + " |" for page, s in scores.items()]
    return "\n".join(lines) + "\n"


class _Assets(html.parser.HTMLParser):
    """Stylesheets and scripts an HTML page references."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def _local(base: Path, url: str, site: Path) -> Path | None:
    """The file a relative URL points to inside the site, or None (external, data: or missing)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I):
        return None
    path = (base / url.split("#")[0].split("?")[0]).resolve()
    return path if path.is_file() and path.is_relative_to(site.resolve()) else None


def page_weight(site: Path, page: Path) -> dict[str, Any]:
    """An HTML page plus every stylesheet, script and font it loads (no images): raw and gzipped bytes."""
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    files = [page.resolve()]
    for url in parser.urls:
        if (path := _local(page.parent, url, site)) and path not in files:
            files.append(path)
            if path.suffix == ".css":
                css = path.read_text(encoding="utf-8", errors="replace")
                for font in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
                    font_path = _local(path.parent, font, site)
                    if font_path and font_path.suffix in FONT_EXTENSIONS and font_path not in files:
                        files.append(font_path)
    data = [f.read_bytes() for f in files]
    return {
        "page": page.relative_to(site).as_posix(),
        "files": len(files),
        "raw": sum(len(d) for d in data),
        "gz": sum(gzip_size(d) for d in data),
    }


def typical_article(site: Path) -> Path:
    """The article page of median size in one language's site."""
    candidates = sorted(
        (p for p in (site / ARTICLES).glob("*/index.html")), key=lambda p: (p.stat().st_size, p.as_posix())
    )
    if not candidates:
        raise FileNotFoundError(f"no article pages in {site}")
    return candidates[len(candidates) // 2]


# ``kb build`` in a fresh process, reporting the peak memory of its largest process (itself, or a child:
# the other language's build, Pagefind) to the file named first.
_KB_BUILD = """
import json, resource, sys
from kb.cli import main
try:
    code = main(["--root", sys.argv[2], "build"])
finally:
    peaks = [resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    open(sys.argv[1], "w", encoding="utf-8").write(json.dumps(max(peaks)))
raise SystemExit(code)
"""


def cold_builds(root: Path, rounds: int = 2, *, keep: bool = False) -> dict[str, list[float]]:
    """Wall seconds of a whole ``kb build`` (check, both languages, search index) in a fresh process, the
    languages one after the other (KB_PARALLEL=0) and at once, alternating, ``rounds`` times each; and, under
    ``peak_rss_kib``, each build's largest process's peak memory. ``keep`` leaves the last build's site."""
    times: dict[str, list[float]] = {"one_by_one": [], "at_once": [], "peak_rss_kib": []}
    peak_file = Path(tempfile.mkdtemp(prefix="kb-bench-peak-")) / "peak.json"
    for round_ in range(rounds):
        order = ("one_by_one", "at_once") if round_ % 2 == 0 else ("at_once", "one_by_one")
        for mode in order:
            command = [sys.executable, "-c", _KB_BUILD, str(peak_file), str(root)]
            env = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "KB_PARALLEL": "0" if mode == "one_by_one" else "1"}
            start = perf_counter()
            result = subprocess.run(command, env=env, capture_output=True, text=True, encoding="utf-8", check=False)
            times[mode].append(perf_counter() - start)
            if result.returncode:
                raise RuntimeError(f"kb build of {root} failed ({mode}):\n{result.stderr[-3000:]}")
            times["peak_rss_kib"].append(float(json.loads(peak_file.read_text(encoding="utf-8"))))
    shutil.rmtree(peak_file.parent, ignore_errors=True)
    if not keep:
        shutil.rmtree(root / "site", ignore_errors=True)
    return times


def preview_latency(root: Path) -> dict[str, Any]:
    """``kb serve``'s incremental preview (:mod:`kb.site.preview`), timed through its real rebuild path.

    The preview is built once; then an English article (a translation) is edited and the rebuild is timed
    from the moment the file is saved until the changed pages are written, which is when the live-reload
    server tells the browser to reload; then the same after an edit to ``data/events.yml``. Each also
    gives the pages rewritten and how long the search index, rebuilt in the background, took to catch up.
    """
    from kb.site import preview

    paths = Paths(root)
    site_dir = Path(tempfile.mkdtemp(prefix="kb-bench-serve-"))
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")
    article = sorted((paths.lang_docs("en") / ARTICLES).glob("*.md"))[0]
    events = paths.data / "events.yml"
    originals = {path: path.read_bytes() for path in (article, events)}
    edits = {
        "article": (article, "\n\nThis sentence was added by the benchmark.\n"),
        "data": (events, None),
    }
    result: dict[str, Any] = {}
    try:
        start = perf_counter()
        with preview.preview(paths, site_dir, "http://127.0.0.1:8000/") as view:
            result["first_build_s"] = perf_counter() - start
            for kind, (path, added) in edits.items():
                text = originals[path].decode("utf-8")
                text = _edit_event(text) if added is None else text.rstrip("\n") + added
                start = perf_counter()
                path.write_text(text, encoding="utf-8")
                done = view.update()
                seconds = perf_counter() - start
                view.search.wait()
                result[kind] = {
                    "seconds": seconds,
                    "search_s": perf_counter() - start,
                    "pages": sum(1 for r in done for w in r.written if w.endswith(".html")),
                    "full": [r.lang for r in done if r.full],
                    "steps": {r.lang: r.seconds for r in done},
                }
                steps = "; ".join(f"{r.lang}: " + ", ".join(f"{k} {v:.2f}" for k, v in r.seconds.items()) for r in done)
                _log(f"preview after an edit ({kind}): {preview.describe(done)} in {seconds:.2f} s ({steps})")
    finally:
        for path, data in originals.items():
            path.write_bytes(data)
        shutil.rmtree(site_dir, ignore_errors=True)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch
    return result


def _edit_event(text: str) -> str:
    """events.yml with one word more at the start of its first event's English description."""
    at = text.index("\n    en: ", text.index("\n  description:\n")) + len("\n    en: ")
    if text[at] in "\"'":
        at += 1
    return text[:at] + "Reportedly, " + text[at:]


def _log(message: str) -> None:
    print(f"kb bench: {message}", file=sys.stderr, flush=True)


def project_root() -> Path:
    """The knowledge base this package belongs to (scripts/kb/bench -> the repository root)."""
    return Path(__file__).resolve().parents[3]
