"""`kb new`: each writes a valid file in the right place, or nothing at all."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.knowledge.facts import load_knowledge, section_ids
from tests.conftest import ROOT

SOURCE = "rewind-ai-2024#openai-mo-rong-tam-anh-huong-ra-ngoai-chatgpt"


def kb(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def tree(project: Path) -> dict[str, str]:
    """A fingerprint of every file a person could have written."""
    return {
        p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for part in ("seeds", "docs", "data")
        for p in sorted((project / part).rglob("*"))
        if p.is_file()
    }


def test_new_translation_of_an_article_is_a_draft_with_the_source_blocks_and_anchors(project: Path, capsys):
    (project / "docs/en/articles/rewind-ai-2024.md").unlink()
    assert kb(project, "new", "translation", "rewind-ai-2024") == 0
    path = project / "docs/en/articles/rewind-ai-2024.md"
    text = path.read_text(encoding="utf-8")
    article = load_project(project).article("rewind-ai-2024")
    assert f"source_hash: {article.source_hash}" in text and "draft: true" in text
    assert "title: 'Rewind AI 2024: The year GenAI exploded" in text or 'title: "Rewind AI 2024' in text
    assert "Translate the title and every block" in text  # guidance, as YAML comments
    anchors = set(re.findall(r"\{#([\w-]+)\}$", text, re.M))
    assert anchors == section_ids(article.body)

    assert kb(project, "check") == 0
    assert "translation is a draft" in capsys.readouterr().out
    assert kb(project, "build") == 0
    page = (project / "site/en/articles/rewind-ai-2024/index.html").read_text(encoding="utf-8")
    assert "Not yet translated into English" in page  # readers see the original until it is finished
    status = (project / "site/en/translations/index.html").read_text(encoding="utf-8")
    assert "Missing (draft)" in status


def test_new_translation_of_a_page_and_refusal_to_overwrite(project: Path, capsys):
    before = (project / "docs/en/about.md").read_bytes()
    assert kb(project, "new", "translation", "about.md") == 1
    assert "docs/en/about.md: already exists" in capsys.readouterr().out
    assert (project / "docs/en/about.md").read_bytes() == before

    (project / "docs/en/about.md").unlink()
    assert kb(project, "new", "translation", "docs/vi/about.md") == 0
    text = (project / "docs/en/about.md").read_text(encoding="utf-8")
    assert "# Giới thiệu và nguồn {#gioi-thieu-va-nguon}" in text and "draft: true" in text
    assert kb(project, "check") == 0


def test_new_article_from_a_capture_copies_it_byte_for_byte_and_reads_what_it_states(project: Path, tmp_path, capsys):
    capture = tmp_path / "capture.txt"
    # A PDF's text in seed 000's layout: title, a date line, an author line, then lines cut mid-sentence.
    body = [
        "Các phòng thí nghiệm trí tuệ nhân tạo đã công bố hàng loạt mô hình mới trong năm, từ mô hình suy ",
        "luận đến mô hình đa phương thức, khiến cuộc đua giữa các công ty công nghệ lớn ngày càng gay gắt hơn.",
        "Giới quan sát cho rằng chi phí huấn luyện giảm mạnh đã mở cửa cho nhiều công ty khởi nghiệp tham gia ",
        "thị trường, đồng thời đặt ra câu hỏi về an toàn và trách nhiệm khi các hệ thống ngày càng mạnh hơn.",
    ]
    text = " Nhìn lại năm 2024: cuộc đua mô hình\n15:52 26/12/2024 \nTác giả: Đang cập nhật\n\n" + "\n\n".join(body)
    capture.write_text(text + "\n", encoding="utf-8")
    assert kb(project, "new", "article", str(capture), "--title-en", "Looking back at 2024", "--slug", "again") == 0
    out = capsys.readouterr().out
    assert "kind: pdf-text, because" in out and "the capture states published: 2024-12-26T15:52" in out
    seed, meta = sorted((project / "seeds").glob("005_*"))
    assert seed.read_bytes() == capture.read_bytes()
    text = meta.read_text(encoding="utf-8")
    assert "format: pdf-text" in text and "published: '2024-12-26'" in text  # read from the capture
    assert "15:52" in text  # its time without a zone is noted, not given a made-up zone
    assert "author: null" in text and "url: null" in text
    assert kb(project, "check") == 0
    assert kb(project, "convert", "again") == 0


def test_new_article_reads_a_title_set_between_rules_of_punctuation(project: Path, tmp_path, capsys):
    """A line with no word ('=====', as reStructuredText underlines a title) is no title: the title is
    the line it frames (a rule once matched the provisional title, and the slug came out empty)."""
    capture = tmp_path / "readme.txt"
    rule = "=" * 46
    capture.write_text(
        f"{rule}\nThư viện xử lý chữ số trong văn bản tiếng Việt\n{rule}\n\n"
        "Thư viện này chuyển các con số viết bằng chữ trong văn bản tiếng Việt thành chữ số, hỗ trợ cả văn nói"
        " lẫn văn viết, các cách đọc từng số và từng cặp số, và những từ dân gian như tỏi, chai, củ.\n\n"
        "Cách dùng rất đơn giản: gọi một hàm với đoạn văn bản cần chuyển, hàm trả về đoạn văn bản đã thay các"
        " con số viết bằng chữ bằng chữ số tương ứng, giữ nguyên phần còn lại của câu.\n",
        encoding="utf-8",
    )
    assert kb(project, "new", "article", str(capture), "--title-en", "A", "--published", "2024-01-01") == 0
    out = capsys.readouterr().out
    assert "the capture states title: Thư viện xử lý chữ số trong văn bản tiếng Việt" in out
    meta = next((project / "seeds").glob("005_*.yml")).read_text(encoding="utf-8")
    assert "slug: thu-vien-xu-ly-chu-so-trong-van-ban-tieng-viet" in meta
    assert kb(project, "check") == 0


def test_a_capture_already_in_seeds_is_refused_and_nothing_written(project: Path, tmp_path, capsys):
    capture = tmp_path / "capture.txt"
    shutil.copyfile(ROOT / "seeds/000_f3384867bd6a6055.txt", capture)
    before = sorted(p.name for p in (project / "seeds").iterdir())
    assert kb(project, "new", "article", str(capture), "--title-en", "Rewind, again", "--slug", "rewind-again") == 1
    assert "is already a seed: seeds/000_f3384867bd6a6055.txt (the same bytes)" in capsys.readouterr().out
    capture.write_text(capture.read_text(encoding="utf-8").replace("\n", "\r\n"), encoding="utf-8")
    assert kb(project, "new", "article", str(capture), "--title-en", "Rewind, again", "--slug", "rewind-again") == 1
    assert "(the same text" in capsys.readouterr().out
    assert sorted(p.name for p in (project / "seeds").iterdir()) == before


def test_new_article_from_scratch_then_check_and_build(project: Path, capsys):
    args = ["--title-vi", "Bài viết mới về AI", "--title-en", "A new AI article", "--published", "2026-11-20"]
    assert kb(project, "new", "article", *args, "--tags", "llm") == 0
    seed = project / "seeds/005_bai-viet-moi-ve-ai.txt"
    assert seed.exists() and (project / "seeds/005_bai-viet-moi-ve-ai.yml").exists()
    assert kb(project, "check") == 0
    assert "the article has no text yet" in capsys.readouterr().out
    seed.write_text(seed.read_text(encoding="utf-8") + "\nMột đoạn văn.\n", encoding="utf-8")
    assert kb(project, "check") == 0
    assert kb(project, "build") == 0
    assert (project / "site/articles/bai-viet-moi-ve-ai/index.html").exists()


def test_new_items_are_appended_valid_and_found_by_the_build(project: Path, capsys):
    event = ["--date", "2024-10", "--title-vi", "Sự kiện thử", "--title-en", "A test event"]
    event += ["--description-vi", "Mô tả.", "--description-en", "Description.", "--entities", "openai"]
    event += ["--topics", "llm", "--source", SOURCE]
    entity = ["--type", "method", "--term", "test-term", "--name-en", "Test Method", "--alias", "Test Method"]
    entity += ["--description-vi", "Một phương pháp thử.", "--description-en", "A test method."]
    term = ["--term-vi", "thuật ngữ thử", "--term-en", "test term", "--definition-vi", "Định nghĩa."]
    term += ["--definition-en", "A definition.", "--source", SOURCE]
    assert kb(project, "new", "event", *event) == 0
    assert kb(project, "new", "term", *term) == 0
    assert kb(project, "new", "entity", *entity) == 0
    out = capsys.readouterr().out
    assert re.search(r"added the event at data/events\.yml:\d+", out)
    k = load_knowledge(load_project(project))
    assert not k.problems
    assert "2024-a-test-event" in {e.id for e in k.events}
    assert "test-method" in k.entities and "test-term" in k.terms
    assert (k.entities["test-method"].type, k.term_entities["test-term"].id) == ("method", "test-method")
    assert kb(project, "check") == 0


def _event(date: str = "2025-01", entities: str = "openai", source: str = SOURCE, *extra: str) -> list[str]:
    texts = ["--title-vi", "a", "--title-en", "b", "--description-vi", "c", "--description-en", "d"]
    return ["event", "--date", date, *texts, "--entities", entities, "--topics", "llm", "--source", source, *extra]


DESCRIBED = ["--description-vi", "a", "--description-en", "b"]

# (id, command, expected fragments): each writes nothing at all
REFUSED = [
    ("translation-of-nothing", ["translation", "no-such-page"], ["no-such-page", "not an article or a page"]),
    ("translation-exists", ["translation", "rewind-ai-2024"], ["docs/en/articles/rewind-ai-2024.md", "already exists"]),
    ("translation-to-vi", ["translation", "about.md", "--lang", "vi"], ["not a translation language"]),
    (
        "article-without-date",
        ["article", "--title-vi", "Bài", "--title-en", "Article"],
        ["--published missing", "never guessed"],
    ),
    (
        "article-bad-date",
        ["article", "--title-vi", "Bài", "--title-en", "A", "--published", "31/02/2025"],
        ["published", "not in ISO form"],
    ),
    (
        "article-slug-taken",
        ["article", "--title-vi", "Bài", "--title-en", "A", "--published", "2025-01-01", "--slug", "rewind-ai-2024"],
        ["slug 'rewind-ai-2024' is already used"],
    ),
    (
        "article-bad-slug",
        ["article", "--title-vi", "Bài", "--title-en", "A", "--published", "2025-01-01", "--slug", "Bài Viết"],
        ["slug", "not URL-safe"],
    ),
    (
        "article-unknown-topic",
        ["article", "--title-vi", "Bài", "--title-en", "A", "--published", "2025-01-01", "--tags", "nope"],
        ["tags", "unknown topic nope"],
    ),
    ("article-missing-capture", ["article", "no-such-file.txt", "--title-en", "A"], ["no-such-file.txt", "not a file"]),
    (
        "event-bad-date",
        _event("2025-13"),
        ["data/events.yml (new item)", "date", "no month 13", "YYYY-Qn"],
    ),
    (
        "event-unknown-entity",
        _event(entities="nobody"),
        ["data/events.yml (new item)", "unknown entity 'nobody'"],
    ),
    (
        "event-unknown-section",
        _event(source="rewind-ai-2024#nope"),
        ["has no section 'nope'"],
    ),
    (
        "event-id-taken",
        _event("2017", "openai", SOURCE, "--id", "2017-transformer"),
        ["data/events.yml", "id '2017-transformer' already exists"],
    ),
    (
        "entity-id-taken",
        ["entity", "--type", "organization", "--name-en", "OpenAI", "--description-vi", "a", "--description-en", "b"],
        ["id 'openai' already exists"],
    ),
    (
        "entity-unknown-term",
        ["entity", "--type", "method", "--term", "no-such-term", "--name-en", "X", *DESCRIBED],
        ["data/entities.yml (new item)", "x.term", "unknown glossary term 'no-such-term'"],
    ),
    (
        "entity-term-taken",
        ["entity", "--type", "architecture", "--term", "gan", "--name-en", "GAN 2", *DESCRIBED],
        ["data/entities.yml (new item)", "gan-2.term", "glossary term 'gan' is already the entity 'gan'"],
    ),
    (
        "term-unknown-article",
        ["term", "--term-vi", "a", "--term-en", "b", "--definition-vi", "c", "--definition-en", "d", "--source", "x"],
        ["(new item)", "'x'"],
    ),
]


@pytest.mark.parametrize(("args", "expected"), [c[1:] for c in REFUSED], ids=[c[0] for c in REFUSED])
def test_kb_new_refuses_bad_input_and_writes_nothing(project: Path, capsys, args, expected):
    before = tree(project)
    assert kb(project, "new", *args) == 1
    out = capsys.readouterr().out
    assert any(all(fragment in line for fragment in expected) for line in out.splitlines()), out
    assert "Traceback" not in out
    assert tree(project) == before
    assert not list(project.rglob("*.tmp"))
