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
    project_root,
    serve_rebuild,
    site_sizes,
    typical_article,
)
from kb.content.schema import LANGS
from kb.search import pagefind

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
    scores: bool = False,
    serve: bool = True,
    rounds: int = 1,
    rounds_s: float = 0.0,
) -> dict[str, Any]:
    """Every figure for one corpus size; the corpus and sites are written under ``base``."""
    from kb.check import check

    start = perf_counter()
    corpus, site, floor, floor_site = base / "corpus", base / "site", base / "floor", base / "floor-site"
    row: dict[str, Any] = {"n": n}
    make_corpus(corpus, n, source_root=source_root, seed=seed)
    row["corpus_s"] = perf_counter() - start
    _log(f"N={n}: corpus written in {row['corpus_s']:.1f} s")

    t = perf_counter()
    errors = [p for p in check(corpus) if not p.warning]
    row["check_s"] = perf_counter() - t
    if errors:
        raise RuntimeError(f"the synthetic corpus has {len(errors)} error(s), first: {errors[0]}")
    row["generation_s"] = time_generation(corpus)
    _log(f"N={n}: kb check {row['check_s']:.1f} s, generation {row['generation_s']}")

    materialize(corpus, floor)
    scratch = base / "scratch-site"
    row.update(measure_rounds(corpus, floor, site, floor_site, scratch, rounds, measure_builds, at_least_s=rounds_s))
    shutil.rmtree(scratch, ignore_errors=True)
    t = perf_counter()
    pagefind.index_site(site)
    row["pagefind_s"] = perf_counter() - t
    real_pages, floor_pages = html_pages(site), html_pages(floor_site)
    row["pages"] = len(real_pages)
    row["floor_same_pages"] = real_pages == floor_pages
    if not row["floor_same_pages"]:
        _log(f"N={n}: floor pages differ: {sorted(real_pages ^ floor_pages)[:5]}")
    _log(
        f"N={n}: {row['rounds']} round(s), builds {row['build_s']}, floor {row['floor_s']}, "
        f"build − floor % {row['build_floor_pct']}, pagefind {row['pagefind_s']:.1f} s"
    )

    row.update(site_sizes(site))
    row["first_search"] = first_search(site)
    if scores:
        _log(f"N={n}: Lighthouse")
        row["lighthouse"] = lighthouse(site)
    row["article_weight"] = page_weight(site, typical_article(site))
    row["cold_build_s"] = cold_builds(corpus)
    _log(f"N={n}: kb build one language after the other / both at once: {row['cold_build_s']}")
    row["serve_rebuild_s"] = serve_rebuild(corpus) if serve else None
    row["total_s"] = perf_counter() - start
    _log(f"N={n}: serve rebuild {row['serve_rebuild_s']} s; done in {row['total_s']:.1f} s")
    return row


def run(
    sizes: list[int],
    workdir: Path,
    source_root: Path,
    *,
    keep: bool = False,
    seed: int = 0,
    lighthouse_at: int | None = None,
    serve_max: int | None = None,
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
                    n, base, source_root, seed, scores=n == lighthouse_at, serve=serve, rounds=repeat, rounds_s=rounds_s
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


COLUMNS = [
    "N",
    "pages",
    "kb build wall s (one by one / at once)",
    "at once / one by one",
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
    "site MB",
    "search index vi raw / gz KB",
    "search index en raw / gz KB",
    "first search vi KB gz / s",
    "first search en KB gz / s",
    "article page raw / gz KB",
    "serve rebuild s",
    "kb check s",
    "bench s",
]


def _cold(row: dict) -> str:
    cold = row.get("cold_build_s")
    if not cold:
        return "–"
    return f"{statistics.median(cold['one_by_one']):.1f} / {statistics.median(cold['at_once']):.1f}"


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
    """The results as a Markdown table, one row per corpus size."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    for row in rows:
        build = sum(row["build_s"].values())
        weight = row["article_weight"]
        cells = [
            f"{row['n']:,}",
            f"{row['pages']:,}" + ("" if row["floor_same_pages"] else " (floor differs)"),
            _cold(row),
            _cold_ratio(row),
            _pair(row["generation_s"], "{:.2f}"),
            _pair(row["build_s"]),
            _pair(row["floor_s"]),
            f"{row['pagefind_s']:.1f}",
            f"{100 * sum(row['generation_s'].values()) / build:.1f}",
            _pair(row["hook_s"]),
            f"{100 * sum(row['hook_s'].values()) / build:.1f}",
            build_minus_floor(row),
            f"{_ms_per_page(row):.1f}",
            f"{max(row['peak_rss_kib'].values()) / 1024:,.0f}",
            f"{sum(row['site_bytes'].values()) / 1e6:,.1f}",
            _kb(row["search"].get("vi")),
            _kb(row["search"].get("en")),
            *(
                f"{row['first_search'][lang]['gz'] / 1024:,.0f} / {row['first_search'][lang]['seconds']:.2f}"
                for lang in LANGS
            ),
            f"{weight['raw'] / 1024:,.0f} / {weight['gz'] / 1024:,.0f}",
            "–" if row["serve_rebuild_s"] is None else f"{row['serve_rebuild_s']:.1f}",
            f"{row['check_s']:.1f}",
            f"{row['total_s']:.0f}",
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
            f"Generation: our generation step alone, in-process, the median of {GENERATION_TIMINGS} timings: "
            "load_site (the project loaded anew for Vietnamese, reused for English, as in `kb build`) and "
            "decorate every page (MkDocs' own reading of "
            "the pages and splitting off their front-matter, which the floor does too, is not counted). "
            "kb build wall: what a contributor waits for, a whole `kb build` (check, both languages, search "
            "index) in a fresh process, the languages one after the other (KB_PARALLEL=0) and both at once "
            "(two processes), two alternating rounds, medians; at once / one by one: the median of the "
            "rounds' paired ratios (their range). "
            "Builds: each language's strict MkDocs build with the kb hook, Vietnamese then English in one child "
            "process as `kb build` runs them (the loaded project is shared). Floor: the same Markdown, already "
            "generated, built the same way by MkDocs without the hook. Generation share: generation / MkDocs "
            "build time. In hook: the time each build spends in the kb hook's events (loading and generating, "
            "decorating, linking terms, finishing each page's HTML), timed inside the build; hook "
            "share: that over the builds. "
            "Build − floor: (builds − floor) / builds. Consecutive builds of the same tree differ by up to "
            "10% here, so at the smaller sizes each tree is built once untimed (a new tree's first build is "
            "slower), then the hooked and floor builds are repeated in rounds (hooked then floor, floor then "
            "hooked, ...; as many as asked, more where builds are quick): the cell gives the median of the "
            "rounds' paired figures and their range, and the build, floor and hook columns are "
            "medians over the rounds. "
            "Sizes: whole site (both languages); article page: HTML plus stylesheets, scripts and fonts, "
            "without images. Serve rebuild: both languages in-process after editing one translation.",
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
    parser.add_argument("--out", type=Path, help="also write the table, with the date and machine, to this file")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the corpus (default: %(default)s)")
    parser.add_argument(
        "--serve-max",
        type=int,
        default=1000,
        metavar="N",
        help="measure the serve-style rebuild up to this size (default: %(default)s; it rebuilds everything)",
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
            rounds=args.rounds,
            rounds_max=args.rounds_max,
            rounds_s=args.rounds_seconds,
        )
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            _log(f"kept {workdir}")
    table = format_table(rows) + per_page_growth(rows)
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
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(machine_header() + "\n" + table, encoding="utf-8")
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
