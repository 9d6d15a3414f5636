"""CueIndex gives what the cue and salient-verb patterns give over any stretch of any text."""

from __future__ import annotations

import re
import string

from hypothesis import given, settings
from hypothesis import strategies as st

from tasks.extract.cue_index import _OPENERS, FOLDS_TO_ASCII, CueIndex
from tasks.extract.cue_words import CUE, SALIENT, find_cues

# Cue words and near misses, in several cases, with what may stand either side of them.
_PIECES = [
    *("said", "Said", "SAID", "saidx", "unsaid", "self-said", "says", "saying", "Says"),
    *("according to", "According", "according", "called on", "calling in", "called", "call"),
    *("fired back", "fired", "hit back", "claims", "reads", "read", "told", "to"),
    *("believes", "spoke", "talked", "thinks", "speaking", "insisted", "the", "x", "'s"),
    *("ſaid", "İnsisted", "ık", "\u212ak", "Saïd", "é"),
    *(" ", "  ", "-", ",", ".", "’", "\n", "_", "3", ":"),
]
_TEXTS = st.lists(st.sampled_from(_PIECES), max_size=24).map("".join)


def _spans(matches: list[re.Match[str]]) -> list[tuple[tuple[int, int], str]]:
    return [(m.span(), m.group()) for m in matches]


@settings(max_examples=1000, deadline=None)
@given(st.data())
def test_a_stretch_gets_what_the_patterns_find_there(data: st.DataObject) -> None:
    text = data.draw(_TEXTS)
    bounds = st.integers(-2, len(text) + 2)
    lo, hi = data.draw(bounds), data.draw(bounds)
    index = CueIndex(text)
    assert _spans(index.cues(lo, hi)) == _spans(list(CUE.finditer(text, lo, hi)))
    assert _spans(index.find(lo, hi)) == _spans(find_cues(text, lo, hi))
    assert _spans(index.salient_verbs(lo, hi)) == _spans(list(SALIENT.finditer(text, lo, hi)))


def test_a_bound_inside_a_word_ends_it_as_finditer_reads_it() -> None:
    text = "Ann saidx it and calledon Bob"
    index = CueIndex(text)
    for hi in range(len(text) + 1):
        assert _spans(index.cues(0, hi)) == _spans(list(CUE.finditer(text, 0, hi)))
        assert _spans(index.salient_verbs(0, hi)) == _spans(list(SALIENT.finditer(text, 0, hi)))
    assert [m.group() for m in index.cues(0, 8)] == ["said"]


def test_the_folded_letters_are_all_that_ignorecase_reads_as_ascii() -> None:
    others = "".join(chr(c) for c in range(128, 0x110000) if not 0xD800 <= c < 0xE000)
    folded = {ch for letter in string.ascii_lowercase for ch in re.findall(f"(?i){letter}", others)}
    assert folded == set(FOLDS_TO_ASCII)


def test_the_index_spans_read_a_folded_letter_as_the_cue_spans_always_did() -> None:
    text = "He ſaid no and said yes."
    assert CueIndex(text).spans() == [(15, 19)]
    assert [m.span() for m in CueIndex(text).cues(0, len(text))] == [(3, 7), (15, 19)]


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_the_index_holds_the_letter_runs_that_open_a_pattern(text: str) -> None:
    runs = re.finditer(r"[A-Za-z]+", text)
    assert CueIndex(text).starts == [run.start() for run in runs if run.group().lower() in _OPENERS]
