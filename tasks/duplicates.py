"""Duplicate fingerprints of article text: an exact key and a MinHash signature cut into LSH bands.

Exact duplicates share the hash of their normalised text (Unicode NFKC, case-folded, words only, so
spacing, punctuation and markup leftovers do not matter). Near duplicates, the same story with
small edits, share many word 3-gram shingles: datasketch's MinHash estimates the Jaccard similarity
of two shingle sets from two fixed-size signatures, and locality-sensitive hashing finds the
candidates: the signature is cut into ``BANDS`` bands of ``ROWS`` values, and two texts whose
similarity is high share at least one band with high probability. Candidates are then confirmed
by their estimated similarity against a threshold that ``bench/dedup_quality.py`` measures.
Pure functions only: where the fingerprints are kept is ``worker.stores.duplicates``'s business.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Literal

import numpy as np
from datasketch import MinHash

SHINGLE_WORDS = 3
BANDS = 64
ROWS = 2
NUM_PERM = BANDS * ROWS
SEED = 1
NEAR_THRESHOLD = 0.5
_WORD = re.compile(r"\w+")


DuplicateKind = Literal["exact", "near"]


@dataclass(frozen=True, slots=True)
class Duplicate:
    """An earlier article that this one duplicates, and how closely."""

    kind: DuplicateKind
    original_id: str
    similarity: float

    def fields(self) -> dict[str, str | float]:
        """The output record's fields that say so."""
        return {
            "duplicate_of": self.original_id,
            "duplicate_kind": self.kind,
            "duplicate_similarity": self.similarity,
        }


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What duplicate detection keeps of a text: its exact key, MinHash signature and LSH bands."""

    exact: str
    signature: tuple[int, ...]

    def bands(self) -> list[str]:
        """One short key per LSH band: two texts sharing a band key are near-duplicate candidates."""
        return list(_band_keys(self.signature))

    def encode_signature(self) -> str:
        """The signature as a hex string, for storage."""
        return np.asarray(self.signature, dtype=np.uint32).tobytes().hex()


def normalise_words(text: str) -> list[str]:
    """The words of a text, NFKC-normalised and case-folded."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


def shingles(words: list[str], size: int = SHINGLE_WORDS) -> set[str]:
    """The set of word n-grams of a text (a text shorter than n is one shingle)."""
    if len(words) <= size:
        return {" ".join(words)}
    # zip stops at the shortest: the last run of ``size`` words.
    return set(map(" ".join, zip(*(words[i:] for i in range(size)), strict=False)))


def fingerprint(text: str) -> Fingerprint:
    """The exact key and MinHash signature of a text."""
    words = normalise_words(text)
    exact = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
    minhash = _blank_minhash().copy()
    minhash.update_batch([shingle.encode("utf-8") for shingle in shingles(words)])
    return Fingerprint(exact=exact, signature=tuple(int(value) for value in minhash.hashvalues))


@lru_cache(maxsize=256)
def _band_keys(signature: tuple[int, ...]) -> tuple[str, ...]:
    """The band keys of a signature: the same article's are asked for when it is checked and again
    when it is remembered, so the last few are kept."""
    rows = np.asarray(signature, dtype=np.uint32).reshape(-1, ROWS)
    return tuple(hashlib.blake2b(row.tobytes(), digest_size=8).hexdigest() for row in rows)


@cache
def _blank_minhash() -> MinHash:
    """An empty MinHash whose permutations are drawn once: copies share them, saving the draw."""
    return MinHash(num_perm=NUM_PERM, seed=SEED)


def decode_signature(encoded: str) -> tuple[int, ...]:
    """A signature stored with ``Fingerprint.encode_signature``."""
    return tuple(int(value) for value in np.frombuffer(bytes.fromhex(encoded), dtype=np.uint32))


def similarity(first: tuple[int, ...], second: tuple[int, ...]) -> float:
    """The estimated Jaccard similarity of two texts' shingle sets, from their signatures."""
    if len(first) != len(second) or not first:
        return 0.0
    return float(np.count_nonzero(np.asarray(first) == np.asarray(second))) / len(first)


def most_similar(
    fingerprint: Fingerprint, signatures: list[tuple[str, tuple[int, ...]]], threshold: float
) -> Duplicate | None:
    """The candidate most similar to the fingerprint, if it reaches the threshold."""
    best: Duplicate | None = None
    for candidate, signature in signatures:
        score = similarity(fingerprint.signature, signature)
        if score >= threshold and (best is None or score > best.similarity):
            best = Duplicate("near", candidate, round(score, 4))
    return best


@dataclass
class DuplicateIndex:
    """Fingerprints of the originals seen so far, in memory: duplicate detection for one process.

    The same rules as the workers' Redis index (``worker.stores.duplicates``): exact first, else the most
    similar near duplicate among the articles sharing an LSH band; only originals are remembered,
    so every copy points at the first article, never at another copy.
    """

    threshold: float = NEAR_THRESHOLD
    exact: dict[str, str] = field(default_factory=dict)
    bands: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    signatures: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def check_and_add(self, article_id: str, text: str) -> Duplicate | None:
        """The original this text duplicates; when there is none, it becomes an original itself."""
        article_print = fingerprint(text)
        original = self.exact.get(article_print.exact)
        if original is not None and original != article_id:
            return Duplicate("exact", original, 1.0)
        keys = list(enumerate(article_print.bands()))
        candidates = sorted({c for key in keys for c in self.bands.get(key, ()) if c != article_id})
        found = most_similar(article_print, [(c, self.signatures[c]) for c in candidates], self.threshold)
        if found is None:
            self.exact.setdefault(article_print.exact, article_id)
            for key in keys:
                self.bands.setdefault(key, []).append(article_id)
            self.signatures[article_id] = article_print.signature
        return found
