"""Names in text: the rules an alias is matched by, and which names a text holds.

A *name* is an entity's name or alias, or a glossary term's form in one
language. It is found as whole words (a match neither starts nor ends inside
a word: "R1" is not in "R1-Lite", "GPT-4" is not in "GPT-4.5"), with its case
rule, and with its context rule when it has one (words that must or must not
be near it). The longest name wins: "LLaMA" inside "LLaMA 2", "GPT-4o"
inside "GPT-4o mini", "mô hình ngôn ngữ" inside "mô hình ngôn ngữ lớn" are
not mentions; the same name of two items (an entity and a glossary term both
called "GAN") counts for both, and so do two names that only overlap.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field

from kb.content.schema import Strict, Text
from kb.errors import Problem
from kb.textutil import WORD

# --------------------------------------------------------------------------
# The data: an alias is a string (default rules) or a mapping with its rules
# --------------------------------------------------------------------------

CONTEXT_RULES = ("near", "not_near", "not_before", "not_after")


class AliasRule(Strict):
    """An alias and the rules it is matched by."""

    form: Text
    case: Literal["sensitive", "insensitive"] | None = None
    near: list[Text] = Field(default_factory=list)
    not_near: list[Text] = Field(default_factory=list)
    not_before: list[Text] = Field(default_factory=list)
    not_after: list[Text] = Field(default_factory=list)
    window: int = Field(default=10, ge=1, le=200)

    @property
    def has_context(self) -> bool:
        return any(getattr(self, rule) for rule in CONTEXT_RULES)


def _alias(raw: Any) -> Any:
    return raw if isinstance(raw, Mapping) else {"form": raw}


Alias = Annotated[AliasRule, BeforeValidator(_alias)]


# --------------------------------------------------------------------------
# Names and where they occur
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Name:
    """One form of one item, with how it is matched."""

    form: str
    kind: str  # "entity" or "term"
    id: str
    sensitive: bool = True
    # A case-sensitive form starting with a small letter ("generative AI") may also start with a capital.
    capital_start: bool = False
    rule: AliasRule | None = None  # with a context rule only

    @cached_property
    def variants(self) -> tuple[str, ...]:
        """The strings to look for: exact ones when case matters, else the case-folded form."""
        if not self.sensitive:
            return (self.form.casefold(),)
        if self.capital_start:
            return (self.form, self.form[0].upper() + self.form[1:])
        return (self.form,)


def name_of(form: str, kind: str, item_id: str, rule: AliasRule | None, *, case_by_form: bool) -> Name:
    """A form with its rules: the alias's own, else the kind's default.

    Entities' names are case-sensitive; a glossary form written in small
    letters matches in any case, one with a capital ("GAN", "Transformer") only
    as written, but for a first small letter that may be a capital.
    """
    case = rule.case if rule else None
    rule = rule if rule and rule.has_context else None  # the context rule, if any, is checked where the name is found
    if case == "insensitive":
        return Name(form, kind, item_id, sensitive=False, rule=rule)
    if case == "sensitive" or not case_by_form:
        return Name(form, kind, item_id, rule=rule)
    if not any(c.isupper() for c in form):
        return Name(form, kind, item_id, sensitive=False, rule=rule)
    return Name(form, kind, item_id, capital_start=form[0].islower(), rule=rule)


@dataclass(frozen=True)
class Span:
    """Where a name was found in a text."""

    start: int
    end: int
    name: Name


def _key(plain: str) -> str | None:
    """A name's first two words, or its one word; None unless it starts with a word."""
    if not (first := WORD.match(plain)):
        return None
    second = WORD.search(plain, first.end())
    return f"{first.group(0)} {second.group(0)}" if second else first.group(0)


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def whole_words(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] neither starts nor ends inside a word.

    A word goes on through a hyphen, and through a dot or a comma followed by a
    letter or digit ("R1-Lite", "GPT-4.5", "01.AI"); a dot ending a sentence ends it.
    """
    if start > 0:
        before = text[start - 1]
        if _is_word_char(before) or before in "-.":
            return False
    if end < len(text):
        after = text[end]
        if _is_word_char(after) or after == "-":
            return False
        if after in ".," and end + 1 < len(text) and _is_word_char(text[end + 1]):
            return False
    return True


class FormIndex:
    """Find which of many names occur in a text without trying every name on it.

    Names are grouped by their first two words, case-folded ("nguyễn văn" for
    "Nguyễn Văn An", "mô hình" for "mô hình ngôn ngữ"), or their one word;
    only the names whose words all occur in the text are looked for, each at
    C speed (``str.find``), then checked where found: whole words, context,
    longest wins. Keying on one word is not enough: Vietnamese names share
    family names and terms share their first syllable, so the names behind one
    word grow with the knowledge base; the cost of a page grows with the names
    it may hold, not with every name known.
    """

    def __init__(self, names: Iterable[Name]) -> None:
        self.always: list[Name] = []  # names that do not start with a word, tried on every text
        # A key's first word -> {its second word, or "" for a one-word key: the key}
        self._by_first: dict[str, dict[str, str]] = {}
        # key -> its names of no more words than the key's; and the longer ones, each with its later words
        self._whole: dict[str, list[Name]] = {}
        self._longer: dict[str, list[tuple[frozenset[str], Name]]] = {}
        for name in names:
            plain = name.form.casefold()
            if not (key := _key(plain)):
                self.always.append(name)
                continue
            first, _, second = key.partition(" ")
            self._by_first.setdefault(first, {})[second] = key
            if rest := frozenset(WORD.findall(plain)[2:]):
                self._longer.setdefault(key, []).append((rest, name))
            else:
                self._whole.setdefault(key, []).append(name)
        # A name -> the longer names that hold it, each with where in them it is ("LLaMA" -> "LLaMA 2", 0):
        # found through the same index (the names a longer name's own text may hold), not every pair.
        self._holders: dict[int, list[tuple[Name, int]]] = {}  # by id(name): a rule is not hashable
        for longer in [*self.always, *self._all()]:
            folded = longer.form.casefold()
            for name in self.candidates(longer.form, folded):
                inner = name.form.casefold()
                if len(inner) < len(folded):
                    at = folded.find(inner)
                    while at != -1:
                        if whole_words(folded, at, at + len(inner)):
                            self._holders.setdefault(id(name), []).append((longer, at))
                        at = folded.find(inner, at + 1)

    def holding(self, names: Iterable[Name]) -> list[Name]:
        """The longer names that hold any of these names (those that can hide them)."""
        held = [holder for name in names for holder, _ in self._holders.get(id(name), ())]
        return list({id(h): h for h in held}.values())

    def _all(self) -> Iterable[Name]:
        for names in self._whole.values():
            yield from names
        for longer in self._longer.values():
            yield from (name for _, name in longer)

    def candidates(self, text: str, folded: str | None = None) -> list[Name]:
        """The names whose words are all in the text (and those that do not start with a word)."""
        folded = text.casefold() if folded is None else folded
        words = set(WORD.findall(folded))
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
                found.extend(name for rest, name in longer[key] if rest <= words)
        return found

    def find(self, text: str, context: str | None = None, *, first: bool = False) -> list[Span]:
        """Every mention in a text (each name's first, if ``first``), in text order.

        A mention is a name found as whole words, in its context, and not
        inside a longer name found there ("LLaMA" in "LLaMA 2"). ``context`` is
        the text the context rules read (the same length as ``text``, which
        may have parts blanked out); by default the text itself.
        """
        context = text if context is None else context
        folded = text.casefold()
        same_length = len(folded) == len(text)  # case folding may lengthen a letter ("ß" -> "ss")
        spans = []
        for name in self.candidates(text, folded):
            holders = self._holders.get(id(name), ())
            for start, end in _occurrences(name, text, folded, same_length):
                if _found_at(name, text, context, start, end) and not any(
                    _is_at(holder, text, folded, same_length, start - at)
                    and _found_at(holder, text, context, start - at, start - at + len(holder.form))
                    for holder, at in holders
                ):
                    spans.append(Span(start, end, name))
                    if first:
                        break
        return sorted(spans, key=lambda s: (s.start, s.end, s.name.kind, s.name.id))

    def found_ids(self, text: str, kind: str | None = None) -> set[str]:
        """The ids of the items a text mentions (of one kind, if given)."""
        return {s.name.id for s in self.find(text, first=True) if kind is None or s.name.kind == kind}


def _found_at(name: Name, text: str, context: str, start: int, end: int) -> bool:
    return whole_words(text, start, end) and (name.rule is None or _in_context(name.rule, context, start, end))


def _is_at(name: Name, text: str, folded: str, same_length: bool, start: int) -> bool:
    """Whether a name is written at a place of the text (whole words or not)."""
    if start < 0:
        return False
    if name.sensitive:
        return any(text.startswith(variant, start) for variant in name.variants)
    if same_length:
        return folded.startswith(name.variants[0], start)
    return _insensitive(name.form).match(text, start) is not None


def _occurrences(name: Name, text: str, folded: str, same_length: bool) -> Iterable[tuple[int, int]]:
    """Where a name is written in a text, in text order (whole words or not)."""
    if name.sensitive or same_length:
        haystack = text if name.sensitive else folded
        found = []
        for variant in name.variants:
            at = haystack.find(variant)
            while at != -1:
                found.append((at, at + len(variant)))
                at = haystack.find(variant, at + 1)
        yield from sorted(found) if len(name.variants) > 1 else found
    else:
        for m in _insensitive(name.form).finditer(text):
            yield m.span()


@cache
def _insensitive(form: str) -> re.Pattern[str]:
    return re.compile(re.escape(form), re.I)


# --------------------------------------------------------------------------
# Context rules
# --------------------------------------------------------------------------


@cache
def _phrase(text: str) -> tuple[bool, tuple[str, ...]]:
    """A context phrase as (case matters, its words): words in small letters match in any case."""
    sensitive = any(c.isupper() for c in text)
    return sensitive, tuple(WORD.findall(text if sensitive else text.casefold()))


def _has(words: list[str], folded: list[str], phrase: str, *, at: Literal["any", "start", "end"]) -> bool:
    sensitive, wanted = _phrase(phrase)
    seq = words if sensitive else folded
    n = len(wanted)
    if not n or n > len(seq):
        return False
    if at == "start":
        return tuple(seq[:n]) == wanted
    if at == "end":
        return tuple(seq[-n:]) == wanted
    if n == 1:
        return wanted[0] in seq
    return any(tuple(seq[i : i + n]) == wanted for i in range(len(seq) - n + 1))


def _in_context(rule: AliasRule, text: str, start: int, end: int) -> bool:
    """Whether a match of an alias at text[start:end] keeps its context rule.

    Context is read in the match's own paragraph (line): ``window`` words each
    side for ``near`` and ``not_near``, the words right after it for
    ``not_before`` and right before it for ``not_after``.
    """
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    before = WORD.findall(text, line_start, start)[-rule.window :]
    after = WORD.findall(text, end, line_end)[: rule.window]
    before_f, after_f = " ".join(before).casefold().split(" "), " ".join(after).casefold().split(" ")
    if any(_has(after, after_f, p, at="start") for p in rule.not_before):
        return False
    if any(_has(before, before_f, p, at="end") for p in rule.not_after):
        return False
    near = [p for p in rule.near + rule.not_near]
    found = {p for p in near if _has(before, before_f, p, at="any") or _has(after, after_f, p, at="any")}
    if any(p in found for p in rule.not_near):
        return False
    return not rule.near or any(p in found for p in rule.near)


# --------------------------------------------------------------------------
# Risky aliases (``kb check`` warnings)
# --------------------------------------------------------------------------

SHORT = 2  # letters and digits: a form this short is risky whatever its case


class EverydayWords(Strict):
    """``data/everyday-words.yml``: words an alias should not be on its own, besides jusText's stop words."""

    en: list[Text] = Field(default_factory=list)
    vi: list[Text] = Field(default_factory=list)
    names: list[Text] = Field(default_factory=list)


@cache
def _stop_words() -> frozenset[str]:
    import justext

    return frozenset(justext.get_stoplist("Vietnamese")) | frozenset(justext.get_stoplist("English"))


def everyday_words(listed: EverydayWords | None) -> frozenset[str]:
    """Everyday words of either language and first names, case-folded."""
    extra = [*listed.en, *listed.vi, *listed.names] if listed else []
    return _stop_words() | {w.casefold() for w in extra}


def risk(name: Name, common: frozenset[str]) -> str | None:
    """Why a form may match text that does not mean its item, or None."""
    letters = sum(c.isalnum() for c in name.form)
    if letters <= SHORT:
        return f"is very short ({letters} letters or digits)"
    if letters == 3 and not name.sensitive and name.form.isalpha():
        return "is three small letters matched in any case"
    # Matched as written, an acronym ("GAN") is not the everyday word ("gan"); a capitalised word
    # ("Office", "Claude") is, at the start of a sentence, or as a first name.
    as_word = not name.sensitive or name.form[1:] == name.form[1:].lower()
    if as_word and name.form.casefold() in common:
        return "is an everyday word or a first name"
    return None


@dataclass(frozen=True)
class Located:
    """A name with where its item's data is: file, line and field, for a warning."""

    name: Name
    path: str
    line: int | None
    field: str


def risky_names(located: list[Located], common: frozenset[str]) -> list[Problem]:
    """Warnings for names that may match the wrong text, unless a context rule says where they apply."""
    owners: dict[tuple[str, str], set[str]] = {}
    for item in located:
        key = (item.name.kind, item.name.form if item.name.sensitive else item.name.form.casefold())
        owners.setdefault(key, set()).add(item.name.id)
    problems = []
    seen = set()
    for item in located:
        name = item.name
        if (name.rule and name.rule.has_context) or (name.id, name.form, item.field) in seen:
            continue
        seen.add((name.id, name.form, item.field))
        reasons = []
        if why := risk(name, common):
            reasons.append(why)
        key = (name.kind, name.form if name.sensitive else name.form.casefold())
        if others := sorted(owners[key] - {name.id}):
            reasons.append(f"is also a name of {', '.join(others)}")
        if reasons:
            problems.append(
                Problem(
                    item.path,
                    f"{name.form!r} {' and '.join(reasons)}, so it may be found where it means something else",
                    line=item.line,
                    field=item.field,
                    expected="a longer alias, or a mapping with rules that say where it applies "
                    "({form: …, near: […], not_near: […], not_before: […], not_after: […]}; see CONTRIBUTING.md)",
                    warning=True,
                )
            )
    return problems
