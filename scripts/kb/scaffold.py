"""``kb new``: start an article, a translation, an event, an entity or a glossary term.

Each command writes one valid file (or appends one valid item to a data
file) with the required fields and short guidance, in the right place. The
facts come from the command's options or from the capture itself; nothing
is invented. What would be written is checked with the same rules as
``kb check`` first, and nothing is written when something is wrong or when
the file or id already exists.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from kb import ingest, yamlio
from kb.content.project import ARTICLES, META_SUFFIX, SEED_SUFFIX, Paths, Project, load_project
from kb.content.schema import DEFAULT_LANG, LANGS, SeedMeta, problems_from
from kb.errors import ContentError, Problem
from kb.ingest import duplicates
from kb.ingest.detect import detect
from kb.knowledge.facts import FILES, load_knowledge
from kb.textutil import MAX_DATA_BYTES, markdown_slugify, read_text, replace_atomically, short_hash, slugify

SEED_GUIDANCE = """\
# What is known about {seed}, the raw capture beside this file.
# Never edit the capture; fix problems here (a site's rules: data/sites.yml).
# Fields (CONTRIBUTING.md, rule 2): slug = the page address; title.vi as the
# source prints it; published = YYYY-MM-DD or YYYY-MM-DDTHH:MM+07:00;
# author/publisher/url = null when the capture does not say (never guess);
# tags = topic ids from data/topics.yml; optional summary.vi/en, note.vi/en.
# Check the clean page with: kb convert {slug}
"""

SCRATCH_SEED = """\
---
# A new article written for this knowledge base, in Markdown. Write it below:
# '## ' section headings, paragraphs separated by blank lines, '- ' lists,
# ![alt text](https://…) images and [links](https://…). Once published, this
# file is the article's source and is not edited again (CONTRIBUTING.md, rule 1).
---

"""

TRANSLATION_GUIDANCE = """\
# Translation of {source} ({lang}). Translate the title and every block below in place:
# one block for each block of the original (kb check compares the structure).
# Keep each heading's {{#anchor}} and lines such as {{: .kb-lead }}.
# When it is finished: delete `draft: true` and set `translated` to the day.
# Until then readers see the original with a notice.
"""


class ScaffoldError(ContentError):
    """A scaffold could not be written; nothing was."""


def _fail(shown: str, message: str, *, field: str | None = None, expected: str | None = None) -> ScaffoldError:
    return ScaffoldError(Problem(shown, message, field=field, expected=expected))


def _write_new(path: Path, text: str, paths: Paths) -> None:
    """Create a file that must not exist yet, atomically (never a half-written file)."""
    if path.exists():
        raise _fail(paths.show(path), "already exists", expected="a new name: kb new never overwrites a file")
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(text)
    try:
        os.link(tmp.name, path)  # fails if the file appeared meanwhile
    finally:
        os.unlink(tmp.name)


def _validate(model: type[BaseModel], data: dict[str, Any], shown: str) -> Any:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ScaffoldError(problems_from(exc, shown, {}, model)) from None


# ------------------------------------------------------------------ article


def _next_number(paths: Paths) -> int:
    numbers = [int(m[1]) for p in paths.seeds.glob(f"*{SEED_SUFFIX}") if (m := re.match(r"^(\d+)_", p.name))]
    return max(numbers, default=-1) + 1


def _published_from(found: dict[str, Any]) -> tuple[str | None, dict[str, str] | None]:
    """A publication date the capture states, and a note when it gives a time without a zone."""
    raw = found.get("published")
    if not isinstance(raw, str) or not re.match(r"^\d{4}-\d{2}-\d{2}", raw):
        return None, None
    date, _, time = raw.partition("T")
    if not time or re.search(r"(Z|[+-]\d{2}:\d{2})$", time):
        return raw, None
    return date, {
        "vi": f"Bản thu ghi giờ {time} nhưng không ghi múi giờ, nên chỉ dùng ngày.",
        "en": f"The capture gives the time {time} without a time zone, so only the date is used.",
    }


def new_article(
    root: Path,
    seed_file: Path | None,
    *,
    title_vi: str | None,
    title_en: str | None,
    published: str | None,
    slug: str | None = None,
    fmt: str | None = None,
    author: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    tags: list[str] | None = None,
    say: Callable[[str], object] = lambda _: None,
) -> list[Path]:
    """Add a seed (a raw capture, or a new Markdown article) and its metadata; ``say`` hears what was detected."""
    paths = Paths(root)
    number = _next_number(paths)
    if seed_file is not None:
        shown_src = str(seed_file)
        if not seed_file.is_file():
            raise _fail(shown_src, "is not a file", expected="the path of a raw capture (UTF-8 text)")
        raw_bytes = seed_file.read_bytes()
        text = ingest.read_capture(seed_file, shown_src)
        if fmt:
            say(f"kind: {fmt} (as --format says)")
        else:
            detected = detect(text)
            fmt = detected.kind
            say(f"kind: {fmt}, because {detected.reason} (--format overrides it)")
    else:
        if not title_vi:
            raise _fail("kb new article", "--title-vi is required for a new article", expected="its Vietnamese title")
        text = SCRATCH_SEED + f"# {title_vi}\n"
        raw_bytes = text.encode("utf-8")
        fmt = "markdown"

    # What the capture itself states (title, date, author...), read with provisional metadata.
    found: dict[str, Any] = {}
    probe = SeedMeta.model_validate(
        {
            "slug": "probe",
            "format": fmt,
            "title": {"vi": title_vi or "\u2063", "en": "x"},  # a title no page prints: the capture's own is read
            "published": "2000-01-01",
            "url": url,
        }
    )
    try:
        found = ingest.convert(text, probe).found
    except ContentError:
        found = {}
    for key in ("title", "published", "author", "publisher", "url"):
        if found.get(key):
            say(f"the capture states {key}: {found[key]}")
    title_vi = title_vi or (str(found["title"]) if found.get("title") else None)
    found_date, date_note = _published_from(found)
    published = published or found_date
    missing = [
        option
        for option, value in (("--title-vi", title_vi), ("--title-en", title_en), ("--published", published))
        if not value
    ]
    if missing:
        raise _fail(
            "kb new article",
            f"{', '.join(missing)} missing: the capture does not state {'it' if len(missing) == 1 else 'them'}",
            expected="the values from the source (never guessed): e.g. --published 2025-03-25",
        )
    slug = slug or slugify(title_vi)[:80].rstrip("-")
    name = f"{number:03d}_{short_hash(text)}" if seed_file else f"{number:03d}_{slug}"
    seed_path = paths.seeds / f"{name}{SEED_SUFFIX}"
    meta_path = seed_path.with_suffix(META_SUFFIX)
    data: dict[str, Any] = {
        "slug": slug,
        "format": fmt,
        "title": {"vi": title_vi, "en": title_en},
        "published": published,
        "author": author or (found.get("author") if seed_file else None),
        "publisher": publisher or (found.get("publisher") if seed_file else None),
        "url": url or (found.get("url") if seed_file else None),
        "tags": tags or [],
    }
    if date_note:
        data["note"] = date_note
    shown_meta = paths.show(meta_path)
    meta = _validate(SeedMeta, data, shown_meta)
    project = load_project(root)
    converted = ingest.convert(text, meta)  # the converter's own error if the capture and metadata disagree
    new = duplicates.Capture(paths.show(seed_path), raw_bytes, text, converted.body)
    existing = [
        duplicates.Capture(
            paths.show(a.seed), a.seed.read_bytes(), ingest.read_capture(a.seed, paths.show(a.seed)), a.body
        )
        for a in project.articles
    ]
    if seed_file is not None and (same := duplicates.same_as(new, existing)):
        raise _fail(
            shown_src,
            f"is already a seed: {same[0]} ({same[1]})",
            expected="a capture of an article the knowledge base does not have; nothing was written",
        )

    if (other := project.article(meta.slug)) is not None:
        raise _fail(
            shown_meta,
            f"slug {meta.slug!r} is already used by {paths.show(other.meta_path)}",
            field="slug",
            expected="another --slug",
        )
    topics = _ids(paths, "topics")
    if unknown := [t for t in meta.tags if t not in topics]:
        raise _fail(
            shown_meta, f"unknown topic {', '.join(unknown)}", field="tags", expected="ids from data/topics.yml"
        )
    yaml_text = SEED_GUIDANCE.format(seed=seed_path.name, slug=meta.slug) + yamlio.dump(data)
    if seed_path.exists() or meta_path.exists():
        raise _fail(paths.show(seed_path), "already exists", expected="a new name: kb new never overwrites a file")
    paths.seeds.mkdir(parents=True, exist_ok=True)
    with open(seed_path, "xb") as out:  # byte for byte: a seed is never changed
        out.write(raw_bytes)
    try:
        _write_new(meta_path, yaml_text, paths)
    except BaseException:
        seed_path.unlink()
        raise
    return [seed_path, meta_path]


# --------------------------------------------------------------- translation


def _anchored(body: str) -> str:
    """Give every heading its anchor as {#id}, as the English pages keep the Vietnamese ones."""
    seen: set[str] = set()
    out, in_fence = [], False
    for line in body.split("\n"):
        if re.match(r"^(`{3,}|~{3,})", line):
            in_fence = not in_fence
        m = None if in_fence else re.match(r"^(#{1,6})\s+(.+?)\s*$", line)
        if m and not re.search(r"\{#[\w-]+\}$", m[2]):
            anchor = base = markdown_slugify(re.sub(r"[*_`]", "", m[2]), "-")
            n = 0
            while anchor in seen:  # Python-Markdown's toc numbers duplicates _1, _2...
                n += 1
                anchor = f"{base}_{n}"
            seen.add(anchor)
            line = f"{m[1]} {m[2]} {{#{anchor}}}"
        out.append(line)
    return "\n".join(out)


def _page_arg(page: str) -> str:
    """'rewind-ai-2024', 'articles/rewind-ai-2024.md', 'docs/vi/about.md' or 'about' as a docs path."""
    page = page.strip().replace("\\", "/")
    for lang in LANGS:
        page = page.removeprefix(f"docs/{lang}/")
    if not page.endswith(".md"):
        page += ".md"
    return page


def new_translation(root: Path, page: str, *, lang: str = "en", today: dt.date | None = None) -> list[Path]:
    """Start a translation of a page: the original's blocks to translate in place, as a draft."""
    paths = Paths(root)
    if lang == DEFAULT_LANG or lang not in LANGS:
        raise _fail("kb new translation", f"--lang {lang} is not a translation language", expected="en")
    project = load_project(root)
    src_uri = _page_arg(page)
    article = project.article(src_uri.removesuffix(".md").removeprefix(f"{ARTICLES}/"))
    if article is not None:
        src_uri = article.src_uri
        title, body, source_hash, source = article.title(lang), article.body, article.source_hash, article.src_uri
    else:
        human = next((p for p in project.pages if p.src_uri == src_uri and p.source_lang != lang), None)
        if human is None:
            known = ", ".join([a.slug for a in project.articles][:5] + [p.src_uri for p in project.pages])
            raise _fail(
                page,
                "is not an article or a page to translate",
                expected=f"an article slug or a page of docs/{DEFAULT_LANG}/ (e.g. {known})",
            )
        title, body, source_hash = human.title(human.source_lang), human.source.body, human.source_hash
        source = paths.show(human.source.path)
    target = paths.lang_docs(lang) / src_uri
    front = {
        "title": title,
        "source_hash": source_hash,
        "translated": (today or dt.date.today()).isoformat(),
        "draft": True,
    }
    text = (
        "---\n"
        + TRANSLATION_GUIDANCE.format(source=source, lang=lang)
        + yamlio.dump(front)
        + "---\n\n"
        + _anchored(body.strip("\n"))
        + "\n"
    )
    _write_new(target, text, paths)
    return [target]


# ------------------------------------------------------------ data items


def _ids(paths: Paths, name: str) -> set[str]:
    path = paths.data / f"{name}.yml"
    if not path.exists():
        return set()
    data, _ = yamlio.load(read_text(path, paths.show(path), limit=MAX_DATA_BYTES), paths.show(path))
    return {item["id"] for item in data or [] if isinstance(item, dict) and isinstance(item.get("id"), str)}


def _source(ref: str | None) -> dict[str, str] | None:
    if not ref:
        return None
    article, _, section = ref.partition("#")
    return {"article": article, "section": section} if section else {"article": article}


def add_item(root: Path, name: str, item: dict[str, Any]) -> tuple[Path, int]:
    """Append one item to data/<name>.yml after checking it with every rule of ``kb check``."""
    return add_items(root, [(name, item)])[0]


Place = Callable[[int, Problem], Problem]


def add_items(
    root: Path, batch: list[tuple[str, dict[str, Any]]], place: Place | None = None
) -> list[tuple[Path, int]]:
    """Append items to their data files, all or nothing, each checked with every rule of ``kb check``.

    ``batch`` holds (data file name, item) pairs. Every problem of every item
    is collected first; ``place(n, problem)`` may say where the n-th item
    came from (a draft's file and line) instead of the data file. Nothing is
    written unless every item is right; then each file is replaced whole.
    """
    paths = Paths(root)

    def shown_of(name: str) -> str:
        return paths.show(paths.data / f"{name}.yml")

    def placed(n: int, problem: Problem) -> Problem:
        return place(n, problem) if place else problem

    problems: list[Problem] = []
    ids: dict[str, set[str]] = {}
    for n, (name, item) in enumerate(batch):
        shown = shown_of(name)
        try:
            _validate(FILES[name], item, f"{shown} (new item)")
        except ScaffoldError as exc:
            problems += [placed(n, p) for p in exc.problems]
            continue
        known = ids.setdefault(name, _ids(paths, name))
        if item["id"] in known:
            problems.append(
                placed(
                    n,
                    Problem(
                        shown, f"id {item['id']!r} already exists", field="id", expected="a new id (or edit the item)"
                    ),
                )
            )
        known.add(item["id"])
    if problems:
        raise ScaffoldError(problems)

    texts: dict[str, str] = {}
    first_line: dict[str, int] = {}
    spans: list[tuple[str, int, int]] = []  # each item's file and lines
    for name, item in batch:
        path = paths.data / f"{name}.yml"
        if name not in texts:
            texts[name] = read_text(path, shown_of(name), limit=MAX_DATA_BYTES) if path.exists() else ""
        old = texts[name]
        entry = yamlio.dump([{k: v for k, v in item.items() if v not in (None, [], {})}])
        new = old.rstrip("\n") + ("\n\n" if old.strip() else "") + entry
        line = new[: len(new) - len(entry)].count("\n") + 1
        first_line.setdefault(name, line)
        spans.append((name, line, new.count("\n")))
        texts[name] = new

    # Check the whole knowledge layer with the new files, in a scratch copy of data/.
    project = load_project(root)
    with tempfile.TemporaryDirectory() as scratch:
        shutil.copytree(paths.data, Path(scratch) / "data")
        for name, text in texts.items():
            (Path(scratch) / "data" / f"{name}.yml").write_text(text, encoding="utf-8")
        trial: Project = dataclasses.replace(project, paths=Paths(Path(scratch)))
        found = load_knowledge(trial).problems
    for name in texts:
        shown = shown_of(name)
        for p in found:
            if p.warning or p.path != shown or (p.line or 0) < first_line[name]:
                continue
            n = next((i for i, (nm, a, b) in enumerate(spans) if nm == name and a <= (p.line or 0) <= b), 0)
            # reported against the item, since the file does not have it
            problems.append(placed(n, dataclasses.replace(p, path=f"{shown} (new item)", line=None)))
    if problems:
        raise ScaffoldError(problems)
    for name, text in texts.items():
        replace_atomically(paths.data / f"{name}.yml", text)
    return [(paths.data / f"{name}.yml", line) for name, line, _ in spans]


def event_id(date: str, title_en: str) -> str:
    """An event's id as ``kb new event`` makes it: the year, then the English title."""
    return f"{str(date)[:4]}-{slugify(title_en or '')[:60].rstrip('-')}"


def new_event(root: Path, **o: Any) -> tuple[Path, int]:
    item = {
        "id": o.get("id") or event_id(o["date"], o["title_en"]),
        "date": o["date"],
        "title": {"vi": o["title_vi"], "en": o["title_en"]},
        "description": {"vi": o["description_vi"], "en": o["description_en"]},
        "entities": o.get("entities") or [],
        "topics": o.get("topics") or [],
        "source": _source(o["source"]),
    }
    return add_item(root, "events", item)


def new_entity(root: Path, **o: Any) -> tuple[Path, int]:
    name_vi = o.get("name_vi") or o["name_en"]
    item = {
        "id": o.get("id") or slugify(o["name_en"] or ""),
        "type": o["type"],
        "term": o.get("term"),
        "name": {"vi": name_vi, "en": o["name_en"]},
        "aliases": o.get("aliases") or list(dict.fromkeys([o["name_en"], name_vi])),
        "description": {"vi": o["description_vi"], "en": o["description_en"]},
        "topics": o.get("topics") or [],
    }
    return add_item(root, "entities", item)


def new_term(root: Path, **o: Any) -> tuple[Path, int]:
    aliases = {lang: o.get(f"aliases_{lang}") or [] for lang in LANGS}
    item = {
        "id": o.get("id") or slugify(o["term_en"] or ""),
        "term": {"vi": o["term_vi"], "en": o["term_en"]},
        "aliases": {k: v for k, v in aliases.items() if v},
        "definition": {"vi": o["definition_vi"], "en": o["definition_en"]},
        "source": _source(o.get("source")),
    }
    return add_item(root, "glossary", item)
