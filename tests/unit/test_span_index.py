"""The mention clean-up's span indexes answer as a walk over every span did, on random spans of
our own; and a text defining more acronyms than the cap links the first ones only."""

from __future__ import annotations

import random

import pytest

from tasks.extract.acronyms import MAX_DEFINITIONS, find_acronym_definitions
from tasks.extract.mentions import build_mentions
from tasks.extract.span_index import MentionIndex, SpanIndex
from tasks.models import EntityMention


def random_spans(rng: random.Random, count: int) -> list[tuple[int, int]]:
    spans = []
    for _ in range(count):
        start = rng.randrange(500)
        spans.append((start, start + rng.randint(1, 40)))
    return spans


@pytest.mark.parametrize("seed", range(30))
def test_span_index_answers_as_the_walk(seed: int) -> None:
    rng = random.Random(seed)
    spans = random_spans(rng, rng.randint(0, 60))
    index = SpanIndex(spans)
    for _ in range(100):
        start = rng.randrange(520)
        end = start + rng.randint(1, 30)
        assert sorted(index.overlapping(start, end)) == sorted(
            s for s in spans if s[0] < end and start < s[1]
        )
        assert index.covers(start, end) == any(s <= start and end <= e for s, e in spans)


@pytest.mark.parametrize("seed", range(30))
def test_mention_index_answers_as_the_list_it_replaces(seed: int) -> None:
    rng = random.Random(seed)
    mentions = [
        EntityMention(
            start=s, end=e, text=rng.choice(("AB", "Acme", "Lee")), label=rng.choice(("ORG", "PERSON"))
        )
        for s, e in random_spans(rng, rng.randint(0, 40))
    ]
    index, listed = MentionIndex(mentions), list(mentions)
    for _ in range(60):
        action = rng.random()
        if action < 0.3 and listed:
            gone = rng.choice(listed)
            index.remove(gone)
            listed = [m for m in listed if m is not gone]
        elif action < 0.6:
            ((start, end),) = random_spans(rng, 1)
            added = EntityMention(start=start, end=end, text="AB", label="ORG")
            index.add(added)
            listed.append(added)
        start = rng.randrange(520)
        end = start + rng.randint(1, 30)
        assert index.overlapping(start, end) == [m for m in listed if m.start < end and start < m.end]
        assert index.with_text("AB") == [m for m in listed if m.text == "AB"]
        assert index.by_start() == sorted(listed, key=lambda m: m.start)


def test_only_the_first_acronyms_a_text_defines_are_linked() -> None:
    letters = [f"{a}{b}" for a in "BCDFGHJKLM" for b in "BCDFGHJKLMNPQRSTVWXZ"]  # 200 acronyms
    text = " ".join(f"The {a[0]}oard of {a[1]}ay ({a}) met." for a in letters)
    definitions = find_acronym_definitions(text)
    assert list(definitions) == letters[:MAX_DEFINITIONS]
    _, long_forms = build_mentions(text, [])
    assert set(long_forms) == set(letters[:MAX_DEFINITIONS])
