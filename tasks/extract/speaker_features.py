"""Speaker candidates for one quotation, and their features, for the learned chooser.

The candidates are the rules' speaker, every person, organisation, nationality or place named (or
a "he"/"she"/"it"/"they" the resolver takes to one) from the sentence before the quotation to the
sentence after it, and nobody. Each gets a few cheap features: where it stands against the
quotation, cue verbs around it, whether the rules chose it and by which rule, what kind of
mention the rules' answer is (a pronoun, a description) and how the candidate fits that, how
often the article names it. ``speaker_choice`` scores them; ``bench/train_speaker_model.py``
trains on them.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tasks.extract.article_facts import ArticleFacts, facts_of
from tasks.extract.cue_words import CUE
from tasks.extract.speaker_phrases import DETERMINERS as _DETERMINERS
from tasks.extract.speaker_phrases import PREPOSITIONS, cues_from
from tasks.models import CanonicalEntity, Quote

if TYPE_CHECKING:
    from tasks.extract.quotes import RuledQuotes

NONE, UNNAMED = "\x00none", "\x00unnamed"
_LABELS = ("PERSON", "ORG", "NORP", "GPE")
_PRONOUN = re.compile(r"\b(?:he|she|He|She|it|It|they|They)\b")
_RULES = ("attribution", "carry", "before", "and")
# At most three words between a cue and the mention after it ("said Locke", "told the paper Ann").
_WORDS_AFTER_CUE = re.compile(r"\s+(?:\w+\s+){0,3}")
# How far either side of a quotation candidates are looked for, at most.
WINDOW_CHARS = 600

FEATURE_NAMES = (
    "is_none",
    "is_unnamed",
    "is_rules",
    *(f"rules_{rule}" for rule in _RULES),
    "rules_after_quote",
    "none_rules_none",
    "none_term",
    "none_short",
    "none_not_sentence",
    "none_colon",
    "none_cue_in_sentence",
    "none_cue_near",
    *(f"label_{label.lower()}" for label in _LABELS),
    "log_count",
    "same_sentence",
    "sentence_before",
    "sentence_after",
    "before_quote",
    "after_quote",
    "log_distance",
    "cue_between",
    "cue_follows",
    "cue_precedes",
    "quote_between",
    "via_pronoun",
    "pronoun_cue",
    "prev_speaker",
    "first_person_in_sentence",
    "nearest_person",
    "after_preposition",
    "possessive",
    "mentions_in_window",
    "person_word_count",
    "rules_pronoun",
    "rules_description",
    "rules_entity_in_window",
    "rules_label_person",
    "last_salient",
    "salient_in_window",
    "opens_sentence",
    "pron_gender_match",
    "pron_gender_clash",
    "pron_x_last_salient",
    "pron_x_opens_sentence",
    "pron_x_sentence_before",
    "desc_x_person",
    "desc_x_sentence_after",
    "desc_x_nearest_person",
    "unnamed_x_org",
    "top_person",
    "count_share",
    "first_person_prev_sentence",
    "pron_x_first_prev",
    "nonerule_x_top_person",
    "nonerule_x_last_salient",
    "nonerule_x_sentence_like",
)
# The features ``_position`` sets: where a mention stands.
_WHERE = {*FEATURE_NAMES[FEATURE_NAMES.index("same_sentence") : FEATURE_NAMES.index("via_pronoun")]}
_WHERE |= {"after_preposition", "possessive"}


@dataclass(slots=True)
class Candidate:
    """One possible speaker of a quotation: an entity's name, or ``NONE`` / ``UNNAMED``."""

    key: str
    entity: str | None
    span: tuple[int, int] | None
    features: dict[str, float] = field(default_factory=dict)

    def vector(self) -> list[float]:
        """The features in ``FEATURE_NAMES`` order."""
        return [self.features.get(name, 0.0) for name in FEATURE_NAMES]


@dataclass(frozen=True, slots=True)
class _Frame:
    """One quotation and the stretch of text its candidates come from."""

    text: str
    ruled: RuledQuotes
    entities: list[CanonicalEntity]
    index: int
    marks: tuple[int, int]  # the opening and closing marks
    sentence: tuple[int, int]  # the quotation's sentence(s)
    window: tuple[int, int]  # from the sentence before to the sentence after
    facts: ArticleFacts

    @property
    def quote(self) -> Quote:
        return self.ruled.quotes[self.index]


def candidates_for(
    text: str, ruled: RuledQuotes, entities: list[CanonicalEntity], index: int
) -> list[Candidate]:
    """The candidates for quotation ``index``, with their features."""
    quote, starts = ruled.quotes[index], ruled.starts
    opener, closer = max(0, quote.start - 1), min(len(text), quote.end + 1)
    first = max(0, bisect_right(starts, opener) - 1)
    last = max(0, bisect_right(starts, closer) - 1)
    sentence = (starts[first], starts[last + 1] if last + 1 < len(starts) else len(text))
    lo = max(starts[max(0, first - 1)], opener - WINDOW_CHARS)
    hi = min(starts[last + 2] if last + 2 < len(starts) else len(text), closer + WINDOW_CHARS)
    facts = facts_of(ruled, entities)
    frame = _Frame(text, ruled, entities, index, (opener, closer), sentence, (lo, hi), facts)
    found: dict[str, Candidate] = {}
    _named(frame, found)
    _pronouns(frame, found)
    for candidate in found.values():
        if candidate.span:
            _position(candidate.features, frame, candidate.span)
    previous = ruled.quotes[index - 1].speaker_entity if index else None
    for candidate in found.values():
        if previous and candidate.entity == previous:
            candidate.features["prev_speaker"] = 1.0
    rules = _rules_answer(frame, found)
    _context(frame, found, rules)
    _nobody(frame, found, rules)
    for candidate in found.values():
        candidate.features.pop("_distance", None)
    return list(found.values())


def _place(frame: _Frame, candidate: Candidate, span: tuple[int, int]) -> None:
    """Keep the candidate's mention nearest the quotation (``_position`` then says where it is)."""
    f = candidate.features
    distance = _distance(*span, *frame.marks)
    if candidate.span is None or distance < f.get("_distance", math.inf):
        candidate.span = span
        f["_distance"] = distance


def _named(frame: _Frame, found: dict[str, Candidate]) -> None:
    """The entities named in the window."""
    resolver, (lo, hi) = frame.ruled.resolver, frame.window
    counts, labels = frame.facts.counts, frame.facts.labels
    found_at = resolver.mentions[
        bisect_right(resolver.starts, lo - 1) : bisect_right(resolver.starts, hi - 1)
    ]
    window = [m for m in found_at if m.label in _LABELS]
    people = [m for m in window if m.label == "PERSON"]
    nearest = min(people, key=lambda m: _distance(m.start, m.end, *frame.marks), default=None)
    in_sentence = [m for m in people if frame.sentence[0] <= m.start < frame.sentence[1]]
    for mention in window:
        name = frame.ruled.names.get(mention.start, mention.text)
        candidate = found.setdefault(name.lower(), Candidate(name.lower(), name, None))
        f = candidate.features
        f["mentions_in_window"] = f.get("mentions_in_window", 0.0) + 1.0
        _place(frame, candidate, (mention.start, mention.end))
        label = labels.get(name, mention.label)
        if label in _LABELS:
            f[f"label_{label.lower()}"] = 1.0
        f["log_count"] = math.log1p(counts.get(name, 1))
        f["person_word_count"] = float(len(name.split())) if label == "PERSON" else 0.0
        if mention is nearest:
            f["nearest_person"] = 1.0
        if in_sentence and mention is in_sentence[0]:
            f["first_person_in_sentence"] = 1.0


def _pronouns(frame: _Frame, found: dict[str, Candidate]) -> None:
    """Whom the pronouns in the quotation's sentence, or before a cue in the window, refer to."""
    text, resolver, facts = frame.text, frame.ruled.resolver, frame.facts
    counts, labels = facts.counts, facts.labels
    for pronoun in _PRONOUN.finditer(text, *frame.window):
        if facts.inside_quote(pronoun.start()):
            continue
        cue_next = CUE.match(text, pronoun.end() + 1) is not None
        if not cue_next and not (frame.sentence[0] <= pronoun.start() < frame.sentence[1]):
            continue
        at = pronoun.span()
        if at not in facts.pronoun_names:
            facts.pronoun_names[at] = resolver.resolve(*at)
        name = facts.pronoun_names[at]
        if not name:
            continue
        candidate = found.setdefault(name.lower(), Candidate(name.lower(), name, None))
        f = candidate.features
        f["via_pronoun"] = 1.0
        f["pronoun_cue"] = max(f.get("pronoun_cue", 0.0), float(cue_next))
        _place(frame, candidate, (pronoun.start(), pronoun.end()))
        label = labels.get(name, "PERSON")
        if label in _LABELS:
            f[f"label_{label.lower()}"] = 1.0
        f["log_count"] = math.log1p(counts.get(name, 1))


def _rules_answer(frame: _Frame, found: dict[str, Candidate]) -> Candidate:
    """The rules' answer: one of the candidates, an unnamed speaker, or nobody."""
    quote, rule = frame.quote, frame.ruled.rules[frame.index]
    span = _pair(quote.speaker_start, quote.speaker_end)
    if quote.speaker_entity:
        key = quote.speaker_entity.lower()
        rules = found.setdefault(key, Candidate(key, quote.speaker_entity, span))
        rules.span = span or rules.span
    elif quote.speaker is not None:
        rules = Candidate(UNNAMED, None, span, {"is_unnamed": 1.0})
        found[UNNAMED] = rules
    else:
        rules = Candidate(NONE, None, None)
    rules.features["is_rules"] = 1.0
    if rules.span and "before_quote" not in rules.features:
        # Not named before the quotation in the window: where the rules' own mention stands.
        for name in _WHERE:
            rules.features.pop(name, None)
        _position(rules.features, frame, rules.span)
    if rule in _RULES:
        rules.features[f"rules_{rule}"] = 1.0
    if quote.speaker_start is not None and quote.speaker_start > quote.end:
        rules.features["rules_after_quote"] = 1.0
    return rules


def _nobody(frame: _Frame, found: dict[str, Candidate], rules: Candidate) -> None:
    """Nobody speaks: with what the quotation and its sentence look like."""
    text, (opener, closer), quote = frame.text, frame.marks, frame.quote
    nobody = found.setdefault(NONE, rules if rules.key == NONE else Candidate(NONE, None, None))
    words = quote.text.split()
    n = nobody.features
    n["is_none"] = 1.0
    n["none_rules_none"] = float(frame.ruled.rules[frame.index] == "none")
    n["none_term"] = float(len(words) <= 3)
    n["none_short"] = float(len(words) < 6)
    n["none_not_sentence"] = float(not words or not (words[0][:1].isupper() or words[0][:1] in "…."))
    n["none_colon"] = float(text[max(0, opener - 3) : opener].rstrip().endswith(":"))
    inside = frame.facts.inside_quote
    cues = [c for c in frame.ruled.resolver.cues.find(*frame.sentence) if not inside(c.start())]
    n["none_cue_in_sentence"] = float(bool(cues))
    n["none_cue_near"] = float(any(opener - 80 <= c.start() <= closer + 40 for c in cues))


def _mention_kind(text: str, span: tuple[int, int] | None) -> tuple[str, bool, bool]:
    """The rules' mention: its first word, whether it is a pronoun, whether a description."""
    words = text[span[0] : span[1]].split() if span else []
    pronoun = len(words) == 1 and words[0].lower() in {"he", "she", "it", "they"}
    description = bool(words) and not pronoun and not any(w[:1].isupper() for w in words[1:])
    description = description and not (words[0][:1].isupper() and words[0].lower() not in _DETERMINERS)
    return (words[0].lower() if words else ""), pronoun, description


def _context(frame: _Frame, found: dict[str, Candidate], rules: Candidate) -> None:
    """Features of the rules' mention (a pronoun, a description) and how each candidate fits it."""
    ruled, quote, opener = frame.ruled, frame.quote, frame.marks[0]
    resolver = ruled.resolver
    first_word, pronoun, description = _mention_kind(frame.text, rules.span)
    r = rules.features
    r["rules_pronoun"] = float(pronoun)
    r["rules_description"] = float(description)
    in_window = rules.entity is not None and "before_quote" in r and "via_pronoun" not in r
    r["rules_entity_in_window"] = float(in_window)
    r["rules_label_person"] = float(bool(r.get("label_person")))
    salient = resolver.salient  # sorted by offset: a stretch of it is a slice
    last = bisect_left(salient, (opener,))
    last_salient = salient[last - 1][1] if last and salient[last - 1][0] >= opener - 1_500 else None
    lo, hi = (bisect_left(salient, (at,)) for at in frame.window)
    spoke = {name for _, name in salient[lo:hi]}
    wanted = {"he": "m", "she": "f"}.get(first_word) if pronoun else None
    facts = frame.facts
    top, total, counts = facts.top_person, facts.person_total, facts.person_counts
    first = bisect_right(ruled.starts, opener) - 1
    prev_first = (
        facts.first_person(resolver, ruled.starts[first - 1], ruled.starts[first]) if first >= 1 else None
    )
    prev_name = ruled.names.get(prev_first[0]) if prev_first else None
    no_rule = quote.speaker is None
    sentence_like = len(quote.text.split()) >= 6 and quote.text[:1].isupper()
    for candidate in found.values():
        if candidate.entity is None:
            continue
        f = candidate.features
        f["top_person"] = float(candidate.entity == top)
        f["count_share"] = counts.get(candidate.entity, 0) / total
        f["first_person_prev_sentence"] = float(candidate.entity == prev_name)
        f["last_salient"] = float(candidate.entity == last_salient)
        f["salient_in_window"] = float(candidate.entity in spoke)
        if no_rule:
            f["nonerule_x_top_person"] = f["top_person"]
            f["nonerule_x_sentence_like"] = float(sentence_like)
            f["nonerule_x_last_salient"] = f["last_salient"]
        if candidate.span:
            before = frame.text[max(0, candidate.span[0] - 3) : candidate.span[0]].strip()
            f["opens_sentence"] = float(
                candidate.span[0] in facts.sentence_starts or before in {".", "’", "'", '"'}
            )
        if candidate is not rules:
            gender = resolver.gender(candidate.entity) if pronoun else None
            _interactions(f, (pronoun, description, rules.key == UNNAMED), wanted, gender)


def _position(f: dict[str, float], frame: _Frame, span: tuple[int, int]) -> None:
    """Where a mention stands against the quotation, and the cue words around it."""
    (start, end), (opener, closer), text = span, frame.marks, frame.text
    sentence = frame.sentence
    before = end <= opener
    f["before_quote" if before else "after_quote"] = 1.0
    if sentence[0] <= start < sentence[1]:
        f["same_sentence"] = 1.0
    else:
        f["sentence_before" if start < sentence[0] else "sentence_after"] = 1.0
    f["log_distance"] = math.log1p(_distance(start, end, opener, closer))
    gap = (end, opener) if before else (closer, start)
    cues = frame.ruled.resolver.cues.spans()
    if any(gap[0] <= s and e <= gap[1] for s, e in cues_from(cues, gap[0], gap[1])):
        f["cue_between"] = 1.0
    if CUE.match(text, end + 1) or CUE.match(text, end):
        f["cue_follows"] = 1.0
    if any(
        e <= start and _WORDS_AFTER_CUE.fullmatch(text, e, start)
        for _, e in cues_from(cues, max(0, start - 40), start)
    ):
        f["cue_precedes"] = 1.0
    if frame.facts.quote_between(*gap):
        f["quote_between"] = 1.0
    previous = text[max(0, start - 12) : start].split()
    if previous and previous[-1].lower() in PREPOSITIONS:
        f["after_preposition"] = 1.0
    if text[end : end + 2] in {"'s", "’s"}:
        f["possessive"] = 1.0


def _distance(start: int, end: int, opener: int, closer: int) -> float:
    if end <= opener:
        return float(opener - end)
    if start >= closer:
        return float(start - closer)
    return 0.0


def _pair(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None and end is not None else None


def _interactions(
    f: dict[str, float], kind: tuple[bool, bool, bool], wanted: str | None, gender: str | None
) -> None:
    """A candidate's features again, for when the rules' mention is a pronoun (of the sex
    ``wanted``), a description, or a speaker left unnamed: the model weighs them apart."""
    pronoun, description, unnamed = kind
    if pronoun:
        f["pron_gender_match"] = float(wanted is not None and gender == wanted)
        f["pron_gender_clash"] = float(wanted is not None and gender is not None and gender != wanted)
        f["pron_x_first_prev"] = f["first_person_prev_sentence"]
        f["pron_x_last_salient"] = f["last_salient"]
        f["pron_x_opens_sentence"] = f.get("opens_sentence", 0.0)
        f["pron_x_sentence_before"] = f.get("sentence_before", 0.0)
    if description or unnamed:
        f["desc_x_person"] = f.get("label_person", 0.0)
        f["desc_x_sentence_after"] = f.get("sentence_after", 0.0)
        f["desc_x_nearest_person"] = f.get("nearest_person", 0.0)
    if unnamed:
        f["unnamed_x_org"] = f.get("label_org", 0.0)
