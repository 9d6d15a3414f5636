"""Boilerplate in plain text: the menus, teasers, share bars and login prompts a scraper leaves behind.

Works line by line, with no markup to lean on. A line is *content* when it reads like article
prose (long enough, ending like a sentence), and *boilerplate* when it matches one of the
phrases web pages put around articles. The article body is taken to be one run of content lines,
where runs are broken by more than ``MAX_GAP`` non-content lines in a row; of those runs the one
with the most prose wins, and a run that starts just after a repeat of the page's headline (the
``<h1>`` a flattened page shows above its body) counts double, since teaser lists and comment
threads are also prose but never sit under the article's own headline.

Text with no page furniture at all (``has_page_furniture`` is false: wire copy, a CMS export, an
article someone saved as text) needs none of that and is kept whole: its tables, lists and
sub-headings are the article's own.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Sequence

from tasks.clean.words import CLAUSE_STOPS, CLOSERS, ENDS_LIKE_A_SENTENCE, SENTENCE_STOPS, word_tokens

# Phrases that, making up (nearly) a whole line, mark it as page furniture rather than article.
_BOILERPLATE_LINE = re.compile(
    r"""^\W*(?:
        share\ (?:this|on|via)\b.* | share | tweet | email | print | pin\ it |
        (?:welcome!?\ )?log\ ?in(?:\ to\ your\ account)?\b.* | sign\ (?:in|up)\b.* | register\b.* |
        remember\ me.* | lost\ (?:your\ )?password\b.* | forgot\ (?:your\ )?password\b.* |
        don'?t\ have\ (?:an\ )?account.* | create\ (?:an\ )?account.* |
        subscribe\b.* | (?:sign\ up\ for|get)\ (?:our|the)\ newsletter.* | newsletter |
        advertisement | sponsored(?:\ content)? | related(?:\ articles|\ stories|\ posts)?:? |
        read\ more\b.* | click\ here\b.* | (?:we\ use|this\ (?:site|website)\ uses)\ cookies.* |
        accept(?:\ all)?(?:\ cookies)? | cookie\ (?:policy|settings)\b.* | privacy\ policy |
        terms\ (?:of\ (?:use|service)|and\ conditions) | all\ rights\ reserved.* | ©.* | copyright\b.* |
        (?:leave\ a\ |post\ a\ )?(?:comment|reply)s?:? | \d+\ comments? | skip\ to\ (?:main\ )?content |
        follow\ us\b.* | (?:facebook|twitter|linkedin|whatsapp|pinterest|reddit|telegram)
    )\W*$""",
    re.IGNORECASE | re.VERBOSE,
)
# What separates a headline from the site name in a page title: "Headline - Site", "Site | Headline".
_TITLE_SEPARATOR = re.compile(r"\s+[|–—-]\s+|\s*\|\s*|\s+::\s+")
MIN_CONTENT_WORDS = 10
MAX_GAP = 6
HEADLINE_BONUS = 2.0
HEADLINE_REACH = 6
UNFINISHED_WEIGHT = 0.5


# A share bar glued to the text that follows it, as scrapers flatten it:
# "Share this withEmailFacebookMessengerTwitterPinterestWhatsAppLinkedinCopy this linkResearchers found…"
_SHARE_WIDGET = re.compile(
    r"""^\W*share(?:\ this)?(?:\ (?:with|on|via))?:?\s*
        (?:(?:e-?mail|facebook|messenger|twitter|pinterest|whats\s?app|linked\s?in|reddit|telegram|
             copy\ (?:this\ )?link|print)\s*[,|·•]?\s*)+""",
    re.IGNORECASE | re.VERBOSE,
)
# Longer than this, a line is text, whatever phrase it starts with.
MAX_BOILERPLATE_WORDS = 12
# Navigation and link lists: short lines with no digits and no closing punctuation, one after
# another. Article copy has a sub-heading or a two-line label at a time; MENU_RUN of them in a
# row is a menu. Both numbers measured by bench/clean_quality.py (see bench/README.md).
MENU_LINE_WORDS = 8
MENU_RUN = 3
_LINE_END = re.compile(f"[{re.escape(SENTENCE_STOPS + CLAUSE_STOPS + CLOSERS)},，、]$")
_DIGIT = re.compile(r"\d")
# Link separators between menu items flattened onto one line: "Home | News | Sport".
_NAV_SEPARATOR = re.compile(r"\s[|•·»›]\s")


def is_boilerplate_line(line: str) -> bool:
    """True for a short line that is page furniture ("Share This:", "Lost your password?")."""
    stripped = line.strip()
    return len(word_tokens(stripped)) <= MAX_BOILERPLATE_WORDS and bool(_BOILERPLATE_LINE.match(stripped))


def strip_share_widget(line: str) -> str:
    """The line without a share bar glued to its start."""
    match = _SHARE_WIDGET.match(line)
    return line[match.end() :] if match and match.end() < len(line) else line


def is_content_line(line: str) -> bool:
    """True for a line that reads like article prose: long enough and ending like a sentence."""
    stripped = line.strip()
    words = len(word_tokens(stripped))
    if words >= 2 * MIN_CONTENT_WORDS:
        return True
    return words >= MIN_CONTENT_WORDS and bool(ENDS_LIKE_A_SENTENCE.search(stripped))


def is_link_bar(line: str) -> bool:
    """True for menu items flattened onto one line between separators ("Home | News | Sport")."""
    stripped = line.strip()
    return bool(_NAV_SEPARATOR.search(stripped)) and not _LINE_END.search(stripped)


def is_menu_line(line: str, max_words: int = MENU_LINE_WORDS) -> bool:
    """True for a line that reads like a menu item or a link: short, no digits, no closing punctuation."""
    stripped = line.strip()
    return (
        not _LINE_END.search(stripped)
        and not _DIGIT.search(stripped)
        and 0 < len(word_tokens(stripped)) <= max_words
    )


def has_page_furniture(
    lines: Sequence[str], menu_words: int = MENU_LINE_WORDS, menu_run: int = MENU_RUN
) -> bool:
    """True when text carries page furniture: a boilerplate phrase, a separated link bar, or a menu.

    A menu is ``menu_run`` menu lines in a row (a link bar is furniture on its own, so it need not
    count as a menu line). Text without any of these is article copy as it is (wire copy with its
    results tables, a CMS body with its lists) and nothing in it is cut.
    """
    run = 0
    for line in lines:
        if is_boilerplate_line(line) or is_link_bar(line):
            return True
        run = run + 1 if is_menu_line(line, menu_words) else 0
        if run >= menu_run:
            return True
    return False


def headline_of(title: str) -> str:
    """The headline part of a page title: its longest part between separators."""
    parts = [part for part in _TITLE_SEPARATOR.split(title) if part.strip()]
    return max(parts, key=lambda part: len(word_tokens(part))) if parts else title


def is_headline(line: str, headline: str) -> bool:
    """True when a line repeats the headline (allowing a few words more or less)."""
    head = {word.lower() for word in word_tokens(headline)}
    words = word_tokens(line)
    if not head or not words or len(words) > 2 * len(head) + 3:
        return False
    common = head & {word.lower() for word in words}
    return len(common) >= 0.8 * len(head) and len(common) >= 0.6 * len(set(words))


def content_runs(lines: Sequence[str], max_gap: int = MAX_GAP) -> list[tuple[int, int]]:
    """(start, end) of every run of content lines broken by no more than ``max_gap`` other lines."""
    runs: list[tuple[int, int]] = []
    start: int | None = None
    last = gap = 0
    for index, line in enumerate(lines):
        if is_content_line(line):
            start = index if start is None else start
            last, gap = index, 0
        elif start is not None:
            gap += 1
            if gap > max_gap:
                runs.append((start, last + 1))
                start, gap = None, 0
    if start is not None:
        runs.append((start, last + 1))
    return runs


def _prose_weight(line: str) -> float:
    if not is_content_line(line):
        return 0.0
    words = len(word_tokens(line))
    return float(words) if ENDS_LIKE_A_SENTENCE.search(line.rstrip()) else UNFINISHED_WEIGHT * words


def best_run(lines: Sequence[str], title: str | None = None) -> tuple[int, int] | None:
    """(start, end) of the run of content lines most likely to be the article, or None."""
    runs = content_runs(lines)
    if not runs:
        return None
    headline = headline_of(title) if title else ""
    anchors = [index for index, line in enumerate(lines) if headline and is_headline(line, headline)]

    def weight(run: tuple[int, int]) -> float:
        prose = sum(_prose_weight(line) for line in lines[run[0] : run[1]])
        # Is there a headline line in the HEADLINE_REACH lines above the run? (anchors are sorted)
        nearest = bisect_left(anchors, run[0]) - 1
        under_headline = nearest >= 0 and anchors[nearest] >= run[0] - HEADLINE_REACH
        return prose * HEADLINE_BONUS if under_headline else prose

    return max(runs, key=weight)


def strip_boilerplate(lines: list[str], title: str | None = None) -> list[str]:
    """The article's lines: the best run of content lines, without boilerplate lines."""
    lines = [line for line in lines if line.strip()]
    return run_lines(lines, best_run(lines, title))


def run_lines(lines: Sequence[str], run: tuple[int, int] | None) -> list[str]:
    """The lines of a run without boilerplate lines (with no run, every line but boilerplate)."""
    start, end = run if run is not None else (0, len(lines))
    return [line for line in lines[start:end] if not is_boilerplate_line(line)]
