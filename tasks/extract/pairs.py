"""What "the latter" and "the former" mean: one of two people just named together.

"Coaches Tom Reed and Ann Lee met the press. The latter said …": the speaker is the second of the
last pair of people joined by "and" in the sentence of the mention or one of the two before it.
"""

from __future__ import annotations

import itertools
import re
from bisect import bisect_right

from tasks.models import EntityMention

_NAMES = {"PERSON", "ORG", "NORP", "GPE"}
_AND = re.compile(r"\s*(?:,\s*)?(?:and|&)\s+")


def pair_member(
    text: str,
    mentions: list[EntityMention],
    names: dict[int, str],
    sentence_starts: list[int],
    mention: tuple[int, str],
) -> str | None:
    """The person "the latter" (or "the former") at ``mention`` = (offset, word) refers to."""
    before, word = mention
    index = bisect_right(sentence_starts, before) - 1
    for current in range(index, max(-1, index - 3), -1):
        lo = sentence_starts[current] if current >= 0 else 0
        hi = before if current == index else sentence_starts[current + 1]
        # Names only; the model may call one of a pair of people an organisation ("Tom Reed and
        # Ann Lee" with "Ann Lee" an ORG): a pair counts when one of the two is a person.
        people = [m for m in mentions if lo <= m.start and m.end <= hi and m.label in _NAMES]
        pairs = [
            (a, b)
            for a, b in itertools.pairwise(people)
            if _AND.fullmatch(text, a.end, b.start) and "PERSON" in {a.label, b.label}
        ]
        if pairs:
            first, second = pairs[-1]
            chosen = second if word == "latter" else first
            return names.get(chosen.start, chosen.text)
    return None
