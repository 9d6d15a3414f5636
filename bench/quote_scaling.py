"""How ``extract_quotes`` scales with the length of a text: a long text full of quotations must
cost in proportion to its length, not its square (the input limit is 5 MB).

    python -m bench.quote_scaling [--sizes 20000,80000,320000,1280000] [--rounds 3]

Needs no data set: the texts are made here from sentences of our own (named, described and
pronoun speakers, attributions before, after and around the quotation, scare quotes, narration),
drawn with a fixed seed, and a second kind that is only opening marks (``He said "a He said "a
…``), never closed. Each text goes through the extract stage without quotations once (spaCy's
sentences and entities), then ``extract_quotes`` is timed alone (CPU time, best of the rounds).
Printed per size: quotations found, seconds, microseconds per 1,000 characters, and that cost
against the smallest size's (1.0 = linear).
"""

from __future__ import annotations

import argparse
import random
import time

from tasks.extract.quotes import extract_quotes
from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import CleanedArticle
from worker.nlp import load_pipeline
from worker.settings import Settings

SPEAKERS = ("Ann Lee", "Tom Reed", "Maria Gomez", "the minister", "he", "she", "a spokesman for Acme Corp")


def quoted_text(size: int, seed: int = 1) -> str:
    """About ``size`` characters of paragraphs that quote someone, or narrate."""
    rng = random.Random(seed)
    parts: list[str] = []
    length = 0
    while length < size:
        who = rng.choice(SPEAKERS)
        paragraph = rng.choice(
            (
                f'"We will not stop here," {who} said. "It is a matter of time."',
                f"{who.capitalize()} told reporters the plan was 'a serious threat' to jobs.",
                f'According to {who}, "the numbers are wrong".',
                f"Officials met on Tuesday in Paris to discuss the budget with {who}.",
                '"' * rng.randint(1, 3) + " odd " + "'" * rng.randint(1, 2),
            )
        )
        parts.append(paragraph)
        length += len(paragraph) + 1
    return "\n".join(parts)


def unclosed_text(size: int) -> str:
    """Opening marks only, never closed: each could be a quotation whose closing mark was lost."""
    return ('He said "a ' * (size // 11 + 1))[:size]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="20000,80000,320000,1280000")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    nlp = load_pipeline(Settings().spacy_model)
    print("| text | characters | quotations | seconds | µs per 1,000 chars | against the smallest |")
    print("|---|---|---|---|---|---|")
    for kind, make in (("quoted speech", quoted_text), ("unclosed marks", unclosed_text)):
        smallest = None
        for size in sizes:
            text = make(size)
            article = extract_articles(
                nlp, [CleanedArticle(id="scaling", text=text)], ExtractOptions(quotes=False)
            )[0]
            best, found = float("inf"), 0
            for _ in range(args.rounds):
                started = time.process_time()
                found = len(
                    extract_quotes(
                        article.text, article.sentences, article.entities, article.canonical_entities
                    )
                )
                best = min(best, time.process_time() - started)
            per_k = best / len(text) * 1e9
            smallest = smallest or per_k
            print(
                f"| {kind} | {len(text):,} | {found:,} | {best:.3f} | {per_k:.1f} | {per_k / smallest:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
