"""ArticleFacts answers what scanning every quotation would (any spans, even overlapping)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.extract.article_facts import facts_of
from tasks.models import CanonicalEntity

_SPANS = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 30)).map(lambda p: (p[0], p[0] + p[1])))


def _ruled(quoted: list[tuple[int, int]], starts: list[int]) -> Any:
    return SimpleNamespace(resolver=SimpleNamespace(quoted=quoted), starts=starts, facts=None)


@settings(max_examples=300, deadline=None)
@given(_SPANS, st.integers(-2, 95), st.integers(-2, 95))
def test_quotations_found_by_bisection_are_those_a_scan_finds(
    quoted: list[tuple[int, int]], lo: int, hi: int
) -> None:
    facts = facts_of(_ruled(quoted, [0]), [])
    assert facts.inside_quote(lo) == any(s <= lo < e for s, e in quoted)
    assert facts.quote_between(lo, hi) == any(lo < s and e < hi for s, e in quoted)


def test_entity_facts_are_read_once_per_article_and_again_for_other_entities() -> None:
    ann = CanonicalEntity(name="Ann Lee", label="PERSON", count=3, mentions=[])
    bob = CanonicalEntity(name="Bob Hale", label="PERSON", count=3, mentions=[])
    acme = CanonicalEntity(name="Acme", label="ORG", count=9, mentions=[])
    ruled = _ruled([(5, 9)], [0, 40])
    facts = facts_of(ruled, [ann, acme, bob])
    assert facts_of(ruled, facts.entities) is facts
    assert (facts.top_person, facts.person_total, facts.counts["Acme"]) == ("Ann Lee", 6, 9)
    assert facts.sentence_starts == {0, 40}
    assert facts_of(ruled, [bob]).top_person == "Bob Hale"
