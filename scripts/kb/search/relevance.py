"""The search relevance set: what readers type, the pages they mean, and how well search finds them.

The set is ``tests/search/relevance.yml``: queries written as a reader
would ask, in groups, with the page or pages each one means, and a floor
per group. To them are added queries generated from the data
(:func:`generated`): every glossary term's, entity's and topic's name and
alias, with and without marks, in its own and in the other language, and
with one tone mistyped. Each query runs in the built site's own search
(the page's dialog and Pagefind, in headless Chromium, :func:`run`) and
is scored on the results the dialog shows: recall at 1 and at 5 (a page
the query means is first, or among the first five) and the mean
reciprocal rank (of the first page it means; 0 past the first ten).

``python -m kb.search.relevance [--site DIR]`` prints the figures per
group (building the site first when no folder is given) and fails when a
group falls below its floor.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import re
import shutil
import sys
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from kb.knowledge.facts import Knowledge
from kb.textutil import fold

SET = Path("tests/search/relevance.yml")
LANGS = {"vi": "", "en": "en/"}
SHOWN = 10  # the results a reader sees before asking for more
# Tone marks as NFD combining characters, and the one a hurried reader types instead.
_TONE_SWAP = {"\u0309": "\u0303", "\u0303": "\u0309", "\u0301": "\u0300", "\u0300": "\u0301", "\u0323": "\u0301"}
_WORDS = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Query:
    lang: str
    group: str
    text: str
    expect: tuple[str, ...]  # site paths without the language's prefix: "articles/rewind-ai-2024/"
    origin: str = "set"  # "set" (written by hand) or "data" (generated)


@dataclass
class Shown:
    """One result as the dialog shows it."""

    url: str  # the page, as a site path ("/articles/x/" or "/en/articles/x/")
    excerpts: list[str]  # its excerpt and its sub-results' excerpts, as text
    marks: list[str]  # the words marked in them
    subs: list[str]  # its sub-results' links (path and "#section")


@dataclass
class Outcome:
    query: Query
    shown: list[Shown] = field(default_factory=list)

    @property
    def urls(self) -> list[str]:
        """The result pages shown, in order, as the set writes them (without the language prefix)."""
        prefix = "/" + LANGS[self.query.lang]
        return [s.url.removeprefix(prefix) for s in self.shown]

    @property
    def rank(self) -> int | None:
        """1-based place of the first page the query means among the results shown."""
        for i, url in enumerate(self.urls[:SHOWN], 1):
            if url in self.query.expect:
                return i
        return None


def words(text: str) -> tuple[str, ...]:
    """A name or query as a reader's search compares it: folded words, punctuation dropped."""
    return tuple(_WORDS.findall(fold(unicodedata.normalize("NFC", text))))


def own_entries(k: Knowledge, lang: str) -> dict[tuple[str, ...], set[str]]:
    """Each name (folded words) -> the pages that are its own entry: a topic's or entity's page, the glossary."""
    entries: dict[tuple[str, ...], set[str]] = {}

    def add(name: str, path: str) -> None:
        entries.setdefault(words(name), set()).add(path)

    for topic in k.topics.values():
        for name in (topic.name.vi, topic.name.en):
            add(name, f"topics/{topic.id}/")
    for entity in k.entities.values():
        for name in (entity.name.vi, entity.name.en, *(a.form for a in entity.aliases)):
            add(name, f"entities/{entity.id}/")
    for term in k.terms.values():
        for name in (term.term.vi, term.term.en, *(a.form for a in [*term.aliases.vi, *term.aliases.en])):
            add(name, "glossary/")
    entries.pop((), None)
    return entries


def mistype(text: str) -> str | None:
    """The text with the tone of its first toned syllable swapped for one a hurried reader types, or None."""
    decomposed = unicodedata.normalize("NFD", text)
    for i, char in enumerate(decomposed):
        if char in _TONE_SWAP:
            rest = decomposed[:i] + decomposed[i + 1 :]
            end = i  # the new tone goes after the letter's other marks ("ậ": a, dot below, circumflex)
            while end < len(rest) and unicodedata.combining(rest[end]):
                end += 1
            return unicodedata.normalize("NFC", rest[:end] + _TONE_SWAP[char] + rest[end:])
    return None


def generated(k: Knowledge) -> list[Query]:
    """Queries from the data: every term's, entity's and topic's names, as readers of each language type them."""
    queries: dict[tuple[str, str], Query] = {}

    def add(lang: str, group: str, text: str) -> None:
        text = unicodedata.normalize("NFC", text.strip())
        expect = own_entries(k, lang).get(words(text))
        if expect and len(text) >= 2 and (lang, text) not in queries:
            queries[(lang, text)] = Query(lang, group, text, tuple(sorted(expect)), "data")

    def vietnamese(name: str, group: str) -> None:
        add("vi", group, name)
        bare = fold(name)
        if bare != name.lower():
            add("vi", "vi-bare", bare)
            typo = mistype(name)
            if typo and len(name.split()) >= 2:
                add("vi", "typos", typo)

    for topic in k.topics.values():
        vietnamese(topic.name.vi, "vi-marked")
        add("en", "en", topic.name.en)
        add("vi", "cross-language", topic.name.en)
        add("en", "cross-language", topic.name.vi)
    for term in k.terms.values():
        vietnamese(term.term.vi, "vi-marked")
        add("en", "en", term.term.en)
        add("vi", "cross-language", term.term.en)
        add("en", "cross-language", term.term.vi)
        for alias in term.aliases.vi:
            vietnamese(alias.form, "entities")
    for entity in k.entities.values():
        for name in dict.fromkeys((entity.name.vi, entity.name.en, *(a.form for a in entity.aliases))):
            add("vi", "entities", name)
            add("en", "entities", name)
    return list(queries.values())


def load_set(path: Path) -> tuple[list[Query], dict[str, float]]:
    """The hand-written queries and the floors of ``relevance.yml``."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    queries = []
    for group, items in data["queries"].items():
        for item in items:
            lang = item.get("lang", "vi")
            expect = item["expect"] if isinstance(item["expect"], list) else [item["expect"]]
            queries.append(Query(lang, group, unicodedata.normalize("NFC", item["q"]), tuple(expect)))
    return queries, {str(g): float(v) for g, v in data.get("floors", {}).items()}


# One query through the dialog, as a reader runs it (typed, then Enter): resolves to what the dialog shows
# once the search has finished (the dialog's data-kb-searched names the query whose results are whole).
_RUN_JS = r"""
async (q) => {
  const dialog = document.getElementById('kb-search');
  const input = dialog.querySelector('.kb-search__input');
  const message = dialog.querySelector('.kb-search__message');
  input.value = '';
  input.dispatchEvent(new Event('input'));
  input.value = q;
  input.dispatchEvent(new Event('input'));
  input.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}));
  const started = performance.now();
  const short = q.split(' ').length > 1 ? q.replace(/ \p{L}$/u, '') : q;  /* before issue 21: a last letter dropped */
  let last = '', since = performance.now();
  while (performance.now() - started < 30000) {
    await new Promise(r => setTimeout(r, 20));
    const text = message.textContent;
    if (!text || text.endsWith('…') || !(text.endsWith(q) || text.endsWith(short))) continue;
    const count = parseInt(text, 10) || 0;
    const items = dialog.querySelectorAll('.kb-search__results > .kb-search__result');
    if (items.length < Math.min(10, count)) continue;
    const shown = [...items].map(li => li.querySelector('.kb-search__title a').href).join(' ');
    if (dialog.hasAttribute('data-kb-searched')) {
      if (dialog.getAttribute('data-kb-searched') !== q) continue;
    } else if (shown !== last) { last = shown; since = performance.now(); continue; }
    else if (performance.now() - since < 400) continue;  /* settled: no later results replaced these */
    return [...items].map(li => ({
      url: new URL(li.querySelector('.kb-search__title a').href).pathname,
      excerpts: [...li.querySelectorAll('.kb-search__excerpt')].map(e => e.textContent),
      marks: [...li.querySelectorAll('.kb-search__excerpt mark')].map(e => e.textContent),
      subs: [...li.querySelectorAll('.kb-search__sub a')].map(a => new URL(a.href).pathname + new URL(a.href).hash),
    }));
  }
  return null;
}
"""


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def serving(site: Path) -> Iterator[str]:
    """The site served on a free local port: its base address."""
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()


def run(site: Path, queries: list[Query]) -> list[Outcome]:
    """Every query in the site's own search dialog, in one Chromium, one page per language."""
    from playwright.sync_api import sync_playwright

    outcomes = []
    with serving(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=shutil.which("chromium") or "/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for lang, prefix in LANGS.items():
                page = browser.new_page()
                page.route("**/*", lambda route: _local_only(route))
                page.goto(base + prefix)
                page.click(".kb-search-open")
                for query in (q for q in queries if q.lang == lang):
                    shown: Any = page.evaluate(_RUN_JS, query.text)
                    if shown is None:
                        raise RuntimeError(f"search for {query.text!r} ({lang}) showed no results in 30 s")
                    outcomes.append(Outcome(query, [Shown(**item) for item in shown]))
                page.close()
        finally:
            browser.close()
    return outcomes


def _local_only(route: Any) -> None:
    if "127.0.0.1" in route.request.url:
        route.continue_()
    else:
        route.abort()


def scores(outcomes: list[Outcome]) -> dict[str, dict[str, float]]:
    """Per group (and per group and language): recall at 1 and at 5, mean reciprocal rank, query count."""
    by: dict[str, list[Outcome]] = {}
    for o in outcomes:
        by.setdefault(o.query.group, []).append(o)
        by.setdefault(f"{o.query.group} ({o.query.lang})", []).append(o)
    figures = {}
    for name, items in sorted(by.items()):
        ranks = [o.rank for o in items]
        figures[name] = {
            "n": len(items),
            "r1": sum(r == 1 for r in ranks) / len(items),
            "r5": sum(r is not None and r <= 5 for r in ranks) / len(items),
            "mrr": sum(1 / r for r in ranks if r) / len(items),
        }
    return figures


def table(figures: dict[str, dict[str, float]], floors: dict[str, float]) -> str:
    lines = ["| group | queries | recall@1 | recall@5 | MRR | floor (MRR) |", "|---|---:|---:|---:|---:|---:|"]
    for name, f in figures.items():
        floor = f"{floors[name]:.2f}" if name in floors else ""
        lines.append(f"| {name} | {f['n']:.0f} | {f['r1']:.2f} | {f['r5']:.2f} | {f['mrr']:.2f} | {floor} |")
    return "\n".join(lines)


def below_floors(figures: dict[str, dict[str, float]], floors: dict[str, float]) -> list[str]:
    """The groups whose mean reciprocal rank is below their floor, each as a sentence."""
    return [
        f"{group}: MRR {figures[group]['mrr']:.3f} is below its floor {floor:.2f}"
        for group, floor in floors.items()
        if group not in figures or figures[group]["mrr"] < floor
    ]


def all_queries(root: Path) -> tuple[list[Query], dict[str, float]]:
    """The hand-written set and the queries generated from the project's data, and the floors."""
    from kb.content.project import load_project
    from kb.knowledge.facts import load_knowledge

    written, floors = load_set(root / SET)
    k = load_knowledge(load_project(root))
    seen = {(q.lang, q.text) for q in written}
    return written + [q for q in generated(k) if (q.lang, q.text) not in seen], floors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kb.search.relevance", description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a site built by `kb build` (default: build one into a temp folder)")
    parser.add_argument("--misses", action="store_true", help="also list every query whose page is not first")
    args = parser.parse_args(argv)
    root = Path.cwd()
    queries, floors = all_queries(root)
    site = args.site
    with contextlib.ExitStack() as stack:
        if site is None:
            import tempfile

            from kb.content.project import Paths
            from kb.site.build import build_site

            site = build_site(Paths(root), Path(stack.enter_context(tempfile.TemporaryDirectory())) / "site")
        outcomes = run(site, queries)
    figures = scores(outcomes)
    print(table(figures, floors))
    if args.misses:
        for o in outcomes:
            if o.rank != 1:
                print(f"{o.query.lang} {o.query.group}: {o.query.text!r} -> {o.rank}; top {o.urls[:3]}")
    failed = below_floors(figures, floors)
    for line in failed:
        print(f"relevance: {line}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
