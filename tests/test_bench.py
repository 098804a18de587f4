"""The benchmark's synthetic corpus: valid, buildable, deterministic, and its floor builds the same pages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from kb import bench
from kb.build import build_site
from kb.check import check
from kb.project import Paths
from kb.schema import LANGS
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
    bench.make_corpus(root, N, source_root=ROOT, seed=0)
    return root


@pytest.fixture(scope="module")
def built(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the hook would set it for the whole session
        return build_site(Paths(corpus), tmp_path_factory.mktemp("bench-site") / "site")


def test_corpus_passes_kb_check_with_only_stale_warnings(corpus):
    problems = check(corpus)
    assert [str(p) for p in problems if not p.warning] == []
    assert all("stale" in p.message for p in problems)
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
    bench.make_corpus(tmp_path / "again", N, source_root=ROOT, seed=0)
    assert tree_hash(tmp_path / "again") == tree_hash(corpus)
    bench.make_corpus(tmp_path / "other", N, source_root=ROOT, seed=1)
    assert tree_hash(tmp_path / "other") != tree_hash(corpus)


def test_floor_builds_the_same_pages_without_the_hook(corpus, built, tmp_path):
    floor = tmp_path / "floor"
    bench.materialize(corpus, floor)
    for lang in LANGS:
        config = Paths(floor).config(lang).read_text(encoding="utf-8")
        assert "hooks:" not in config and f"docs_dir: docs/{lang}" in config
    floor_site = build_site(Paths(floor), tmp_path / "floor-site")
    assert bench.html_pages(floor_site) == bench.html_pages(built)


def test_generation_timing_and_sizes(corpus, built):
    seconds = bench.time_generation(corpus)
    assert set(seconds) == set(LANGS) and all(s > 0 for s in seconds.values())
    sizes = bench.site_sizes(built)
    assert set(sizes["search"]) == set(LANGS)
    assert all(0 < s["gz"] <= s["raw"] for s in sizes["search"].values())  # Pagefind's chunks are gzip already
    page = bench.typical_article(built)
    weight = bench.page_weight(built, page)
    assert weight["files"] > 1 and weight["raw"] > page.stat().st_size and weight["gz"] < weight["raw"]


def test_synthetic_entities_and_terms_follow_the_schemas():
    import random

    from kb.knowledge import Entity, Term

    topics = {t["id"]: t for t in bench._load_data(ROOT / "data" / "topics.yml")}
    rng = random.Random(0)
    pools = bench.load_pools(ROOT)
    entities = bench.make_entities(40, [], topics, rng)
    assert len({e.id for e in entities}) == 40
    assert {e.data["type"] for e in entities} == {"organization", "model", "product", "person"}
    for entity in entities:
        Entity.model_validate(entity.data)
        assert entity.forms and all(entity.data["name"][lang] for lang in LANGS)
    real_terms = bench._load_data(ROOT / "data" / "glossary.yml")
    terms = bench.make_terms(len(real_terms) + 10, real_terms, rng, pools)
    assert len({t.id for t in terms}) == len(real_terms) + 10
    for term in terms:
        Term.model_validate({**term.data, "source": {"article": "any"}})


def test_made_up_words_never_run_out():
    """Two syllables give a few hundred words: a corpus of thousands of entities must not wait forever."""
    import random

    used: set[str] = set()
    words = [bench._pseudo_word(random.Random(n), used, 2) for n in range(3000)]
    assert len(set(words)) == 3000 and all(len(w) >= 5 for w in words)


def test_server_gzips_text_and_stands_in_for_the_image_host(built):
    import gzip
    import urllib.request

    article = bench.typical_article(built)
    html = article.read_text(encoding="utf-8")
    server = bench._Server(built)
    try:
        url = server.base + article.relative_to(built).as_posix()
        request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
        with urllib.request.urlopen(request) as response:
            assert response.headers["Content-Encoding"] == "gzip"
            served = gzip.decompress(response.read()).decode("utf-8")
        with urllib.request.urlopen(server.base + bench.IMAGE_STAND_IN.lstrip("/") + "x.jpg") as response:
            assert response.headers["Content-Type"] == "image/svg+xml" and response.read().startswith(b"<svg")
    finally:
        server.close()
    assert served == html.replace(bench.IMAGE_HOST, bench.IMAGE_STAND_IN)
    if bench.IMAGE_HOST in html:
        assert bench.IMAGE_HOST not in served
