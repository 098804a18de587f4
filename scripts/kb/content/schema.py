"""Schemas for the files contributors edit: seed metadata and translations.

Every model forbids unknown keys, so a typo such as ``titel`` is an error
that names the file, the line and the field, never a silently ignored key.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from kb.errors import Problem
from kb.ingest.layouts import LayoutRules
from kb.textutil import SLUG_RE

LANGS = ("vi", "en")
DEFAULT_LANG = "vi"

_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_DATETIME_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$")
DATE_EXPECTED = "a date YYYY-MM-DD, or a time with its zone YYYY-MM-DDTHH:MM+07:00"


@dataclass(frozen=True, order=True)
class PubDate:
    """A publication date, with the time and zone when the source gives them."""

    value: dt.datetime
    has_time: bool

    @property
    def date(self) -> dt.date:
        return self.value.date()

    def iso(self) -> str:
        if not self.has_time:
            return self.value.date().isoformat()
        return self.value.isoformat(timespec="minutes")

    @property
    def sort_key(self) -> str:
        """Sortable in UTC; a bare date sorts at noon UTC of its day."""
        return self.value.astimezone(dt.UTC).isoformat()


def parse_pubdate(raw: Any) -> PubDate:
    """Parse 'YYYY-MM-DD' or an ISO date-time with zone; reject anything else."""
    if isinstance(raw, (dt.date, dt.datetime)):
        raw = raw.isoformat()
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not a date")
    text = raw.strip()
    try:
        if m := _DATE_RE.match(text):
            day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            return PubDate(dt.datetime(day.year, day.month, day.day, 12, tzinfo=dt.UTC), False)
        if _DATETIME_RE.match(text):
            value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            return PubDate(value, True)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date") from None
    if re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text):
        raise ValueError(f"{text!r} has no time zone")
    raise ValueError(f"{text!r} is not in ISO form")


def _check_slug(value: str) -> str:
    if not SLUG_RE.match(value):
        raise ValueError(f"{value!r} is not URL-safe")
    return value


def _nonblank(value: str) -> str:
    if not value.strip():
        raise ValueError("is empty")
    return value.strip()


def _url(value: str) -> str:
    if not re.match(r"^https?://[^\s/$.?#][^\s]*$", value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


Slug = Annotated[str, AfterValidator(_check_slug)]
Text = Annotated[str, AfterValidator(_nonblank)]
Url = Annotated[str, AfterValidator(_url)]
Date = Annotated[PubDate, BeforeValidator(parse_pubdate)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, arbitrary_types_allowed=True)


class Localized(Strict):
    """A text in both languages."""

    vi: Text
    en: Text

    def __getitem__(self, lang: str) -> str:
        return getattr(self, lang)


class IngestOptions(LayoutRules):
    """How a seed's format-specific details are handled; the layout rules are layouts.py's."""

    image_alt: dict[str, Text] = Field(default_factory=dict)
    link_base: Url | None = None


class SeedMeta(Strict):
    """What is known about one seed: ``seeds/<name>.yml`` beside ``seeds/<name>.txt``."""

    slug: Slug
    format: Literal["html", "scraped-page", "markdown", "pdf-text"]
    title: Localized
    published: Date
    author: Text | None = None
    publisher: Text | None = None
    url: Url | None = None
    tags: list[Slug] = Field(default_factory=list)
    summary: Localized | None = None
    note: Localized | None = None
    updated: Date | None = None
    ingest: IngestOptions = Field(default_factory=IngestOptions)


class TranslationMeta(Strict):
    """Front-matter of a translated article page."""

    title: Text
    source_hash: Annotated[str, AfterValidator(lambda v: _hex(v))]
    translated: Date
    draft: bool = False
    summary: Text | None = None
    translator_notes: list[Text] = Field(default_factory=list)


class PageMeta(Strict):
    """Front-matter of a page a person wrote in ``docs/<lang>/`` (not an article).

    A page translated from another language carries ``source_hash`` and
    ``translated`` like an article translation, so its freshness is known.
    """

    title: Text | None = None
    description: Text | None = None
    updated: Date | None = None
    source_hash: Annotated[str, AfterValidator(lambda v: _hex(v))] | None = None
    translated: Date | None = None
    draft: bool = False
    translator_notes: list[Text] = Field(default_factory=list)
    # Material for MkDocs page options
    hide: list[Literal["navigation", "toc", "footer", "path", "tags", "feedback"]] = Field(default_factory=list)
    icon: Text | None = None
    status: Text | None = None
    template: Text | None = None
    search: dict[str, Any] | None = None


def _hex(value: str) -> str:
    if not re.fullmatch(r"[0-9a-f]{16}", value):
        raise ValueError(f"{value!r} is not a 16-digit hex hash")
    return value


_EXPECTED = {
    "missing": "this field",
    "extra_forbidden": None,
    "literal_error": None,
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
}


def problems_from(
    error: ValidationError, shown: str, lines: Mapping[str, int], model: type[BaseModel]
) -> list[Problem]:
    """Turn pydantic's errors into one Problem each, with line and field."""
    problems = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"])
        line = _line_for(field, lines)
        kind = item["type"]
        expected = _EXPECTED.get(kind)
        if kind == "missing":
            message = "required field is missing"
            line = line or 1
        elif kind == "extra_forbidden":
            parent = item["loc"][:-1]
            allowed = _allowed_fields(model, parent)
            message = "unknown field (a typo?)"
            expected = "one of " + ", ".join(allowed) if allowed else None
        elif kind == "literal_error":
            message = f"{item['input']!r} is not allowed"
            expected = "one of " + item["ctx"]["expected"].replace("'", "")
        elif kind == "value_error":
            message = str(item["ctx"]["error"])
            expected = _expected_for(field)
        elif kind == "string_type" and isinstance(item["input"], (int, float, bool)):
            message = f"{item['input']!r} was read as a number or a yes/no value"
            expected = "text: put the value in quotes"
        else:
            message = item["msg"].lower()
        problems.append(Problem(shown, message, line=line, field=field, expected=expected))
    return problems


def _expected_for(field: str) -> str | None:
    last = field.rsplit(".", 1)[-1]
    if last in {"published", "translated", "updated"}:
        return DATE_EXPECTED
    if last == "date":  # an event's date, at the precision its source gives
        return "YYYY-MM-DD, YYYY-MM, YYYY-Qn, YYYY or a decade like 1960s (quoted)"
    if last in {"slug", "tags"} or field.startswith("tags."):
        return "lower-case ASCII letters, digits and hyphens, like 'open-models'"
    if last in {"url", "link_base"}:
        return "a full http:// or https:// address"
    if last == "source_hash":
        return "the hash `kb check` prints for the source"
    return None


def _line_for(field: str, lines: Mapping[str, int]) -> int | None:
    parts = field.split(".")
    while parts:
        if (line := lines.get(".".join(parts))) is not None:
            return line
        parts.pop()
    return None


def _allowed_fields(model: type[BaseModel], path: tuple) -> list[str]:
    current: Any = model
    for part in path:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(str(part))
        if field is None:
            return []
        candidates, current = [field.annotation], None
        while candidates and current is None:  # through list[...], X | None and Annotated[...]
            c = candidates.pop(0)
            if isinstance(c, type) and issubclass(c, BaseModel):
                current = c
            else:
                candidates += (*getattr(c, "__args__", ()), getattr(c, "__origin__", None))
        if current is None:
            return []
    return list(current.model_fields)
