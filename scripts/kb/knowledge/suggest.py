"""``kb suggest``: what a contributor would dig out of an article by hand, as a draft.

For one article: candidate events (every date expression of every sentence,
resolved by :mod:`kb.knowledge.dates`, with its section anchor, the known
entities near it, likely topics and the existing events it may repeat),
candidate entities (names no entity or alias knows) and candidate glossary
terms (the patterns the sources use to introduce one). Nothing here reads
or writes a file but the article and data already loaded; the draft is
rendered by :func:`render_draft` and accepted by :mod:`kb.accept`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from kb import yamlio
from kb.content.project import Article
from kb.knowledge import similar
from kb.knowledge.dates import MONTHS_EN, DateMention, find_dates
from kb.knowledge.facts import EventDate, Knowledge, prose, term_forms
from kb.textutil import slugify

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*$")
_ATTR_LINE = re.compile(r"^\{:[^}]*\}\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[”\"’)]?\s+(?=[\"“‘(]?[A-ZÀ-ỸĐ0-9])")
_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)\*|\*(?!\w)|(?<!\w)_|_(?!\w)")
MAX_DUPLICATES = 3


@dataclass(frozen=True)
class Sentence:
    text: str
    section: str | None
    paragraph: str = ""  # the paragraph it is in (what names' context rules read), and where in it
    offset: int = 0

    def in_paragraph(self, start: int = 0, end: int | None = None) -> tuple[str, str]:
        """A part of the sentence (all of it by default) as a text the length of its paragraph, with
        the rest blanked out, and the paragraph: for :meth:`FormIndex.find` and its context rules."""
        paragraph = self.paragraph or self.text
        end = len(self.text) if end is None else end
        first, last = self.offset + start, self.offset + end
        return " " * first + paragraph[first:last] + " " * (len(paragraph) - last), paragraph


def sentences(article: Article) -> Iterator[Sentence]:
    """The article's sentences in order, each with the anchor of the section it is in (None before any)."""
    section: str | None = None
    in_fence = False
    block: list[str] = []

    def flush() -> Iterator[Sentence]:
        text = " ".join(block).strip()
        block.clear()
        text = _EMPHASIS.sub("", prose(text)).strip(" -*>")
        text = re.sub(r"\s+", " ", re.sub(r"^\d+\.\s+", "", text))
        text = re.sub(r"^[^\w\"“(]+", "", text)  # a list item's emoji
        at = 0
        for part in _SENTENCE_END.split(text):
            if part := part.strip():
                at = text.find(part, at)
                yield Sentence(part, section, text, at)
                at += len(part)

    for line in article.body.split("\n"):
        if re.match(r"^(`{3,}|~{3,})", line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        if m := _HEADING.match(line):
            yield from flush()
            heading = m[2]
            anchor = re.search(r"\{#([\w-]+)\}$", heading)
            section = anchor[1] if anchor else slugify(heading)
            continue
        if not line.strip() or _ATTR_LINE.match(line) or re.match(r"^\s*([-*+]|\d+\.)\s", line):
            yield from flush()
        if line.strip() and not _ATTR_LINE.match(line):
            block.append(re.sub(r"^\s*([-*+]|\d+\.)\s+", "", line))
    yield from flush()


# ------------------------------------------------------------------ events


@dataclass
class EventCandidate:
    date: EventDate
    mention: DateMention
    sentence: str
    section: str | None
    entities: list[str]
    topics: list[str]
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (event id, why)


def _segment(sentence: Sentence, mentions: list[DateMention], index: int) -> tuple[str, str]:
    """The part of a sentence that belongs to one of its dates, from the previous date to the next (as
    :meth:`Sentence.in_paragraph` gives it)."""
    start = mentions[index - 1].end if index else 0
    end = mentions[index + 1].start if index + 1 < len(mentions) else len(sentence.text)
    return sentence.in_paragraph(start, end)


def _topics(k: Knowledge, article: Article, entities: list[str]) -> list[str]:
    from_entities = [t for e in entities for t in k.entities[e].topics if t in k.topics]
    tags = [t for t in article.meta.tags if t in k.topics]
    both = [t for t in dict.fromkeys(from_entities) if t in tags]
    return both[:3] or list(dict.fromkeys(from_entities))[:2] or tags[:1]


def _entities(k: Knowledge, text: str, context: str | None = None) -> list[str]:
    """The entities a text names (``context``, of the same length, is what their context rules read)."""
    order = k.entity_order
    found = {s.name.id for s in k.names("vi").find(text, context, first=True) if s.name.kind == "entity"}
    return sorted(found, key=order.__getitem__)


def event_candidates(k: Knowledge, article: Article) -> list[EventCandidate]:
    """One candidate per date expression, in the article's order."""
    published = article.meta.published.date
    found: list[EventCandidate] = []
    previous: EventDate | None = None
    section: str | None = None
    last_entities: list[str] = []  # "the company" in a sentence is most likely the one named just before
    for s in sentences(article):
        if s.section != section:  # a relative date counts from a date of its own section
            section, previous, last_entities = s.section, None, []
        mentions = find_dates(s.text, published, previous)
        in_sentence = _entities(k, *s.in_paragraph())
        for i, mention in enumerate(mentions):
            entities = _entities(k, *_segment(s, mentions, i)) or in_sentence or last_entities
            candidate = EventCandidate(
                mention.date, mention, s.text, s.section, entities, _topics(k, article, entities)
            )
            for event, likeness in similar.likely_duplicates(mention.date, entities, s.text, k.events)[:MAX_DUPLICATES]:
                candidate.duplicates.append((event.id, likeness.reason()))
            found.append(candidate)
        if mentions:
            previous = mentions[-1].date
        last_entities = in_sentence or last_entities
    return found


# ---------------------------------------------------------------- entities

_NAME_WORD = r"(?:[A-Z][A-Za-z0-9]*(?:[-.&'][A-Za-z0-9]+)*|[a-z]{1,2}\d[\w.-]*)"
_NAME_NEXT = r"(?:[A-Z][A-Za-z0-9]*(?:[-.&'][A-Za-z0-9]+)*|\d+(?:\.\d+)*[A-Za-z]?|mini|[a-z]\d\w*)"
# not followed by a capitalised Vietnamese word: "Hoa Kỳ", "Trung Quốc" are Vietnamese names of places
_NAME = re.compile(rf"(?<![\w.@/-]){_NAME_WORD}(?: {_NAME_NEXT})*(?![\w@/-])(?! [A-ZÀ-ỸĐ]\w*[^\x00-\x7f])")
_VI_UPPER = "A-ZÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬĐÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴ"
_VI_SYLLABLE = rf"[{_VI_UPPER}][^\W\d_A-Z]*"
FAMILY_NAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Lâm",
    "Tô",
    "Đào",
]
_VI_PERSON = re.compile(rf"\b(?:{'|'.join(FAMILY_NAMES)})(?: {_VI_SYLLABLE}){{1,3}}\b")
PERSON_CUES = re.compile(
    r"(?i:\b(?:ông|bà|anh|chị|tiến sĩ|giáo sư|nhà phân tích|chuyên gia|nhà sáng lập|người sáng lập|đồng sáng lập|"
    r"chủ tịch|giám đốc|doanh nhân|học giả|lập trình viên|nhà nghiên cứu|CEO|CFO|founder|analyst|says|said)\b)"
)
_CUE_BEFORE = re.compile(rf"{PERSON_CUES.pattern}\s*$")  # 'nhà phân tích Jane Doe'
_CUE_AFTER = re.compile(rf"\s*,?\s*{PERSON_CUES.pattern}")  # 'Sarah Friar, giám đốc…'
NOT_NAMES = frozenset(
    [
        "AI",
        "USD",
        "CEO",
        "CFO",
        "CTO",
        "API",
        "PDF",
        "URL",
        "DNA",
        "RNA",
        "GDPR",
        "PoC",
        "ROI",
        "OK",
        "TV",
        "USA",
        "US",
        "UK",
        "EU",
        *MONTHS_EN,
        *("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
    ]
)


@dataclass
class EntityCandidate:
    name: str
    type: str | None
    sentence: str
    section: str | None
    count: int = 1
    only_opening: bool = False


def _ordinary_words(articles_text: str) -> set[str]:
    """Words the articles also write in lower case: 'Theo', 'Trong' are sentence openings, not names."""
    return {w for w in re.findall(r"\b[a-z]+\b", articles_text)}


def entity_candidates(k: Knowledge, article: Article, ordinary: set[str]) -> list[EntityCandidate]:
    """Names no entity (name or alias) and no glossary term knows, once each, in the article's order."""
    known_terms = {f.casefold() for t in k.terms.values() for lang in ("vi", "en") for f in term_forms(t, lang)}
    found: dict[str, EntityCandidate] = {}
    for s in sentences(article):
        people = [(m.start(), m[0], "person") for m in _VI_PERSON.finditer(s.text)]
        inside = [(m.start(), m.end()) for m in _VI_PERSON.finditer(s.text)]
        names = [
            (m.start(), m[0], None)
            for m in _NAME.finditer(s.text)
            if not any(a <= m.start() < b for a, b in inside)  # 'An' of 'Nguyễn Văn An'
        ] + people
        for start, raw, kind in names:
            words = raw.split(" ")
            opens = start == 0 or re.search(r"[:\"“]\s*$", s.text[:start]) is not None
            if opens:  # a capital that only opens the sentence: 'Theo ông Wang', 'Tuy nhiên'
                while words and not words[0].isupper() and words[0].lower() in ordinary:
                    words = words[1:]
                if not words:
                    continue
                start = s.text.find(words[0])
            while words and words[0] in NOT_NAMES:  # 'startup AI DeepSeek' -> 'DeepSeek'
                start, words = s.text.find(words[1], start) if len(words) > 1 else start, words[1:]
            name = " ".join(words)
            plain_word = len(words) == 1 and not re.search(r"\d|.[A-Z]", name)
            if plain_word and name.lower() in ordinary:  # 'Trung Quốc', 'Giao diện', 'Ban đầu'
                continue
            if not name or name in NOT_NAMES or name.casefold() in known_terms or len(name) < 2:
                continue
            if re.fullmatch(r"[\d.]+[A-Za-z]?", name) or (name.isalpha() and name.isupper() and len(name) <= 2):
                continue
            if _known(k, name):
                continue
            opening = opens and plain_word
            if name in found:
                found[name].count += 1
                found[name].only_opening &= opening
                continue
            before = s.text[max(0, start - 40) : start]
            if kind is None:
                if re.search(r"\d", name):
                    kind = "model"
                elif _CUE_BEFORE.search(before) or _CUE_AFTER.match(s.text[start + len(raw) :]):
                    kind = "person" if len(words) >= 2 else None
            found[name] = EntityCandidate(name, kind, s.text, s.section, only_opening=opening)
    # a single plain word seen only where a sentence starts is most likely an ordinary word
    return [c for c in found.values() if not c.only_opening]


def _known(k: Knowledge, name: str) -> bool:
    """Whether a name is an entity's name or alias, or made only of known names and ordinary words.

    Forms are compared as written, whatever their context rules ("R1" is known even where
    no "DeepSeek" is near): a candidate is a name nothing in the data has.
    """
    index = k.names("vi")
    forms = sorted({n.form for n in index.candidates(name) if n.kind == "entity"}, key=lambda f: (-len(f), f))
    if name in forms:
        return True
    rest = name
    for form in forms:
        rest = re.sub(rf"(?<![\w-]){re.escape(form)}(?![\w-])", " ", rest)
    return not re.search(r"[A-Z0-9]", rest)


# ---------------------------------------------------------------- glossary

_STOP_VI = frozenset(
    [
        "các",
        "những",
        "một",
        "là",
        "được",
        "của",
        "và",
        "với",
        "cho",
        "trong",
        "trên",
        "từ",
        "này",
        "đó",
        "khi",
        "như",
        "hay",
        "hoặc",
        "bằng",
        "thông",
        "qua",
        "gọi",
        "kỹ",
        "thuật",
        "phương",
        "pháp",
        "sử",
        "dụng",
        "dùng",
        "còn",
        "nhờ",
        "về",
        "theo",
        "đến",
        "ra",
        "không",
        "phải",
        "có",
        "sẽ",
        "đã",
        "đang",
        "rằng",
        "thì",
        "mà",
        "nên",
        "nhưng",
        "vì",
    ]
)
_LATIN_PHRASE = r"[A-Za-z][A-Za-z0-9'’.+/-]*(?: [A-Za-z0-9][A-Za-z0-9'’.+/-]*){0,5}"
_VI_IN_PARENS = re.compile(r"(?P<before>[^()]{2,80}?)\s*\((?P<inner>[^()]{2,60})\)")
_QUOTED = re.compile(r"[\"“]([^\"“”]{2,60})[\"”]\s*$")
TERM_PATTERNS = [
    (
        "also-called",
        re.compile(
            r"(?P<a>[^,.;:()]{3,60}?),?\s+(?i:hay còn gọi là|còn gọi là|hay còn được gọi là)\s+(?P<b>[^,.;:()]{2,60})"
        ),
    ),
    ("called-or", re.compile(r"(?i:gọi là)\s+(?P<a>[^,.;:()]{3,60}?),\s+hay\s+(?P<b>[^,.;:()]{2,40})")),
    ("abbreviation", re.compile(r"(?P<a>[^,.;:()]{2,60}?)\s*\((?i:viết tắt của)\s+(?P<b>[^()]{2,60})\)")),
    ("known-as", re.compile(r"(?i:được gọi là|known as|so-called|cái gọi là)\s+[\"“]?(?P<b>[^,.;:()\"”]{2,60})[\"”]?")),
]


@dataclass
class TermCandidate:
    vi: str
    en: str
    pattern: str
    sentence: str
    section: str | None


def _has_vi(text: str) -> bool:
    return bool(re.search(r"[^\x00-\x7f]", text))


def _vi_tail(text: str, limit: int = 6) -> str:
    """The Vietnamese phrase that ends a text: a quoted one, or its last words up to a little word."""
    text = text.rstrip()
    if m := _QUOTED.search(text):
        return m[1].strip()
    words: list[str] = []
    for word in reversed(re.split(r"\s+", re.split(r"[,.;:–—\"”“]", text)[-1].strip())):
        if not word or word.lower() in _STOP_VI or len(words) >= limit:
            break
        words.insert(0, word)
    return " ".join(words)


def _head(text: str, limit: int = 5) -> str:
    """The phrase that opens a text: its first words up to a little word."""
    words: list[str] = []
    for word in re.split(r"\s+", re.split(r"[,.;:–—\"”“]", text.strip())[0].strip()):
        if not word or (words and word.lower() in _STOP_VI) or len(words) >= limit:
            break
        words.append(word)
    return " ".join(words)


def term_candidates(k: Knowledge, article: Article) -> list[TermCandidate]:
    known = {f.casefold() for t in k.terms.values() for lang in ("vi", "en") for f in term_forms(t, lang)}
    known |= {f.casefold() for e in k.entities.values() for f in (e.name.vi, e.name.en, *(a.form for a in e.aliases))}
    found: dict[tuple[str, str], TermCandidate] = {}

    def add(vi: str, en: str, pattern: str, s: object) -> None:
        vi, en = vi.strip(" “”\"'"), en.strip(" “”\"'")
        if (not vi and not en) or vi.casefold() in known or en.casefold() in known:
            return
        if re.fullmatch(r"[\d\s.,/%-]*", en or vi):
            return
        key = (vi.casefold(), en.casefold())
        if key not in found:
            found[key] = TermCandidate(vi, en, pattern, s.text, s.section)  # type: ignore[attr-defined]

    for s in sentences(article):
        for m in _VI_IN_PARENS.finditer(s.text):
            inner = m["inner"].strip()
            if inner.lower().startswith("viết tắt"):
                continue
            first = inner.split()[0].lower()
            if not _has_vi(inner) and re.fullmatch(_LATIN_PHRASE, inner):
                vi = _vi_tail(m["before"])
                if vi and _has_vi(vi) and any(w[0].islower() for w in vi.split()):
                    add(vi, inner, "vi (en)", s)
            elif _has_vi(inner) and inner[0].islower() and first not in _STOP_VI and len(inner.split()) <= 6:
                tail = re.search(rf"(?<!\w)({_LATIN_PHRASE})\s*$", m["before"])
                if tail and not _has_vi(tail[1]):
                    add(inner, tail[1], "en (vi)", s)
        for name, pattern in TERM_PATTERNS:
            for m in pattern.finditer(s.text):
                a = _vi_tail(m.groupdict().get("a") or "") if m.groupdict().get("a") else ""
                b = _head(m["b"])
                vi, en = (a, b) if not _has_vi(b) else (b, a)
                add(vi, en, name, s)
    return list(found.values())


# ------------------------------------------------------------------ draft


@dataclass
class Suggestions:
    article: Article
    events: list[EventCandidate]
    entities: list[EntityCandidate]
    terms: list[TermCandidate]


def suggest(k: Knowledge, article: Article, all_articles: list[Article]) -> Suggestions:
    ordinary = _ordinary_words("\n".join(a.body for a in all_articles))
    return Suggestions(
        article, event_candidates(k, article), entity_candidates(k, article, ordinary), term_candidates(k, article)
    )


DRAFT_GUIDANCE = """\
# kb suggest: candidate facts found in the article {slug} (published {published}).
# A draft: nothing here is in data/ yet. For each item you keep:
#   - set `accept: true`, fill in both languages (title/description, names,
#     definitions: an empty text is refused) and check every value against
#     the article (CONTRIBUTING.md, rules 4-6): never keep a date, number or
#     name the source does not give;
#   - an event's `note` says how a relative date was worked out: keep it;
#   - `context:` (the sentence, likely duplicates, how it was found) is for
#     you to read and is not written to data/.
# Then: kb suggest --accept {draft}
# Every accepted item is checked as `kb new event|entity|term` checks it, and
# nothing is written unless all of them are right.
"""


def _source(article: Article, section: str | None) -> dict[str, str]:
    return {"article": article.slug, "section": section} if section else {"article": article.slug}


def draft_data(found: Suggestions) -> dict:
    article = found.article
    events = []
    for c in found.events:
        item: dict = {
            "accept": False,
            "date": c.date.iso(),
            "title": {"vi": "", "en": ""},
            "description": {"vi": c.sentence, "en": ""},
            "entities": c.entities,
            "topics": c.topics,
            "source": _source(article, c.section),
        }
        if c.mention.note_en:
            item["note"] = {"vi": c.mention.note_vi, "en": c.mention.note_en}
        context: dict = {"date_text": c.mention.text, "sentence": c.sentence}
        if c.duplicates:
            context["likely_duplicates"] = [f"{event_id}: {why}" for event_id, why in c.duplicates]
        item["context"] = context
        events.append(item)
    entities = [
        {
            "accept": False,
            "type": c.type,
            "name": {"vi": c.name, "en": c.name},
            "aliases": [c.name],
            "description": {"vi": "", "en": ""},
            "topics": [],
            "context": {"sentence": c.sentence, "section": c.section, "mentions": c.count},
        }
        for c in found.entities
    ]
    terms = [
        {
            "accept": False,
            "term": {"vi": c.vi, "en": c.en},
            "definition": {"vi": "", "en": ""},
            "source": _source(article, c.section),
            "context": {"sentence": c.sentence, "found_as": c.pattern},
        }
        for c in found.terms
    ]
    return {"article": article.slug, "events": events, "entities": entities, "terms": terms}


def render_draft(found: Suggestions, draft_name: str) -> str:
    head = DRAFT_GUIDANCE.format(
        slug=found.article.slug, published=found.article.meta.published.iso(), draft=draft_name
    )
    return head + yamlio.dump(draft_data(found))
