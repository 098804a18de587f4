"""Running the benchmark and reporting: rows, the Markdown table, the machine and the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from time import perf_counter
from typing import Any

from kb.bench.corpus import make_corpus
from kb.bench.generation import GENERATION_TIMINGS, materialize, time_generation
from kb.bench.measure import (
    LIGHTHOUSE,
    LIGHTHOUSE_RUNS,
    _log,
    _ms_per_page,
    cold_builds,
    first_search,
    format_first_search,
    format_lighthouse,
    html_pages,
    lighthouse,
    measure_builds,
    measure_rounds,
    page_weight,
    per_page_growth,
    preview_latency,
    project_root,
    site_sizes,
    typical_article,
)
from kb.content.project import load_project_cached
from kb.content.schema import LANGS
from kb.search import pagefind
from kb.textutil import replace_atomically

DEFAULT_SIZES = (100, 500, 1000, 5000)  # the target compares 5,000 with 500

# --------------------------------------------------------------------------
# Running the benchmark and reporting
# --------------------------------------------------------------------------


def bench_one(
    n: int,
    base: Path,
    source_root: Path,
    seed: int = 0,
    *,
    details: bool = False,
    scores: bool = False,
    serve: bool = True,
    rounds: int = 1,
    rounds_s: float = 0.0,
) -> dict[str, Any]:
    """Every figure for one corpus size; the corpus and sites are written under ``base``.

    What people wait for is always measured: ``kb build`` cold (one language after the other, and both at
    once), the preview after an edit, the first search, an article page's weight, peak memory. ``details``
    adds the generation step timed alone and the hooked and floor builds in rounds (the detail table).
    """
    from kb.check import check

    start = perf_counter()
    corpus = base / "corpus"
    row: dict[str, Any] = {"n": n}
    make_corpus(corpus, n, source_root=source_root, seed=seed)
    row["corpus_s"] = perf_counter() - start
    _log(f"N={n}: corpus written in {row['corpus_s']:.1f} s")

    t = perf_counter()
    errors = [p for p in check(corpus) if not p.warning]
    row["check_s"] = perf_counter() - t
    if errors:
        raise RuntimeError(f"the synthetic corpus has {len(errors)} error(s), first: {errors[0]}")
    _log(f"N={n}: kb check {row['check_s']:.1f} s; kb build, one language after the other and both at once")
    row["cold_build_s"] = cold_builds(corpus, rounds=1, keep=True)
    _log(f"N={n}: kb build one language after the other / both at once: {row['cold_build_s']}")
    site = base / "site"
    (corpus / "site").rename(site)
    row["pages"] = len(html_pages(site))
    row.update(site_sizes(site))
    _log(f"N={n}: first search")
    row["first_search"] = first_search(site)
    if scores:
        _log(f"N={n}: Lighthouse")
        row["lighthouse"] = lighthouse(site)
    row["article_weight"] = page_weight(site, typical_article(site))
    if serve:
        _log(f"N={n}: the preview (kb serve): a first build, then an article edit and a data edit")
        row["preview"] = preview_latency(corpus)
    if details:
        _details(n, base, corpus, row, rounds, rounds_s)
    row["total_s"] = perf_counter() - start
    _log(f"N={n}: done in {row['total_s']:.1f} s")
    return row


def _details(n: int, base: Path, corpus: Path, row: dict[str, Any], rounds: int, rounds_s: float) -> None:
    """The detail table's figures: the generation step alone, hooked and floor builds in rounds, Pagefind."""
    site, floor, floor_site = base / "details-site", base / "floor", base / "floor-site"
    row["generation_s"] = time_generation(corpus)
    _log(f"N={n}: generation {row['generation_s']}")
    materialize(corpus, floor)
    scratch = base / "scratch-site"
    row.update(measure_rounds(corpus, floor, site, floor_site, scratch, rounds, measure_builds, at_least_s=rounds_s))
    shutil.rmtree(scratch, ignore_errors=True)
    t = perf_counter()
    pagefind.index_site(site, set(pagefind.archived(load_project_cached(corpus).articles)))
    row["pagefind_s"] = perf_counter() - t
    real_pages, floor_pages = html_pages(site), html_pages(floor_site)
    row["floor_same_pages"] = real_pages == floor_pages
    if not row["floor_same_pages"]:
        _log(f"N={n}: floor pages differ: {sorted(real_pages ^ floor_pages)[:5]}")
    _log(
        f"N={n}: {row['rounds']} round(s), builds {row['build_s']}, floor {row['floor_s']}, "
        f"build − floor % {row['build_floor_pct']}, pagefind {row['pagefind_s']:.1f} s"
    )


def run(
    sizes: list[int],
    workdir: Path,
    source_root: Path,
    *,
    keep: bool = False,
    seed: int = 0,
    lighthouse_at: int | None = None,
    serve_max: int | None = None,
    details: bool = False,
    rounds: int = 1,
    rounds_max: int | None = None,
    rounds_s: float = 0.0,
) -> list[dict]:
    """Benchmark each corpus size in turn; corpora are deleted unless ``keep``.

    A size that fails is reported and skipped, so the figures of the others
    are kept; each finished row is also saved to ``workdir/rows.json``.
    """
    rows = []
    for n in sizes:
        base = workdir / f"n{n}"
        if base.exists():
            shutil.rmtree(base)
        try:
            serve = serve_max is None or n <= serve_max
            repeat = rounds if rounds_max is None or n <= rounds_max else 1
            rows.append(
                bench_one(
                    n,
                    base,
                    source_root,
                    seed,
                    details=details,
                    scores=n == lighthouse_at,
                    serve=serve,
                    rounds=repeat,
                    rounds_s=rounds_s,
                )
            )
            (workdir / "rows.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        except Exception as exc:  # one size failing must not lose the figures of the others
            _log(f"N={n}: failed: {exc}")
        finally:
            if not keep:
                shutil.rmtree(base, ignore_errors=True)
    return rows


def _pair(values: dict[str, float], fmt: str = "{:.1f}") -> str:
    return " / ".join(fmt.format(values[lang]) for lang in LANGS)


def _kb(size: dict[str, int] | None) -> str:
    return f"{size['raw'] / 1024:,.0f} / {size['gz'] / 1024:,.0f}" if size else "–"


# What people wait for, per N: the record leads with these.
HEADLINE = [
    "N",
    "pages",
    "kb build wall s (both at once)",
    "one by one s",
    "at once / one by one",
    "preview, article edit s (pages)",
    "preview, data edit s (pages)",
    "search caught up s (article / data)",
    "first search vi KB gz / s",
    "first search en KB gz / s",
    "article page raw / gz KB",
    "peak RSS MiB",
    "site MB",
    "kb check s",
    "bench s",
]

# The detail (``--details``): our generation step, the hooked and floor builds in rounds.
COLUMNS = [
    "N",
    "generation s (vi / en)",
    "mkdocs build s (vi / en)",
    "floor build s (vi / en)",
    "pagefind s",
    "generation share %",
    "in hook s (vi / en)",
    "hook share %",
    "build − floor %",
    "ms per page",
    "peak RSS MiB",
    "search index vi raw / gz KB",
    "search index en raw / gz KB",
]


def _preview(row: dict, kind: str) -> str:
    figures = (row.get("preview") or {}).get(kind)
    if not figures:
        return "–"
    full = f", {'+'.join(figures['full'])} built fully" if figures["full"] else ""
    return f"{figures['seconds']:.2f} ({figures['pages']:,}{full})"


def _caught_up(row: dict) -> str:
    preview = row.get("preview")
    if not preview:
        return "–"
    return " / ".join(f"{preview[kind]['search_s']:.1f}" for kind in ("article", "data"))


def format_headline(rows: list[dict]) -> str:
    """What people wait for, one row per corpus size."""
    lines = ["| " + " | ".join(HEADLINE) + " |", "|" + "---:|" * len(HEADLINE)]
    for row in rows:
        weight, cold = row["article_weight"], row.get("cold_build_s") or {}
        at_once = statistics.median(cold["at_once"]) if cold else None
        one_by_one = statistics.median(cold["one_by_one"]) if cold else None
        cells = [
            f"{row['n']:,}",
            f"{row['pages']:,}",
            "–" if at_once is None else f"{at_once:.1f}",
            "–" if one_by_one is None else f"{one_by_one:.1f}",
            _cold_ratio(row),
            _preview(row, "article"),
            _preview(row, "data"),
            _caught_up(row),
            *(
                f"{row['first_search'][lang]['gz'] / 1024:,.0f} / {row['first_search'][lang]['seconds']:.2f}"
                for lang in LANGS
            ),
            f"{weight['raw'] / 1024:,.0f} / {weight['gz'] / 1024:,.0f}",
            f"{max(cold['peak_rss_kib']) / 1024:,.0f}" if cold.get("peak_rss_kib") else "–",
            f"{sum(row['site_bytes'].values()) / 1e6:,.1f}",
            f"{row['check_s']:.1f}",
            f"{row['total_s']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _cold_ratio(row: dict) -> str:
    cold = row.get("cold_build_s")
    if not cold:
        return "–"
    ratios = [a / s for a, s in zip(cold["at_once"], cold["one_by_one"], strict=True)]
    return f"{statistics.median(ratios):.2f}" + (f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else "")


def build_minus_floor(row: dict) -> str:
    """The build − floor cell: the median over the rounds, with their range when there were several."""
    shares = row["build_floor_pct"]
    cell = f"{statistics.median(shares):.0f}"
    if len(shares) > 1:
        cell += f" ({min(shares):.0f} to {max(shares):.0f}, {len(shares)} rounds)"
    return cell


def format_table(rows: list[dict]) -> str:
    """The detail table (``--details``), one row per corpus size measured in detail."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    for row in rows:
        if "build_s" not in row:
            continue
        build = sum(row["build_s"].values())
        cells = [
            f"{row['n']:,}",
            _pair(row["generation_s"], "{:.2f}"),
            _pair(row["build_s"]),
            _pair(row["floor_s"]),
            f"{row['pagefind_s']:.1f}",
            f"{100 * sum(row['generation_s'].values()) / build:.1f}",
            _pair(row["hook_s"]),
            f"{100 * sum(row['hook_s'].values()) / build:.1f}",
            build_minus_floor(row) + ("" if row["floor_same_pages"] else " (floor pages differ)"),
            f"{_ms_per_page(row):.1f}",
            f"{max(row['peak_rss_kib'].values()) / 1024:,.0f}",
            _kb(row["search"].get("vi")),
            _kb(row["search"].get("en")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _total_ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


DETAILS_NOTE = (
    "Detail (`--details`): generation, our step alone, in-process, the median of "
    f"{GENERATION_TIMINGS} timings (load_site and decorating every page); builds: each language's strict "
    "MkDocs build with the kb hook, one after the other in one process; floor: the same Markdown built "
    "without the hook; generation share: generation / MkDocs build; in hook: time in the hook's events "
    "during the builds; build − floor: (builds − floor) / builds, the median of paired rounds (hooked then "
    "floor, floor then hooked, ...) with their range. The old target of the generation step's share "
    "(≤ 10%) is retired: that share is within the run-to-run noise, so it is reported, not tuned."
)


def write_record(out: Path, record: str) -> None:
    """Put ``record`` at the top of ``out``, above the records already there (kept as they are, with the notes
    people wrote about them): the newest record leads, none is lost."""
    out.parent.mkdir(parents=True, exist_ok=True)
    earlier = out.read_text(encoding="utf-8") if out.exists() else ""
    replace_atomically(out, record.rstrip("\n") + "\n" + (f"\n{earlier}" if earlier.strip() else ""))


def machine_header() -> str:
    """When and where the benchmark ran, with the versions that matter."""
    from importlib.metadata import version

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "\n".join(
        [
            "# kb benchmark",
            "",
            f"- Date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
            f"- Machine: {platform.node()} ({platform.machine()}, {platform.platform()})",
            f"- CPUs: {os.cpu_count()} (os.cpu_count), {usable} usable; RAM: {_total_ram()}",
            f"- Python {platform.python_version()}, MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}",
            "",
            "kb build wall: a whole `kb build` (check, both languages, search index) in a fresh process, both "
            "languages at once (two processes), then one after the other (KB_PARALLEL=0); at once / one by one: "
            "their ratio. Preview: `kb serve`'s rebuild path (kb.site.preview) in-process, timed from saving the "
            "file until the changed pages are written and the live-reload server is told to reload the browser, "
            "after editing one English article (a translation) and after editing one event in data/events.yml; "
            "in brackets the pages it rewrote (both languages). Search caught up: seconds from saving until the "
            "search index, rebuilt in the background, was swapped into place. First search: a reader's worst "
            "first query per language (every query below), KB downloaded gzipped and seconds from the last key "
            "to results. Article page: HTML plus stylesheets, scripts and fonts, without images. Peak RSS: the "
            "largest process of the both-at-once `kb build`. Site: both languages. Builds of one tree differ "
            "by 10-15% from run to run on this machine: a difference within that is noise.",
            "",
            DETAILS_NOTE,
            "",
        ]
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated corpus sizes (default: %(default)s)",
    )
    parser.add_argument("--workdir", type=Path, help="where corpora and sites are written (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep each corpus and its built sites")
    parser.add_argument(
        "--out",
        type=Path,
        help="also write the table, with the date and machine, at the top of this file (the records already there are kept below it)",
    )
    parser.add_argument("--seed", type=int, default=0, help="random seed of the corpus (default: %(default)s)")
    parser.add_argument(
        "--serve-max",
        type=int,
        default=None,
        metavar="N",
        help="measure the preview (kb serve) up to this size (default: every size)",
    )
    parser.add_argument(
        "--details",
        action="store_true",
        help="also time our generation step alone and the hooked and floor builds in rounds (the detail table; "
        "about as long again as the rest)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        metavar="R",
        help="build and floor build R times each, alternating, up to --rounds-max (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds-max",
        type=int,
        default=1000,
        metavar="N",
        help="repeat the builds in rounds up to this size; larger sizes build once (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds-seconds",
        type=float,
        default=240,
        metavar="S",
        help="where builds are quick, add rounds until they add up to S seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--lighthouse",
        type=int,
        default=1000,
        metavar="N",
        help=f"run Lighthouse ({LIGHTHOUSE}, npm) on the site of this size (default: %(default)s; 0: never)",
    )
    parser.add_argument(
        "--source", type=Path, default=project_root(), help="the real project to copy from (default: %(default)s)"
    )


def run_from_args(args: argparse.Namespace) -> int:
    """Run the benchmark as the parsed arguments say; print the table."""
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        print(f"kb bench: --sizes must be numbers separated by commas, not {args.sizes!r}", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 1:
        print("kb bench: --sizes needs at least one positive size", file=sys.stderr)
        return 2
    if args.rounds < 1:
        print(f"kb bench: --rounds must be 1 or more, not {args.rounds}", file=sys.stderr)
        return 2
    if args.rounds_seconds < 0:
        print(f"kb bench: --rounds-seconds must be 0 or more, not {args.rounds_seconds:g}", file=sys.stderr)
        return 2
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-")) if temporary else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(
            sizes,
            workdir,
            args.source.resolve(),
            keep=args.keep,
            seed=args.seed,
            lighthouse_at=args.lighthouse,
            serve_max=args.serve_max,
            details=args.details,
            rounds=args.rounds,
            rounds_max=args.rounds_max,
            rounds_s=args.rounds_seconds,
        )
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            _log(f"kept {workdir}")
    table = format_headline(rows)
    detailed = [row for row in rows if "build_s" in row]
    if detailed:
        table += "\nDetail (--details):\n\n" + format_table(detailed) + per_page_growth(detailed)
    table += "\nFirst search, every query (cold, typed key by key; the table above shows the worst):\n\n"
    table += format_first_search(rows)
    for row in rows:
        if row.get("lighthouse"):
            table += (
                f"\nLighthouse at N={row['n']:,}, median of {LIGHTHOUSE_RUNS} runs "
                "(phone profile, Debian's Chromium, gzip-serving local server):\n\n"
            )
            table += format_lighthouse(row["lighthouse"])
    print(table, end="")
    if args.out:
        write_record(args.out, machine_header() + "\n" + table)
    done = {row["n"] for row in rows}
    if failed := [n for n in sizes if n not in done]:
        print(f"kb bench: no figures for N={', '.join(map(str, failed))} (see the messages above)", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kb bench", description="Build synthetic knowledge bases of N articles and measure the build."
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
