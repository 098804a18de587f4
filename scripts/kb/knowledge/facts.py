"""The structured layer: topics, entities, events and glossary terms.

Each lives in one YAML file under ``data/``. Every item is validated with a
strict schema, and every reference (an event's entities, topics, article and
section) must resolve; each problem names the file, the line and the field.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property, total_ordering
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, ValidationError

from kb import yamlio
from kb.content.project import Project
from kb.content.schema import LANGS, Localized, Slug, Strict, problems_from
from kb.errors import ContentError, Problem
from kb.knowledge import mentions
from kb.knowledge.mentions import Alias, AliasRule, FormIndex, Name, name_of
from kb.textutil import MATH, MAX_DATA_BYTES, read_text, slugify

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


# What an entity is, in the order the entities index groups them: who, what they make, the ideas
# behind it, how it is measured, and what is published or held about it. Each has a label in
# data/ui.yml, singular (`type_<type>`, on its page) and plural (`types_<type>`, on the index).
EntityType = Literal[
    "organization",
    "person",
    "model",
    "product",
    "architecture",
    "method",
    "dataset",
    "benchmark",
    "competition",
    "report",
    "event",
]
ENTITY_TYPES: tuple[str, ...] = get_args(EntityType)


class Entity(Strict):
    id: Slug
    type: EntityType
    term: Slug | None = None  # the glossary term that is the same thing (its id in data/glossary.yml)
    name: Localized
    aliases: list[Alias] = Field(default_factory=list)
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
    vi: list[Alias] = Field(default_factory=list)
    en: list[Alias] = Field(default_factory=list)

    def __getitem__(self, lang: str) -> list[AliasRule]:
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
    # Each data file's lines ("3.date" -> 42) and each item's place in its file ("events" -> id -> 3).
    lines: dict[str, Mapping[str, int]] = field(default_factory=dict)
    places: dict[str, dict[str, int]] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)  # names that may be found where they mean something else

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
    def term_entities(self) -> dict[str, Entity]:
        """Glossary term id -> the entity that is the same thing (the entity's ``term:``)."""
        return {e.term: e for e in self.entities.values() if e.term}

    def names(self, lang: str) -> FormIndex:
        """Every entity's names and every glossary term's forms in one language, with their rules."""
        cache = self.__dict__.setdefault("_names", {})
        if lang not in cache:
            terms = (n for t in self.terms.values() for n in term_names(t, lang))
            cache[lang] = FormIndex([*(n for e in self.entities.values() for n in entity_names(e)), *terms])
        return cache[lang]

    def mention_names(self, lang: str) -> FormIndex:
        """Every entity's names, and the names of terms that hold one (they hide it): to find mentions,
        without trying every term on every article."""
        cache = self.__dict__.setdefault("_entity_names", {})
        if lang not in cache:
            entities = [n for e in self.entities.values() for n in entity_names(e)]
            holders = [n for n in self.names(lang).holding(entities) if n.kind != "entity"]
            cache[lang] = FormIndex([*entities, *holders])
        return cache[lang]


def _with_rules(kind: str, item_id: str, forms: list[str], aliases: list[AliasRule], *, by_form: bool) -> list[Name]:
    """An item's names, each with its alias's rules (an alias of the same form gives a name its rules)."""
    rules = {a.form: a for a in aliases}
    return [
        name_of(form, kind, item_id, rules.get(form), case_by_form=by_form) for form in dict.fromkeys([*forms, *rules])
    ]


def entity_names(entity: Entity) -> list[Name]:
    """An entity's names and aliases: case-sensitive unless an alias says otherwise."""
    return _with_rules("entity", entity.id, [entity.name.vi, entity.name.en], entity.aliases, by_form=False)


def term_names(term: Term, lang: str) -> list[Name]:
    """A glossary term's forms in one language: in any case when written in small letters."""
    return _with_rules("term", term.id, [term.term[lang]], term.aliases[lang], by_form=True)


FILES = {"topics": Topic, "entities": Entity, "events": Event, "glossary": Term}


# Each data file's items as its last load found them, by their text: parsed (kb.yamlio.load_list), and
# valid (None when not). kb serve loads the data again after every edit: an edit to one event of
# thousands then parses and validates that event alone (parsing was most of loading the data), and
# every other event is the same object as before.
_items: dict[type[BaseModel], dict[str, tuple[yamlio.ListItem, BaseModel | None]]] = {}


def _parse_list(text: str, shown: str, model: type[BaseModel]) -> tuple[Any, Mapping[str, int], list | None]:
    """A data file's YAML and its key lines, and when it was loaded item by item, each item valid or
    None (then its problems are found again), each parsed and validated only if its text is new."""
    known = _items.get(model, {})
    data, lines, parsed = yamlio.load_list(text, shown, {item: entry[0] for item, entry in known.items()})
    if parsed is None:
        _items.pop(model, None)
        return data, lines, None
    entries = {}
    for item, loaded in parsed:
        entry = entries.get(item) or known.get(item)
        if entry is None:
            try:
                entry = loaded, model.model_validate(loaded.value)
            except ValidationError:
                entry = loaded, None
        entries[item] = entry
    _items[model] = entries
    return data, lines, [entries[item][1] for item, _ in parsed]


def _load_list(
    path: Path, shown: str, model: type[BaseModel], problems: list[Problem], broken: set[str]
) -> tuple[list, Mapping[str, int]]:
    if not path.exists():
        return [], {}
    try:
        data, lines, valid = _parse_list(read_text(path, shown, limit=MAX_DATA_BYTES), shown, model)
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
            item = valid[index] if valid is not None and valid[index] is not None else model.model_validate(raw)
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


# Each article body's sections, as the last load found them: kb serve loads the data again after a data
# edit with the same articles (about 0.8 s of headings read again at 5,000 articles).
_sections_found: dict[str, set[str]] = {}


def _article_sections(body: str) -> set[str]:
    found = _sections_found.get(body)
    return section_ids(body) if found is None else found


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
    k.lines = lines_of
    k.places = {name: {item.id: index for index, item in items} for name, items in loaded.items()}
    articles = {a.slug: a for a in project.articles}
    sections = {a.slug: _article_sections(a.body) for a in project.articles}
    _sections_found.clear()  # the last load's only: a long-running kb serve does not keep old bodies
    _sections_found.update((a.body, sections[a.slug]) for a in project.articles)

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

    claimed: dict[str, tuple[str, int]] = {}  # term id -> the entity that is it, and that entity's index
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
        if entity.term is None or entity.term in broken:
            continue
        if entity.term not in k.terms:
            message, expected = f"unknown glossary term {entity.term!r}", "an id from data/glossary.yml"
        elif (first := claimed.setdefault(entity.term, (entity.id, index)))[0] != entity.id:
            line = lines_of["entities"].get(f"{first[1]}.term")
            message = f"glossary term {entity.term!r} is already the entity {first[0]!r} (line {line})"
            expected = "one entity per term: `term:` on only one of them"
        else:
            continue
        ref_problem("entities", index, entity.id, "term", "term", message, expected)
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
    k.warnings = _risky_names(paths.data, loaded, lines_of, paths.show, k.problems)
    where = {entity.id: index for index, entity in loaded["entities"]}
    for entity, term, form in unlinked(k):
        k.warnings.append(
            Problem(
                paths.show(paths.data / "entities.yml"),
                f"shares the name {form!r} with glossary term {term.id!r} but is not linked to it",
                line=lines_of["entities"].get(f"{where[entity.id]}.id"),
                field=f"{entity.id}.term",
                expected=f"'term: {term.id}' on the entity if they are the same thing",
                warning=True,
            )
        )
    return k


def unlinked(k: Knowledge) -> list[tuple[Entity, Term, str]]:
    """Entities and glossary terms that share a name or an alias (whatever its case) but are not linked.

    An entity already linked to a term, and a term already linked to an
    entity, are left out. Each pair comes with the entity's form they share,
    in the order of entities.yml.
    """
    linked = k.term_entities
    by_form: dict[str, list[Term]] = {}
    for term in k.terms.values():
        if term.id not in linked:
            for form in dict.fromkeys(f.casefold() for lang in LANGS for f in term_forms(term, lang)):
                by_form.setdefault(form, []).append(term)
    pairs = []
    for entity in k.entities.values():
        if entity.term:
            continue
        seen: set[str] = set()
        for form in (entity.name.vi, entity.name.en, *(a.form for a in entity.aliases)):
            for term in by_form.get(form.casefold(), []):
                if term.id not in seen:
                    seen.add(term.id)
                    pairs.append((entity, term, form))
    return pairs


def _risky_names(
    data: Path, loaded: dict[str, list], lines_of: dict[str, Mapping[str, int]], show: Any, problems: list[Problem]
) -> list[Problem]:
    """Warnings for names that may match text that does not mean their item (:func:`mentions.risky_names`)."""
    path = data / "everyday-words.yml"
    listed = None
    if path.exists():
        shown = show(path)
        try:
            raw, lines = yamlio.load(read_text(path, shown, limit=MAX_DATA_BYTES), shown)
            listed = mentions.EverydayWords.model_validate(raw or {})
        except ContentError as exc:
            problems.extend(exc.problems)
        except ValidationError as exc:
            problems.extend(problems_from(exc, shown, lines, mentions.EverydayWords))
    located = []
    for file, key in (("entities", "entities"), ("glossary", "glossary")):
        shown, lines = show(data / f"{file}.yml"), lines_of[key]
        for index, item in loaded[key]:
            if key == "entities":
                fields = {item.name.vi: "name.vi", item.name.en: "name.en"}
                fields |= {a.form: f"aliases.{n}" for n, a in enumerate(item.aliases)}
                named = [(fields[n.form], n) for n in entity_names(item)]
            else:
                named = []
                for lang in LANGS:
                    fields = {item.term[lang]: f"term.{lang}"}
                    fields |= {a.form: f"aliases.{lang}.{n}" for n, a in enumerate(item.aliases[lang])}
                    named += [(fields[n.form], replace(n, kind=f"term-{lang}")) for n in term_names(item, lang)]
            for fld, name in named:
                line = lines.get(f"{index}.{fld}") or lines.get(f"{index}.{fld.rsplit('.', 1)[0]}")
                located.append(mentions.Located(name, shown, line, f"{item.id}.{fld}"))
    return mentions.risky_names(located, mentions.everyday_words(listed))


# --------------------------------------------------------------------------
# Mentions: which entities and terms an article's text uses
# --------------------------------------------------------------------------


# Images and links are two branches, not "!?\[": every branch then starts with a literal, and the
# regular expression engine skips to the next of those characters at C speed instead of trying
# every position of the text (four times faster on an article).
_LINK_OR_CODE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[[^\]]*\]\([^)]*\)|<[^>]+>|`[^`]*`|\{[:#][^}]*\}|https?://\S+")


def prose(markdown: str) -> str:
    """The text of a page without link targets, images, HTML, attribute lists and TeX math."""
    if "$" in markdown or "\\" in markdown:
        markdown = MATH.sub(" ", markdown)
    return _LINK_OR_CODE.sub(" ", markdown)


def mentioned_entities(k: Knowledge, texts: Iterable[tuple[str, str]]) -> list[Entity]:
    """Entities mentioned in any of the texts, each given as (language, Markdown)."""
    found: set[str] = set()
    for lang, text in texts:
        found |= k.mention_names(lang).found_ids(prose(text), "entity")
    order = k.entity_order
    return [k.entities[entity_id] for entity_id in sorted(found, key=order.__getitem__)]


def term_forms(term: Term, lang: str) -> list[str]:
    """Surface forms of a term in one language, longest first."""
    forms = {term.term[lang], *(a.form for a in term.aliases[lang])}
    return sorted(forms, key=lambda form: (-len(form), form))  # a stable order, whatever the hash seed


def counts_by_year_topic(events: list[Event]) -> dict[int, Counter[str]]:
    """Events per year, counted under each event's first topic."""
    result: dict[int, Counter[str]] = {}
    for event in events:
        result.setdefault(event.date.year, Counter())[event.topics[0]] += 1
    return result
