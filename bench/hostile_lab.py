"""The hostile probes' laboratory: what every probe shares, started once.

A private ``redis-server`` with a password (so the last probe can look for it everywhere), one
real ``newsflow worker`` subprocess on a key prefix of its own (its ``/metrics`` on a free port),
"public" loopback HTTP servers (``tests.httpsite.Site`` on 127.0.0.1 and ::1, the only addresses
``NEWSFLOW_FETCH_ALLOW_PRIVATE`` lists), and helpers: run the ``newsflow`` CLI as a subprocess
within a time bound, read a prefix's queue, dead letters and results, wait on a condition.

A probe returns an ``Outcome`` (passed, what was observed); anything that takes too long raises
``ProbeTimeout``, which the runner reports as a FAIL, never a hang.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import redis

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.httpsite import Route, Site  # noqa: E402
from worker.cli.local_redis import LocalRedis, free_port  # noqa: E402
from worker.settings import Settings  # noqa: E402
from worker.stores import stream  # noqa: E402

T = TypeVar("T")
ALLOW_ALL_ROBOTS = Route(b"User-agent: *\nAllow: /\n", content_type="text/plain")


class ProbeTimeout(Exception):
    """Something a probe waited for did not happen in time."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a probe observed, and whether that is what the product promises."""

    passed: bool
    observed: str


@dataclass(frozen=True, slots=True)
class Probe:
    """One hostile input: its group, the input shown short, the check, and its time bound."""

    group: str
    shown: str
    check: Callable[[Lab], Outcome]
    seconds: float = 90.0


@dataclass(frozen=True, slots=True)
class Run:
    """A finished CLI run: exit code, output, how long it took and its peak memory."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float  # the process's peak resident memory

    @property
    def output(self) -> str:
        """stdout and stderr together."""
        return self.stdout + self.stderr


@dataclass
class Spawned:
    """A CLI process left running, and its stdout and stderr lines as they come."""

    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    def start_reading(self) -> None:
        """Collect stdout and stderr lines in background threads."""
        for pipe, sink in ((self.process.stdout, self.lines), (self.process.stderr, self.stderr)):
            threading.Thread(target=_drain, args=(pipe, sink), daemon=True).start()


def _drain(pipe: Any, sink: list[str]) -> None:
    for line in pipe:
        sink.append(line)


def article_html(title: str, *sentences: str) -> bytes:
    """A small news page written for the probes, with extra sentences in its body."""
    extra = "".join(f"<p>{s}</p>" for s in sentences)
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home | World | Sport</nav><article>"
        f"<h1>{title}</h1><p>PORTO – The city council voted on Monday on {title.lower()}, after a "
        "long debate about its cost and the years the work would take.</p><p>The mayor said work "
        f"would start in the spring and end before the summer festival.</p>{extra}</article>"
        "<footer>© Probe Gazette</footer></body></html>"
    ).encode()


def story(tag: str, paragraphs: int = 2) -> str:
    """An ordinary news text of a few paragraphs, different for each tag."""
    return "\n\n".join(
        f"Paragraph {i} of report {tag}: the port authority in Rotterdam said on Tuesday that ship "
        f"traffic rose by {i % 90 + 3} percent, and its director Anna de Vries expects more growth."
        for i in range(paragraphs)
    )


class Lab:
    """Redis, the worker, the public servers and the helpers every probe uses."""

    def __init__(self) -> None:
        self.directory = Path(tempfile.mkdtemp(prefix="newsflow-hostile-"))
        self.password = f"pw-{secrets.token_hex(12)}"
        self.redis = LocalRedis(password=self.password)
        self.client = redis.Redis.from_url(self.redis.url, decode_responses=True)  # connects when used
        self.site = Site("127.0.0.1")
        self.site6 = Site("::1")
        self.worker_prefix = f"hostile-{secrets.token_hex(3)}"
        self.metrics_port = free_port()
        self.worker_log = self.directory / "worker.log"
        self.worker: subprocess.Popen[bytes] | None = None
        self.outputs: list[str] = []  # everything the CLI printed, for the password probe
        self.sent_to_worker: list[str] = []  # ids that must end published or dead-lettered
        self._children: list[subprocess.Popen[Any]] = []
        self._memo: dict[str, tuple[bool, Any]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._memo_lock = threading.Lock()

    # --- start and stop ---------------------------------------------------------------------

    def start(self) -> Lab:
        """Start Redis, the public sites and the worker (its model loads while other probes run)."""
        self.redis.start()
        for site in (self.site, self.site6):
            site.routes["/robots.txt"] = ALLOW_ALL_ROBOTS
            site.start()
        env = self.env(self.worker_prefix, metrics_port=str(self.metrics_port), log_level="DEBUG")
        with self.worker_log.open("ab") as log:
            self.worker = subprocess.Popen(
                [sys.executable, "-m", "worker", "worker", "--concurrency", "2"],
                env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        return self

    def close(self) -> None:
        """Stop the worker (SIGTERM, then SIGKILL), any CLI still running, the sites and Redis."""
        for child in self._children:
            if child.poll() is None:
                child.kill()
                child.wait()
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
                self.worker.wait()
        for site in (self.site, self.site6):
            site.close()
        self.redis.cleanup()
        shutil.rmtree(self.directory, ignore_errors=True)

    def worker_ready(self, seconds: float = 240) -> None:
        """Wait for the worker's first heartbeat (its model loaded)."""

        def ready() -> bool:
            if self.worker is None or self.worker.poll() is not None:
                raise ProbeTimeout(
                    f"the worker exited with {self.worker.returncode if self.worker else None}"
                )
            return bool(list(self.client.scan_iter(match=f"{self.worker_prefix}:workers:*")))

        self.wait(ready, seconds, "the worker's first heartbeat")

    def log(self) -> str:
        """What the worker has logged so far."""
        return self.worker_log.read_text(errors="replace")

    # --- settings and the CLI ---------------------------------------------------------------

    def allow(self, *extra: str) -> str:
        """``NEWSFLOW_FETCH_ALLOW_PRIVATE``: the public test servers' host:port, nothing else."""
        return ",".join([self.site.netloc, self.site6.netloc, *extra])

    def env(self, prefix: str, allow: str | None = None, **settings: str) -> dict[str, str]:
        """The environment of a CLI or worker run on this Redis under ``prefix``."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_")}
        values = {
            "redis_url": self.redis.url,
            "key_prefix": prefix,
            "metrics_port": "0",
            "fetch_allow_private": self.allow() if allow is None else allow,
            "fetch_host_interval_seconds": "0",
            "fetch_timeout_seconds": "5",
            "fetch_backoff_seconds": "0.05",
        } | settings
        env.update({f"NEWSFLOW_{name.upper()}": value for name, value in values.items()})
        return env

    def fresh_prefix(self, name: str) -> str:
        """A key prefix no other probe and no worker uses."""
        return f"hostile-{name}-{secrets.token_hex(3)}"

    def settings(self, prefix: str) -> Settings:
        """The settings of a prefix on this Redis."""
        return Settings(redis_url=self.redis.url, key_prefix=prefix)

    def cli(self, env: dict[str, str], *args: str, timeout: float = 60) -> Run:
        """Run ``python -m worker ARGS`` to its end, watching its peak memory; a run over ``timeout``
        is killed and raises ProbeTimeout."""
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "worker", *args], env=env, cwd=REPO, text=True, encoding="utf-8",
            errors="surrogateescape", stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        self._children.append(process)
        out: list[str] = []
        err: list[str] = []
        readers = [
            threading.Thread(target=lambda: out.append(process.stdout.read() if process.stdout else "")),
            threading.Thread(target=lambda: err.append(process.stderr.read() if process.stderr else "")),
        ]
        for reader in readers:
            reader.start()
        peak = 0.0
        while True:
            peak = max(peak, _peak_mb(process.pid))
            pid, status = os.waitpid(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                process.kill()
                os.waitpid(process.pid, 0)
                process.returncode = -9
                raise ProbeTimeout(f"`newsflow {args[0]}` timed out after {timeout:g}s")
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join()
        self.outputs.append(out[0] + err[0])
        return Run(process.returncode, out[0], err[0], time.monotonic() - started, peak)

    def spawn(self, env: dict[str, str], *args: str) -> Spawned:
        """Start ``python -m worker ARGS`` and leave it running (lines collected as they come)."""
        process = subprocess.Popen(
            [sys.executable, "-m", "worker", *args], env=env, cwd=REPO, text=True, encoding="utf-8",
            errors="surrogateescape", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )  # fmt: skip
        self._children.append(process)
        spawned = Spawned(process)
        spawned.start_reading()
        return spawned

    def finish(self, spawned: Spawned, timeout: float) -> int:
        """Wait for a spawned CLI to exit; kill it and raise ProbeTimeout after ``timeout``."""
        try:
            code = spawned.process.wait(timeout)
        except subprocess.TimeoutExpired:
            spawned.process.kill()
            spawned.process.wait()
            raise ProbeTimeout(f"the process did not exit in {timeout:g}s") from None
        time.sleep(0.1)  # let the reader threads take the last lines
        self.outputs.append("".join(spawned.lines + spawned.stderr))
        return code

    def write(self, name: str, content: str | bytes) -> Path:
        """A file in the lab's own temporary folder."""
        path = self.directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        return path

    # --- what a prefix holds ----------------------------------------------------------------

    def letters(self, prefix: str) -> list[stream.StreamEntry]:
        """The dead letters of a prefix, oldest first."""
        name = self.settings(prefix).dead_letter_stream
        if self.client.type(name) != "stream":
            return []
        return stream.read_range(self.client, name)

    def letters_for(self, prefix: str, *, url: str | None = None, article_id: str | None = None) -> list[Any]:
        """The dead letters of a prefix for one page URL or one article id."""

        def matches(entry: stream.StreamEntry) -> bool:
            if article_id is not None and entry.fields.get("article_id") == article_id:
                return True
            payload = _json_or_none(entry.fields.get("payload", ""))
            return url is not None and isinstance(payload, dict) and payload.get("url") == url

        return [entry for entry in self.letters(prefix) if matches(entry)]

    def queued(self, prefix: str) -> list[dict[str, Any]]:
        """The records on a prefix's clean queue (nobody consumes it), decoded from Celery's messages."""
        raw = self.client.lrange(self.settings(prefix).queue("clean"), 0, -1)
        messages = [json.loads(m) for m in reversed(raw)]
        payloads = [json.loads(base64.b64decode(m["body"]))[0][0] for m in messages]
        return [r for p in payloads for r in (p if isinstance(p, list) else [p])]

    def published(self, prefix: str, article_id: str) -> dict[str, Any] | None:
        """The published result of an article id, or None."""
        settings = self.settings(prefix)
        entry_id = self.client.get(stream.published_marker(settings, article_id))
        if not entry_id:
            return None
        (entry,) = stream.read_range(self.client, settings.results_stream, str(entry_id), str(entry_id))
        return entry.json_field()

    def settled(self, article_id: str) -> tuple[dict[str, Any] | None, list[Any]]:
        """An article sent to the worker: wait until it is published or dead-lettered."""
        self.sent_to_worker.append(article_id)

        def done() -> bool:
            return bool(
                self.published(self.worker_prefix, article_id)
                or self.letters_for(self.worker_prefix, article_id=article_id)
            )

        self.wait(done, 300, f"article {article_id} published or dead-lettered")
        return (
            self.published(self.worker_prefix, article_id),
            self.letters_for(self.worker_prefix, article_id=article_id),
        )

    # --- waiting and sharing ----------------------------------------------------------------

    def wait(self, condition: Callable[[], object], seconds: float, what: str) -> None:
        """Poll ``condition`` until true; raise ProbeTimeout after ``seconds``."""
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise ProbeTimeout(f"timed out after {seconds:g}s waiting for {what}")
            time.sleep(0.05)

    def shared(self, key: str, make: Callable[[], T]) -> T:
        """The result of ``make()``, run once for all the probes that read it (its error too)."""
        with self._memo_lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._memo:
                try:
                    self._memo[key] = (True, make())
                except Exception as exc:
                    self._memo[key] = (False, exc)
            ok, value = self._memo[key]
        if not ok:
            raise value
        return value  # type: ignore[no-any-return]


def _peak_mb(pid: int) -> float:
    """A running process's peak resident memory so far (``VmHWM``: its own, since its exec; a
    child's ``ru_maxrss`` would count the parent's memory at the fork)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0.0
    for row in status.splitlines():
        if row.startswith("VmHWM:"):
            return int(row.split()[1]) / 1024
    return 0.0


def _json_or_none(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def huge_text() -> str:
    """Over 1,000,000 characters: paragraphs without names, then one naming a person and a place."""
    nouns = ["bridge", "library", "harbour", "tram line", "school", "market", "river bank", "museum"]
    filler = "\n\n".join(
        f"The committee heard from residents about the {nouns[i % 8]} and the {nouns[(i // 8) % 8]} "
        f"near the old square, and it asked the officials for a plan that the neighbourhood can afford."
        for i in range(6_400)
    )
    return f"{filler}\n\nAnna de Vries, the director of the port of Rotterdam, said the plan would go ahead."


def entities_past_a_million(result: dict[str, Any]) -> tuple[int, bool]:
    """How many entities of a result start past character 1,000,000, and whether every entity's
    offsets give back its text."""
    text = result.get("text") or ""
    exact = all(text[e["start"] : e["end"]] == e["text"] for e in result.get("entities", []))
    return sum(e["start"] > 1_000_000 for e in result.get("entities", [])), exact
