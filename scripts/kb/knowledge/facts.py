"""The structured layer: topics, entities, events and glossary terms.

Each lives in one YAML file under ``data/``. Every item is validated with a
strict schema, and every reference (an event's entities, topics, article and
section) must resolve; each problem names the file, the line and the field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property, total_ordering
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError

from kb import yamlio
from kb.content.project import Project
from kb.content.schema import Localized, Slug, Strict, Text, problems_from
from kb.errors import ContentError, Problem
from kb.textutil import MATH, MAX_DATA_BYTES, WORD, read_text, slugify

_EVENT_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?|-Q([1-4])|(s))?$")


@total_ordering
@dataclass(frozen=True)
class EventDate:
    """A date with the precision its source gives: day, month, quarter, year or decade."""

    precision: Literal["day", "month", "quarter", "year", "decade"]
    year: int
    month: int = 0
    day: int = 0
    quarter: int = 0

    @property
    def key(self) -> tuple[int, int, int]:
        month = self.month or (self.quarter * 3 - 2 if self.quarter else 0)
        return (self.year, month, self.day)

    def __lt__(self, other: EventDate) -> bool:
        return self.key < other.key

    def iso(self) -> str:
        if self.precision == "day":
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.precision == "month":
            return f"{self.year:04d}-{self.month:02d}"
        if self.precision == "quarter":
            return f"{self.year:04d}-Q{self.quarter}"
        if self.precision == "decade":
            return f"{self.year}s"
        return f"{self.year:04d}"


def parse_event_date(raw: Any) -> EventDate:
    import datetime as dt

    if isinstance(raw, int):
        raw = str(raw)
    if not isinstance(raw, str):
        raise ValueError(f"{raw!r} is not a date")
    m = _EVENT_DATE.match(raw.strip())
    if not m:
        raise ValueError(f"{raw!r} is not a date of a known form")
    year = int(m[1])
    if m[5]:
        if year % 10:
            raise ValueError(f"{raw!r} is not a decade")
        return EventDate("decade", year)
    if m[4]:
        return EventDate("quarter", year, quarter=int(m[4]))
    if m[3]:
        try:
            dt.date(year, int(m[2]), int(m[3]))
        except ValueError:
            raise ValueError(f"{raw!r} is not a real date") from None
        return EventDate("day", year, int(m[2]), int(m[3]))
    if m[2]:
        if not 1 <= int(m[2]) <= 12:
            raise ValueError(f"{raw!r} has no month {m[2]}")
        return EventDate("month", year, int(m[2]))
    return EventDate("year", year)


EventDateField = Annotated[EventDate, BeforeValidator(parse_event_date)]


class Topic(Strict):
    id: Slug
    name: Localized
    intro: Localized


class Entity(Strict):
    id: Slug
    type: Literal["organization", "model", "product", "person"]
    name: Localized
    aliases: list[Text] = Field(default_factory=list)
    description: Localized
    topics: list[Slug] = Field(default_factory=list)
    # The article whose publication date the description is "as of" (a situation that moves: a ranking, a role).
    as_of: Slug | None = None


class SourceRef(Strict):
    article: Slug
    section: Slug | None = None


def _at_least_one(values: list[str]) -> list[str]:
    if not values:
        raise ValueError("is empty")
    return values


class Event(Strict):
    id: Slug
    date: EventDateField
    title: Localized
    description: Localized
    entities: Annotated[list[Slug], AfterValidator(_at_least_one)]
    topics: Annotated[list[Slug], AfterValidator(_at_least_one)]
    source: SourceRef
    note: Localized | None = None
    # The description states a situation that moves (a valuation, a ranking, user counts): "as of" its source's date.
    as_of: bool = False


class Aliases(Strict):
    vi: list[Text] = Field(default_factory=list)
    en: list[Text] = Field(default_factory=list)

    def __getitem__(self, lang: str) -> list[str]:
        return getattr(self, lang)


class Term(Strict):
    id: Slug
    term: Localized
    aliases: Aliases = Field(default_factory=Aliases)
    definition: Localized
    source: SourceRef | None = None


@dataclass
class Knowledge:
    """The validated data, with its cross-references resolved."""

    topics: dict[str, Topic] = field(default_factory=dict)
    entities: dict[str, Entity] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    terms: dict[str, Term] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    def events_of_entity(self, entity_id: str) -> list[Event]:
        return self._events_by("entities").get(entity_id, [])

    def events_of_topic(self, topic_id: str) -> list[Event]:
        return self._events_by("topics").get(topic_id, [])

    def events_of_article(self, slug: str) -> list[Event]:
        return self._events_by("article").get(slug, [])

    def _events_by(self, key: str) -> dict[str, list[Event]]:
        """Events indexed by entity, topic or article, in timeline order (built once)."""
        cache = self.__dict__.setdefault("_index", {})
        if key not in cache:
            index: dict[str, list[Event]] = {}
            for event in self.events:
                ids = [event.source.article] if key == "article" else getattr(event, key)
                for item in dict.fromkeys(ids):
                    index.setdefault(item, []).append(event)
            cache[key] = index
        return cache[key]

    @cached_property
    def entity_order(self) -> dict[str, int]:
        """Entity id -> its place in entities.yml (the order lists of entities keep)."""
        return {entity_id: i for i, entity_id in enumerate(self.entities)}

    @cached_property
    def entity_forms(self) -> FormIndex:
        """Every name and alias of every entity, case-sensitive."""
        return FormIndex(
            ((form, e.id) for e in self.entities.values() for form in {e.name.vi, e.name.en, *e.aliases}),
            ignore_case=False,
        )

    def term_forms_index(self, lang: str) -> FormIndex:
        """Every form of every glossary term in one language, case-insensitive."""
        cache = self.__dict__.setdefault("_term_forms", {})
        if lang not in cache:
            cache[lang] = FormIndex(
                ((form, t.id) for t in self.terms.values() for form in term_forms(t, lang)), ignore_case=True
            )
        return cache[lang]


def _form_key(plain: str) -> str | None:
    """A name's first two words, or its one word ("GPT 4o" for "GPT-4o mini"); None unless it starts with a word."""
    if not (first := WORD.match(plain)):
        return None
    second = WORD.search(plain, first.end())
    return f"{first.group(0)} {second.group(0)}" if second else first.group(0)


class FormIndex:
    """Find which of many names occur in a text without trying every name on it.

    Names are grouped by their first two words ("Nguyễn Văn" for "Nguyễn Văn
    An", "mô hình" for "mô hình ngôn ngữ"), or their one word; only the names
    whose words all occur in the text, and which occur in it as a substring,
    are searched for, each with its own word-boundary pattern. Keying on one word
    is not enough: Vietnamese names share family names and terms share their
    first syllable, so the names behind one word grow with the knowledge base.
    """

    def __init__(self, forms: Iterable[tuple[str, str]], *, ignore_case: bool) -> None:
        self.ignore_case = ignore_case
        # names that do not start with a word, tried on every text: (form, form as compared, id)
        self.always: list[tuple[str, str, str]] = []
        self._patterns: dict[str, re.Pattern[str]] = {}
        # A key's first word -> {its second word, or "" for a one-word key: the key}: a text's
        # words are looked up here (in C, as set intersections), rather than every pair of
        # adjacent words being joined and looked up.
        self._by_first: dict[str, dict[str, str]] = {}
        # key -> its names of no more words than the key's; and the longer ones, each with
        # its words after the key's (all must be in a text the name is in)
        self._whole: dict[str, list[tuple[str, str, str]]] = {}
        self._longer: dict[str, list[tuple[frozenset[str], tuple[str, str, str]]]] = {}
        for form, item_id in forms:
            plain = self.plain(form)
            entry = (form, plain, item_id)
            if not (key := _form_key(plain)):
                self.always.append(entry)
                continue
            first, _, second = key.partition(" ")
            self._by_first.setdefault(first, {})[second] = key
            if rest := frozenset(WORD.findall(plain)[2:]):
                self._longer.setdefault(key, []).append((rest, entry))
            else:
                self._whole.setdefault(key, []).append(entry)

    def plain(self, text: str) -> str:
        """Text as names are compared: case-folded when case does not matter."""
        return text.casefold() if self.ignore_case else text

    def pattern(self, form: str) -> re.Pattern[str]:
        if form not in self._patterns:
            self._patterns[form] = _alias_pattern(form, self.ignore_case)
        return self._patterns[form]

    def candidates(self, plain: str) -> list[tuple[str, str, str]]:
        """(form, form as compared, id) of the names that can occur in a text (given as :meth:`plain`).

        Each is in the text as a substring; whether as a whole name is for
        :meth:`occurs` to say.
        """
        return [entry for entry in self._keyed(plain) if entry[1] in plain]

    def _keyed(self, plain: str) -> list[tuple[str, str, str]]:
        """The names whose words are all in the text (and those that do not start with a word)."""
        words = set(WORD.findall(plain))
        keys = []
        for first in words & self._by_first.keys():
            seconds = self._by_first[first]
            if (key := seconds.get("")) is not None:
                keys.append(key)
            if len(seconds) > (key is not None):
                keys.extend(seconds[second] for second in seconds.keys() & words)
        found = list(self.always)
        whole, longer = self._whole, self._longer
        for key in keys:
            found.extend(whole.get(key, ()))
            if key in longer:
                found.extend(entry for rest, entry in longer[key] if rest <= words)
        return found

    def found_ids(self, text: str) -> set[str]:
        plain = self.plain(text)
        # Case-sensitive names are found (at C speed) by occurs itself; a substring test first would repeat it.
        entries = self.candidates(plain) if self.ignore_case else self._keyed(plain)
        found: set[str] = set()
        for form, _, item_id in entries:
            if item_id not in found and self.occurs(form, text):
                found.add(item_id)
        return found

    def occurs(self, form: str, text: str) -> bool:
        """Whether the form occurs as a whole name: its pattern, tried only where the form is.

        A pattern that starts with a lookbehind is tried at every position of
        the text; finding the form first (at C speed) and matching there is
        the same test, many times faster on long pages. Case-insensitive
        forms keep the plain search: case folding may change lengths.
        """
        pattern = self.pattern(form)
        if self.ignore_case:
            return pattern.search(text) is not None
        start = text.find(form)
        while start != -1:
            if pattern.match(text, start):
                return True
            start = text.find(form, start + 1)
        return False


FILES = {"topics": Topic, "entities": Entity, "events": Event, "glossary": Term}


def _load_list(
    path: Path, shown: str, model: type[BaseModel], problems: list[Problem], broken: set[str]
) -> tuple[list, Mapping[str, int]]:
    if not path.exists():
        return [], {}
    try:
        data, lines = yamlio.load(read_text(path, shown, limit=MAX_DATA_BYTES), shown)
    except ContentError as exc:
        problems.extend(exc.problems)
        return [], {}
    if data is None:
        return [], lines
    if not isinstance(data, list):
        problems.append(Problem(shown, "is not a list", line=1, expected="a YAML list of items ('- id: …')"))
        return [], lines
    items, seen = [], {}
    for index, raw in enumerate(data):
        try:
            item = model.model_validate(raw)
        except ValidationError as exc:
            if isinstance(raw, dict) and isinstance(raw.get("id"), str):
                broken.add(raw["id"])  # references to it are not reported again
            for p in problems_from(
                exc,
                shown,
                {k.split(".", 1)[1]: v for k, v in lines.items() if k.startswith(f"{index}.")}
                | {"": lines.get(str(index), 1)},
                model,
            ):
                problems.append(
                    Problem(
                        p.path,
                        p.message,
                        line=p.line or lines.get(str(index)),
                        field=f"{_label(raw, index)}.{p.field}",
                        expected=p.expected,
                    )
                )
            continue
        if item.id in seen:
            problems.append(
                Problem(
                    shown,
                    f"duplicate id {item.id!r} (first on line {seen[item.id]})",
                    line=lines.get(f"{index}.id"),
                    field=f"{item.id}.id",
                    expected="a unique id",
                )
            )
            continue
        seen[item.id] = lines.get(f"{index}.id")
        items.append((index, item))
    return items, lines


def _label(raw: Any, index: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str):
        return raw["id"]
    return f"item {index + 1}"


def section_ids(markdown: str) -> set[str]:
    """Heading anchors of a page: explicit {#id} or the slug of the heading."""
    ids = set()
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*$", markdown, re.M):
        if m := re.search(r"\{#([\w-]+)\}$", heading):
            ids.add(m[1])
        else:
            ids.add(slugify(heading))
    return ids


def load_knowledge(project: Project) -> Knowledge:
    """Load and cross-check every data file; collect all problems."""
    paths = project.paths
    k = Knowledge()
    loaded: dict[str, list] = {}
    lines_of: dict[str, Mapping[str, int]] = {}  # each file's key lines, to report problems with
    broken: set[str] = set()
    for name, model in FILES.items():
        path = paths.data / f"{name}.yml"
        shown = paths.show(path)
        items, lines = _load_list(path, shown, model, k.problems, broken)
        loaded[name] = items
        lines_of[name] = lines
    k.topics = {t.id: t for _, t in loaded["topics"]}
    k.entities = {e.id: e for _, e in loaded["entities"]}
    k.terms = {t.id: t for _, t in loaded["glossary"]}
    articles = {a.slug: a for a in project.articles}
    sections = {a.slug: section_ids(a.body) for a in project.articles}

    def ref_problem(name: str, index: int, item_id: str, fld: str, line_key: str, message: str, expected: str) -> None:
        shown = paths.show(paths.data / f"{name}.yml")
        line = lines_of[name].get(f"{index}.{line_key}") or lines_of[name].get(f"{index}.{line_key.split('.')[0]}")
        k.problems.append(Problem(shown, message, line=line, field=f"{item_id}.{fld}", expected=expected))

    def check_source(name: str, index: int, item_id: str, source: SourceRef | None) -> None:
        if source is None:
            return
        if source.article not in articles:
            ref_problem(
                name,
                index,
                item_id,
                "source.article",
                "source.article",
                f"unknown article {source.article!r}",
                "the slug of an article in seeds/*.yml",
            )
        elif source.section and source.section not in sections[source.article]:
            ref_problem(
                name,
                index,
                item_id,
                "source.section",
                "source.section",
                f"article {source.article!r} has no section {source.section!r}",
                "the id of one of its headings: " + ", ".join(sorted(sections[source.article]))
                if sections[source.article]
                else "no section (the article has no headings)",
            )

    def check_refs(name: str, index: int, item_id: str, fld: str, ids: list[str], known: dict, kind: str) -> None:
        for n, ref in enumerate(ids):
            if ref not in known and ref not in broken:
                ref_problem(
                    name,
                    index,
                    item_id,
                    f"{fld}.{n}",
                    f"{fld}.{n}",
                    f"unknown {kind} {ref!r}",
                    f"an id from data/{fld}.yml",
                )

    for index, entity in loaded["entities"]:
        check_refs("entities", index, entity.id, "topics", entity.topics, k.topics, "topic")
        if entity.as_of and entity.as_of not in articles:
            ref_problem(
                "entities",
                index,
                entity.id,
                "as_of",
                "as_of",
                f"unknown article {entity.as_of!r}",
                "the slug of an article in seeds/*.yml",
            )
    valid_events = []
    for index, event in loaded["events"]:
        before = len(k.problems)
        check_refs("events", index, event.id, "entities", event.entities, k.entities, "entity")
        check_refs("events", index, event.id, "topics", event.topics, k.topics, "topic")
        check_source("events", index, event.id, event.source)
        if len(k.problems) == before:
            valid_events.append(event)
    k.events = sorted(valid_events, key=lambda e: (e.date.key, e.id))
    for index, term in loaded["glossary"]:
        check_source("glossary", index, term.id, term.source)
    for article in project.articles:
        for n, tag in enumerate(article.meta.tags):
            if k.topics and tag not in k.topics and tag not in broken:
                k.problems.append(
                    Problem(
                        paths.show(article.meta_path),
                        f"unknown topic {tag!r}",
                        field=f"tags.{n}",
                        expected="an id from data/topics.yml: " + ", ".join(k.topics),
                    )
                )
    return k


# --------------------------------------------------------------------------
# Mentions: which entities and terms an article's text uses
# --------------------------------------------------------------------------


def _alias_pattern(alias: str, ignore_case: bool) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-]){re.escape(alias)}(?![\w-])", re.I if ignore_case else 0)


# Images and links are two branches, not "!?\[": every branch then starts with a literal, and the
# regular expression engine skips to the next of those characters at C speed instead of trying
# every position of the text (four times faster on an article).
_LINK_OR_CODE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\([^)]*\)|<[^>]+>|`[^`]*`|\{[:#][^}]*\}|https?://\S+")


def prose(markdown: str) -> str:
    """The text of a page without link targets, images, HTML, attribute lists and TeX math."""
    if "$" in markdown or "\\" in markdown:
        markdown = MATH.sub(" ", markdown)
    return _LINK_OR_CODE.sub(" ", markdown)


def mentioned_entities(k: Knowledge, texts: list[str]) -> list[Entity]:
    """Entities whose name or an alias occurs in any of the texts (case-sensitive)."""
    text = "\n".join(prose(t) for t in texts)
    found = k.entity_forms.found_ids(text)
    order = k.entity_order
    return [k.entities[entity_id] for entity_id in sorted(found, key=order.__getitem__)]


def term_forms(term: Term, lang: str) -> list[str]:
    """Surface forms of a term in one language, longest first."""
    forms = {term.term[lang], *term.aliases[lang]}
    return sorted(forms, key=lambda form: (-len(form), form))  # a stable order, whatever the hash seed


def counts_by_year_topic(events: list[Event]) -> dict[int, Counter[str]]:
    """Events per year, counted under each event's first topic."""
    result: dict[int, Counter[str]] = {}
    for event in events:
        result.setdefault(event.date.year, Counter())[event.topics[0]] += 1
    return result
