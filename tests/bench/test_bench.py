"""The benchmark's synthetic corpus: valid, buildable, deterministic, and its floor builds the same pages."""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import statistics
import struct
import time
from pathlib import Path

import pytest

from kb.bench import corpus as synthetic
from kb.bench import generation, prose, report, vocabulary
from kb.bench import measure as measuring
from kb.check import check
from kb.content.project import Paths, load_project
from kb.content.schema import LANGS
from kb.knowledge import audit
from kb.knowledge.facts import load_knowledge
from kb.site.build import build_site
from tests.conftest import ROOT

N = 12


def tree_hash(root: Path) -> str:
    """One hash of every file's path and bytes under ``root``."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bench") / "corpus"
    synthetic.make_corpus(root, N, source_root=ROOT, seed=0)
    return root


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the hook would set it for the whole session
        return build_site(Paths(corpus), tmp_path_factory.mktemp("bench-site") / "site")


def test_corpus_passes_kb_check_with_only_stale_and_audit_warnings(corpus):
    """No errors; the warnings are stale translations (made so on purpose) and the audit's: the synthetic
    events are random sentences, not drawn from the random sections they cite (kb.knowledge.audit)."""
    problems = check(corpus)
    assert [str(p) for p in problems if not p.warning] == []
    project = load_project(corpus)
    audited = {str(p) for p in audit.problems(project, load_knowledge(project))}
    assert all("stale" in p.message or str(p) in audited for p in problems)
    assert any("stale" in p.message for p in problems)
    seeds = sorted((corpus / "seeds").glob("*.txt"))
    assert len(seeds) == N and all(s.with_suffix(".yml").exists() for s in seeds)
    translations = list((corpus / "docs" / "en" / "articles").glob("*.md"))
    assert N * 0.8 <= len(translations) < N  # most articles translated, some missing


def test_corpus_builds_strictly_with_every_article_in_both_languages(built):
    for site in (built, built / "en"):
        articles = [p for p in (site / "articles").glob("*/index.html")]
        assert len(articles) == N
        assert (site / "timeline" / "index.html").exists()
        assert (site / "entities" / "index.html").exists()
        assert len(list((site / "entities").glob("*/index.html"))) >= N // 2
        assert (site / "glossary" / "index.html").exists()
    timeline = (built / "timeline" / "index.html").read_text(encoding="utf-8")
    assert timeline.count('class="kb-small kb-noindex"') >= N  # about two events per article, each with a source line


def test_corpus_is_deterministic(corpus, tmp_path):
    synthetic.make_corpus(tmp_path / "again", N, source_root=ROOT, seed=0)
    assert tree_hash(tmp_path / "again") == tree_hash(corpus)
    synthetic.make_corpus(tmp_path / "other", N, source_root=ROOT, seed=1)
    assert tree_hash(tmp_path / "other") != tree_hash(corpus)


def test_floor_builds_the_same_pages_without_the_hook(corpus, built, tmp_path):
    floor = tmp_path / "floor"
    generation.materialize(corpus, floor)
    for lang in LANGS:
        config = Paths(floor).config(lang).read_text(encoding="utf-8")
        assert "hooks:" not in config and f"docs_dir: docs/{lang}" in config
    floor_site = build_site(Paths(floor), tmp_path / "floor-site")
    assert measuring.html_pages(floor_site) == measuring.html_pages(built)
    # Around the content (which the hook sanitises and marks for the indexer), every page is the
    # same: the floor renders the same templates, search dialog and language links included.
    # The head's description, link previews, hreflang links and JSON-LD are the hook's too (kb.site.pagemeta);
    # lines are compared without their indentation, which the template's conditions around them change.
    content = re.compile(r'<article class="md-content__inner md-typeset">.*?</article>', re.S)
    page_meta = re.compile(
        r'<meta name="description" [^>]*>|<meta (?:property|name)="(?:og|twitter|article):[^>]*>'
        r'|<link rel="alternate " [^>]*>|<script type="application/ld\+json">.*?</script>',
        re.S,
    )

    def around_content(page: Path) -> list[str]:
        text = page_meta.sub("", content.sub("", page.read_text(encoding="utf-8")))
        return [line.strip() for line in text.splitlines() if line.strip()]

    for page in sorted(measuring.html_pages(built)):
        ours = around_content(built / page)
        assert ours == around_content(floor_site / page), page
    ours = "\n".join(ours)
    assert 'id="kb-search"' in ours


def test_builds_are_timed_per_language_in_one_process(corpus, tmp_path):
    timed = measuring.measure_builds(corpus, tmp_path / "site")
    assert list(timed) == list(LANGS)
    assert all(t["seconds"] > t["hook_seconds"] > 0 and t["peak_rss_kib"] > 0 for t in timed.values())
    assert timed["en"]["peak_rss_kib"] >= timed["vi"]["peak_rss_kib"]  # one process: the peak so far
    assert (tmp_path / "site" / "index.html").exists() and (tmp_path / "site" / "en" / "index.html").exists()
    (tmp_path / "empty").mkdir()
    with pytest.raises(RuntimeError, match="failed"):  # no mkdocs.yml there
        measuring.measure_builds(tmp_path / "empty", tmp_path / "nothing")


def test_kb_build_is_timed_whole_one_language_after_the_other_and_both_at_once(corpus):
    times = measuring.cold_builds(corpus, rounds=1)
    assert list(times) == ["one_by_one", "at_once", "peak_rss_kib"]
    assert len(times["one_by_one"]) == len(times["at_once"]) == 1 and times["one_by_one"][0] > 0 < times["at_once"][0]
    assert len(times["peak_rss_kib"]) == 2  # one per build
    assert all(50 * 1024 < kib < 8 * 1024 * 1024 for kib in times["peak_rss_kib"])  # a Python process building a site
    assert not (corpus / "site").exists()  # what kb build wrote is cleared
    measuring.cold_builds(corpus, rounds=1, keep=True)
    assert (corpus / "site" / "pagefind").is_dir() and (corpus / "site" / "en" / "index.html").exists()
    shutil.rmtree(corpus / "site")


def test_generation_is_timed_from_a_fresh_load(corpus, monkeypatch):
    """As a build does it: the project is loaded anew for Vietnamese (not reused from kb check), then reused."""
    from kb.content import project

    project.load_project_cached(corpus)  # what kb check leaves behind
    loads = []
    load = project.load_project
    monkeypatch.setattr(project, "load_project", lambda root: loads.append(root) or load(root))
    generation.time_generation(corpus, timings=2)
    assert len(loads) == 2  # once per timing


@pytest.mark.parametrize(
    ("totals", "picked"),
    [
        ([5.0], 5.0),
        ([9.0, 4.0, 6.0], 6.0),  # the median, not the first or the last
        ([4.0, 9.0, 6.0, 5.0], 5.0),  # an even count: the lower middle, a timing that happened
    ],
)
def test_generation_time_is_the_timing_with_the_median_total(monkeypatch, totals, picked):
    runs = iter([{"vi": total * 0.75, "en": total * 0.25} for total in totals])
    monkeypatch.setattr(generation, "_time_generation_once", lambda root: next(runs))
    assert generation.time_generation(Path("unused"), timings=len(totals)) == {"vi": picked * 0.75, "en": picked * 0.25}


def test_generation_time_counts_our_work_not_mkdocs(corpus, monkeypatch):
    """Decorating each page is counted; MkDocs' own splitting of its front-matter (the floor does it too) is not."""
    clock = [0.0]

    def costing(seconds, function):
        def timed(*args, **kwargs):
            clock[0] += seconds
            return function(*args, **kwargs)

        return timed

    monkeypatch.setattr(generation, "perf_counter", lambda: clock[0])
    monkeypatch.setattr(generation, "_split_page", costing(100, generation._split_page))
    monkeypatch.setattr(generation.pages, "decorate", costing(1, generation.pages.decorate))
    seconds = generation.time_generation(corpus, timings=1)
    counts = {
        lang: sum(1 for _ in generation.language_pages(generation.pages.load_site(corpus, lang))) for lang in LANGS
    }
    assert seconds == {lang: float(n) for lang, n in counts.items()} and min(counts.values()) > 10


def test_generation_timing_and_sizes(corpus, built):
    seconds = generation.time_generation(corpus)
    assert set(seconds) == set(LANGS) and all(s > 0 for s in seconds.values())
    sizes = measuring.site_sizes(built)
    assert set(sizes["search"]) == set(LANGS)
    assert all(0 < s["gz"] <= s["raw"] for s in sizes["search"].values())  # Pagefind's chunks are gzip already
    page = measuring.typical_article(built)
    weight = measuring.page_weight(built, page)
    assert weight["files"] > 1 and weight["raw"] > page.stat().st_size and weight["gz"] < weight["raw"]


def test_synthetic_entities_and_terms_follow_the_schemas():
    import random

    from kb.knowledge.facts import ENTITY_TYPES, Entity, Term

    topics = {t["id"]: t for t in synthetic._load_data(ROOT / "data" / "topics.yml")}
    rng = random.Random(0)
    pools = prose.load_pools(ROOT)
    entities = vocabulary.make_entities(40, [], topics, rng)
    assert len({e.id for e in entities}) == 40
    assert {e.data["type"] for e in entities} == {"organization", "person", "model", "product", "method", "benchmark"}
    assert {kind[0] for kind in vocabulary._ENTITY_KINDS} <= set(ENTITY_TYPES)
    for entity in entities:
        Entity.model_validate(entity.data)
        assert entity.forms and all(entity.data["name"][lang] for lang in LANGS)
    real_terms = synthetic._load_data(ROOT / "data" / "glossary.yml")
    terms = vocabulary.make_terms(len(real_terms) + 10, real_terms, rng, pools)
    assert len({t.id for t in terms}) == len(real_terms) + 10
    for term in terms:
        Term.model_validate({**term.data, "source": {"article": "any"}})


def test_made_up_words_never_run_out():
    """Two syllables give a few hundred words: a corpus of thousands of entities must not wait forever."""
    import random

    used: set[str] = set()
    words = [vocabulary._pseudo_word(random.Random(n), used, 2) for n in range(3000)]
    assert len(set(words)) == 3000 and all(len(w) >= 5 for w in words)


def test_server_gzips_text_and_stands_in_for_the_image_host(built):
    import gzip
    import urllib.request

    article = measuring.typical_article(built)
    html = article.read_text(encoding="utf-8")
    server = measuring._Server(built)
    try:
        url = server.base + article.relative_to(built).as_posix()
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            served = gzip.decompress(response.read()).decode("utf-8")
        with urllib.request.urlopen(server.base + measuring.IMAGE_STAND_IN.lstrip("/") + "x.jpg") as response:
            assert response.headers["Content-Type"] == "image/svg+xml" and response.read().startswith(b"<svg")
    finally:
        server.close()
    assert served == html.replace(synthetic.IMAGE_HOST, measuring.IMAGE_STAND_IN)
    if synthetic.IMAGE_HOST in html:
        assert synthetic.IMAGE_HOST not in served


def _row(n: int, build_s: float) -> dict:
    """A benchmark row as bench_one returns it, with round figures."""
    pair = lambda value: {lang: value for lang in LANGS}  # noqa: E731
    first = {"seconds": 0.5, "gz": 512 * 1024.0, "queries": {"q": {"seconds": 0.5, "gz": 512 * 1024.0}}}
    return {
        "n": n,
        "pages": 10 * n,
        "floor_same_pages": True,
        "generation_s": pair(0.05 * build_s),
        "build_s": pair(build_s),
        "floor_s": pair(0.8 * build_s),
        "rounds": 1,
        "build_floor_pct": [20.0],  # (build − floor) / build
        "hook_s": pair(0.09 * build_s),
        "pagefind_s": 1.0,
        "peak_rss_kib": pair(200 * 1024.0),
        "site_bytes": pair(1e6),
        "search": {lang: {"raw": 2048, "gz": 1024} for lang in LANGS},
        "first_search": {lang: first for lang in LANGS},
        "article_weight": {"raw": 4096, "gz": 2048},
        "preview": None,
        "check_s": 1.0,
        "total_s": 100.0,
    }


def _figures(seconds: float, rss: float = 100.0) -> dict[str, dict[str, float]]:
    """One measure_builds result: ``seconds`` for both languages together."""
    one = {"seconds": seconds / 2, "hook_seconds": seconds / 20, "peak_rss_kib": rss}
    return {lang: dict(one) for lang in LANGS}


HOOKED, FLOOR = "corpus -> scratch", "floor -> floor-site"
# Three rounds: untimed builds of each tree first (1 s each here); then round one (hooked into the site,
# then floor), floor first in the second round, hooked first in the third.
THREE_ROUNDS = (
    [1.0, 1.0, 100.0, 90.0, 110.0, 100.0, 120.0, 96.0],
    [HOOKED, FLOOR, "corpus -> site", FLOOR, FLOOR, HOOKED, HOOKED, FLOOR],
)


@pytest.mark.parametrize(
    ("rounds", "at_least_s", "later", "calls", "shares", "cell"),
    [
        # one round: the first hooked build and one floor build, no untimed builds
        (1, 1000.0, [100.0, 90.0], ["corpus -> site", FLOOR], [10.0], "10"),
        (3, 0.0, *THREE_ROUNDS, [10.0, -10.0, 20.0], "10 (-10 to 20, 3 rounds)"),
        # quick builds: rounds go on past three until they add up to the seconds asked for (here 1,000)
        (
            3,
            1000.0,
            THREE_ROUNDS[0] + [100.0, 100.0, 100.0, 90.0],
            THREE_ROUNDS[1] + [FLOOR, HOOKED, HOOKED, FLOOR],
            [10.0, -10.0, 20.0, 0.0, 10.0],
            "10 (-10 to 20, 5 rounds)",
        ),
    ],
)
def test_builds_and_floor_builds_alternate_in_rounds_and_pair_up(rounds, at_least_s, later, calls, shares, cell):
    made, times = [], iter(later)

    def measure(root: Path, site: Path) -> dict:
        made.append(f"{root.name} -> {site.name}")
        return _figures(next(times), rss=100.0 * len(made))

    got = measuring.measure_rounds(
        Path("corpus"),
        Path("floor"),
        Path("site"),
        Path("floor-site"),
        Path("scratch"),
        rounds,
        measure,
        at_least_s=at_least_s,
    )
    assert made == calls
    assert got["rounds"] == len(shares)
    assert got["build_floor_pct"] == pytest.approx(shares)
    timed = [(t, c) for t, c in zip(later, calls, strict=True) if t != 1.0]  # the untimed builds took 1 s here
    hooked = [t for t, c in timed if c.startswith("corpus")]
    floors = [t for t, c in timed if c.startswith("floor")]
    assert got["build_s"] == {lang: pytest.approx(statistics.median(hooked) / 2) for lang in LANGS}
    assert got["floor_s"] == {lang: pytest.approx(statistics.median(floors) / 2) for lang in LANGS}
    assert got["hook_s"] == {lang: pytest.approx(statistics.median(hooked) / 20) for lang in LANGS}
    # the warm-up builds' memory counts for nothing; the timed hooked builds' peak does
    peaks = [100.0 * (i + 1) for i, c in enumerate(calls) if c.startswith("corpus") and later[i] != 1.0]
    assert got["peak_rss_kib"] == {lang: max(peaks) for lang in LANGS}
    row = {**_row(500, 50.0), **got}
    assert report.build_minus_floor(row) == cell
    cells = [c.strip() for c in report.format_table([row]).splitlines()[2].split("|")[1:-1]]
    figures = dict(zip(report.COLUMNS, cells, strict=True))
    assert figures["build − floor %"] == cell


def test_rounds_stop_at_the_most_rounds_however_quick_the_builds():
    def measure(root: Path, site: Path) -> dict:
        return _figures(0.001)

    got = measuring.measure_rounds(
        Path("corpus"), Path("floor"), Path("site"), Path("floor-site"), Path("scratch"), 3, measure, at_least_s=1e9
    )
    assert got["rounds"] == measuring.MAX_ROUNDS == len(got["build_floor_pct"])


def test_detail_table_reports_every_figure_and_the_per_page_growth():
    rows = [_row(500, 50.0), _row(5000, 600.0)]
    table = report.format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 4 and all(line.count("|") == len(report.COLUMNS) + 1 for line in lines)
    cells = [c.strip() for c in lines[3].split("|")[1:-1]]
    figures = dict(zip(report.COLUMNS, cells, strict=True))
    assert figures["N"] == "5,000" and figures["ms per page"] == "24.0"  # 1,200 s over 50,000 pages
    assert figures["build − floor %"] == "20"
    assert figures["in hook s (vi / en)"] == "54.0 / 54.0" and figures["hook share %"] == "9.0"
    assert figures["generation share %"] == "5.0" and "page worker CPU s (vi / en)" not in figures
    # a row measured without --details is left out of the detail table
    assert len(report.format_table([_headline_only(_row(100, 1.0)), rows[0]]).splitlines()) == 3
    # 24.0 ms per page at 5,000 against 20.0 at 500
    assert measuring.per_page_growth(rows) == "\nBuild time per page at N=5,000 against N=500: 1.20×\n"
    assert (
        measuring.per_page_growth([_row(100, 1.0), _row(1000, 10.0)]) == ""
    )  # nothing of 500 or more below the largest
    assert "| 5,000 | en | q | 512 | 0.50 |" in measuring.format_first_search(rows)


def _headline_only(row: dict) -> dict:
    """A row as bench_one returns it without --details."""
    return {k: v for k, v in row.items() if k not in ("generation_s", "build_s", "floor_s", "hook_s", "pagefind_s")}


def _headline(rows: list[dict], index: int) -> dict[str, str]:
    lines = report.format_headline(rows).splitlines()
    assert all(line.count("|") == len(report.HEADLINE) + 1 for line in lines)
    return dict(zip(report.HEADLINE, [c.strip() for c in lines[2 + index].split("|")[1:-1]], strict=True))


def test_the_record_leads_with_what_people_wait_for():
    row = _headline_only(_row(5000, 600.0))
    figures = _headline([row], 0)
    assert figures["kb build wall s (both at once)"] == "–" and figures["at once / one by one"] == "–"
    assert figures["preview, article edit s (pages)"] == "–" and figures["first search vi KB gz / s"] == "512 / 0.50"
    row["cold_build_s"] = {
        "one_by_one": [100.0, 120.0, 110.0],
        "at_once": [60.0, 60.0, 77.0],
        "peak_rss_kib": [300 * 1024.0, 500 * 1024.0, 400 * 1024.0],
    }
    row["preview"] = {
        "first_build_s": 500.0,
        "article": {"seconds": 1.234, "search_s": 80.0, "pages": 3, "full": []},
        "data": {"seconds": 7.5, "search_s": 90.04, "pages": 1200, "full": ["vi", "en"]},
    }
    figures = _headline([row], 0)
    assert figures["kb build wall s (both at once)"] == "60.0" and figures["one by one s"] == "110.0"
    assert figures["at once / one by one"] == "0.60 (0.50-0.70)"
    assert figures["preview, article edit s (pages)"] == "1.23 (3)"
    assert figures["preview, data edit s (pages)"] == "7.50 (1,200, vi+en built fully)"
    assert figures["search caught up s (article / data)"] == "80.0 / 90.0"
    assert figures["peak RSS MiB"] == "500" and figures["article page raw / gz KB"] == "4 / 2"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--sizes", "100,x"], "kb bench: --sizes must be numbers separated by commas, not '100,x'"),
        (["--sizes", "0"], "kb bench: --sizes needs at least one positive size"),
        (["--sizes", "100", "--rounds", "0"], "kb bench: --rounds must be 1 or more, not 0"),
        (["--sizes", "100", "--rounds-seconds", "-5"], "kb bench: --rounds-seconds must be 0 or more, not -5"),
    ],
)
def test_bad_arguments_stop_with_one_clear_message(argv, message, tmp_path, capsys):
    assert report.main([*argv, "--workdir", str(tmp_path / "work")]) == 2
    assert capsys.readouterr().err.strip() == message
    assert not (tmp_path / "work" / "rows.json").exists()


def test_server_stays_quiet_when_a_browser_drops_a_download(tmp_path, capfd):
    (tmp_path / "chunk.bin").write_bytes(bytes(8 << 20))  # far more than the socket buffers hold
    server = measuring._Server(tmp_path)
    try:
        host, port = server.httpd.server_address[:2]
        with socket.create_connection((host, port)) as client:
            client.sendall(b"GET /chunk.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            client.recv(1024)
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # reset, not a close
        time.sleep(1.0)  # the server's thread writes into the reset connection and fails
    finally:
        server.close()
    assert "Traceback" not in capfd.readouterr().err


@pytest.mark.parametrize(
    ("events", "edited"),
    [
        # the synthetic corpus writes plain scalars, the real data quoted ones
        (
            "- id: a\n  title:\n    en: A\n  description:\n    vi: Mô tả.\n    en: Launches.\n",
            "- id: a\n  title:\n    en: A\n  description:\n    vi: Mô tả.\n    en: Reportedly, Launches.\n",
        ),
        (
            '- id: a\n  description:\n    vi: "Mô tả."\n    en: "Launches."\n',
            '- id: a\n  description:\n    vi: "Mô tả."\n    en: "Reportedly, Launches."\n',
        ),
    ],
)
def test_the_preview_benchmark_edits_the_first_events_english_description(events, edited):
    assert measuring._edit_event(events) == edited


@pytest.mark.parametrize(
    ("earlier", "expected"),
    [
        (None, "# new\n\n| 1 |\n"),
        ("", "# new\n\n| 1 |\n"),
        ("# old\n\nA note a person wrote.\n", "# new\n\n| 1 |\n\n# old\n\nA note a person wrote.\n"),
    ],
)
def test_a_new_record_goes_above_the_earlier_ones_and_keeps_them(tmp_path, earlier, expected):
    out = tmp_path / "records" / "bench-results.md"
    if earlier is not None:
        out.parent.mkdir()
        out.write_text(earlier, encoding="utf-8")
    report.write_record(out, "# new\n\n| 1 |\n")
    assert out.read_text(encoding="utf-8") == expected
    assert sorted(p.name for p in out.parent.iterdir()) == ["bench-results.md"]
