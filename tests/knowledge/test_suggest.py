"""`kb suggest`: date expressions, their resolution, likely duplicates, candidates, the draft and its acceptance."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.knowledge import recall, similar
from kb.knowledge.dates import find_dates
from kb.knowledge.facts import Event, load_knowledge, parse_event_date
from kb.knowledge.suggest import entity_candidates, term_candidates
from kb.yamlio import load
from tests.conftest import ROOT

PUBLISHED = dt.date(2025, 3, 25)

# (text, published, [(date, precision)] of every date expression, in order)
DATES = [
    ("Vào ngày 20.1, DeepSeek ra mắt R1", dt.date(2025, 1, 25), [("2025-01-20", "day")]),
    ("ngày 20/1/2025", PUBLISHED, [("2025-01-20", "day")]),
    ("ngày 16 tháng 3 năm 2025", PUBLISHED, [("2025-03-16", "day")]),
    ("tháng 9", PUBLISHED, [("2024-09", "month")]),
    ("tháng 9", dt.date(2024, 12, 26), [("2024-09", "month")]),
    ("cuối tháng 1", PUBLISHED, [("2025-01", "month")]),
    ("hồi tháng 1", PUBLISHED, [("2025-01", "month")]),
    ("vào tháng 11/2022", PUBLISHED, [("2022-11", "month")]),
    ("từ cuối tháng 6/2025", PUBLISHED, [("2025-06", "month")]),
    ("từ tháng 4 đến tháng 9 năm 2024", dt.date(2024, 10, 11), [("2024-04", "month")]),
    ("đầu năm", PUBLISHED, [("2025", "year")]),
    ("ra mắt đầu năm nay", PUBLISHED, [("2025", "year")]),
    ("cuối năm 2022", PUBLISHED, [("2022", "year")]),
    ("quý 3", PUBLISHED, [("2024-Q3", "quarter")]),
    ("quý III/2024", PUBLISHED, [("2024-Q3", "quarter")]),
    ("năm 2024", PUBLISHED, [("2024", "year")]),
    ("GPT-2 (2019), GPT-3 (2020)", PUBLISHED, [("2019", "year"), ("2020", "year")]),
    ("thập niên 1960", PUBLISHED, [("1960s", "decade")]),
    ("những năm 2010", PUBLISHED, [("2010s", "decade")]),
    ("ra mắt vào tháng 9. Chỉ sau 3 tháng, o3", dt.date(2024, 12, 26), [("2024-09", "month"), ("2024-12", "month")]),
    (
        "Llama 3 ra mắt tháng 4. Chỉ 3 tháng sau, Llama 3.1",
        dt.date(2024, 12, 26),
        [("2024-04", "month"), ("2024-07", "month")],
    ),
    ("tháng trước", PUBLISHED, [("2025-02", "month")]),
    ("tuần trước", PUBLISHED, [("2025-03", "month")]),
    ("hồi đầu tháng này", PUBLISHED, [("2025-03", "month")]),
    ("năm nay", PUBLISHED, [("2025", "year")]),
    ("năm ngoái", PUBLISHED, [("2024", "year")]),
    ("on January 20", PUBLISHED, [("2025-01-20", "day")]),
    ("on 16 March 2025", PUBLISHED, [("2025-03-16", "day")]),
    ("in September 2024", PUBLISHED, [("2024-09", "month")]),
    ("late January", PUBLISHED, [("2025-01", "month")]),
    ("early this year", PUBLISHED, [("2025", "year")]),
    ("in Q3", PUBLISHED, [("2024-Q3", "quarter")]),
    ("the third quarter of 2024", PUBLISHED, [("2024-Q3", "quarter")]),
    ("in the 1960s", PUBLISHED, [("1960s", "decade")]),
    ("in 2024", PUBLISHED, [("2024", "year")]),
    ("mid-2024", PUBLISHED, [("2024", "year")]),
    ("in May", PUBLISHED, [("2024-05", "month")]),
    ("last month", PUBLISHED, [("2025-02", "month")]),
    ("in January. Three months later", PUBLISHED, [("2025-01", "month"), ("2025-04", "month")]),
    # not dates
    ("Microsoft đã đầu tư 13 tỷ USD", PUBLISHED, []),
    ("Tencent phát hành năm mô hình mã nguồn mở", PUBLISHED, []),
    ("1.5 triệu nhà phát triển và 2.000 USD", PUBLISHED, []),
    ("May be later", PUBLISHED, []),
    ("sau một năm thử nghiệm kín", PUBLISHED, []),
    ("bùng nổ trong vài năm qua", PUBLISHED, []),
    ("3 tháng sau", PUBLISHED, []),  # nothing before it to count from
]


@pytest.mark.parametrize(("text", "published", "expected"), DATES, ids=[d[0] for d in DATES])
def test_date_expressions_resolve_at_the_precision_the_text_gives(text, published, expected):
    found = [(m.date.iso(), m.date.precision) for m in find_dates(text, published)]
    assert found == expected
    for iso, precision in found:
        assert parse_event_date(iso).precision == precision  # what `kb new event --date` accepts


# (text, published, note fragments): a date that needed more than reading says how it was worked out
NOTES = [
    ("tháng 9", PUBLISHED, ["“tháng 9” gives no year", "September 2024", "25 March 2025"]),
    ("ngày 20.1", dt.date(2025, 1, 10), ["20 January 2024", "latest on or before"]),
    ("cuối tháng 1/2025", PUBLISHED, ["gives no day, so the date is the month"]),
    ("đầu năm nay", PUBLISHED, ["counted from the publication date (25 March 2025)", "2025"]),
    ("tuần trước", PUBLISHED, ["counted from the publication date", "March 2025"]),
    (
        "ra mắt tháng 9. Chỉ sau 3 tháng,",
        PUBLISHED,
        ["the date the text gives just before (September 2024)", "December 2024"],
    ),
]


@pytest.mark.parametrize(("text", "published", "fragments"), NOTES, ids=[n[0] for n in NOTES])
def test_a_worked_out_date_says_how_in_both_languages(text, published, fragments):
    mention = find_dates(text, published)[-1]
    assert mention.note_vi and mention.note_en
    for fragment in fragments:
        assert fragment in mention.note_en
    assert "năm 2025" not in (find_dates("năm 2025", published)[0].note_en or "")  # a stated date has no note


def _event(event_id: str, date: str, entities: list[str], vi: str, en: str) -> Event:
    return Event.model_validate(
        {
            "id": event_id,
            "date": date,
            "title": {"vi": vi, "en": en},
            "description": {"vi": "x", "en": "x"},
            "entities": entities,
            "topics": ["llm"],
            "source": {"article": "a"},
        }
    )


LLAMA = _event("2024-04-a", "2024-04", ["meta", "llama", "llama-3"], "Meta ra mắt Llama 3", "Meta releases Llama 3")
LLAMA_SPAN = _event(
    "2024-04-b",
    "2024-04",
    ["meta", "llama", "llama-3", "gpt-4", "claude-3-5-sonnet"],
    "Meta phát hành Llama 3 theo ba phiên bản (tháng 4–9/2024)",
    "Meta releases Llama 3 in three versions (April–September 2024)",
)
R1_YEAR = _event("2025-r1", "2025", ["deepseek", "deepseek-r1"], "DeepSeek ra mắt R1", "DeepSeek releases R1")
R1_DAY = _event(
    "2025-01-20-r1", "2025-01-20", ["deepseek-r1", "deepseek"], "DeepSeek phát hành mô hình R1", "DeepSeek launches R1"
)
R1_2024 = _event("2024-r1", "2024", ["deepseek", "deepseek-r1"], "DeepSeek ra mắt R1", "DeepSeek releases R1")
BAIDU_PLAN = _event(
    "p",
    "2025-03",
    ["baidu", "ernie-4-5"],
    "Baidu công bố kế hoạch mở mã nguồn Ernie 4.5 từ cuối tháng 6/2025",
    "Baidu announces a plan to open-source Ernie 4.5 from the end of June 2025",
)
BAIDU_RELEASE = _event(
    "r",
    "2025-03-16",
    ["baidu", "ernie", "ernie-4-5", "ernie-x1"],
    "Baidu ra mắt Ernie 4.5 và mô hình suy luận Ernie X1",
    "Baidu releases Ernie 4.5 and its reasoning model Ernie X1",
)
GPT35 = _event("g", "2022", ["openai", "gpt", "gpt-3-5"], "OpenAI ra mắt GPT-3.5", "OpenAI releases GPT-3.5")
CHATGPT = _event("c", "2022-11", ["openai", "chatgpt", "gpt-3-5"], "OpenAI ra mắt ChatGPT", "OpenAI launches ChatGPT")
O3 = _event("o3", "2024-12", ["openai", "o3"], "OpenAI công bố o3", "OpenAI announces o3")
SORA = _event("sora", "2024-12", ["openai", "sora"], "OpenAI ra mắt Sora", "OpenAI launches Sora")

# (id, a, b, likely the same?)
PAIRS = [
    ("llama-3-twice (the real duplicate removed in 5b9bed2)", LLAMA, LLAMA_SPAN, True),
    ("r1-year-and-day-overlap", R1_YEAR, R1_DAY, True),
    ("r1-other-year", R1_2024, R1_DAY, False),
    ("baidu-plan-is-not-the-release", BAIDU_PLAN, BAIDU_RELEASE, False),
    ("gpt-3-5-is-not-chatgpt", GPT35, CHATGPT, False),
    ("same-month-other-product", O3, SORA, False),
]


@pytest.mark.parametrize(("a", "b", "same"), [p[1:] for p in PAIRS], ids=[p[0] for p in PAIRS])
def test_likely_duplicates_need_entities_overlapping_dates_and_a_similar_title(a, b, same):
    assert (similar.alike(a, b) is not None) is same
    assert (similar.alike(b, a) is not None) is same


@pytest.mark.parametrize(
    ("a", "b", "overlap"),
    [
        ("2025", "2025-01-20", True),
        ("2025-Q1", "2025-02", True),
        ("2020s", "2024", True),
        ("2024-09", "2024-12", False),
        ("2024-Q4", "2025-01-01", False),
        ("2024-12", "2024-12-31", True),
        ("1960s", "1970", False),
    ],
)
def test_dates_overlap_at_their_precision(a, b, overlap):
    assert similar.dates_overlap(parse_event_date(a), parse_event_date(b)) is overlap


def test_the_real_events_have_no_likely_duplicate_pairs():
    k = load_knowledge(load_project(ROOT))
    assert similar.duplicate_pairs(k.events) == []


def _article(body: str, tags: tuple[str, ...] = ()):
    meta = SimpleNamespace(tags=list(tags), published=SimpleNamespace(date=PUBLISHED))
    return SimpleNamespace(slug="a", body=body, meta=meta)


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge(load_project(ROOT))


# (sentence, candidate names): names no entity knows; known names, ordinary words, months are left out
NAMES = [
    ("Nhà phân tích Jane Doe của Acme Labs cho biết DeepSeek V4 vượt trội.", ["Jane Doe", "Acme Labs", "DeepSeek V4"]),
    ("Theo ông Wang, mô hình R7 rất tốt.", ["Wang", "R7"]),
    ("Tuy nhiên, OpenAI và Meta ra mắt GPT-9o vào January.", ["GPT-9o"]),
    ("Trung Quốc và Hoa Kỳ cạnh tranh.", []),
    ("Ông Nguyễn Văn An phát biểu.", ["Nguyễn Văn An"]),
]


@pytest.mark.parametrize(("text", "names"), NAMES, ids=[n[0][:30] for n in NAMES])
def test_candidate_entities_are_names_nothing_knows(knowledge, text, names):
    found = entity_candidates(knowledge, _article(text), {"theo", "tuy", "trung"})
    assert [c.name for c in found] == names


def test_candidate_entity_types_are_guessed_only_where_the_text_says():
    k = load_knowledge(load_project(ROOT))
    found = {c.name: c.type for c in entity_candidates(k, _article(NAMES[0][0]), set())}
    assert found == {"Jane Doe": "person", "Acme Labs": None, "DeepSeek V4": "model"}


# (sentence, (vi, en) candidates)
TERMS = [
    (
        "Năm nay chứng kiến các “tác nhân siêu AI” (hyper-agentic AI) lên ngôi.",
        [("tác nhân siêu AI", "hyper-agentic AI")],
    ),
    ("Kỹ thuật này dùng học chuyển giao (transfer learning) rất nhiều.", [("học chuyển giao", "transfer learning")]),
    ("Phương pháp few-shot (học từ ít ví dụ) phổ biến.", [("học từ ít ví dụ", "few-shot")]),
    ("Mô hình nhỏ, hay còn gọi là tiny model, đang lên.", [("Mô hình nhỏ", "tiny model")]),
    ("Kỹ thuật được gọi là “tree-of-thought” giúp mô hình.", [("", "tree-of-thought")]),
    ("Theo Thế Vinh (VietNamNet)", []),
]


@pytest.mark.parametrize(("text", "terms"), TERMS, ids=[t[0][:30] for t in TERMS])
def test_candidate_terms_follow_the_patterns_sources_introduce_them_with(knowledge, text, terms):
    assert [(c.vi, c.en) for c in term_candidates(knowledge, _article(text))] == terms


def kb(project: Path, *args: str) -> int:
    return main(["--root", str(project), *args])


def test_kb_suggest_on_a_real_article_proposes_its_dated_events(capsys):
    assert kb(ROOT, "suggest", "rewind-ai-2024", "--out", "-") == 0
    draft, _ = load(capsys.readouterr().out, "draft")
    events = {(e["date"], e["context"]["date_text"]): e for e in draft["events"]}
    o1 = events[("2024-09", "tháng 9")]
    assert o1["source"] == {"article": "rewind-ai-2024", "section": "openai-mo-rong-tam-anh-huong-ra-ngoai-chatgpt"}
    assert "o1" in o1["entities"] and o1["accept"] is False
    assert any(d.startswith("2024-09-openai-o1:") for d in o1["context"]["likely_duplicates"])
    o3 = events[("2024-12", "sau 3 tháng")]
    assert "September 2024" in o3["note"]["en"] and o3["note"]["vi"]
    llama = events[("2024-07", "3 tháng sau")]
    assert "llama-3-1" in llama["entities"]
    assert not any(date == "2025" for date, _ in events)  # "sau một năm thử nghiệm" is a duration


def test_kb_suggest_measure_keeps_its_recorded_share(knowledge):
    result = recall.measure(knowledge, load_project(ROOT))
    # recorded in CONTRIBUTING.md ("How good the suggestions are"): 20 of 22 (91%); 6 of 49 match no event
    assert len(result.explicit) >= 20
    assert result.share >= 0.9, result.report()
    assert result.noise <= 0.15 * result.candidates, result.report()


def tree(project: Path) -> dict[str, str]:
    return {
        p.relative_to(project).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for part in ("seeds", "docs", "data")
        for p in sorted((project / part).rglob("*"))
        if p.is_file()
    }


def _fill(draft: Path, date_text: str, **fields: str) -> str:
    """Mark the event candidate of one date expression accepted, with its texts filled in."""
    text = draft.read_text(encoding="utf-8")
    start = text.index(f"    date_text: {date_text}\n")
    item = text.rindex("- accept: false", 0, start)
    block = text[item:start]
    new = block.replace("- accept: false", "- accept: true", 1)
    new = new.replace(
        "  title:\n    vi: ''\n    en: ''", f"  title:\n    vi: {fields['title_vi']}\n    en: {fields['title_en']}"
    )
    new = re.sub(r"(  description:\n    vi: .*\n)    en: ''", rf"\g<1>    en: {fields['description_en']}", new)
    text = text[:item] + new + text[start:]
    draft.write_text(text, encoding="utf-8")
    return new


def test_accepting_a_draft_writes_what_kb_new_event_writes(project: Path, tmp_path: Path, capsys):
    from tests.conftest import copy_project

    assert kb(project, "suggest", "trung-quoc-thuc-day-ma-nguon-mo") == 0
    draft = project / "suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml"
    before = draft.read_bytes()
    assert kb(project, "suggest", "trung-quoc-thuc-day-ma-nguon-mo") == 1  # never over a file
    assert "already exists" in capsys.readouterr().out and draft.read_bytes() == before

    _fill(
        draft,
        "tháng 9/2024",
        title_vi="Dự báo lỗ",
        title_en="A projected loss",
        description_en="OpenAI projects a loss.",
    )
    assert kb(project, "suggest", "--accept", "suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml") == 0
    assert "added 2024-a-projected-loss at data/events.yml:" in capsys.readouterr().out

    other = copy_project(tmp_path / "other")
    item = load(draft.read_text(encoding="utf-8"), "d")[0]["events"]
    accepted = next(e for e in item if e["accept"])
    args = ["--date", "2024-09", "--title-vi", "Dự báo lỗ", "--title-en", "A projected loss"]
    args += ["--description-vi", accepted["description"]["vi"], "--description-en", "OpenAI projects a loss."]
    args += ["--entities", ",".join(accepted["entities"]), "--topics", ",".join(accepted["topics"])]
    args += ["--source", f"{accepted['source']['article']}#{accepted['source']['section']}"]
    assert kb(other, "new", "event", *args) == 0
    assert (project / "data/events.yml").read_bytes() == (other / "data/events.yml").read_bytes()
    assert kb(project, "check") == 0


def test_a_wrong_draft_writes_nothing_and_says_where(project: Path, capsys):
    assert kb(project, "suggest", "trung-quoc-thuc-day-ma-nguon-mo") == 0
    draft = project / "suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml"
    _fill(draft, "tháng 9/2024", title_vi="Dự báo lỗ", title_en="A projected loss", description_en="Loss.")
    text = draft.read_text(encoding="utf-8")
    # a second accepted item: English title left empty, and an entity nobody knows
    start = text.index("    date_text: tháng 11/2022\n")
    item = text.rindex("- accept: false", 0, start)
    block = text[item:start].replace("- accept: false", "- accept: true", 1)
    block = block.replace("  title:\n    vi: ''", "  title:\n    vi: Ra mắt ChatGPT", 1)
    block = block.replace("  - openai\n", "  - nobody\n", 1)
    draft.write_text(text[:item] + block + text[start:], encoding="utf-8")
    before = tree(project)

    assert kb(project, "suggest", "--accept", "suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml") == 1
    out = capsys.readouterr().out
    lines = draft.read_text(encoding="utf-8").split("\n")
    title_en = next(n for n, line in enumerate(lines, 1) if line == "    en: ''" and "Ra mắt ChatGPT" in lines[n - 2])
    assert re.search(rf"suggestions/trung-quoc-thuc-day-ma-nguon-mo\.yml:{title_en}: events\.\d+\.title\.en: ", out), (
        out
    )
    assert tree(project) == before  # the valid item was not written either

    block = block.replace(
        "  title:\n    vi: Ra mắt ChatGPT\n    en: ''", "  title:\n    vi: Ra mắt ChatGPT\n    en: ChatGPT"
    )
    block = re.sub(r"(  description:\n    vi: .*\n)    en: ''", r"\g<1>    en: Launch.", block)
    text = draft.read_text(encoding="utf-8")
    start = text.index("- accept: true\n  date: 2022-11")
    end = text.index("    date_text: tháng 11/2022\n")
    draft.write_text(text[:start] + block + text[end:], encoding="utf-8")
    assert kb(project, "suggest", "--accept", "suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml") == 1
    out = capsys.readouterr().out
    nobody = next(n for n, line in enumerate(draft.read_text(encoding="utf-8").split("\n"), 1) if line == "  - nobody")
    assert f"suggestions/trung-quoc-thuc-day-ma-nguon-mo.yml:{nobody}: events." in out
    assert "unknown entity 'nobody'" in out
    assert tree(project) == before


def test_kb_check_warns_about_likely_duplicate_events(project: Path, capsys):
    events = project / "data/events.yml"
    events.write_text(
        events.read_text(encoding="utf-8")
        + """
- id: 2024-04-meta-llama-3
  date: "2024-04"
  title: {vi: "Meta ra mắt Llama 3", en: "Meta releases Llama 3"}
  description: {vi: "Llama 3 của Meta.", en: "Meta's Llama 3."}
  entities: [meta, llama, llama-3]
  topics: [open-models, llm]
  source: {article: rewind-ai-2024, section: mo-hinh-ai-ma-nguon-mo-len-ngoi}
""",
        encoding="utf-8",
    )
    line = events.read_text(encoding="utf-8").split("\n").index("- id: 2024-04-meta-llama-3") + 1
    assert kb(project, "check") == 0  # a warning, not an error
    out = capsys.readouterr().out
    expected = (
        f"data/events.yml:{line}: 2024-04-meta-llama-3.id: warning: event '2024-04-meta-llama-3' is likely the same "
        "as '2024-04-meta-llama-3-three-versions': same entities (meta, llama, llama-3), overlapping dates, "
        "100% of title words; expected one event per happening"
    )
    assert expected in out, out
    assert out.count("is likely the same as") == 1
