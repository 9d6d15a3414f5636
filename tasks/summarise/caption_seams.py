"""Caption seams: where a photo caption runs into a sentence, split the two apart.

Daily Mail-style texts carry captions inline with no final punctuation, so the extract stage's
sentences can hold a caption and the sentence after it as one ("... has denied four counts of
sexual assault A senior doctor facing ..."). The summariser wants the real sentence without
the caption, so it splits such a span where a new sentence plainly starts mid-sentence:

* after "Scroll down for video";
* before a capitalised sentence opener ("A", "The", "He", "But", ...) followed by a lower-case
  word, straight after a lower-case word: mid-sentence, these words are never capitalised;
* before an opening quote of five words or more straight after a word that does not introduce
  speech ("... on Friday ‘I’d be over the moon to get it,’ said Locke").

Every piece is still a stretch of the cleaned text, by offsets; nothing is rewritten.
"""

from __future__ import annotations

import re
from itertools import pairwise

_OPENER_SEAM = re.compile(
    r"(?<=[a-z0-9)’'\"”])\s+"
    r"(?=(?P<opener>A|An|The|He|She|It|They|We|But|And|His|Her|Their|This|These|In|On|At|After|When|While)"
    r"\s+[a-z0-9])"
)
_QUOTE_SEAM = re.compile(r"(?<=[a-z0-9)])\s+(?=[‘“][A-Z])")
# A sentence end the sentence splitter missed: final punctuation (and a closing quote), then a
# capitalised word or an opening quote, often with no space at all ("... community.Dr Venter").
_MISSED_END = re.compile(r"(?<=[a-z0-9%)][.!?])[\"'’”]?\s*(?=[\"'‘“]?[A-Z])")
_ABBREVIATION = re.compile(
    r"(?:^|\s)(?:Mr|Mrs|Ms|Dr|St|No|Gov|Sen|Rep|Gen|Col|Lt|Sgt|Capt|Prof|Jr|Sr|Inc|Ltd|Co|Corp|vs|etc|"
    r"approx|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|[A-Z][A-Za-z]{0,2}|[a-z]|(?:[A-Za-z]\.)+[A-Za-z])"
    r"[.!?]$"
)
_SCROLL = re.compile(r"^\s*scroll\s+down\s+for\s+(?:videos?|more)\b\s*", re.IGNORECASE)
_INTRODUCES_SPEECH = re.compile(
    r"(?:said|says|say|added|adds|told|explained|wrote|insisted|admitted|revealed|claimed|warned|"
    r"saying|replied|called|dubbed|named|titled|entitled|as|of|the|a|an|and|or|[:,(])$",
    re.IGNORECASE,
)
_CLOSING_QUOTE = re.compile(r"[’”](?![^\W_])")  # not the apostrophe of "I’d"
MIN_QUOTE_WORDS = 5
# A cut must leave a sentence-sized piece after it ("infra-red A rays, too." is not a seam), and
# an "A" followed by a function word is a letter or a name ("help Nurse A with her"), not one.
MIN_WORDS_AFTER = 6
_FUNCTION_WORDS = frozenset(
    ["with", "and", "or", "of", "in", "to", "on", "at", "for", "from", "by", "was", "is", "were",
     "are", "had", "has", "have", "who", "which", "that", "as", "than"]
)  # fmt: skip


def seam_offsets(sentence: str) -> list[int]:
    """Offsets inside ``sentence`` where a caption ends and a new sentence starts."""
    cuts: set[int] = set()
    scroll = _SCROLL.match(sentence)
    if scroll and scroll.end() < len(sentence):
        cuts.add(scroll.end())
    for match in _MISSED_END.finditer(sentence):
        if not _ABBREVIATION.search(sentence[: match.start()]):
            cuts.add(match.end())
    for match in _OPENER_SEAM.finditer(sentence):
        after = sentence[match.end() :].split()
        letter = match.group("opener") == "A" and after[1].strip(",;") in _FUNCTION_WORDS
        if len(after) >= MIN_WORDS_AFTER and not letter:
            cuts.add(match.end())
    for match in _QUOTE_SEAM.finditer(sentence):
        before = sentence[: match.start()].split()
        if not before or _INTRODUCES_SPEECH.search(before[-1]):
            continue
        quoted = sentence[match.end() + 1 :]
        closing = _CLOSING_QUOTE.search(quoted)
        if len((quoted[: closing.start()] if closing else quoted).split()) >= MIN_QUOTE_WORDS:
            cuts.add(match.end())
    return sorted(cut for cut in cuts if 0 < cut < len(sentence))


def split_caption_seams(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans with every caption seam split, each piece trimmed of surrounding white space."""
    pieces: list[tuple[int, int]] = []
    for start, end in spans:
        bounds = [start, *(start + cut for cut in seam_offsets(text[start:end])), end]
        for left, right in pairwise(bounds):
            piece_start, piece_end = left, right
            while piece_start < piece_end and text[piece_start].isspace():
                piece_start += 1
            while piece_end > piece_start and text[piece_end - 1].isspace():
                piece_end -= 1
            if piece_end > piece_start:
                pieces.append((piece_start, piece_end))
    return pieces
