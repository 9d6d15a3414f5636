"""Where an article names whom: the look-ups the speaker resolver makes for every quotation,
indexed once per article.

Each look-up used to walk the article's mentions (or search its text) from the start for every
quotation, which made a long text full of quotations quadratic: 160,000 characters of quoted
speech took 2.5 s in ``extract_quotes`` where 20,000 took 0.08 s. Indexed here, the cost grows
with the text (``python -m bench.long_texts``). Every answer is the one the walk gave.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from itertools import accumulate

from tasks.extract.speaker_phrases import DETERMINERS, HONORIFICS, ORG_NOUNS, PRONOUNS
from tasks.models import EntityMention

# Up to two capitalised words right before a name ("Per" of "Per Mertesacker").
_LEADING_NAMES = re.compile(r"(?:[A-Z][\w'’-]+ ){0,2}\Z")


class ArticleNames:
    """The mentions of one article (sorted by offset, none inside a quotation) and their names."""

    def __init__(self, text: str, mentions: list[EntityMention], names: dict[int, str]) -> None:
        self.text = text
        self.mentions = mentions
        self.names = names
        self.starts = [m.start for m in mentions]
        # The furthest end of the mentions up to each one: whether any overlaps a stretch.
        self._reach = list(accumulate((m.end for m in mentions), max))
        self._fullest: dict[str, str] = {}
        self._introduced: dict[str, int | None] = {}
        self._by_word: dict[tuple[str, str], list[int]] | None = None
        self._by_title: dict[str, list[int]] | None = None

    def within(self, start: int, end: int) -> list[EntityMention]:
        """The mentions that lie inside ``text[start:end]``, in order."""
        found = self.mentions[bisect_left(self.starts, start) : bisect_left(self.starts, end)]
        return [m for m in found if m.end <= end]

    def overlaps(self, start: int, end: int) -> bool:
        """Whether any mention overlaps ``text[start:end]``."""
        before_end = bisect_left(self.starts, end)
        return before_end > 0 and self._reach[before_end - 1] > start

    def fullest_name(self, words: list[str]) -> str | None:
        """A capitalised name with no entity: its longest form in the text (up to three words)."""
        words = [w.strip(",.") for w in words if w.strip(",.") not in HONORIFICS]
        if not words or not all(w[:1].isupper() and w.lower() not in DETERMINERS for w in words):
            return None
        if len(words) > 3 or words[0].lower() in PRONOUNS:
            return None
        name = " ".join(words)
        if name not in self._fullest:
            forms = []
            for found in re.finditer(re.escape(name) + r"\b", self.text):
                lead = _LEADING_NAMES.search(self.text, max(0, found.start() - 80), found.start())
                form = self.text[lead.start() if lead else found.start() : found.end()]
                kept = (w for w in form.split() if w not in HONORIFICS and w.lower() not in DETERMINERS)
                forms.append(" ".join(kept))
            self._fullest[name] = max(forms, key=len, default=name)
        return self._fullest[name]

    def by_name(self, before: int, words: list[str], labels: set[str]) -> str | None:
        """The entity of these labels, named before, whose name holds a capitalised word of the
        phrase ("Julia" for Julia Louis-Dreyfus, when the model did not take it for a name)."""
        wanted = {w.strip(".,'’s") for w in words if w[:1].isupper() and w.lower() not in DETERMINERS}
        wanted -= HONORIFICS | {"The"}
        if not wanted:
            return None
        if self._by_word is None:
            self._by_word = {}
            for index, mention in enumerate(self.mentions):
                name = self.names.get(mention.start)
                for word in set(name.replace("-", " ").split()) if name else ():
                    self._by_word.setdefault((word, mention.label), []).append(index)
        # The last mention before ``before`` of these labels whose name holds a wanted word.
        limit, last = bisect_right(self.starts, before), -1
        for key in ((word, label) for word in wanted for label in labels):
            indices = self._by_word.get(key, [])
            at = bisect_left(indices, limit) - 1
            if at >= 0:
                last = max(last, indices[at])
        return self.names.get(self.mentions[last].start) if last >= 0 else None

    def titled_person(self, before: int, head: str) -> str | None:
        """The person most recently named with this title before their name ("NASA chief
        scientist Ellen Stofan" for "the scientist")."""
        if not head.isalpha() or head in DETERMINERS or head in ORG_NOUNS:
            return None
        if self._by_title is None:
            self._by_title = {}
            for index, mention in enumerate(self.mentions):
                # The title's last word stands right before the name ("chief scientist Ellen Stofan").
                words = self.text[max(0, mention.start - 40) : mention.start].lower().split()
                if mention.label == "PERSON" and words:
                    self._by_title.setdefault(words[-1].strip(","), []).append(index)
        indices = self._by_title.get(head, [])
        at = bisect_left(indices, bisect_right(self.starts, before)) - 1
        return self.names.get(self.mentions[indices[at]].start) if at >= 0 else None

    def introduced_unnamed(self, before: int, head: str) -> bool:
        """Whether "a … <head>" introduced someone unnamed earlier ("a top government official")."""
        if head not in self._introduced:
            # Lazy, so the first match is the one that ends first: there is one before ``before``
            # exactly when the first ends there.
            pattern = rf"\b(?:a|an)\s+(?:[\w-]+\s+){{0,3}}?{re.escape(head)}\b"
            first = re.search(pattern, self.text, re.IGNORECASE)
            self._introduced[head] = first.end() if first else None
        end = self._introduced[head]
        return end is not None and end <= before
