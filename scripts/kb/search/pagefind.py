"""Search that scales and works for Vietnamese readers: Pagefind, plus two additions.

Pagefind indexes the built site after both languages are built: one bundle
at ``/pagefind/`` with a separate index per language (from each page's
``<html lang>``), split into small chunks so a reader downloads only the
parts a query needs. Pagefind 1.5 matches Vietnamese words typed without
tones ("tri tue" finds "trí tuệ") and highlights the accented originals.

Two things it does not do are added to each page, in an attribute that
only the indexer reads (:func:`hidden_terms`):

* "đ" is a letter of its own, not a "d" with a mark, so "duong" would not
  find "đường": the page's words with "đ" are added with "d";
* the other language's names of the glossary terms a page uses, so
  "quantization" finds the Vietnamese pages about "lượng tử hóa".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from kb.knowledge.facts import Knowledge, term_forms
from kb.textutil import WORD, fold

BUNDLE = "pagefind"
_TAGS = re.compile(r"<[^>]+>")
_D = re.compile("[đĐ]")
# Left out of the index: what a page repeats from other pages (lists of the
# events and articles on a topic or entity page, an event's source line), so
# each is found once, on its own page, and the index chunks stay small.
NOINDEX = "kb-noindex"
# What readers should not find as text: the headings' permalink signs, the above, and TeX math
# (pymdownx.arithmatex's elements: their TeX source, "\frac", "\alpha", is not words a reader types,
# and an excerpt would show it raw, as the page does not).
EXCLUDE = (".headerlink", f".{NOINDEX}", ".arithmatex")


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
    """Words a page should also be found by: its 'đ' words with 'd', then the other-language names of its terms."""
    has_d = "đ" in html or "Đ" in html
    extra = [fold(w) for w in d_words(_TAGS.sub(" ", html))] if has_d else []
    return list(dict.fromkeys([*extra, *other_forms]))


def d_words(text: str) -> list[str]:
    """The words (``\\w+``) of a text that hold "đ" or "Đ", in order, repeats kept.

    Each "đ" is found at C speed and its word grown around it: a pattern
    like ``\\w*[đĐ]\\w*`` is tried at every letter of the page, five times slower.
    """
    words, end = [], 0
    for match in _D.finditer(text):
        if match.start() < end:  # in the word just taken
            continue
        start = match.start()
        while start and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        word = WORD.match(text, start)
        assert word is not None  # "đ" is a word character
        words.append(word.group(0))
        end = word.end()
    return words


def hidden_terms(html: str, other_forms: list[str]) -> str:
    """An empty element whose attribute holds the extra words, for the indexer only.

    Pagefind indexes the attribute (data-pagefind-index-attrs) but never
    shows it in an excerpt, and readers and screen readers never see it.
    """
    extra = extra_words(html, other_forms)
    if not extra:
        return ""
    escaped = " ".join(extra).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<span class="kb-search-terms" data-pagefind-index-attrs="data-kb-terms" data-kb-terms="{escaped}"></span>'


def index_site(site_dir: Path, output: Path | None = None) -> None:
    """Build the Pagefind bundle of a site holding both languages (the Vietnamese root and en/),
    into its ``pagefind/`` folder or into ``output`` (``kb serve`` indexes beside the site, then swaps)."""
    command = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site_dir),
        *(("--output-path", str(output)) if output is not None else ("--output-subdir", BUNDLE)),
        *(arg for selector in EXCLUDE for arg in ("--exclude-selectors", selector)),
        "--silent",
    ]
    result = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", check=False)
    if result.returncode != 0:
        message = (result.stderr or result.stdout).strip().splitlines()
        raise SearchIndexFailed(f"pagefind failed: {message[-1] if message else f'exit {result.returncode}'}")
    # Pagefind writes its languages in hash-map order; sorted, two builds of one tree are identical.
    entry = (output or site_dir / BUNDLE) / "pagefind-entry.json"
    data = json.loads(entry.read_text(encoding="utf-8"))
    entry.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True), encoding="utf-8")
