from __future__ import annotations

import random
import re

import pytest

from tasks.extract.sentences import _ends_a_sentence
from tasks.extract.stage import (
    add_acronym_mentions,
    clean_mentions,
    fix_sentences,
    split_pieces,
    split_sentences_plain,
)


def test_clean_mentions_trims_possessives_articles_and_titles() -> None:
    text = "the White House and Pakistan’s army met General Raheel Sharif."
    raw = [(0, 15, "ORG"), (20, 30, "GPE"), (40, 61, "PERSON")]
    assert [(m.text, m.label) for m in clean_mentions(text, raw)] == [
        ("White House", "ORG"),
        ("Pakistan", "GPE"),
        ("Raheel Sharif", "PERSON"),
    ]


def test_clean_mentions_joins_a_name_split_in_two() -> None:
    text = "Their leader, Hafiz Saeed Khan Orakzai, appeared"
    raw = [(14, 25, "PERSON"), (26, 38, "PERSON")]
    assert [m.text for m in clean_mentions(text, raw)] == ["Hafiz Saeed Khan Orakzai"]


def test_every_mention_offset_points_at_its_text() -> None:
    text = "US National Security Adviser Susan Rice’s visit to Rawalpindi."
    for mention in clean_mentions(text, [(0, 28, "ORG"), (29, 41, "PERSON"), (51, 61, "GPE")]):
        assert text[mention.start : mention.end] == mention.text


def test_add_acronym_mentions_tags_later_uses() -> None:
    text = "the Islamic State (IS) grew. IS fighters and anti-IS slogans."
    base = clean_mentions(text, [(4, 17, "ORG")])
    added = add_acronym_mentions(text, base, {"IS": (4, 17)})
    assert [(m.text, m.start) for m in added] == [("Islamic State", 4), ("IS", 19), ("IS", 29)]


def test_fix_sentences_rejoins_a_split_inside_a_parenthesis_and_respects_paragraphs() -> None:
    text = "He met Chief of Army Staff (COAS) General Sharif. Then he left.\n\nA new paragraph"
    first = text.index("General")
    bounds = [(0, first), (first, 49), (50, 63), (65, len(text))]
    spans = [text[s.start : s.end] for s in fix_sentences(text, bounds)]
    assert spans == [
        "He met Chief of Army Staff (COAS) General Sharif.",
        "Then he left.",
        "A new paragraph",
    ]


def test_split_sentences_plain_needs_no_model() -> None:
    text = "Primeira frase. Segunda frase!\n\nTerceira"
    assert [text[s.start : s.end] for s in split_sentences_plain(text)] == [
        "Primeira frase.",
        "Segunda frase!",
        "Terceira",
    ]


def test_clean_mentions_cuts_an_unclosed_bracket() -> None:
    text = "The World Health Organization (WHO) is expected to review"
    (mention,) = clean_mentions(text, [(4, 34, "ORG")])
    assert mention.text == "World Health Organization"


@pytest.mark.parametrize(
    "text",
    [
        "\n\n".join(f"Paragraph {i} says something about the harbour." for i in range(200)),
        "\n".join(f"Line {i} of a list" for i in range(500)),
        " ".join(f"Sentence {i} ends here." for i in range(400)),
        "word " * 2000,
        "x" * 5000,  # one unbroken run: cut at the limit
        "short",
    ],
)
def test_split_pieces_cuts_within_the_limit_and_joins_back_into_the_text(text: str) -> None:
    pieces = split_pieces(text, 1000)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= 1000 for _, piece in pieces)
    assert all(text[offset : offset + len(piece)] == piece for offset, piece in pieces)


def test_split_pieces_prefers_paragraph_breaks() -> None:
    text = "\n\n".join(f"Paragraph {i}. It has two sentences." for i in range(100))
    pieces = split_pieces(text, 500)
    assert len(pieces) > 1 and all(piece.endswith("\n\n") for _, piece in pieces[:-1])


def test_ends_a_sentence_agrees_with_the_final_punctuation_pattern() -> None:
    pattern = re.compile(r"[.!?…:;][\"'”’)\]]*\s*$")
    rng = random.Random(3)
    alphabet = "ab .!?…:;\"'”’)]([ \t\u00a0\u2003,-"
    for _ in range(20_000):
        piece = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 8)))
        assert _ends_a_sentence(piece) == bool(pattern.search(piece)), repr(piece)
