"""Real captures of every kind: detection, reviewed golden pages, what they state, no lost text.

The captures and their sources and licences are in tests/fixtures/captures/MANIFEST.yml.
Regenerate a golden file after a reviewed change with KB_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import yaml

from kb import ingest, yamlio
from kb.content.schema import SeedMeta
from kb.ingest import checks
from kb.ingest.detect import detect
from kb.textutil import read_text
from tests.conftest import ROOT

CAPTURES = ROOT / "tests" / "fixtures" / "captures"
GOLDEN = ROOT / "tests" / "golden" / "captures"
MANIFEST = yaml.safe_load((CAPTURES / "MANIFEST.yml").read_text(encoding="utf-8"))
ENTRIES = {entry["file"]: entry for entry in MANIFEST}
STATED = ("title", "published", "author", "publisher", "url")


def convert(name: str) -> tuple[str, ingest.Converted]:
    text = read_text(CAPTURES / name, name)
    meta = SeedMeta.model_validate(
        {
            "slug": "capture",
            "format": kind_of(name),
            "title": {"vi": "\u2063", "en": "x"},
            "published": "2000-01-01",
        }
    )
    return text, ingest.convert(text, meta)


def page(converted: ingest.Converted) -> str:
    stated = {key: str(converted.found[key]) for key in STATED if converted.found.get(key)}
    return "---\n" + yamlio.dump(stated) + "---\n\n" + converted.body


def test_the_corpus_covers_every_kind_and_six_publishers():
    kinds = {entry["kind"] for entry in MANIFEST}
    assert kinds == {"html", "page-text", "markdown", "pdf-text"}
    assert len(MANIFEST) >= 12
    assert len({entry["site"] for entry in MANIFEST}) >= 6
    for entry in MANIFEST:
        assert entry["licence"] and entry["source"] and (CAPTURES / entry["file"]).is_file(), entry["file"]


KIND = {"page-text": "scraped-page"}  # the manifest's name for text copied from a page, and ours


def kind_of(name: str) -> str:
    return KIND.get(ENTRIES[name]["kind"], ENTRIES[name]["kind"])


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_the_kind_is_detected(name):
    assert detect(read_text(CAPTURES / name, name)).kind == kind_of(name)


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_conversion_matches_reviewed_golden_file(name):
    _, converted = convert(name)
    golden = GOLDEN / f"{Path(name).stem}.md"
    if os.environ.get("KB_UPDATE_GOLDEN"):
        golden.write_text(page(converted), encoding="utf-8")
    assert page(converted) == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_no_corrupted_text_or_link_the_build_refuses(name):
    text, converted = convert(name)
    errors = [p for p in checks.check_page(checks.Page(name, text, converted.body)) if not p.warning]
    assert errors == []


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.casefold())


@pytest.mark.parametrize("name", sorted(ENTRIES))
def test_every_long_paragraph_of_the_capture_is_whole_on_the_page(name):
    """Each long prose line of a copied page or a Markdown post is on the page, its words in order."""
    if kind_of(name) not in {"scraped-page", "markdown"}:
        pytest.skip("HTML and PDF lines are not the article's paragraphs")
    text, converted = convert(name)
    page_words = " ".join(_words(re.sub(r"\]\([^)]*\)", "]", converted.body)))
    for line in text.split("\n"):
        line = line.strip()
        if len(line) >= 200 and line[-1] in ".!?:" and not line.startswith(("|", "<", "```", "    ")):
            assert " ".join(_words(re.sub(r"\]\([^)]*\)", "]", line))) in page_words, line[:80]


ODD = {
    "blank-ish": "   \n\n x",
    "one line": "Chỉ một dòng",
    "html fragment": "<p>Đoạn</p>",
    "front-matter only": "---\ntitle: x\n---\n",
    "broken TOML": "+++\ntitle = \n+++\nx",
    "broken YAML": "---\n: : :\n---\nx",
    "form feeds only": "\f\f\f",
    "list front-matter": "---\n- a\n---\nx",
    "one huge line": "chữ " * 50000,
}


@pytest.mark.parametrize("kind", ["html", "scraped-page", "markdown", "pdf-text"])
def test_any_capture_under_any_format_converts_or_is_one_clear_error(kind):
    """Every fixture, every seed and odd inputs, read as each kind: a page or a ContentError, never a traceback."""
    from kb.errors import ContentError

    texts = {p.name: read_text(p, p.name) for p in (*sorted(ENTRIES_PATHS), *sorted((ROOT / "seeds").glob("*.txt")))}
    for title in ("\u2063", "Tiêu đề"):
        meta = SeedMeta.model_validate(
            {"slug": "x", "format": kind, "title": {"vi": title, "en": "x"}, "published": "2000-01-01"}
        )
        for name, text in {**texts, **ODD}.items():
            try:
                ingest.convert(text, meta)
            except ContentError as exc:
                assert len(exc.problems) >= 1 and str(exc), name


ENTRIES_PATHS = [CAPTURES / name for name in ENTRIES]


@pytest.mark.slow
def test_every_capture_added_as_a_contributor_would_passes_check_and_the_strict_build(project: Path, capsys):
    """Each fixture through `kb new article`, then `kb check` and `kb build`: check passes only what the build takes.

    Copies of one article in another kind of capture are refused as duplicates, naming the seed already there.
    """
    from kb.cli import main

    news = sorted((ROOT / "tests" / "fixtures" / "news-shaped").glob("*-news-*.*"))
    refused = []
    for path in [*(CAPTURES / name for name in sorted(ENTRIES)), *news]:
        args = ["new", "article", str(path), "--title-en", f"Fixture {path.stem}", "--title-vi", f"Bài {path.stem}"]
        code = main(["--root", str(project), *args, "--published", "2025-01-01", "--slug", f"fx-{path.stem}"])
        if code:
            refused.append(path.name)
    out = capsys.readouterr().out
    # The saved page of each news article comes first; its copied text and PDF text are the same article.
    assert refused == [p.name for p in news if "-html." not in p.name]
    assert out.count("(the same article:") == len(refused)
    assert main(["--root", str(project), "check"]) == 0
    assert main(["--root", str(project), "build"]) == 0
    assert len(list((project / "site" / "articles").glob("fx-*/index.html"))) == len(ENTRIES) + 2
