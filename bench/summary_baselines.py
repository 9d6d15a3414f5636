"""The baselines the summary bench compares newsflow's summariser with.

Every baseline picks whole sentences from a list of sentence strings and returns their indexes
in article order, so all of them work on the very same sentences:

* Lead-k: the first k sentences.
* sumy's TextRank and LexRank, given our sentences and a regex word tokenizer (sumy's default
  tokenizer needs NLTK's punkt data, which cannot be downloaded here), sumy's Snowball stemmer
  and its own English stop-word list.
* A newspaper-style scorer written here after newspaper3k's ``summarize``: the article's ten
  most frequent content words as keywords, each sentence scored by keyword density, keyword
  proximity, closeness to a 20-word length and a position table (no title: the data has none).
"""

from __future__ import annotations

import re
from collections import Counter
from itertools import pairwise

from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
STOP_WORDS = frozenset(get_stop_words("english"))


def lead(sentences: list[str], k: int) -> list[int]:
    """The first ``k`` sentences."""
    return list(range(min(k, len(sentences))))


class SpanTokenizer:
    """A sumy tokenizer for text that is already split into sentences: it only splits words."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        """One sentence: the caller hands sumy sentences, never paragraphs."""
        return (paragraph,)

    def to_words(self, sentence: str) -> tuple[str, ...]:
        """The words of a sentence, punctuation dropped."""
        return tuple(WORD.findall(sentence))


class SumyRanker:
    """sumy's TextRank or LexRank over sentences we already have."""

    def __init__(self, name: str) -> None:
        summarizer = {"textrank": TextRankSummarizer, "lexrank": LexRankSummarizer}[name]
        self.summarizer = summarizer(Stemmer("english"))
        self.summarizer.stop_words = get_stop_words("english")
        self.tokenizer = SpanTokenizer()

    def __call__(self, sentences: list[str], k: int) -> list[int]:
        """The indexes of the ``k`` sentences sumy ranks highest, in article order."""
        if len(sentences) <= k:
            return list(range(len(sentences)))
        objects = [Sentence(text, self.tokenizer) for text in sentences]
        document = ObjectDocumentModel([Paragraph(objects)])
        index = {id(sentence): i for i, sentence in enumerate(objects)}
        return sorted(index[id(sentence)] for sentence in self.summarizer(document, k))


# newspaper3k's position table: the share of an article a sentence sits at -> weight.
_POSITION_WEIGHTS = ((0.1, 0.17), (0.2, 0.23), (0.3, 0.14), (0.4, 0.08), (0.5, 0.05), (0.6, 0.04))
_IDEAL_WORDS = 20


def newspaper_style(sentences: list[str], k: int) -> list[int]:
    """The ``k`` sentences a newspaper3k-style keyword/position scorer ranks highest, in order."""
    if len(sentences) <= k:
        return list(range(len(sentences)))
    tokens = [[w.lower() for w in WORD.findall(s)] for s in sentences]
    content = [w for words in tokens for w in words if w not in STOP_WORDS and len(w) > 1]
    keywords = {w: c / max(1, len(content)) * 1.5 + 1 for w, c in Counter(content).most_common(10)}
    scores = []
    for index, words in enumerate(tokens):
        hits = [(at, keywords[w]) for at, w in enumerate(words) if w in keywords]
        sbs = sum(score for _, score in hits) / max(1, len(words)) / 10
        pairs = pairwise(hits)
        proximity = sum(a[1] * b[1] / (b[0] - a[0]) ** 2 for a, b in pairs)
        distinct = len({w for w in words if w in keywords})
        dbs = proximity / (distinct * (distinct + 1)) if distinct else 0.0
        length = max(0.0, 1 - abs(_IDEAL_WORDS - len(words)) / _IDEAL_WORDS)
        position = _position_weight((index + 1) / len(sentences))
        scores.append((((sbs + dbs) / 2 * 10) * 2 + length + position) / 4)
    best = sorted(range(len(sentences)), key=lambda i: -scores[i])[:k]
    return sorted(best)


def _position_weight(share: float) -> float:
    for limit, weight in _POSITION_WEIGHTS:
        if share <= limit:
            return weight
    return 0.15 if share > 0.9 else 0.05
