"""Sentence features for the learned sentence scorer the summary bench cross-validates.

Built from what the extract stage already computed (sentence spans, entity mentions, canonical
entities, keyphrases) plus the summariser's own sentence checks: position (raw and among the
summary-worthy sentences), length, caption and quote signs, entity and keyphrase density,
centrality and overlap with the first sentence. Every feature is a plain float, in the order
of the names in ``FEATURE_NAMES``.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from sumy.utils import get_stop_words

from tasks.models import CanonicalEntity, EntityMention, Keyphrase
from tasks.summarise import sentence_filters as filters

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_STOP = frozenset(get_stop_words("english"))
_OPENERS = frozenset(["but", "and", "so", "yet", "or", "also", "however", "he", "she", "it", "they", "this"])

FEATURE_NAMES: tuple[str, ...] = (
    "first",
    "second",
    "third",
    "position_inverse",
    "position_relative",
    "worthy_first",
    "worthy_second",
    "worthy_third",
    "worthy_inverse",
    "words",
    "long",
    "short",
    "paragraph_start",
    "caption",
    "caption_words",
    "no_final_punctuation",
    "quote_start",
    "quote_share",
    "attribution",
    "opener",
    "digits",
    "entity_density",
    "top_entities",
    "first_mentions",
    "keyphrases",
    "centrality",
    "overlap_first",
)


@dataclass(frozen=True, slots=True)
class ArticleView:
    """An article as the scorer sees it: its text, its sentences and what extraction found."""

    text: str
    sentences: list[tuple[int, int]]
    entities: list[EntityMention]
    canonical_entities: list[CanonicalEntity]
    keyphrases: list[Keyphrase]


def content_words(sentence: str) -> list[str]:
    """The lower-cased words of a sentence that are not stop words."""
    words = (match.group().lower() for match in _WORD.finditer(sentence))
    return [word for word in words if word not in _STOP and len(word) > 2]


def sentence_features(view: ArticleView) -> list[list[float]]:
    """One feature vector per sentence, in ``FEATURE_NAMES`` order."""
    sentences = [view.text[start:end] for start, end in view.sentences]
    count = len(sentences)
    bags = [Counter(content_words(sentence)) for sentence in sentences]
    document: Counter[str] = Counter()
    for bag in bags:
        document.update(bag)
    document_norm = math.sqrt(sum(v * v for v in document.values())) or 1.0
    first_bag = set(bags[0]) if bags else set()
    starts = [start for start, _ in view.sentences]
    mentions_in = _count_per_sentence(starts, [m.start for m in view.entities])
    top = view.canonical_entities[:3]
    top_in = _count_per_sentence(starts, [m.start for entity in top for m in entity.mentions])
    firsts = [entity.mentions[0].start for entity in view.canonical_entities if entity.mentions]
    first_in = _count_per_sentence(starts, firsts)
    phrase_weights = _phrase_weights(view.keyphrases)
    worthy_rank = _worthy_ranks(sentences)

    rows: list[list[float]] = []
    for index, sentence in enumerate(sentences):
        words = max(1, filters.word_count(sentence))
        bag = bags[index]
        bag_norm = math.sqrt(sum(v * v for v in bag.values())) or 1.0
        lowered = sentence.lower()
        start = starts[index]
        rank = worthy_rank[index]
        rows.append(
            [
                float(index == 0),
                float(index == 1),
                float(index == 2),
                1.0 / (index + 1),
                index / max(1, count - 1),
                float(rank == 0),
                float(rank == 1),
                float(rank == 2),
                1.0 / (rank + 1),
                min(words, 80) / 40,
                float(words > 40),
                float(words < 10),
                float(start == 0 or "\n" in view.text[max(0, start - 2) : start]),
                float(filters.is_caption(sentence)),
                float(filters.has_caption_words(sentence)),
                float(not filters.ends_like_a_sentence(sentence)),
                float(sentence.lstrip()[:1] in "\"'“‘"),
                filters.quote_share(sentence),
                float(filters.has_attribution(sentence)),
                float(_opener(sentence)),
                float(any(ch.isdigit() for ch in sentence)),
                min(mentions_in[index] / words * 5, 2.0),
                min(top_in[index], 3) / 3,
                min(first_in[index], 3) / 3,
                min(sum(weight for phrase, weight in phrase_weights if phrase in lowered), 2.0),
                sum(v * document[w] for w, v in bag.items()) / (bag_norm * document_norm),
                len(first_bag & set(bag)) / max(1, len(set(bag))) if index else 1.0,
            ]
        )
    return rows


def _opener(sentence: str) -> bool:
    words = sentence.split(maxsplit=1)
    return bool(words) and words[0].lower().strip(",") in _OPENERS


def _worthy_ranks(sentences: list[str]) -> list[int]:
    """How many summary-worthy sentences come before each sentence."""
    ranks: list[int] = []
    seen = 0
    for sentence in sentences:
        ranks.append(seen)
        seen += filters.is_summary_worthy(sentence)
    return ranks


def _count_per_sentence(starts: list[int], offsets: list[int]) -> list[int]:
    counts = [0] * len(starts)
    for offset in offsets:
        at = bisect_right(starts, offset) - 1
        if at >= 0:
            counts[at] += 1
    return counts


def _phrase_weights(keyphrases: list[Keyphrase]) -> list[tuple[str, float]]:
    if not keyphrases:
        return []
    best = max(phrase.score for phrase in keyphrases) or 1.0
    return [(phrase.text.lower(), phrase.score / best) for phrase in keyphrases]
