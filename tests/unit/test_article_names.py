"""The speaker resolver's indexed look-ups give what walking every mention (or searching the text
from its start) gave, on random articles of our own; and the quotation pairing's indexed sentence
ends match a search of each stretch."""

from __future__ import annotations

import random
import re

import pytest

from tasks.extract.article_names import ArticleNames
from tasks.models import EntityMention
from tasks.quote_marks import _SENTENCE_END, _SentenceEnds

WORDS = (
    "the",
    "chief",
    "scientist",
    "said",
    "Ann",
    "Lee",
    "Acme",
    "Corp",
    "a",
    "top",
    "official",
    "coach",
    ",",
)
LABELS = ("PERSON", "ORG", "GPE", "DATE")


def random_article(seed: int) -> tuple[str, list[EntityMention], dict[int, str]]:
    """A text of random words with random capitalised runs as mentions, each with a name."""
    rng = random.Random(seed)
    words = [rng.choice(WORDS) for _ in range(rng.randint(5, 120))]
    text, offsets = "", []
    for word in words:
        offsets.append(len(text))
        text += word + " "
    mentions, names = [], {}
    index = 0
    while index < len(words):
        if words[index][:1].isupper() and rng.random() < 0.7:
            last = min(len(words) - 1, index + rng.randint(0, 1))
            start, end = offsets[index], offsets[last] + len(words[last])
            mentions.append(
                EntityMention(start=start, end=end, text=text[start:end], label=rng.choice(LABELS))
            )
            if rng.random() < 0.9:
                names[start] = rng.choice(("Ann Lee", "Acme Corp", "Lee", "Ann-Marie Lee", text[start:end]))
            index = last + 1
        else:
            index += 1
    return text, mentions, names


def walked_by_name(mentions, names, before, words, labels):  # type: ignore[no-untyped-def]
    """What the resolver did before the index: walk back over every mention."""
    wanted = {w.strip(".,'’s") for w in words if w[:1].isupper() and w.lower() not in {"the", "a"}}
    wanted -= {"The"}
    for mention in reversed([m for m in mentions if m.start <= before]):
        name = names.get(mention.start)
        if name and mention.label in labels and wanted & set(name.replace("-", " ").split()):
            return name
    return None


def walked_titled(text, mentions, names, before, head):  # type: ignore[no-untyped-def]
    for mention in reversed([m for m in mentions if m.start <= before]):
        words = text[max(0, mention.start - 40) : mention.start].lower().split()
        if mention.label == "PERSON" and words and words[-1].strip(",") == head:
            return names.get(mention.start)
    return None


@pytest.mark.parametrize("seed", range(40))
def test_indexed_look_ups_answer_as_the_walk_did(seed: int) -> None:
    text, mentions, names = random_article(seed)
    lookup = ArticleNames(text, mentions, names)
    rng = random.Random(seed)
    for _ in range(30):
        start = rng.randrange(len(text))
        end = rng.randrange(start, len(text) + 1)
        assert lookup.within(start, end) == [m for m in mentions if start <= m.start and m.end <= end]
        assert lookup.overlaps(start, end) == any(m.start < end and start < m.end for m in mentions)
        words = text[start:end].split()
        for labels in ({"PERSON"}, {"ORG", "GPE"}):
            assert lookup.by_name(start, words, labels) == walked_by_name(
                mentions, names, start, words, labels
            )
        for head in ("scientist", "chief", "coach", "the"):
            expected = walked_titled(text, mentions, names, start, head) if head != "the" else None
            assert lookup.titled_person(start, head) == expected
        for head in ("official", "scientist"):
            pattern = rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}{head}\b"
            searched = re.search(pattern, text[:start], re.IGNORECASE) is not None
            assert lookup.introduced_unnamed(start, head) == searched


@pytest.mark.parametrize("seed", range(40))
def test_indexed_sentence_ends_match_a_search_of_each_stretch(seed: int) -> None:
    rng = random.Random(seed)
    pieces = ("Ann", "said", ".", "!", "?", "…", " ", "  ", "\n", '"', "'", "’", "”", "“", "A", "9", "x")
    text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 300)))
    ends = _SentenceEnds(text)
    for _ in range(50):
        lo = rng.randrange(len(text) + 1)
        hi = rng.randrange(lo, len(text) + 1)
        searched = [m.end() for m in _SENTENCE_END.finditer(text, lo, hi)]
        assert ends.last(lo, hi) == (searched[-1] if searched else None)
