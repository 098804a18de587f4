"""Seed conversion: golden files, nothing lost, no furniture, stable output."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from kb.content.project import load_project
from tests.conftest import ROOT

SEEDS = sorted(p.stem for p in (ROOT / "seeds").glob("*.txt"))


@pytest.fixture(scope="module")
def articles():
    project = load_project(ROOT)
    assert not project.problems, project.problems
    return {a.seed.stem: a for a in project.articles}


@pytest.mark.parametrize("stem", SEEDS)
def test_conversion_matches_reviewed_golden_file(articles, stem):
    golden = (ROOT / "tests" / "golden" / f"{stem}.md").read_text(encoding="utf-8")
    assert articles[stem].page() == golden


@pytest.mark.parametrize("stem", SEEDS)
def test_conversion_is_byte_identical_twice_and_nfc(articles, stem):
    again = {a.seed.stem: a for a in load_project(ROOT).articles}[stem]
    page = articles[stem].page()
    assert again.page().encode("utf-8") == page.encode("utf-8")
    assert unicodedata.normalize("NFC", page) == page
    assert "\u00a0" not in page and "\r" not in page


# The article's own text in each raw seed: from its first to its last line,
# less the lines that are not the article's text.
ARTICLE_TEXT = {
    "000_f3384867bd6a6055": (
        "2024 chứng kiến sự bùng nổ",
        "đưa xã hội tiến lên một tầm cao mới.",
        [r"^Image not found"],
    ),
    "001_27cad39cd456a9e3": ("🥇 Sự thống trị của OpenAI", "một số đối thủ cạnh tranh đang bắt đầu xuất hiện.", []),
    "002_24797b54feca2600": ("***Note:", "quy trình phê duyệt.", [r"^<img "]),
    "003_a724639d212df85e": ("Đó là nhận định trích", "Theo Thế Vinh (VietNamNet)", []),
    "004_29800cfcb56ae280": ("Trung Quốc đang tích cực áp dụng", "Nguồn: https://", [r"- Ảnh \d+\.$"]),
}

_TERMINAL = re.compile(r"""[.!?…:]["”’)]*\*?$""")


def _plain(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"\{[:#][^}]*\}|<(https?://[^>]+)>", lambda m: m.group(1) or " ", text)
    return re.sub(r"\s+", " ", text).strip()


def _squash(text: str) -> str:
    """Only the letters and digits, lower-cased: what no conversion may lose."""
    return re.sub(r"[\W_]", "", text).lower()


def _article_text(stem: str) -> str:
    raw = (ROOT / "seeds" / f"{stem}.txt").read_text(encoding="utf-8")
    first, last, drops = ARTICLE_TEXT[stem]
    lines = raw.split("\n")
    start = next(i for i, line in enumerate(lines) if line.strip().startswith(first))
    end = next(i for i, line in enumerate(lines) if i >= start and last in line)
    kept = [line for line in lines[start : end + 1] if not any(re.search(d, line.strip()) for d in drops)]
    return unicodedata.normalize("NFC", _plain(" ".join(kept)))


@pytest.mark.parametrize("stem", SEEDS)
def test_no_word_of_the_article_is_lost_added_or_moved(articles, stem):
    raw = _squash(_article_text(stem))
    out = _squash(_plain(articles[stem].body))
    assert len(raw) > 2000
    if stem.startswith("002"):  # image URLs and blog link targets are not text
        raw = re.sub(r"imgsrchttps\w+?png", "", raw)
    assert out == raw


@pytest.mark.parametrize("stem", ["000_f3384867bd6a6055", "003_a724639d212df85e", "004_29800cfcb56ae280"])
def test_no_sentence_is_split_across_blocks(articles, stem):
    """Every paragraph of prose ends where a sentence ends."""
    for block in articles[stem].body.split("\n\n"):
        first = block.splitlines()[0]
        if first.startswith(("#", "*", "Nguồn:")):
            continue
        assert _TERMINAL.search(first.rstrip()), f"paragraph ends mid-sentence: ...{first[-60:]!r}"


FURNITURE = {
    "000_f3384867bd6a6055": ["Image not found or type unknown", "Tác giả: Đang cập nhật", "15:52 26/12/2024"],
    "001_27cad39cd456a9e3": ["layout:", "BlogPost.astro", "added:", "slug: state-of-ai"],
    "002_24797b54feca2600": ["<img", 'style="', "](/blog/", "is_highlight", "banner_url"],
    "003_a724639d212df85e": [
        "Cận cảnh dàn xe tăng",
        "Bão số 6",
        "VNeID",
        "Champions League",
        "Mưa đỏ",
        "Ngô Bảo Châu",
        "Công nghệ\n",
        "14/05/2023 16:01",
    ],
    "004_29800cfcb56ae280": [
        "Trang chủ",
        "- Ảnh 1",
        "Cùng chủ đề",
        "Nổi bật",
        "Mới nhất",
        "Cùng tác giả",
        "Bài đọc nhiều",
        "Cùng chuyên mục",
        "Tin tức doanh nghiệp",
        "Zalopay",
        "Blackwell Ultra",
        "Elon Musk",
        "Kon Tum",
    ],
}


@pytest.mark.parametrize(("stem", "line"), [(s, line) for s, lines in FURNITURE.items() for line in lines])
def test_no_page_furniture_survives(articles, stem, line):
    assert line not in articles[stem].body


def test_structure_of_each_conversion(articles):
    """Headings, captions, lists and images that each seed must come out with."""
    body = {stem: a.body for stem, a in articles.items()}
    assert body["000_f3384867bd6a6055"].count("\n## ") == 6
    assert body["000_f3384867bd6a6055"].count("{: .kb-caption }") == 3
    assert body["001_27cad39cd456a9e3"].count("\n- ") == 42  # 43 emoji items, the first opens the body
    assert body["001_27cad39cd456a9e3"].startswith("- 🥇")
    assert "🧑\u200d💼" in body["001_27cad39cd456a9e3"]  # lost zero-width joiner restored
    assert body["002_24797b54feca2600"].count("![") == 14
    assert "![](" not in body["002_24797b54feca2600"]
    assert body["003_a724639d212df85e"].count("\n## ") == 2
    assert body["003_a724639d212df85e"].rstrip().endswith("*Theo Thế Vinh (VietNamNet)*")
    assert body["004_29800cfcb56ae280"].count("{: .kb-caption }") == 4
    assert body["004_29800cfcb56ae280"].count("\n## ") == 4


def test_what_the_captures_say_agrees_with_the_metadata(articles):
    for stem, article in articles.items():
        found = article.converted.found
        if "published" in found:
            assert article.meta.published.iso().startswith(found["published"]), stem
        if found.get("author"):
            assert found["author"] == article.meta.author, stem
        if found.get("url"):
            assert found["url"] == article.meta.url, stem
    assert articles["000_f3384867bd6a6055"].converted.found["author"] is None  # "Đang cập nhật"
    assert articles["004_29800cfcb56ae280"].meta.published.iso() == "2025-03-25"


def test_the_build_never_writes_into_seeds_or_docs(project: Path):
    from kb.content.project import Paths
    from kb.site.build import build_site

    def snapshot() -> dict[str, bytes]:
        return {
            p.relative_to(project).as_posix(): p.read_bytes()
            for p in project.rglob("*")
            if p.is_file() and "site" not in p.parts
        }

    before = snapshot()
    build_site(Paths(project))
    after = {k: v for k, v in snapshot().items() if "__pycache__" not in k}
    assert after == {k: v for k, v in before.items() if "__pycache__" not in k}
