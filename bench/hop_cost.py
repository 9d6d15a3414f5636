"""What passing an article from one stage to the next costs, per article, two ways side by side.

    python -m bench.hop_cost [DATA_DIR] [--articles 320] [--rounds 7]

The news texts are cleaned, extracted and summarised once (the model's time is not measured);
then each hop the worker makes between trusted stages (clean → extract, extract → summarise,
summarise → publish) is timed in CPU per article, best of the rounds, in messages of 16 articles
as the workers send them, through kombu's own JSON codec:

- **objects, validated** (the design before issue #18's round 5): each article as a JSON object
  in the message, ``model_validate`` of the whole record by the next stage;
- **JSON text, rebuilt** (now): each article as its JSON text in the message, rebuilt by the next
  stage with ``tasks.models.rebuild`` (shape checked, only the fields it reads validated).

Each way pays: the sender's dump and the message encoding, one decoding of the message in the
worker's main process (Celery reads every message there to route it), one in the pool process,
and the next stage's parse. Both ways give the same published record (checked here on every
article, byte for byte).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kombu.utils import json as kombu_json
from pydantic import BaseModel

from tasks.models import CleanedArticle, ExtractedArticle, SummarisedArticle, rebuild
from tasks.summarise.stage import READS as SUMMARY_READS
from tests.harness import DEFAULT_DATA_DIR, news_texts
from worker import stages
from worker.settings import Settings

BATCH = 16


def _batches(items: Sequence[Any]) -> list[Sequence[Any]]:
    return [items[i : i + BATCH] for i in range(0, len(items), BATCH)]


def as_objects(articles: Sequence[BaseModel], record_type: type[BaseModel]) -> list[Any]:
    """The hop as it was: JSON objects in the message, the whole record validated again."""
    out: list[Any] = []
    for batch in _batches(articles):
        body = kombu_json.dumps([[article.model_dump(mode="json") for article in batch]])
        kombu_json.loads(body)  # the worker's main process, routing the message
        out += [record_type.model_validate(item) for item in kombu_json.loads(body)[0]]
    return out


def as_text(
    articles: Sequence[BaseModel], record_type: type[BaseModel], reads: Sequence[str] = ()
) -> list[Any]:
    """The hop as it is: each article's JSON text in the message, rebuilt by the next stage."""
    out: list[Any] = []
    for batch in _batches(articles):
        body = kombu_json.dumps([[article.model_dump_json(warnings=False) for article in batch]])
        kombu_json.loads(body)
        out += [rebuild(record_type, item, validated=reads) for item in kombu_json.loads(body)[0]]
    return out


def best_ms(work: Callable[[], object], count: int, rounds: int) -> float:
    """CPU milliseconds per article, best of ``rounds``."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        work()
        best = min(best, time.process_time() - started)
    return 1000 * best / count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=320)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    settings = Settings()
    records = [
        {**r, "id": f"hop-{i}"} for i, r in enumerate(news_texts(Path(args.data_dir))[: args.articles])
    ]
    cleaned = [stages.run_clean(settings, record) for record in records]
    extracted = [a for batch in _batches(cleaned) for a in stages.run_extract(settings, list(batch))]
    summarised = [stages.run_summarise(settings, article) for article in extracted]
    # What the publish stage gets the new way: a summary of a rebuilt record, itself rebuilt.
    summarised_rebuilt = [
        stages.run_summarise(settings, article)
        for article in as_text(extracted, ExtractedArticle, SUMMARY_READS)
    ]
    old = [stages.finalise(a) for a in as_objects(summarised, SummarisedArticle)]
    new = [stages.finalise(a) for a in as_text(summarised_rebuilt, SummarisedArticle)]
    same = sum(
        a.model_dump_json(exclude={"published_at", "timings"})
        == b.model_dump_json(warnings=False, exclude={"published_at", "timings"})
        for a, b in zip(old, new, strict=True)
    )
    count = len(records)
    print(f"{count} news texts, messages of {BATCH}, CPU ms per article, best of {args.rounds} rounds\n")
    print("| hop | objects, validated | JSON text, rebuilt | ratio |")
    print("|---|---|---|---|")
    # Each hop's sender's records, each way: the summariser's are rebuilt records the new way.
    hops: list[tuple[str, Sequence[BaseModel], Sequence[BaseModel], type[BaseModel], Sequence[str]]] = [
        ("clean → extract", cleaned, cleaned, CleanedArticle, ()),
        ("extract → summarise", extracted, extracted, ExtractedArticle, SUMMARY_READS),
        ("summarise → publish", summarised, summarised_rebuilt, SummarisedArticle, ()),
    ]
    total_old = total_new = 0.0
    for name, sent_before, sent_now, record_type, reads in hops:
        before = best_ms(lambda: as_objects(sent_before, record_type), count, args.rounds)  # noqa: B023
        after = best_ms(lambda: as_text(sent_now, record_type, reads), count, args.rounds)  # noqa: B023
        total_old, total_new = total_old + before, total_new + after
        print(f"| {name} | {before:.3f} | {after:.3f} | {after / before:.2f} |")
    print(f"| all three | {total_old:.3f} | {total_new:.3f} | {total_new / total_old:.2f} |")
    print(f"\nsame published record (but its time stamps): {same} of {count}")


if __name__ == "__main__":
    main()
