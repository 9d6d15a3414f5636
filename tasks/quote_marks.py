"""Quotation spans from quote marks alone: which marks open, which close, which are apostrophes.

Shared by two stages: extract pairs the marks into quotations; clean, putting back the space
between paragraphs glued together ('…plate."School meals…'), asks which side of a glued mark the
space belongs on (``glued_marks``), so that the quotations extract reads afterwards are the ones
the glued text held.

News text mixes straight and curly marks, double and single ones (British papers quote speech in
single marks, so ``’`` is as often an apostrophe as a closing mark), and a quotation that runs
over several paragraphs opens each paragraph again and closes only the last. A mark's role is
read from the characters either side of it (its curl only breaks ties), then a small stack pairs
openers with closers: a second opener of the family already open continues the quotation (the
paragraph rule), an opener of the other family nests, and only outermost quotations are kept.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterator
from itertools import islice

DOUBLE = frozenset('"“”„«»')
SINGLE = frozenset("'‘’‚")
MARKS = DOUBLE | SINGLE
_OPEN_CURLS = frozenset("“„«‘‚")
_CLOSE_CURLS = frozenset("”»’")
# What may stand right before an opening mark besides white space.
_BEFORE_OPENER = frozenset("([{—–-/:;")
# What may stand right after a closing mark besides white space.
_AFTER_CLOSER = frozenset(".,;:!?)]}—–-…")
_DECADE = re.compile(r"\d0s\b")  # '90s
# An unclosed quotation longer than this is more likely a misread apostrophe than speech.
MAX_UNCLOSED = 1_500

OPEN, CLOSE = "open", "close"
_ANY_MARK = re.compile("[\"'‘’“”„«»‚]")


def find_quote_spans(text: str) -> list[tuple[int, int]]:
    """The outermost quotations as ``(start, end)`` offsets of the words between their marks."""
    return _pair_marks(text)[0]


def glued_marks(text: str) -> dict[int, bool]:
    """Every straight mark glued between a sentence's stop and the next one's capital or digit
    ('…plate."School'), by offset: True where it opens a quotation or its next paragraph, False
    where it closes one."""
    return _pair_marks(text)[1]


def _pair_marks(text: str) -> tuple[list[tuple[int, int]], dict[int, bool]]:
    spans: list[tuple[int, int]] = []
    glued: dict[int, bool] = {}
    stack: list[tuple[bool, int]] = []  # (is double, offset of the opening mark)
    previous = 0
    ends = _SentenceEnds(text)
    for match in _ANY_MARK.finditer(text):
        offset, mark = match.start(), match.group()
        double = mark in DOUBLE
        role = _role(text, offset, mark, double, any(d == double for d, _ in stack))
        if role is None:
            continue
        if stack and "\n" in text[previous:offset]:
            stack = _at_paragraph_break(text, stack, previous, (offset, role, double), spans)
        previous = offset
        if _glued(text, offset):
            glued[offset] = role == OPEN
        if role == OPEN:
            if stack and stack[0][0] == double and (end := _lost_close(text, stack[0][1], offset, ends)):
                # The open quotation lost its closing mark (before a caption or a new attribution)
                # and this mark opens the next one.
                _emit(text, stack[0][1] + 1, end, spans, closed=False)
                stack = []
            if not stack or stack[-1][0] != double or not _starts_a_paragraph(text, offset):
                stack.append((double, offset))
            # Else the family already open after a sentence's end: the same quotation's next
            # paragraph (texts that lost their line breaks keep only the marks).
        elif stack and not any(d == double for d, _ in stack) and _closes_other_family(text, offset):
            # "‘I saw it all.” Others …": a closing mark of the wrong family after a sentence.
            _emit(text, stack[0][1] + 1, offset, spans)
            stack = []
        elif any(d == double for d, _ in stack):
            while stack:
                d, start = stack.pop()
                if d == double:
                    break
            if not stack:
                _emit(text, start + 1, offset, spans)
    if stack:
        # Never closed: it ends with the paragraph its last mark is in.
        end = text.find("\n", previous)
        _emit(text, stack[0][1] + 1, len(text) if end == -1 else end, spans, closed=False)
    return spans, glued


def _at_paragraph_break(
    text: str,
    stack: list[tuple[bool, int]],
    previous: int,
    mark: tuple[int, str, bool],
    spans: list[tuple[int, int]],
) -> list[tuple[bool, int]]:
    """An open quotation meets a line break: it goes on only if the next paragraph opens with its
    family's mark; otherwise it ends where its paragraph ends."""
    offset, role, double = mark
    bottom_double, start = stack[0]
    if role == OPEN and double == bottom_double and text[:offset].rstrip(" \t").endswith("\n"):
        return stack
    end = text.find("\n", previous)
    _emit(text, start + 1, end, spans, closed=False)
    return []


def _starts_a_paragraph(text: str, offset: int) -> bool:
    """Whether a mark stands where a paragraph could begin: after a sentence's end or a line break."""
    before = text[max(0, offset - 3) : offset].rstrip()
    return not before or before[-1] in ".?!…:\n" or before[-1] in MARKS


_SENTENCE_END = re.compile(r"[.?!…][’'\"”]?(?=\s+[A-Z0-9‘“'\"])")
_SPACES = re.compile(r"\s*")
# Words between the last sentence of a quotation and the next opening mark that make them a
# caption ("Rescue: A fireman helps the girl 'So …"); words a new quotation must have to be one.
_MIN_GAP_WORDS = 2
_MIN_NEW_WORDS = 4


class _SentenceEnds:
    """The text's sentence ends, found once on first use (a long text with many unclosed
    quotations would otherwise be searched again from each one's start: quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._found: tuple[list[int], list[int], list[int]] | None = None

    def last(self, lo: int, hi: int) -> int | None:
        """Where the last sentence end in ``text[lo:hi]`` ends: the last match of
        ``_SENTENCE_END`` searched in that stretch alone, whose look-ahead must end before ``hi``."""
        if self._found is None:
            nexts, starts, ends = [], [], []
            for match in _SENTENCE_END.finditer(self.text):
                # The look-ahead's capital or mark: the match holds within ``hi`` if it is before.
                nexts.append(_SPACES.match(self.text, match.end()).end())  # type: ignore[union-attr]
                starts.append(match.start())
                ends.append(match.end())
            self._found = nexts, starts, ends
        nexts, starts, ends = self._found
        index = bisect_left(nexts, hi) - 1
        return ends[index] if index >= 0 and starts[index] >= lo else None


def _lost_close(text: str, start: int, offset: int, sentence_ends: _SentenceEnds) -> int | None:
    """Where the quotation opened at ``start`` ends when its closing mark was lost before a
    caption, judged from the opening mark of the same family at ``offset``; None when that mark
    is a nesting or opens the same quotation's next paragraph.

    Captions the texts kept glued between paragraphs end without a stop, so the next paragraph's
    opening mark follows a word ("… by her neck 'So a bunch of us …"), where a nested quotation
    follows a comma or a colon ("I said, 'Sorry …'"). The open quotation then ends with its last
    sentence before the caption, unless the new quotation is a short term ("called it 'rubbish'
    and") or a closing mark of the family follows its own (a nesting after all).
    """
    if not _after_glued_caption(text, offset):
        return None
    last = sentence_ends.last(start + 1, offset)
    if last is None or len(text[last:offset].split()) < _MIN_GAP_WORDS or text[last - 1] in MARKS:
        return None
    double = text[offset] in DOUBLE
    if [role for _, role in islice(_marks_ahead(text, offset + 1, double), 2)] == [CLOSE, CLOSE]:
        return None
    closing = next((at for at, role in _marks_ahead(text, offset + 1, double) if role == CLOSE), None)
    if closing is not None and len(text[offset + 1 : closing].split()) < _MIN_NEW_WORDS:
        return None
    return last


def _after_glued_caption(text: str, offset: int) -> bool:
    """Whether the opening mark at ``offset`` follows a word with no stop or comma between: the end
    of a photo caption glued to the next paragraph ("… by her neck 'So a bunch of us …")."""
    before = text[max(0, offset - 40) : offset].rstrip(" \t")
    return bool(before) and before[-1].isalnum()


def _marks_ahead(text: str, offset: int, double: bool) -> Iterator[tuple[int, str]]:
    """The offset and role of each mark of a family after ``offset`` (apostrophes skipped), read as
    if that family were open."""
    for match in _ANY_MARK.finditer(text, offset, min(len(text), offset + MAX_UNCLOSED)):
        if (match.group() in DOUBLE) == double:
            role = _role(text, match.start(), match.group(), double, True)
            if role is not None:
                yield match.start(), role


def _closes_other_family(text: str, offset: int) -> bool:
    """A mark right after a sentence's last stop, followed by a space: a closing mark, whatever
    its family."""
    before = text[offset - 1] if offset else " "
    after = text[offset + 1] if offset + 1 < len(text) else " "
    return before in ".?!" and after.isspace()


def _emit(text: str, start: int, end: int, spans: list[tuple[int, int]], closed: bool = True) -> None:
    while start < end and (text[start].isspace() or text[start] in MARKS):
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start and (closed or end - start <= MAX_UNCLOSED):
        spans.append((start, end))


def _role(text: str, offset: int, mark: str, double: bool, family_open: bool) -> str | None:
    """OPEN, CLOSE or None (an apostrophe or a stray mark), from the characters around the mark."""
    before = text[offset - 1] if offset else " "
    after = text[offset + 1] if offset + 1 < len(text) else " "
    if not double:
        if before.isalnum() and after.isalpha():
            return None  # it's, O’Hara, Jr.'s
        if before.isspace() and _DECADE.match(text, offset + 1):
            return None
        # "the players’ union" (a plural possessive) or "called them ‘hopeless’ and left":
        # inside an open quotation it closes only if the next single mark does not.
        if (
            before in "sS"
            and after == " "
            and _next_word_is_lower(text, offset + 2)
            and (not family_open or _next_single_closes(text, offset + 1))
        ):
            return None
    space_before = before.isspace() or before in _BEFORE_OPENER or before in MARKS
    space_after = after.isspace() or after in _AFTER_CLOSER or after in MARKS
    if space_before and not space_after:
        return OPEN
    if space_after and not space_before:
        return CLOSE
    if space_before and space_after:
        # Loose on both sides ("said, ' I am"; "skills.'' Deputy"): close what is open, else open.
        if family_open:
            return CLOSE
        return OPEN if after not in _AFTER_CLOSER and before not in MARKS else None
    # Tight on both sides ("smiling:’It" was caught above; "end.’But"): trust the curl.
    if mark in _OPEN_CURLS:
        return OPEN
    if mark in _CLOSE_CURLS:
        return CLOSE
    if _glued(text, offset):
        # A straight mark between a sentence's stop and the next one's capital: paragraphs glued
        # together without a space ('… by everyone."Is my science …'). With nothing open it opens
        # the next paragraph; with its family open it closes the quotation, or opens the same
        # quotation's next paragraph (which closes only its last).
        return OPEN if not family_open or _glued_mark_continues(text, offset, double) else CLOSE
    return CLOSE if family_open else None


def _glued(text: str, offset: int) -> bool:
    """A straight mark tight between a sentence's stop and the next one's capital or digit."""
    if text[offset] in _OPEN_CURLS or text[offset] in _CLOSE_CURLS or not 0 < offset < len(text) - 1:
        return False
    after = text[offset + 1]
    return text[offset - 1] in ".?!…" and (after.isupper() or after.isdigit())


# An attribution in the third person: the paragraph after a glued mark that holds one is narration.
_NARRATION_CUE = re.compile(
    r"(?<!\bI )(?<!\bwe )(?<!\bWe )(?<!\byou )\b(?:said|says|told|tells|added|adds|according to)\b"
)


def _glued_mark_continues(text: str, offset: int, double: bool) -> bool:
    """Whether a glued mark (``_glued``) met while its family is open opens the open quotation's
    next paragraph rather than closing it.

    A quotation running over paragraphs leaves each but the last unclosed and opens the next with
    a mark, so in glued text one mark stands between two paragraphs either way. Read from what
    follows in the same line: the paragraph after it is the quotation's when the next mark of the
    family closes or is glued in turn, and no third-person attribution ("Officials said …")
    stands before it; it is narration when the next mark opens (it introduces the next quotation,
    "Mumsnet's co-founder said: “…"), or when no mark follows (a quotation closes its last
    paragraph).
    """
    line_end = text.find("\n", offset)
    line_end = len(text) if line_end == -1 else line_end
    for match in _ANY_MARK.finditer(text, offset + 1, min(line_end, offset + MAX_UNCLOSED)):
        at, mark = match.start(), match.group()
        if (mark in DOUBLE) != double:
            continue
        if not _glued(text, at):
            role = _role(text, at, mark, double, True)
            if role is None:
                continue
            if role == OPEN:
                return False
        return _NARRATION_CUE.search(text, offset + 1, at) is None
    return False


def _next_word_is_lower(text: str, offset: int) -> bool:
    return offset < len(text) and text[offset].islower()


_SINGLE_MARK = re.compile("['‘’‚]")


def _next_single_closes(text: str, offset: int) -> bool:
    """Whether the next single mark in this paragraph (apostrophes inside words skipped) is
    tight against the word before it, as a closing mark is."""
    for match in _SINGLE_MARK.finditer(text, offset, min(len(text), offset + MAX_UNCLOSED)):
        at = match.start()
        before = text[at - 1]
        after = text[at + 1] if at + 1 < len(text) else " "
        if before.isalnum() and after.isalpha():
            continue
        if before in "sS" and after == " " and _next_word_is_lower(text, at + 2):
            continue  # as ambiguous as the mark asked about ("the players' union")
        return not (before.isspace() or before in _BEFORE_OPENER)
    return False


def inside_quote(spans: list[tuple[int, int]], starts: list[int], offset: int) -> bool:
    """Whether ``offset`` falls inside one of the quotation ``spans`` (``starts``: their starts)."""
    index = bisect_right(starts, offset) - 1
    return index >= 0 and offset < spans[index][1]


def outside_quotes(spans: list[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """The stretches of text outside the quotations."""
    out, at = [], 0
    for start, end in spans:
        out.append((at, max(at, start - 1)))
        at = end + 1
    out.append((at, length))
    return out
