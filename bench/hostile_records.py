"""Hostile probes of the worker: records it cannot store as they are, pages in charsets that are
no web encoding, a text over spaCy's limit, a language label no metric may carry, HTML too deep
to parse, pickles and garbage on its queue; then the final checks: the pipeline still flows,
no article was lost, and the Redis password appeared nowhere.

Records reach the real ``newsflow worker`` the way they would in production: ``newsflow
enqueue`` (a subprocess) of a file or a URL list, or, for messages no producer would send, a
message pushed straight onto the worker's queue.
"""

from __future__ import annotations

import base64
import json
import pathlib
import secrets
import urllib.request
from typing import Any

import langcodes
from kombu.connection import Connection
from prometheus_client.parser import text_string_to_metric_families

from bench.hostile_lab import Lab, Outcome, Probe, article_html, entities_past_a_million, huge_text, story
from tasks.clean.language import known_languages
from tests.httpsite import Route
from worker.app import create_app
from worker.delivery.chain import pipeline_chain
from worker.stores.claims import Claim


def enqueue_records(lab: Lab, name: str, *records: dict[str, Any]) -> str:
    """``newsflow enqueue`` a JSONL file of records onto the worker's queue; its summary line."""
    source = lab.write(f"{name}-{secrets.token_hex(3)}.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    run = lab.cli(lab.env(lab.worker_prefix), "enqueue", str(source))
    return run.stdout.strip()


def letter_summary(letter: Any) -> str:
    return f"dead letter {letter.fields['error_class']} at {letter.fields['stage']}"


# --- 2. a NUL and a lone surrogate; charsets that are no web encoding ---------------------------


def nul_and_surrogate(lab: Lab) -> Outcome:
    """Through ``enqueue``: dead-lettered with its reason, replayable, not logged, queued again."""
    lab.worker_ready()
    marker = f"Ghent-library-{secrets.token_hex(4)}"
    record = {
        "id": f"nul-{secrets.token_hex(4)}",
        "text": f"The council met on Friday.\x00 It approved {marker} \ud800 after a long debate.",
    }
    first = enqueue_records(lab, "nul", record)
    _, letters = lab.settled(record["id"])
    if not letters:
        return Outcome(False, f"published instead of dead-lettered ({first[:60]})")
    letter = letters[0]
    env = lab.env(lab.worker_prefix)
    shown = json.loads(lab.cli(env, "dlq", "show", letter.entry_id).stdout or "{}")
    payload = shown.get("payload") or {}
    replayable = (
        payload.get("id") == record["id"] and "\x00" in payload.get("text", "") and marker in payload["text"]
    )
    replay = lab.cli(env, "dlq", "replay", letter.entry_id).stdout.strip()
    lab.wait(
        lambda: any(
            e.entry_id != letter.entry_id for e in lab.letters_for(lab.worker_prefix, article_id=record["id"])
        ),
        120,
        "the replayed record dead-lettered again",
    )
    logged = marker in lab.log()
    again = enqueue_records(lab, "nul-again", record)
    lab.settled(record["id"])
    passed = (
        first.startswith("queued 1,")
        and letter.fields["error_class"] == "UndecodableInput"
        and replayable
        and replay.startswith("replayed 1")
        and not logged
        and again.startswith("queued 1, duplicates skipped 0")
    )
    return Outcome(
        passed,
        f"{letter_summary(letter)}, payload {'replayable' if replayable else 'NOT replayable'} "
        f"('{replay[:12]}', dead-lettered again), text {'IN' if logged else 'not in'} the log, "
        f"enqueued again: '{again[:30]}'",
    )


def around_the_door(lab: Lab) -> Outcome:
    """The same text pushed straight onto the queue: the dead letter gives back the lone surrogate exactly."""
    lab.worker_ready()
    text = (
        f"The council met on Friday.\x00 It approved plan {secrets.token_hex(4)} \ud800 after a long debate."
    )
    record = {"id": f"raw-{secrets.token_hex(4)}", "text": text}
    pipeline_chain(record, create_app(lab.settings(lab.worker_prefix))).apply_async()
    _, letters = lab.settled(record["id"])
    if not letters:
        return Outcome(False, "published instead of dead-lettered")
    shown = json.loads(lab.cli(lab.env(lab.worker_prefix), "dlq", "show", letters[0].entry_id).stdout or "{}")
    exact = (shown.get("payload") or {}).get("text") == text
    given = "exactly (NUL and lone surrogate kept)" if exact else "CHANGED"
    return Outcome(
        exact and letters[0].fields["error_class"] == "UndecodableInput",
        f"{letter_summary(letters[0])}, dlq show gives back the text {given}",
    )


CHARSET_PAGES = {
    # A charset Python can decode with but no browser knows: the bytes are UTF-8 and must read so;
    # read as unicode_escape, "café" becomes mojibake and the literal \u00e9 turns into é.
    "unicode_escape": (
        "Prices at the café rose, and the menu printed \\u00e9 and \\x41 as they are.",
        "café",
    ),
    # Read as UTF-7, +AGEAYgBj- becomes "abc".
    "utf-7": ("The ticket code +AGEAYgBj- was printed on every ticket sold at the harbour.", "+AGEAYgBj-"),
}


def charset_page(charset: str) -> Probe:
    """A page served as ``text/html; charset=CHARSET``: read as a web encoding, published."""
    sentence, kept = CHARSET_PAGES[charset]

    def check(lab: Lab) -> Outcome:
        lab.worker_ready()
        path = f"/charset/{charset}-{secrets.token_hex(3)}.html"
        body = article_html(f"Charset {charset}", sentence)
        lab.site.routes[path] = Route(body, content_type=f"text/html; charset={charset}")
        listed = lab.write(f"charset-{charset}.txt", lab.site.url(path) + "\n")
        summary = lab.cli(lab.env(lab.worker_prefix), "enqueue", "--urls", str(listed)).stdout.strip()
        result, letters = lab.settled(Claim.for_url(lab.site.url(path)).article_id)
        if result is None:
            reason = letter_summary(letters[0]) if letters else summary[:80]
            return Outcome(False, f"not published: {reason}")
        text = result["text"]
        literal = kept in text and sentence in text
        return Outcome(
            literal,
            f"published, read as a web encoding: '{kept}' {'kept as written' if literal else 'CHANGED'}",
        )

    return Probe("records", f"page served as text/html; charset={charset}", check, 180)


# --- 3. a text over 1,000,000 characters through the worker --------------------------------------


def huge_through_worker(lab: Lab) -> Outcome:
    lab.worker_ready()
    record: dict[str, Any] = {"id": f"huge-{secrets.token_hex(4)}", "text": huge_text(), "body_only": True}
    summary = enqueue_records(lab, "huge", record)
    result, letters = lab.settled(record["id"])
    if result is None:
        return Outcome(
            bool(letters), f"{letter_summary(letters[0])} for id {record['id']}" if letters else summary
        )
    past, exact = entities_past_a_million(result)
    return Outcome(
        past > 0 and exact and len(result["text"]) > 1_000_000,
        f"published, {len(result['text']):,} chars, {past} entities past char 1,000,000, offsets "
        f"{'exact' if exact else 'WRONG'}, {len(result['entities'])} entities in all",
    )


# --- 6. a long language label with newlines ------------------------------------------------------

LONG_LANGUAGE = "English\nplease treat as en-US\r\nDROP TABLE languages;\n" * 200
UNSURE_TEXTS = {
    "no letters to tell": "12 345 678 910 1112 1314 1516 1718 1920 2122 ok 2324 2526.",
    "a mix of six languages": "Der Hund and the cat le chien el perro il cane o cão.",
}


def metric_languages(lab: Lab) -> set[str]:
    """The ``language`` label values the worker's /metrics shows."""
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.metrics_port}/metrics", timeout=10) as response:
        text = response.read().decode()
    return {
        sample.labels["language"]
        for family in text_string_to_metric_families(text)
        if family.name == "newsflow_article_languages"
        for sample in family.samples
        if "language" in sample.labels
    }


def long_language(kind: str) -> Probe:
    def check(lab: Lab) -> Outcome:
        lab.worker_ready()
        record: dict[str, Any] = {
            "id": f"lang-{secrets.token_hex(4)}",
            "text": UNSURE_TEXTS[kind],
            "language": LONG_LANGUAGE,
            "body_only": True,
        }
        enqueue_records(lab, "lang", record)
        result, letters = lab.settled(record["id"])
        if result is None:
            return Outcome(False, f"not published: {letter_summary(letters[0])}")
        language = result.get("language")
        valid = language is None or langcodes.tag_is_valid(language)
        labels = metric_languages(lab)
        strays = labels - set(known_languages()) - {"unknown"}
        return Outcome(
            valid and not strays and bool(labels),
            f"published, language {language!r}; /metrics language labels {sorted(labels)} "
            f"({len(strays)} outside the fixed set)",
        )

    return Probe("records", f"language: 10 KB with newlines, detector unsure ({kind})", check)


# --- HTML too deep, pickles and garbage on the queue ----------------------------------------------


def deep_html_worker(lab: Lab) -> Outcome:
    lab.worker_ready()
    html = "<html><body>" + "<div>" * 5000 + f"<p>{story('deep')}</p>" + "</div>" * 5000 + "</body></html>"
    record = {"id": f"deep-{secrets.token_hex(4)}", "html": html}
    enqueue_records(lab, "deep", record)
    result, letters = lab.settled(record["id"])
    if not letters:
        return Outcome(False, "published" if result else "nothing")
    cls = letters[0].fields["error_class"]
    return Outcome(
        cls == "UnsupportedContent", f"{letter_summary(letters[0])}: {letters[0].fields['error'][:70]}"
    )


class Marker:
    """Unpickling this creates a file: proof that a worker deserialised a pickle."""

    def __init__(self, path: pathlib.Path) -> None:
        self.path = path

    def __reduce__(self) -> tuple[Any, ...]:
        return (pathlib.Path.touch, (self.path,))


def push(lab: Lab, body: Any, serializer: str, headers: dict[str, str] | None = None) -> None:
    """Publish a raw message onto the worker's clean queue, as no producer of ours would."""
    settings = lab.settings(lab.worker_prefix)
    queue = settings.queue("clean")
    with Connection(settings.redis_url.get_secret_value()) as connection:  # type: ignore[no-untyped-call]
        connection.Producer(serializer=serializer).publish(
            body, exchange=queue, routing_key=queue, declare=[], headers=headers or {}
        )


def refused(lab: Lab, tag: str) -> list[Any]:
    return [
        e
        for e in lab.letters(lab.worker_prefix)
        if e.fields["error_class"] == "RefusedMessage" and tag in e.fields["payload"]
    ]


def pickled_message(lab: Lab) -> Outcome:
    lab.worker_ready()
    marker = lab.directory / f"unpickled-{secrets.token_hex(3)}"
    task_id = f"pickle-{secrets.token_hex(4)}"
    push(lab, ((Marker(marker),), {}, {}), "pickle", {"task": "newsflow.clean", "id": task_id, "lang": "py"})
    lab.wait(lambda: refused(lab, task_id), 60, "the pickle refused")
    content_type = json.loads(refused(lab, task_id)[0].fields["payload"]).get("content_type")
    return Outcome(
        not marker.exists(),
        f"RefusedMessage ({content_type}), dead-lettered, never unpickled "
        f"(marker file {'CREATED' if marker.exists() else 'absent'})",
    )


def garbage_message(lab: Lab) -> Outcome:
    lab.worker_ready()
    tag = secrets.token_hex(6)
    push(lab, {"garbage": tag, "text": "\x00" * 10}, "json")
    lab.wait(lambda: any(tag in _raw(e) for e in lab.letters(lab.worker_prefix)), 60, "the message refused")
    letter = next(e for e in lab.letters(lab.worker_prefix) if tag in _raw(e))
    return Outcome(
        letter.fields["error_class"] == "RefusedMessage", f"{letter_summary(letter)}, raw bytes kept"
    )


def _raw(entry: Any) -> str:
    """The raw message body a RefusedMessage dead letter kept (base64 in its payload)."""
    try:
        body = json.loads(entry.fields["payload"]).get("body_base64", "")
        return base64.b64decode(body).decode("utf-8", "replace")
    except (ValueError, AttributeError):
        return ""


# --- the end: still flowing, nothing lost, no password anywhere -----------------------------------


def still_flows(lab: Lab) -> Outcome:
    lab.worker_ready()
    record = {"id": f"last-{secrets.token_hex(4)}", "text": story("last", 3)}
    enqueue_records(lab, "last", record)
    result, _ = lab.settled(record["id"])
    alive = lab.worker is not None and lab.worker.poll() is None
    return Outcome(
        result is not None and alive,
        f"an ordinary article {'published' if result else 'NOT published'} after every probe, "
        f"worker {'alive' if alive else 'DEAD'}",
    )


def nothing_lost(lab: Lab) -> Outcome:
    ids = list(dict.fromkeys(lab.sent_to_worker))
    published = [i for i in ids if lab.published(lab.worker_prefix, i)]
    dead = [i for i in ids if i not in published and lab.letters_for(lab.worker_prefix, article_id=i)]
    lost = len(ids) - len(published) - len(dead)
    return Outcome(
        lost == 0 and bool(ids),
        f"{len(ids)} articles sent to the worker: {len(published)} published, "
        f"{len(dead)} dead-lettered, {lost} lost",
    )


# Phrases of every text the probes send to the worker (``story``, ``article_html``, ``huge_text``).
TEXT_PHRASES = (
    "port authority in Rotterdam said on Tuesday",
    "after a long debate about its cost",
    "The committee heard from residents",
    "The council met on Friday",
    "Der Hund and the cat",
)


def text_nowhere_in_log(lab: Lab) -> Outcome:
    log = lab.log()
    found = {phrase: log.count(phrase) for phrase in TEXT_PHRASES if phrase in log}
    debug_lines = log.count('"level": "debug"')
    return Outcome(
        not found and debug_lines > 0,
        f"{len(TEXT_PHRASES)} phrases of the articles' texts searched in {len(log.splitlines())} log lines "
        f"({debug_lines} at DEBUG): " + (f"FOUND {found}" if found else "none found"),
    )


def password_nowhere(lab: Lab) -> Outcome:
    with urllib.request.urlopen(f"http://127.0.0.1:{lab.metrics_port}/metrics", timeout=10) as response:
        metrics = response.read().decode()
    places = {"worker log": lab.log(), "CLI output": "\n".join(lab.outputs), "/metrics": metrics}
    found = [name for name, text in places.items() if lab.password in text]
    chars = sum(len(text) for text in places.values())
    return Outcome(
        not found,
        f"searched {chars:,} chars of worker log (DEBUG), {len(lab.outputs)} CLI outputs and /metrics: "
        + (f"FOUND in {found}" if found else "not found"),
    )


def probes() -> list[Probe]:
    """The worker probes, then the final checks."""
    return [
        Probe("records", "record text with a NUL and a lone surrogate, via enqueue", nul_and_surrogate, 400),
        Probe("records", "the same text pushed around the door (raw \\ud800)", around_the_door, 120),
        charset_page("unicode_escape"),
        charset_page("utf-7"),
        Probe("records", "worker: a 1.05M-char text", huge_through_worker, 400),
        long_language("no letters to tell"),
        long_language("a mix of six languages"),
        Probe("records", "worker: HTML nested 5000 <div>s deep", deep_html_worker),
        Probe("regress", "a pickled message on the queue (unpickling touches a file)", pickled_message),
        Probe("regress", "a JSON message on the queue that is no task", garbage_message),
        Probe("final", "an ordinary article after all the above", still_flows),
        Probe("final", "every article sent to the worker", nothing_lost),
        Probe("final", "article text in the worker's log (NEWSFLOW_LOG_LEVEL=DEBUG)", text_nowhere_in_log),
        Probe("final", "the Redis password (userinfo and query)", password_nowhere),
    ]
