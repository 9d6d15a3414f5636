"""Entity mentions: the model's spans cleaned up before they are merged into canonical entities.

In order: trim what is not part of a name ("the", possessives, titles before a person, an
unclosed bracket) and join a name the model split in two; drop title phrases the model took for
organisations (tasks/titles.py: "US National Security Adviser Susan Rice" keeps "US"); give every
acronym the text defines one mention per use, and its long form one whole mention; make one
document call one name one thing (a lone surname the model called an organisation is the person
whose full name it ends).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from tasks.extract.acronyms import find_acronym_definitions
from tasks.extract.names import ALIAS_LABELS, ALIASES, TITLE_JOINERS, TITLE_WORDS
from tasks.extract.span_index import MentionIndex
from tasks.extract.titles import drop_titles
from tasks.models import EntityMention

PERSON = "PERSON"
PLACE_LABELS = frozenset({"GPE", "LOC", "FAC"})
# Labels a lone surname is wrongly given often enough to correct; places are left alone, since a
# place named like a person ("Washington", "Jordan") is as likely as the person.
_SURNAME_MISLABELS = frozenset({"ORG", "NORP", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "FAC"})
_NAME_LABELS = frozenset(
    {PERSON, "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW"}
)
_POSSESSIVE = re.compile(r"(?:['’]s|s['’])$")
_WORD = re.compile(r"\S+")

Raw = tuple[int, int, str]
Definitions = dict[str, tuple[int, int]]


def clean_mentions(text: str, raw: list[Raw]) -> list[EntityMention]:
    """Trim "the", possessives and (for people) titles off mentions, and join split names."""
    trimmed: list[Raw] = []
    for raw_start, raw_end, label in raw:
        start, end = _trim(text, raw_start, raw_end, label)
        if end > start:
            trimmed.append((start, end, label))
    joined: list[Raw] = []
    for start, end, label in trimmed:
        if joined:
            prev_start, prev_end, prev_label = joined[-1]
            # "Hafiz Saeed" + "Khan Orakzai": two person spans a single space apart are one name.
            if label == prev_label == PERSON and text[prev_end:start] == " ":
                joined[-1] = (prev_start, end, label)
                continue
        joined.append((start, end, label))
    return [_mention(text, s, e, label) for s, e, label in joined]


def _mention(text: str, start: int, end: int, label: str) -> EntityMention:
    # A worker makes millions: pydantic-core's validation of four plain fields is twice as fast as
    # ``model_construct``'s Python loop (0.7 against 1.6 µs), and makes the same object.
    return EntityMention(text=text[start:end], label=label, start=start, end=end)


def _trim(text: str, start: int, end: int, label: str) -> tuple[int, int]:
    span = text[start:end]
    # "World Health Organization (WHO": a bracket or quote the span opens but does not close.
    for opener, closer in (("(", ")"), ("[", "]"), ("“", "”"), ('"', '"')):
        at = span.find(opener)
        if at > 0 and closer not in span[at + 1 :]:
            end = start + len(span[:at].rstrip())
            span = text[start:end]
    possessive = _POSSESSIVE.search(span)
    if possessive and len(span) > 3:
        end -= len(possessive.group()) - (1 if possessive.group().startswith("s") else 0)
        end = start + len(text[start:end].rstrip())
    if text[start:end].lower().startswith("the "):
        start += 4
    if label == PERSON:
        tokens = list(_WORD.finditer(text[start:end]))
        skip = 0
        while skip < len(tokens) - 1:
            word = tokens[skip].group().lower().rstrip(".")
            if word in TITLE_WORDS or (skip and word in TITLE_JOINERS):
                skip += 1
            else:
                break
        if skip:
            start += tokens[skip].start()
    return start, end


def add_acronym_mentions(
    text: str, mentions: list[EntityMention], definitions: Definitions
) -> list[EntityMention]:
    """Give each defined acronym's long form one whole mention and tag every use of the acronym."""
    result = MentionIndex(mentions)
    for acronym, (long_start, long_end) in definitions.items():
        inside = result.overlapping(long_start, long_end)
        acronym_labels = Counter(m.label for m in result.with_text(acronym) if m.label != PERSON)
        covering = [m for m in inside if m.start <= long_start and long_end <= m.end and m.label != PERSON]
        label = next((m.label for m in covering), None) or next(
            (m.label for m in inside if m.label != PERSON), None
        )
        label = label or (acronym_labels.most_common(1)[0][0] if acronym_labels else None)
        if label is None:
            continue
        if not covering:
            # "General Headquarters (GHQ)" where the model saw a person "Headquarters".
            for mention in inside:
                result.remove(mention)
            result.add(_mention(text, long_start, long_end, label))
        for match in re.finditer(rf"(?<![\w-]){re.escape(acronym)}(?![\w-])", text):
            if not result.overlapping(match.start(), match.end()):
                result.add(_mention(text, match.start(), match.end(), label))
    return result.by_start()


def harmonise_labels(mentions: list[EntityMention]) -> list[EntityMention]:
    """One name, one thing per document: a well-known alternate name gets its own label ("US" is a
    place); a lone surname the model called an organisation is the person whose full name it
    ends, if exactly one such person appears; the same text takes its majority label."""
    # The full names (two words or more) that end in each one- or two-word tail.
    ending: dict[tuple[str, ...], set[str]] = {}
    for m in mentions:
        words = m.text.split()
        if m.label == PERSON and len(words) > 1:
            for tail in (tuple(words[-1:]), tuple(words[-2:])):
                ending.setdefault(tail, set()).add(" ".join(words))
    result: list[EntityMention] = []
    owned: dict[str, bool] = {}  # a text's answer, worked out once: the surname of exactly one person?
    for mention in mentions:
        label = mention.label
        alias = ALIASES.get(mention.text.casefold())
        if alias and label in _NAME_LABELS:
            label = ALIAS_LABELS.get(alias, label)
        elif label in _SURNAME_MISLABELS:
            if mention.text not in owned:
                words = mention.text.split()
                owned[mention.text] = 0 < len(words) <= 2 and len(ending.get(tuple(words), ())) == 1
            if owned[mention.text]:
                label = PERSON
        result.append(mention if label == mention.label else mention.model_copy(update={"label": label}))
    return _majority_labels(result)


def _majority_labels(mentions: list[EntityMention]) -> list[EntityMention]:
    """The same text under different name labels takes the label most of its mentions have."""
    votes = _votes(m for m in mentions if m.label in _NAME_LABELS)
    # Each text's clear winner, decided once: a text with one label, or a tie, has none.
    winners: dict[str, str] = {}
    for text, counter in votes.items():
        if len(counter) > 1:
            (first, first_votes), (_, second_votes) = counter.most_common(2)
            if first_votes > second_votes:
                winners[text] = first
    result: list[EntityMention] = []
    for mention in mentions:
        winner = winners.get(mention.text) if mention.label in _NAME_LABELS else None
        if winner is not None and winner != mention.label:
            result.append(mention.model_copy(update={"label": winner}))
        else:
            result.append(mention)
    return result


def _votes(mentions: Iterable[EntityMention]) -> dict[str, Counter[str]]:
    votes: dict[str, Counter[str]] = {}
    for mention in mentions:
        counter = votes.get(mention.text)
        if counter is None:  # (``setdefault`` would make a Counter per mention)
            counter = votes[mention.text] = Counter()
        counter[mention.label] += 1
    return votes


def acronym_long_forms(text: str, mentions: list[EntityMention], definitions: Definitions) -> dict[str, str]:
    """Each acronym's long form as the mention that holds it names it ("CENTCOM" is "US Central
    Command" when the model tagged that around "Central Command (CENTCOM)")."""
    placed = MentionIndex(mentions) if definitions else None
    long_forms: dict[str, str] = {}
    for acronym, (start, end) in definitions.items():
        near = placed.overlapping(start, end) if placed else []
        holder = next((m for m in near if m.start <= start and end <= m.end and m.text != acronym), None)
        long_forms[acronym] = holder.text if holder else text[start:end]
    return long_forms


STEPS = ("trim", "titles", "acronyms", "labels")


def build_mentions(
    text: str, raw: list[Raw], skip: frozenset[str] = frozenset()
) -> tuple[list[EntityMention], dict[str, str]]:
    """Every cleanup step in order (minus those named in ``skip``, for measuring each one), and
    the acronyms the text defines, mapped to their long forms."""
    definitions = find_acronym_definitions(text)
    if "trim" in skip:
        mentions = [_mention(text, s, e, label) for s, e, label in raw]
    else:
        mentions = clean_mentions(text, raw)
    if "titles" not in skip:
        mentions, definitions = drop_titles(text, mentions, definitions)
    if "acronyms" in skip:
        definitions = {}
    else:
        mentions = add_acronym_mentions(text, mentions, definitions)
    if "labels" not in skip:
        mentions = harmonise_labels(mentions)
    return mentions, acronym_long_forms(text, mentions, definitions)
