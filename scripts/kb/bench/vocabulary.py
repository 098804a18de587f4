"""Entities and glossary terms the synthetic articles mention: real ones, then made-up names."""

from __future__ import annotations

import itertools
import random
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from kb.bench.prose import Pools
from kb.content.schema import LANGS
from kb.textutil import slugify

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
    # type (one of facts.ENTITY_TYPES), weight, vi name, en name, vi description, en description
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
        "benchmark",
        3,
        "{p}-Bench",
        "{p}-Bench",
        "Điểm chuẩn đánh giá các mô hình trong lĩnh vực {topic}.",
        "A benchmark that evaluates models in the field of {topic}.",
    ),
    (
        "method",
        2,
        "Phương pháp {p}",
        "{p} method",
        "Phương pháp huấn luyện được nhắc đến trong các bài viết về {topic}.",
        "A training method that appears in articles about {topic}.",
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


def _form(alias: str | dict[str, Any]) -> str:
    """An alias's form, whether a string or a mapping with rules."""
    return alias if isinstance(alias, str) else str(alias.get("form", ""))


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
    # An alias with rules (a mapping) is found only in its context, which made-up text need not give.
    forms = [(a, a) for a in data.get("aliases", []) if isinstance(a, str) and _usable_form(a)]
    ruled = {_form(a) for a in data.get("aliases", []) if not isinstance(a, str)}
    if ruled & {name["vi"], name["en"]}:
        return forms
    if _usable_form(name["vi"]) and _usable_form(name["en"]) and _same_digits(name["vi"], name["en"]):
        forms.append((name["vi"], name["en"]))
    return forms


def make_entities(count: int, real: list[dict], topics: dict[str, dict], rng: random.Random) -> list[Mentionable]:
    """The real entities first, then synthetic ones up to ``count``; ``topics`` maps id to topic."""
    topic_ids = list(topics)
    result: list[Mentionable] = []
    used_ids: set[str] = set()
    for data in real[:count]:
        # A real entity's "as of" names a real article, which a synthetic corpus does not have.
        data = {key: value for key, value in data.items() if key != "as_of"}
        used_ids.add(data["id"])
        if forms := _entity_forms(data):
            result.append(Mentionable(data["id"], forms, data, list(data.get("topics", []))))
    used_words = {w.casefold() for d in real for a in d.get("aliases", []) for w in re.findall(r"\w+", _form(a))}
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
