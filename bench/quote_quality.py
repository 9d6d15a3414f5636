"""Quotations and speakers against hand labels, next to textacy's direct_quotations, in one run.

    python -m bench.quote_quality [DATA] [--split dev|held_out|test|…|test9|seen|all]
        [--rounds N] [--show]

DATA defaults to ../shared/data. The labels are bench/data/quotes/cnndm_quotes.json (offsets into
the FRANK CNN/DM and XSum (BBC) texts and the Zyte pages' hand-made article bodies, which are read
from DATA; see that folder's README for the rules). Prints, per split (``dev``, ``held_out``,
``test``, ``test2`` … ``test9`` and ``all``; ``test6``, 10 BBC texts, and ``test9``, 15 texts of
14 sites from the Zyte pages, are the unseen ones: labelled after the rules had been looked at on
the others, and run once at the end of a round of rule work; ``--split seen`` runs every split but
the unseen ones, for working on rules): quote-span precision/recall/F1 (exact, and overlapping by
at least half of the longer span), speaker accuracy among the quotations found (resolved speaker
right; and the speaker mention overlapping the labelled one), and ms per article, for the extract
stage and for textacy 0.13 ``extract.triples.direct_quotations`` on the full model (it needs the
parser; an odd number of quote marks raises ValueError, counted as no quotations). Then the
extract stage's articles/s with and without quotes over all FRANK texts, alternating rounds in one
process.
``--show`` lists the stage's misses.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tasks.clean.stage import unglue_sentences
from tasks.extract.quotes import extract_quotes
from tasks.extract.stage import ExtractOptions, extract_articles
from tasks.models import CleanedArticle, ExtractedArticle
from worker.nlp import load_pipeline
from worker.settings import Settings

LABELS = Path(__file__).resolve().parent / "data" / "quotes" / "cnndm_quotes.json"
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BATCH = 64
SPLITS = (
    "dev", "held_out", "test", "test2", "test3", "test4", "test5", "test6", "test7", "test8", "test9",
)  # fmt: skip
# Splits whose output is not looked at while rules are written; ``seen`` is every other split.
UNSEEN = ("test6", "test9")
SEEN = tuple(s for s in SPLITS if s not in UNSEEN)
_HONORIFICS = {"mr", "mrs", "ms", "dr", "sir", "lord", "lady", "major", "sister"}


@dataclass
class Found:
    """One system's quotation: span, speaker mention span and resolved name (None if none)."""

    start: int
    end: int
    speaker: tuple[int, int] | None
    name: str | None
    kind: str = "direct"
    # Whether the system says the speaker is a named entity; None: judge by capitals in ``name``.
    named: bool | None = None


@dataclass
class Tally:
    """Counts for one system on one split."""

    gold: int = 0
    found: int = 0
    exact: int = 0
    overlap: int = 0
    speaker_right: int = 0
    mention_right: int = 0
    seconds: float = 0.0
    articles: int = 0
    misses: list[str] = field(default_factory=list)

    def row(self, name: str) -> str:
        """One markdown table row."""
        p_e, r_e = _ratio(self.exact, self.found), _ratio(self.exact, self.gold)
        p_o, r_o = _ratio(self.overlap, self.found), _ratio(self.overlap, self.gold)
        return (
            f"| {name} | {self.gold} | {self.found} | {p_e:.3f} / {r_e:.3f} / {_f1(p_e, r_e):.3f} | "
            f"{p_o:.3f} / {r_o:.3f} / {_f1(p_o, r_o):.3f} | "
            f"{_ratio(self.speaker_right, self.overlap):.3f} | "
            f"{_ratio(self.mention_right, self.overlap):.3f} | "
            f"{1000 * self.seconds / max(1, self.articles):.1f} |"
        )


def main() -> None:
    """Run both systems on the labelled set, then the throughput comparison."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    parser.add_argument("--split", choices=(*SPLITS, "seen", "all"), default="all")
    parser.add_argument("--rounds", type=int, default=3, help="alternating throughput rounds (0: skip)")
    parser.add_argument("--show", action="store_true", help="list the extract stage's misses")
    parser.add_argument("--no-textacy", action="store_true")
    parser.add_argument(
        "--speakers",
        choices=("learned", "rules"),
        default="learned",
        help="speakers chosen by the learned chooser (the stage's default) or by the rules alone",
    )
    parser.add_argument("--keyphrases", action="store_true", help="only the speakers-in-keyphrases test")
    parser.add_argument(
        "--unglued",
        action="store_true",
        help="run on the texts with the space the clean stage puts back between glued sentences "
        "(as the pipeline sees them; the labels' offsets shifted to match)",
    )
    args = parser.parse_args()
    model = Settings().spacy_model
    nlp = load_pipeline(model)
    if args.keyphrases:
        speakers_in_keyphrases(nlp, args.data)
        return
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["articles"]
    texts = _texts(args.data)
    if args.unglued:
        texts, labels = unglued(texts, labels)
    articles = [a for a in labels if _in_split(a, args.split)]
    print(
        f"model {model}, {len(articles)} labelled articles ({args.split}), batch {BATCH}"
        f"{', texts unglued as the clean stage does' if args.unglued else ''}\n"
    )
    ours = run_stage(nlp, articles, texts, args.speakers)
    print(
        f"extract_quotes alone, ms/article CPU (same run, alternating): rules "
        f"{1000 * ours['seconds_rules'] / len(articles):.2f}, learned "
        f"{1000 * ours['seconds_learned'] / len(articles):.2f}; scored: {args.speakers}\n"
    )
    theirs = {} if args.no_textacy else run_textacy(model, articles, texts)
    splits = {"all": (*SPLITS, "all"), "seen": (*SEEN, "seen")}.get(args.split, (args.split,))
    for split in splits:
        print(f"## {split}\n")
        print(
            "| system | gold | found | exact P / R / F1 | overlap P / R / F1 | speaker | mention | ms/art. |"
        )
        print("|---|---|---|---|---|---|---|---|")
        chosen = [a for a in articles if _in_split(a, split)]
        for name, found in (
            (f"extract stage (senter+ner, {args.speakers} speakers)", ours),
            ("textacy direct_quotations", theirs),
        ):
            if found or name.startswith("extract"):
                tally = score(chosen, found, texts)
                print(tally.row(name))
                if args.show and name.startswith("extract"):
                    print("\n".join(tally.misses))
        print()
    if args.rounds:
        throughput(nlp, news_texts(args.data), args.rounds)


def unglued(
    texts: dict[str, str], labels: list[dict[str, Any]]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The texts with the clean stage's ``unglue_sentences`` applied line by line (it only inserts
    spaces), and the labels with their offsets moved to match."""
    out_texts = dict(texts)
    out_labels = []
    for article in labels:
        old = texts[article["id"]]
        new = "\n".join(unglue_sentences(line) for line in old.split("\n"))
        inserted = _insertions(old, new)
        out_texts[article["id"]] = new
        quotes = []
        for quote in article["quotes"]:
            moved = {**quote, "start": _moved(inserted, quote["start"], False)}
            moved["end"] = _moved(inserted, quote["end"], True)
            if quote["speaker_start"] is not None:
                moved["speaker_start"] = _moved(inserted, quote["speaker_start"], False)
                moved["speaker_end"] = _moved(inserted, quote["speaker_end"], True)
            quotes.append(moved)
        out_labels.append({**article, "quotes": quotes})
    return out_texts, out_labels


def _moved(inserted: list[int], offset: int, end: bool) -> int:
    """An offset moved past the spaces inserted before it; a space inserted at a span's first
    character goes before the span, one inserted at its end (exclusive) after it."""
    return offset + (bisect_left(inserted, offset) if end else bisect_right(inserted, offset))


def _insertions(old: str, new: str) -> list[int]:
    """Where in ``old`` the spaces that make ``new`` were inserted (sorted)."""
    at, inserted = 0, []
    for char in new:
        if at < len(old) and old[at] == char:
            at += 1
        elif char == " ":
            inserted.append(at)
        else:
            raise ValueError("the unglued text is not the text with spaces inserted")
    return inserted


def _in_split(article: dict[str, Any], split: str) -> bool:
    return split == "all" or article["split"] == split or (split == "seen" and article["split"] in SEEN)


def _texts(data: Path) -> dict[str, str]:
    """The labelled texts by id: FRANK's CNN/DM and XSum records, and the Zyte pages' hand-made
    article bodies (``test7``: many publishers, measured only)."""
    texts = {}
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        path = data / "news_summarization_frank" / name
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            texts[record["id"]] = record["text"]
    zyte = data / "zyte_article_extraction" / "ground-truth.json"
    for page_id, page in json.loads(zyte.read_text(encoding="utf-8")).items():
        texts[page_id] = page["articleBody"]
    return texts


def news_texts(data: Path) -> list[str]:
    """Real news articles for speed: the FRANK CNN/DM and XSum texts."""
    texts = []
    for name in ("cnndm.jsonl", "xsum.jsonl"):
        path = data / "news_summarization_frank" / name
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines()]
    return texts


def run_stage(
    nlp: Any, articles: list[dict[str, Any]], texts: dict[str, str], speakers: str = "learned"
) -> dict[str, Any]:
    """The extract stage on the raw texts (offsets must index them): quotations per article, with
    speakers chosen by ``speakers``, and the time ``extract_quotes`` alone takes with the rules'
    speakers and with the learned chooser, alternating per article (the stage's model work is
    timed in ``throughput``)."""
    records = [CleanedArticle(id=a["id"], text=texts[a["id"]]) for a in articles]
    done: list[ExtractedArticle] = extract_articles(
        nlp, records, ExtractOptions(batch_size=BATCH, quotes=False)
    )
    found: dict[str, Any] = {"seconds": 0.0, "seconds_rules": 0.0, "seconds_learned": 0.0}
    for index, article in enumerate(done):
        modes = ("rules", "learned") if index % 2 else ("learned", "rules")
        for mode in modes:
            clock = time.process_time()
            got = extract_quotes(
                article.text, article.sentences, article.entities, article.canonical_entities, mode
            )
            found[f"seconds_{mode}"] += time.process_time() - clock
            if mode == speakers:
                quotes = got
        found["seconds"] = found[f"seconds_{speakers}"]
        found[article.id] = [
            Found(
                q.start,
                q.end,
                _pair(q.speaker_start, q.speaker_end),
                q.speaker_entity or q.speaker,
                q.kind,
                named=q.speaker_entity is not None,
            )
            for q in quotes
        ]
    return found


def run_textacy(model: str, articles: list[dict[str, Any]], texts: dict[str, str]) -> dict[str, Any]:
    """textacy's direct_quotations on the full model (parser included), timed with the parse."""
    import spacy
    from textacy.extract.triples import direct_quotations

    full = spacy.load(model)
    found: dict[str, Any] = {"seconds": 0.0}
    clock = time.process_time()
    for article, doc in zip(
        articles, full.pipe([texts[a["id"]] for a in articles], batch_size=BATCH), strict=True
    ):
        try:
            triples = list(direct_quotations(doc))
        except ValueError:  # an odd number of quote marks
            triples = []
        found[article["id"]] = [_textacy_found(t) for t in triples]
    found["seconds"] = time.process_time() - clock
    return found


def _textacy_found(triple: Any) -> Found:
    content = triple.content
    start, end = content.start_char, content.end_char
    text = content.doc.text
    while start < end and (text[start].isspace() or text[start] in "\"'‘’“”"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in "\"'‘’“”"):
        end -= 1
    speaker = triple.speaker
    span = (speaker[0].idx, speaker[-1].idx + len(speaker[-1])) if speaker else None
    name = text[span[0] : span[1]] if span else None
    return Found(start, end, span, name)


def score(articles: list[dict[str, Any]], found: dict[str, Any], texts: dict[str, str]) -> Tally:
    """Spans matched one to one (exact, then overlapping), speakers judged on overlap matches."""
    tally = Tally(articles=len(articles))
    for article in articles:
        gold = article["quotes"]
        pred = list(found.get(article["id"], []))
        tally.gold += len(gold)
        tally.found += len(pred)
        used: set[int] = set()
        for g in gold:
            match = _best(g, pred, used)
            if match is None:
                tally.misses.append(f"miss {article['id'][:8]} {g['start']}-{g['end']}")
                continue
            used.add(match)
            p = pred[match]
            tally.overlap += 1
            tally.exact += (p.start, p.end) == (g["start"], g["end"])
            right = _speaker_right(g, p)
            tally.speaker_right += right
            tally.mention_right += _mention_right(g, p)
            if not right:
                text = texts[article["id"]]
                said = text[p.speaker[0] : p.speaker[1]] if p.speaker else None
                tally.misses.append(
                    f"speaker {article['id'][:8]} {g['start']} gold={g['speaker_entity']!r} "
                    f"got={p.name!r} mention={said!r}"
                )
        tally.misses += [
            f"extra {article['id'][:8]} {p.start}-{p.end}" for i, p in enumerate(pred) if i not in used
        ]
    per_article = [key for key in found if not key.startswith("seconds")]
    tally.seconds = found.get("seconds", 0.0) * len(articles) / max(1, len(per_article))
    return tally


def _best(gold: dict[str, Any], pred: list[Found], used: set[int]) -> int | None:
    best, best_share = None, 0.5
    for index, p in enumerate(pred):
        if index in used:
            continue
        inter = min(p.end, gold["end"]) - max(p.start, gold["start"])
        share = inter / max(p.end - p.start, gold["end"] - gold["start"])
        if share >= best_share:
            best, best_share = index, share
    return best


def _speaker_right(gold: dict[str, Any], p: Found) -> bool:
    """The resolved speaker is right: the same name, or both unnamed with the same mention, or
    both without a speaker."""
    if gold["speaker_entity"]:
        return p.name is not None and _same_name(gold["speaker_entity"], p.name)
    if gold["speaker_start"] is None:
        return p.speaker is None
    if p.named is not None:  # the stage says whether it named someone ("an FBI source": no)
        return _mention_right(gold, p) and not p.named
    return _mention_right(gold, p) and (p.name is None or not any(c.isupper() for c in p.name[1:]))


def _mention_right(gold: dict[str, Any], p: Found) -> bool:
    if gold["speaker_start"] is None or p.speaker is None:
        return gold["speaker_start"] is None and p.speaker is None
    return min(p.speaker[1], gold["speaker_end"]) > max(p.speaker[0], gold["speaker_start"])


def _same_name(a: str, b: str) -> bool:
    """Names match when one's words (honorifics aside) are all among the other's."""
    words_a, words_b = (_name_words(x) for x in (a, b))
    return bool(words_a and words_b) and (words_a <= words_b or words_b <= words_a)


def _name_words(name: str) -> set[str]:
    # Accents folded: a text may spell one person "Åsberg" and "Asberg".
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = {w.strip(".,'’s").lower() for w in folded.replace("-", " ").split()}
    return {w for w in words if w and w not in _HONORIFICS}


def throughput(nlp: Any, texts: list[str], rounds: int) -> None:
    """The extract stage's articles/s with and without quotes, alternating rounds in one process."""
    articles = [CleanedArticle(id=str(i), text=t) for i, t in enumerate(texts)]
    extract_articles(nlp, articles[:20], ExtractOptions(batch_size=BATCH))
    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(rounds):
        for quotes in (False, True):
            wall, cpu = time.perf_counter(), time.process_time()
            extract_articles(nlp, articles, ExtractOptions(batch_size=BATCH, quotes=quotes))
            runs[quotes].append((time.perf_counter() - wall, time.process_time() - cpu))
    print(
        f"## Extract stage throughput: {len(texts)} FRANK texts, {rounds} alternating rounds, one process\n"
    )
    print("| run | articles/s (wall) | articles/s (CPU) |\n|---|---|---|")
    medians = {q: [statistics.median(t[i] for t in runs[q]) for i in (0, 1)] for q in runs}
    for quotes, label in ((False, "without quotes"), (True, "with quotes")):
        wall, cpu = medians[quotes]
        print(f"| {label} | {len(texts) / wall:.1f} | {len(texts) / cpu:.1f} |")
    loss_wall = 1 - medians[False][0] / medians[True][0]
    loss_cpu = 1 - medians[False][1] / medians[True][1]
    print(f"\nloss with quotes: {100 * loss_wall:.1f} % (wall), {100 * loss_cpu:.1f} % (CPU)")
    # The rounds' difference is within the noise of a shared machine: time the quotes alone too.
    done = extract_articles(nlp, articles, ExtractOptions(batch_size=BATCH, quotes=False))
    clock = time.process_time()
    for article in done:
        extract_quotes(article.text, article.sentences, article.entities, article.canonical_entities)
    alone = (time.process_time() - clock) / len(done)
    stage = medians[False][1] / len(texts)
    print(
        f"extract_quotes alone: {1000 * alone:.2f} ms/article CPU, {100 * alone / stage:.1f} % of the "
        f"stage without quotes ({1000 * stage:.1f} ms/article CPU)"
    )


def speakers_in_keyphrases(nlp: Any, data: Path) -> None:
    """Do quoted speakers make better keyphrases? The stage's top 10 against the hand-written
    gold phrases (bench/data/canonical_set.jsonl and the seed), next to two ways of adding the
    distinct speaker entities: in place of the last phrases, and ahead of the ranked ones."""
    from bench.handset import PhraseTally, load_handset
    from tasks.clean.stage import clean_article
    from tasks.models import parse_record

    handset = load_handset(data)
    cleaned = [clean_article(parse_record({"id": a.id, "title": a.title, "text": a.text})) for a in handset]
    done = extract_articles(nlp, cleaned, ExtractOptions(batch_size=BATCH))
    tallies = {
        name: PhraseTally() for name in ("ranker alone", "speakers replace the last", "speakers first")
    }
    with_speakers = 0
    for gold, article in zip(handset, done, strict=True):
        ranked = [k.text for k in article.keyphrases][:10]
        seen = {k.lower() for k in ranked}
        speakers = list(dict.fromkeys(q.speaker_entity for q in article.quotes if q.speaker_entity))
        new = [name for name in speakers if name.lower() not in seen]
        with_speakers += bool(speakers)
        tallies["ranker alone"].add(gold.keyphrases, ranked)
        tallies["speakers replace the last"].add(gold.keyphrases, (ranked[: 10 - len(new)] + new)[:10])
        tallies["speakers first"].add(gold.keyphrases, (new + ranked)[:10])
    print(
        f"## Speakers in keyphrases: {len(handset)} articles with gold phrases, "
        f"{with_speakers} quote a speaker"
    )
    print("\n| keyphrases | exact P | exact R | exact F1 | partial P | partial R | partial F1 |")
    print("|---|---|---|---|---|---|---|")
    for name, tally in tallies.items():
        print(f"| {name} | " + " | ".join(f"{v:.3f}" for v in tally.row()) + " |")


def _pair(start: int | None, end: int | None) -> tuple[int, int] | None:
    return (start, end) if start is not None and end is not None else None


def _ratio(a: int, b: int) -> float:
    return a / b if b else 0.0


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


if __name__ == "__main__":
    main()
