"""The keyphrase ranker newsflow had before PositionRank, kept as a baseline for the bench.

RAKE-style: candidate phrases are runs of content words between stop words and punctuation,
scored by how often their words occur and with how many other words, with a bonus for phrases
that recur and appear early.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from tasks.models import Keyphrase

MAX_PHRASE_WORDS = 4
MIN_WORD_LENGTH = 3


@dataclass(frozen=True, slots=True)
class Word:
    """A token as keyphrase ranking sees it."""

    text: str
    is_stop: bool
    is_alpha: bool
    sentence_start: bool


def rank_keyphrases(words: list[Word], limit: int = 10) -> list[Keyphrase]:
    """The ``limit`` best phrases of the text, best first."""
    phrases = _candidate_phrases(words)
    if not phrases:
        return []
    frequency: Counter[str] = Counter()
    degree: Counter[str] = Counter()
    for phrase in phrases:
        for word in phrase:
            frequency[word] += 1
            degree[word] += len(phrase)
    word_score = {word: degree[word] / frequency[word] for word in frequency}

    occurrences: Counter[tuple[str, ...]] = Counter(phrases)
    first_seen: dict[tuple[str, ...], int] = {}
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for position, phrase in enumerate(phrases):
        first_seen.setdefault(phrase, position)
    for phrase, text in _surface_forms(words):
        surface[phrase][text] += 1

    scored = []
    for phrase, count in occurrences.items():
        if len(phrase) == 1 and (count < 2 or len(phrase[0]) < MIN_WORD_LENGTH + 1):
            continue
        position_bonus = 1.0 + 1.0 / (1 + first_seen[phrase] / 10)
        score = sum(word_score[w] for w in phrase) * (1 + 0.5 * (count - 1)) * position_bonus
        scored.append((score, phrase))
    scored.sort(key=lambda item: (-item[0], first_seen[item[1]]))

    chosen: list[Keyphrase] = []
    taken: list[set[str]] = []
    for score, phrase in scored:
        words_in = set(phrase)
        if any(words_in <= other for other in taken):
            continue
        taken.append(words_in)
        text = surface[phrase].most_common(1)[0][0]
        chosen.append(Keyphrase(text=text, score=round(score, 3)))
        if len(chosen) == limit:
            break
    return chosen


def _runs(words: list[Word]) -> list[list[Word]]:
    runs: list[list[Word]] = []
    current: list[Word] = []
    for word in words:
        breaks = word.is_stop or not word.is_alpha or len(word.text) < 2 or word.sentence_start
        if breaks and current:
            runs.append(current)
            current = []
        if not (word.is_stop or not word.is_alpha or len(word.text) < 2):
            current.append(word)
    if current:
        runs.append(current)
    return [run for run in runs if len(run) <= MAX_PHRASE_WORDS]


def _candidate_phrases(words: list[Word]) -> list[tuple[str, ...]]:
    return [tuple(w.text.lower() for w in run) for run in _runs(words)]


def _surface_forms(words: list[Word]) -> list[tuple[tuple[str, ...], str]]:
    return [(tuple(w.text.lower() for w in run), " ".join(w.text for w in run)) for run in _runs(words)]
