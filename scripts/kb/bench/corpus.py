"""The synthetic corpus: articles (seed, clean page, English), events, glossary and the project around them."""

from __future__ import annotations

import datetime as dt
import itertools
import random
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kb import ingest, yamlio
from kb.bench.prose import Pools, load_pools
from kb.bench.vocabulary import (
    _DOMAINS,
    _EMOJI,
    _ENTITY_SENTENCES,
    _EVENT_TITLES,
    _FAMILY,
    _GIVEN,
    _MIDDLE,
    _PUBLISHERS,
    _TERM_SENTENCES,
    Mentionable,
    _unique_id,
    make_entities,
    make_terms,
)
from kb.content.project import ARTICLES
from kb.content.schema import LANGS, SeedMeta
from kb.textutil import read_text, short_hash, slugify

# Article images point at this host; the benchmark's server stands in for it with a placeholder.
IMAGE_HOST = "https://static.example.org/images/"
# What make_corpus copies from the real project, besides the top-level pages of docs/<lang>/.
COPIED = (
    "mkdocs.yml",
    "mkdocs.en.yml",
    "overrides",
    "scripts/kb",
    "data/ui.yml",
    "data/topics.yml",
    "data/downloads.yml",
)

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


def write_text_file(path: Path, text: str) -> None:
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
        write_text_file(seeds / f"{name}.txt", raw)
        header = f"# Synthetic benchmark article {index} (kb.bench); field reference: CONTRIBUTING.md.\n"
        write_text_file(seeds / f"{name}.yml", header + yamlio.dump(meta))
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
        write_text_file(self.dest / "docs" / "en" / ARTICLES / f"{slug}.md", f"---\n{yamlio.dump(front)}---\n\n{text}")


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
    term_ids = {t.id for t in terms}
    for entity in entities:  # a real entity's glossary term may be one the corpus leaves out
        if entity.data.get("term") not in term_ids:
            entity.data.pop("term", None)
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
    write_text_file(
        data / "entities.yml",
        "# Synthetic entities (kb.bench): aliases are the surface forms found in the article text.\n\n"
        + yamlio.dump([e.data for e in entities]),
    )
    write_text_file(
        data / "events.yml",
        "# Synthetic events (kb.bench), each citing a section of an article.\n\n"
        + yamlio.dump(make_events(planned, by_id, rng)),
    )
    write_text_file(
        data / "glossary.yml",
        "# Synthetic glossary (kb.bench), each term citing an article section.\n\n"
        + yamlio.dump(make_glossary(planned, terms, rng)),
    )
