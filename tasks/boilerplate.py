"""Boilerplate in plain text: the share bars, login prompts and menus a scraper leaves behind.

Works line by line, with no markup to lean on. A line is boilerplate when it matches one of the
phrases web pages put around articles, or when it is a short non-sentence line in the block of
such lines that surrounds the article body.
"""

from __future__ import annotations

import re

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
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
MIN_CONTENT_WORDS = 10


def is_boilerplate_line(line: str) -> bool:
    """True for a line that is page furniture ("Share This:", "Lost your password?")."""
    return bool(_BOILERPLATE_LINE.match(line.strip()))


def is_content_line(line: str) -> bool:
    """True for a line that reads like article prose: long enough and ending like a sentence."""
    stripped = line.strip()
    words = stripped.split()
    if len(words) >= 2 * MIN_CONTENT_WORDS:
        return True
    return len(words) >= MIN_CONTENT_WORDS and bool(_SENTENCE_END.search(stripped))


def strip_boilerplate(lines: list[str]) -> list[str]:
    """Drop boilerplate lines, and the runs of short non-sentence lines before and after the body."""
    kept = [line for line in lines if line.strip() and not is_boilerplate_line(line)]
    content = [index for index, line in enumerate(kept) if is_content_line(line)]
    if not content:
        return kept
    first, last = content[0], content[-1]
    return kept[first : last + 1]
