"""How the extract stage's own work scales with a text's length: a long text must cost in
proportion to its length, not its square (the input limit is 5 MB).

    python -m bench.long_texts [--sizes 20000,80000,320000,1280000] [--rounds 3]

Needs no data set: the texts are made here from sentences of our own, drawn with a fixed seed, in
three kinds: quoted speech (named, described and pronoun speakers, attributions before, after and
around the quotation, scare quotes, narration); opening marks only, never closed (``He said "a He
said "a …``); and names, titles and acronyms (people with and without a title, organisations
defined as "Long Form (LF)" and used again). spaCy runs on each text once, outside the clock; then
``build_mentions`` (the mention clean-up: titles, acronyms, labels) and ``extract_quotes`` are
timed alone (CPU time, best of the rounds). Printed per kind and size: mentions and quotations
found, seconds, microseconds per 1,000 characters, and that cost against the smallest size's
(1.0 = linear).
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Callable

from tasks.extract.mentions import build_mentions
from tasks.extract.quotes import extract_quotes
from tasks.extract.stage import ExtractOptions, extract_articles, split_pieces
from tasks.models import CleanedArticle
from worker.nlp import load_pipeline
from worker.settings import Settings

SPEAKERS = ("Ann Lee", "Tom Reed", "Maria Gomez", "the minister", "he", "she", "a spokesman for Acme Corp")
FIRST = ("Ann", "Tom", "Maria", "Raheel", "Susan", "Kofi", "Li", "Priya", "Olaf", "Nadia", "Pedro", "Aiko")
LAST = ("Lee", "Reed", "Gomez", "Sharif", "Rice", "Annan", "Wei", "Patel", "Berg", "Cruz", "Silva", "Haddad")
BODIES = (("World Trade Office", "WTO"), ("Acme Corporation", "AC"), ("United Northern Council", "UNC"))


def _paragraphs(size: int, make: Callable[[random.Random], str], seed: int = 1) -> str:
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        parts.append(make(rng))
        length += len(parts[-1]) + 1
    return "\n".join(parts)


def quoted_text(size: int) -> str:
    """About ``size`` characters of paragraphs that quote someone, or narrate."""

    def paragraph(rng: random.Random) -> str:
        who = rng.choice(SPEAKERS)
        return rng.choice(
            (
                f'"We will not stop here," {who} said. "It is a matter of time."',
                f"{who.capitalize()} told reporters the plan was 'a serious threat' to jobs.",
                f'According to {who}, "the numbers are wrong".',
                f"Officials met on Tuesday in Paris to discuss the budget with {who}.",
                '"' * rng.randint(1, 3) + " odd " + "'" * rng.randint(1, 2),
            )
        )

    return _paragraphs(size, paragraph)


def unclosed_text(size: int) -> str:
    """Opening marks only, never closed: each could be a quotation whose closing mark was lost."""
    return ('He said "a ' * (size // 11 + 1))[:size]


def named_text(size: int) -> str:
    """People, some with a title, and bodies defined with an acronym and named by it again."""

    def paragraph(rng: random.Random) -> str:
        person = f"{rng.choice(FIRST)} {rng.choice(LAST)}{rng.choice(('', 'son', 'ova', 'ez', 'ski'))}"
        titled = f"General {rng.choice(FIRST)} {rng.choice(LAST)}"
        body, acronym = rng.choice(BODIES)
        return rng.choice(
            (
                f"{person} met {titled} at the {body} ({acronym}) in Paris on Monday.",
                f"{titled}, the head of the {acronym}, said the talks with {person} went well.",
                f"Officials of the {acronym} welcomed {person} and Chief of Staff {titled}.",
            )
        )

    return _paragraphs(size, paragraph, seed=2)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,80000,320000,1280000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    nlp = load_pipeline(Settings().spacy_model)
    limit = ExtractOptions().max_piece_chars
    print(
        "| text | characters | mentions | quotations | build_mentions s (µs per 1,000 chars, ×) "
        "| extract_quotes s (µs per 1,000 chars, ×) |"
    )
    print("|---|---|---|---|---|---|")
    for kind, make in (
        ("quoted speech", quoted_text),
        ("unclosed marks", unclosed_text),
        ("names and acronyms", named_text),
    ):
        smallest: list[float] = []
        for size in sizes:
            text = make(size)
            # The model's entities as the stage finds them: piece by piece, offsets into the text.
            pieces = split_pieces(text, limit)
            docs = nlp.pipe([piece for _, piece in pieces])
            raw = [
                (at + e.start_char, at + e.end_char, e.label_)
                for (at, _), doc in zip(pieces, docs, strict=True)
                for e in doc.ents
            ]
            article = extract_articles(
                nlp, [CleanedArticle(id="long", text=text)], ExtractOptions(quotes=False)
            )[0]
            best, mentions, quotes = [float("inf")] * 2, 0, 0
            for _ in range(args.rounds):
                started = time.process_time()
                mentions = len(build_mentions(text, raw)[0])
                middle = time.process_time()
                quotes = len(
                    extract_quotes(
                        article.text, article.sentences, article.entities, article.canonical_entities
                    )
                )
                best = [min(best[0], middle - started), min(best[1], time.process_time() - middle)]
            per_k = [seconds / len(text) * 1e9 for seconds in best]
            smallest = smallest or per_k
            cells = [
                f"{s:.3f} ({p:,.0f}, {p / first:.2f})"
                for s, p, first in zip(best, per_k, smallest, strict=True)
            ]
            print(
                f"| {kind} | {len(text):,} | {mentions:,} | {quotes:,} | {cells[0]} | {cells[1]} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
