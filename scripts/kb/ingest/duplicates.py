"""Captures that are already seeds: the same bytes, the same text, or the same article.

Three levels, each naming the seed that is already there:

* the same bytes (a file added twice);
* the same text once decoded, normalised to NFC, spaces collapsed and case
  folded (the same capture saved twice, with other line ends or spacing);
* the same article from another capture (a saved page and a copy of its text,
  two sites running one agency story): most of the shorter clean page's
  five-word runs ("shingles") are in the other's.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

SHINGLE = 5
NEAR = 0.8  # share of the shorter page's shingles found in the other
MIN_SHINGLES = 30  # below this a page is too short to call a near-duplicate
_SAMPLE = 4  # one shingle in _SAMPLE is indexed to find candidates
# A run of words found in more seeds than this is boilerplate (a site's footer, a stock phrase), not a sign
# that two seeds are one article: it no longer finds candidates (the shares are still counted in full).
# Without this limit, finding candidates compares each seed with every seed sharing a stock phrase: one
# synthetic corpus of 5,000 articles (kb bench) spent most of kb check there.
_COMMON = 50


def text_key(text: str) -> str:
    """The capture's text, normalised: what two saves of one capture share."""
    folded = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()
    return hashlib.sha256(folded.encode("utf-8")).hexdigest()


def shingles(body: str) -> frozenset[int]:
    """Hashes of the clean page's runs of five words (markup and case ignored).

    Python's own hash of the words: compared within one run only (never stored), and five times
    quicker than a digest of each run.
    """
    words = re.findall(r"\w+", unicodedata.normalize("NFC", body).casefold())
    return frozenset(map(hash, zip(*(words[i:] for i in range(SHINGLE)), strict=False)))


@dataclass(frozen=True)
class Capture:
    """What is compared of one seed: its bytes, its text and its clean page."""

    name: str
    data: bytes
    text: str
    body: str

    @property
    def byte_key(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def containment(a: frozenset[int], b: frozenset[int]) -> float:
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small) if small else 0.0


def same_as(new: Capture, existing: Iterable[Capture]) -> tuple[str, str] | None:
    """The first existing seed the new capture duplicates, and how."""
    existing = list(existing)
    for other in existing:
        if other.byte_key == new.byte_key:
            return other.name, "the same bytes"
    key = text_key(new.text)
    for other in existing:
        if text_key(other.text) == key:
            return other.name, "the same text (after normalising spaces, case and Unicode)"
    mine = shingles(new.body)
    if len(mine) >= MIN_SHINGLES:
        for other in existing:
            share = containment(mine, shingles(other.body))
            if share >= NEAR:
                return other.name, f"the same article: {share:.0%} of the shorter page's text is in the other"
    return None


def pairs(captures: list[Capture]) -> list[tuple[str, str, str]]:
    """Every pair of seeds that duplicate each other (later, earlier, how), found without comparing all pairs."""
    found: list[tuple[str, str, str]] = []
    by_bytes: dict[str, str] = {}
    by_text: dict[str, str] = {}
    index: dict[int, list[int]] = {}
    sets: list[frozenset[int]] = []
    samples: list[int] = []
    for number, capture in enumerate(captures):
        sets.append(shingles(capture.body))
        sample = [h for h in sets[number] if h % _SAMPLE == 0]
        samples.append(len(sample))
        if (other := by_bytes.setdefault(capture.byte_key, capture.name)) != capture.name:
            found.append((capture.name, other, "the same bytes"))
            continue
        if (other := by_text.setdefault(text_key(capture.text), capture.name)) != capture.name:
            found.append((capture.name, other, "the same text (after normalising spaces, case and Unicode)"))
            continue
        mine = sets[number]
        if len(mine) >= MIN_SHINGLES:
            counts = Counter(
                other for h in sample if len(postings := index.get(h, ())) <= _COMMON for other in postings
            )
            for other, hits in counts.most_common():
                if hits < 0.5 * NEAR * min(len(sample), samples[other]):
                    continue
                share = containment(mine, sets[other])
                if share >= NEAR and len(sets[other]) >= MIN_SHINGLES:
                    found.append((capture.name, captures[other].name, f"the same article ({share:.0%} shared)"))
                    break
        for h in sample:
            postings = index.setdefault(h, [])
            if len(postings) <= _COMMON:  # one more than the limit marks it common
                postings.append(number)
    return found
