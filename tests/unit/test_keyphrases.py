"""Keyphrase ranking on hand-built tokens (no model needed)."""

from __future__ import annotations

import random
import re

import numpy as np

from tasks.extract.keyphrases import (
    DAMPING,
    ITERATIONS,
    TOLERANCE,
    WINDOW,
    NameSpan,
    _position_rank,
    rank_keyphrases,
)

STOP = {"the", "a", "of", "on", "and", "in", "to", "was", "is", "for", "it", "its", "by", "at", "will"}


def tokens(text: str) -> list[list[int]]:
    """(start, length, is_stop, is_alpha, sentence_start) the way the extract stage reads them."""
    out: list[list[int]] = []
    sentence_start = True
    for match in re.finditer(r"\w+|[^\w\s]", text):
        word = match.group()
        out.append(
            [match.start(), len(word), int(word.lower() in STOP), int(word.isalpha()), int(sentence_start)]
        )
        sentence_start = word == "."
    return out


def name(text: str, part: str, best: str, occurrence: int = 0) -> NameSpan:
    start = [m.start() for m in re.finditer(re.escape(part), text)][occurrence]
    return (start, start + len(part), best)


TEXT = (
    "The malaria vaccine cut severe cases in children, Kamau said. "
    "The malaria vaccine was tested on children in Kisumu. "
    "Kamau said the malaria vaccine will be offered in Africa by the WHO. "
    "Severe cases fell by half, the institute said."
)


def test_rank_keyphrases_puts_the_recurring_subject_first_and_never_a_reporting_verb() -> None:
    names = [name(TEXT, "Kamau", "Wanjiru Kamau"), name(TEXT, "Kamau", "Wanjiru Kamau", 1)]
    phrases = [k.text for k in rank_keyphrases(TEXT, tokens(TEXT), names)]
    assert "malaria vaccine" in phrases[:3]
    assert "Wanjiru Kamau" in phrases
    assert not any("said" in p.split() for p in phrases)


def test_rank_keyphrases_gives_names_their_best_name_and_skips_dates_and_numbers() -> None:
    text = "WHO experts met on Monday. The WHO approved 3 vaccines on Monday."
    names: list[NameSpan] = [
        name(text, "WHO", "World Health Organization"),
        name(text, "Monday", None),  # type: ignore[arg-type]
        name(text, "WHO", "World Health Organization", 1),
        name(text, "Monday", None, 1),  # type: ignore[arg-type]
    ]
    phrases = [k.text for k in rank_keyphrases(text, tokens(text), names)]
    assert "World Health Organization" in phrases
    assert not any("Monday" in p or "WHO" in p.split() for p in phrases)


def test_rank_keyphrases_keeps_to_its_limit_and_orders_by_score() -> None:
    ranked = rank_keyphrases(TEXT, tokens(TEXT), [], limit=3)
    assert len(ranked) == 3
    assert [k.score for k in ranked] == sorted((k.score for k in ranked), reverse=True)


def test_rank_keyphrases_drops_a_phrase_inside_a_better_one() -> None:
    phrases = [k.text.lower() for k in rank_keyphrases(TEXT, tokens(TEXT), [])]
    assert "malaria vaccine" in phrases and "malaria" not in phrases and "vaccine" not in phrases


def test_rank_keyphrases_of_an_empty_text_is_empty() -> None:
    assert rank_keyphrases("", [], []) == []


def _reference_position_rank(sequence: list[str]) -> dict[str, float]:
    """PositionRank written plainly (one convergence test per iteration): the ranks the block-tested
    loop of ``_position_rank`` must match to the bit."""
    ids: dict[str, int] = {}
    positions = np.array([ids.setdefault(word, len(ids)) for word in sequence], dtype=np.int64)
    size = len(ids)
    bias = np.bincount(positions, weights=1.0 / np.arange(1, len(positions) + 1), minlength=size)
    bias = bias / bias.sum()
    links = np.zeros((size, size))
    for gap in range(1, WINDOW):
        for source, target in zip(positions[:-gap], positions[gap:], strict=True):
            if source != target:
                links[source, target] += 1
                links[target, source] += 1
    out = links.sum(axis=1, keepdims=True)
    transition = np.divide(links, out, out=np.zeros_like(links), where=out > 0)
    rank = bias.copy()
    for _ in range(ITERATIONS):
        updated = (1 - DAMPING) * bias + DAMPING * (transition.T @ rank)
        if np.abs(updated - rank).sum() < TOLERANCE:
            rank = updated
            break
        rank = updated
    return {word: float(rank[i]) for word, i in ids.items()}


def test_position_rank_matches_the_plain_iteration_to_the_bit() -> None:
    rng = random.Random(7)
    for _ in range(200):
        vocabulary = [f"w{i}" for i in range(rng.randint(1, 200))]
        sequence = [rng.choice(vocabulary) for _ in range(rng.randint(1, 600))]
        assert list(_position_rank(sequence).items()) == list(_reference_position_rank(sequence).items())
