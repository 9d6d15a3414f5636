"""Who said a quotation: the attribution next to it and the entity its speaker names.

No parser runs in the extract stage (STACK.md: it would halve its speed), so attribution is read
from the words around the quote: a cue verb ("said", "told", "added", "according to" …) and the
noun phrase that is its subject ("Mr Peters revealed", "said Locke", "He told the court:").
A noun phrase is walked back from the cue over capitalised words and a description's words to its
determiner, skipping an aside between commas ("Locke, who was crestfallen …, added").

The speaker is then resolved to a canonical entity: directly when a named entity ends the phrase
(or the phrase is a spokesman for one); through a pronoun to the first person (or, for "it" and
"they", organisation) named in the nearest sentence before it; through a definite description
("the former prime minister", "the 28-year-old", "the agency") to the person whose title it
repeats, else as a pronoun would be; never for an unnamed "a senior official" or a document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from tasks.models import EntityMention

CUES = (
    "according to|said|says|say|saying|told|tells|tell|telling|added|adds|adding|explained|explains|"
    "explaining|wrote|writes|insisted|insists|claimed|claims|claiming|alleged|alleges|stated|states|"
    "revealed|reveals|admitted|admits|admitting|warned|warns|noted|notes|asked|asks|replied|replies|"
    "continued|continues|recalled|joked|texted|tweeted|posted|reads|read|described|describes|urged|"
    "urges|announced|confirmed|confirms|argued|argues|commented|declared|acknowledged|conceded|"
    "suggested|predicted|promised|promising|recommended|called|calling|branded|quoted|testified|"
    "reported|reports|texting|describe|describing|replying|insisting|warning|writing|call"
)
CUE = re.compile(rf"(?<![\w-])(?:{CUES})(?![\w-])", re.IGNORECASE)
# Cues whose subject is the clause's, not the word before them ("…, saying:", "…, adding").
PARTICIPLES = {
    "saying",
    "adding",
    "explaining",
    "claiming",
    "admitting",
    "telling",
    "insisting",
    "warning",
    "writing",
    "replying",
    "calling",
    "describing",
    "texting",
    "promising",
}
# Verbs that make their subject the person a later "he" or "she" most likely means.
SALIENT = re.compile(
    rf"(?<![\w-])(?:{CUES}|believes|believed|thinks|insisted|talked|spoke|speaking)(?![\w-])"
)
_WORD = re.compile(r"[\w][\w'’.&-]*|[^\w\s]")
PRONOUNS = {"he": "PERSON", "she": "PERSON", "it": "ORG", "they": "ORG"}
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "this", "another", "one"}
_INDEFINITE = {"a", "an", "one", "another", "some"}
_STOP = {
    "and", "but", "that", "when", "while", "as", "after", "before", "because", "if", "who", "which",
    "where", "so", "then", "also", "to", "in", "on", "at", "for", "with", "from", "by", "of",
    "is", "was", "are", "were", "be", "been", "being", "not", "sometimes", "it", "there",
}  # fmt: skip
# Words between a subject and its cue that are not part of the subject ("he then added").
_SKIPPABLE = {
    "also", "then", "later", "further", "previously", "reportedly", "allegedly", "has", "had",
    "have", "would", "will", "once", "again", "simply", "just", "recently", "quickly", "finally",
}  # fmt: skip
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
_PERSON_AGE = re.compile(r"\d+-year-old$")
_APPOSITIVE_MAX = 120
_HONORIFICS = {"Mr", "Mrs", "Ms", "Miss", "Dr", "Mr.", "Mrs.", "Ms.", "Dr.", "Sir", "Lord", "Lady"}
_PREPOSITIONS = {
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


def subject_before(text: str, lo: int, cue_start: int) -> tuple[int, int] | None:
    """The noun phrase that ends right before a cue (its subject), within ``text[lo:cue_start]``."""
    words = [(m.start() + lo, m.end() + lo, m.group()) for m in _WORD.finditer(text[lo:cue_start])]
    while words and words[-1][2].lower() in _SKIPPABLE:
        words.pop()
    if words and words[-1][2].lower() in {"who", "which", "as"}:
        words.pop()  # "a singer who claims", "quoted Mr X as saying"
    if words and words[-1][2] in {",", "–", "—"} and lo < words[-1][0]:
        words = _without_aside(words)
    if words and words[-1][2] == ")":  # "Mr Hanson (pictured) said"
        opening = max((i for i, w in enumerate(words) if w[2] == "("), default=None)
        words = words[:opening] if opening is not None else words
    return _phrase_back(words)


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
            if not (token[0].isupper() or lower in _DETERMINERS):
                return None
            if lower in _STOP or lower in {"when", "after", "but", "and", "as", "if", "while"}:
                return None
        elif (
            not re.match(r"\w", token)
            or lower in _STOP
            or lower in _SKIPPABLE
            or CUE.fullmatch(token)
            or (
                token[0].islower()
                and text[taken[-1][0]].isupper()
                and text[taken[-1][0] : taken[-1][1]].lower() not in _DETERMINERS
            )
            or len(taken) >= 6
        ):
            break
        taken.append((match.start(), match.end()))
    return (taken[0][0], taken[-1][1]) if taken else None


def _without_aside(words: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The words before an aside set off by commas ("Locke, who was …, added" → "Locke")."""
    commas = [i for i, w in enumerate(words[:-1]) if w[2] == words[-1][2]]
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
    for word in reversed(words):
        token = word[2]
        lower = token.lower()
        if not re.match(r"\w", token) or len(taken) >= 8:
            break
        if lower in _DETERMINERS or (token.endswith(("'s", "’s")) and taken):
            taken.append(word)
            break
        if lower in _STOP or lower in _SKIPPABLE or (lower.endswith("ly") and len(lower) > 4):
            break
        if token[0].isupper() or token[0].isdigit():
            capitalised = True
        elif capitalised:
            break  # "Police spokesman | Major Thulani Zwane": the name is the speaker
        taken.append(word)
    if not taken:
        return None
    return taken[-1][0], taken[0][1]


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
        # Names inside quotations are what was said, not who said it.
        self.mentions = [m for m in mentions if not any(s <= m.start < e for s, e in quoted)]
        self.starts = [m.start for m in self.mentions]
        self.salient: list[tuple[int, str]] = []  # (offset, person) of each person said to speak
        for lo, hi in _between(quoted, len(text)):
            for verb in SALIENT.finditer(text, lo, hi):
                span = subject_before(text, max(lo, verb.start() - 200), verb.start())
                person = self.person_named(span[0], span[1]) if span else None
                if person:
                    self.salient.append((verb.start(), person))

    def note(self, offset: int, entity: str | None, label: str | None) -> None:
        """Remember a quotation's resolved speaker: "he" in the next attribution is likely them."""
        if entity and label in {"PERSON", None}:
            self.salient.append((offset, entity))
            self.salient.sort()

    def people_between(self, lo: int, hi: int) -> list[str]:
        """The canonical names of the people named in ``text[lo:hi]``."""
        found = self.mentions[bisect_right(self.starts, lo - 1) : bisect_right(self.starts, hi - 1)]
        return [self.names.get(m.start, m.text) for m in found if m.label == "PERSON"]

    def label_of(self, name: str | None) -> str | None:
        """The label of the entity with this canonical name, if any mention carries it."""
        for mention in self.mentions:
            if self.names.get(mention.start) == name:
                return mention.label
        return None

    def person_named(self, start: int, end: int) -> str | None:
        """The person a phrase names: a person entity in it, a person entity whose name holds
        its capitalised words ("Julia"), or, when the model missed the name altogether, the
        fullest form the text gives it ("Mertesacker" → "Per Mertesacker")."""
        people = [m for m in self.mentions if start <= m.start and m.end <= end and m.label == "PERSON"]
        if people:
            return self.names.get(people[-1].start)
        words = self.text[start:end].split()
        named = self._by_name(start, words, {"PERSON"})
        if named:
            return named
        return (
            self._fullest_name(words)
            if any(m.start < end and start < m.end for m in self.mentions) is False
            else None
        )

    def _fullest_name(self, words: list[str]) -> str | None:
        """A capitalised name with no entity: its longest form in the text (up to three words)."""
        words = [w.strip(",.") for w in words if w.strip(",.") not in _HONORIFICS]
        if not words or not all(w[:1].isupper() and w.lower() not in _DETERMINERS for w in words):
            return None
        if len(words) > 3 or words[0].lower() in PRONOUNS:
            return None
        pattern = r"(?:[A-Z][\w'’-]+ ){0,2}" + re.escape(" ".join(words)) + r"\b"
        forms = [m.group() for m in re.finditer(pattern, self.text)]
        forms = [
            " ".join(w for w in f.split() if w not in _HONORIFICS and w.lower() not in _DETERMINERS)
            for f in forms
        ]
        return max(forms, key=len, default=" ".join(words))

    def resolve(self, start: int, end: int) -> str | None:
        """The canonical name the speaker mention ``text[start:end]`` refers to, or None."""
        phrase = self.text[start:end]
        words = phrase.split()
        head = words[-1].lower().strip(".,") if words else ""
        inside = [m for m in self.mentions if start <= m.start and m.end <= end]
        named = self._apposed_person(end)
        if named and not inside:
            return named  # "The teen's attorney, John Waldron, said"
        if head in PRONOUNS:
            return self._antecedent(start, PRONOUNS[head])
        person = self.person_named(start, end)
        if person:
            return person
        if inside:
            if inside[-1].end == end or head in SPOKES:
                return self.names.get(inside[-1].start)
            return None
        first = words[0].lower() if words else ""
        if first in _INDEFINITE or first in {"i", "we"}:
            return None
        titled = self._titled_person(start, head)
        if titled is not None:
            return titled
        if self._introduced_unnamed(start, head):
            return None
        if head in PERSON_ROLES or _PERSON_AGE.search(head):
            return self._antecedent(start, "PERSON")
        if head in ORG_NOUNS:
            return self._antecedent(start, "ORG")
        return None

    def _antecedent(self, before: int, label: str) -> str | None:
        """For a person: the last one said to speak within the last 1,500 characters; else (and
        for organisations) the first entity of the label in the nearest sentence naming one."""
        if label == "PERSON":
            recent = [name for offset, name in self.salient if before - 1_500 <= offset < before]
            if recent:
                return recent[-1]
        labels = {"PERSON"} if label == "PERSON" else {"ORG", "GPE", "NORP"}
        sentence = bisect_right(self.sentence_starts, before) - 1
        for index in range(sentence, max(-1, sentence - 4), -1):
            lo = self.sentence_starts[index] if index >= 0 else 0
            hi = before if index == sentence else self.sentence_starts[index + 1]
            for mention in self.mentions[bisect_right(self.starts, lo - 1) :]:
                if mention.start >= hi:
                    break
                if mention.label in labels:
                    return self.names.get(mention.start)
        return None

    def _by_name(self, before: int, words: list[str], labels: set[str]) -> str | None:
        """The entity of these labels, named before, whose name holds a capitalised word of the
        phrase ("Julia" for Julia Louis-Dreyfus, when the model did not take it for a name)."""
        wanted = {w.strip(".,'’s") for w in words if w[:1].isupper() and w.lower() not in _DETERMINERS}
        wanted -= {"Mr", "Mrs", "Ms", "Dr", "Sir", "Lord", "Lady", "The"}
        if not wanted:
            return None
        for mention in reversed(self.mentions[: bisect_right(self.starts, before)]):
            name = self.names.get(mention.start)
            if name and mention.label in labels and wanted & set(name.replace("-", " ").split()):
                return name
        return None

    def nearest_candidate(self, lo: int, hi: int) -> tuple[int, int] | None:
        """The person named, or the pronoun, closest before ``hi`` in ``text[lo:hi]`` that is not
        a preposition's object ("Julia also discussed it with Page Six, explaining …")."""
        found: list[tuple[int, int]] = []
        for match in re.finditer(r"\b(?:he|she|they|He|She|They)\b", self.text[lo:hi]):
            found.append((lo + match.start(), lo + match.end()))
        for mention in self.mentions[bisect_right(self.starts, lo - 1) : bisect_right(self.starts, hi - 1)]:
            if mention.label in {"PERSON", "ORG"}:
                found.append((mention.start, mention.end))
        for start, end in sorted(found, reverse=True):
            previous = self.text[max(lo, start - 12) : start].split()
            if not previous or previous[-1].lower() not in _PREPOSITIONS:
                return start, end
        return None

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

    def _titled_person(self, before: int, head: str) -> str | None:
        """The person most recently named with this title before their name ("NASA chief
        scientist Ellen Stofan" for "the scientist")."""
        if not head.isalpha() or head in _DETERMINERS:
            return None
        for mention in reversed(self.mentions[: bisect_right(self.starts, before)]):
            if mention.label != "PERSON":
                continue
            words = self.text[max(0, mention.start - 40) : mention.start].lower().split()[-3:]
            if head in (w.strip(",") for w in words):
                return self.names.get(mention.start)
        return None

    def _introduced_unnamed(self, before: int, head: str) -> bool:
        """Whether "a … <head>" introduced someone unnamed earlier ("a top government official")."""
        pattern = rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}{re.escape(head)}\b"
        return re.search(pattern, self.text[:before], re.IGNORECASE) is not None


def _between(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of text outside the quotations."""
    out, at = [], 0
    for start, end in spans:
        out.append((at, max(at, start - 1)))
        at = end + 1
    out.append((at, length))
    return out
