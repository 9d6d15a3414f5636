"""Learned speaker choice: the rules' answer against the entities named around each quotation.

For each quotation the rules found (quoted titles aside), ``speaker_features`` lists the
candidates (the rules' speaker, the entities named from the sentence before to the sentence after,
nobody) with their features; a logistic model trained by ``bench/train_speaker_model.py`` scores
them and the best one speaks. Weights are plain numbers in ``speaker_model.json`` (loading runs no
code); inference is pure Python.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from tasks.extract.speaker_features import FEATURE_NAMES, NONE, Candidate, candidates_for
from tasks.models import CanonicalEntity, Quote

if TYPE_CHECKING:
    from tasks.extract.quotes import RuledQuotes

MODEL_FILE = "speaker_model.json"


@dataclass(frozen=True, slots=True)
class SpeakerModel:
    """A linear scorer over ``FEATURE_NAMES``: the highest-scoring candidate speaks."""

    weights: tuple[float, ...]
    intercept: float
    by_name: dict[str, float] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURE_NAMES):
            raise ValueError("the speaker model needs one weight per feature")
        object.__setattr__(self, "by_name", dict(zip(FEATURE_NAMES, self.weights, strict=True)))

    def score(self, candidate: Candidate) -> float:
        """The candidate's score (a logit: higher is likelier the speaker)."""
        weights, features = self.by_name, candidate.features
        return self.intercept + sum([weights.get(name, 0.0) * value for name, value in features.items()])


def model_from_json(data: dict[str, Any]) -> SpeakerModel:
    """A model from what the trainer wrote; refuses one built on other features."""
    if tuple(data["features"]) != FEATURE_NAMES:
        raise ValueError("the speaker model was trained on other features than speaker_choice makes")
    return SpeakerModel(tuple(float(w) for w in data["weights"]), float(data["intercept"]))


@cache
def shipped_model() -> SpeakerModel:
    """The model that ships with newsflow (``tasks/extract/speaker_model.json``)."""
    text = resources.files("tasks.extract").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    return model_from_json(json.loads(text))


def choose_speakers(
    text: str, ruled: RuledQuotes, entities: list[CanonicalEntity], model: SpeakerModel | None = None
) -> None:
    """Let the model pick each quotation's speaker among its candidates (in place)."""
    model = model or shipped_model()
    for index, quote in enumerate(ruled.quotes):
        if ruled.rules[index] == "title":
            continue
        candidates = candidates_for(text, ruled, entities, index)
        best = max(candidates, key=model.score)
        _apply(text, quote, best, ruled.rules[index])


def _apply(text: str, quote: Quote, best: Candidate, rule: str) -> None:
    if best.features.get("is_rules"):
        return  # the rules' answer stands as the rules gave it
    if best.key == NONE:
        quote.speaker = quote.speaker_entity = quote.cue = None
        quote.speaker_start = quote.speaker_end = None
        return
    if best.span is None:
        return
    quote.speaker = text[best.span[0] : best.span[1]]
    quote.speaker_start, quote.speaker_end = best.span
    quote.speaker_entity = best.entity
    quote.cue = None
    words = quote.text.split()
    if rule == "none" and quote.kind == "scare" and len(words) > 3:
        quote.kind = "direct"
