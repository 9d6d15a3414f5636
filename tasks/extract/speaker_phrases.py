"""Speaker phrases: the cue words of an attribution and the noun phrases around them.

No parser runs in the extract stage (STACK.md: it would halve its speed), so a speaker is read
from the words next to a cue ("said", "told", "added", "according to" …): the noun phrase that
is its subject ("Mr Peters revealed", "He told the court:"), walked back over capitalised words
and a description's words to its determiner, skipping an aside between commas or dashes
("Locke, who was crestfallen …, added"); or the phrase after an inverted cue ("said Locke").
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from tasks.extract.cue_words import CUE
from tasks.extract.names import HONORIFICS as NAME_HONORIFICS

# Common verbs that end a noun phrase read forwards ("The fighter ace went on to describe").
_VERBS = re.compile(r"(?:went|made|took|gave|got|came|became|left|saw|knew|thought|has|had|is|was|\w+ed)$")
# A pronoun right before a quotation that is its predicate ("where she ‘appreciated …’").
PREDICATE_SUBJECT = re.compile(r"(?<![\w-])(?:he|she|they)\s*$", re.IGNORECASE)
_WORD = re.compile(r"[\w][\w'’.&-]*|[^\w\s]")
PRONOUNS = {"he": "PERSON", "she": "PERSON", "it": "ORG", "they": "ORG"}
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "this", "another", "one"}
INDEFINITE = {"a", "an", "one", "another", "some"}
_STOP = {
    "and", "but", "that", "when", "while", "as", "after", "before", "because", "if", "who", "which",
    "where", "so", "then", "also", "to", "in", "on", "at", "for", "with", "from", "by", "of",
    "is", "was", "are", "were", "be", "been", "being", "not", "sometimes", "it", "there",
}  # fmt: skip
# Words between a subject and its cue that are not part of the subject ("he then added").
_SKIPPABLE = {
    "also", "then", "later", "further", "previously", "reportedly", "allegedly", "has", "had",
    "have", "would", "will", "once", "again", "simply", "just", "recently", "quickly", "finally",
    "is", "was", "are", "were", "be", "been", "heard", "seen",  # "Saltare can be heard saying"
    "instead", "still", "now", "even", "never", "always", "often", "first", "earlier", "already",
}  # fmt: skip
# Modal verbs, skipped like those only in lower case ("May" is a name).
_MODALS = {"can", "could", "may", "might", "must", "should"}
SPOKES = {"spokesman", "spokeswoman", "spokesperson", "representative", "statement", "spokesmen"}
PERSON_ROLES = {
    "minister", "senator", "president", "chairman", "chief", "manager", "boss", "coach", "actress",
    "actor", "star", "teenager", "prince", "princess", "royal", "officer", "secretary", "leader",
    "lawyer", "attorney", "director", "judge", "mayor", "governor", "singer", "player", "striker",
    "defender", "midfielder", "captain", "ace", "scientist", "woman", "man", "mother", "father",
    "wife", "husband", "ex-wife", "daughter", "son", "girl", "boy", "businessman", "chancellor",
    "designer", "author", "professor", "doctor", "dr", "veteran", "pilot", "grandmother",
}  # fmt: skip
ORG_NOUNS = {
    "agency",
    "company",
    "club",
    "ministry",
    "department",
    "firm",
    "government",
    "council",
    "bureau",
    "party",
    "team",
    "group",
    "organisation",
    "organization",
    "network",
    "union",
}
# Sentence adverbs and connectives, capitalised at a sentence's start but never a subject.
CONNECTIVES = {
    "however", "meanwhile", "still", "instead", "yet", "now", "then", "later", "earlier", "indeed",
    "moreover", "nevertheless", "nonetheless", "besides", "otherwise", "overall", "separately",
}  # fmt: skip
PERSON_AGE = re.compile(r"\d+-year-old$")
_APPOSITIVE_MAX = 160
_PLACE_PREPOSITIONS = {"in", "at", "from"}
# A preposition after the head of a speaker phrase: what follows it is not the speaker.
PREPOSITION_IN_PHRASE = re.compile(r"\s(?:in|at|from|for|of)\s")
# Honorifics as written, with or without a stop ("Mr", "Mr.").
HONORIFICS = NAME_HONORIFICS | {f"{word}." for word in NAME_HONORIFICS}
PREPOSITIONS = {
    "with",
    "to",
    "by",
    "of",
    "for",
    "from",
    "on",
    "at",
    "in",
    "into",
    "about",
    "against",
    "like",
}  # characters of an aside between commas that may be skipped


@dataclass(frozen=True, slots=True)
class Speaker:
    """A speaker mention and the cue that names it."""

    start: int
    end: int
    cue: str


def cues_from(cues: list[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    """The cues of ``CueIndex.spans()`` starting in ``text[lo:hi]``."""
    return cues[bisect_left(cues, (lo, -1)) : bisect_left(cues, (hi, -1))]


def subject_before(text: str, lo: int, cue_start: int) -> tuple[int, int] | None:
    """The noun phrase that ends right before a cue (its subject), within ``text[lo:cue_start]``."""
    lo = max(lo, cue_start - _APPOSITIVE_MAX - 60)  # a subject, an aside, and no more
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, lo, cue_start)]
    while words and (words[-1][2].lower() in _SKIPPABLE or words[-1][2] in _MODALS):
        words.pop()
    if words and words[-1][2].lower() in {"who", "which", "as"}:
        words.pop()  # "a singer who claims", "quoted Mr X as saying"
    if words and words[-1][2] in {",", "–", "—", "-"} and lo < words[-1][0]:
        words = _without_aside(words)
    if words and words[-1][2] == ")":  # "Mr Hanson (pictured) said"
        opening = max((i for i, w in enumerate(words) if w[2] == "("), default=None)
        words = words[:opening] if opening is not None else words
    span = _phrase_back(words)
    return _name_before_description(words, span) or span


# What may stand before a name that opens a clause ("Robert Abrams, a psychiatrist … said").
_BEFORE_CLAUSE_NAME = {"and", "but", "while", "when"}


def _name_before_description(
    words: list[tuple[int, int, str]], span: tuple[int, int] | None
) -> tuple[int, int] | None:
    """The name a description is set beside when the comma closing the aside is missing
    ("Robert Abrams, a geriatric psychiatrist at the hospital said" → "Robert Abrams"): a name of
    two or more capitalised words that opens its clause, then a comma, then the description."""
    if span is None or text_is_name(words, span):
        return None
    first = next(i for i, w in enumerate(words) if w[0] == span[0])
    if first < 2 or words[first - 1][2] != ",":
        return None
    name = _phrase_back(words[: first - 1])
    if name is None or not text_is_name(words, name):
        return None
    start = next(i for i, w in enumerate(words) if w[0] == name[0])
    if first - 1 - start < 2:
        return None
    before = words[start - 1][2] if start else "."
    if re.match(r"\w", before) and before.lower() not in _BEFORE_CLAUSE_NAME:
        return None
    return name


def clause_subject(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    """The first noun phrase of the clause in ``text[lo:hi]`` (after its last comma, else of
    the whole window): a pronoun, a capitalised run, or a determiner and the words after it."""
    for start in (max(lo, text.rfind(",", lo, hi) + 1), lo):
        found = _phrase_forward(text, start, hi)
        if found:
            return found
    return None


def _phrase_forward(text: str, lo: int, hi: int) -> tuple[int, int] | None:
    taken: list[tuple[int, int]] = []
    for match in _WORD.finditer(text, lo, hi):
        token, lower = match.group(), match.group().lower()
        if not taken:
            if lower in PRONOUNS:
                return match.start(), match.end()
            if not (token[0].isupper() or lower in DETERMINERS):
                return None
            if lower in _STOP or lower in {"when", "after", "but", "and", "as", "if", "while"}:
                return None
        elif (
            not re.match(r"\w", token)
            or lower in _STOP
            or lower in _SKIPPABLE
            or CUE.fullmatch(token)
            or (token[0].islower() and _VERBS.match(lower))
            or (
                # A name ends at a lowercase word, unless a determiner opened a description
                # ("A 14-year-old Pennsylvania girl").
                token[0].islower()
                and text[taken[-1][0]].isupper()
                and text[taken[0][0] : taken[0][1]].lower() not in DETERMINERS
            )
            or len(taken) >= 6
        ):
            break
        taken.append((match.start(), match.end()))
    return (taken[0][0], taken[-1][1]) if taken else None


def _without_aside(words: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The words before an aside set off by commas ("Locke, who was …, added" → "Locke")."""
    commas = [i for i, w in enumerate(words[:-1]) if w[2] == words[-1][2]]
    if not commas and words[-1][2] == "," and len(words) > 1 and _is_name_word(words[-2][2]):
        return words[:-1]  # a stray comma after a name ("… councillor David Kelsey, said")
    if not commas or words[-1][0] - words[commas[-1]][0] > _APPOSITIVE_MAX:
        return []
    return words[: commas[-1]]


def _phrase_back(words: list[tuple[int, int, str]]) -> tuple[int, int] | None:
    """The noun phrase at the end of ``words``: a pronoun, a run of capitalised words, or a
    description back to its determiner ("the former prime minister", "a senior official")."""
    if not words or not re.match(r"\w", words[-1][2]):
        return None
    last = words[-1]
    if last[2].lower() in PRONOUNS or last[2].lower() in {"i", "we"}:
        return last[0], last[1]
    taken: list[tuple[int, int, str]] = []
    capitalised = False
    for index, word in reversed(list(enumerate(words))):
        token = word[2]
        lower = token.lower()
        following = words[index + 1][2] if index + 1 < len(words) else ""
        if not re.match(r"\w", token) or len(taken) >= 8:
            break
        if lower in DETERMINERS or (token.endswith(("'s", "’s")) and taken):
            taken.append(word)
            break
        # An adverb ends the phrase ("recently", "Typically, …"), a name ending alike does not
        # ("Kelly said").
        adverb = lower.endswith("ly") and len(lower) > 4 and (token.islower() or following == ",")
        if lower in _STOP or lower in _SKIPPABLE or adverb:
            break
        if token[0].isupper() or token[0].isdigit():
            capitalised = True
        elif capitalised:
            break  # "Police spokesman | Major Thulani Zwane": the name is the speaker
        taken.append(word)
    if not taken:
        return None
    index = len(words) - len(taken) - 1
    if capitalised and index > 0 and words[index][2] in _PLACE_PREPOSITIONS and words[index - 1][2].islower():
        # "Security analysts in Nairobi said": the place belongs to a subject before it.
        before = _phrase_back(words[:index])
        if before is not None and not text_is_name(words, before):
            return before[0], taken[0][1]
    if capitalised and index > 0 and words[index][2] in {"of", "from"} and words[index - 1][2][:1].isupper():
        # "David Williams of Ladbrokes said", "Bank of England": the name before it belongs.
        before = _phrase_back(words[:index])
        if before is not None and text_is_name(words, before):
            return before[0], taken[0][1]
    return taken[-1][0], taken[0][1]


def text_is_name(words: list[tuple[int, int, str]], span: tuple[int, int]) -> bool:
    """Whether every word of the span is capitalised (a name, not a description)."""
    return all(w[2][:1].isupper() for w in words if span[0] <= w[0] < span[1])


def phrase_after(text: str, start: int, hi: int) -> tuple[int, int] | None:
    """The noun phrase right after an inverted cue ("said Locke", "added the 28-year-old,",
    "said Recording Academy president and CEO Neil Portnow")."""
    taken: list[tuple[int, int]] = []
    words = list(_WORD.finditer(text, start, hi))
    for index, match in enumerate(words):
        token, lower = match.group(), match.group().lower()
        if not re.match(r"\w", token) or len(taken) >= 8:
            break
        following = words[index + 1].group() if index + 1 < len(words) else ""
        if lower == "and" and taken and following[:1].isupper():
            taken.append((match.start(), match.end()))
            continue
        if taken and (lower in _STOP or lower in {"during", "told", "said", "after"}):
            break
        taken.append((match.start(), match.end()))
    return (taken[0][0], taken[-1][1]) if taken else None


def trim_stop(text: str, span: tuple[int, int] | None) -> tuple[int, int] | None:
    """The span without a sentence's full stop at its end ("official." but not "Jr." or "D.C.")."""
    if span is None:
        return None
    start, end = span
    if (
        end - start > 1
        and text[end - 1] == "."
        and not re.search(r"(?:\b[A-Z][a-z]?|\.[A-Z])\.$", text[start:end])
    ):
        end -= 1
    return start, end


# A sentence opening with a thing as its subject ("The ordinance, passed last week, forbids what it calls …").
_THING_SUBJECT = re.compile(r"\s*(?:The|This|That|Its|Their)\s+(?:new\s+|latest\s+)?([a-z][a-z-]+)\b")


def unnamed_body(text: str, start: int, end: int) -> bool:
    """Whether a cue's subject ``text[start:end]`` is a thing or group nobody names ("the committee",
    "the report"): a later "it" means that, not an organisation named earlier."""
    words = text[start:end].split()
    head = words[-1].lower() if words else ""
    before = text[max(0, start - 12) : start].split()
    return (
        len(words) >= 2
        and not (before and before[-1].lower() in PREPOSITIONS)  # "Opponents of the plan"
        and words[0].lower() in {"the", "this", "its", "their"}
        and all(w[:1].islower() for w in words[1:])
        and head not in PERSON_ROLES
        and head not in PRONOUNS
        and not PERSON_AGE.search(head)
    )


def thing_opens_sentence(text: str, sentence_start: int, before: int) -> bool:
    """Whether the sentence before ``before`` opens with a thing nobody names as its subject
    ("The ordinance … forbids what it calls …"): the "it" after it means that thing."""
    match = _THING_SUBJECT.match(text, sentence_start, before)
    head = match.group(1) if match else ""
    return bool(match) and head not in PERSON_ROLES and head not in ORG_NOUNS and head not in SPOKES


# Prepositions whose object is never who speaks (unlike "a spokesman for Acme", "Lee of Acme").
_OBJECT_BEFORE = re.compile(r"\b[a-z]+\s+(?:against|about|over|into|like|with)\s+$")


def object_of_preposition(text: str, lo: int, start: int) -> bool:
    """Whether the name at ``start`` follows one of those prepositions ("complaints against Acme")."""
    return bool(_OBJECT_BEFORE.search(text, max(lo, start - 40), start))


def _is_name_word(token: str) -> bool:
    return token[:1].isupper() and token.lower() not in CONNECTIVES
