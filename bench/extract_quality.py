"""Quality and speed of the extract stage against the raw spaCy model, in one run.

    python -m bench.extract_quality [DATA] [--memory N]     # DATA defaults to ../shared/data

Prints: (1) extract-stage throughput next to raw ``nlp.pipe`` with the same components on the
same news texts (first, while the process holds only the model, as a worker does); (2) CoNLL-2003
entity-level P/R/F1 per type for the raw model and for our extract stage on the same text, and
what each cleanup step adds (the stage with that step switched off); (3) canonical-entity merge
precision/recall on the hand-labelled set (bench/data) plus the seed article; (4) keyphrases
against the set's gold phrases for our ranker and the alternatives, with their cost; (5) with
``--memory N``, RSS of the extract stage over N distinct articles.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from bench import keyphrase_alternatives as alternatives
from bench.conll import TYPES, Tally, read_documents, to_tokens
from bench.handset import GoldArticle, MergeTally, PhraseTally, load_handset
from bench.memory import measure_memory
from tasks.clean.stage import clean_article
from tasks.extract.mentions import STEPS, build_mentions
from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import CanonicalEntity, CleanedArticle, parse_record
from worker.nlp import load_pipeline
from worker.settings import Settings

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BATCH = 64


def main() -> None:
    """Run every measurement and print the tables."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--memory", type=int, default=0, help="also measure RSS over this many articles")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds")
    parser.add_argument(
        "--memory-only", action="store_true", help="only the RSS table, in a process holding only the model"
    )
    args = parser.parse_args()
    model = Settings().spacy_model
    nlp = load_pipeline(model)
    print(f"model {model} {nlp.meta.get('version')}, components {nlp.pipe_names}, batch {BATCH}\n")
    if args.memory_only:
        measure_memory(nlp, news_texts(args.data), args.memory or 50_000)
        return
    # Speed first, while the process holds only the model, as a worker process does.
    throughput(nlp, news_texts(args.data), args.rounds)
    conll(nlp, args.data)
    handset = load_handset(args.data)
    cleaned = [clean(a) for a in handset]
    merges(nlp, handset, cleaned)
    keyphrases(nlp, model, handset, cleaned, news_texts(args.data)[:100])
    if args.memory:
        measure_memory(nlp, news_texts(args.data), args.memory)


def clean(article: GoldArticle) -> CleanedArticle:
    """An article of the hand-labelled set through the clean stage."""
    return clean_article(parse_record({"id": article.id, "title": article.title, "text": article.text}))


def news_texts(data: Path) -> list[str]:
    """Real news articles for speed: the FRANK CNN/DM and XSum texts."""
    texts = []
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        for line in (data / "news_summarization_frank" / name).read_text(encoding="utf-8").splitlines():
            texts.append(json.loads(line)["text"])
    return texts


def conll(nlp: object, data: Path) -> None:
    """CoNLL-2003 entity-level scores: raw model, our stage, and the stage without each step."""
    documents = read_documents(data / "conll2003_en_test" / "test.txt")
    raws = [
        [(e.start_char, e.end_char, e.label_) for e in doc.ents]
        for doc in nlp.pipe([d.text for d in documents], batch_size=BATCH)  # type: ignore[attr-defined]
    ]
    stage = extract_articles(
        nlp,  # type: ignore[arg-type]
        [CleanedArticle(id=str(i), text=d.text) for i, d in enumerate(documents)],
        ExtractOptions(batch_size=BATCH),
    )
    full = [[(m.start, m.end, m.label) for m in a.entities] for a in stage]
    rows: list[tuple[str, Tally]] = [
        ("raw model (same text)", _tally(documents, raws)),
        ("extract stage", _tally(documents, full)),
    ]
    without: dict[str, list[list[tuple[int, int, str]]]] = {}
    for step in STEPS:
        without[step] = [
            [(m.start, m.end, m.label) for m in build_mentions(d.text, r, frozenset({step}))[0]]
            for d, r in zip(documents, raws, strict=True)
        ]
        rows.append((f"  stage without '{step}'", _tally(documents, without[step])))
    gold = sum(len(d.gold) for d in documents)
    print(f"## CoNLL-2003 dev: {len(documents)} documents, {gold} gold entities, entity-level exact match\n")
    header("system", *(f"{t} F1" for t in TYPES), "P", "R", "F1")
    for name, tally in rows:
        cells = [f"{tally.prf(t)[2]:.3f}" for t in TYPES] + [f"{v:.3f}" for v in tally.prf()]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nWhat each step changes in the stage's output (entities in CoNLL terms, against gold):\n")
    header("step", "right entities gained", "wrong removed", "right lost", "wrong added", "F1 with / without")
    for step in STEPS:
        gained = removed = lost = added = 0
        for document, with_step, no_step in zip(documents, full, without[step], strict=True):
            have, had = to_tokens(document, with_step), to_tokens(document, no_step)
            gained += len((have - had) & document.gold)
            added += len((have - had) - document.gold)
            lost += len((had - have) & document.gold)
            removed += len((had - have) - document.gold)
        f_with, f_without = rows[1][1].prf()[2], _tally(documents, without[step]).prf()[2]
        print(f"| {step} | {gained} | {removed} | {lost} | {added} | {f_with:.3f} / {f_without:.3f} |")
    print()


def _tally(documents: list, spans: list[list[tuple[int, int, str]]]) -> Tally:  # type: ignore[type-arg]
    tally = Tally()
    for document, found in zip(documents, spans, strict=True):
        tally.add(document.gold, to_tokens(document, found))
    return tally


def merges(nlp: object, handset: list[GoldArticle], cleaned: list[CleanedArticle]) -> None:
    """Canonical-entity merge scores: the raw model's distinct names against our stage."""
    stage = extract_articles(nlp, cleaned, ExtractOptions(batch_size=BATCH))  # type: ignore[arg-type]
    raw_tally, stage_tally = MergeTally(), MergeTally()
    docs = nlp.pipe([a.text for a in cleaned], batch_size=BATCH)  # type: ignore[attr-defined]
    for gold, doc, result in zip(handset, docs, stage, strict=True):
        distinct = {(e.text, e.label_) for e in doc.ents}
        raw_tally.add(
            gold.entities,
            [CanonicalEntity(name=t, label=lab, count=1, aliases=[t]) for t, lab in distinct],
            gold.id,
        )
        stage_tally.add(gold.entities, result.canonical_entities, gold.id)
    print(f"## Canonical entities: {len(handset) - 1} hand-written articles + the seed article\n")
    header(
        *("system", "merge P", "merge R", "merge F1", "merges made", "wrong merges"),
        *("name P", "name R", "name F1", "split entities"),
    )
    for name, tally in (
        ("raw model, one entity per distinct text", raw_tally),
        ("extract stage", stage_tally),
    ):
        p, r, f = tally.merge_prf()
        np_, nr, nf = tally.name_prf()
        print(
            f"| {name} | {_opt(p)} | {r:.3f} | {_opt(f)} | {tally.made} | {len(tally.wrong)} | "
            f"{np_:.3f} | {nr:.3f} | {nf:.3f} | {len(tally.split)} |"
        )
    for line in stage_tally.wrong:
        print(f"- wrong merge: {line}")
    for line in stage_tally.split:
        print(f"- split: {line}")
    seed = stage[-1]
    wanted = ("Raheel Sharif", "Susan Rice", "Lloyd Austin", "Islamic State", "Pakistan", "United States")
    counts = {w: sum(1 for e in seed.canonical_entities if e.name == w) for w in wanted}
    print(f"\nseed article, canonical entities per target: {counts}\n")


def header(*columns: str) -> None:
    """Print a markdown table header: the first column left-aligned, the rest right-aligned."""
    print("| " + " | ".join(columns) + " |")
    print("|---|" + "---:|" * (len(columns) - 1))


def _opt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def keyphrases(
    nlp: object, model: str, handset: list[GoldArticle], cleaned: list[CleanedArticle], speed_texts: list[str]
) -> None:
    """Keyphrases against the gold phrases, for our ranker and the alternatives, with their cost."""
    rankers = alternatives.available(nlp, model)
    print(f"## Keyphrases: gold phrases of the same {len(handset)} articles; top 10 scored\n")
    header(
        *("ranker", "exact P", "exact R", "exact F1", "partial P", "partial R", "partial F1"),
        *("'X said' phrases", "extra ms/article", "needs"),
    )
    for ranker in rankers:
        tally = PhraseTally()
        for gold, phrases in zip(handset, ranker.rank([a.text for a in cleaned]), strict=True):
            tally.add(gold.keyphrases, phrases[:10])
        cost = ranker.cost_ms(speed_texts)
        cells = " | ".join(f"{v:.3f}" for v in tally.row())
        print(f"| {ranker.name} | {cells} | {tally.stop_phrases} | {cost:.1f} | {ranker.needs} |")
    print(
        f"\n(extra ms/article: on {len(speed_texts)} news articles, "
        "beyond the senter+ner pass the stage makes anyway)\n"
    )


def throughput(nlp: object, texts: list[str], rounds: int) -> None:
    """Extract-stage throughput next to raw nlp.pipe, same components, texts and batch size.

    Rounds alternate raw and stage. Both wall-clock and CPU time are reported: the machine is
    shared, so the CPU-time ratio is the steadier measure of what the stage adds.
    """
    articles = [CleanedArticle(id=str(i), text=t) for i, t in enumerate(texts)]
    words = sum(len(t.split()) for t in texts)
    list(nlp.pipe(texts[:20], batch_size=BATCH))  # type: ignore[attr-defined]
    raw: list[tuple[float, float]] = []
    stage: list[tuple[float, float]] = []
    for _ in range(rounds):
        wall, cpu = time.perf_counter(), time.process_time()
        with nlp.memory_zone():  # type: ignore[attr-defined]
            for doc in nlp.pipe(texts, batch_size=BATCH):  # type: ignore[attr-defined]
                _ = doc.ents
        raw.append((time.perf_counter() - wall, time.process_time() - cpu))
        wall, cpu = time.perf_counter(), time.process_time()
        extract_articles(nlp, articles, ExtractOptions(batch_size=BATCH))  # type: ignore[arg-type]
        stage.append((time.perf_counter() - wall, time.process_time() - cpu))
    print(
        f"## Throughput: {len(texts)} news articles, {words:,} words, "
        f"{rounds} alternating rounds, one process\n"
    )
    header(
        *("run", "articles/s (wall)", "words/s (wall)", "articles/s (CPU)", "words/s (CPU)"),
        *("share of raw (wall)", "share of raw (CPU)"),
    )
    raw_wall, raw_cpu = (statistics.median(t[i] for t in raw) for i in (0, 1))
    components = "+".join(nlp.pipe_names)  # type: ignore[attr-defined]
    for name, runs in ((f"raw nlp.pipe ({components})", raw), ("extract stage", stage)):
        w, c = (statistics.median(t[i] for t in runs) for i in (0, 1))
        print(
            f"| {name} | {len(texts) / w:.1f} | {words / w:,.0f} | {len(texts) / c:.1f} | {words / c:,.0f} | "
            f"{raw_wall / w:.2f} | {raw_cpu / c:.2f} |"
        )
    print(
        f"\nmedians of {rounds} rounds; per round (wall s, CPU s): "
        f"raw {[(round(a, 1), round(b, 1)) for a, b in raw]}, "
        f"stage {[(round(a, 1), round(b, 1)) for a, b in stage]}\n"
    )


if __name__ == "__main__":
    main()
