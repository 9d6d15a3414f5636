"""The hand-labelled set: short news-style articles written for this project, with the canonical
entities and keyphrases a reader expects, plus the seed article's expected entities; and scoring.

Merge scoring is pairwise over surface forms: two forms of one gold entity that the stage puts in
one canonical entity are a right merge; two forms of different gold entities in one canonical
entity are a wrong merge. Precision = right / all merges made; recall = right / all merges the
gold asks for among forms the stage found at all (finding a name is NER's job, not merging's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from tasks.models import CanonicalEntity

DATA = Path(__file__).resolve().parent / "data"
FAMILY = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE", "FAC": "PLACE", "PLACE": "PLACE"}


@dataclass
class GoldArticle:
    """One article and what a reader expects of it."""

    id: str
    text: str
    title: str | None
    entities: list[dict[str, object]]
    keyphrases: list[str]


def load_handset(data_dir: Path) -> list[GoldArticle]:
    """The written set plus the seed article (read from the shared data folder)."""
    articles = []
    for line in (DATA / "canonical_set.jsonl").read_text(encoding="utf-8").splitlines():
        item = json.loads(line)
        articles.append(
            GoldArticle(item["id"], item["text"], item["title"], item["entities"], item["keyphrases"])
        )
    seed = json.loads((DATA / "seed_gold.json").read_text(encoding="utf-8"))
    seed_text = (data_dir / "seed" / "seed-article.txt").read_text(encoding="utf-8")
    articles.append(GoldArticle("seed", seed_text, None, seed["entities"], seed["keyphrases"]))
    return articles


@dataclass
class MergeTally:
    """Merge pairs and entity matches over the whole set."""

    right: int = 0
    made: int = 0
    wanted: int = 0
    wrong: list[str] = field(default_factory=list)
    names_right: int = 0
    names_predicted: int = 0
    names_gold: int = 0
    split: list[str] = field(default_factory=list)

    def add(self, gold: list[dict[str, object]], predicted: Iterable[CanonicalEntity], article: str) -> None:
        """Score one article's canonical entities."""
        predicted = [e for e in predicted if e.label in FAMILY]
        owner = {form: str(g["name"]) for g in gold for form in _forms(g)}
        found = {form for e in predicted for form in e.aliases}
        gold_pairs = {
            pair for g in gold for pair in combinations(sorted(f for f in _forms(g) if f in found), 2)
        }
        made_pairs = {
            pair
            for e in predicted
            for pair in combinations(sorted(f for f in set(e.aliases) if f in owner), 2)
        }
        self.wanted += len(gold_pairs)
        self.made += len(made_pairs)
        self.right += len(made_pairs & gold_pairs)
        self.wrong += [f"{article}: {a} + {b}" for a, b in sorted(made_pairs - gold_pairs)]
        gold_names = {(str(g["name"]), FAMILY.get(str(g["label"]), "OTHER")) for g in gold}
        gold_names = {n for n in gold_names if n[1] != "OTHER"}
        names = {(e.name, FAMILY[e.label]) for e in predicted}
        self.names_gold += len(gold_names)
        self.names_predicted += len(names)
        self.names_right += len(names & gold_names)
        for g in gold:
            holders = [e for e in predicted if set(e.aliases) & set(_forms(g))]
            if len(holders) > 1:
                self.split.append(f"{article}: {g['name']} -> {sorted(e.name for e in holders)}")

    def merge_prf(self) -> tuple[float | None, float, float | None]:
        """Merge precision (None when no merge was made), recall and F1."""
        p = self.right / self.made if self.made else None
        r = self.right / self.wanted if self.wanted else 0.0
        f = 2 * p * r / (p + r) if p is not None and p + r else None
        return p, r, f

    def name_prf(self) -> tuple[float, float, float]:
        """Precision, recall and F1 of (best name, type) against the gold entities."""
        p = self.names_right / self.names_predicted if self.names_predicted else 0.0
        r = self.names_right / self.names_gold if self.names_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _forms(gold: dict[str, object]) -> list[str]:
    aliases = gold.get("aliases") or [gold["name"]]
    assert isinstance(aliases, list)
    return [str(a) for a in aliases]


REPORTING = {"said", "says", "say", "told", "tells", "added", "according", "asked"}


def norm_phrase(phrase: str) -> tuple[str, ...]:
    """A phrase as words for matching: lower case, no possessive, a light plural fold."""
    words = re.findall(r"[a-z0-9]+(?:[-'][a-z0-9]+)*", phrase.lower().replace("’", "'"))
    words = [w[:-2] if w.endswith("'s") else w for w in words]
    return tuple(w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words)


@dataclass
class PhraseTally:
    """Keyphrase matches over the whole set: exact (after normalising) and partial."""

    exact: int = 0
    partial: int = 0
    predicted: int = 0
    gold: int = 0
    gold_exact: int = 0
    gold_partial: int = 0
    stop_phrases: int = 0
    articles: int = 0

    def add(self, gold: list[str], predicted: list[str]) -> None:
        """Score one article's ranked phrases."""
        g = [norm_phrase(x) for x in gold]
        p = [norm_phrase(x) for x in predicted]
        self.articles += 1
        self.predicted += len(p)
        self.gold += len(g)
        self.exact += sum(1 for x in p if x in g)
        self.partial += sum(1 for x in p if any(_overlaps(x, y) for y in g))
        self.gold_exact += sum(1 for y in g if y in p)
        self.gold_partial += sum(1 for y in g if any(_overlaps(x, y) for x in p))
        self.stop_phrases += sum(1 for x in predicted if set(x.lower().split()) & REPORTING)

    def row(self) -> tuple[float, float, float, float, float, float]:
        """Exact P, R, F1 and partial P, R, F1."""
        ep = self.exact / self.predicted if self.predicted else 0.0
        er = self.gold_exact / self.gold if self.gold else 0.0
        pp = self.partial / self.predicted if self.predicted else 0.0
        pr = self.gold_partial / self.gold if self.gold else 0.0
        return ep, er, _f(ep, er), pp, pr, _f(pp, pr)


def _overlaps(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Partial match: the shorter phrase's words all occur in the longer one."""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    return bool(short) and set(short) <= set(long)


def _f(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0
