"""Reader-facing strings and date formats, from ``data/ui.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from kb import yamlio
from kb.content.schema import LANGS, PubDate
from kb.errors import ContentError, Problem
from kb.textutil import read_text

# "{count|event|events}": the first word when the value named is 1, else the second.
_PLURAL = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")


@dataclass(frozen=True)
class UI:
    """The strings of one language."""

    lang: str
    strings: dict[str, object]
    # Formatted dates: list pages repeat the same articles' dates thousands of times.
    _dates: dict[tuple[str, bool], str] = field(default_factory=dict, compare=False, repr=False)
    # The same for each date object (kept, so its id is not reused): most are asked for again and again.
    _date_objects: dict[int, tuple[PubDate, str]] = field(default_factory=dict, compare=False, repr=False)

    def __call__(self, key: str, **values: object) -> str:
        text = str(self.strings[key])
        if not values:
            return text
        if "|" in text:
            text = _PLURAL.sub(lambda m: m[2] if values.get(m[1]) == 1 else m[3], text)
        return text.format(**values)

    def date(self, when: PubDate) -> str:
        if (known := self._date_objects.get(id(when))) is not None and known[0] is when:
            return known[1]
        key = (when.value.isoformat(), when.has_time)  # not the datetime: 12:00+07:00 == 05:00+00:00
        if (text := self._dates.get(key)) is None:
            text = self._dates[key] = self._format_date(when)
        self._date_objects[id(when)] = (when, text)
        return text

    def _format_date(self, when: PubDate) -> str:
        v = when.value
        fields = {"day": v.day, "month": v.month, "year": v.year, "hour": v.hour, "minute": v.minute}
        months = self.strings.get("month_names") or []
        fields["month_name"] = months[v.month - 1] if months else v.month
        if not when.has_time:
            return self("date_format", **fields)
        offset = v.strftime("%z")
        zone = "" if offset is None else f"{offset[:3]}:{offset[3:]}".replace(":00", "")
        zone = zone.replace("+0", "+").replace("-0", "-") if zone not in {"+", "-"} else zone
        return f"{self('datetime_format', **fields)} ({self('time_zone', offset=zone)})"


def load_ui(data_dir: Path, root: Path) -> dict[str, UI]:
    path = data_dir / "ui.yml"
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
    data, lines = yamlio.load(read_text(path, shown), shown)
    result = {}
    reference: set[str] | None = None
    for lang in LANGS:
        strings = data.get(lang) if isinstance(data, dict) else None
        if not isinstance(strings, dict):
            raise ContentError(Problem(shown, f"has no strings for {lang!r}", field=lang, expected="a mapping"))
        keys = set(strings)
        if reference is not None and keys != reference:
            missing = sorted(reference ^ keys)
            raise ContentError(
                Problem(
                    shown,
                    f"keys differ between languages: {', '.join(missing)}",
                    line=lines.get(lang),
                    field=lang,
                    expected="the same keys in every language",
                )
            )
        reference = keys
        result[lang] = UI(lang, strings)
    return result
