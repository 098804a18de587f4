"""What a capture states about its article: date lines, bylines, source lines.

Vietnamese pages print the publication date in a handful of ways, on a line
of its own or glued to the title when text is copied from a browser:

    15:52 26/12/2024                       (time first)
    14/05/2023 16:01                       (date first)
    27/12/2025 06:00 GMT+7                 (with the zone)
    Thứ hai, 15/12/2025, 10:00 (GMT+7)     (weekday first)
    Cập nhật: 15-12-2025 - 10:00           (a label, dashes)
    Ngày 15 tháng 12 năm 2025              (in words)

Each reader returns only what the line says: a time without a zone gives a
time (the caller decides what to do with it), a line without a date gives
nothing. Nothing is guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_WEEKDAY = r"(?:(?:thứ\s*(?:hai|ba|tư|năm|sáu|bảy|2|3|4|5|6|7)|chủ\s*nhật|cn|t[2-7])\s*,?\s*)"
_LABEL = r"(?:(?:ngày\s+)?(?:đăng|cập\s*nhật|xuất\s*bản|published|updated|posted)(?:\s+(?:lúc|ngày|on))?\s*:?\s*)"
_DMY = r"(?P<d>\d{1,2})\s*[/.-]\s*(?P<mo>\d{1,2})\s*[/.-]\s*(?P<y>\d{4})"
_WORDS_DMY = r"ngày\s+(?P<d>\d{1,2})\s+tháng\s+(?P<mo>\d{1,2}),?\s+năm\s+(?P<y>\d{4})"
_HM = r"(?P<h>\d{1,2})\s*[:hg]\s*(?P<mi>\d{2})(?:\s*(?:sáng|chiều|tối|SA|CH|AM|PM))?"
_ZONE = r"(?:\(?\s*(?:GMT|UTC)\s*(?P<zs>[+-])\s*(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?\s*\)?)"
_SEP = r"\s*(?:[,|·–-]\s*)?"

# A whole line that is only a date, a time and a zone, in any order the sites use.
_DATE_FIRST = [
    re.compile(rf"^{_LABEL}?{_WEEKDAY}?{date}(?:{_SEP}(?:lúc\s*)?{_HM})?(?:{_SEP}{_ZONE})?\s*$", re.I)
    for date in (_DMY, _WORDS_DMY)
]
_TIME_FIRST = re.compile(rf"^{_LABEL}?{_HM}{_SEP}(?:ngày\s*)?{_WEEKDAY}?{_DMY}(?:{_SEP}{_ZONE})?\s*$", re.I)
# A date and time glued to the start of a line (text copied from a page: "14/05/2023 16:01Tương lai AI …").
_GLUED = re.compile(rf"^{_DMY}\s+{_HM}(?=\S)")

BYLINE = re.compile(r"^Theo (?P<author>[^()]+?) \((?P<publisher>[^()]+)\)\.?$")
SOURCE = re.compile(r"^Nguồn\s*:\s*(?P<url>https?://\S+)$")
AUTHOR_LINE = re.compile(r"^(?:Tác giả|Bài(?: và ảnh)?|Author|By)\s*:\s*(?P<author>.+?)\.?$", re.I)
UNKNOWN_AUTHOR = {"đang cập nhật", "không rõ", "n/a", "unknown", "admin"}


@dataclass(frozen=True)
class Stamp:
    """A date the capture prints: ISO date, and the time and zone when it gives them."""

    date: str
    time: str | None = None
    zone: str | None = None

    def iso(self) -> str:
        """``YYYY-MM-DD``, ``YYYY-MM-DDTHH:MM+07:00`` with a zone, ``YYYY-MM-DDTHH:MM`` without one."""
        if self.time is None:
            return self.date
        return f"{self.date}T{self.time}{self.zone or ''}"


def _stamp(m: re.Match[str]) -> Stamp | None:
    d, mo, y = int(m["d"]), int(m["mo"]), int(m["y"])
    if not (1 <= d <= 31 and 1 <= mo <= 12 and 1900 <= y <= 2100):
        return None
    date = f"{y:04d}-{mo:02d}-{d:02d}"
    groups = m.groupdict()
    if groups.get("h") is None:
        return Stamp(date)
    h, mi = int(m["h"]), int(m["mi"])
    if h > 23 or mi > 59:
        return Stamp(date)
    zone = None
    if groups.get("zh") is not None:
        zone = f"{m['zs']}{int(m['zh']):02d}:{int(m['zm'] or 0):02d}"
    return Stamp(date, f"{h:02d}:{mi:02d}", zone)


def date_line(line: str) -> Stamp | None:
    """The date a line states when the line is only a date (with a time and zone)."""
    text = line.strip()
    if not text or len(text) > 80 or not any(c.isdigit() for c in text):
        return None
    for pattern in (*_DATE_FIRST, _TIME_FIRST):
        if m := pattern.match(text):
            return _stamp(m)
    return None


def glued_date(line: str) -> tuple[Stamp, str] | None:
    """A date and time glued before other text: the date and the rest of the line."""
    if (m := _GLUED.match(line.strip())) and (stamp := _stamp(m)):
        return stamp, line.strip()[m.end() :].strip()
    return None


def author_of(line: str) -> str | bool | None:
    """The author an 'Author: X' line names, None for 'unknown', False when it is no author line."""
    if not (m := AUTHOR_LINE.match(line.strip())):
        return False
    author = m["author"].strip()
    return None if author.casefold() in UNKNOWN_AUTHOR else author


def is_name(text: str) -> bool:
    """A person's name alone on a line (a byline): two to five words, each capitalised, no digits or punctuation."""
    words = text.split()
    return 2 <= len(words) <= 5 and all(w[0].isupper() and w.isalpha() for w in words)
