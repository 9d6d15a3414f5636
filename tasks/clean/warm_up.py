"""Warm-up of the date parser, so that no article pays for it.

The metadata step's date guessing (htmldate's extensive search) hands some strings to dateparser,
which, asked with no language, tries every one of its ~200 locales and compiles each locale's
regular expressions on first use: about 6-10 s of CPU and 44 MiB, once per process, inside
whichever article first reaches it (measured 2026-11-30: 8.7 s on the first such page, 0.03-0.1 s
on later ones). The caches are dateparser's own and shared by every parser instance, so one
parse here fills them for htmldate's parser too. Workers call this in the main process before the
pool forks (the pool processes, and every later replacement, inherit the filled caches).
"""

from __future__ import annotations

import dateparser

# A string no locale's fast path settles, so that every locale's dictionary is tried and compiled.
WARM_UP_TEXT = "Updated: 14:27 GMT, 12 March 2014"


def warm_up_date_parser() -> None:
    """Compile dateparser's per-locale expressions now (seconds of CPU, once per process)."""
    dateparser.DateDataParser().get_date_data(WARM_UP_TEXT)
