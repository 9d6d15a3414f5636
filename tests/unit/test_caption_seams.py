from __future__ import annotations

import pytest

from tasks.summarise.caption_seams import seam_offsets, split_caption_seams


def pieces(sentence: str) -> list[str]:
    spans = split_caption_seams(sentence, [(0, len(sentence))])
    return [sentence[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        (
            "Accused: The mayor of Newtown, 58, has denied the charges A council leader who built a"
            " bridge with public money is accused of keeping the change.",
            [
                "Accused: The mayor of Newtown, 58, has denied the charges",
                "A council leader who built a bridge with public money is accused of keeping the change.",
            ],
        ),
        (
            "The mayor cuts the ribbon on the new bridge The opening drew a crowd of several thousand"
            " people from across the county.",
            [
                "The mayor cuts the ribbon on the new bridge",
                "The opening drew a crowd of several thousand people from across the county.",
            ],
        ),
        (
            "The mayor was all smiles on the day of the opening ‘I have waited ten long years for this"
            " day,’ she said at the ceremony.",
            [
                "The mayor was all smiles on the day of the opening",
                "‘I have waited ten long years for this day,’ she said at the ceremony.",
            ],
        ),
        (
            "Scroll down for video The bridge opened on Tuesday after three years of building work.",
            ["Scroll down for video", "The bridge opened on Tuesday after three years of building work."],
        ),
        (
            "The council said the bridge had opened.The first cars crossed it at noon on Tuesday.",
            ["The council said the bridge had opened.", "The first cars crossed it at noon on Tuesday."],
        ),
        (
            "The council confirmed it on Tuesday. 'We are delighted with the result,' said the leader.",
            ["The council confirmed it on Tuesday.", "'We are delighted with the result,' said the leader."],
        ),
    ],
)
def test_split_caption_seams_splits_a_caption_from_the_sentence_it_ran_into(
    sentence: str, expected: list[str]
) -> None:
    assert pieces(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Mr. Smith met Dr. Jones and Army Spc. Brown at the U.S. embassy on Tuesday.",
        "Prosecutors said he offered to help Nurse A with her training that winter.",
        "Sun creams now claim to block infra-red A rays, too.",
        "The film, dubbed ‘The Great Bridge Escape’, opens in cinemas next week.",
        "The leader said ‘This is a great day for everyone who lives in the town,’ and left.",
        "It cost 2.5 million pounds and works at Example.com were delayed.",
        "The band played The Boys Are Back in Town as the mayor crossed the bridge.",
    ],
)
def test_split_caption_seams_leaves_ordinary_sentences_whole(sentence: str) -> None:
    assert seam_offsets(sentence) == []
    assert pieces(sentence) == [sentence]


def test_split_caption_seams_keeps_offsets_into_the_whole_text() -> None:
    text = "Intro line.\n\nThe mayor cuts the ribbon The opening drew a crowd of several thousand people."
    second = (text.index("The mayor"), len(text))
    spans = split_caption_seams(text, [(0, 11), second])
    assert [text[s:e] for s, e in spans] == [
        "Intro line.",
        "The mayor cuts the ribbon",
        "The opening drew a crowd of several thousand people.",
    ]
    assert all(text[s:e] == text[s:e].strip() for s, e in spans)
