"""Quotations and their speakers, from the text, its sentences and its entities (no parser).

``extract_quotes`` pairs the quote marks (``quote_marks``), then looks for each quotation's
attribution in this order, each looked for only inside the quotation's own sentence and never
across another quotation:

1. an introduction that ends in a colon right before it ("The teenager then texted Barnes: ‘…’");
2. an attribution right after it ("‘…,’ he said", "‘…,’ said Locke", "‘…,’ according to X");
3. a cue earlier in its sentence, for a quotation inside a reported clause ("Karo claims Ms Kunis
   had been ‘envious’", "He said: ‘…’" when the sentence runs on);
4. the speaker of the quotation before it, when this one is a sentence of its own that follows
   within a sentence or two, or sits in the same sentence ("‘Yes,’ he said, ‘we will.’");

and otherwise has no speaker: a short quoted term is then a ``scare`` quote, as is a quoted name
or title ("‘Doggie’", "“Star Trek”") whoever mentions it. Speakers are resolved to canonical
entities by ``speakers.Resolver``. By default the rules' answer is then one candidate among the
entities named around the quotation and nobody, and a learned model picks (``speaker_choice``);
``speakers="rules"`` keeps the rules' answer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from tasks.extract.after_quote import attribution_after, title_before
from tasks.extract.cue_words import PARTICIPLE_FORMS, PARTICIPLES, PASSIVE
from tasks.extract.speaker_phrases import (
    HONORIFICS,
    PREDICATE_SUBJECT,
    Speaker,
    clause_subject,
    object_of_preposition,
    phrase_after,
    subject_before,
    trim_stop,
)
from tasks.extract.speakers import Resolver
from tasks.extract.unspoken import unspoken
from tasks.models import CanonicalEntity, EntityMention, Quote, Span
from tasks.quote_marks import MARKS, find_quote_spans

if TYPE_CHECKING:
    from tasks.extract.article_facts import ArticleFacts

# A quotation that follows the last one within this many characters may inherit its speaker.
CARRY_OVER_CHARS = 350
# A quotation of at most this many words that is no sentence is a term ("scare" quote).
SCARE_WORDS = 3
_SENTENCE_STOP = re.compile(r"(?<!\b[A-Z])(?<!\bM[rs])(?<!\bMrs)(?<!\bDr)[.!?][’'\"”]?\s+(?=[A-Z‘“'\"])")
# A cue right after "and" or "but" (an adverb between aside) shares the subject of the verb before.
_AND_BEFORE = re.compile(r"\b(?:and|but)\s+(?:(?:also|then|later|has|had|have)\s+)?$", re.IGNORECASE)
# Words that show a person is inside a clause, not opening it ("that the league fined two Acme players").
_NOT_OPENING = {"that", "who", "which", "to", "of", "with", "by", "from", "if", "because", "so"}
_JOINING = {"that", "who", "which", "as", "and", "but", "when", "while"}

# Who chooses each quotation's speaker: the shipped model among the candidates, or the rules alone.
SpeakerChoice = Literal["learned", "rules"]
SPEAKER_CHOICES: tuple[SpeakerChoice, ...] = ("learned", "rules")


@dataclass(slots=True)
class RuledQuotes:
    """The rules' quotations of one article, which rule gave each its speaker, and what they used."""

    quotes: list[Quote]
    rules: list[str]  # per quotation: "title", "and", "attribution", "carry", "before" or "none"
    resolver: Resolver
    starts: list[int]
    names: dict[int, str]
    # What every quotation's speaker features look up in the article, read once when they need it.
    facts: ArticleFacts | None = None


def extract_quotes(
    text: str,
    sentences: list[Span],
    mentions: list[EntityMention],
    entities: list[CanonicalEntity],
    speakers: SpeakerChoice = "learned",
) -> list[Quote]:
    """Every quotation of the text, with its speaker and the canonical entity that speaker is.

    ``speakers``: "rules" keeps the rules' speakers; "learned" lets the shipped speaker model
    choose among the rules' answer and the entities named around each quotation
    (``speaker_choice``); any other value is refused (a misspelt choice is never taken as "rules")."""
    if speakers not in SPEAKER_CHOICES:
        raise ValueError(f"speakers must be one of {SPEAKER_CHOICES}, not {speakers!r}")
    ruled = rule_quotes(text, sentences, mentions, entities)
    if ruled is None:
        return []
    if speakers == "learned":
        from tasks.extract.speaker_choice import choose_speakers

        choose_speakers(text, ruled, entities)
    return ruled.quotes


def rule_quotes(
    text: str, sentences: list[Span], mentions: list[EntityMention], entities: list[CanonicalEntity]
) -> RuledQuotes | None:
    """The quotations with the rules' speakers, and what the rules found on the way."""
    spans = find_quote_spans(text)
    if not spans:
        return None
    starts = [s.start for s in sentences] or [0]
    names = {span.start: entity.name for entity in entities for span in entity.mentions}
    resolver = Resolver(text, mentions, names, starts, spans)
    quotes: list[Quote] = []
    rules: list[str] = []
    last: Quote | None = None
    titles = [unspoken(text, start, end) for start, end in spans]
    floor = 0  # just past the last quotation that is no quoted title
    for index, (start, end) in enumerate(spans):
        opener, closer = _mark_before(text, start), _mark_after(text, end)
        # Attributions are looked for up to the quotations either side (a quoted name aside).
        if index and not titles[index - 1]:
            floor = _mark_after(text, spans[index - 1][1]) + 1
        ceiling = _mark_before(text, spans[index + 1][0]) if index + 1 < len(spans) else len(text)
        words = text[start:end].split()
        quote = Quote.model_construct(text=text[start:end], start=start, end=end, kind="direct")
        rule = "none"
        if titles[index]:
            quote.kind, rule = "scare", "title"
        elif (speaker := _attribution(text, starts, resolver, (opener, closer), (floor, ceiling))) and (
            speaker.start < 0
        ):
            if last is not None and last.speaker is not None:  # "… ‘…’ and said ‘…’"
                _inherit(quote, last)
                quote.cue, rule = speaker.cue, "and"
        elif speaker:
            entity = resolver.resolve(speaker.start, speaker.end)
            _set_speaker(quote, text, speaker, entity)
            resolver.note(max(closer, speaker.end), entity)
            rule = "attribution"
        elif (
            last is not None and last.speaker is not None and _continues(text, starts, resolver, last, quote)
        ):
            _inherit(quote, last)
            rule = "carry"
        elif speaker := _named_before(text, starts, resolver, opener, floor):
            entity = resolver.resolve(speaker.start, speaker.end)
            _set_speaker(quote, text, speaker, entity)
            resolver.note(max(closer, speaker.end), entity)
            rule = "before"
        elif len(words) < 6 or not _sentence_like(words):
            quote.kind = "scare"
        if _is_term(words):
            quote.kind = "scare"  # "posed a ‘serious threat’": a term, whoever the sentence quotes
        quotes.append(quote)
        rules.append(rule)
        last = quote
    return RuledQuotes(quotes, rules, resolver, starts, names)


def quoted_speaker(quotes: list[dict[str, Any]], name: str) -> bool:
    """Whether a published record's quotes hold one by ``name``: its speaker entity or speaker
    mention, case-insensitively, whole words ("rice" finds "Susan Rice", not "Price")."""
    wanted = re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
    return bool(name.strip()) and any(
        wanted.search(quote.get(field) or "") for quote in quotes for field in ("speaker_entity", "speaker")
    )


def _attribution(
    text: str, starts: list[int], resolver: Resolver, marks: tuple[int, int], bounds: tuple[int, int]
) -> Speaker | None:
    """The speaker mention of the quotation between its marks, looked for between ``bounds``
    (the marks of the quotations before and after it)."""
    (opener, closer), (floor, ceiling) = marks, bounds
    lo = max(floor, _sentence_start(starts, opener))
    if not text[lo:opener].strip() and lo > floor:
        # The quotation opens its sentence: an introduction ending in a colon may be the last one.
        before = _sentence_start(starts, lo - 1)
        if text[before:lo].rstrip().endswith(":"):
            lo = max(floor, before)
    # Not past a sentence's end the model missed ("Jamie wrote to Barnes. ‘SHE IS …’").
    for stop in _SENTENCE_STOP.finditer(text, lo, opener + 1):
        lo = stop.end()
    cues = [cue for cue in resolver.cues.find(lo, opener) if not _passive(text, lo, cue)]
    # A cue right before the quotation introduces it ("told her ‘…’, the website states").
    if cues and len(text[cues[-1].end() : opener].split()) <= 8:
        found = _from_cue(text, lo, opener, cues[-1], resolver)
        if found:
            return found
    if not cues and (heading := resolver.person_heading(lo, opener)):
        return Speaker(*heading, "")  # "Widnes coach Denis Betts: ‘…’"
    predicate = PREDICATE_SUBJECT.search(text, lo, opener)
    if predicate:
        return Speaker(predicate.start(), predicate.start() + len(predicate.group().rstrip()), "")
    # A quotation ending in a comma, dash, "?" or "!" may run on into its attribution even where
    # the model cut the sentence ("‘… right?’ Jamie wrote").
    runs_on = text[closer - 1 : closer] in {",", "—", "–", "-", "?", "!"}
    hi = min(ceiling, _sentence_end(text, starts, closer, runs_on))
    after = attribution_after(text, closer + 1, hi, resolver)
    if after is not None and after.cue != "according to":
        return after
    for cue in reversed(cues):
        found = _from_cue(text, lo, opener, cue, resolver)
        if found:
            return found
    return after  # "according to" names a source: the speaker only when no one else is


def _passive(text: str, lo: int, cue: re.Match[str]) -> bool:
    """A cue in the passive ("was asked", "were told"): its subject is spoken to, not speaking."""
    return bool(PARTICIPLE_FORMS.match(cue.group())) and bool(PASSIVE.search(text, lo, cue.start()))


def _named_before(
    text: str, starts: list[int], resolver: Resolver, opener: int, floor: int
) -> Speaker | None:
    """For a quotation that is a sentence of its own, the speaker named in the sentence before
    ("Mr Peters told the court his client was sorry. ‘He did not see it coming.’")."""
    lo = max(floor, _sentence_start(starts, opener))
    if text[lo:opener].strip() or lo <= floor:
        return None
    before = max(floor, _sentence_start(starts, lo - 1))
    cues = [c for c in resolver.cues.find(before, lo) if c.group().lower() != "according to"]
    return _from_cue(text, before, lo, cues[-1], resolver) if cues else None


def _from_cue(text: str, lo: int, hi: int, cue: re.Match[str], resolver: Resolver) -> Speaker | None:
    """The subject of a cue before the quotation (or the phrase after "according to")."""
    start, end, word = cue.start(), cue.end(), cue.group().lower()
    if word == "according to":
        span = phrase_after(text, end, hi)
    elif word in PARTICIPLES and text[lo:start].rstrip().endswith(","):
        # "Julia discussed it with Page Six, explaining …": the clause before the comma first.
        comma = text.rfind(",", lo, start)
        clause = max(lo, text.rfind(",", lo, comma) + 1, text.rfind(".", lo, comma) + 1)
        span = _opening_person(text, resolver, clause, comma)
        if span is None and not clause_subject(text, clause, comma):
            # A clause with no subject of its own ("… said it was ‘strange’ that the league fined
            # two Acme players, adding: ‘…’"): the person opening the sentence, even across a quotation.
            sentence = resolver.sentence_starts[bisect_right(resolver.sentence_starts, lo) - 1]
            span = _opening_person(text, resolver, min(sentence, lo), comma)
        span = span or resolver.first_person(lo, start) or clause_subject(text, lo, start)
    elif _AND_BEFORE.search(text, lo, start):
        # "Kim Lee met the mayor and told him ‘…’": the subject of the verb before "and", the
        # first person of its clause; none in reach, the speaker of the quotation before it
        # ("Kim Lee called it ‘a mess’ and said that …‘…’").
        clause = max(lo, text.rfind(",", lo, start) + 1)
        span = resolver.first_person(clause, start)
        if span and not set(text[clause : span[0]].split()) <= HONORIFICS:
            span = None  # a person inside the clause is no subject ("… that killed Lane but added")
        if span is None and not re.search(r"\w", text[lo:clause]) and not clause_subject(text, clause, start):
            return Speaker(-1, -1, word)
        span = span or resolver.first_person(lo, start) or clause_subject(text, lo, start)
    else:
        span = subject_before(text, lo, start)
        relative = span and re.search(r"\bwho\b", text[span[1] : start])  # "with Ann, who says"
        if span and not relative and object_of_preposition(text, lo, span[0]):
            # "The board reviewing complaints against Acme said": a name after such a preposition
            # is its object; the subject opens the clause.
            span = clause_subject(text, lo, start) or span
        if word in PARTICIPLES and span and resolver.names_a_thing(*span):
            # "Joanne Parker made light of the incident writing: ‘…’": the participle's subject
            # opens its clause; the thing right before it is an object.
            clause = max(lo, text.rfind(",", lo, start) + 1, text.rfind(".", lo, start) + 1)
            span = _opening_person(text, resolver, clause, start) or span
        span = span or resolver.first_person(lo, start) or clause_subject(text, lo, start)
    return Speaker(span[0], span[1], word) if span else None


def _opening_person(text: str, resolver: Resolver, lo: int, hi: int) -> tuple[int, int] | None:
    """The first person of ``text[lo:hi]`` when they open it, after a title at most."""
    span = resolver.first_person(lo, hi)
    opening = text[lo : span[0]] if span else ""
    words = opening.lower().split()
    # A relative or joining word may stand before them ("which Ann discussed", "and Ann Lee").
    if span and (
        (len(words) <= 1 and set(words) <= _JOINING)
        or (title_before(opening) and not set(words) & _NOT_OPENING)
    ):
        return span
    return None


def _set_speaker(quote: Quote, text: str, speaker: Speaker, entity: str | None) -> None:
    start, end = trim_stop(text, (speaker.start, speaker.end)) or (speaker.start, speaker.end)
    speaker = Speaker(start, end, speaker.cue)
    quote.speaker = text[speaker.start : speaker.end]
    quote.speaker_start, quote.speaker_end = speaker.start, speaker.end
    quote.speaker_entity = entity
    quote.cue = speaker.cue or None


def _inherit(quote: Quote, last: Quote) -> None:
    quote.speaker, quote.speaker_entity, quote.cue = last.speaker, last.speaker_entity, last.cue
    quote.speaker_start, quote.speaker_end = last.speaker_start, last.speaker_end


def _continues(text: str, starts: list[int], resolver: Resolver, last: Quote, quote: Quote) -> bool:
    """Whether a quotation without an attribution goes on from the one before: in the same
    sentence, or a sentence of its own soon after, with nobody else named in between."""
    lo = last.end
    if last.speaker_start is not None and last.speaker_start > last.end:
        # The rest of an attribution after the quotation names listeners, not speakers ("‘…,’ a
        # plumber tells reporter Ann Lee. ‘…’"): people are counted from the next sentence on.
        following = bisect_right(starts, last.speaker_end or last.speaker_start)
        lo = min(quote.start, starts[following] if following < len(starts) else quote.start)
    if any(name != last.speaker_entity for name in resolver.people_between(lo, quote.start)):
        return False
    sentence = _sentence_start(starts, quote.start)
    if _sentence_start(starts, last.end) == sentence:
        return True
    # A sentence of its own: no words of the narration before it ("By writing ‘American Pie,’ …").
    lo = max(sentence, last.end + 1)
    for stop in _SENTENCE_STOP.finditer(text, lo, quote.start):
        lo = stop.end()
    opens = not re.search(r"\w", text[lo : _mark_before(text, quote.start)])
    return opens and _sentence_like(quote.text.split()) and quote.start - last.end <= CARRY_OVER_CHARS


def _is_term(words: list[str]) -> bool:
    """A short quoted term: at most three words, not opening or closing a sentence."""
    return 0 < len(words) <= SCARE_WORDS and not _sentence_like(words) and words[-1][-1] not in ".?!…"


def _sentence_like(words: list[str]) -> bool:
    first = words[0].lstrip("(.…[") if words else ""
    return bool(first) and (first[0].isupper() or first[0].isdigit() or words[0].startswith(("...", "…")))


def _sentence_start(starts: list[int], offset: int) -> int:
    return starts[max(0, bisect_right(starts, offset) - 1)]


def _sentence_end(text: str, starts: list[int], offset: int, runs_on: bool) -> int:
    """Where the sentence holding ``offset`` ends (the next sentence's start, or the text's end)."""
    index = bisect_right(starts, offset)
    end = starts[index] if index < len(starts) else len(text)
    if runs_on and end <= offset + 2:
        # The model cut right after the mark ("‘…,’ | he said"), maybe before the last sentence.
        return starts[index + 1] if index + 1 < len(starts) else len(text)
    return end


def _mark_before(text: str, start: int) -> int:
    at = start - 1
    while at > 0 and (text[at].isspace() or (text[at] in MARKS and text[at - 1] in MARKS)):
        at -= 1
    return at


def _mark_after(text: str, end: int) -> int:
    at = end
    while at < len(text) - 1 and text[at].isspace():
        at += 1
    return at
