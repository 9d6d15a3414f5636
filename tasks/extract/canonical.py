"""Canonical entities: every mention of one entity merged under its best name.

Mentions are grouped by a key that ignores what does not change who or what is meant: middle
initials and suffixes of a person's name, well-known alternate names ("US" = "United States")
and acronyms the article defines ("Islamic State (IS)"). Places the model calls GPE in one
sentence and LOC in another are one place. A lone surname joins the one full name it ends; when
two full names share it, it stays apart, because a wrong merge is worse than a missed one. A
company's short name joins its full name when only a company suffix differs ("Norland Pharma").
The dateline's place joins the place of the same name, or becomes one.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from tasks.extract.names import ALIAS_LABELS, ALIASES, CORPORATE_SUFFIXES, NAME_SUFFIXES
from tasks.models import CanonicalEntity, EntityMention

PERSON = "PERSON"
NOT_CANONICAL = frozenset({"CARDINAL", "ORDINAL"})
# Labels that may name the same thing (the model calls a country GPE in one sentence, LOC in another).
_LABEL_FAMILY = {"GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE"}
_INITIAL = re.compile(r"^[A-Z]\.?$")

Key = tuple[str, str]


def canonicalise(
    mentions: list[EntityMention],
    acronyms: dict[str, str] | None = None,
    dateline_place: str | None = None,
) -> list[CanonicalEntity]:
    """Merge mentions into canonical entities, most mentioned first.

    ``acronyms`` maps an acronym defined in the text to its long form ("IS" -> "Islamic State");
    ``dateline_place`` is the place of the article's dateline, if it has one.
    """
    acronyms = acronyms or {}
    groups: dict[Key, list[EntityMention]] = defaultdict(list)
    for mention in mentions:
        if mention.label in NOT_CANONICAL:
            continue
        alias = ALIASES.get(mention.text.casefold())
        label = ALIAS_LABELS.get(alias, mention.label) if alias else mention.label
        groups[(_family(label), _key(mention.text, label, acronyms))].append(mention)
    _merge_surnames(groups)
    _merge_company_short_names(groups)
    entities = [_build(members, acronyms) for members in groups.values()]
    if dateline_place:
        _add_dateline_place(entities, dateline_place)
    entities.sort(key=lambda e: (-e.count, e.mentions[0].start if e.mentions else -1))
    return entities


def person_key(name: str) -> str:
    """A person's name folded for matching: case-folded, middle initials and suffixes dropped."""
    tokens = name.replace(",", " ").split()
    while len(tokens) > 2 and tokens[-1].casefold() in NAME_SUFFIXES:
        tokens.pop()
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


def _merge_surnames(groups: dict[Key, list[EntityMention]]) -> None:
    """Fold each person key that is the tail of exactly one longer person key into it."""
    people = [key for family, key in groups if family == PERSON]
    tokens = {key: key.split() for key in people}  # each key split once, not once per pair
    for short in sorted(people, key=lambda k: len(tokens[k])):
        short_tokens = tokens[short]
        longer = [
            key
            for key in people
            if key != short
            and len(tokens[key]) > len(short_tokens)
            and tokens[key][-len(short_tokens) :] == short_tokens
            and (PERSON, key) in groups
        ]
        if len(longer) == 1 and (PERSON, short) in groups:
            groups[(PERSON, longer[0])].extend(groups.pop((PERSON, short)))


def _merge_company_short_names(groups: dict[Key, list[EntityMention]]) -> None:
    """Fold an organisation's short name into the one full name that is it plus a company suffix
    ("Norland" into "Norland Pharma"); with two such full names it stays apart."""
    organisations = [key for family, key in groups if family == "ORG"]
    for short in organisations:
        words = short.split()
        longer = [
            key
            for key in organisations
            if len(key.split()) > len(words)
            and key.split()[: len(words)] == words
            and all(w in CORPORATE_SUFFIXES for w in key.split()[len(words) :])
        ]
        if len(longer) == 1 and ("ORG", short) in groups and ("ORG", longer[0]) in groups:
            groups[("ORG", longer[0])].extend(groups.pop(("ORG", short)))


def _build(members: list[EntityMention], acronyms: dict[str, str]) -> CanonicalEntity:
    members.sort(key=lambda mention: mention.start)
    forms = Counter([m.text for m in members])
    name = _best_name(members[0].label, forms, acronyms)
    labels = [m.label for m in members]
    label = ALIAS_LABELS.get(name) or (
        labels[0] if labels.count(labels[0]) == len(labels) else Counter(labels).most_common(1)[0][0]
    )
    # The spans go in as plain dicts: pydantic-core builds them in one validation, three times
    # faster than a ``Span.model_construct`` each.
    return CanonicalEntity(
        name=name,
        label=label,
        count=len(members),
        aliases=sorted(forms),
        mentions=[{"start": m.start, "end": m.end} for m in members],
    )


def _best_name(label: str, forms: Counter[str], acronyms: dict[str, str]) -> str:
    if label == PERSON:
        full = [f for f in forms if len(f.split()) > 1] or list(forms)
        if len(full) == 1:
            return full[0]
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
    if len(spelled_out) == 1:
        return spelled_out[0]
    return max(spelled_out, key=lambda f: (len(f.split()) > 1, forms.get(f, 0), len(f)))


def _add_dateline_place(entities: list[CanonicalEntity], place: str) -> None:
    """Count the dateline as one more mention of its place, or add the place as a GPE."""
    key = (ALIASES.get(place.casefold()) or place).casefold()
    for entity in entities:
        if _family(entity.label) == "PLACE" and entity.name.casefold() == key:
            entity.count += 1
            entity.in_dateline = True
            return
    entities.append(CanonicalEntity(name=place, label="GPE", count=1, aliases=[place], in_dateline=True))
