"""The date parser's warm-up fills the caches htmldate's parser reads (in a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.harness import REPO

# How many locales have their split expression compiled, before and after: the warm-up, then one
# date through htmldate's own parser (what the clean stage calls), which must compile no new locale.
PROBE = """
import json
from dateparser.languages.dictionary import Dictionary
from htmldate.extractors import get_external_parser
from tasks.clean.warm_up import warm_up_date_parser

def compiled():
    return sum(len(locales) for locales in Dictionary._split_regex_cache.values())

before = compiled()
warm_up_date_parser()
warmed = compiled()
date = get_external_parser().get_date_data("12. März 2014")["date_obj"]
print(json.dumps({"before": before, "warmed": warmed, "after": compiled(), "date": str(date)}))
"""


def test_warm_up_compiles_every_locale_htmldate_then_uses() -> None:
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=REPO, capture_output=True, text=True, check=True, timeout=300
    ).stdout
    counts = json.loads(out.strip().splitlines()[-1])
    assert counts["before"] == 0
    assert counts["warmed"] >= 100  # dateparser 1.x knows ~200 locales and tries them all
    assert counts["after"] == counts["warmed"]
    assert counts["date"].startswith("2014-03-12")
