"""Search that scales and works for Vietnamese readers: Pagefind, plus two additions.

Pagefind indexes each language's built pages once that language is built,
by the process that built it (so the two languages are indexed at once):
a bundle at each language's root (``/pagefind/``, ``/en/pagefind/``),
split into small chunks so a reader downloads only the parts a query
needs. Pagefind 1.5 matches Vietnamese words typed without
tones ("tri tue" finds "trí tuệ") and highlights the accented originals.

Two things it does not do are added to each page, in an attribute that
only the indexer reads (:func:`hidden_terms`):

* "đ" is a letter of its own, not a "d" with a mark, so "duong" would not
  find "đường": each word with "đ" is added with "d", with the words on
  either side of it (:func:`d_phrases`), so a phrase typed without marks
  ("dinh kien", "dau tu") is found as a phrase too;
* the other language's names of the glossary terms a page uses, so
  "quantization" finds the Vietnamese pages about "lượng tử hóa".

Pagefind keeps those words at the end of the page's stored text; the same
element's metadata says how many they are (``kbh``), so the search dialog
cuts them off before it makes an excerpt. A topic's, entity's or the
glossary's page also names what it is the entry of (``kbnames``,
:func:`own_names`), which the dialog lists first for those names.

At thousands of articles one index is too big for a first search: the
locations of a common syllable ("mô", "hình") fill index chunks of hundreds
of kilobytes. So the main bundle holds every page but the older articles:
the newest ``paging.LIMITS.searched_first`` articles and every other page
(topics, entities, glossary, timeline...). The older articles are indexed
apart, in the bundle's archive (``pagefind/archive/``;
:func:`archived`). The search dialog searches the archive only when a
reader needs it: too few results to fill a page, or "more results" at the
end of the list (assets/kb-search.js). One archive, not several: each
bundle a query touches costs its engine and, per word, an index chunk of
at least Pagefind's chunk size, however rare the word.
"""

from __future__ import annotations

import functools
import gzip
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Collection, Sequence
from pathlib import Path

from kb.content.project import ARTICLES, Article
from kb.content.schema import LANGS
from kb.knowledge.facts import Knowledge, term_forms
from kb.site import paging
from kb.site.article_pages import lang_root
from kb.textutil import WORD, fold

BUNDLE = "pagefind"
ARCHIVE = "archive"  # the archive's folder in the bundle
_TAGS = re.compile(r"<[^>]+>")
_D = re.compile("[đĐ]")
# Left out of the index: what a page repeats from other pages (lists of the
# events and articles on a topic or entity page, an event's source line), so
# each is found once, on its own page, and the index chunks stay small.
NOINDEX = "kb-noindex"
# What readers should not find as text: the headings' permalink signs, the above, and TeX math
# (pymdownx.arithmatex's elements: their TeX source, "\frac", "\alpha", is not words a reader types,
# and an excerpt would show it raw, as the page does not).
# An article's metadata line (date, author, where published, its tags) is furniture: not searched, and
# never an excerpt.
EXCLUDE = (".headerlink", f".{NOINDEX}", ".arithmatex", ".kb-meta")
_CLASS_NAMES = re.compile("|".join(re.escape(c.lstrip(".")) for c in EXCLUDE))
_OPENING = re.compile(r"<(\w+)\b[^>]*>")
_CLASS_ATTR = re.compile(r"""\bclass=["']([^"']*)["']""")


class SearchIndexFailed(Exception):
    """Pagefind could not index the site; its message says why."""


def searchable(meta: dict) -> bool:
    """Whether a page goes into the search index: not when its front-matter says ``search: {exclude: true}``."""
    options = meta.get("search")
    return not (isinstance(options, dict) and options.get("exclude") is True)


def other_language_forms(k: Knowledge, lang: str, terms: set[str] | None) -> list[str]:
    """The other language's names of a page's glossary terms (:func:`kb.site.pages.indexed_terms`), in a stable order."""
    other = "en" if lang == "vi" else "vi"
    forms: list[str] = []
    for term_id in sorted(terms or ()):
        if term_id in k.terms:
            forms.extend(term_forms(k.terms[term_id], other))
    return forms


def extra_words(html: str, other_forms: list[str]) -> list[str]:
    """Words a page should also be found by: its 'đ' words with 'd' and their neighbours, then the
    other-language names of its terms."""
    has_d = "đ" in html or "Đ" in html
    extra = d_phrases(_TAGS.sub(" ", indexed_html(html))) if has_d else []
    return list(dict.fromkeys([*extra, *other_forms]))


def indexed_html(html: str) -> str:
    """A page's HTML less the elements Pagefind leaves out (:data:`EXCLUDE`): their words are not the page's.

    The class names are found by a plain scan; only their elements are parsed (a pattern tried at every
    tag took longer than the rest of the page's search words).
    """
    out, pos = [], 0
    for hit in _CLASS_NAMES.finditer(html):
        if hit.start() < pos:  # inside an element already left out
            continue
        start = html.rfind("<", 0, hit.start())
        opening = _OPENING.match(html, start)
        if opening is None or opening.end() < hit.end() or not _is_class(opening.group(0), hit.group(0)):
            continue
        tag = opening.group(1)
        depth, end = 0, len(html)
        for inner in _tag_pattern(tag).finditer(html, start):
            depth += -1 if inner.group(1) else 1
            if depth == 0:
                end = inner.end()
                break
        out.append(html[pos:start])
        pos = end
    out.append(html[pos:])
    return " ".join(out)


def _is_class(tag: str, name: str) -> bool:
    classes = _CLASS_ATTR.search(tag)
    return classes is not None and name in classes.group(1).split()


@functools.cache
def _tag_pattern(tag: str) -> re.Pattern[str]:
    return re.compile(rf"<(/?){tag}\b[^>]*>")


def d_phrases(text: str) -> list[str]:
    """Each run of words holding "đ", with the word before and after it, folded ("định kiến" -> "dinh kien").

    Runs that touch are one run; a run met again is given once. A query of bare syllables is then
    found as a phrase where a "đ" word stands in it, as the page's other words are without "đ".
    """
    spans: list[list[int]] = []
    backwards = text[::-1]  # the word before a point is the next word of the reversed text
    for start, end in _d_word_spans(text):
        before = WORD.search(backwards, len(text) - start)
        after = WORD.search(text, end)
        first = len(text) - before.end() if before else start
        last = after.end() if after else end
        if spans and first <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    if not spans:
        return []
    folded = fold("\x00".join(text[a:b].replace("\x00", " ") for a, b in spans)).split("\x00")
    return list(dict.fromkeys(" ".join(WORD.findall(run)) for run in folded))


def d_words(text: str) -> list[str]:
    """The words (``\\w+``) of a text that hold "đ" or "Đ", in order, repeats kept."""
    return [text[a:b] for a, b in _d_word_spans(text)]


def _d_word_spans(text: str) -> list[tuple[int, int]]:
    """Where each word holding "đ" or "Đ" is. Each "đ" is found at C speed and its word grown around
    it: a pattern like ``\\w*[đĐ]\\w*`` is tried at every letter of the page, five times slower."""
    spans, end = [], 0
    for match in _D.finditer(text):
        if match.start() < end:  # in the word just taken
            continue
        start = match.start()
        while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        word = WORD.match(text, start)
        assert word is not None  # "đ" is a word character
        spans.append((start, word.end()))
        end = word.end()
    return spans


def _attr(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def hidden_terms(html: str, other_forms: list[str], names: str = "") -> str:
    """An empty element whose attribute holds the extra words, for the indexer only, and the metadata
    the search dialog reads: how many words those are (``kbh``), and what the page is the entry of.

    Pagefind indexes the attribute (data-pagefind-index-attrs) and stores it at the end of the page's
    text; readers and screen readers never see it, and the dialog's excerpts leave it out (``kbh``).
    """
    extra = " ".join(extra_words(html, other_forms))
    meta = [f"kbh:{len(extra.split())}"] if extra else []
    if names:
        meta.append(f"kbnames:{names}")
    if not meta:
        return ""
    # Pagefind reads one "key:value" per attribute, so each piece of metadata has its own element.
    index = f' data-pagefind-index-attrs="data-kb-terms" data-kb-terms="{_attr(extra)}"' if extra else ""
    first, *rest = meta
    parts = [f'<span class="kb-search-terms"{index} data-pagefind-meta="{_attr(first)}"></span>']
    parts += [f'<span class="kb-search-terms" data-pagefind-meta="{_attr(m)}"></span>' for m in rest]
    return "".join(parts)


def own_names(k: Knowledge, src_uri: str) -> str:
    """What a page is the own entry of, for the dialog to list it first for those names.

    ``anchor=name|name;anchor=...``: a topic's or entity's page (no anchor) by its names in both
    languages and its aliases; the glossary by each term's names and aliases, at the term's anchor.
    Empty for any other page.
    """

    def entry(anchor: str, names: list[str]) -> str:
        clean = (n.replace("|", " ").replace(";", " ").replace("=", " ").strip() for n in names)
        return f"{anchor}=" + "|".join(dict.fromkeys(n for n in clean if n))

    path = src_uri.removesuffix(".md")
    kind, _, ident = path.partition("/")
    if kind == "topics" and ident in k.topics:
        topic = k.topics[ident]
        return entry("", [topic.name.vi, topic.name.en])
    if kind == "entities" and ident in k.entities:
        entity = k.entities[ident]
        return entry("", [entity.name.vi, entity.name.en, *(a.form for a in entity.aliases)])
    if path == "glossary":
        return ";".join(
            entry(t.id, [t.term.vi, t.term.en, *(a.form for a in [*t.aliases.vi, *t.aliases.en])])
            for t in sorted(k.terms.values(), key=lambda t: t.id)
        )
    return ""


def archived(articles: Sequence[Article]) -> list[str]:
    """The slugs of the articles searched only on request (in the archive): those past the newest
    ``paging.LIMITS.searched_first``. ``articles`` are the project's, newest first (as
    :func:`kb.content.project.load_project` sorts them)."""
    return [article.slug for article in articles[max(1, paging.LIMITS.searched_first) :]]


def index_site(site_dir: Path, archived: Collection[str] = (), output: Path | None = None) -> None:
    """Index every language of a built site (:func:`index_language`); with ``output``, into
    ``output/<language's root>pagefind/`` (``kb serve`` indexes beside the site, then swaps)."""
    for lang in LANGS:
        root = lang_root(lang)
        index_language(site_dir / root, lang, archived, output / root / BUNDLE if output else None)


def index_language(lang_dir: Path, lang: str, archived: Collection[str] = (), output: Path | None = None) -> None:
    """Build the Pagefind bundle of one language's built pages, in ``lang_dir`` (the other languages' folders
    in it left out: en/ in the Vietnamese root), into its ``pagefind/`` folder or into ``output``.

    The articles whose slugs are in ``archived`` (:func:`archived`) are left out of the main bundle and
    indexed into its ``archive/`` folder.
    """
    bundle = output or lang_dir / BUNDLE
    own = lang_root(lang)
    others = tuple(
        lang_root(other)[len(own) :] for other in LANGS if other != lang and lang_root(other).startswith(own)
    )
    article = re.compile(f"{ARTICLES}/([^/]+)/")
    pages: dict[bool, list[str]] = {False: [], True: []}
    for page in sorted(lang_dir.rglob("*.html")):
        relative = page.relative_to(lang_dir).as_posix()
        if relative.startswith(others) or relative.startswith(f"{BUNDLE}/"):
            continue
        found = article.match(relative)
        pages[found is not None and found.group(1) in archived].append(relative)
    # Pagefind reads a folder: each bundle's pages are linked into one of their own, beside the site (where
    # the other language's indexer, at work at the same time, does not look).
    site_dir = lang_dir.parents[own.count("/") - 1] if own else lang_dir
    views = Path(tempfile.mkdtemp(prefix=".kb-search-views-", dir=site_dir.parent))
    try:
        for older, relatives in pages.items():  # the main bundle first: its folder holds the archive's
            if older and not relatives:
                continue
            view = views / str(older)
            view.mkdir()
            for relative in relatives:
                _link(lang_dir / relative, view / relative)
            _pagefind(view, bundle / ARCHIVE if older else bundle)
    finally:
        shutil.rmtree(views, ignore_errors=True)


def stored_pages(site_dir: Path, parts: Sequence[str] = ("", ARCHIVE)) -> dict[str, dict]:
    """What the bundles of a built site store of each page (text, metadata, anchors), by its address on the
    site ("/en/articles/x/": a bundle's addresses are from its language's root): for tests and tools.
    ``parts``: the main bundles (""), their archives, or both."""
    pages = {}
    for lang in LANGS:
        root = lang_root(lang)
        bundles = [site_dir / root / BUNDLE / part for part in parts]
        for fragment in sorted(f for bundle in bundles for f in bundle.glob(f"fragment/{lang}_*.pf_fragment")):
            data = json.loads(gzip.decompress(fragment.read_bytes()).removeprefix(b"pagefind_dcd"))
            data["url"] = f"/{root}{data['url'].lstrip('/')}"
            pages[data["url"]] = data
    return pages


def _link(source: Path, target: Path) -> None:
    """``target`` made the same file as ``source`` (a hard link; a copy where links are not possible)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def _pagefind(site_dir: Path, bundle: Path) -> None:
    """Pagefind over the HTML pages in ``site_dir``, into the folder ``bundle``."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        "--output-path",
        str(bundle),
        *(arg for selector in EXCLUDE for arg in ("--exclude-selectors", selector)),
        "--silent",
    ]
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexFailed(f"pagefind failed: {message[-1] if message else f'exit {result.returncode}'}")
    # Pagefind writes its languages in hash-map order; sorted, two builds of one tree are identical.
    entry = bundle / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
