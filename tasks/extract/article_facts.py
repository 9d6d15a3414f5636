"""What the speaker features of every quotation look up in the article, worked out once.

``speaker_features`` describes each quotation's candidates with the article's entity counts and
labels, its people, its sentence starts, where its quotations stand and whom its pronouns refer
to. Those are the same for every quotation of the article, so ``facts_of`` reads them once and
keeps them on the article's ``RuledQuotes``. Pronouns are resolved, and a sentence's first person
found, once each: once the rules are done the resolver no longer changes, so what it says of a
stretch in the windows of two quotations is the same.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tasks.models import CanonicalEntity

if TYPE_CHECKING:
    from tasks.extract.quotes import RuledQuotes
    from tasks.extract.speakers import Resolver


@dataclass(slots=True)
class ArticleFacts:
    """One article's entities, people, sentence starts and quotations, as the features ask."""

    entities: list[CanonicalEntity]  # what the facts were read from
    counts: dict[str, int]  # how often each entity is named
    labels: dict[str, str]
    person_counts: dict[str, int]
    top_person: str | None  # the person named most often (the first of them, on a tie)
    person_total: int  # how often people are named (1 when never)
    sentence_starts: frozenset[int]
    # The quotations' starts in order, and the largest end among the first k / smallest end
    # among the quotations from the k-th on.
    quote_starts: list[int]
    ends_up_to: list[float]
    ends_from: list[float]
    # The name each pronoun (start, end) resolves to, and the first person of each stretch,
    # filled as the features ask.
    pronoun_names: dict[tuple[int, int], str | None] = field(default_factory=dict)
    first_people: dict[tuple[int, int], tuple[int, int] | None] = field(default_factory=dict)

    def first_person(self, resolver: Resolver, lo: int, hi: int) -> tuple[int, int] | None:
        """``resolver.first_person(lo, hi)``, worked out once per stretch."""
        if (lo, hi) not in self.first_people:
            self.first_people[lo, hi] = resolver.first_person(lo, hi)
        return self.first_people[lo, hi]

    def inside_quote(self, offset: int) -> bool:
        """Whether ``offset`` falls inside a quotation (start <= offset < end)."""
        return self.ends_up_to[bisect_right(self.quote_starts, offset)] > offset

    def quote_between(self, lo: int, hi: int) -> bool:
        """Whether a quotation lies strictly between ``lo`` and ``hi`` (lo < start, end < hi)."""
        return self.ends_from[bisect_right(self.quote_starts, lo)] < hi


def facts_of(ruled: RuledQuotes, entities: list[CanonicalEntity]) -> ArticleFacts:
    """The article's facts, read the first time a quotation's features ask for them."""
    if ruled.facts is None or ruled.facts.entities is not entities:
        ruled.facts = _read(ruled, entities)
    return ruled.facts


def _read(ruled: RuledQuotes, entities: list[CanonicalEntity]) -> ArticleFacts:
    people = [e for e in entities if e.label == "PERSON"]
    quoted = sorted(ruled.resolver.quoted)
    ends_up_to: list[float] = [-math.inf]
    for _, end in quoted:
        ends_up_to.append(max(ends_up_to[-1], end))
    ends_from: list[float] = [math.inf]
    for _, end in reversed(quoted):
        ends_from.append(min(ends_from[-1], end))
    return ArticleFacts(
        entities=entities,
        counts={entity.name: entity.count for entity in entities},
        labels={entity.name: entity.label for entity in entities},
        person_counts={e.name: e.count for e in people},
        top_person=max(people, key=lambda e: e.count).name if people else None,
        person_total=sum(e.count for e in people) or 1,
        sentence_starts=frozenset(ruled.starts),
        quote_starts=[start for start, _ in quoted],
        ends_up_to=ends_up_to,
        ends_from=ends_from[::-1],
    )
