"""Untrusted text made safe for where it goes: an operator's terminal, JSON, a Redis field.

Records, file names, ids and feed URLs come from anywhere. Printed raw, an ``ESC ] 0 ; … BEL``
retitles the operator's terminal, a CSI sequence rewrites what is on it, and a bidi override
shows a line in another order than it has; a lone surrogate (undecodable bytes smuggled into a
``str``) is accepted by no UTF-8 encoder, so writing it to Redis, a file or stdout raises.
Everything the CLI prints goes through ``for_terminal`` (or, for JSON, ``json_text`` /
``escape_json``), and every dead letter through ``storable`` and ``json_text``: one set of
characters, escaped the same way everywhere, and nothing dropped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

# C1 controls (8-bit CSI and friends), DEL, bidi embeddings, overrides, isolates and marks,
# the line and paragraph separators, and lone surrogates.
_NON_ASCII_UNSAFE = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff"
_TERMINAL_UNSAFE = re.compile(f"[\x00-\x1f{_NON_ASCII_UNSAFE}]")
# JSON never holds a C0 control inside a string (the encoder escapes them), and the white space
# between its tokens must stay as it is.
_JSON_UNSAFE = re.compile(f"[{_NON_ASCII_UNSAFE}]")
_SURROGATE = re.compile("[\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def _json_escaped(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def for_terminal(text: str) -> str:
    """The text with every control character (C0, C1, DEL), bidi control, line separator and
    lone surrogate shown as a visible escape (``\\x1b``, ``\\u202e``, ``\\ud800``): safe to print."""
    return _TERMINAL_UNSAFE.sub(_escaped, text)


def escape_json(text: str) -> str:
    """An encoded JSON text with C1 controls, DEL, bidi controls, line separators and lone
    surrogates written as ``\\uXXXX`` escapes: still valid JSON, decoding to the same value
    (those characters only ever occur inside strings), and safe to print or encode as UTF-8."""
    return _JSON_UNSAFE.sub(_json_escaped, text)


def json_text(value: Any, *, indent: int | None = None, default: Callable[[Any], Any] | None = None) -> str:
    """``value`` as JSON that keeps readable non-ASCII text but is safe to print and to encode as
    UTF-8 (see ``escape_json``); ``json.loads`` gives back exactly ``value``."""
    return escape_json(json.dumps(value, ensure_ascii=False, indent=indent, default=default))


def storable(text: str) -> str:
    """The text with any lone surrogate written as a ``\\udXXX`` escape, so it encodes as UTF-8
    (for a Redis field or a log line that is not JSON)."""
    return _SURROGATE.sub(_escaped, text) if not text.isascii() else text
