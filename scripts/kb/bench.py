"""Benchmark: build a synthetic knowledge base of N articles and measure the build.

``make_corpus`` writes a complete project (seeds, metadata, English
translations, entities, events and glossary) whose text is generated from
word pools drawn from the real Vietnamese and English articles. ``run``
builds it the way ``kb build`` does, builds the "floor" (the same Markdown
with our generation step already done, by plain MkDocs) and reports times,
peak memory and sizes as a Markdown table.

Usage: python -m kb.bench --sizes 100,1000,5000 [--workdir DIR] [--keep] [--out FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import html.parser
import itertools
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import Any

from kb import ingest, yamlio
from kb.content.project import ARTICLES, Paths
from kb.content.schema import DEFAULT_LANG, LANGS, SeedMeta
from kb.content.structure import blocks as split_blocks
from kb.content.structure import strip_front_matter
from kb.search import pagefind
from kb.site import article_pages, hook, pages
from kb.textutil import read_text, short_hash, slugify

DEFAULT_SIZES = (100, 500, 1000, 5000)  # the target compares 5,000 with 500
# A reader's first searches: the commonest words of the corpus (the biggest index chunks), a name, a term.
FIRST_SEARCHES = {
    # Typed with and without marks: most Vietnamese readers type without them.
    "vi": ("mô hình ngôn ngữ", "mo hinh ngon ngu", "trí tuệ nhân tạo", "OpenAI", "dữ liệu huấn luyện"),
    "en": ("language model", "artificial intelligence", "OpenAI", "training data"),
}
TYPING_DELAY_MS = 120  # a quick reader: about eight characters a second
# Article images point at this host; the benchmark's server stands in for it with a placeholder.
IMAGE_HOST = "https://static.example.org/images/"
IMAGE_STAND_IN = "/_bench-images/"
PLACEHOLDER_SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="675" viewBox="0 0 1200 675">'
    b'<rect width="1200" height="675" fill="#d8dce8"/></svg>'
)
# What make_corpus copies from the real project, besides the top-level pages of docs/<lang>/.
COPIED = ("mkdocs.yml", "mkdocs.en.yml", "overrides", "scripts/kb", "data/ui.yml", "data/topics.yml")
FONT_EXTENSIONS = (".woff2", ".woff", ".ttf", ".otf", ".eot")

# --------------------------------------------------------------------------
# Text pools: word chains and headings from the real articles
# --------------------------------------------------------------------------

_KEEP_PUNCT = set(".,;:!?'’–—-")
_SENTENCE_END = re.compile(r"[.!?]$")
_BAD_SENTENCE = re.compile(r"[\d\[\]<>|*_`#{}/\\\"“”()]|https?:")
_NUMBERING = re.compile(r"^\d+(?:\.\d+)*\.?\s*")


def _clean_prose(text: str) -> str:
    """Plain prose of a Markdown block: no markup, links, quotes, symbols or emoji."""
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|<https?://[^>]+>|<[^>]+>|\{[:#][^}]*\}", " ", text)
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s*(?:[-*+]|\d+[.)])\s+", "", text, flags=re.M)
    kept = [
        ch if unicodedata.category(ch)[0] in "LMNZ" or ch in _KEEP_PUNCT or ch in "\n\t" else " "
        for ch in unicodedata.normalize("NFC", text)
    ]
    text = re.sub(r"\s+", " ", "".join(kept))
    return re.sub(r"\s+(?=[,.;:!?])", "", text).strip()


def _sentences(text: str) -> list[str]:
    """Sentences of a clean prose text that start with a letter."""
    parts = re.split(r"(?<=[.!?])\s+", text)
    return [p for p in parts if len(p.split()) >= 5 and p[:1].isalpha() and _SENTENCE_END.search(p)]


class Chain:
    """An order-2 word chain that writes new sentences in the style of its source text."""

    def __init__(self, sentences: list[str]) -> None:
        self.starts: list[tuple[str, str]] = []
        self.follow: dict[tuple[str, str], list[str]] = {}
        for sentence in sentences:
            words = sentence.split()
            self.starts.append((words[0], words[1]))
            for a, b, c in zip(words, words[1:], words[2:], strict=False):
                self.follow.setdefault((a, b), []).append(c)
        self.fallback = [s for s in sentences if not _BAD_SENTENCE.search(s)]
        if not self.fallback:
            raise ValueError("no usable sentence in the source text")

    def sentence(self, rng: random.Random, min_words: int = 6, max_words: int = 40) -> str:
        """One sentence without digits or markup, ending with a full stop."""
        for _ in range(40):
            words = list(rng.choice(self.starts))
            while not _SENTENCE_END.search(words[-1]) and len(words) <= max_words:
                options = self.follow.get((words[-2], words[-1]))
                if not options:
                    break
                words.append(rng.choice(options))
            text = " ".join(words)
            if min_words <= len(words) <= max_words and _SENTENCE_END.search(text) and not _BAD_SENTENCE.search(text):
                return text
        return rng.choice(self.fallback)

    def phrase(self, rng: random.Random, low: int = 3, high: int = 8) -> str:
        """A short capitalised phrase without final punctuation, for headings and titles."""
        words = self.sentence(rng).split()[: rng.randint(low, high)]
        text = " ".join(words).rstrip(".,;:!?–—- ")
        return text[:1].upper() + text[1:]


@dataclass
class Pools:
    """Sentence chains and heading pools for each language."""

    chains: dict[str, Chain]
    headings: dict[str, list[str]]

    def sentence(self, lang: str, rng: random.Random, **kwargs: int) -> str:
        return self.chains[lang].sentence(rng, **kwargs)

    def heading(self, lang: str, rng: random.Random) -> str:
        if rng.random() < 0.5 and self.headings[lang]:
            return rng.choice(self.headings[lang])
        return self.chains[lang].phrase(rng)


def _page_bodies(files: list[Path]) -> list[str]:
    return [strip_front_matter(read_text(f, f.name)) for f in files]


def load_pools(source_root: Path) -> Pools:
    """Chains and headings from the golden Vietnamese pages and the English translations."""
    sources = {
        "vi": sorted((source_root / "tests" / "golden").glob("*.md")),
        "en": sorted((source_root / "docs" / "en" / ARTICLES).glob("*.md")),
    }
    chains, headings = {}, {}
    for lang, files in sources.items():
        sentences: list[str] = []
        found: list[str] = []
        for body in _page_bodies(files):
            for block in split_blocks(body):
                if m := re.match(r"^#{2,6}\s+(.+)$", block):
                    heading = _clean_prose(_NUMBERING.sub("", re.sub(r"\{#[^}]*\}", "", m[1])))
                    heading = heading.rstrip(".,;:!?–—- ")
                    if heading and not re.search(r"\d", heading) and len(heading.split()) <= 12:
                        found.append(heading)
                elif not block.startswith(("!", "|", "<")):
                    sentences += _sentences(_clean_prose(block))
        chains[lang] = Chain(sentences)
        headings[lang] = list(dict.fromkeys(found))
    return Pools(chains, headings)


# --------------------------------------------------------------------------
# Entities and glossary terms the articles mention
# --------------------------------------------------------------------------


def _words(text: str) -> list[str]:
    return text.split()


_SYLLABLES = _words("ka lo mi ra ve to nu si da pe zo ri ban tor lex vin qua mar nel sor fi ge hu ja ky len tam vo")
_FAMILY = _words("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý")
_MIDDLE = _words("Văn Thị Minh Thanh Quang Ngọc Hữu Đức Thu Bảo Gia Anh")
_GIVEN = _words(
    "An Bình Châu Dũng Giang Hà Hải Hạnh Hiếu Hùng Khoa Lan Linh Long Mai Nam Nga Phong Phúc Quân Sơn Tâm Thảo "
    "Trang Trung Tuấn Tú Uyên Việt Vy Yến"
)
_PUBLISHERS = [
    "VnExpress",
    "Tuổi Trẻ",
    "Thanh Niên",
    "Dân trí",
    "Báo Giao thông",
    "Tạp chí Tia Sáng",
    "ICTNews",
    "Viblo",
    "Zing News",
    "Người Lao Động",
]
_DOMAINS = ["vnexpress.net", "tuoitre.vn", "thanhnien.vn", "dantri.com.vn", "baogiaothong.vn", "tiasang.com.vn"]
_EMOJI = ["🔹", "💡", "📈", "⚡", "🔍", "🧠", "🌱", "🎯", "🔒", "🛠️"]

_ENTITY_KINDS = [
    # type, weight, vi name, en name, vi description, en description
    (
        "organization",
        35,
        "{p} Labs",
        "{p} Labs",
        "Phòng thí nghiệm AI được nhắc đến trong các bài viết về {topic}.",
        "An AI lab that appears in articles about {topic}.",
    ),
    (
        "organization",
        10,
        "Viện {p}",
        "{p} Institute",
        "Viện nghiên cứu theo dõi lĩnh vực {topic}.",
        "A research institute that follows {topic}.",
    ),
    (
        "model",
        30,
        "{p}-{k}",
        "{p}-{k}",
        "Mô hình AI thuộc nhóm {topic}.",
        "An AI model in the field of {topic}.",
    ),
    (
        "product",
        10,
        "Trợ lý {p}",
        "{p} Assistant",
        "Sản phẩm dành cho người dùng cuối, liên quan đến {topic}.",
        "A consumer product related to {topic}.",
    ),
    (
        "product",
        5,
        "{p} Studio",
        "{p} Studio",
        "Công cụ cho nhà phát triển trong lĩnh vực {topic}.",
        "A developer tool in the field of {topic}.",
    ),
    (
        "person",
        10,
        "",
        "",
        "Nhà nghiên cứu được trích dẫn trong các bài viết về {topic}.",
        "A researcher quoted in articles about {topic}.",
    ),
]
_TERM_KINDS = [
    ("học {p}", "{p} learning"),
    ("mô hình {p}", "{p} model"),
    ("kiến trúc {p}", "{p} architecture"),
    ("thuật toán {p}", "{p} algorithm"),
    ("tác nhân {p}", "{p} agent"),
    ("phép {p} hóa", "{p}isation"),
]
# Sentences that mention an entity ({e}, {e2}) and numbers, identical digits in both languages.
_ENTITY_SENTENCES = [
    (
        "Theo {e}, con số này đã tăng khoảng {n} phần trăm trong năm qua.",
        "According to {e}, this figure grew by about {n} percent over the past year.",
    ),
    (
        "Năm {y}, {e} công bố một loạt kết quả nghiên cứu mới.",
        "In {y}, {e} published a series of new research results.",
    ),
    (
        "Hiện nay {e} và {e2} đang cạnh tranh trực tiếp trong lĩnh vực này.",
        "Today {e} and {e2} compete directly in this field.",
    ),
    (
        "Mô hình mới của {e} đạt {dvi} điểm trên bảng xếp hạng chung.",
        "The new model from {e} scored {den} points on the overall leaderboard.",
    ),
    (
        "Khoản đầu tư dành cho {e} ước tính lên tới {kvi} triệu USD.",
        "Investment in {e} is estimated at up to {ken} million USD.",
    ),
    (
        "Nhiều chuyên gia cho rằng {e} sẽ còn giữ vai trò quan trọng trong {n} năm tới.",
        "Many experts believe {e} will keep an important role over the next {n} years.",
    ),
    (
        "Đại diện {e} cho biết sản phẩm đã có hơn {kvi} người dùng thử nghiệm.",
        "A representative of {e} said the product already has more than {ken} trial users.",
    ),
    (
        "Không chỉ {e}, nhiều công ty khác cũng tham gia cuộc đua.",
        "Besides {e}, many other companies have joined the race.",
    ),
]
_TERM_SENTENCES = [
    (
        "Khái niệm {t} ngày càng xuất hiện nhiều trong các báo cáo chuyên ngành.",
        "The notion of {t} appears more and more often in industry reports.",
    ),
    (
        "Trong bối cảnh đó, {t} trở thành chủ đề được thảo luận sôi nổi.",
        "In that context, {t} has become a hotly debated topic.",
    ),
    ("Các nhà nghiên cứu đặc biệt chú ý đến {t}.", "Researchers pay particular attention to {t}."),
]
_EVENT_TITLES = [
    ("{e} công bố kết quả nghiên cứu mới", "{e} announces new research results"),
    ("{e} ra mắt phiên bản mới", "{e} launches a new version"),
    ("{e} nhận khoản đầu tư lớn", "{e} receives a major investment"),
    ("{e} mở rộng ra thị trường quốc tế", "{e} expands into international markets"),
    ("{e} công bố hợp tác chiến lược", "{e} announces a strategic partnership"),
]


def _unaccent(text: str) -> str:
    """Vietnamese without diacritics, case kept: 'Đặng Thu Hà' -> 'Dang Thu Ha'."""
    text = text.replace("đ", "d").replace("Đ", "D")
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def _lower_first(name: str) -> str:
    """'Mô hình mở' -> 'mô hình mở', but 'AI tạo sinh' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _pseudo_word(rng: random.Random, used: set[str], syllables: int) -> str:
    """A new made-up word of at least ``syllables`` syllables.

    Two syllables give only a few hundred words of five letters or more: when
    draws keep hitting used words, the word grows a syllable, so a large
    corpus never waits for a word that no longer exists.
    """
    for attempt in itertools.count():
        word = "".join(rng.choice(_SYLLABLES) for _ in range(syllables + attempt // 20))
        if len(word) >= 5 and word not in used:
            used.add(word)
            return word
    raise AssertionError("unreachable")


def _same_digits(a: str, b: str) -> bool:
    return re.findall(r"\d+", a) == re.findall(r"\d+", b)


def _usable_form(text: str) -> bool:
    return not re.search(r"[/\[\]*_#{}<>|`\"]", text)


@dataclass
class Mentionable:
    """An entity or term as the text generator uses it: an id and (vi, en) surface forms."""

    id: str
    forms: list[tuple[str, str]]
    data: dict[str, Any]
    topics: list[str] = field(default_factory=list)


def _unique_id(base: str, used: set[str]) -> str:
    base = base[:50].strip("-") or "item"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    used.add(candidate)
    return candidate


def _entity_forms(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Forms an article may write an entity with, in Vietnamese and in English."""
    name = data["name"]
    forms = [(a, a) for a in data.get("aliases", []) if _usable_form(a)]
    if _usable_form(name["vi"]) and _usable_form(name["en"]) and _same_digits(name["vi"], name["en"]):
        forms.append((name["vi"], name["en"]))
    return forms


def make_entities(count: int, real: list[dict], topics: dict[str, dict], rng: random.Random) -> list[Mentionable]:
    """The real entities first, then synthetic ones up to ``count``; ``topics`` maps id to topic."""
    topic_ids = list(topics)
    result: list[Mentionable] = []
    used_ids: set[str] = set()
    for data in real[:count]:
        used_ids.add(data["id"])
        if forms := _entity_forms(data):
            result.append(Mentionable(data["id"], forms, data, list(data.get("topics", []))))
    used_words = {w.casefold() for d in real for w in re.findall(r"\w+", " ".join(d.get("aliases", [])))}
    used_people: set[str] = set()
    kinds, weights = [k[:1] + k[2:] for k in _ENTITY_KINDS], [k[1] for k in _ENTITY_KINDS]
    while len(result) < count:
        kind, vi_name, en_name, vi_desc, en_desc = rng.choices(kinds, weights)[0]
        entity_topics = sorted(rng.sample(topic_ids, rng.randint(1, 3)), key=topic_ids.index)
        if kind == "person":
            vi = " ".join((rng.choice(_FAMILY), rng.choice(_MIDDLE), rng.choice(_GIVEN)))
            if vi in used_people:
                continue
            used_people.add(vi)
            en, aliases = _unaccent(vi), [vi]
        else:
            p = _pseudo_word(rng, used_words, rng.randint(2, 3)).capitalize()
            k = rng.choice([2, 3, 4, 5, 7, 8, 12, 70])
            vi, en = vi_name.format(p=p, k=k), en_name.format(p=p, k=k)
            aliases = [vi] if kind == "model" else [p]
        description = {"vi": vi_desc, "en": en_desc}
        topic_name = topics[entity_topics[0]]["name"]
        data = {
            "id": _unique_id(slugify(en), used_ids),
            "type": kind,
            "name": {"vi": vi, "en": en},
            "aliases": aliases,
            "description": {lang: description[lang].format(topic=_lower_first(topic_name[lang])) for lang in LANGS},
            "topics": entity_topics,
        }
        result.append(Mentionable(data["id"], _entity_forms(data), data, entity_topics))
    return result


def make_terms(count: int, real: list[dict], rng: random.Random, pools: Pools) -> list[Mentionable]:
    """The real glossary terms, then synthetic ones up to ``count``."""
    result: list[Mentionable] = []
    used_ids = {t["id"] for t in real}
    for data in real[:count]:
        term = data["term"]
        forms = [(term["vi"], term["en"])] if _same_digits(term["vi"], term["en"]) else []
        result.append(Mentionable(data["id"], forms, {k: v for k, v in data.items() if k != "source"}))
    used_words: set[str] = set()
    while len(result) < count:
        vi_form, en_form = rng.choice(_TERM_KINDS)
        p = _pseudo_word(rng, used_words, 3)
        vi, en = vi_form.format(p=p), en_form.format(p=p)
        data: dict[str, Any] = {"id": _unique_id(slugify(en), used_ids), "term": {"vi": vi, "en": en}}
        if rng.random() < 0.3:
            data["aliases"] = {"vi": [en], "en": [p.upper()[:4]]}
        data["definition"] = {
            "vi": f"Thuật ngữ chỉ {vi}. {pools.sentence('vi', rng)}",
            "en": f"The term for {en}. {pools.sentence('en', rng)}",
        }
        result.append(Mentionable(data["id"], [(vi, en)], data))
    return result


# --------------------------------------------------------------------------
# One article: its blocks in the seed, after ingest, and in English
# --------------------------------------------------------------------------


@dataclass
class Block:
    """One block of an article: as written in the seed, as ingest converts it, and translated."""

    raw: str
    vi: str
    en: str
    glue: bool = False  # in the seed, joined to the block before by a single line break


@dataclass
class Planned:
    """What the rest of the corpus needs to know about one written article."""

    slug: str
    tags: list[str]
    published: dt.date
    sections: list[str]  # heading anchors
    mentions: list[tuple[str, str | None]]  # (entity id, section anchor or None for the lead)
    terms: list[tuple[str, str | None]]


class ArticleWriter:
    """Writes the blocks of one synthetic article, keeping both languages in step."""

    def __init__(
        self,
        rng: random.Random,
        pools: Pools,
        entities: list[Mentionable],
        weights: list[float],
        terms: list[Mentionable],
    ) -> None:
        self.rng, self.pools = rng, pools
        self.entities, self.cum_weights = entities, weights
        self.terms = [t for t in terms if t.forms]
        self.section: str | None = None
        self.mentions: list[tuple[str, str | None]] = []
        self.term_uses: list[tuple[str, str | None]] = []
        self.cast: list[Mentionable] = []

    def choose_cast(self, must: Mentionable | None) -> None:
        picks = self.rng.choices(self.entities, cum_weights=self.cum_weights, k=self.rng.randint(3, 9))
        self.cast = list({e.id: e for e in ([must] if must else []) + picks}.values())

    def _entity_sentence(self, entity: Mentionable | None = None) -> tuple[str, str]:
        rng = self.rng
        entity = entity or rng.choice(self.cast)
        other = rng.choice(self.cast)
        vi_t, en_t = rng.choice(_ENTITY_SENTENCES if other is not entity else _ENTITY_SENTENCES[:2])
        (e_vi, e_en), (e2_vi, e2_en) = rng.choice(entity.forms), rng.choice(other.forms)
        a, b, head, tail = rng.randint(1, 99), rng.randint(1, 9), rng.randint(1, 99), rng.randint(100, 999)
        values = {"n": rng.randint(2, 95), "y": rng.randint(2010, 2026)}
        # Decimal comma and thousands dot in Vietnamese, the other way round in English: same digit runs.
        vi = vi_t.format(e=e_vi, e2=e2_vi, dvi=f"{a},{b}", kvi=f"{head}.{tail}", **values)
        en = en_t.format(e=e_en, e2=e2_en, den=f"{a}.{b}", ken=f"{head},{tail}", **values)
        self.mentions.append((entity.id, self.section))
        if "{e2}" in vi_t:
            self.mentions.append((other.id, self.section))
        return vi, en

    def _term_sentence(self) -> tuple[str, str]:
        term = self.rng.choice(self.terms)
        vi_t, en_t = self.rng.choice(_TERM_SENTENCES)
        t_vi, t_en = term.forms[0]
        self.term_uses.append((term.id, self.section))
        return vi_t.format(t=t_vi), en_t.format(t=t_en)

    def paragraph(self, entity: Mentionable | None = None) -> Block:
        """Two to five sentences per language, sometimes with a mention, a term or a link."""
        rng, pools = self.rng, self.pools
        count = rng.randint(2, 5)
        vi = [pools.sentence("vi", rng) for _ in range(count)]
        en = [pools.sentence("en", rng) for _ in range(count)]
        extras: list[tuple[str, str]] = []
        if entity is not None or rng.random() < 0.55:
            extras.append(self._entity_sentence(entity))
        if self.terms and rng.random() < 0.15:
            extras.append(self._term_sentence())
        if rng.random() < 0.08:
            url = f"https://{rng.choice(_DOMAINS)}/tai-lieu/{rng.randint(1000, 99999)}"
            extras.append(
                (f"Xem thêm: [{pools.heading('vi', rng)}]({url}).", f"See also: [{pools.heading('en', rng)}]({url}).")
            )
        for x_vi, x_en in extras:
            vi.insert(rng.randint(1, len(vi)), x_vi)
            en.insert(rng.randint(1, len(en)), x_en)
        vi_lines, en_lines = self._lines(vi), self._lines(en)
        raw = "\n".join(line + (" " if rng.random() < 0.1 else "") for line in vi_lines)
        return Block(raw, "\n".join(ingest.tidy(line) for line in vi_lines), "\n".join(en_lines))

    def _lines(self, sentences: list[str]) -> list[str]:
        """Usually one line; sometimes the paragraph keeps the source's line breaks."""
        if len(sentences) > 2 and self.rng.random() < 0.1:
            cut = self.rng.randint(1, len(sentences) - 1)
            return [" ".join(sentences[:cut]), " ".join(sentences[cut:])]
        return [" ".join(sentences)]

    def list_block(self) -> list[Block]:
        """A list of three to six items, often introduced by a paragraph ending with a colon."""
        rng, pools = self.rng, self.pools
        style = rng.choices(["-", "1.", "emoji"], [55, 20, 25])[0]
        raw, vi, en = [], [], []
        for n in range(1, rng.randint(3, 6) + 1):
            item_vi = pools.sentence("vi", rng, max_words=24)
            item_en = pools.sentence("en", rng, max_words=24)
            if rng.random() < 0.3:
                entity = rng.choice(self.cast)
                f_vi, f_en = rng.choice(entity.forms)
                item_vi, item_en = f"**{f_vi}**: {item_vi}", f"**{f_en}**: {item_en}"
                self.mentions.append((entity.id, self.section))
            if style == "emoji":
                mark = rng.choice(_EMOJI)
                raw.append(f"{mark} {item_vi}")
                vi.append(f"- {ingest.tidy(f'{mark} {item_vi}')}")
                en.append(f"- {mark} {item_en}")
            else:
                marker = f"{n}." if style == "1." else "-"
                raw.append(f"{marker} {item_vi}")
                vi.append(ingest.tidy(f"{marker} {item_vi}"))
                en.append(f"{marker} {item_en}")
        result = []
        glue = rng.random() < 0.4
        if glue:
            intro = self.paragraph()
            colon = lambda text: re.sub(r"[.!?…\s]+$", "", text) + ":"  # noqa: E731
            result.append(Block(colon(intro.raw), colon(intro.vi), colon(intro.en)))
        result.append(Block("\n".join(raw), "\n".join(vi), "\n".join(en), glue=glue))
        return result

    def image(self, slug: str, number: int, image_alt: dict[str, str]) -> Block:
        """A picture: a raw <img> tag (alt text from the metadata) or a Markdown image."""
        name = f"{slug}-{number}.jpg"
        url = f"{IMAGE_HOST}{name}"
        alt_vi, alt_en = self.pools.heading("vi", self.rng), self.pools.heading("en", self.rng)
        if self.rng.random() < 0.5:
            image_alt[name] = alt_vi
            raw = f'<img src="{url}">'
        else:
            raw = f"![{alt_vi}]({url})"
        return Block(raw, f"![{alt_vi}]({url})", f"![{alt_en}]({url})")

    def heading(self, level: int, number: str, used: set[str]) -> Block:
        """A heading with an anchor unique in the article; the English keeps the Vietnamese anchor."""
        for _ in range(50):
            vi = number + self.pools.heading("vi", self.rng)
            anchor = slugify(vi)
            if anchor and anchor not in used:
                break
        else:
            vi = f"{vi} {len(used)}"  # practically unreachable
            anchor = slugify(vi)
        used.add(anchor)
        en = number + self.pools.heading("en", self.rng)
        self.section = anchor
        hashes = "#" * level
        return Block(f"{hashes} {vi}", f"{hashes} {ingest.tidy(vi)}", f"{hashes} {en} {{#{anchor}}}")


def _published(rng: random.Random) -> tuple[str, dt.date]:
    """A publication date in 2015-2026, with its +07:00 time or as a bare date."""
    start = dt.date(2015, 1, 1).toordinal()
    day = dt.date.fromordinal(rng.randint(start, dt.date(2026, 6, 30).toordinal()))
    if rng.random() < 0.6:
        return f"{day.isoformat()}T{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}+07:00", day
    return day.isoformat(), day


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


class CorpusWriter:
    """Writes the seeds, metadata and translations of a synthetic corpus."""

    def __init__(self, dest: Path, n: int, rng: random.Random, pools: Pools, topics: list[dict]) -> None:
        self.dest, self.n, self.rng, self.pools = dest, n, rng, pools
        self.topics = topics
        self.topic_ids = [t["id"] for t in topics]
        self.slugs: set[str] = set()
        indices = list(range(n))
        rng.shuffle(indices)
        missing = round(n * 0.1)
        stale = max(1, round(n * 0.03)) if n >= 5 else 0
        self.missing = set(indices[:missing])
        self.stale = set(indices[missing : missing + stale])

    def article(self, index: int, writer: ArticleWriter, must: Mentionable | None) -> Planned:
        """Plan, write and check one article and its translation."""
        rng, pools = self.rng, self.pools
        writer.section, writer.mentions, writer.term_uses = None, [], []
        writer.choose_cast(must)
        title_vi, title_en = pools.chains["vi"].phrase(rng, 5, 12), pools.chains["en"].phrase(rng, 5, 12)
        slug = _unique_id("-".join(slugify(title_vi).split("-")[:8]), self.slugs)
        published, day = _published(rng)
        tags = sorted(rng.sample(self.topic_ids, rng.randint(1, 4)), key=self.topic_ids.index)
        image_alt: dict[str, str] = {}
        blocks = self._blocks(writer, slug, image_alt)
        meta = self._meta(slug, title_vi, title_en, published, tags, image_alt)
        raw = self._seed_text(meta, blocks, day)
        name = f"{index:05d}_{short_hash(raw)}"
        seeds = self.dest / "seeds"
        _write(seeds / f"{name}.txt", raw)
        header = f"# Synthetic benchmark article {index} (kb.bench); field reference: CONTRIBUTING.md.\n"
        _write(seeds / f"{name}.yml", header + yamlio.dump(meta))
        body = self._converted(raw, meta, blocks)
        if index not in self.missing:
            self._translation(slug, title_en, body, blocks, day, stale=index in self.stale)
        sections = [slugify(b.vi.lstrip("#").strip()) for b in blocks if b.vi.startswith("#")]
        return Planned(slug, tags, day, sections, writer.mentions, writer.term_uses)

    def _blocks(self, writer: ArticleWriter, slug: str, image_alt: dict[str, str]) -> list[Block]:
        """Lead, then three to eight sections of paragraphs, lists, pictures and subsections."""
        rng = self.rng
        target = rng.randint(600, 1500)
        sections = rng.randint(3, 8)
        numbered = rng.random() < 0.3
        per_section = target // (sections + 1)
        blocks = [writer.paragraph(writer.cast[0])]
        used: set[str] = set()
        images = 0
        for s in range(1, sections + 1):
            blocks.append(writer.heading(2, f"{s}. " if numbered else "", used))
            sub = 0
            words = 0
            while words < per_section:
                roll = rng.random()
                if roll < 0.08 and words:
                    images += 1
                    new = [writer.image(slug, images, image_alt)]
                elif roll < 0.2:
                    new = writer.list_block()
                elif roll < 0.26 and words and sub < 2:
                    sub += 1
                    new = [writer.heading(3, f"{s}.{sub}. " if numbered else "", used)]
                else:
                    new = [writer.paragraph()]
                blocks += new
                words += sum(len(b.vi.split()) for b in new)
            if blocks[-1].vi.startswith("#"):
                blocks.append(writer.paragraph())
        return blocks

    def _meta(
        self, slug: str, title_vi: str, title_en: str, published: str, tags: list[str], image_alt: dict[str, str]
    ) -> dict[str, Any]:
        """Seed metadata as SeedMeta requires it; author, publisher and address are often unknown."""
        rng, pools = self.rng, self.pools
        meta: dict[str, Any] = {
            "slug": slug,
            "format": "markdown",
            "title": {"vi": title_vi, "en": title_en},
            "published": published,
            "author": " ".join((rng.choice(_FAMILY), rng.choice(_MIDDLE), rng.choice(_GIVEN)))
            if rng.random() < 0.6
            else None,
            "publisher": rng.choice(_PUBLISHERS) if rng.random() < 0.7 else None,
            "url": f"https://{rng.choice(_DOMAINS)}/{slug}-{rng.randint(10**6, 10**7)}.html"
            if rng.random() < 0.6
            else None,
            "tags": tags,
        }
        if rng.random() < 0.4:
            meta["summary"] = {"vi": pools.sentence("vi", rng), "en": pools.sentence("en", rng)}
        if rng.random() < 0.1:
            meta["note"] = {
                "vi": "Bài viết tổng hợp dùng để đo hiệu năng.",
                "en": "A synthetic article for benchmarking.",
            }
        if image_alt:
            meta["ingest"] = {"image_alt": image_alt}
        return meta

    def _seed_text(self, meta: dict[str, Any], blocks: list[Block], day: dt.date) -> str:
        """The capture: sometimes another site's front-matter and the title repeated on top."""
        rng = self.rng
        parts = []
        if rng.random() < 0.5:
            front = {
                "title": meta["title"]["vi"],
                "description": self.pools.sentence("vi", rng),
                "time": f"{day.month:02d}/{day.day:02d}/{day.year}",
                "tags": ["ai", rng.choice(meta["tags"])],
            }
            parts.append(f"---\n{yamlio.dump(front)}---\n\n")
        if rng.random() < 0.3:
            parts.append(f"# {meta['title']['vi']}\n\n")
        text = ""
        for block in blocks:
            text += ("\n" if block.glue else "\n\n") + block.raw if text else block.raw
        return "".join(parts) + text + "\n"

    def _converted(self, raw: str, meta: dict[str, Any], blocks: list[Block]) -> str:
        """The body kb's ingest makes of the seed; it must be the planned Vietnamese."""
        converted = ingest.convert(raw, SeedMeta.model_validate(meta))
        expected = "\n\n".join(b.vi for b in blocks) + "\n"
        if converted.body != expected:
            got, want = converted.body.split("\n\n"), expected.split("\n\n")
            where = next((i for i, (a, b) in enumerate(zip(got, want, strict=False)) if a != b), len(want))
            raise AssertionError(
                f"{meta['slug']}: ingest differs at block {where}: {got[where : where + 1]!r} vs {want[where : where + 1]!r}"
            )
        return converted.body

    def _translation(self, slug: str, title: str, body: str, blocks: list[Block], day: dt.date, *, stale: bool) -> None:
        """The English page: same blocks, the Vietnamese anchors, the source hash (wrong if stale)."""
        rng = self.rng
        translated = min(day + dt.timedelta(days=rng.randint(1, 400)), dt.date(2026, 12, 31))
        front: dict[str, Any] = {
            "title": title,
            "source_hash": short_hash(body + "\nan earlier version\n" if stale else body),
            "translated": translated.isoformat(),
        }
        if rng.random() < 0.2:
            front["summary"] = self.pools.sentence("en", rng)
        if rng.random() < 0.1:
            front["translator_notes"] = [self.pools.sentence("en", rng)]
        text = "\n\n".join(b.en for b in blocks) + "\n"
        _write(self.dest / "docs" / "en" / ARTICLES / f"{slug}.md", f"---\n{yamlio.dump(front)}---\n\n{text}")


def _event_date(rng: random.Random, before: dt.date) -> str:
    """A date before the article, at day, month, quarter, year or decade precision."""
    day = dt.date.fromordinal(rng.randint(before.toordinal() - 3 * 365, before.toordinal()))
    precision = rng.choices(["day", "month", "quarter", "year", "decade"], [35, 25, 10, 25, 5])[0]
    if precision == "day":
        return day.isoformat()
    if precision == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if precision == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if precision == "decade":
        return f"{day.year - day.year % 10 - 10}s"
    return str(day.year)


def make_events(planned: list[Planned], entities: dict[str, Mentionable], rng: random.Random) -> list[dict]:
    """About two events per article, each citing a section of it and entities it mentions."""
    events, used = [], set()
    for article in planned:
        for _ in range(rng.choice([1, 2, 2, 2, 3])):
            entity_id, section = rng.choice(article.mentions)
            entity = entities[entity_id]
            others = {e for e, _ in article.mentions if e != entity_id}
            involved = [entity_id, *rng.sample(sorted(others), min(len(others), rng.randint(0, 1)))]
            date = _event_date(rng, article.published)
            vi_t, en_t = rng.choice(_EVENT_TITLES)
            title = {"vi": vi_t.format(e=entity.data["name"]["vi"]), "en": en_t.format(e=entity.data["name"]["en"])}
            event: dict[str, Any] = {
                "id": _unique_id(f"{slugify(date)}-{slugify(title['en'])}", used),
                "date": date,
                "title": title,
                "description": {
                    "vi": f"{title['vi']}. {entity.data['description']['vi']}",
                    "en": f"{title['en']}. {entity.data['description']['en']}",
                },
                "entities": involved,
                "topics": rng.sample(article.tags, min(len(article.tags), rng.randint(1, 2))),
                "source": {"article": article.slug, "section": section or rng.choice(article.sections)},
            }
            if rng.random() < 0.1:
                event["note"] = {
                    "vi": "Ngày được suy ra từ ngày đăng của bài viết.",
                    "en": "The date is inferred from the article's publication date.",
                }
            events.append(event)
    return events


def make_glossary(planned: list[Planned], terms: list[Mentionable], rng: random.Random) -> list[dict]:
    """Every term, citing the first article section that uses it (or any article if none does)."""
    first: dict[str, tuple[str, str]] = {}
    for article in planned:
        for term_id, section in article.terms:
            first.setdefault(term_id, (article.slug, section or article.sections[0]))
    glossary = []
    for term in terms:
        if term.id in first:
            slug, section = first[term.id]
        else:
            article = rng.choice(planned)
            slug, section = article.slug, rng.choice(article.sections)
        glossary.append({**term.data, "source": {"article": slug, "section": section}})
    return glossary


def _load_data(path: Path) -> list[dict]:
    data, _ = yamlio.load(read_text(path, path.name), path.name)
    return data or []


def _copy_project_parts(source_root: Path, dest: Path) -> None:
    """Configs, theme overrides, the kb code, UI strings, topics and the top-level pages."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for part in COPIED:
        src, target = source_root / part, dest / part
        target.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, target, ignore=ignore)
        else:
            shutil.copy2(src, target)
    for lang in LANGS:
        (dest / "docs" / lang).mkdir(parents=True, exist_ok=True)
        for page in sorted((source_root / "docs" / lang).glob("*.md")):
            shutil.copy2(page, dest / "docs" / lang / page.name)


def make_corpus(dest: Path, n: int, *, source_root: Path, seed: int = 0) -> None:
    """Write a complete synthetic project of ``n`` articles at ``dest`` (deterministic for ``seed``)."""
    if dest.exists() and any(dest.iterdir()):
        raise FileExistsError(f"{dest} is not empty")
    rng = random.Random(seed)
    pools = load_pools(source_root)
    _copy_project_parts(source_root, dest)
    topics = _load_data(source_root / "data" / "topics.yml")
    topic_map = {t["id"]: t for t in topics}
    entities = make_entities(n // 2 + 50, _load_data(source_root / "data" / "entities.yml"), topic_map, rng)
    terms = make_terms(60 + n // 20, _load_data(source_root / "data" / "glossary.yml"), rng, pools)
    # Popularity: a few entities are mentioned everywhere, most only now and then.
    order = list(range(len(entities)))
    rng.shuffle(order)
    weights = [1.0] * len(entities)
    for rank, index in enumerate(order):
        weights[index] = 1 / (rank + 1) ** 0.8
    writer = ArticleWriter(rng, pools, entities, list(itertools.accumulate(weights)), terms)
    corpus = CorpusWriter(dest, n, rng, pools, topics)
    planned = [corpus.article(i, writer, entities[i % len(entities)]) for i in range(n)]

    by_id = {e.id: e for e in entities}
    data = dest / "data"
    _write(
        data / "entities.yml",
        "# Synthetic entities (kb.bench): aliases are the surface forms found in the article text.\n\n"
        + yamlio.dump([e.data for e in entities]),
    )
    _write(
        data / "events.yml",
        "# Synthetic events (kb.bench), each citing a section of an article.\n\n"
        + yamlio.dump(make_events(planned, by_id, rng)),
    )
    _write(
        data / "glossary.yml",
        "# Synthetic glossary (kb.bench), each term citing an article section.\n\n"
        + yamlio.dump(make_glossary(planned, terms, rng)),
    )


# --------------------------------------------------------------------------
# Our generation step, timed and materialised
# --------------------------------------------------------------------------


def page_url(src_uri: str) -> str:
    """The page URL MkDocs gives a Markdown file with directory URLs ('' for the home page)."""
    from mkdocs.structure.files import File

    url = File(src_uri, None, "/", True).url
    return "" if url in (".", "./") else url


def _split_page(text: str) -> tuple[str, str]:
    """(front-matter text, the Markdown MkDocs hands to on_page_markdown)."""
    from mkdocs.utils.meta import get_data

    markdown, _ = get_data(text)
    if not text.endswith(markdown):
        return "", markdown
    return text[: len(text) - len(markdown)], markdown


def language_pages(site: pages.Site) -> Iterator[tuple[str, str]]:
    """Every Markdown page of one language's build: generated, then the person's, as (src_uri, text)."""
    yield from site.pages.items()
    docs = site.project.paths.lang_docs(site.lang)
    for src_uri in sorted(pages.human_pages(docs)):
        yield src_uri, (docs / src_uri).read_text(encoding="utf-8-sig")


def page_inputs(site: pages.Site) -> Iterator[tuple[str, str, str, str]]:
    """Each page as MkDocs hands it to on_page_markdown: (src_uri, front-matter text, Markdown, page URL)."""
    for src_uri, text in language_pages(site):
        front, markdown = _split_page(text)
        yield src_uri, front, markdown, page_url(src_uri)


def decorated_pages(site: pages.Site) -> Iterator[tuple[str, str]]:
    """Each page with our on_page_markdown work done, front-matter kept: (src_uri, text)."""
    for src_uri, front, markdown, url in page_inputs(site):
        yield src_uri, front + pages.decorate(markdown, src_uri, url, site)


GENERATION_TIMINGS = 3  # one in-process timing of the same corpus varies by up to a fifth here


def time_generation(root: Path, timings: int = GENERATION_TIMINGS) -> dict[str, float]:
    """Seconds per language of our generation step, as a build does it: load_site, then decorate every page.

    The project is loaded anew, as in a fresh build (not reused from an earlier ``kb check``);
    English reuses it, as ``kb build``'s second language does. What MkDocs does in
    any build, the floor's too (reading the pages, splitting off their front-matter,
    making their URLs), is left out of the time. The step is timed ``timings`` times
    and the timing with the median total is returned, so both languages come from one run.
    """
    runs = sorted((_time_generation_once(root) for _ in range(timings)), key=lambda run: sum(run.values()))
    return runs[(len(runs) - 1) // 2]


def _time_generation_once(root: Path) -> dict[str, float]:
    from kb.content import project

    project.forget_loaded()
    result = {}
    for lang in LANGS:
        start = perf_counter()
        site = pages.load_site(root, lang)
        spent = perf_counter() - start
        for src_uri, _, markdown, url in page_inputs(site):
            start = perf_counter()
            pages.decorate(markdown, src_uri, url, site)
            spent += perf_counter() - start
        result[lang] = spent
    return result


def _drop_keys(config: str, keys: Sequence[str]) -> str:
    """A config's text without the named top-level keys and their indented values."""
    out, skipping = [], False
    for line in config.splitlines(keepends=True):
        if re.match(r"^\S", line):
            skipping = any(re.match(rf"^{key}\s*:", line) for key in keys)
        if not skipping:
            out.append(line)
    return "".join(out)


def _floor_config(source: Path, lang: str, site_url: str | None, extra: dict[str, object]) -> str:
    """One language's config without our hook, reading the materialised docs.

    What the hook puts in the config for the templates (the site URL of
    English, ``extra``'s search dialog and language roots) is written in,
    so the floor renders the same page templates.
    """
    text = _drop_keys(source.read_text(encoding="utf-8"), ("hooks", "watch"))
    text = re.sub(r"(?m)^docs_dir:.*$", f"docs_dir: docs/{lang}", text)
    values = "".join(f"  {key}: {json.dumps(value, sort_keys=True)}\n" for key, value in sorted(extra.items()))
    text, found = re.subn(r"(?m)^extra:[ \t]*\n", lambda m: m.group(0) + values, text, count=1)
    if not found:
        text += f"\nextra:\n{values}"
    header = "# The benchmark's floor: generated Markdown built by plain MkDocs, without the kb hook.\n"
    if (url := article_pages.language_url(site_url, lang)) != site_url:
        text += f'\nsite_url: "{url}"  # what the hook sets\n'
    return header + text


def materialize(root: Path, out: Path) -> None:
    """Write each language's generated, decorated Markdown and hook-free configs into ``out``."""
    from mkdocs.utils.yaml import yaml_load

    paths = Paths(root)
    with paths.config(DEFAULT_LANG).open(encoding="utf-8") as stream:
        site_url = yaml_load(stream).get("site_url")
    extras = {}
    for lang in LANGS:
        site = pages.load_site(root, lang)
        extras[lang] = hook.template_extra(lang, article_pages.language_url(site_url, lang), site.ui)
        docs = out / "docs" / lang
        for src_uri, text in decorated_pages(site):
            _write(docs / src_uri, text)
        for src_uri, data in site.static.items():
            (docs / src_uri).parent.mkdir(parents=True, exist_ok=True)
            (docs / src_uri).write_bytes(data)
        source_docs = paths.lang_docs(lang)
        for other in sorted(source_docs.rglob("*")):
            if other.is_file() and other.suffix != ".md":
                target = docs / other.relative_to(source_docs)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(other, target)
    if (root / "overrides").is_dir():
        shutil.copytree(root / "overrides", out / "overrides", dirs_exist_ok=True)
    for lang in LANGS:
        _write(Paths(out).config(lang), _floor_config(paths.config(lang), lang, site_url, extras[lang]))


# --------------------------------------------------------------------------
# Measuring builds and sizes
# --------------------------------------------------------------------------


# One child process builds both languages in turn, as ``kb build`` does: what
# the languages share (the loaded project, its knowledge and mentions) is
# loaded once. Each language's time, the time spent in the kb hook's events
# (MkDocs calls every hook and plugin through PluginCollection.run_event; the
# kb hook is the only one), the CPU time of the hook's page worker (kb.site.finish,
# on the second core) and the peak memory so far are printed.
_BUILD_BOTH = """
import json, resource, sys, time
from pathlib import Path
from mkdocs.plugins import PluginCollection
from kb.site.build import build_language
from kb.content.project import Paths
from kb.site.article_pages import lang_root
from kb.content.schema import LANGS
root, site = Path(sys.argv[1]), Path(sys.argv[2])
in_hook = [0.0]
children = lambda: sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2])
run_event = PluginCollection.run_event
def timed(self, *args, **kwargs):
    start = time.perf_counter()
    try:
        return run_event(self, *args, **kwargs)
    finally:
        in_hook[0] += time.perf_counter() - start
PluginCollection.run_event = timed
result = {}
for lang in LANGS:
    in_hook[0] = 0.0
    start, worker = time.perf_counter(), children()
    build_language(Paths(root), lang, site / lang_root(lang))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result[lang] = {
        "seconds": time.perf_counter() - start,
        "peak_rss_kib": float(peak),
        "hook_seconds": in_hook[0],
        "worker_cpu_seconds": children() - worker,
    }
print(json.dumps(result))
"""


def measure_builds(root: Path, site_dir: Path) -> dict[str, dict[str, float]]:
    """Each language's ``mkdocs build --strict`` (seconds, seconds in hooks, the page worker's CPU seconds,
    peak RSS in KiB), both in one child process."""
    root, site_dir = root.resolve(), site_dir.resolve()
    command = [sys.executable, "-c", _BUILD_BOTH, str(root), str(site_dir)]
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode:
        raise RuntimeError(f"mkdocs builds of {root} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


Measure = Callable[[Path, Path], dict[str, dict[str, float]]]

MAX_ROUNDS = 15


def measure_rounds(
    corpus: Path,
    floor: Path,
    site: Path,
    floor_site: Path,
    scratch: Path,
    rounds: int,
    measure: Measure,
    *,
    at_least_s: float = 0.0,
) -> dict[str, Any]:
    """Repeat the hooked and floor builds and pair them, so the machine's drift is seen and mostly cancelled.

    Round one's hooked build writes ``site``, which the other figures come
    from; the floor builds write to ``floor_site``, later hooked builds to
    ``scratch``. The order alternates (hooked then floor, floor then hooked,
    ...): a machine slowing down or speeding up through a round favours
    neither side. Each round's build − floor is its two builds' difference
    over its hooked build; the figures reported are medians over the rounds.

    When there are rounds to pair (``rounds`` > 1), each tree is first built
    once untimed: the first build of a new tree was the slowest hooked build
    of a run, by up to a fifth, and it was always a hooked one. Past
    ``rounds``, rounds go on until their builds add up to ``at_least_s``
    seconds (at most ``MAX_ROUNDS``): where a build takes seconds, one
    second of noise is several percent, and more rounds cost little.
    """
    paired = rounds > 1
    if paired:
        measure(corpus, scratch)
        measure(floor, floor_site)
    real, floor_runs = [measure(corpus, site)], [measure(floor, floor_site)]

    def total(run: dict[str, dict[str, float]]) -> float:
        return sum(run[lang]["seconds"] for lang in LANGS)

    def more() -> bool:
        if len(real) < rounds:
            return True
        spent = sum(map(total, real)) + sum(map(total, floor_runs))
        return paired and len(real) < MAX_ROUNDS and spent < at_least_s

    while more():
        hooked_first = len(real) % 2 == 0
        if hooked_first:
            real.append(measure(corpus, scratch))
        floor_runs.append(measure(floor, floor_site))
        if not hooked_first:
            real.append(measure(corpus, scratch))

    def median(runs: list[dict[str, dict[str, float]]], key: str) -> dict[str, float]:
        return {lang: statistics.median(run[lang][key] for run in runs) for lang in LANGS}

    return {
        "rounds": len(real),
        "build_s": median(real, "seconds"),
        "hook_s": median(real, "hook_seconds"),
        "worker_cpu_s": median(real, "worker_cpu_seconds"),
        "peak_rss_kib": {lang: max(run[lang]["peak_rss_kib"] for run in real) for lang in LANGS},
        "floor_s": median(floor_runs, "seconds"),
        "build_floor_pct": [100 * (total(r) - total(f)) / total(r) for r, f in zip(real, floor_runs, strict=True)],
    }


def gzip_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def html_pages(site: Path) -> set[str]:
    """Paths of every HTML page of a built site, relative to it."""
    return {p.relative_to(site).as_posix() for p in site.rglob("*.html")}


def _tree_bytes(folder: Path, skip: Path | None = None) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not (skip and p.is_relative_to(skip)))


def site_sizes(site: Path) -> dict[str, Any]:
    """Bytes of each language's site and of its part of the Pagefind search bundle (raw and gzipped)."""
    bundle = site / "pagefind"
    result: dict[str, Any] = {
        "site_bytes": {
            lang: _tree_bytes(site, site / "en") if lang == DEFAULT_LANG else _tree_bytes(site / lang) for lang in LANGS
        },
        "search": {},
    }
    for lang in LANGS:
        files = [p for p in bundle.rglob(f"*{lang}_*") if p.is_file()] if bundle.is_dir() else []
        data = [p.read_bytes() for p in files]
        # Pagefind's chunks are gzip already: they are sent as they are.
        sent = [len(d) if d[:2] == b"\x1f\x8b" else gzip_size(d) for d in data]
        result["search"][lang] = {"raw": sum(map(len, data)), "gz": sum(sent)}
    return result


class _Server:
    """A local server for a built site that compresses text as a production host would (gzip)."""

    TEXT = (".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".pf_meta")

    def __init__(self, site: Path) -> None:
        import functools
        import http.server
        import threading

        text, cache = self.TEXT, {}

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def end_headers(self) -> None:
                self.send_header("Cache-Control", "max-age=3600")
                super().end_headers()

            def _send(self, body: bytes, content_type: str, gzipped: bool) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                if gzipped:
                    self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                if self.path.startswith(IMAGE_STAND_IN):  # the article images' host, offline
                    return self._send(PLACEHOLDER_SVG, "image/svg+xml", gzipped=False)
                path = Path(self.translate_path(self.path))
                if path.is_dir():
                    path = path / "index.html"
                wants = "gzip" in self.headers.get("Accept-Encoding", "")
                if not (wants and path.is_file() and path.suffix in text):
                    return super().do_GET()
                if path not in cache:
                    data = path.read_bytes()
                    if path.suffix == ".html":
                        data = data.replace(IMAGE_HOST.encode(), IMAGE_STAND_IN.encode())
                    cache[path] = gzip.compress(data, compresslevel=6, mtime=0)
                self._send(cache[path], self.guess_type(str(path)), gzipped=True)

        class Server(http.server.ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                # A browser that drops a download (a page closed mid-fetch, a search superseded) is no error.
                if not isinstance(sys.exc_info()[1], ConnectionError):
                    super().handle_error(request, client_address)

        self.httpd = Server(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def first_search(site: Path) -> dict[str, dict[str, Any]]:
    """What a reader's first search costs in Chromium, per language, over FIRST_SEARCHES.

    Each query starts cold (a new browser context): the page is opened and
    left idle, then the reader opens search and types the query key by key
    (TYPING_DELAY_MS apart), as a person does, while the engine loads.
    Measured: seconds from the last key until the results of the whole query
    show, and the gzipped bytes downloaded from opening search until then
    (as served: the server gzips text; Pagefind's chunks are gzip already).
    The worst query of each language goes in the table.
    """
    import contextlib

    from playwright.sync_api import sync_playwright

    server = _Server(site)
    result: dict[str, dict[str, Any]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium") or "/usr/bin/chromium")
            for lang in LANGS:
                queries: dict[str, dict[str, float]] = {}
                for query in FIRST_SEARCHES[lang]:
                    page = browser.new_context(viewport={"width": 390, "height": 800}).new_page()
                    page.goto(server.base + article_pages.lang_root(lang))
                    page.wait_for_load_state("networkidle")
                    sizes: list[int] = []

                    def count(response, sizes=sizes) -> None:
                        with contextlib.suppress(Exception):
                            body = response.body()
                            sizes.append(len(body) if body[:2] == b"\x1f\x8b" else gzip_size(body))

                    page.on("response", count)  # includes Pagefind's web worker and its fetches
                    page.click(".kb-search-open")
                    page.type(".kb-search__input", query, delay=TYPING_DELAY_MS)
                    typed = perf_counter()
                    page.wait_for_function(
                        "q => document.querySelector('.kb-search__message').textContent.endsWith(q)"
                        " && document.querySelector('.kb-search__result')",
                        arg=query,
                        timeout=60_000,
                    )
                    seconds = perf_counter() - typed
                    page.wait_for_load_state("networkidle")
                    queries[query] = {"seconds": seconds, "gz": float(sum(sizes))}
                    page.context.close()
                worst = max(queries.values(), key=lambda q: q["seconds"])
                result[lang] = {
                    "seconds": worst["seconds"],
                    "gz": max(q["gz"] for q in queries.values()),
                    "queries": queries,
                }
            browser.close()
    finally:
        server.close()
    return result


def _ms_per_page(row: dict) -> float:
    return 1000 * sum(row["build_s"].values()) / row["pages"]


def per_page_growth(rows: list[dict]) -> str:
    """How much more each page costs at the largest N than at each smaller N of 500 or more."""
    if len(rows) < 2:
        return ""
    largest = max(rows, key=lambda r: r["n"])
    lines = [
        f"\nBuild time per page at N={largest['n']:,} against N={row['n']:,}: "
        f"{_ms_per_page(largest) / _ms_per_page(row):.2f}×\n"
        for row in sorted(rows, key=lambda r: r["n"])
        if 500 <= row["n"] < largest["n"]
    ]
    return "".join(lines)


def format_first_search(rows: list[dict]) -> str:
    """Every query of the first-search measurement, per corpus size."""
    lines = [
        "| N | language | query | KB gz downloaded | s from the last key to results |",
        "|---:|---|---|---:|---:|",
    ]
    for row in rows:
        for lang in LANGS:
            for query, figures in row["first_search"][lang]["queries"].items():
                lines.append(
                    f"| {row['n']:,} | {lang} | {query} | {figures['gz'] / 1024:,.0f} | {figures['seconds']:.2f} |"
                )
    return "\n".join(lines) + "\n"


LIGHTHOUSE = "lighthouse@13.5.0"
LIGHTHOUSE_PAGES = {"home": "", "article": None, "timeline": "timeline/", "entity": None}


def _lighthouse() -> Path | None:
    """The pinned Lighthouse, installed with npm into .bench/ on first use; None without npm."""
    folder = project_root() / ".bench"
    binary = folder / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        npm = shutil.which("npm")
        if npm is None:
            return None
        folder.mkdir(exist_ok=True)
        subprocess.run(
            [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", LIGHTHOUSE],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return binary


# Lighthouse's own advice (docs/variability.md): scores vary from run to run, report the median of
# five or more. Here an article page's score moves from 90 to 99 between identical runs (Material's
# bundle and style work vary about 2x), so seven.
LIGHTHOUSE_RUNS = 7


def _lighthouse_once(binary: Path, url: str) -> dict[str, int]:
    with tempfile.NamedTemporaryFile(suffix=".json") as report:
        subprocess.run(
            [
                str(binary),
                url,
                "--chrome-path=" + (shutil.which("chromium") or "/usr/bin/chromium"),
                "--chrome-flags=--headless=new --no-sandbox",
                "--only-categories=performance,accessibility,best-practices,seo",
                "--output=json",
                f"--output-path={report.name}",
                "--quiet",
            ],
            check=True,
        )
        data = json.loads(Path(report.name).read_text(encoding="utf-8"))
    return {name: round(100 * category["score"]) for name, category in data["categories"].items()}


def lighthouse_pages(site: Path) -> dict[str, str]:
    """The pages Lighthouse scores, by label: the home, a typical article, the timeline and an entity."""
    article = typical_article(site).parent.relative_to(site).as_posix() + "/"
    entities = sorted(
        p.parent for p in (site / "entities").glob("*/index.html") if not p.parent.name.startswith("kind-")
    )
    entity = entities[len(entities) // 2].relative_to(site).as_posix() + "/"
    return {"home": "", "article": article, "timeline": "timeline/", "entity": entity}


def lighthouse(site: Path, runs: int = LIGHTHOUSE_RUNS) -> dict[str, dict[str, int]]:
    """Median Lighthouse scores over ``runs`` runs (phone profile, Debian's Chromium) of each page in both languages."""
    binary = _lighthouse()
    if binary is None:
        _log("npm not found: Lighthouse skipped")
        return {}
    server = _Server(site)
    scores: dict[str, dict[str, int]] = {}
    try:
        for lang in LANGS:
            for label, path in lighthouse_pages(site).items():
                url = server.base + article_pages.lang_root(lang) + path
                results = [_lighthouse_once(binary, url) for _ in range(runs)]
                scores[f"{lang} {label}"] = {
                    name: sorted(r[name] for r in results)[len(results) // 2] for name in results[0]
                }
    finally:
        server.close()
    return scores


def format_lighthouse(scores: dict[str, dict[str, int]]) -> str:
    if not scores:
        return ""
    names = ["performance", "accessibility", "best-practices", "seo"]
    lines = ["| page | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {page} | " + " | ".join(str(s.get(n, "–")) for n in names) + " |" for page, s in scores.items()]
    return "\n".join(lines) + "\n"


class _Assets(html.parser.HTMLParser):
    """Stylesheets and scripts an HTML page references."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.urls.append(a["href"] or "")
        elif tag == "script" and a.get("src"):
            self.urls.append(a["src"] or "")


def _local(base: Path, url: str, site: Path) -> Path | None:
    """The file a relative URL points to inside the site, or None (external, data: or missing)."""
    if re.match(r"^[a-z][a-z0-9+.-]*:|^//", url, re.I):
        return None
    path = (base / url.split("#")[0].split("?")[0]).resolve()
    return path if path.is_file() and path.is_relative_to(site.resolve()) else None


def page_weight(site: Path, page: Path) -> dict[str, Any]:
    """An HTML page plus every stylesheet, script and font it loads (no images): raw and gzipped bytes."""
    parser = _Assets()
    parser.feed(page.read_text(encoding="utf-8"))
    files = [page.resolve()]
    for url in parser.urls:
        if (path := _local(page.parent, url, site)) and path not in files:
            files.append(path)
            if path.suffix == ".css":
                css = path.read_text(encoding="utf-8", errors="replace")
                for font in re.findall(r"url\(\s*['\"]?([^'\")]+)['\"]?\s*\)", css):
                    font_path = _local(path.parent, font, site)
                    if font_path and font_path.suffix in FONT_EXTENSIONS and font_path not in files:
                        files.append(font_path)
    data = [f.read_bytes() for f in files]
    return {
        "page": page.relative_to(site).as_posix(),
        "files": len(files),
        "raw": sum(len(d) for d in data),
        "gz": sum(gzip_size(d) for d in data),
    }


def typical_article(site: Path) -> Path:
    """The article page of median size in one language's site."""
    candidates = sorted(
        (p for p in (site / ARTICLES).glob("*/index.html")), key=lambda p: (p.stat().st_size, p.as_posix())
    )
    if not candidates:
        raise FileNotFoundError(f"no article pages in {site}")
    return candidates[len(candidates) // 2]


def serve_rebuild(root: Path) -> float:
    """Seconds of a ``kb serve`` rebuild (both languages, in-process) after editing one translation."""
    from kb.site.build import build_language

    paths = Paths(root)
    site_dir = Path(tempfile.mkdtemp(prefix="kb-bench-serve-"))
    url = "http://127.0.0.1:8000/"
    saved_epoch = os.environ.get("SOURCE_DATE_EPOCH")

    def builder() -> None:  # what kb serve's builder does
        for lang in LANGS:
            build_language(paths, lang, site_dir / article_pages.lang_root(lang), site_url=url)
        pagefind.index_site(site_dir)

    edited = sorted((paths.lang_docs("en") / ARTICLES).glob("*.md"))[0]
    original = edited.read_bytes()
    try:
        builder()
        text = original.decode("utf-8").rstrip("\n")
        edited.write_text(text + "\n\nThis sentence was added by the benchmark.\n", encoding="utf-8")
        start = perf_counter()
        builder()
        return perf_counter() - start
    finally:
        edited.write_bytes(original)
        shutil.rmtree(site_dir, ignore_errors=True)
        if saved_epoch is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
        else:
            os.environ["SOURCE_DATE_EPOCH"] = saved_epoch


# --------------------------------------------------------------------------
# Running the benchmark and reporting
# --------------------------------------------------------------------------


def _log(message: str) -> None:
    print(f"kb bench: {message}", file=sys.stderr, flush=True)


def bench_one(
    n: int,
    base: Path,
    source_root: Path,
    seed: int = 0,
    *,
    scores: bool = False,
    serve: bool = True,
    rounds: int = 1,
    rounds_s: float = 0.0,
) -> dict[str, Any]:
    """Every figure for one corpus size; the corpus and sites are written under ``base``."""
    from kb.check import check

    start = perf_counter()
    corpus, site, floor, floor_site = base / "corpus", base / "site", base / "floor", base / "floor-site"
    row: dict[str, Any] = {"n": n}
    make_corpus(corpus, n, source_root=source_root, seed=seed)
    row["corpus_s"] = perf_counter() - start
    _log(f"N={n}: corpus written in {row['corpus_s']:.1f} s")

    t = perf_counter()
    errors = [p for p in check(corpus) if not p.warning]
    row["check_s"] = perf_counter() - t
    if errors:
        raise RuntimeError(f"the synthetic corpus has {len(errors)} error(s), first: {errors[0]}")
    row["generation_s"] = time_generation(corpus)
    _log(f"N={n}: kb check {row['check_s']:.1f} s, generation {row['generation_s']}")

    materialize(corpus, floor)
    scratch = base / "scratch-site"
    row.update(measure_rounds(corpus, floor, site, floor_site, scratch, rounds, measure_builds, at_least_s=rounds_s))
    shutil.rmtree(scratch, ignore_errors=True)
    t = perf_counter()
    pagefind.index_site(site)
    row["pagefind_s"] = perf_counter() - t
    real_pages, floor_pages = html_pages(site), html_pages(floor_site)
    row["pages"] = len(real_pages)
    row["floor_same_pages"] = real_pages == floor_pages
    if not row["floor_same_pages"]:
        _log(f"N={n}: floor pages differ: {sorted(real_pages ^ floor_pages)[:5]}")
    _log(
        f"N={n}: {row['rounds']} round(s), builds {row['build_s']}, floor {row['floor_s']}, "
        f"build − floor % {row['build_floor_pct']}, pagefind {row['pagefind_s']:.1f} s"
    )

    row.update(site_sizes(site))
    row["first_search"] = first_search(site)
    if scores:
        _log(f"N={n}: Lighthouse")
        row["lighthouse"] = lighthouse(site)
    row["article_weight"] = page_weight(site, typical_article(site))
    row["serve_rebuild_s"] = serve_rebuild(corpus) if serve else None
    row["total_s"] = perf_counter() - start
    _log(f"N={n}: serve rebuild {row['serve_rebuild_s']} s; done in {row['total_s']:.1f} s")
    return row


def run(
    sizes: list[int],
    workdir: Path,
    source_root: Path,
    *,
    keep: bool = False,
    seed: int = 0,
    lighthouse_at: int | None = None,
    serve_max: int | None = None,
    rounds: int = 1,
    rounds_max: int | None = None,
    rounds_s: float = 0.0,
) -> list[dict]:
    """Benchmark each corpus size in turn; corpora are deleted unless ``keep``.

    A size that fails is reported and skipped, so the figures of the others
    are kept; each finished row is also saved to ``workdir/rows.json``.
    """
    rows = []
    for n in sizes:
        base = workdir / f"n{n}"
        if base.exists():
            shutil.rmtree(base)
        try:
            serve = serve_max is None or n <= serve_max
            repeat = rounds if rounds_max is None or n <= rounds_max else 1
            rows.append(
                bench_one(
                    n, base, source_root, seed, scores=n == lighthouse_at, serve=serve, rounds=repeat, rounds_s=rounds_s
                )
            )
            (workdir / "rows.json").write_text(json.dumps(rows, indent=1, ensure_ascii=False), encoding="utf-8")
        except Exception as exc:  # one size failing must not lose the figures of the others
            _log(f"N={n}: failed: {exc}")
        finally:
            if not keep:
                shutil.rmtree(base, ignore_errors=True)
    return rows


def _pair(values: dict[str, float], fmt: str = "{:.1f}") -> str:
    return " / ".join(fmt.format(values[lang]) for lang in LANGS)


def _kb(size: dict[str, int] | None) -> str:
    return f"{size['raw'] / 1024:,.0f} / {size['gz'] / 1024:,.0f}" if size else "–"


COLUMNS = [
    "N",
    "pages",
    "generation s (vi / en)",
    "mkdocs build s (vi / en)",
    "floor build s (vi / en)",
    "pagefind s",
    "generation share %",
    "in hook s (vi / en)",
    "hook share %",
    "page worker CPU s (vi / en)",
    "build − floor %",
    "ms per page",
    "peak RSS MiB",
    "site MB",
    "search index vi raw / gz KB",
    "search index en raw / gz KB",
    "first search vi KB gz / s",
    "first search en KB gz / s",
    "article page raw / gz KB",
    "serve rebuild s",
    "kb check s",
    "bench s",
]


def build_minus_floor(row: dict) -> str:
    """The build − floor cell: the median over the rounds, with their range when there were several."""
    shares = row["build_floor_pct"]
    cell = f"{statistics.median(shares):.0f}"
    if len(shares) > 1:
        cell += f" ({min(shares):.0f} to {max(shares):.0f}, {len(shares)} rounds)"
    return cell


def format_table(rows: list[dict]) -> str:
    """The results as a Markdown table, one row per corpus size."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---:|" * len(COLUMNS)]
    for row in rows:
        build = sum(row["build_s"].values())
        weight = row["article_weight"]
        cells = [
            f"{row['n']:,}",
            f"{row['pages']:,}" + ("" if row["floor_same_pages"] else " (floor differs)"),
            _pair(row["generation_s"], "{:.2f}"),
            _pair(row["build_s"]),
            _pair(row["floor_s"]),
            f"{row['pagefind_s']:.1f}",
            f"{100 * sum(row['generation_s'].values()) / build:.1f}",
            _pair(row["hook_s"]),
            f"{100 * sum(row['hook_s'].values()) / build:.1f}",
            _pair(row["worker_cpu_s"]),
            build_minus_floor(row),
            f"{_ms_per_page(row):.1f}",
            f"{max(row['peak_rss_kib'].values()) / 1024:,.0f}",
            f"{sum(row['site_bytes'].values()) / 1e6:,.1f}",
            _kb(row["search"].get("vi")),
            _kb(row["search"].get("en")),
            *(
                f"{row['first_search'][lang]['gz'] / 1024:,.0f} / {row['first_search'][lang]['seconds']:.2f}"
                for lang in LANGS
            ),
            f"{weight['raw'] / 1024:,.0f} / {weight['gz'] / 1024:,.0f}",
            "–" if row["serve_rebuild_s"] is None else f"{row['serve_rebuild_s']:.1f}",
            f"{row['check_s']:.1f}",
            f"{row['total_s']:.0f}",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def _total_ram() -> str:
    try:
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def machine_header() -> str:
    """When and where the benchmark ran, with the versions that matter."""
    from importlib.metadata import version

    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return "\n".join(
        [
            "# kb benchmark",
            "",
            f"- Date: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
            f"- Machine: {platform.node()} ({platform.machine()}, {platform.platform()})",
            f"- CPUs: {os.cpu_count()} (os.cpu_count), {usable} usable; RAM: {_total_ram()}",
            f"- Python {platform.python_version()}, MkDocs {version('mkdocs')}, Material {version('mkdocs-material')}",
            "",
            f"Generation: our generation step alone, in-process, the median of {GENERATION_TIMINGS} timings: "
            "load_site (the project loaded anew for Vietnamese, reused for English, as in `kb build`) and "
            "decorate every page (MkDocs' own reading of "
            "the pages and splitting off their front-matter, which the floor does too, is not counted). "
            "Builds: each language's strict MkDocs build with the kb hook, Vietnamese then English in one child "
            "process as `kb build` runs them (the loaded project is shared). Floor: the same Markdown, already "
            "generated, built the same way by MkDocs without the hook. Generation share: generation / MkDocs "
            "build time. In hook: the time each build spends in the kb hook's events (loading and generating, "
            "decorating, the page's search terms; waiting for finished pages), timed inside the build; hook "
            "share: that over the builds. Page worker CPU: the CPU time of the process that finishes pages "
            "(sanitising, search words) on the second core while MkDocs renders (kb.site.finish). "
            "Build − floor: (builds − floor) / builds. Consecutive builds of the same tree differ by up to "
            "10% here, so at the smaller sizes each tree is built once untimed (a new tree's first build is "
            "slower), then the hooked and floor builds are repeated in rounds (hooked then floor, floor then "
            "hooked, ...; as many as asked, more where builds are quick): the cell gives the median of the "
            "rounds' paired figures and their range, and the build, floor, hook and worker columns are "
            "medians over the rounds. "
            "Sizes: whole site (both languages); article page: HTML plus stylesheets, scripts and fonts, "
            "without images. Serve rebuild: both languages in-process after editing one translation.",
            "",
        ]
    )


def project_root() -> Path:
    """The knowledge base this package belongs to (scripts/kb -> the repository root)."""
    return Path(__file__).resolve().parents[2]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--sizes",
        default=",".join(map(str, DEFAULT_SIZES)),
        help="comma-separated corpus sizes (default: %(default)s)",
    )
    parser.add_argument("--workdir", type=Path, help="where corpora and sites are written (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep each corpus and its built sites")
    parser.add_argument("--out", type=Path, help="also write the table, with the date and machine, to this file")
    parser.add_argument("--seed", type=int, default=0, help="random seed of the corpus (default: %(default)s)")
    parser.add_argument(
        "--serve-max",
        type=int,
        default=1000,
        metavar="N",
        help="measure the serve-style rebuild up to this size (default: %(default)s; it rebuilds everything)",
    )
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        metavar="R",
        help="build and floor build R times each, alternating, up to --rounds-max (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds-max",
        type=int,
        default=1000,
        metavar="N",
        help="repeat the builds in rounds up to this size; larger sizes build once (default: %(default)s)",
    )
    parser.add_argument(
        "--rounds-seconds",
        type=float,
        default=240,
        metavar="S",
        help="where builds are quick, add rounds until they add up to S seconds (default: %(default)s)",
    )
    parser.add_argument(
        "--lighthouse",
        type=int,
        default=1000,
        metavar="N",
        help=f"run Lighthouse ({LIGHTHOUSE}, npm) on the site of this size (default: %(default)s; 0: never)",
    )
    parser.add_argument(
        "--source", type=Path, default=project_root(), help="the real project to copy from (default: %(default)s)"
    )


def run_from_args(args: argparse.Namespace) -> int:
    """Run the benchmark as the parsed arguments say; print the table."""
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        print(f"kb bench: --sizes must be numbers separated by commas, not {args.sizes!r}", file=sys.stderr)
        return 2
    if not sizes or min(sizes) < 1:
        print("kb bench: --sizes needs at least one positive size", file=sys.stderr)
        return 2
    if args.rounds < 1:
        print(f"kb bench: --rounds must be 1 or more, not {args.rounds}", file=sys.stderr)
        return 2
    if args.rounds_seconds < 0:
        print(f"kb bench: --rounds-seconds must be 0 or more, not {args.rounds_seconds:g}", file=sys.stderr)
        return 2
    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="kb-bench-")) if temporary else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        rows = run(
            sizes,
            workdir,
            args.source.resolve(),
            keep=args.keep,
            seed=args.seed,
            lighthouse_at=args.lighthouse,
            serve_max=args.serve_max,
            rounds=args.rounds,
            rounds_max=args.rounds_max,
            rounds_s=args.rounds_seconds,
        )
    finally:
        if temporary and not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
        elif args.keep:
            _log(f"kept {workdir}")
    table = format_table(rows) + per_page_growth(rows)
    table += "\nFirst search, every query (cold, typed key by key; the table above shows the worst):\n\n"
    table += format_first_search(rows)
    for row in rows:
        if row.get("lighthouse"):
            table += (
                f"\nLighthouse at N={row['n']:,}, median of {LIGHTHOUSE_RUNS} runs "
                "(phone profile, Debian's Chromium, gzip-serving local server):\n\n"
            )
            table += format_lighthouse(row["lighthouse"])
    print(table, end="")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(machine_header() + "\n" + table, encoding="utf-8")
    done = {row["n"] for row in rows}
    if failed := [n for n in sizes if n not in done]:
        print(f"kb bench: no figures for N={', '.join(map(str, failed))} (see the messages above)", file=sys.stderr)
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kb bench", description="Build synthetic knowledge bases of N articles and measure the build."
    )
    add_arguments(parser)
    return run_from_args(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
