"""The errors the pipeline raises, by what should happen next.

::

    NewsflowError                 base of everything newsflow raises on purpose
    ├── TransientError            worth retrying with backoff (Redis blip, time-out)
    └── PermanentError            retrying cannot help: dead-lettered with its reason
        ├── InvalidRecord         the input record is not a valid article record
        ├── InputTooLarge         the input is over the configured size limit
        ├── UndecodableInput      bytes that are not text in any encoding we accept
        ├── UnsupportedContent    a content type the cleaner does not handle
        ├── EmptyArticle          nothing of the article is left after cleaning
        ├── PoisonArticle         delivered again and again without finishing: it kills its worker
        └── RefusedMessage        a queue message that is not a JSON task of ours (pickle, garbage)

Library exceptions are caught at the boundary and re-raised as one of these with ``from exc``.
"""

from __future__ import annotations


class NewsflowError(Exception):
    """Base of every error newsflow raises on purpose."""


class TransientError(NewsflowError):
    """A failure that may pass: retry with backoff, a bounded number of times."""


class PermanentError(NewsflowError):
    """A failure that retrying cannot fix: send the record to the dead-letter stream."""


class InvalidRecord(PermanentError):
    """The input record is not a valid article record."""


class InputTooLarge(PermanentError):
    """The input is larger than the configured limit."""


class UndecodableInput(PermanentError):
    """The input bytes are not text in any encoding we accept."""


class UnsupportedContent(PermanentError):
    """The input is of a content type the cleaner does not handle."""


class EmptyArticle(PermanentError):
    """Nothing of the article is left after cleaning."""


class PoisonArticle(PermanentError):
    """The article was delivered again and again without finishing: it kills or hangs its worker."""


class TooSlow(PermanentError):
    """The article alone ran past its stage's soft time limit (``NEWSFLOW_TASK_TIME_LIMIT_SECONDS``)."""


class RefusedMessage(PermanentError):
    """A queue message that is not a JSON task of ours (a pickle, garbage, an unknown task)."""
