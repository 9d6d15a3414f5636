"""Sentence filters: what should never be in a summary, recognised from the sentence alone.

Each check is a small pure function on a sentence's text, so each can be tested and reused.
Daily Mail-style texts carry photo captions inline, often without final punctuation: a caption
run into the next sentence is split off first (``tasks.summarise.caption_seams``), and what is left of it
is caught here by its missing final punctuation, its label ("Strictly business: ...") or its
prompt ("Scroll down for video").
"""

from __future__ import annotations

import re

MIN_SENTENCE_WORDS = 6
MIN_LIST_ITEMS = 5
MAX_LIST_ITEM_WORDS = 2

_QUOTES = "\"'“”‘’"
_FINAL = re.compile(r"[.!…][\"'”’)\]]*$")
_PROMPT = re.compile(
    r"""(?:^|\s)(?:click\ here|read\ more|scroll\ down\ for\ (?:video|more)|sign\ up\ (?:for|to)|
        subscribe\ (?:to|now)|share\ this|follow\ us|advertisement|watch\ the\ video|
        download\ the\ app|for\ more\ (?:news|videos|information)\ (?:visit|go\ to|click))""",
    re.IGNORECASE | re.VERBOSE,
)
# "By Jane Doe", "By JANE DOE and John Roe, Science Editor": every word after "By" capitalised.
_BYLINE = re.compile(
    r"""^(?:[Bb]y|BY|Written\ by|Reporting\ by|Words\ by|Photos?\ by)\s+[A-Z][\w.'’-]*
        (?:(?:\s*[,&|]\s*|\s+(?:(?:and|for|of|the|in|at|de|van|von|der|da|al)\s+)?)[A-Z][\w.'’-]*)*
        \s*[.,]?$""",
    re.VERBOSE,
)
MAX_BYLINE_WORDS = 20
_TIMESTAMP = re.compile(r"^(?:updated|published|last\ updated|posted)\b.{0,40}\d", re.IGNORECASE | re.VERBOSE)
_PHOTO_LABEL = re.compile(
    r"^(?:photo|image|picture|pictured|video|gallery|credit|source|caption)s?\b", re.IGNORECASE
)
# "(pictured)", "(left)", "pictured right", "seen here", "above:": a photo is being described.
_CAPTION_WORDS = re.compile(
    r"""\((?:left|right|centre|center|top|bottom|above|below|inset|file\ photo|l-r|r-l|
        [^()]{0,30}\bpictured\b[^()]{0,30})\)|\bpictured\b|\bseen\ here\b|\bshown\ here\b|
        \b(?:above|below|left|right):""",
    re.IGNORECASE | re.VERBOSE,
)
# "Strictly business: Julia ...": a label of one to four words and a colon open a caption.
_LABEL = re.compile(r"^(?P<label>[A-Z][\w'’,!&-]*(?:\s+[\w'’,!&-]+){0,3}):\s+[A-Z‘'\"“]")
_SPEECH = re.compile(
    r"\b(?:said|says|say|saying|told|added|adds|explained|wrote|writes|tweeted|posted|stated|asked|"
    r"replied|warned|insisted|admitted|revealed|claimed|continued|joked|reads?)\b",
    re.IGNORECASE,
)
# A label with a pronoun in it is someone speaking ("He joked:", "Lang put it thus:"), not a caption.
_PRONOUN = re.compile(r"\b(?:he|she|they|i|we|you|it|his|her|their|thus)\b", re.IGNORECASE)
_SCROLL = re.compile(r"\bscroll\ down\b", re.IGNORECASE | re.VERBOSE)
_QUESTION_END = re.compile(r"\?[\"'”’)\]]*$")
_LIST_SEPARATORS = re.compile(r"\s[|•·;/]\s|\s[-–—]\s|,")


def word_count(sentence: str) -> int:
    """The number of white-space separated words."""
    return len(sentence.split())


def is_prompt(sentence: str) -> bool:
    """True for "Click here", "Scroll down for video", "Sign up for ..." and other page prompts."""
    return bool(_PROMPT.search(sentence))


def is_byline(sentence: str) -> bool:
    """True for a byline or a timestamp line ("By Jane Doe", "Updated: 10:31")."""
    stripped = sentence.strip()
    if word_count(stripped) > MAX_BYLINE_WORDS:
        return False
    return bool(_BYLINE.match(stripped) or _TIMESTAMP.match(stripped))


def has_caption_label(sentence: str) -> bool:
    """True when the sentence opens with a short caption label ("Strictly business: Julia ...")."""
    match = _LABEL.match(sentence.strip().lstrip(_QUOTES))
    if not match:
        return False
    label = match.group("label")
    return not (_SPEECH.search(label) or _PRONOUN.search(label))


def is_caption(sentence: str) -> bool:
    """True for a photo caption, or a sentence with one run into it ("Pictured: ...", "Sharp: ...")."""
    stripped = sentence.strip()
    return bool(_PHOTO_LABEL.match(stripped) or has_caption_label(stripped) or _SCROLL.search(stripped))


def has_caption_words(sentence: str) -> bool:
    """True when the sentence describes a photo ("(left)", "pictured", "seen here"): a weaker sign."""
    return bool(_CAPTION_WORDS.search(sentence))


def has_attribution(sentence: str) -> bool:
    """True when the sentence says who is speaking ("said", "told", "added", ...)."""
    return bool(_SPEECH.search(sentence))


def is_question(sentence: str) -> bool:
    """True for a sentence that ends with a question mark (inside closing quotes too)."""
    return bool(_QUESTION_END.search(sentence.strip()))


def quote_share(sentence: str) -> float:
    """The share of the sentence's characters that are inside quotation marks (0 to 1)."""
    inside = 0
    quoting = False
    text = sentence.strip()
    for index, char in enumerate(text):
        if char in "“‘" or (char in "\"'" and _opens(text, index)):
            quoting = True
        elif char in "”’\"'" and quoting and _closes(text, index):
            quoting = False
        elif quoting:
            inside += 1
    return inside / max(1, len(text))


def _opens(text: str, index: int) -> bool:
    after_word = index > 0 and text[index - 1].isalnum()
    return not after_word and index + 1 < len(text) and text[index + 1].isalnum()


def _closes(text: str, index: int) -> bool:
    return index + 1 == len(text) or not text[index + 1].isalnum()


def is_context_less_quote(sentence: str) -> bool:
    """True for a sentence that is all quotation with no speaker: it means little on its own."""
    return quote_share(sentence) > 0.8 and not has_attribution(sentence)


def is_list_like(sentence: str) -> bool:
    """True for a sentence that is mostly a list: five or more items of one or two words each."""
    items = [item for item in _LIST_SEPARATORS.split(sentence) if item.strip()]
    words = sum(word_count(item) for item in items)
    return len(items) >= MIN_LIST_ITEMS and words <= MAX_LIST_ITEM_WORDS * len(items)


def ends_like_a_sentence(sentence: str) -> bool:
    """True when the sentence ends with final punctuation (captions often do not)."""
    return bool(_FINAL.search(sentence.strip()))


def is_summary_worthy(sentence: str) -> bool:
    """False for a sentence that should never be in a summary."""
    return (
        word_count(sentence) >= MIN_SENTENCE_WORDS
        and ends_like_a_sentence(sentence)
        and not is_prompt(sentence)
        and not is_byline(sentence)
        and not is_question(sentence)
        and not is_caption(sentence)
        and not is_context_less_quote(sentence)
        and not is_list_like(sentence)
    )
