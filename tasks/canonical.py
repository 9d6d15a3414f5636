"""Canonical entities: every mention of one entity merged under its best name.

Mentions are grouped by a key that ignores what does not change who or what is meant: a leading
"the", a possessive, titles and ranks before a person's name, middle initials, well-known
alternate names ("US" = "United States") and acronyms the article defines ("Islamic State (IS)").
A lone surname joins the one full name it ends; when two full names share it, it stays apart,
because a wrong merge is worse than a missed one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from tasks.models import CanonicalEntity, EntityMention, Span
from tasks.names import ALIASES

PERSON = "PERSON"
NOT_CANONICAL = frozenset({"CARDINAL", "ORDINAL"})
# Labels that may name the same thing (the model calls a country GPE in one sentence, LOC in another).
_LABEL_FAMILY = {"GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
_INITIAL = re.compile(r"^[A-Z]\.?$")


def canonicalise(
    mentions: list[EntityMention], acronyms: dict[str, str] | None = None
) -> list[CanonicalEntity]:
    """Merge mentions into canonical entities, most mentioned first.

    ``acronyms`` maps an acronym defined in the text to its long form ("IS" -> "Islamic State").
    """
    acronyms = acronyms or {}
    groups: dict[tuple[str, str], list[EntityMention]] = defaultdict(list)
    for mention in mentions:
        if mention.label in NOT_CANONICAL:
            continue
        groups[(_family(mention.label), _key(mention.text, mention.label, acronyms))].append(mention)
    _merge_surnames(groups)
    entities = [_build(members, acronyms) for members in groups.values()]
    entities.sort(key=lambda entity: (-entity.count, entity.mentions[0].start))
    return entities


def person_key(name: str) -> str:
    """A person's name folded for matching: case-folded, middle initials dropped."""
    tokens = name.split()
    if len(tokens) > 2:
        tokens = [tokens[0]] + [t for t in tokens[1:-1] if not _INITIAL.match(t)] + [tokens[-1]]
    return " ".join(tokens).casefold()


def _family(label: str) -> str:
    return _LABEL_FAMILY.get(label, label)


def _key(text: str, label: str, acronyms: dict[str, str]) -> str:
    if label == PERSON:
        return person_key(text)
    long_form = acronyms.get(text)
    if long_form:
        text = long_form
    alias = ALIASES.get(text.casefold())
    return (alias or text).casefold()


def _merge_surnames(groups: dict[tuple[str, str], list[EntityMention]]) -> None:
    """Fold each person key that is the tail of exactly one longer person key into it."""
    people = [key for family, key in groups if family == PERSON]
    for short in sorted(people, key=lambda k: len(k.split())):
        short_tokens = short.split()
        longer = [
            key
            for key in people
            if key != short
            and len(key.split()) > len(short_tokens)
            and key.split()[-len(short_tokens) :] == short_tokens
            and (PERSON, key) in groups
        ]
        if len(longer) == 1 and (PERSON, short) in groups:
            groups[(PERSON, longer[0])].extend(groups.pop((PERSON, short)))


def _build(members: list[EntityMention], acronyms: dict[str, str]) -> CanonicalEntity:
    members.sort(key=lambda mention: mention.start)
    label = Counter(m.label for m in members).most_common(1)[0][0]
    forms = Counter(m.text for m in members)
    return CanonicalEntity(
        name=_best_name(label, forms, acronyms),
        label=label,
        count=len(members),
        aliases=sorted(forms),
        mentions=[Span(start=m.start, end=m.end) for m in members],
    )


def _best_name(label: str, forms: Counter[str], acronyms: dict[str, str]) -> str:
    if label == PERSON:
        full = [f for f in forms if len(f.split()) > 1] or list(forms)
        # Fewest initials, then most mentioned, then longest.
        return min(
            full,
            key=lambda f: (sum(bool(_INITIAL.match(t)) for t in f.split()), -forms[f], -len(f)),
        )
    for form in forms:
        alias = ALIASES.get(form.casefold())
        if alias:
            return alias
    spelled_out = [f for f in forms if f not in acronyms] or [acronyms[f] for f in forms]
    return max(spelled_out, key=lambda f: (len(f.split()) > 1, forms.get(f, 0), len(f)))
