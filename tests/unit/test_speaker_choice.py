"""The learned speaker chooser on author-written sentences (entities given by hand, no data)."""

from __future__ import annotations

import pytest

from tasks.extract.cue_index import CueIndex
from tasks.extract.cue_words import CUE
from tasks.extract.quotes import rule_quotes
from tasks.extract.speaker_choice import SpeakerModel, choose_speakers, model_from_json, shipped_model
from tasks.extract.speaker_features import FEATURE_NAMES, NONE, candidates_for
from tests.unit.test_quotes import given, quotes_of


def test_the_shipped_model_loads_with_the_features_it_was_trained_on() -> None:
    model = shipped_model()
    assert len(model.weights) == len(FEATURE_NAMES)
    with pytest.raises(ValueError, match="other features"):
        model_from_json({"features": ["something_else"], "weights": [1.0], "intercept": 0.0})


@pytest.mark.parametrize(
    ("text", "people", "orgs", "expected"),
    [
        (
            "Ann Lee met the press on Monday. ‘We will win the cup this year,’ she said.",
            ("Ann Lee",),
            (),
            "Ann Lee",
        ),
        (
            "‘The plan is dead and buried now,’ said Tom Reed, the club's chairman.",
            ("Tom Reed",),
            (),
            "Tom Reed",
        ),
        (
            "Tom Reed watched from the stands. Ann Lee told reporters: ‘We were robbed today.’",
            ("Tom Reed", "Ann Lee"),
            (),
            "Ann Lee",
        ),
        (
            "NASA said in a statement that the launch was ‘a complete success for everyone’.",
            (),
            ("NASA",),
            "NASA",
        ),
    ],
)
def test_the_learned_chooser_keeps_plain_attributions(
    text: str, people: tuple[str, ...], orgs: tuple[str, ...], expected: str
) -> None:
    (quote,) = quotes_of(text, people, orgs)
    assert quote.speaker_entity == expected


def test_a_quoted_term_nobody_says_has_no_speaker() -> None:
    text = "The storm posed a ‘serious threat’ to the town, the report found. Ann Lee lives there."
    (quote,) = quotes_of(text, ("Ann Lee",))
    assert quote.speaker is None
    assert quote.kind == "scare"


def test_candidates_are_the_rules_answer_the_names_around_and_nobody() -> None:
    text = "Tom Reed watched from the stands. ‘We were robbed today,’ said Ann Lee. Ken Hall left."
    sentences, mentions, entities = given(text, ("Tom Reed", "Ann Lee", "Ken Hall"))
    ruled = rule_quotes(text, sentences, mentions, entities)
    assert ruled is not None
    candidates = candidates_for(text, ruled, entities, 0)
    keys = {c.key for c in candidates}
    assert keys == {"tom reed", "ann lee", "ken hall", NONE}
    (rules,) = [c for c in candidates if c.features.get("is_rules")]
    assert rules.entity == "Ann Lee"
    assert all(len(c.vector()) == len(FEATURE_NAMES) for c in candidates)


def _model(**weights: float) -> SpeakerModel:
    return SpeakerModel(tuple(weights.get(name, 0.0) for name in FEATURE_NAMES), 0.0)


def test_the_highest_scoring_candidate_speaks() -> None:
    text = "Tom Reed watched from the stands. ‘We were robbed today,’ said Ann Lee."
    sentences, mentions, entities = given(text, ("Tom Reed", "Ann Lee"))
    for weights, expected in (
        ({"is_rules": 5.0}, "Ann Lee"),
        ({"is_none": 5.0}, None),
        ({"sentence_before": 5.0}, "Tom Reed"),
    ):
        ruled = rule_quotes(text, sentences, mentions, entities)
        assert ruled is not None
        choose_speakers(text, ruled, entities, _model(**weights))
        (quote,) = ruled.quotes
        assert quote.speaker_entity == expected
        if expected:
            assert quote.speaker == expected
            assert text[quote.speaker_start or 0 : quote.speaker_end] == expected


def test_the_rules_alone_stay_selectable() -> None:
    text = "Tom Reed watched from the stands. ‘We were robbed today,’ said Ann Lee."
    (learned,) = quotes_of(text, ("Tom Reed", "Ann Lee"))
    (rules,) = quotes_of(text, ("Tom Reed", "Ann Lee"), speakers="rules")
    assert rules.speaker_entity == learned.speaker_entity == "Ann Lee"
    assert rules.cue == "said"


@pytest.mark.parametrize(
    "text",
    [
        "Ann Lee said it was over, according to the BBC, and he fired back: ‘No.’",
        "The unsaid claims were self-said; she Says, tweeted and hit back at the reports.",
    ],
)
def test_the_index_spans_are_what_the_cue_pattern_finds(text: str) -> None:
    assert CueIndex(text).spans() == [cue.span() for cue in CUE.finditer(text)]
    assert CueIndex(text).spans()
