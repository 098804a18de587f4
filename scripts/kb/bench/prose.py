"""Text pools for the synthetic corpus: word chains and headings from the real articles."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from kb.content.project import ARTICLES
from kb.content.structure import blocks as split_blocks
from kb.content.structure import strip_front_matter
from kb.textutil import read_text

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
