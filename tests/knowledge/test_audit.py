"""Checks that the data says what its sources say: dates, names and figures (kb.knowledge.audit)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kb.cli import main
from kb.content.project import load_project
from kb.knowledge import audit
from kb.knowledge.facts import load_knowledge, parse_event_date
from tests.conftest import ROOT, replace_in

PUBLISHED = dt.date(2025, 3, 25)

DATE_CASES = [
    # (event date, section text, note, stated at that precision?)
    ("2025-03-16", "Vào ngày 16/3, Baidu đã phát hành Ernie 4.5.", "", True),
    ("2025-03-16", "Baidu phát hành Ernie 4.5 vào ngày 16 tháng 3.", "", True),
    ("2025-03-16", "Baidu released Ernie 4.5 on March 16.", "", True),
    ("2025-03-16", "Baidu released Ernie 4.5 on 16th March 2025.", "", True),
    ("2025-03-16", "Baidu lên kế hoạch mở mã nguồn Ernie 4.5 từ cuối tháng 6.", "", False),  # the audit's case
    ("2025-03-16", "Baidu công bố kế hoạch vào tháng 3.", "", False),  # a month is not a day
    ("2025-03-16", "Ngày 16/4, Baidu công bố.", "", False),  # another month
    ("2025-03-25", "Hôm nay Baidu công bố.", "", True),  # the publication day, relatively
    ("2025-03-24", "Hôm qua Baidu công bố.", "", True),
    ("2025-03-10", "Hôm qua Baidu công bố.", "", False),
    ("2025-03", "Tencent phát hành năm mô hình trong tháng này.", "", True),
    ("2025-02", "Alibaba Cloud tháng trước thông báo mở mã nguồn.", "", True),
    ("2025-01", "Alibaba Cloud tháng trước thông báo mở mã nguồn.", "", False),
    ("2024-09", "Vào tháng 9/2024, OpenAI dự kiến lỗ khoảng 5 tỷ USD.", "", True),
    ("2024-09", "In September 2024, OpenAI expected a loss.", "", True),
    ("2024-07", "Llama 3, ra mắt vào tháng 4. Chỉ 3 tháng sau, Llama 3.1 tiếp nối.", "", False),
    (
        "2024-07",
        "Llama 3, ra mắt vào tháng 4. Chỉ 3 tháng sau, Llama 3.1 tiếp nối.",
        "3 tháng sau, tức tháng 7/2024.",
        True,
    ),
    ("2024-07", "Llama 3.1 ra mắt.", "tức tháng 7/2024", False),  # a note alone does not make a date
    ("2024-Q3", "Doanh thu quý 3 tăng.", "", True),
    ("2024-Q3", "Doanh thu tháng 8 tăng.", "", True),
    ("2024-Q3", "Doanh thu tăng.", "", False),
    ("2025", "R1 ra mắt đầu năm nay.", "", True),  # a year is what a source gives when it gives less
    ("1960s", "Chatbot ELIZA vào thập niên 1960.", "", True),
]


@pytest.mark.parametrize(("date", "section", "note", "stated"), DATE_CASES)
def test_a_date_is_stated_at_its_precision_by_the_section(date, section, note, stated):
    assert audit.date_supported(parse_event_date(date), section, PUBLISHED, note) is stated


def test_a_date_equal_to_the_publication_date_is_the_source_own_date():
    """A report dated by its own release: the article's publication month is its month."""
    assert audit.date_supported(parse_event_date("2024-10"), "State of AI Report 2024 ...", dt.date(2024, 10, 11))
    assert not audit.date_supported(parse_event_date("2024-09"), "State of AI Report 2024 ...", dt.date(2024, 10, 11))


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Tiếp sau DALL-E, Midjourney và Stable Diffusion của Stability AI.",
            ["DALL-E", "Midjourney", "Stable", "Diffusion", "Stability", "AI"],
        ),
        ("Mô hình R1 và V2.5 của DeepSeek.", ["R1", "V2.5", "DeepSeek"]),
        ("Theo ông Wang, khoảng cách có lẽ còn 3 tháng.", ["Wang"]),  # a sentence's first word is not a name
        ("GPT-4o mini đồng điểm.", ["GPT-4o"]),
        ("(Mạng đối nghịch tạo sinh)", []),
    ],
)
def test_names_are_words_with_digits_or_capitals_inside_a_sentence(text, names):
    assert audit.names(text) == names


@pytest.mark.parametrize(
    ("vi", "en", "only_vi", "only_en"),
    [
        ("lập trình trên 92 ngôn ngữ", "codes in 92 languages", [], []),
        ("doanh thu 3,7 tỷ USD vào tháng 9/2024", "revenue of USD 3.7 billion in September 2024", [], []),
        ("doanh thu 11 tỷ USD", "USD 11 billion in revenue", [], []),
        ("ngày 16/3/2025", "on 16 March 2025", [], []),
        ("1.200 người", "1,200 people", [], []),
        ("doanh thu 3,7 tỷ USD", "revenue of USD 3.8 billion", ["7"], ["8"]),
        ("405 tỷ tham số", "450 billion parameters", ["405"], ["450"]),
        ("khoảng cách 3 đến 6 tháng", "a gap of 3 to 9 months", ["6"], ["9"]),
    ],
)
def test_figures_are_compared_between_the_two_languages(vi, en, only_vi, only_en):
    assert audit.differing_numbers(vi, en) == (only_vi, only_en)


def test_section_text_runs_to_the_next_heading_of_its_level():
    md = "# T\n\n## A\n\na\n\n### A1\n\na1\n\n## B {#bee}\n\nb\n"
    assert audit.section_text(md, "a") == "## A\n\na\n\n### A1\n\na1\n\n"
    assert audit.section_text(md, "bee") == "## B {#bee}\n\nb\n"
    assert audit.section_text(md, None) == md
    assert audit.section_text(md, "none") == ""


def test_the_real_data_says_what_its_sources_say():
    """The audit's corrections hold: no event goes beyond its cited section, no item's languages disagree."""
    project = load_project(ROOT)
    assert [str(p) for p in audit.problems(project, load_knowledge(project))] == []


_TENCENT = "2025-03-tencent-five-open-source-3d-models"
WARNINGS = [
    (
        "day-the-source-never-gives",
        replace_in(
            "data/events.yml", f'- id: {_TENCENT}\n  date: "2025-03"', f'- id: {_TENCENT}\n  date: "2025-03-12"'
        ),
        ["data/events.yml:", f"{_TENCENT}.date", "warning", "2025-03-12 is more precise than any date"],
    ),
    (
        "description-from-another-section",
        replace_in(
            "data/events.yml",
            "thế hệ tiếp theo trong loạt mô hình GPT của hãng",
            "thế hệ mà Microsoft tích hợp vào Bing",
        ),
        ["data/events.yml:", "2023-openai-gpt-4.description", "warning", "'Microsoft', 'Bing' not found in"],
    ),
    (
        "figure-not-in-the-section",
        replace_in("data/events.yml", "Llama 3.1 có 405 tỷ tham số", "Llama 3.1 có 450 tỷ tham số"),
        ["data/events.yml:", "2024-07-meta-llama-3-1.description", "warning", "'450' not found in"],
    ),
    (
        "figures-differ-between-languages",
        replace_in("data/entities.yml", "code in 92 languages", "code in 29 languages"),
        ["data/entities.yml:", "description", "warning", "the two languages give different figures"],
    ),
]


@pytest.mark.parametrize(("edit", "expected"), [c[1:] for c in WARNINGS], ids=[c[0] for c in WARNINGS])
def test_check_warns_where_the_data_goes_beyond_its_source(project: Path, capsys, edit, expected):
    edit(project)
    assert main(["--root", str(project), "check"]) == 0  # warnings do not fail the check
    out = capsys.readouterr().out
    assert any(all(f in line for f in expected) for line in out.splitlines()), out
