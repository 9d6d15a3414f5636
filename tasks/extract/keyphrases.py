"""Keyphrases: the phrases that say what an article is about, ranked.

PositionRank (TextRank with a bias towards words that come early, as the news lead does): words
are nodes of a graph linked when they occur within a few words of each other, ranked by a
PageRank whose restarts favour early positions. Candidate phrases are names (each canonical
entity under its best name) and every stretch of up to three words of the runs of content words
between stop words, punctuation and names (without a tagger, a run may hold a verb: "cases fell";
stretches that recur, like "severe cases", win through their count). A phrase scores the sum of its
words' ranks times log2(1 + the number of times it occurs); a single word must occur twice. It
needs only the tokens the NER pipeline already has: a tagger and parser (for noun chunks) would
halve the stage's speed (see bench/extract_quality.py for quality and cost against pytextrank).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

import numpy as np

from tasks.extract.names import TITLE_WORDS
from tasks.models import Keyphrase

MAX_PHRASE_WORDS = 3
WINDOW = 3
DAMPING = 0.85
ITERATIONS = 50
TOLERANCE = 1e-6
CHECK_EVERY = 10  # iterations between convergence tests (see _position_rank)
MAX_GRAPH_WORDS = 4_000  # a very long text is ranked on its first 4,000 candidate words
# Reporting verbs are everywhere in news and say nothing about the subject ("Sandberg said").
REPORTING_WORDS = frozenset(
    "said says say saying told tells tell added adds according asked stated noted explained".split()  # noqa: SIM905
)

# start, length, is_stop, is_alpha, sentence start (1 at the first token of a sentence): a row
# of ``Doc.to_array`` (or a list of such rows)
Token = Sequence[int]
# character start, end, and the best name of the entity (None: a date, amount or number)
NameSpan = tuple[int, int, str | None]
Phrase = tuple[str, ...]
Run = tuple[tuple[str, ...], Phrase]  # words as written, and normalised


def rank_keyphrases(
    text: str, tokens: Sequence[Token], names: Sequence[NameSpan], limit: int = 10
) -> list[Keyphrase]:
    """The ``limit`` best phrases of the text, best first."""
    runs, name_phrases = _runs(text, tokens, sorted(names))
    if not runs:
        return []
    rank = _position_rank([word for _, normed in runs for word in normed][:MAX_GRAPH_WORDS])
    counts: Counter[Phrase] = Counter(_ngrams(runs, name_phrases))
    scored = [
        (sum(rank.get(w, 0.0) for w in phrase) * math.log2(1 + count), -index, phrase)
        for index, (phrase, count) in enumerate(counts.items())  # first-seen order breaks ties
        if len(phrase) > 1 or (count > 1 and len(phrase[0]) > 3) or phrase in name_phrases
    ]
    scored.sort(reverse=True)
    chosen: list[tuple[float, Phrase]] = []
    taken: list[set[str]] = []
    for score, _, phrase in scored:
        words_in = set(phrase)
        # Not inside, around, or two words into a better phrase.
        if any(words_in <= other or other <= words_in or len(words_in & other) > 1 for other in taken):
            continue
        taken.append(words_in)
        chosen.append((score, phrase))
        if len(chosen) == limit:
            break
    surfaces = _surfaces([phrase for _, phrase in chosen], runs, name_phrases)
    return [
        Keyphrase(text=surface, score=round(score, 4))
        for (score, _), surface in zip(chosen, surfaces, strict=True)
    ]


def _surfaces(phrases: list[Phrase], runs: list[Run], name_phrases: dict[Phrase, str]) -> list[str]:
    """How the text most often writes each phrase (a name: its best name), in one pass over the runs."""
    wanted = {phrase for phrase in phrases if phrase not in name_phrases}
    sizes = {len(phrase) for phrase in wanted}
    forms: dict[Phrase, Counter[str]] = {phrase: Counter() for phrase in wanted}
    wanted_words = {word for phrase in wanted for word in phrase}
    for words, normed in runs:
        if wanted_words.isdisjoint(normed):
            continue
        for size in sizes:
            for i in range(len(normed) - size + 1):
                stretch = normed[i : i + size]
                if stretch in wanted:
                    forms[stretch][" ".join(words[i : i + size])] += 1
    return [
        name_phrases[phrase] if phrase in name_phrases else forms[phrase].most_common(1)[0][0]
        for phrase in phrases
    ]


def _runs(text: str, tokens: Sequence[Token], names: list[NameSpan]) -> tuple[list[Run], dict[Phrase, str]]:
    """Runs of content words and names (a name is a run of its own, in its best name's words),
    in text order, as (words, normalised words); and the names, by their normalised words."""
    table = np.asarray(tokens, dtype=np.int64).reshape(-1, 5)
    starts, lengths = table[:, 0], table[:, 1]
    content = (table[:, 2] == 0) & (table[:, 3] == 1) & (lengths > 1)
    in_name = np.zeros(len(table), dtype=bool)
    name_first = np.full(len(table), -1, dtype=np.int64)
    if names:
        name_starts = np.array([n[0] for n in names], dtype=np.int64)
        name_ends = np.array([n[1] for n in names], dtype=np.int64)
        holder = np.searchsorted(name_starts, starts, side="right") - 1
        inside = (holder >= 0) & (starts < name_ends[np.maximum(holder, 0)])
        in_name = inside
        first = inside & (starts == name_starts[np.maximum(holder, 0)])
        name_first[first] = holder[first]
    # Only content words and the first token of each name matter; every other token breaks a run.
    keep = np.flatnonzero((content & ~in_name) | (name_first >= 0))
    rows = zip(
        keep.tolist(),
        starts[keep].tolist(),
        lengths[keep].tolist(),
        (table[keep, 4] == 1).tolist(),
        name_first[keep].tolist(),
        strict=True,
    )
    runs: list[Run] = []
    name_phrases: dict[Phrase, str] = {}
    run: list[str] = []
    run_normed: list[str] = []
    # Each distinct word is judged and normalised once: its normalised form, or None when it is
    # no content word.
    judged: dict[str, str | None] = {}
    name_runs: dict[str, Run] = {}  # and each name's words split and normalised once
    previous = -2
    for position, start, length, sentence_start, name_index in rows:
        word = text[start : start + length]
        normed_word = None
        if name_index < 0:
            if word in judged:
                normed_word = judged[word]
            else:
                normed_word = judged[word] = _norm(word) if _is_content(word) else None
        if run and (position != previous + 1 or sentence_start or normed_word is None):
            runs.append((tuple(run), tuple(run_normed)))
            run = []
            run_normed = []
        previous = position
        if name_index >= 0:
            name = names[name_index][2]
            if name is not None:
                if name not in name_runs:
                    words = tuple(name.split())
                    name_runs[name] = (words, tuple(_norm(w) for w in words))
                name_run = name_runs[name]
                name_phrases[name_run[1]] = name
                runs.append(name_run)
            previous = -2  # the name's other tokens are skipped: nothing joins across it
        elif normed_word is not None:
            run.append(word)
            run_normed.append(normed_word)
    if run:
        runs.append((tuple(run), tuple(run_normed)))
    return runs, name_phrases


def _ngrams(runs: list[Run], name_phrases: dict[Phrase, str]) -> list[Phrase]:
    """Run by run, a name whole, or every stretch of up to three words of a run of content words
    (the single words, then the pairs, then the triples)."""
    grams: list[Phrase] = []
    for _, normed in runs:
        if len(normed) == 1 or normed in name_phrases:  # a one-word run is its only stretch
            grams.append(normed)
        else:
            grams += [
                normed[i : i + n] for n in range(1, MAX_PHRASE_WORDS + 1) for i in range(len(normed) - n + 1)
            ]
    return grams


def _is_content(word: str) -> bool:
    """A word worth a phrase, once stop words and non-words are out."""
    if len(word) < 2:
        return False
    lowered = word.lower()
    if lowered in REPORTING_WORDS:
        return False
    # "General" before a name is a title; "security" in "security situation" is a word.
    return not (word[0].isupper() and lowered.rstrip(".") in TITLE_WORDS)


def _norm(word: str) -> str:
    lowered = word.lower()
    # A light plural fold so "vaccine" and "vaccines" are one node.
    if len(lowered) > 4 and lowered.endswith("s") and not lowered.endswith("ss"):
        return lowered[:-1]
    return lowered


def _position_rank(sequence: list[str]) -> dict[str, float]:
    """PageRank over co-occurrence within ``WINDOW`` words, restarting in proportion to the sum
    of 1/position of each word's occurrences."""
    ids: dict[str, int] = {}
    positions = np.array([ids.setdefault(word, len(ids)) for word in sequence], dtype=np.int64)
    size = len(ids)
    weights = 1.0 / np.arange(1, len(positions) + 1)
    bias = np.bincount(positions, weights=weights, minlength=size).astype(float)
    bias = bias / bias.sum()
    pairs = []
    for gap in range(1, WINDOW):
        source, target = positions[:-gap], positions[gap:]
        keep = source != target
        pairs += [source[keep] * size + target[keep], target[keep] * size + source[keep]]
    links = np.bincount(np.concatenate(pairs), minlength=size * size).astype(float).reshape(size, size)
    out = links.sum(axis=1, keepdims=True)
    out[out == 0] = 1  # a word linked to nothing keeps a row of zeros (cheaper than a masked divide)
    incoming = (links / out).T
    restart = (1 - DAMPING) * bias
    # Every iterate is kept (row i+1 is made from row i, through preallocated buffers) and the
    # convergence test runs once per block of iterations: the same arithmetic as one test per
    # iteration, so the same ranks to the bit, with far fewer NumPy calls on a small graph.
    ranks = np.empty((ITERATIONS + 1, size))
    ranks[0] = bias
    spread = np.empty(size)
    final = ranks[ITERATIONS]
    done = 0
    while done < ITERATIONS:
        block = min(CHECK_EVERY, ITERATIONS - done)
        for i in range(done, done + block):
            np.matmul(incoming, ranks[i], out=spread)
            np.multiply(DAMPING, spread, out=spread)
            np.add(restart, spread, out=ranks[i + 1])
        change = np.abs(ranks[done + 1 : done + block + 1] - ranks[done : done + block]).sum(axis=1)
        settled = np.flatnonzero(change < TOLERANCE)
        if len(settled):
            final = ranks[done + 1 + settled[0]]
            break
        done += block
    return {word: float(final[i]) for word, i in ids.items()}
