"""Untrusted text made safe for terminals, JSON and Redis (``worker.escaping``)."""

from __future__ import annotations

import json

import pytest

from worker.escaping import escape_json, for_terminal, json_text, storable

HOSTILE = [
    "\x1b]0;PWNED\x07",  # OSC: retitles the terminal
    "\x1b[2J\x1b[H",  # CSI: clears the screen
    "\x9b31m",  # 8-bit CSI
    "abc\u202edcba",  # right-to-left override
    "\u2066isolate\u2069",
    "line\nbreak\r\ttab\x00nul\x7fdel",
    "lone \ud800 surrogate \udfff",
    "line\u2028separator",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_for_terminal_leaves_no_control_bidi_or_surrogate_character(text: str) -> None:
    shown = for_terminal(text)
    assert shown.isprintable(), repr(shown)
    shown.encode("utf-8")  # a lone surrogate would raise here


def test_for_terminal_shows_what_it_escaped_and_keeps_ordinary_text() -> None:
    assert for_terminal("evil\x1b]0;x\x07.jsonl") == "evil\\x1b]0;x\\x07.jsonl"
    assert for_terminal("a\u202eb\ud800") == "a\\u202eb\\ud800"
    ordinary = "Zürich — 東京 🗞 नमस्ते क्षत्रिय\u200d"  # ZWJ stays: scripts need it
    assert for_terminal(ordinary) == ordinary


@pytest.mark.parametrize("indent", [None, 2])
def test_json_text_round_trips_exactly_and_is_safe_to_print(indent: int | None) -> None:
    value = {"id": "x\ud800", "text": HOSTILE, "title": "Zürich 東京", "n": [1, 2.5, None, True]}
    encoded = json_text(value, indent=indent)
    assert json.loads(encoded) == value
    encoded.encode("utf-8")
    assert for_terminal(encoded.replace("\n", "")) == encoded.replace("\n", "")
    assert "Zürich 東京" in encoded  # readable text is not escaped


def test_escape_json_keeps_an_encoded_document_valid() -> None:
    encoded = json.dumps({"a": "\u202e\x9b\ud800", "b": ["é"]}, ensure_ascii=False, indent=2)
    escaped = escape_json(encoded)
    assert json.loads(escaped) == json.loads(encoded)
    assert "\u202e" not in escaped and "\x9b" not in escaped and "é" in escaped


def test_storable_escapes_only_lone_surrogates() -> None:
    assert storable("id-\ud800-é") == "id-\\ud800-é"
    assert storable("plain") == "plain"
    storable("\udc80" * 3).encode("utf-8")
