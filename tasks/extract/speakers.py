"""Who a speaker mention is: the canonical entity an attribution's phrase refers to.

A phrase is resolved directly when a named entity ends it (or it is a spokesman for one, or a
person entity's name holds its capitalised words: "Julia" for Julia Louis-Dreyfus); through a
pronoun to the person last said to speak nearby, unless the narration has named someone else
since (else the first one named in the nearest sentence); "it" to the body last said to speak;
through a definite description ("the former prime minister", "the 28-year-old", "the
agency") to the person whose title it repeats, else as a pronoun would be; never for an unnamed
"a senior official" or a document. A name the model missed altogether gets the fullest form the
text gives it ("Mertesacker" → "Per Mertesacker").
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort

from tasks.extract.article_names import ArticleNames
from tasks.extract.cue_index import CueIndex
from tasks.extract.cue_words import LISTENER_CUES, PARTICIPLE_FORMS, PASSIVE, is_saying
from tasks.extract.genders import Genders
from tasks.extract.pairs import pair_member
from tasks.extract.speaker_phrases import (
    HONORIFICS,
    INDEFINITE,
    ORG_NOUNS,
    PERSON_AGE,
    PERSON_ROLES,
    PREPOSITION_IN_PHRASE,
    PREPOSITIONS,
    PRONOUNS,
    SPOKES,
    object_of_preposition,
    phrase_after,
    subject_before,
    thing_opens_sentence,
    unnamed_body,
)
from tasks.models import EntityMention
from tasks.quote_marks import inside_quote, outside_quotes

_CAPITALISED = re.compile(r"\b[A-Z][a-z][\w'’-]*\b")
_TITLE_BETWEEN_COMMAS = re.compile(r",\s*[A-Z][\w&' -]{1,40},\s*$")
_BODIES = {"ORG", "GPE", "NORP", "LOC", "FAC"}
_NUMERIC = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"}
# An inverted cue: after a comma or a closing mark, before a name or a description.
_INVERTED_BEFORE = re.compile(r"[,’'\"”]\s*$")
_INVERTED_AFTER = re.compile(r"\s+(?!(?:to|with|about|for|of|by|from|that|on|in|at)\b)\w")
_PERSON_PRONOUN = re.compile(r"\b(?:he|she|He|She)\b")
_POSSESSIVE = re.compile(r"['’]s?\s")
# A lower-case word right after a name: the name is used as an adjective ("Israeli courts").
_ATTRIBUTIVE = re.compile(r"\s+[a-z]")


class Resolver:
    """Resolves speaker mentions to canonical entity names over one article."""

    def __init__(
        self,
        text: str,
        mentions: list[EntityMention],
        names: dict[int, str],
        sentence_starts: list[int],
        quoted: list[tuple[int, int]],
    ) -> None:
        self.text = text
        self.names = names
        self.sentence_starts = sentence_starts
        self.quoted = quoted
        # Where the cue words stand: every attribution and the salient speakers look them up.
        self.cues = CueIndex(text)
        quote_starts = [start for start, _ in quoted]
        # Names inside quotations are what was said, not who said it.
        self.mentions = [m for m in mentions if not inside_quote(quoted, quote_starts, m.start)]
        self.lookup = ArticleNames(text, self.mentions, names)
        self.starts = self.lookup.starts
        self.labels = {self.names.get(m.start): m.label for m in reversed(self.mentions)}
        self.person_words = {
            word
            for m in self.mentions
            if m.label == "PERSON"
            for word in self.names.get(m.start, m.text).split()
        } - HONORIFICS
        self.noted: list[tuple[int, str]] = []
        # (offset, name) of each organisation said to speak: what a later "it" or "the agency" means.
        self.bodies: list[tuple[int, str]] = []  # kept sorted
        self.sexes = Genders(text, self.mentions, names)
        self._salient: list[tuple[int, str]] | None = None
        self._surnames: set[str] | None = None
        self._speakers: list[tuple[int, str]] | None = None  # sorted salient + noted

    @property
    def salient(self) -> list[tuple[int, str]]:
        """(offset, name) of each person said to speak (a cue's subject, or a quotation's
        speaker), found the first time a pronoun needs them: most articles need none."""
        if self._salient is None:
            found: list[tuple[int, str]] = []
            for lo, hi in outside_quotes(self.quoted, len(self.text)):
                for verb in self.cues.salient_verbs(lo, hi):
                    if not is_saying(self.text, verb):
                        continue  # "amid reports", "the claims": nouns
                    window = max(lo, verb.start() - 12)
                    if PARTICIPLE_FORMS.match(verb.group()) and PASSIVE.search(
                        self.text, window, verb.start()
                    ):
                        continue  # "Henry was asked": not a speaker
                    span = subject_before(self.text, max(lo, verb.start() - 200), verb.start())
                    if (
                        _INVERTED_BEFORE.search(self.text, max(lo, verb.start() - 3), verb.start())
                        and _INVERTED_AFTER.match(self.text, verb.end())
                        and verb.group().lower() not in LISTENER_CUES
                    ):
                        # "…, said fertility specialist Dr. David Tourgeman": the person after it.
                        inverted = phrase_after(self.text, verb.end(), hi)
                        if inverted and self.people_between(*inverted):
                            span = inverted
                    person = (self.person_named(*span) or self._apposed_person(span[1])) if span else None
                    if person:
                        found.append((verb.start(), person))
                    elif span and (body := self._body_ending(*span)):
                        self.bodies.append((verb.start(), body))
                    elif span and unnamed_body(self.text, *span):
                        self.bodies.append((verb.start(), ""))  # "the committee said": no name
            self._salient = found
            self.bodies.sort()
        if self._speakers is None:
            self._speakers = sorted(self._salient + self.noted)
        return self._speakers

    def _body_ending(self, start: int, end: int) -> str | None:
        """The organisation (or place or group) whose name ends the phrase ``text[start:end]``."""
        inside = [m for m in self.lookup.within(start, end) if m.end == end and m.label != "PERSON"]
        return self.names.get(inside[-1].start) if inside else None

    def note(self, offset: int, entity: str | None) -> None:
        """Remember a quotation's resolved speaker: "he" in the next attribution is likely them."""
        if entity and self.labels.get(entity, "PERSON") == "PERSON":
            self.noted.append((offset, entity))
            if self._speakers is not None:
                insort(self._speakers, (offset, entity))
        elif entity:
            insort(self.bodies, (offset, entity))

    def people_between(self, lo: int, hi: int) -> list[str]:
        """The canonical names of the people named in ``text[lo:hi]``."""
        found = self.mentions[bisect_right(self.starts, lo - 1) : bisect_right(self.starts, hi - 1)]
        return [self.names.get(m.start, m.text) for m in found if m.label == "PERSON"]

    def person_heading(self, lo: int, opener: int) -> tuple[int, int] | None:
        """A heading that names who speaks, a person ending right at a colon before the quotation
        with a title of a few words at most before them ("Widnes coach Denis Betts: ‘…’")."""
        colon = self.text.rfind(":", lo, opener)
        if colon < 0 or self.text[colon + 1 : opener].strip() or len(self.text[lo:colon].split()) > 6:
            return None
        index = bisect_right(self.starts, colon) - 1
        if index < 0:
            return None
        mention = self.mentions[index]
        # The model may take the colon into the name, or leave a surname out ("Tony" of "Tony Smith").
        rest = self.text[mention.end : colon].split()
        if mention.label != "PERSON" or mention.start < lo or mention.end > colon + 1 or len(rest) > 1:
            return None
        return (mention.start, min(mention.end, colon)) if all(w[:1].isupper() for w in rest) else None

    def names_a_thing(self, start: int, end: int) -> bool:
        """Whether a phrase names no person and its head is no person's role ("the incident")."""
        words = self.text[start:end].split()
        head = words[-1].lower() if words else ""
        return not self.people_between(start, end) and head not in PERSON_ROLES and head not in PRONOUNS

    def person_named(self, start: int, end: int) -> str | None:
        """The person a phrase names: a person entity in it, a person entity whose name holds
        its capitalised words ("Julia"), or, when the model missed the name altogether, the
        fullest form the text gives it ("Mertesacker" → "Per Mertesacker")."""
        inside = self.lookup.within(start, end)
        people = [m for m in inside if m.label == "PERSON"]
        if people:
            return self.names.get(people[-1].start)
        surnames = [m for m in inside if m.end == end and self._lone_surname(m)]
        if surnames and object_of_preposition(self.text, start, surnames[-1].start):
            return None  # "The board reviewing complaints against Acme said"
        if surnames and self.text[start:end].split()[0][:1].isupper():
            return self.names.get(surnames[-1].start)
        words = self.text[start:end].split()
        if bodies := [m for m in inside if m.label in _BODIES and not self._ends_in_surname(m)]:
            # Words of a body's or a place's name are not a person's ("Carnival Cruise Lines
            # officials" is no "Carnival Spirit").
            words = _outside(self.text, start, end, bodies)
        named = self.lookup.by_name(start, words, {"PERSON"})
        if named:
            return named
        return None if self.lookup.overlaps(start, end) else self.lookup.fullest_name(words)

    def _ends_in_surname(self, mention: EntityMention) -> bool:
        """Whether a mention ends in a person's surname ("Magistrate Rinaudo" taken for a body)."""
        if self._surnames is None:
            self._surnames = {
                self.names.get(m.start, m.text).split()[-1] for m in self.mentions if m.label == "PERSON"
            }
        words = mention.text.split()
        return bool(words) and words[-1] in self._surnames

    def resolve(self, start: int, end: int) -> str | None:
        """The canonical name the speaker mention ``text[start:end]`` refers to, or None."""
        phrase = self.text[start:end]
        words = phrase.split()
        head = words[-1].lower().strip(".,") if words else ""
        # A date or a number names nobody ("the 28-year-old" may hold a DATE).
        inside = [m for m in self.lookup.within(start, end) if m.label not in _NUMERIC]
        inside = [m for m in inside if not object_of_preposition(self.text, start, m.start)]
        named = self._apposed_person(end)
        if named and not inside:
            return named  # "The teen's attorney, John Waldron, said"
        if inside and (titled := self._person_before_title(start)):
            return titled  # "Mark Diffley, Director, Ipsos MORI Scotland said"
        if head in PRONOUNS:
            return self._antecedent(start, PRONOUNS[head], head)
        person = self.person_named(start, end)
        if person:
            return person
        pp = PREPOSITION_IN_PHRASE.search(phrase)
        if pp and phrase[: pp.start()].split()[-1:] and phrase[: pp.start()].split()[-1][:1].islower():
            # "analysts in Nairobi", "a spokesman for the council": the head is before it.
            core = phrase[: pp.start()].split()
            head = core[-1].lower() if core else head
            if head in SPOKES:
                bodies = [m for m in inside if m.start >= start + pp.start() and m.label != "PERSON"]
                return self.names.get(bodies[0].start) if bodies else None
            inside = [m for m in inside if m.end <= start + pp.start()]
            end = start + pp.start()
        if inside and head in PERSON_ROLES and _POSSESSIVE.match(self.text, inside[-1].end):
            # "United's head coach", "the club's manager": a person described by whom they belong
            # to, named with that title before or the last person said to speak, not the owner.
            owner = self.names.get(inside[-1].start)
            person = self.lookup.titled_person(start, head) or self._antecedent(start, "PERSON")
            return person if person != owner else None
        if inside:
            if inside[-1].end == end or head in SPOKES:
                return self.names.get(inside[-1].start)
            # "the American space agency": a description of a body, with a name inside it.
            return self._antecedent(start, "ORG") if head in ORG_NOUNS else None
        first = words[0].lower() if words else ""
        if first == "the" and head in {"latter", "former"} and len(words) == 2:
            return pair_member(self.text, self.mentions, self.names, self.sentence_starts, (start, head))
        if first in INDEFINITE or first in {"i", "we"}:
            return None
        titled = self.lookup.titled_person(start, head)
        if titled is not None:
            return titled
        if self.lookup.introduced_unnamed(start, head):
            return None
        if head in PERSON_ROLES or PERSON_AGE.search(head):
            return self._antecedent(start, "PERSON")
        if head in ORG_NOUNS:
            return self._antecedent(start, "ORG")
        return None

    def _antecedent(self, before: int, label: str, pronoun: str = "") -> str | None:
        """For a person: the last one said to speak within the last 1,500 characters, unless
        another was named after that speaker's sentence; for a body: the last one said to speak;
        else the first entity of the label in the nearest sentence naming one.
        "he" and "she" pass over a person the text calls the other ("Mrs", "her", "his")."""
        wanted = {"he": "m", "she": "f"}.get(pronoun.lower())
        if label == "PERSON":
            salient = self.salient  # sorted by offset: a stretch of it is a slice
            recent = salient[bisect_left(salient, (before - 1_500,)) : bisect_left(salient, (before,))]
            recent = [(at, name) for at, name in recent if self.sexes.of(name) in {None, wanted}]
            # Unless someone else has been named since the last speaker: a new person brought in
            # by the narration is who the next "he" or "she" is about ("Mr Ashby, 74, … backed
            # the peer. ‘…,’ he said"), so the nearest sentence naming one decides.
            if recent and not self._named_since(recent[-1], before, wanted):
                return recent[-1][1]
        else:
            self.salient  # noqa: B018 - finds the organisations said to speak as well
            bodies = self.bodies[
                bisect_left(self.bodies, (before - 1_500,)) : bisect_left(self.bodies, (before,))
            ]
            sentence_start = self.sentence_starts[max(0, bisect_right(self.sentence_starts, before) - 1)]
            if pronoun == "it" and thing_opens_sentence(self.text, sentence_start, before):
                return None  # "The ordinance … forbids what it calls …"
            bodies = bodies if pronoun == "it" else [(at, name) for at, name in bodies if name]
            if bodies:
                return bodies[-1][1] or None  # "NASA said … ‘…,’ it said", "‘…,’ the agency noted"
        labels = {"PERSON"} if label == "PERSON" else {"ORG", "GPE", "NORP"}
        sentence = bisect_right(self.sentence_starts, before) - 1
        for index in range(sentence, max(-1, sentence - 4), -1):
            lo = self.sentence_starts[index] if index >= 0 else 0
            hi = before if index == sentence else self.sentence_starts[index + 1]
            for mention in self.mentions[bisect_right(self.starts, lo - 1) :]:
                if mention.start >= hi:
                    break
                name = self.names.get(mention.start)
                if mention.label == "NORP" and _ATTRIBUTIVE.match(self.text, mention.end):
                    continue  # "Democratic politicians", "Israeli courts": a people's adjective
                if mention.label in labels and (wanted is None or self.sexes.of(name) in {None, wanted}):
                    return name
        return None

    def _named_since(self, speaker: tuple[int, str], before: int, wanted: str | None) -> bool:
        """Whether a person other than ``speaker`` (of the pronoun's sex, when the text says) is
        named after the sentence of the speaker's attribution and before ``before`` (people in
        that sentence are most often what the speaker talked about: "X says Klopp would …")."""
        at, name = speaker
        index = bisect_right(self.sentence_starts, at)
        if index >= len(self.sentence_starts):
            return False
        others = [n for n in self.people_between(self.sentence_starts[index], before) if n and n != name]
        return any(self.sexes.of(n) in {None, wanted} for n in others)

    def gender(self, name: str | None) -> str | None:
        """ "m" or "f" when the text says so of this person, else None (``genders.Genders``)."""
        return self.sexes.of(name)

    def first_person(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The first person named, or pronoun, in ``text[lo:hi]`` that is not a preposition's
        object: the clause's subject when its cue has none of its own ("Gordon Brown, pictured
        …, has warned … and urged ‘…’", "Julia discussed it with Page Six, explaining ‘…’")."""
        found = [(lo + m.start(), lo + m.end()) for m in _PERSON_PRONOUN.finditer(self.text[lo:hi])]
        for mention in self.mentions[bisect_right(self.starts, lo - 1) : bisect_right(self.starts, hi - 1)]:
            if mention.label == "PERSON" or self._lone_surname(mention):
                found.append((mention.start, mention.end))
        # A word of a person's name the model did not take for one here ("Ms Kunis confessed").
        for word in _CAPITALISED.finditer(self.text, lo, hi):
            if word.group() in self.person_words:
                found.append((word.start(), word.end()))
        for start, end in sorted(found, key=lambda span: (span[0], -span[1])):
            previous = self.text[max(lo, start - 12) : start].split()
            if self.text[end : end + 2] in {"'s", "’s"}:
                continue  # "Luna's lawyer, Jim Berry, … added": the owner is not the subject
            if not previous or previous[-1].lower() not in PREPOSITIONS:
                return start, end
        return None

    def _lone_surname(self, mention: EntityMention) -> bool:
        """A lone capitalised word the model called an organisation or nationality, which is as
        often a surname it did not know ("Mertesacker insists")."""
        return mention.label in {"ORG", "NORP"} and " " not in mention.text and not mention.text.isupper()

    def _apposed_person(self, end: int) -> str | None:
        """The person named between commas right after a description, if any."""
        match = re.match(r"\s*,\s*", self.text[end:])
        if not match:
            return None
        at = end + match.end()
        index = bisect_right(self.starts, at - 1)
        if index < len(self.mentions) and self.mentions[index].start == at:
            mention = self.mentions[index]
            if mention.label == "PERSON" and self.text[mention.end : mention.end + 1] == ",":
                return self.names.get(mention.start)
        return None

    def _person_before_title(self, start: int) -> str | None:
        """The person named right before ", <title>, " that ends at ``start``, if any."""
        found = _TITLE_BETWEEN_COMMAS.search(self.text, max(0, start - 80), start)
        if not found:
            return None
        index = bisect_right(self.starts, found.start() - 1) - 1
        mention = self.mentions[index] if index >= 0 else None
        if mention and mention.label == "PERSON" and mention.end == found.start():
            return self.names.get(mention.start)
        return None


def _outside(text: str, start: int, end: int, mentions: list[EntityMention]) -> list[str]:
    """The words of ``text[start:end]`` outside these mentions."""
    kept, at = [], start
    for mention in mentions:
        kept.append(text[at : max(at, mention.start)])
        at = max(at, mention.end)
    kept.append(text[at:end])
    return " ".join(kept).split()
