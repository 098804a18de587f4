"""Ingest rules as tables of cases: date lines, detection, content checks, duplicates, check versus build."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kb.content.schema import SeedMeta
from kb.ingest import checks, convert, duplicates, repair
from kb.ingest.detect import detect
from kb.ingest.markdown import published_value
from kb.ingest.metadata import date_line, glued_date
from tests.conftest import ROOT

# ------------------------------------------------------------ date lines


@pytest.mark.parametrize(
    ("line", "iso"),
    [
        ("27/12/2025 06:00 GMT+7", "2025-12-27T06:00+07:00"),
        ("Thứ hai, 15/12/2025, 10:00 (GMT+7)", "2025-12-15T10:00+07:00"),
        ("Chủ nhật, 7/1/2024 - 08:15", "2024-01-07T08:15"),
        ("15:52 26/12/2024", "2024-12-26T15:52"),
        ("14/05/2023 16:01", "2023-05-14T16:01"),
        ("Cập nhật: 15-12-2025 - 10:00", "2025-12-15T10:00"),
        ("Ngày đăng: 03/02/2025", "2025-02-03"),
        ("Ngày 15 tháng 12 năm 2025", "2025-12-15"),
        ("15.12.2025 | 10:00 UTC+07:00", "2025-12-15T10:00+07:00"),
        ("32/12/2025", None),
        ("Năm 2025 có 12 tháng", None),
        ("Giá 15/12/2025 tăng 3% so với hôm qua, theo báo cáo của ngân hàng", None),
    ],
)
def test_date_lines(line, iso):
    stamp = date_line(line)
    assert (stamp.iso() if stamp else None) == iso


def test_a_date_glued_to_the_title():
    stamp, rest = glued_date("14/05/2023 16:01Tương lai AI không nằm ‘trong tay’ Google hay OpenAI")
    assert stamp.iso() == "2023-05-14T16:01" and rest.startswith("Tương lai AI")


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2020-11-11 12:00:00 +0600", "2020-11-11T12:00+06:00"),
        ("2024-10-11T06:06:09.828Z", "2024-10-11T06:06+00:00"),
        ("2023-03-20", "2023-03-20"),
        ("03/20/2023", "2023-03-20"),  # month first: 20 is no month
        ("20/03/2023", "2023-03-20"),  # day first: 20 is no month
        ("03/04/2023", None),  # ambiguous: not guessed
        ("<%= Time.now.strftime('%Y-%m-%d') %>", None),
    ],
)
def test_front_matter_dates(value, iso):
    assert published_value(value) == iso


# -------------------------------------------------------------- detection

PDF_LINES = "\n".join(
    f"Dòng thứ {n} của văn bản được trích từ một tệp PDF và bị cắt giữa câu ở đúng bề rộng" for n in range(12)
)


@pytest.mark.parametrize(
    ("text", "kind", "why"),
    [
        ("<!DOCTYPE html><html><body><p>x</p></body></html>", "html", "HTML document"),
        ("<html lang='vi'><head></head><body>x</body></html>", "html", "HTML document"),
        ("---\ntitle: A\n---\n\nText.", "markdown", "front-matter"),
        ("+++\ntitle = 'A'\n+++\n\nText.", "markdown", "front-matter"),
        ("# Title\n\n## Part\n\nText with [a link](https://example.com).", "markdown", "Markdown syntax"),
        ("Page one.\n\fPage two.", "pdf-text", "form feeds"),
        (PDF_LINES, "pdf-text", "mid-sentence"),
        ("Trang chủ\nThời sự\nMột đoạn văn hoàn chỉnh của bài báo, kết thúc bằng dấu chấm.", "scraped-page", "copied"),
    ],
)
def test_detection_says_why(text, kind, why):
    detected = detect(text)
    assert (detected.kind, why in detected.reason) == (kind, True)


# --------------------------------------------------------- content checks


def problems(body: str, raw: str | None = None, known: set[str] | None = None) -> list[tuple[bool, str, int | None]]:
    page = checks.Page("seeds/009_x.txt", raw if raw is not None else body, body)
    return [(p.warning, p.message, p.line) for p in checks.check_page(page, known)]


CASES = [
    # (id, body, is error, words of the message, capture line)
    ("byte-changed capital", "Một thỞi kỳ mới.\n", True, "corrupted word 'thỞi'", 1),
    ("capital of another script", "OpenAI, iPhone và thΩời kỳ mới.\n", True, "corrupted word 'thΩời'", 1),
    ("capital past the BMP", "Một thư\U0001d400ng hiệu.\n", True, "corrupted word 'thư\U0001d400ng'", 1),
    ("foreign letter", "Xin chào.\n\nĞây là lỗi.\n", True, "'Ğ'", 3),
    ("lone foreign letter", "Þ tưởng lớn.\n", True, "'Þ'", 1),
    ("replacement character", "Dữ li\ufffdu\n", True, "U+FFFD", 1),
    ("control character", "Một\x07 chuông\n", True, "U+0007", 1),
    ("glued words are a warning", "Xem trongPhần 3.\n", False, "glued", 1),
    ("site-relative image", "Ảnh:\n\n![Ảnh](/assets/a.png)\n", True, "'/assets/a.png'", 3),
    ("site-relative link", "Xem [đây](/tin/123.html).\n", True, "'/tin/123.html'", 1),
    ("missing anchor", "## Phần một\n\nXem [phần hai](#phan-hai).\n", True, "'#phan-hai'", 3),
    ("relative page link", "Xem [bài khác](khac.html).\n", True, "'khac.html'", 1),
    ("removed by sanitiser", "Giá trị <bound method Foo.bar> được in.\n", False, "sanitiser removes", 1),
    ("script removed with content", "<script>alert(1)</script>\n", False, "and everything in it", 1),
    ("headings in a row", "Mở đầu.\n\n## Thời sự\n\n## Kinh doanh\n\n## Thể thao\n\nBài.\n", False, "3 headings", 3),
    ("code output", "Kết quả:\n\n>>> print(1)\n", False, "outside a code block", 3),
    ("broken link", "Xem [tài liệu](https://example.com/a\n", False, "broken across lines", 1),
    ("open display math", "$$\nx^2\n", False, "'$$'", None),
]


@pytest.mark.parametrize(("body", "error", "words", "line"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_content_checks(body, error, words, line):
    found = problems(body, known=set())
    assert [(not warning, line_) for warning, message, line_ in found if words in message] == [(error, line)], found


@pytest.mark.parametrize(
    "body",
    [
        "Một thời kỳ mới của OpenAI, ChatGPT và iPhone.\n",
        "Ông Recep Tayyip Erdoğan phát biểu.\n",
        "## Phần một\n\nXem [phần một](#phan-mot) và [bài](https://example.com/a).\n",
        "## Cài đặt\n\n### Cách 1\n\n```bash\npip install x\n```\n\n### Cách 2\n\n```bash\nuv add x\n```\n",
        "Mã: `<bound method>` và\n\n```\n>>> print(1)\n```\n",
        "Công thức $E = mc^2$ và\n\n$$\nx^2\n$$\n",
        "Nguồn: <https://example.com/a>\n",
    ],
)
def test_content_checks_pass_clean_pages(body):
    assert problems(body, known=set()) == []


def test_a_problem_names_the_capture_line():
    raw = "Trang chủ\nTin mới\n\nMột thỞi kỳ mới.\n"
    assert problems("Một thỞi kỳ mới.\n", raw)[0][2] == 4


def test_mojibake_is_repaired_and_reported():
    text, repaired = repair("Tiêu đề\nTrÃ­ tuá»‡ nhÃ¢n táº¡o\n")
    assert text == "Tiêu đề\nTrí tuệ nhân tạo\n"
    assert [line for line, _, _ in repaired] == [2]
    assert repair("Trí tuệ nhân tạo “GPT-4” — café")[1] == []


# ------------------------------------------------------------- duplicates

BODY = " ".join(f"câu số {n} nói về trí tuệ nhân tạo và các mô hình ngôn ngữ lớn." for n in range(40))


def capture(name: str, text: str, body: str = BODY) -> duplicates.Capture:
    return duplicates.Capture(name, text.encode("utf-8"), text, body)


@pytest.mark.parametrize(
    ("new", "how"),
    [
        (capture("new", "Bài A\n" + BODY), "the same bytes"),
        (capture("new", "bài a\r\n" + BODY.replace(" ", "  ")), "the same text"),
        (capture("new", "Một bản khác\n", "Trang chủ. " + BODY + " Tin liên quan."), "the same article"),
    ],
)
def test_duplicates_are_found(new, how):
    same = duplicates.same_as(new, [capture("seeds/005_a.txt", "Bài A\n" + BODY)])
    assert same is not None and same[0] == "seeds/005_a.txt" and how in same[1]
    assert duplicates.pairs([capture("seeds/005_a.txt", "Bài A\n" + BODY), new])[0][1] == "seeds/005_a.txt"


def test_a_duplicate_is_found_among_many_seeds_sharing_a_stock_phrase():
    """A run of words in many seeds stops finding candidates (kb check stays linear); a real pair is still found."""
    stock = " ".join(f"Theo báo cáo số {n} của tòa soạn, mọi quyền được bảo lưu." for n in range(20))
    seeds = [
        capture(
            f"seeds/{n:03}_x.txt",
            f"Bài {n}\n",
            " ".join(f"ý {n} {i} bàn về mô hình {i * n + 7}" for i in range(60)) + stock,
        )
        for n in range(duplicates._COMMON + 20)
    ]
    copy = capture("seeds/999_copy.txt", "Bản sao\n", "Trang chủ. " + seeds[3].body + " Tin liên quan.")
    found = duplicates.pairs([*seeds, copy])
    assert [(new, old) for new, old, _ in found] == [("seeds/999_copy.txt", "seeds/003_x.txt")]


def test_different_articles_are_not_duplicates():
    other = " ".join(f"đoạn {n} bàn về robot, chip bán dẫn và trung tâm dữ liệu ở châu Á." for n in range(40))
    assert duplicates.same_as(capture("new", "x\n" + other, other), [capture("old", "Bài A\n" + BODY)]) is None
    assert duplicates.pairs([capture("old", "Bài A\n" + BODY), capture("new", "x\n" + other, other)]) == []


# ------------------------------------------------- check versus build

CAPTURE_HTML = """<!DOCTYPE html><html lang="vi"><head><title>Mô hình mới</title>
<meta property="article:published_time" content="2025-12-27T06:00:00+07:00"></head><body>
<nav><a href="/">Trang chủ</a> <a href="/cong-nghe">Công nghệ</a></nav>
<article><h1>Mô hình ngôn ngữ mới ra mắt</h1>
<p>Một công ty khởi nghiệp vừa công bố mô hình ngôn ngữ mới với hiệu năng cao hơn các phiên bản trước,
theo thông báo chính thức được đưa ra vào sáng nay tại Hà Nội trước đông đảo báo giới.</p>
<figure><img src="/assets/anh-1.jpg" alt="Buổi ra mắt"><figcaption>Buổi ra mắt mô hình.</figcaption></figure>
<p>Theo đại diện công ty, mô hình được huấn luyện trên dữ liệu tiếng Việt chất lượng cao và sẽ được cung cấp
miễn phí cho các trường đại học, viện nghiên cứu trong nước từ đầu năm tới, xem <a href="/tin/123.html">tin liên quan</a>.</p>
</article><footer>© 2025 Báo Mẫu</footer></body></html>
"""


@pytest.mark.slow
def test_kb_check_fails_wherever_kb_build_fails(project: Path, tmp_path: Path):
    """A saved page with site-relative addresses: check and the strict build agree, before and after the fix."""
    from kb.check import check
    from kb.content.project import Paths, forget_loaded
    from kb.scaffold import new_article
    from kb.site.build import BuildFailed, build_site

    source = tmp_path / "page.html"
    source.write_text(CAPTURE_HTML, encoding="utf-8")
    seed, meta = new_article(project, source, title_vi=None, title_en="A new language model", published=None)
    text = meta.read_text(encoding="utf-8")
    assert "format: html" in text and "published: 2025-12-27T06:00+07:00" in text
    # The page's address is unknown: the converter keeps the link's text and the image's alt text; check warns nothing
    # wrong for the build, and the build passes.
    forget_loaded()
    errors = [p for p in check(project) if not p.warning]
    assert errors == []
    build_site(Paths(project))
    body = (project / "site" / "articles").rglob("index.html")
    assert any("Buổi ra mắt mô hình." in p.read_text(encoding="utf-8") for p in body)
    # A site-relative link written into a translation is an error for both.
    shutil.rmtree(project / "site")
    meta.write_text(text.replace("url: null", "url: https://baomau.vn/mo-hinh-moi.html"), encoding="utf-8")
    forget_loaded()
    assert [p for p in check(project) if not p.warning] == []
    build_site(Paths(project))
    page = next(p for p in (project / "site" / "articles").rglob("index.html") if "Buổi ra mắt" in p.read_text("utf-8"))
    assert "https://baomau.vn/assets/anh-1.jpg" in page.read_text(encoding="utf-8")
    assert seed.exists()
    with pytest.raises(BuildFailed):
        md = project / "docs" / "en" / "about.md"
        md.write_text(md.read_text(encoding="utf-8") + "\n![x](/assets/missing.png)\n", encoding="utf-8")
        forget_loaded()
        assert [p for p in check(project) if not p.warning], "check must fail where the build fails"
        build_site(Paths(project))


# ------------------------------------------------------------ site layouts

COPIED = """Trang chủ
Nghe bài viết
Mô hình ngôn ngữ tiếng Việt mới ra mắt
Một công ty khởi nghiệp vừa công bố mô hình ngôn ngữ mới với hiệu năng cao hơn các phiên bản trước, theo thông báo chính thức sáng nay.
▲ Buổi ra mắt mô hình tại Hà Nội
Theo đại diện công ty, mô hình được huấn luyện trên dữ liệu tiếng Việt chất lượng cao và sẽ được cung cấp miễn phí cho các trường đại học.
Tin cùng mục
Giá vàng hôm nay tăng mạnh trở lại sau nhiều phiên giảm liên tiếp, theo ghi nhận của phóng viên tại các cửa hàng lớn.
"""


def test_a_sites_rules_are_data(project: Path):
    from kb.content.schema import SeedMeta
    from kb.ingest import convert
    from kb.ingest.layouts import load_sites

    meta = SeedMeta.model_validate(
        {
            "slug": "x",
            "format": "scraped-page",
            "title": {"vi": "Mô hình ngôn ngữ tiếng Việt mới ra mắt", "en": "x"},
            "published": "2025-01-01",
            "url": "https://www.vidu.vn/a.html",
        }
    )
    general = convert(COPIED, meta).body
    assert "Giá vàng" in general and "*▲ Buổi ra mắt" not in general  # nothing tells it where this site's article ends
    (project / "data" / "sites.yml").write_text(
        '- hosts: [vidu.vn]\n  end_at: ["^Tin cùng mục$"]\n  caption: ["^▲ "]\n', encoding="utf-8"
    )
    sites = load_sites(project / "data" / "sites.yml", "data/sites.yml")
    body = convert(COPIED, meta, sites).body
    assert "Giá vàng" not in body and "*▲ Buổi ra mắt mô hình tại Hà Nội*\n{: .kb-caption }" in body
    assert body.rstrip().endswith("miễn phí cho các trường đại học.")


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("- hosts: [a.vn]\n  end_at: ['(']\n", "not a valid regular expression"),
        ("- hosts: [a.vn]\n  ends: ['x']\n", "Extra inputs"),
        ("- end_at: ['x']\n", "hosts"),
        ("hosts: a.vn\n", "not a list of sites"),
    ],
)
def test_bad_site_rules_are_clear_errors(tmp_path: Path, text, words):
    from kb.errors import ContentError
    from kb.ingest.layouts import load_sites

    (tmp_path / "sites.yml").write_text(text, encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        load_sites(tmp_path / "sites.yml", "data/sites.yml")
    assert words in str(caught.value) and str(caught.value).startswith("data/sites.yml")


@pytest.mark.parametrize("seed", sorted((ROOT / "seeds").glob("*.txt")), ids=lambda p: p.stem)
def test_the_seeds_are_detected_as_their_metadata_says(seed: Path):
    from kb.textutil import read_text

    meta = seed.with_suffix(".yml").read_text(encoding="utf-8")
    assert f"format: {detect(read_text(seed, seed.name)).kind}\n" in meta


# -------------------------------------------------------- PDF navigation

PARAGRAPH = "Đây là một đoạn văn đầy đủ của bài viết, kết thúc bằng dấu chấm như mọi câu văn khác trong bài."


@pytest.mark.parametrize(
    ("blocks", "kept"),
    [
        # a printed page's navigation, at the top and again at the bottom
        (
            ["## Trước đó", "## Sách", "## Kế tiếp", PARAGRAPH, "## Trước đó", "## Lên", "## Kế tiếp"],
            ["## Sách", PARAGRAPH],
        ),
        # a menu or an index of eight or more short blocks: only its last heading stays
        ([*(f"## Mục {n}" for n in range(9)), "## Mở đầu", PARAGRAPH], ["## Mở đầu", PARAGRAPH]),
        # a title page is shorter: kept
        (
            ["## Báo cáo", "## Tác giả A", "## Viện B", "## 2025", PARAGRAPH],
            ["## Báo cáo", "## Tác giả A", "## Viện B", "## 2025", PARAGRAPH],
        ),
        # headings after the last paragraph head no text
        ([PARAGRAPH, "## Chủ đề liên quan", "## Bài khác"], [PARAGRAPH]),
        # a caption after the last paragraph, with no heading, stays
        ([PARAGRAPH, "*Ảnh: Reuters*\n{: .kb-caption }"], [PARAGRAPH, "*Ảnh: Reuters*\n{: .kb-caption }"]),
    ],
    ids=["repeated-nav", "index", "title-page", "trailing-links", "final-caption"],
)
def test_a_printed_pages_navigation(blocks, kept):
    from kb.ingest.pdftext import _without_navigation

    assert _without_navigation(blocks) == kept


# ------------------------------------------------- static-site generators

MD_META = {"slug": "x", "format": "markdown", "title": {"vi": "Tiêu đề", "en": "x"}, "published": "2000-01-01"}


@pytest.mark.parametrize(
    ("text", "body", "found"),
    [
        ("{% highlight python %}\nprint(1)\n{% endhighlight %}\n", "```python\nprint(1)\n```\n", {}),
        ("{{< highlight go >}}\nfmt.Println(1)\n{{< /highlight >}}\n", "```go\nfmt.Println(1)\n```\n", {}),
        (
            '{{< figure src="/img/a.png" alt="Hình A" caption="Chú thích A" >}}\n',
            "![Hình A](https://blog.example/img/a.png)\n\n*Chú thích A*\n{: .kb-caption }\n",
            {},
        ),
        (
            '<figure><img src="/img/b.png" alt="Hình B"><figcaption>Chú thích B</figcaption></figure>\n',
            "![Hình B](https://blog.example/img/b.png)\n\n*Chú thích B*\n{: .kb-caption }\n",
            {},
        ),
        (
            '+++\ntitle = "Bài TOML"\ndate = 2024-05-01T10:00:00+07:00\nauthor = "An"\n+++\n\nNội dung.\n',
            "Nội dung.\n",
            {"title": "Bài TOML", "published": "2024-05-01T10:00+07:00", "author": "An"},
        ),
        (
            "title: Bài Hexo\ndate: 2024-05-01 10:00:00\nauthors: [An, Bình]\n---\nNội dung.\n",
            "Nội dung.\n",
            {"title": "Bài Hexo", "published": "2024-05-01T10:00", "author": "An, Bình"},
        ),
        (
            "---\ntitle: Bài Astro\npubDate: 2024-05-01\nauthor: {name: Chi}\ncanonical_url: https://blog.example/a\n---\nNội dung.\n",
            "Nội dung.\n",
            {"title": "Bài Astro", "published": "2024-05-01", "author": "Chi", "url": "https://blog.example/a"},
        ),
        (
            "Xem [tài liệu tham khảo\nsố một](https://example.com/a) và [hai](https://example.com/\nb).\n",
            "Xem [tài liệu tham khảo số một](https://example.com/a) và [hai](https://example.com/b).\n",
            {},
        ),
        ("Kết quả:\n\n    array([1, 2, 3])\n    dtype: int64\n", "Kết quả:\n\n```text\narray([1, 2, 3])\ndtype: int64\n```\n", {}),
        ("| a | b |\n|---|---|\n| 1 | 2 |\n=====\n", "| a | b |\n|---|---|\n| 1 | 2 |\n", {}),
        ("Giá trị <bound method Foo.bar> được in.\n", "Giá trị &lt;bound method Foo.bar> được in.\n", {}),
        ("{% comment %}\nghi chú riêng\n{% endcomment %}\nCòn lại.\n", "Còn lại.\n", {}),
        ("[Trang]({{ site.baseurl }}/gioi-thieu/)\n", "[Trang](https://blog.example/gioi-thieu/)\n", {}),
        ("![Ảnh](../images/c.png) và [link](/tag/ai)\n", "![Ảnh](https://blog.example/images/c.png) và [link](https://blog.example/tag/ai)\n", {}),
        ("Công thức $E = mc^2$ và\n\n$$\nx^2\n$$\n", "Công thức $E = mc^2$ và\n\n$$\nx^2\n$$\n", {}),
        (
            "### Cách 1\n```bash\n# tải về\ngit clone x\n\n# cài\nuv sync\n```\nXong.\n",
            "### Cách 1\n\n```bash\n# tải về\ngit clone x\n\n# cài\nuv sync\n```\n\nXong.\n",
            {},
        ),
    ],
    ids=[
        "liquid-highlight", "hugo-highlight", "hugo-figure", "html-figure", "toml", "hexo", "astro", "broken-links",
        "jupyter-output", "rule-under-table", "angle-brackets", "liquid-comment", "liquid-baseurl", "relative",
        "math", "code-right-after-a-heading",
    ],
)  # fmt: skip
def test_static_site_markdown(text, body, found):
    meta = SeedMeta.model_validate({**MD_META, "url": "https://blog.example/bai-viet/"})
    converted = convert(text, meta)
    assert converted.body == body
    assert {k: v for k, v in converted.found.items() if k in found} == found


def test_a_relative_address_without_the_original_site_keeps_its_text():
    converted = convert("![Ảnh A](/img/a.png) và [trang](/gioi-thieu/).\n", SeedMeta.model_validate(MD_META))
    assert converted.body == "*Ảnh A* và trang.\n"


# ------------------------------------------------------- saved pages' bytes

PAGE = (
    '<!DOCTYPE html><html lang="vi"><head><meta charset="{charset}"><title>Bài</title></head><body>'
    "<article><h1>Mô hình mới</h1><p>Một công ty khởi nghiệp vừa công bố mô hình ngôn ngữ mới với hiệu năng "
    "cao hơn các phiên bản trước, theo thông báo chính thức được đưa ra sáng nay tại Hà Nội.</p></article>"
    "</body></html>"
)


def _cp1258(text: str) -> bytes:
    """Vietnamese as Windows-1258 writes it: base letters (with â, ê, ô, ă, ơ, ư, đ) and combining tone marks."""
    import unicodedata

    tones = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
    out = []
    for char in text:
        parts = unicodedata.normalize("NFD", char)
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + "".join(c for c in parts if c in tones))
    return "".join(out).encode("cp1258")


@pytest.mark.parametrize("charset", ["windows-1258", "utf-8"])
def test_a_saved_page_in_the_encoding_it_declares_is_read(charset):
    from kb.ingest import decode_capture

    page = PAGE.format(charset=charset)
    data = _cp1258(page) if charset == "windows-1258" else page.encode("utf-8")
    assert "ngôn ngữ" in decode_capture(data, "page.html")


def test_bytes_that_are_not_what_the_page_declares_are_one_clear_error():
    from kb.errors import ContentError
    from kb.ingest import decode_capture

    data = _cp1258(PAGE.format(charset="utf-8"))  # says UTF-8, is not
    with pytest.raises(ContentError, match=r"page.html:1: byte 0x.. is not UTF-8"):
        decode_capture(data, "page.html")
    data = _cp1258(PAGE.format(charset="ascii"))
    with pytest.raises(ContentError, match="the page says it is ascii, but its bytes are not"):
        decode_capture(data, "page.html")


def test_a_page_saved_as_one_mhtml_file_is_read_as_its_html(tmp_path):
    import email.message
    import email.policy

    from kb.ingest import decode_capture
    from kb.ingest.detect import detect

    archive = email.message.EmailMessage(policy=email.policy.SMTP)
    archive["From"] = "<Saved by Blink>"
    archive["Subject"] = "Bài"
    archive.make_related()
    archive.add_related(PAGE.format(charset="utf-8"), subtype="html", cte="quoted-printable")
    archive.add_related(b"\x89PNG", maintype="image", subtype="png")
    text = decode_capture(archive.as_bytes(), "page.mhtml")
    assert text.startswith("<!DOCTYPE html>") and "ngôn ngữ" in text
    assert detect(text).kind == "html"
    meta = SeedMeta.model_validate({**MD_META, "format": "html"})
    assert convert(text, meta).body.startswith("Một công ty khởi nghiệp")


def test_a_web_archive_copy_loses_the_archive_toolbar():
    page = PAGE.format(charset="utf-8").replace(
        "<body>", '<body><div id="wm-ipp-base"><div id="wm-ipp">Wayback Machine 1 capture 12 Jan 2025 ABOUT</div></div>'
    )
    body = convert(page, SeedMeta.model_validate({**MD_META, "format": "html"})).body
    assert "Wayback" not in body and body.startswith("Một công ty khởi nghiệp")


def test_a_markdown_files_leading_heading_is_the_title_it_states():
    converted = convert("\n# Soe Vinorm - Bộ chuẩn hóa văn bản\n\nMột đoạn văn.\n", SeedMeta.model_validate(MD_META))
    assert converted.found["title"] == "Soe Vinorm - Bộ chuẩn hóa văn bản"
    assert "title" not in convert("Một đoạn.\n\n# Không phải tiêu đề\n", SeedMeta.model_validate(MD_META)).found


def test_a_saved_page_states_no_date_its_metadata_does_not_give():
    """A copyright year is no publication date: no day or month is made up from '© 2026'."""
    page = PAGE.format(charset="utf-8").replace(
        "</article>", "</article><footer><p>&copy; 2026 Công ty Mẫu</p></footer>"
    )
    found = convert(page, SeedMeta.model_validate({**MD_META, "format": "html"})).found
    assert "published" not in found
