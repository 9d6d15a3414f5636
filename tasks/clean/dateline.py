"""Datelines and bylines at the top of an article body, split off into their own fields."""

from __future__ import annotations

import re
from dataclasses import dataclass

# "ISLAMABAD –", "WASHINGTON (Reuters) -", "LONDON, March 3 (AP) —", "NEW YORK:", "Paris, France —"
_DATELINE = re.compile(
    r"""^(?P<place>
            [A-Z][A-Z.'’\- ]{1,40}[A-Z.]            # ALL-CAPS place: ISLAMABAD, NEW YORK, ST. LOUIS
            (?:,\s*[A-Z][A-Za-z.'’\- ]{1,30})?      # optional region: ", Calif."
        )
        (?:,\s*(?P<date>[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:,\s*\d{4})?))?   # optional date
        \s*(?:\((?P<agency>[A-Za-z .&'’]{2,30})\))?  # optional agency
        \s*(?:[–—-]{1,2}|:)\s+
    """,
    re.VERBOSE,
)
# Wire services and broadcasters that sign a story's first line: "(CNN)", "Boston (CNN)", "(AP) —".
_AGENCIES = "|".join(
    (
        *("CNN", "Reuters", "AP", "AFP", "UPI", "Bloomberg", "dpa", "DPA", "PTI", "IANS", "ANI"),
        *("Xinhua", "EFE", "ANSA", "Kyodo", "Yonhap", "BBC", "CNBC", "Sky News"),
    )
)
# "Kathmandu, Nepal (CNN)", "(CNN)", "Boston (CNN) --": a title-case place is only trusted before a
# named agency, and the agency's bracket may run straight into the first sentence, as CNN's does.
_AGENCY_DATELINE = re.compile(
    rf"""^(?:(?P<place>[A-Z][\w.'’\-]*(?:,?\ [A-Z][\w.'’\-]*){{0,4}}),?\s*)?
        \((?P<agency>{_AGENCIES})\)\s*(?:[–—-]{{1,2}}\s*|:\s*)?
    """,
    re.VERBOSE,
)
_NAME = r"[A-Z][\w.'’\-]+(?:\s+(?:[A-Z][\w.'’\-]+|de|van|von|der|da|al|bin|el|la|le)){1,4}"
_BYLINE = re.compile(
    rf"^(?:By|BY|Written by|Reporting by)\s+(?P<names>{_NAME}(?:(?:,\s*|\s+and\s+|\s*&\s*){_NAME})*)"
    r"(?:\s*[,|–—-]\s*[^\n]{0,80})?$"
)
MAX_BYLINE_CHARACTERS = 120


@dataclass(frozen=True, slots=True)
class Dateline:
    """The place (and agency, if named) of a dateline, and the body after it."""

    place: str | None
    agency: str | None
    body: str


def split_dateline(body: str) -> Dateline | None:
    """Split a leading dateline ("ISLAMABAD – The ...", "(CNN)The ...") off the body, if there is one."""
    match = _DATELINE.match(body)
    if not match:
        return _agency_dateline(body)
    place = match.group("place").strip().rstrip(",")
    rest = body[match.end() :]
    # A dateline is followed by the first sentence of the story; and its place has at least one
    # word of two or more letters.
    if not _starts_a_sentence(rest):
        return None
    if not re.search(r"[A-Z]{2,}", place):
        return None
    return Dateline(place=place, agency=match.group("agency"), body=rest)


def _agency_dateline(body: str) -> Dateline | None:
    match = _AGENCY_DATELINE.match(body)
    if not match:
        return None
    rest = body[match.end() :]
    if not _starts_a_sentence(rest):
        return None
    place = match.group("place")
    place = place.strip().rstrip(",") if place else None
    return Dateline(place=place, agency=match.group("agency"), body=rest)


def _starts_a_sentence(text: str) -> bool:
    """True when text opens like a story's first sentence: a capital, a digit or a quote."""
    return bool(text) and (text[0].isupper() or text[0].isdigit() or text[0] in "\"“'‘")


def is_byline(line: str) -> bool:
    """True for a byline paragraph: "By Jane Doe", "By Jane Doe, Reuters"."""
    line = line.strip()
    return len(line) <= MAX_BYLINE_CHARACTERS and bool(_BYLINE.match(line))


def split_byline(paragraphs: list[str]) -> tuple[str | None, list[str]]:
    """Take a "By Jane Doe" paragraph off the top of the body, if there is one."""
    for index, paragraph in enumerate(paragraphs[:3]):
        if is_byline(paragraph):
            return paragraph.strip(), paragraphs[:index] + paragraphs[index + 1 :]
    return None, paragraphs


def byline_names(byline: str) -> str | None:
    """The names in a byline ("By Jane Doe, Reuters" -> "Jane Doe")."""
    match = _BYLINE.match(byline.strip())
    return match.group("names").strip() if match else None
