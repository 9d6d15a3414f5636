"""Hostile probes of the ``newsflow`` CLI: records and files that break ``process`` and
``enqueue``, escape sequences aimed at the operator's terminal, a password in a Redis URL's query.

Every probe runs the real command as a subprocess (``python -m worker …``) on a key prefix of
its own, with no worker consuming it: what ``enqueue`` queued is read back from the queue.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bench.hostile_lab import (
    Lab,
    Outcome,
    Probe,
    Run,
    article_html,
    entities_past_a_million,
    huge_text,
    story,
)
from tests.httpsite import Listener
from worker.runtime.heartbeat import heartbeat_key

OSC = "\x1b]0;PWNED\x07"  # ESC ] 0 ; title BEL: retitles the terminal
# What must never reach a terminal raw: C0 controls but the line feed, DEL, C1, bidi controls, surrogates.
RAW_CONTROL = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
NO_REDIS = "redis://127.0.0.1:1/0"


def raw_controls(text: str) -> list[str]:
    """The raw control characters in printed output."""
    return RAW_CONTROL.findall(text)


def jsonl(lines: list[Any]) -> str:
    """JSON lines as ``json.dumps`` writes them (non-ASCII and surrogates as \\u escapes)."""
    return "".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines)


# --- 3. process and enqueue: a huge text, lone surrogates in id and url ------------------------


@dataclass
class ProcessRun:
    """``newsflow process`` over a file of good and hostile records, one line read per input."""

    run: Run
    inputs: list[str]
    records: list[dict[str, Any]]

    def record(self, record_id: str) -> dict[str, Any]:
        """The output line of an input id."""
        return next((r for r in self.records if r.get("id") == record_id), {})


def run_process(lab: Lab) -> ProcessRun:
    """A good record, a 1.05M-character text, a lone surrogate in an id and in a url, a good record."""
    lines: list[dict[str, Any]] = [
        {"id": "before", "text": story("before")},
        {"id": "huge", "text": huge_text(), "body_only": True},
        {"id": "lone-\ud800", "text": story("lone-id")},
        {"id": "lone-url", "url": "https://example.com/\udfff", "text": story("lone-url")},
        {"id": "after", "text": story("after")},
    ]
    source = lab.write("process-hostile.jsonl", jsonl(lines))
    output = lab.directory / "process-hostile.out.jsonl"
    run = lab.cli(
        lab.env("unused", redis_url=NO_REDIS), "process", str(source), "-o", str(output), timeout=500
    )
    text = output.read_text(encoding="utf-8", errors="surrogateescape") if output.exists() else ""
    records = [json.loads(line) for line in text.splitlines()]
    return ProcessRun(run, [str(line["id"]) for line in lines], records)


def process_huge(lab: Lab) -> Outcome:
    seen = lab.shared("process", lambda: run_process(lab))
    in_order = [r.get("id") for r in seen.records] == seen.inputs
    huge = seen.record("huge")
    past, exact = entities_past_a_million(huge)
    good = all("error" not in seen.record(i) for i in ("before", "after"))
    chars = len(huge.get("text") or "")
    order = "in order" if in_order else "OUT OF ORDER"
    cost = f"{seen.run.seconds:.0f}s, peak {seen.run.peak_mb:.0f} MB"
    return Outcome(
        in_order and good and "error" not in huge and past > 0 and exact and chars > 1_000_000,
        f"{len(seen.records)} lines for {len(seen.inputs)} inputs, {order}; text of {chars:,} chars, "
        f"{past} entities past char 1,000,000, offsets {'exact' if exact else 'WRONG'}; "
        f"neighbours {'came out' if good else 'FAILED'} ({cost})",
    )


def process_lone(record_id: str) -> Probe:
    def check(lab: Lab) -> Outcome:
        seen = lab.shared("process", lambda: run_process(lab))
        error = seen.record(record_id).get("error") or {}
        rest = all("error" not in seen.record(i) for i in ("before", "huge", "after"))
        return Outcome(
            error.get("class") == "InvalidRecord" and rest and len(seen.records) == len(seen.inputs),
            f"error line {error.get('class')} at {error.get('stage')} ({str(error.get('message'))[:60]}); "
            f"the other records {'came out' if rest else 'did NOT'}",
        )

    where = "id" if record_id.startswith("lone-\ud800") else "url"
    return Probe("cli", f"process: a JSONL record with a lone surrogate in its {where}", check, 600)


@dataclass
class EnqueueRun:
    """``newsflow enqueue`` of one file: its summary, what was queued, the dead letters."""

    run: Run
    queued: list[dict[str, Any]]
    letters: list[dict[str, Any]]


def run_enqueue(lab: Lab, name: str, content: str | bytes) -> EnqueueRun:
    prefix = lab.fresh_prefix(name)
    run = lab.cli(lab.env(prefix), "enqueue", str(lab.write(name, content)))
    letters = [{**e.fields, "payload": json.loads(e.fields["payload"])} for e in lab.letters(prefix)]
    return EnqueueRun(run, lab.queued(prefix), letters)


def enqueue_lone(field: str) -> Probe:
    lines = [
        {"id": "lone-\ud800", "text": story("e-id")},
        {"url": "https://example.com/\udfff", "text": story("e-url")},
        {"id": "fine", "text": story("e-fine")},
    ]

    def check(lab: Lab) -> Outcome:
        seen = lab.shared("enqueue-lone", lambda: run_enqueue(lab, "lone.jsonl", jsonl(lines)))
        value = lines[0 if field == "id" else 1][field]
        letter = next((x for x in seen.letters if x["payload"].get(field) == value), None)
        queued = [r.get("id") for r in seen.queued]
        summary = seen.run.stdout.strip()
        return Outcome(
            seen.run.returncode == 0 and letter is not None and letter["error_class"] == "InvalidRecord"
            and queued == ["fine"],
            f"summary '{summary[:58]}…', dead letter "
            f"{letter['error_class'] if letter else 'MISSING'}, the good record queued",
        )  # fmt: skip

    return Probe("cli", f"enqueue: a JSONL record with a lone surrogate in its {field}", check)


def rejects_one_of_four(reason: str) -> Probe:
    """A file with a line that is no JSON and a text over 5 MB between two good records."""
    lines = [
        {"id": "ok-1", "text": story("ok-1")},
        '{"id": "broken", "text": "no closing brace"',
        {"id": "big", "text": "word " * 1_100_000},
        {"id": "ok-2", "text": story("ok-2")},
    ]

    def check(lab: Lab) -> Outcome:
        seen = lab.shared("enqueue-4", lambda: run_enqueue(lab, "four.jsonl", jsonl(lines)))
        queued = [r.get("id") for r in seen.queued]
        mine = [x for x in seen.letters if x["error_class"] == reason]
        return Outcome(
            len(mine) == 1 and queued == ["ok-1", "ok-2"],
            f"{reason} x{len(mine)} dead-lettered ({mine[0]['error'][:50] if mine else ''}), queued {queued}",
        )

    what = "a line that is no JSON" if reason == "InvalidRecord" else "a 5.5 MB text (limit 5 MB)"
    return Probe("regress", f"enqueue: {what} between two good records", check)


# --- 8. UTF-16 JSONL, deep HTML, binary files, external resources in HTML -----------------------

UTF16 = jsonl([{"id": "u16-1", "text": story("u16-1")}, {"id": "u16-2", "text": story("u16-2")}])


def utf16_process(lab: Lab) -> Outcome:
    source = lab.write("utf16.jsonl", UTF16.encode("utf-16"))
    run = lab.cli(lab.env("unused", redis_url=NO_REDIS), "process", str(source))
    records = [json.loads(line) for line in run.stdout.splitlines()]
    errors = [r["error"]["class"] for r in records if "error" in r]
    return Outcome(
        [r.get("id") for r in records] == ["u16-1", "u16-2"] and not errors,
        f"{len(records)} output lines, {len(errors)} errors {errors}; '{run.stderr.strip()[:40]}'",
    )


def utf16_enqueue(lab: Lab) -> Outcome:
    seen = run_enqueue(lab, "utf16-queue.jsonl", UTF16.encode("utf-16"))
    queued = [r.get("id") for r in seen.queued]
    return Outcome(queued == ["u16-1", "u16-2"], f"'{seen.run.stdout.strip()[:60]}', queued {queued}")


def process_one(lab: Lab, name: str, content: str | bytes) -> dict[str, Any]:
    """``newsflow process`` of one file; its one output line."""
    source = lab.write(name, content)
    run = lab.cli(lab.env("unused", redis_url=NO_REDIS), "process", str(source))
    lines = run.stdout.splitlines()
    return json.loads(lines[0]) if len(lines) == 1 else {"error": {"class": f"{len(lines)} lines"}}


DEEP_HTML = (
    "<html><body>" + "<div>" * 5000 + "<p>" + story("deep") + "</p>" + "</div>" * 5000 + "</body></html>"
)


def deep_html(lab: Lab) -> Outcome:
    record = process_one(lab, "deep.jsonl", jsonl([{"id": "deep", "html": DEEP_HTML}]))
    error = record.get("error") or {}
    return Outcome(
        error.get("class") == "UnsupportedContent",
        f"error {error.get('class')} at {error.get('stage')}: {str(error.get('message'))[:70]}",
    )


def binary_file(lab: Lab) -> Outcome:
    record = process_one(lab, "binary.html", bytes(range(256)) * 64)
    error = record.get("error") or {}
    return Outcome(
        error.get("class") == "UndecodableInput",
        f"error {error.get('class')} at {error.get('stage')}: {str(error.get('message'))[:70]}",
    )


def external_resources(lab: Lab) -> Outcome:
    """An HTML record with a DTD, an external entity, a stylesheet, a script, an image, a frame:
    all pointing to an internal listener, none fetched."""
    with Listener("127.0.0.1") as listener:
        base = f"http://127.0.0.1:{listener.port}"
        page = article_html("External", "A line with &ext; in it.").decode()
        head = (
            f'<!DOCTYPE html SYSTEM "{base}/evil.dtd" [<!ENTITY ext SYSTEM "{base}/entity">]>'
            f'<link rel="stylesheet" href="{base}/s.css"><script src="{base}/s.js"></script>'
        )
        body = (
            f'<img src="{base}/i.png"><iframe src="{base}/f.html"></iframe><object data="{base}/o"></object>'
        )
        html = head + page.replace("<article>", "<article>" + body)
        record = process_one(lab, "external.jsonl", jsonl([{"id": "ext", "html": html}]))
        reached = listener.received()
    state = f"error {record['error']['class']}" if "error" in record else "processed"
    return Outcome(
        reached == 0 and "id" in record, f"{state}, {reached} connection(s) reached the internal listener"
    )


# --- 7. escape sequences in ids and file names ---------------------------------------------------


@dataclass
class EscapeRun:
    prefix: str
    enqueue: Run
    listed: Run
    shown: Run
    status: Run
    polled: Run
    hostile: dict[str, Any]


def run_escapes(lab: Lab) -> EscapeRun:
    """An OSC sequence in a file name and an id; dlq list/show, status with a hostile worker name."""
    prefix = lab.fresh_prefix("osc")
    env = lab.env(prefix, fetch_retries="0")
    hostile = {"id": f"id{OSC}x", "title": "\u202eevil\x9b31m", "text": story("osc")}
    source = lab.write(f"evil{OSC}name.jsonl", jsonl([{"title": "no body"}, hostile]))
    enqueue = lab.cli(env, "enqueue", str(source))
    listed = lab.cli(env, "dlq", "list")
    entry = next(
        (
            e.entry_id
            for e in lab.letters(prefix)
            if json.loads(e.fields["payload"]).get("id") == hostile["id"]
        ),
        "0-0",
    )
    shown = lab.cli(env, "dlq", "show", entry)
    lab.client.set(heartbeat_key(lab.settings(prefix), f"host{OSC}\u202e-1"), "{}", ex=60)
    status = lab.cli(env, "status")
    polled = lab.cli(env, "enqueue", "--feed", f"http://127.0.0.1:1/feed{OSC}.rss")
    return EscapeRun(prefix, enqueue, listed, shown, status, polled, hostile)


def escaped(what: str) -> Probe:
    def check(lab: Lab) -> Outcome:
        seen = lab.shared("escapes", lambda: run_escapes(lab))
        run: Run = getattr(seen, what)
        text = run.output.replace("\n", "") if what == "shown" else run.output
        found = raw_controls(text)
        visible = "\\x1b]0;PWNED\\x07" in run.output or (
            what == "shown" and "\\u001b]0;PWNED\\u0007" in run.output
        )
        extra = ""
        if what == "shown":
            try:
                payload = json.loads(run.stdout)["payload"]
                same = all(payload.get(k) == v for k, v in seen.hostile.items())  # and its origin
            except (ValueError, KeyError):
                same = False
            extra = ", valid JSON giving back the payload exactly" if same else ", payload NOT given back"
            visible = visible and same
        return Outcome(
            not found and visible and run.returncode == 0,
            f"{len(found)} raw control characters printed, the sequence shown escaped{extra}"
            if visible else f"raw {found[:3]!r}; output {run.output[:80]!r}",
        )  # fmt: skip

    shown = {
        "enqueue": "enqueue FILE named evil ESC]0;PWNED BEL name.jsonl, id with it",
        "listed": "dlq list of a dead letter whose id holds ESC]0;PWNED BEL",
        "shown": "dlq show of that dead letter (JSON)",
        "status": "status with a worker named host ESC]0;PWNED BEL U+202E",
        "polled": "enqueue --feed http://127.0.0.1:1/feed ESC]0;PWNED BEL .rss",
    }[what]
    return Probe("cli", shown, check)


def status_password(lab: Lab) -> Outcome:
    """``status`` (and ``--json``) with the password in the URL's query: live and unreachable Redis."""
    live = f"redis://127.0.0.1:{lab.redis.port}/0?password={lab.password}"
    dead = "redis://127.0.0.1:1/0?password=secret-hunter2"
    runs = [
        lab.cli(lab.env(lab.fresh_prefix("pw"), redis_url=url), *args)
        for url in (live, dead)
        for args in (["status"], ["status", "--json"])
    ]
    leaked = [r for r in runs if lab.password in r.output or "secret-hunter2" in r.output]
    redacted = all("password=***" in r.output for r in runs)
    return Outcome(
        not leaked and redacted and runs[0].returncode == 0,
        f"{len(runs)} runs (live Redis: exit {runs[0].returncode}; none: exit {runs[2].returncode}), "
        f"password shown as *** in {'all' if redacted else 'NOT all'}, printed in {len(leaked)}",
    )


def probes() -> list[Probe]:
    """The CLI probes."""
    return [
        Probe("cli", "process: 1.05M-char text between two good records", process_huge, 600),
        process_lone("lone-\ud800"),
        process_lone("lone-url"),
        enqueue_lone("id"),
        enqueue_lone("url"),
        rejects_one_of_four("InvalidRecord"),
        rejects_one_of_four("InputTooLarge"),
        Probe("cli", "process: a UTF-16 .jsonl (with BOM) of 2 records", utf16_process),
        Probe("cli", "enqueue: a UTF-16 .jsonl (with BOM) of 2 records", utf16_enqueue),
        Probe("cli", "process: HTML nested 5000 <div>s deep", deep_html),
        Probe("cli", "process: a .html file of binary bytes", binary_file),
        Probe("cli", "process: HTML with DTD, entity, css, js, img, iframe inside", external_resources),
        *(escaped(what) for what in ("enqueue", "listed", "shown", "status", "polled")),
        Probe("cli", "status with ?password=… in NEWSFLOW_REDIS_URL's query", status_password),
    ]
