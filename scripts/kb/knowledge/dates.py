"""Date expressions in Vietnamese and English text, resolved at the precision the text gives.

Each form is one row of :data:`FORMS`: a regular expression and a function
that turns its match into an :class:`~kb.knowledge.facts.EventDate`, given
the article's publication date and the date the text mentioned last (for
"3 tháng sau", "three months later"). What the text does not say is never
added: "tháng 9" is a month, "cuối tháng 1" is a month too (no day),
"đầu năm nay" is a year. A date that needed more than reading (a month
without a year, "last week", "3 tháng sau") carries a note in both
languages saying how it was worked out; :func:`find_dates` returns every
expression of a sentence, longest first where two overlap.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from kb.knowledge.facts import EventDate

MONTHS_EN = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_MONTH_EN = {name.lower(): n for n, name in enumerate(MONTHS_EN, 1)} | {
    name[:3].lower(): n for n, name in enumerate(MONTHS_EN, 1)
}
_MONTH_EN["sept"] = 9
NUMBERS = {
    **{w: n for n, w in enumerate(["một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín", "mười"], 1)},
    **{
        w: n
        for n, w in enumerate(
            ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve"], 1
        )
    },
    "mười một": 11,
    "mười hai": 12,
    "a": 1,
    "an": 1,
}
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
_ORDINAL_Q = {"first": 1, "second": 2, "third": 3, "fourth": 4}
_MOD_VI = {"đầu": ("đầu", "early"), "giữa": ("giữa", "mid"), "cuối": ("cuối", "late")}
_MOD_EN = {
    "early": ("đầu", "early"),
    "mid": ("giữa", "mid"),
    "late": ("cuối", "late"),
    "the end of": ("cuối", "the end of"),
    "the beginning of": ("đầu", "the beginning of"),
    "the start of": ("đầu", "the start of"),
}


@dataclass(frozen=True)
class DateMention:
    """A date expression in a sentence and what it resolves to."""

    start: int
    end: int
    text: str
    date: EventDate
    kind: str  # "stated" (read as written), "year-inferred", "relative"
    note_vi: str | None = None
    note_en: str | None = None


@dataclass(frozen=True)
class Context:
    published: dt.date
    previous: EventDate | None = None


Resolved = tuple[EventDate, str, str | None, str | None] | None
Handler = Callable[[re.Match[str], Context], Resolved]


def _vi_date(d: dt.date) -> str:
    return f"{d.day}/{d.month}/{d.year}"


def _en_date(d: dt.date) -> str:
    return f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"


def _show(date: EventDate, lang: str) -> str:
    if date.precision == "day":
        d = dt.date(date.year, date.month, date.day)
        return _vi_date(d) if lang == "vi" else _en_date(d)
    if date.precision == "month":
        return f"tháng {date.month}/{date.year}" if lang == "vi" else f"{MONTHS_EN[date.month - 1]} {date.year}"
    if date.precision == "quarter":
        return f"quý {date.quarter}/{date.year}" if lang == "vi" else f"Q{date.quarter} {date.year}"
    if date.precision == "decade":
        return f"thập niên {date.year}" if lang == "vi" else f"the {date.year}s"
    return f"năm {date.year}" if lang == "vi" else str(date.year)


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + n
    return index // 12, index % 12 + 1


def _number(raw: str) -> int | None:
    raw = raw.strip().lower()
    return int(raw) if raw.isdigit() else NUMBERS.get(raw)


def _year(raw: str | None) -> int | None:
    return int(raw) if raw else None


def _month_or_none(raw: str) -> int | None:
    n = int(raw) if raw.isdigit() else _MONTH_EN.get(raw.lower().rstrip("."))
    return n if n and 1 <= n <= 12 else None


def _year_for(ctx: Context, month: int, day: int = 1) -> int:
    """The year of a month (and day) the text gives without one: the latest on or before publication."""
    p = ctx.published
    return p.year if (month, day) <= (p.month, p.day) or (day == 1 and month <= p.month) else p.year - 1


def _inferred_notes(m: re.Match[str], date: EventDate, ctx: Context) -> tuple[str, str]:
    p = ctx.published
    return (
        f"“{m[0]}” không ghi năm: lấy {_show(date, 'vi')}, lần gần nhất tính đến ngày đăng bài ({_vi_date(p)}).",
        f"“{m[0]}” gives no year: taken as {_show(date, 'en')}, the latest on or before "
        f"the publication date ({_en_date(p)}).",
    )


def _day(m: re.Match[str], ctx: Context, day: str, month: str, year: str | None) -> Resolved:
    d, mo = int(day), _month_or_none(month)
    if mo is None:
        return None
    y = _year(year) or _year_for(ctx, mo, d)
    try:
        dt.date(y, mo, d)
    except ValueError:
        return None
    date = EventDate("day", y, mo, d)
    if year:
        return date, "stated", None, None
    return date, "year-inferred", *_inferred_notes(m, date, ctx)


def _month(m: re.Match[str], ctx: Context, month: str, year: str | None, modifier: tuple[str, str] | None) -> Resolved:
    mo = _month_or_none(month)
    if mo is None:
        return None
    y = _year(year) or _year_for(ctx, mo)
    date = EventDate("month", y, mo)
    vi, en = (None, None) if year else _inferred_notes(m, date, ctx)
    if modifier:
        vi = (vi + " " if vi else "") + f"“{m[0]}” không ghi ngày nên chỉ ghi tháng."
        en = (en + " " if en else "") + f"“{m[0]}” gives no day, so the date is the month."
    return date, "stated" if year else "year-inferred", vi, en


def _quarter(m: re.Match[str], ctx: Context, q: int, year: str | None) -> Resolved:
    if not 1 <= q <= 4:
        return None
    p = ctx.published
    y = _year(year) or (p.year if q <= (p.month - 1) // 3 + 1 else p.year - 1)
    date = EventDate("quarter", y, quarter=q)
    return (date, "stated", None, None) if year else (date, "year-inferred", *_inferred_notes(m, date, ctx))


def _stated_year(year: str) -> Resolved:
    y = int(year)
    return (EventDate("year", y), "stated", None, None) if 1900 <= y <= 2099 else None


def _modified_year(m: re.Match[str], year: int, this: bool, ctx: Context) -> Resolved:
    date = EventDate("year", year)
    if this:
        return (
            date,
            "relative",
            f"“{m[0]}” tính từ ngày đăng bài ({_vi_date(ctx.published)}): năm {year}; không rõ tháng nên chỉ ghi năm.",
            f"“{m[0]}” is counted from the publication date ({_en_date(ctx.published)}): {year}; "
            "no month is given, so the date is the year.",
        )
    return date, "stated", None, None


def _from_published(m: re.Match[str], ctx: Context, unit: str, n: int) -> Resolved:
    """'tháng trước', 'last week', 'this year'… counted back from the publication date."""
    p = ctx.published
    if unit == "day":
        d = p - dt.timedelta(days=n)
        date = EventDate("day", d.year, d.month, d.day)
    elif unit == "week":  # a week gives no day: the month it most likely falls in
        d = p - dt.timedelta(days=7 * n)
        date = EventDate("month", d.year, d.month)
    elif unit == "month":
        y, mo = _add_months(p.year, p.month, -n)
        date = EventDate("month", y, mo)
    else:
        date = EventDate("year", p.year - n)
    return (
        date,
        "relative",
        f"“{m[0]}” tính từ ngày đăng bài ({_vi_date(p)}): {_show(date, 'vi')}.",
        f"“{m[0]}” is counted from the publication date ({_en_date(p)}): {_show(date, 'en')}.",
    )


def _after_previous(m: re.Match[str], ctx: Context, unit: str, n: int | None) -> Resolved:
    """'3 tháng sau', 'three months later': counted from the date the text gave last."""
    prev = ctx.previous
    if prev is None or n is None:
        return None
    if unit == "month" and prev.precision in {"day", "month"}:
        y, mo = _add_months(prev.year, prev.month, n)
        date = EventDate("month", y, mo)
    elif unit == "month" and prev.precision == "quarter":
        y, mo = _add_months(prev.year, prev.quarter * 3 - 2, n)
        date = EventDate("quarter", y, quarter=(mo - 1) // 3 + 1)
    elif unit == "year" and prev.precision != "decade":
        date = EventDate("year", prev.year + n)
    else:
        return None
    return (
        date,
        "relative",
        f"“{m[0]}” tính từ mốc thời gian bài nhắc ngay trước đó ({_show(prev, 'vi')}): {_show(date, 'vi')}.",
        f"“{m[0]}” is counted from the date the text gives just before ({_show(prev, 'en')}): {_show(date, 'en')}.",
    )


def _decade(m: re.Match[str], year: str) -> Resolved:
    y = int(year)
    return (EventDate("decade", y), "stated", None, None) if y % 10 == 0 and 1800 <= y <= 2090 else None


def _range(m: re.Match[str], ctx: Context, first: str, year: str) -> Resolved:
    resolved = _month(m, ctx, first, year, None)
    if resolved is None:
        return None
    date = resolved[0]
    return (
        date,
        "stated",
        f"“{m[0]}” là một khoảng thời gian: ghi theo tháng bắt đầu ({_show(date, 'vi')}).",
        f"“{m[0]}” is a span: dated to the month it begins ({_show(date, 'en')}).",
    )


_NUM = r"\d{1,2}|một|hai|ba|bốn|năm|sáu|bảy|tám|chín|mười(?: một| hai)?"
_NUM_EN = r"\d{1,2}|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve"
_Y = r"(?P<y>(?:19|20)\d{2})"
_MON_EN = (
    r"(?P<mon>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan\.?|Feb\.?|Mar\.?|Apr\.?|Jun\.?|Jul\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?)"
)
_END = r"(?![\w/.-]\d|\w)"  # not in the middle of a longer number or word
_START = r"(?<![\w/.,-])"
_I = "(?i:{})"  # Vietnamese forms are matched whatever their case


def _mod(m: re.Match[str], table: dict[str, tuple[str, str]]) -> tuple[str, str] | None:
    raw = m.groupdict().get("mod")
    return table.get(raw.lower()) if raw else None


# (name, pattern, handler): every form of date the suggestions read. Vietnamese first, then English.
FORMS: list[tuple[str, str, Handler]] = [
    (
        "vi-numeric-day",
        rf"{_START}(?:(?i:ngày)\s+)?(?P<d>\d{{1,2}})[/.-](?P<m>\d{{1,2}})[/.-]{_Y}{_END}",
        lambda m, c: _day(m, c, m["d"], m["m"], m["y"]),
    ),
    ("iso-day", rf"{_START}{_Y}-(?P<m>\d{{2}})-(?P<d>\d{{2}}){_END}", lambda m, c: _day(m, c, m["d"], m["m"], m["y"])),
    (
        "vi-day",
        rf"{_START}(?i:ngày|hôm)\s+(?P<d>\d{{1,2}})(?:[/.](?P<m>\d{{1,2}})|\s+(?i:tháng)\s+(?P<m2>\d{{1,2}})(?:(?:\s+(?i:năm)\s+|/){_Y})?){_END}",
        lambda m, c: _day(m, c, m["d"], m["m"] or m["m2"], m["y"]),
    ),
    (
        "vi-month-range",
        rf"(?i:tháng)\s+(?P<a>\d{{1,2}})\s+(?i:đến|tới)\s+(?i:tháng)\s+\d{{1,2}}(?:\s+(?i:năm)\s+|/){_Y}{_END}",
        lambda m, c: _range(m, c, m["a"], m["y"]),
    ),
    (
        "vi-month",
        rf"(?:(?P<mod>(?i:đầu|giữa|cuối))\s+)?(?i:tháng)\s+(?P<m>\d{{1,2}})(?:(?:\s+(?i:năm)\s+|[/.-]){_Y})?{_END}",
        lambda m, c: _month(m, c, m["m"], m["y"], _mod(m, _MOD_VI)),
    ),
    (
        "vi-quarter",
        rf"(?i:quý)\s+(?P<q>[1-4]|(?i:iv|iii|ii|i))(?:(?:\s+(?i:năm)\s+|/){_Y})?{_END}",
        lambda m, c: _quarter(m, c, int(m["q"]) if m["q"].isdigit() else _ROMAN[m["q"].lower()], m["y"]),
    ),
    (
        "vi-decade",
        r"(?i:thập\s+(?:niên|kỷ)|những\s+năm)\s+(?P<y>1[89]\d0|20\d0)(?:s)?\b",
        lambda m, c: _decade(m, m["y"]),
    ),
    (
        "vi-year-part",
        rf"(?P<mod>(?i:đầu|giữa|cuối))\s+(?i:năm)(?:\s+{_Y}{_END}|\s+(?P<this>(?i:nay))|(?!\s+\d))",
        lambda m, c: _modified_year(m, int(m["y"]) if m["y"] else c.published.year, not m["y"], c),
    ),
    ("vi-year", rf"(?i:năm)\s+{_Y}{_END}", lambda m, c: _stated_year(m["y"])),
    (
        "vi-after",
        rf"(?i:(?:sau\s+(?P<n>{_NUM})\s+(?P<u>tháng|năm)(?=\s*[,.;:)]|$))|(?:(?P<n2>{_NUM})\s+(?P<u2>tháng|năm)\s+sau))\b",
        lambda m, c: _after_previous(
            m, c, "month" if (m["u"] or m["u2"]).lower() == "tháng" else "year", _number(m["n"] or m["n2"])
        ),
    ),
    (
        "vi-ago",
        rf"(?i:(?P<n>{_NUM})\s+(?P<u>ngày|tuần|tháng|năm)\s+trước)\b",
        lambda m, c: _from_published(
            m, c, {"ngày": "day", "tuần": "week", "tháng": "month", "năm": "year"}[m["u"].lower()], _number(m["n"]) or 1
        ),
    ),
    ("vi-this-month", r"(?:(?i:đầu|giữa|cuối)\s+)?(?i:tháng\s+này)\b", lambda m, c: _from_published(m, c, "month", 0)),
    ("vi-last-month", r"(?i:tháng\s+trước)\b", lambda m, c: _from_published(m, c, "month", 1)),
    ("vi-week", r"(?i:tuần\s+(?P<w>trước|này|qua))\b", lambda m, c: _from_published(m, c, "week", m["w"] != "này")),
    ("vi-this-year", r"(?i:năm\s+nay)\b", lambda m, c: _from_published(m, c, "year", 0)),
    (  # not "trong vài năm qua", "những năm qua": the past few years
        "vi-last-year",
        r"(?<!vài )(?<!những )(?<!các )(?<!mấy )(?<!\d )(?i:năm\s+(?:ngoái|trước|qua))\b",
        lambda m, c: _from_published(m, c, "year", 1),
    ),
    ("vi-yesterday", r"(?i:hôm\s+qua)\b", lambda m, c: _from_published(m, c, "day", 1)),
    # ---------------------------------------------------------------- English
    (
        "en-day",
        rf"\b{_MON_EN}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+{_Y})?{_END}",
        lambda m, c: _day(m, c, m["d"], m["mon"], m["y"]),
    ),
    (
        "en-day-first",
        rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MON_EN}(?:,?\s+{_Y})?{_END}",
        lambda m, c: _day(m, c, m["d"], m["mon"], m["y"]),
    ),
    (
        "en-month",
        rf"(?:\b(?P<mod>(?i:early|mid|late|the end of|the beginning of|the start of))[\s-]+)?(?<!\w){_MON_EN}(?:,?\s+{_Y})?{_END}",
        lambda m, c: (
            None if m["mon"] == "May" and not (m["y"] or m["mod"]) else _month(m, c, m["mon"], m["y"], _mod(m, _MOD_EN))
        ),
    ),
    (
        "en-may",  # "May" alone is a month only after a preposition
        r"\b(?i:in|on|since|by|until|from)\s+(?P<mon>May)\b",
        lambda m, c: _month(m, c, "May", None, None),
    ),
    (
        "en-quarter",
        rf"\b(?:Q(?P<q>[1-4])|(?i:the\s+)?(?P<o>(?i:first|second|third|fourth))\s+(?i:quarter))(?:(?:\s+(?i:of)|,)?\s+{_Y})?{_END}",
        lambda m, c: _quarter(m, c, int(m["q"]) if m["q"] else _ORDINAL_Q[m["o"].lower()], m["y"]),
    ),
    ("en-decade", r"\b(?:(?i:the)\s+)?(?P<y>1[89]\d0|20\d0)s\b", lambda m, c: _decade(m, m["y"])),
    (
        "en-year-part",
        rf"\b(?P<mod>(?i:early|mid|late|the end of|the beginning of|the start of))[\s-]+(?:{_Y}{_END}|(?P<this>(?i:this\s+year)))",
        lambda m, c: _modified_year(m, int(m["y"]) if m["y"] else c.published.year, not m["y"], c),
    ),
    (
        "en-later",
        rf"\b(?i:(?P<n>{_NUM_EN})\s+(?P<u>months?|years?)\s+later|after\s+(?P<n2>{_NUM_EN})\s+(?P<u2>months?|years?))\b",
        lambda m, c: _after_previous(
            m, c, "month" if (m["u"] or m["u2"]).lower().startswith("month") else "year", _number(m["n"] or m["n2"])
        ),
    ),
    (
        "en-ago",
        rf"\b(?i:(?P<n>{_NUM_EN})\s+(?P<u>days?|weeks?|months?|years?)\s+ago)\b",
        lambda m, c: _from_published(m, c, m["u"].lower().rstrip("s"), _number(m["n"]) or 1),
    ),
    (
        "en-this",
        r"\b(?i:(?:earlier\s+|later\s+)?(?P<w>this|last)\s+(?P<u>week|month|year))\b",
        lambda m, c: _from_published(m, c, m["u"].lower(), m["w"].lower() == "last"),
    ),
    ("en-yesterday", r"\b(?i:yesterday)\b", lambda m, c: _from_published(m, c, "day", 1)),
    # A year alone: "GPT-2 (2019)", "2024 chứng kiến…", "in 2024"; not an amount ("2024 USD") or part of a code.
    (
        "year",
        rf"{_START}(?:(?i:in|since|by)\s+)?{_Y}(?![\w/.-]\d|\w|\s*(?:%|USD|\$|tỷ|triệu|nghìn|người|tham số|token))",
        lambda m, c: _stated_year(m["y"]),
    ),
]
_COMPILED = [(name, re.compile(pattern), handler) for name, pattern, handler in FORMS]


def find_dates(sentence: str, published: dt.date, previous: EventDate | None = None) -> list[DateMention]:
    """Every date expression of a sentence, resolved; where two overlap, the longer (then the first) wins.

    ``previous`` is the date the text gave last (a relative date counts from
    it); each resolved mention becomes the previous one of the next.
    """
    found: list[tuple[int, int, int, re.Match[str], Handler]] = []
    for order, (_, pattern, handler) in enumerate(_COMPILED):
        for m in pattern.finditer(sentence):
            if m.end() > m.start():
                found.append((m.start(), -(m.end() - m.start()), order, m, handler))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    mentions: list[DateMention] = []
    taken_until = -1
    ctx = Context(published, previous)
    for start, _, _, m, handler in found:
        if start < taken_until:
            continue
        resolved = handler(m, ctx)
        if resolved is None:
            continue
        date, kind, note_vi, note_en = resolved
        mentions.append(DateMention(start, m.end(), m[0], date, kind, note_vi, note_en))
        taken_until = m.end()
        ctx = Context(published, date)
    return mentions
