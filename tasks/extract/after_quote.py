"""An attribution right after a quotation's closing mark: "‘…,’ he said", "‘…,’ said Locke",
"‘…,’ NASA chief scientist Ellen Stofan said", "‘…,’ according to X", "‘…’ announced in May, said
Tom Reed"."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tasks.extract.cue_words import CUE, LISTENER_CUES, PARTICIPLES
from tasks.extract.speaker_phrases import CONNECTIVES, PREPOSITIONS, Speaker, phrase_after, subject_before

if TYPE_CHECKING:
    from tasks.extract.speakers import Resolver

# At most this many words of a title may stand before a name in an attribution after a quotation.
TITLE_WORDS = 5
LONG_TITLE_WORDS = 8
# A past tense or "-ing" form in lower case: a verb, never a long title's word ("the crowd cheered
# and …"; "United Nations" is a name).
_VERB_FORM = re.compile(r"(?:ed|ing)$")
_NOT_IN_TITLE = {"and", "but", "then", "as", "when", "while", "he", "she", "it", "they", "we", "i"}
# A capitalised name opening an attribution after a quotation, set off by a comma.
_UPPER = "A-ZÀ-ÖØ-Þ"
# A title in lower case may stand before it ("study lead author Lucas Paganini, a scientist …,").
_OPENING_NAME = re.compile(
    rf"[\s,]*((?:[a-z][\w-]*\s+){{0,4}})((?:[{_UPPER}][\w'’.-]*\s+){{0,3}}[{_UPPER}][\w'’.-]*[a-z])\s*,"
)


def attribution_after(text: str, lo: int, hi: int, resolver: Resolver) -> Speaker | None:
    """An attribution right after the closing mark: "he said", "said Locke", "according to X"."""
    cue = next(iter(resolver.cues.find(lo, hi)), None)
    if cue is None:
        return None
    word = cue.group().lower()
    if not text[lo : cue.start()].strip(" ,;:—–-\n"):
        if word in PARTICIPLES:
            return None  # "‘…’, saying he trusted the courts": the clause's subject speaks, before it
        span = None if word in LISTENER_CUES else phrase_after(text, cue.end(), hi)
        if span and _prepositional(text, span):
            # "‘…’ announced in May, said Tom Reed": a participle of the quoted words, whose
            # speaker the next cue names.
            return _inverted_after_clause(text, cue.end(), hi, resolver)
    elif (
        (opening := _OPENING_NAME.match(text, lo, cue.start()))
        and not _connective(opening.group(2))
        and (not opening.group(1) or (" " in opening.group(2) and title_before(opening.group(1))))
    ):
        # A name and an aside of its own ("‘…,’ Sam Holt, 25, a nurse from Leeds, told …").
        span = opening.span(2)
    else:
        span = subject_before(text, lo, cue.start())
        # The subject must open the attribution ("‘…,’ Ms Prior, who …, told the court"), a title
        # before a name aside ("‘…,’ NASA chief scientist Ellen Stofan said").
        # "‘…’, as Ann Lee calls it" opens with "as".
        words = re.sub(r"^[\s,;:—–-]*(?:as\s+)?", "", text[lo : span[0]]) if span else ""
        if span and len(words.split()) > 1 and not title_before(words, long=_full_name(text, span)):
            span = None
    return Speaker(span[0], span[1], word) if span else None


def _prepositional(text: str, span: tuple[int, int]) -> bool:
    """Whether a phrase opens with a preposition ("in May"): no speaker's name."""
    return text[span[0] : span[1]].split(maxsplit=1)[0].lower() in PREPOSITIONS


def _inverted_after_clause(text: str, lo: int, hi: int, resolver: Resolver) -> Speaker | None:
    """The speaker an inverted cue names after a clause and a comma (", said Tom Reed")."""
    cue = next(iter(resolver.cues.find(lo, hi)), None)
    if (
        cue is None
        or cue.group().lower() in LISTENER_CUES
        or not text[lo : cue.start()].rstrip().endswith(",")
    ):
        return None
    span = phrase_after(text, cue.end(), hi)
    return Speaker(span[0], span[1], cue.group().lower()) if span and not _prepositional(text, span) else None


def _connective(word: str) -> bool:
    """A sentence adverb opening the words after a quotation ("However, …"): no name."""
    return word.lower() in CONNECTIVES or (word.endswith("ly") and " " not in word)


def title_before(words: str, long: bool = False) -> bool:
    """Whether the words before a name are a title of a few words ("NASA chief scientist"); with
    ``long``, before a full name, of up to eight, two titles joined by "and" ("lead researcher and
    NASA planetary scientist")."""
    found = words.split()
    joined = [w for w in found[1:-1] if w == "and"] if long else []
    return (
        len(found) <= (LONG_TITLE_WORDS if long else TITLE_WORDS)
        and len(joined) <= 1
        # A possessive may open it ("Reed's campaign manager Ann Lee").
        and all(re.sub(r"['’]s$", "", w).replace("-", "").isalpha() and not CUE.fullmatch(w) for w in found)
        and all(w.lower() not in _NOT_IN_TITLE or w in joined for w in found)
        and not (long and any(w.islower() and _VERB_FORM.search(w) for w in found))
    )


def _full_name(text: str, span: tuple[int, int]) -> bool:
    """Whether ``text[span]`` is a name of two or more capitalised words ("Lucas Paganini")."""
    words = text[span[0] : span[1]].split()
    return len(words) >= 2 and all(w[:1].isupper() for w in words)
