"""Logging set-up: one JSON object per line, configured once by the entry point."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from typing import Any

from worker.escaping import json_text

# Celery attaches a task's args and return value as `data`: they hold article text, never logged.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "data",
}
# Celery's per-task "received"/"succeeded" lines repeat the payload; our own stage lines replace them.
# At DEBUG, Celery's pool logs each task it applies with its arguments, and readability the start
# of every paragraph it keeps: article text, so never below WARNING either.
_QUIET = (
    "celery.app.trace",
    "celery.worker.strategy",
    "celery.pool",
    "readability",
    "trafilatura",
    "htmldate",
    "courlan",
    "charset_normalizer",
)


class JsonFormatter(logging.Formatter):
    """Formats a record as one JSON line: time, level, logger, message and any ``extra`` fields."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON line."""
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                entry[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            entry["exc_type"] = record.exc_info[0].__name__
            entry["exc"] = self.formatException(record.exc_info)
        # Lone surrogates, C1 and bidi controls escaped: a line any UTF-8 stream takes, shown as it is.
        return json_text(entry, default=str)


def configure_logging(level: str = "INFO", json_lines: bool = True) -> None:
    """Send every logger's records to stderr, as JSON lines or as plain text."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        JsonFormatter() if json_lines else logging.Formatter("%(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in _QUIET:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
