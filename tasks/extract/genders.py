"""Whether an article tells a person's sex: honorifics before the surname, pronouns after the name.

The speaker resolver lets "he" and "she" pass over a person the text calls the other, and the
speaker features compare a pronoun with each candidate. Read from the article alone, once per name.
"""

from __future__ import annotations

import re

from tasks.extract.names import MEN_HONORIFICS, WOMEN_HONORIFICS
from tasks.models import EntityMention

_SEXED = "|".join(sorted(MEN_HONORIFICS | WOMEN_HONORIFICS))
_HONORIFIC_NAME = re.compile(rf"\b({_SEXED})\.?\s+([A-Z][\w'’-]+)")
_THIRD_PERSON = re.compile(r"\b(?:he|his|him|she|her|hers)\b", re.IGNORECASE)
_FEMININE = {word.lower() for word in WOMEN_HONORIFICS} | {"she", "her", "hers"}
# A quotation between a name and a pronoun: the pronoun attributes it, maybe to someone else.
_QUOTED = re.compile('["“”‘]')


class Genders:
    """ "m" or "f" per canonical name when the article says so, else None."""

    def __init__(self, text: str, mentions: list[EntityMention], names: dict[int, str]) -> None:
        self.text = text
        self.mentions = mentions
        self.names = names
        self._known: dict[str, str | None] = {}
        self._honorifics: dict[str, dict[str, int]] | None = None

    @property
    def honorifics(self) -> dict[str, dict[str, int]]:
        """How often each capitalised word follows a man's or a woman's honorific ("Ms Sturgeon")."""
        if self._honorifics is None:
            self._honorifics = {}
            for found in _HONORIFIC_NAME.finditer(self.text):
                sex = "f" if found.group(1).lower() in _FEMININE else "m"
                counts = self._honorifics.setdefault(found.group(2), {"m": 0, "f": 0})
                counts[sex] += 1
        return self._honorifics

    def of(self, name: str | None) -> str | None:
        """ "m" or "f" when the text says so of this person (an honorific before a mention, or the
        first "he"/"his" or "she"/"her" after one), else None."""
        if name is None:
            return None
        if name not in self._known:
            votes = {"m": 0, "f": 0}
            for mention in self.mentions:
                if self.names.get(mention.start) != name:
                    continue
                after = _THIRD_PERSON.search(self.text, mention.end, mention.end + 150)
                if after and not _QUOTED.search(self.text, mention.end, after.start()):
                    votes["f" if after.group().lower() in _FEMININE else "m"] += 1
            # Honorifics before the surname anywhere, whether or not the model took it for a name
            # ("Ms Sturgeon"): firmer than a pronoun nearby, so they count twice.
            for sex, count in self.honorifics.get(name.split()[-1], {}).items():
                votes[sex] += 2 * count
            self._known[name] = None if votes["m"] == votes["f"] else max(votes, key=lambda g: votes[g])
        return self._known[name]
