"""scraped-page: the text of a web page copied from a browser (select all, copy).

The copy holds the article and the page around it: menus, breadcrumbs,
related headlines, share buttons, footers. The article is found by a general
method, not by rules fitted to one site:

1. Each line is classified as jusText classifies paragraphs: *good* (long, or
   a full sentence dense in Vietnamese or English function words), *bad*
   (known furniture: share and print buttons, copyright and licence lines,
   another article's teaser such as "(NLĐO) - …"), or *short* (everything
   else: headlines, headings, captions, labels).
2. The article starts after its title (``title.vi``, alone on its line or
   glued to a date as a browser copy joins them); without a title, at the
   densest run of good lines, whose heading-like line before it is the title.
3. It ends at a byline ("Theo Tác giả (Báo)") or a "Nguồn: https://…" line,
   which are kept; or before a label that opens the page's lists ("Tin liên
   quan", "Cùng chủ đề", "Xem thêm"…), which is not; or, failing both, after
   the last good line of its run (and the author's name alone on the line
   after it).
4. Inside, photo placeholders ("… - Ảnh 2.") are dropped and the line after
   each is its caption; short lines without a full stop are section headings;
   the first paragraph is the lead.

A site's peculiarities (an end marker, a caption pattern, lines to drop) are
data: ``data/sites.yml`` or the seed's ``ingest:`` block (see layouts.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from kb.errors import ContentError, Problem
from kb.ingest.layouts import Layout, LayoutRules
from kb.ingest.metadata import BYLINE, SOURCE, author_of, date_line, glued_date, is_name
from kb.ingest.text import Converted, caption, escape_dollars, is_terminal, lead, same_words, tidy

if TYPE_CHECKING:
    from kb.content.schema import SeedMeta

# A copyright or licence line of a page (not a sentence that mentions a "copyright" file).
FOOTER = re.compile(
    r"©|copyright\s*(\(c\)|\d{4})|giấy phép\s*(số|hoạt động)|tổng biên tập|bản quyền thuộc|all rights reserved", re.I
)
# A line of share and print buttons.
SHARE = r"^((chia sẻ|share|in bài|print|bình luận|lưu|lưu bài|copy link|sao chép liên kết|tweet|zalo|facebook|twitter|email)\s*){1,4}$"

# The general method's vocabulary: what most Vietnamese and English news pages print around an article.
GENERAL = Layout().plus(
    LayoutRules(
        end_at=[
            r"^(tin|bài|video)?\s*(liên quan|cùng chủ đề|cùng chuyên mục|cùng tác giả|cùng danh mục)\s*:?$",
            r"^(tin|bài)\s+(mới|mới nhất|nổi bật|đọc nhiều|xem nhiều|khác|hay)(\s+nhất)?\s*:?$",
            r"^(xem thêm|đọc thêm|có thể bạn quan tâm|bạn có thể quan tâm|đừng bỏ lỡ|mới nhất|nổi bật|bài đọc nhiều)\s*:?$",
            r"^(ý kiến bạn đọc|bình luận|gửi bình luận|viết bình luận)(\s*\(\d+\))?\s*:?$",
            r"^(related|related articles|read more|more stories|most read|latest news|comments)\s*:?$",
            r"^(tags?|từ khóa|từ khoá)\s*:?$",
        ],
        drop=[
            SHARE,
            r"^(theo dõi|follow)\s.{0,60}(google news|zalo|facebook)\b",
            r"^(cỡ chữ|font size|a-|a\+|-|–|•|\|)$",
            r"^(xem thêm|đọc thêm|>>)\s*:\s*\S",
        ],
        caption_after=[r"[-–]\s*Ảnh\s*\d+\.?$"],
        caption=[r"(^|[\s(.])(ảnh|nguồn ảnh|ảnh minh họa|photo|image)\s*:\s*\S[^.!?]{0,60}\)?\.?$"],
    )
)

_TEASER = re.compile(r"^\(?[A-ZĐ]{2,8}\)?\s*[-–]\s+\S")  # "(NLĐO) - …", "TPO - …": another article's summary
_LABEL_WORDS = 4
_HEADING_WORDS = 14
_MAX_GAP = 3  # non-good lines that always may separate two good lines of one article
_MERGE_GAP = 12  # short lines (a list, code, a table of contents) that may, when none is furniture
_CREDIT = re.compile(r"^Theo [A-ZĐ][^.!?]{0,60}$")


@cache
def _stopwords() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("Vietnamese")) | frozenset(justext.get_stoplist("English"))


def _density(text: str) -> float:
    words = re.findall(r"\w+", text.casefold())
    return sum(w in _stopwords() for w in words) / len(words) if words else 0.0


@dataclass
class _Line:
    index: int  # in the capture's lines
    text: str
    kind: str  # good | bad | short


def _classify(text: str, layout: Layout) -> str:
    if Layout.matches(layout.drop, text) or (FOOTER.search(text) and len(text) < 150) or _TEASER.match(text):
        return "bad"
    if len(text) >= 150 or (len(text) >= 60 and is_terminal(text) and _density(text) >= 0.2):
        return "good"
    return "short"


def _runs(lines: list[_Line], layout: Layout) -> list[tuple[int, int]]:
    """Runs of good lines (first and last position): the parts of one article.

    Two good lines belong to one run when fewer than _MAX_GAP other lines
    separate them; two runs are one article when fewer than _MERGE_GAP lines
    (a list, a code block, a table of contents) separate them and none of
    those lines is a label that opens the page's lists or a known furniture line.
    """
    runs: list[tuple[int, int]] = []
    start = last = None
    for pos, line in enumerate(lines):
        if line.kind != "good":
            continue
        if start is not None and not _joins(lines, last, pos, layout):
            runs.append((start, last))
            start = None
        if start is None:
            start = pos
        last = pos
    if start is not None:
        runs.append((start, last))
    return runs


def _joins(lines: list[_Line], last: int, pos: int, layout: Layout) -> bool:
    gap = lines[last + 1 : pos]
    if any(Layout.matches(layout.end_at, line.text) for line in gap):
        return False
    if len(gap) <= _MAX_GAP:
        return True
    return len(gap) <= _MERGE_GAP and sum(line.kind == "bad" for line in gap) <= 1


def _weight(lines: list[_Line], run: tuple[int, int]) -> int:
    return sum(len(line.text) for line in lines[run[0] : run[1] + 1] if line.kind == "good")


def convert_scraped_page(raw: str, meta: SeedMeta, site: LayoutRules | None = None) -> Converted:
    """Keep only the article of a page's copied text (see the module's docstring)."""
    layout = (GENERAL.plus(site) if site is not None else GENERAL).plus(meta.ingest)
    raw_lines = raw.split("\n")
    lines = [_Line(i, t.strip(), "") for i, t in enumerate(raw_lines) if t.strip()]
    for line in lines:
        line.kind = _classify(line.text, layout)
    found: dict[str, Any] = {}
    title = meta.title.vi

    start = _title_position(lines, title, found)
    for pos, line in enumerate(lines):
        if Layout.matches(layout.start_after, line.text):
            start = pos + 1
            break
    runs = _runs(lines, layout)
    if start is None:
        if not runs:
            raise ContentError(
                Problem(
                    meta.slug,
                    "no paragraph of an article was found in the copied page",
                    field="title.vi",
                    expected="the page's text with its article (or title.vi exactly as the page prints it)",
                )
            )
        best = max(runs, key=lambda r: _weight(lines, r))
        start = _guess_title(lines, best[0], found)
    else:
        found["title"] = title
    _dates_near(lines, start, found)

    end, closing = _end(lines, start, runs, layout, found)
    end, closing = _trim_tail(lines, start, end, closing, found)
    out: list[str] = []
    caption_next = False
    first_good = next((pos for pos in range(start, end) if lines[pos].kind == "good"), end)
    for pos in range(start, end):
        text = lines[pos].text
        if author_of(text) is not False or (date_line(text) and pos < first_good):
            continue  # the header's byline or date, read above
        if pos < first_good and is_name(text):
            found.setdefault("author", text)  # a name alone between the title and the text: the byline
            continue
        if Layout.matches(layout.caption_after, text):
            caption_next = True
            continue
        if lines[pos].kind == "bad":
            continue
        if caption_next or Layout.matches(layout.caption, text):
            out.append(caption(text))
            caption_next = False
        elif _list_item(lines, pos, start, end):
            item = f"- {tidy(text)}"
            out[-1:] = (
                [f"{out[-1]}\n{item}"]
                if out and out[-1].startswith("- ") and _list_item(lines, pos - 1, start, end)
                else [*out[-1:], item]
            )
        elif (
            not is_terminal(text)
            and len(text.split()) <= _HEADING_WORDS
            and not text.startswith(("“", '"', "-", "(", "‘", "'"))
        ):
            out.append(f"## {tidy(text)}")
        else:
            out.append(tidy(text))
    if closing is not None:
        out.append(closing)
    if not out:
        raise ContentError(
            Problem(meta.slug, "the copied page has no article text after its title", expected="the article's text")
        )
    if not out[0].startswith(("#", "*")):
        out[0] = lead(out[0])
    return Converted(escape_dollars("\n\n".join(out)) + "\n", found)


def _list_item(lines: list[_Line], pos: int, start: int, end: int) -> bool:
    """A short line in a run of lines that end with ';' or ',' (and the run's last line): a list item."""
    if pos < start or pos >= end or lines[pos].kind == "good" or len(lines[pos].text) > 200:
        return False

    def open_ended(p: int) -> bool:
        return start <= p < end and lines[p].text.endswith((";", ",")) and lines[p].kind != "good"

    return open_ended(pos) or (open_ended(pos - 1) and open_ended(pos - 2))


def _trim_tail(
    lines: list[_Line], start: int, end: int, closing: str | None, found: dict[str, Any]
) -> tuple[int, str | None]:
    """Short lines after the last paragraph: the author's name is kept as the byline, the rest is furniture."""
    last_good = max((pos for pos in range(start, end) if lines[pos].kind == "good"), default=None)
    if last_good is None or last_good + 1 >= end:
        return end, closing
    after = lines[last_good + 1].text
    if closing is None and len(after.split()) <= 6 and (is_name(after) or _CREDIT.match(after)):
        if is_name(after) and not after.startswith("Theo "):
            found.setdefault("author", after)
        closing = f"*{tidy(after)}*"
    tail = [line for line in lines[last_good + 1 : end] if line.kind != "bad" and f"*{tidy(line.text)}*" != closing]
    if all(not is_terminal(line.text) and len(line.text.split()) <= _HEADING_WORDS for line in tail):
        return last_good + 1, closing  # labels, tags and buttons: no article text ends without a paragraph
    return end, closing


def _title_position(lines: list[_Line], title: str, found: dict[str, Any]) -> int | None:
    """The position after the line that holds the title (alone, or after a glued date)."""
    for pos, line in enumerate(lines):
        if same_words(line.text, title):
            return pos + 1
        if (glued := glued_date(line.text)) and same_words(glued[1], title):
            found["published"] = glued[0].iso()
            return pos + 1
    return None


def _guess_title(lines: list[_Line], first_good: int, found: dict[str, Any]) -> int:
    """The article's title, before its first paragraph: where the article starts.

    A heading-like line printed twice shortly before (the breadcrumb or the
    tab's title, then the page's heading) is the title; otherwise the
    nearest heading-like line of more than a few words. The article starts
    at its first paragraph, or just after the title when only a date, a
    byline or a line or two stand between them.
    """
    window = range(first_good - 1, max(first_good - 20, -1), -1)
    texts = [lines[pos].text for pos in window]
    candidates = []
    for pos in window:
        text = lines[pos].text
        if glued := glued_date(text):
            found.setdefault("published", glued[0].iso())
            text = glued[1]
        if date_line(text) or author_of(text) is not False or lines[pos].kind == "bad":
            continue
        if (not is_terminal(text) or text.endswith("?")) and len(text.split()) > 1:
            candidates.append((pos, text))
    repeated = [(pos, text) for pos, text in candidates if texts.count(lines[pos].text) > 1]
    near = [(pos, text) for pos, text in candidates if len(text.split()) > _LABEL_WORDS and pos >= first_good - 4]
    if near and (not repeated or near[0][0] > repeated[-1][0] + 2):
        pos, text = near[0]  # the nearest, unless a repeated line stands closer to the text
    elif repeated:
        pos, text = repeated[0]
    else:
        return first_good
    found["title"] = tidy(text)
    between = [line for line in lines[pos + 1 : first_good] if not date_line(line.text)]
    return pos + 1 if len(between) <= 2 else first_good


def _dates_near(lines: list[_Line], start: int, found: dict[str, Any]) -> None:
    """A date line or an author line among the few lines around the article's start."""
    for pos in range(max(start - 6, 0), min(start + 3, len(lines))):
        text = lines[pos].text
        if "published" not in found and (stamp := date_line(text)):
            found["published"] = stamp.iso()
        if "author" not in found and (author := author_of(text)) is not False:
            found["author"] = author


def _end(
    lines: list[_Line], start: int, runs: list[tuple[int, int]], layout: Layout, found: dict[str, Any]
) -> tuple[int, str | None]:
    """Where the article ends, and the closing line that is kept (a byline, a source)."""
    for pos in range(start, len(lines)):
        text = lines[pos].text
        if m := BYLINE.match(text):
            found["author"], found["publisher"] = m["author"].strip(), m["publisher"].strip()
            return pos, f"*{tidy(text)}*"
        if m := SOURCE.match(text):
            found["url"] = m["url"]
            return pos, f"Nguồn: <{m['url']}>"
        if pos > start and Layout.matches(layout.end_at, text):
            return pos, None
    # No marker: the end of the run of good lines the article starts in.
    last = next((r[1] for r in runs if r[1] >= start and r[0] <= start + _MAX_GAP + 1), None)
    if last is None:
        last = max((r for r in runs if r[0] >= start), key=lambda r: _weight(lines, r), default=(start, start))[1]
    return min(last + 2, len(lines)), None  # and the line after it, which may be the author's name (_trim_tail)
