"""News-shaped pages in three kinds of capture: what a news article's conversion must keep and drop.

The pages are written for this project (tests/fixtures/news-shaped/README.md): the
structure of two large Vietnamese news sites, with a lead outside the article body,
a date line with its zone, a byline, photo credits and related-headline lists.
"""

from __future__ import annotations

import pytest

from kb import ingest
from kb.content.schema import SeedMeta
from kb.ingest import checks
from kb.ingest.detect import detect
from kb.textutil import read_text
from tests.conftest import ROOT

HERE = ROOT / "tests" / "fixtures" / "news-shaped"

EXPECTED = {
    "a": {
        "title": "Năm của mô hình suy luận",
        "published": "2025-12-15T10:00+07:00",
        "author": "Lan Anh",
        "lead": 'Các mô hình biết "suy nghĩ" trước khi trả lời',
        "caption": "*Một trung tâm dữ liệu phục vụ huấn luyện AI. Ảnh: Reuters*\n{: .kb-caption }",
        "heading": "## Cuộc đua chi phí",
        "furniture": ["Thời sự", "Tin liên quan", "Giá vàng", "Chia sẻ", "©", "Tags", "Google cập nhật Gemini"],
    },
    "b": {
        "title": "Tác nhân AI vào doanh nghiệp Việt",
        "published": "2025-12-27T06:00+07:00",
        "author": "Minh Châu",
        "lead": "(Báo Mẫu Hai) - Nhiều doanh nghiệp Việt Nam",
        "caption": "*Một hệ thống tác nhân AI tại văn phòng (Ảnh minh họa: Getty).*\n{: .kb-caption }",
        "heading": "## Rào cản về dữ liệu",
        "list": "- Thiếu dữ liệu có cấu trúc;\n- Thiếu nhân sự hiểu cả nghiệp vụ và AI;",
        "furniture": ["Trang chủ", "Tin liên quan", "Ngân hàng dùng AI", "Chia sẻ", "Tổng biên tập", "©"],
    },
}
KINDS = {"html": "html", "page-text": "scraped-page", "pdf-text": "pdf-text"}
CASES = [(page, kind) for page in EXPECTED for kind in KINDS]


def convert(page: str, kind: str) -> ingest.Converted:
    suffix = "html" if kind == "html" else "txt"
    text = read_text(HERE / f"{page}-news-{kind}.{suffix}", kind)
    assert detect(text).kind == KINDS[kind]
    meta = SeedMeta.model_validate(
        {"slug": "x", "format": KINDS[kind], "title": {"vi": "\u2063", "en": "x"}, "published": "2000-01-01"}
    )
    return ingest.convert(text, meta)


@pytest.mark.parametrize(("page", "kind"), CASES)
def test_what_the_page_states_is_read(page, kind):
    found = convert(page, kind).found
    expected = EXPECTED[page]
    assert {k: found.get(k) for k in ("title", "published", "author")} == {
        k: expected[k] for k in ("title", "published", "author")
    }


@pytest.mark.parametrize(("page", "kind"), CASES)
def test_the_article_is_whole_and_the_furniture_gone(page, kind):
    body = convert(page, kind).body
    expected = EXPECTED[page]
    assert body.startswith(expected["lead"]) and "\n{: .kb-lead }\n" in body
    assert expected["heading"] in body
    if kind != "pdf-text":  # a PDF's list items lose their markers; its captions are found by their credit
        assert expected["caption"] in body
        assert expected.get("list", "") in body
    for furniture in expected["furniture"]:
        assert furniture not in body, furniture
    assert [p for p in checks.check_page(checks.Page(kind, body, body)) if not p.warning] == []
