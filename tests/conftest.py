"""Fixtures shared by every tier: paths to the shared data, and real services for the tiers that need them.

Integration and end-to-end tests start their own ``redis-server`` on a free port and a real
``newsflow worker`` subprocess against it; they never use fakes, eager mode or a shared database.
A missing ``redis-server`` fails those tests: it does not skip them.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

from tests.harness import worker_env
from worker.cli.local_redis import LocalRedis

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("NEWSFLOW_DATA_DIR", REPO.parent / "shared" / "data"))
SEED_ARTICLE = DATA_DIR / "seed" / "seed-article.txt"
SAMPLES = REPO / "worker" / "samples"

# The page furniture at the seed article's end, and the people and places its body names.
SEED_BOILERPLATE = (
    "Share This:",
    "Welcome! Login in to your account",
    "Remember me",
    "Lost your password?",
    "Don't have account. Register",
    "Lost Password",
)
# An article body as a CMS would export it (written for these tests): two paragraphs of prose,
# then a recipe's short lines, which the text path takes for page furniture.
RECIPE_PROSE = (
    "The bakers of the old quarter still make their custard tarts the way their grandparents "
    "did, with butter folded by hand and an oven hotter than most homes allow.",
    "The recipe below is the one the oldest bakery on the square gives to visitors who ask for "
    "it, and it has not changed in the forty years the family has run the shop.",
)
RECIPE_LIST = ("Ingredients", "250 g flour", "2 eggs", "1 lemon")
RECIPE_BODY = "\n".join((*RECIPE_PROSE, *RECIPE_LIST)) + "\n"
# The same body as a page flattens it: a share bar under it. Text with page furniture is looked
# through for the article, and the list's short lines go with the furniture unless ``body_only``.
SHARE_BAR = ("Share This:", "Facebook", "Twitter")
RECIPE_PAGE = RECIPE_BODY + "\n".join(SHARE_BAR) + "\n"

SEED_PEOPLE_AND_PLACES = (
    "Susan Rice",
    "Raheel Sharif",
    "Lloyd Austin",
    "Yousaf al-Salafi",
    "Hafiz Saeed Khan Orakzai",
    "Pakistan",
    "Afghanistan",
    "Lahore",
    "Rawalpindi",
)


def run_cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``newsflow`` command in a subprocess with this environment."""
    return subprocess.run(
        [sys.executable, "-m", "worker", *args],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120, check=False, input=stdin,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never inherit the developer's NEWSFLOW_* settings, and leave os.environ as they found it."""
    from worker.settings import get_settings

    for name in list(os.environ):
        if name.startswith("NEWSFLOW_") and name not in ("NEWSFLOW_DATA_DIR", "NEWSFLOW_REQUIRE_DATA"):
            monkeypatch.delenv(name)
    # What a worker_env() gives subprocesses too: no 6-10 s date-parser warm-up per CLI run.
    monkeypatch.setenv("NEWSFLOW_WARM_UP_DATE_PARSER", "false")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def require_data(path: Path) -> Path:
    """``path`` in the shared data; the test skips, with the reason, when the data is not beside
    the checkout (a fresh clone), and fails when ``NEWSFLOW_REQUIRE_DATA`` says it must be there (CI)."""
    if not path.exists():
        reason = f"needs the shared data: {path} is missing (set NEWSFLOW_DATA_DIR)"
        if os.environ.get("NEWSFLOW_REQUIRE_DATA") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@dataclass(frozen=True)
class SeedCase:
    """An article of the seed's shape (a headline, a dateline, quotes from an unnamed official, titles
    with acronyms before names, page furniture at the end) and what the pipeline must make of it."""

    name: str
    path: Path
    title: str
    dateline: str
    dateline_place: str
    first_words: str
    last_words: str
    people_and_places: tuple[str, ...]
    # Every form each of these entities takes in the article; all of them must land in one entity.
    one_entity_each: dict[str, frozenset[str]]
    # A person named twice (full name, then surname alone), and how often.
    twice_named: tuple[str, int]
    # Title phrases before a person's name that must not come out as entities.
    titles: frozenset[str]
    # Long forms whose bracketed acronym must join them.
    acronyms: dict[str, str]
    # The person quoted through "she" and the first words of what she said; the quoted term.
    quoted: tuple[str, str] = ("", "")
    scare_term: str = ""


SEED_CASES = {
    "written": SeedCase(
        name="written",
        path=REPO / "tests" / "fixtures" / "seed-shaped-article.txt",
        title="Kenya joins regional pact against cross-border militias",
        dateline="NAIROBI",
        dateline_place="Nairobi",
        first_words="Kenya has agreed to join a new regional security pact",
        last_words="The militias have not attacked any town in recent months, the spokesman added.",
        people_and_places=(
            "Grace Mutua",
            "Peter Kariuki",
            "Thomas Whitfield",
            "Daniel Omondi",
            "Kenya",
            "Uganda",
            "Tanzania",
            "Mombasa",
            "Garissa",
        ),
        one_entity_each={
            "Grace Mutua": frozenset({"Grace Mutua", "Mutua"}),
            "African Union": frozenset({"African Union", "AU"}),
            "East African Community": frozenset({"East African Community", "EAC"}),
            "United States": frozenset({"United States", "US"}),
            "Kenya": frozenset({"Kenya"}),
        },
        twice_named=("Grace Mutua", 2),
        titles=frozenset({"Chief of Defence Forces", "Commissioner for Peace and Security"}),
        acronyms={"United States Africa Command": "AFRICOM", "Defence Headquarters": "DHQ"},
        quoted=("Grace Mutua", "welcomed the commitment"),
        scare_term="serious challenge",
    ),
    "real": SeedCase(
        name="real",
        path=SEED_ARTICLE,
        title="US takes Pakistan into confidence over anti-IS alliance",
        dateline="ISLAMABAD",
        dateline_place="Islamabad",
        first_words="The United States has taken Pakistan into confidence",
        last_words="urging people in the region to join the group.",
        people_and_places=SEED_PEOPLE_AND_PLACES,
        one_entity_each={
            "Raheel Sharif": frozenset({"Raheel Sharif"}),
            "Susan Rice": frozenset({"Susan Rice", "Rice"}),
            "Lloyd Austin": frozenset({"Lloyd Austin", "Lloyd J Austin"}),
            "Islamic State": frozenset({"Islamic State", "IS"}),
            "Pakistan": frozenset({"Pakistan"}),
            "United States": frozenset({"United States", "US"}),
        },
        twice_named=("Susan Rice", 2),
        titles=frozenset(
            {"US National Security Adviser", "Chief of Army Staff", "National Security Adviser"}
        ),
        acronyms={"US Central Command": "CENTCOM", "General Headquarters": "GHQ"},
        quoted=("Susan Rice", "appreciated and acknowledged"),
        scare_term="serious threat",
    ),
}


@pytest.fixture(scope="session", params=sorted(SEED_CASES))
def seed_case(request: pytest.FixtureRequest) -> SeedCase:
    """Each seed-shaped article: the one written for the tests (always there) and the real seed
    article (skipped, with the reason, on a fresh clone without the shared data)."""
    case = SEED_CASES[request.param]
    require_data(case.path)
    return case


@pytest.fixture(scope="session")
def seed_text(seed_case: SeedCase) -> str:
    """The seed-shaped article's text."""
    return seed_case.path.read_text(encoding="utf-8")


def wait_until(condition: Callable[[], object], timeout: float, what: str, interval: float = 0.05) -> None:
    """Poll ``condition`` until it is true; fail the test after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[LocalRedis]:
    """A private redis-server on a free port, for this test session."""
    server = LocalRedis()
    server.start()
    yield server
    server.cleanup()


@dataclass
class RunningWorker:
    """A ``newsflow worker`` subprocess and the environment it runs with."""

    process: subprocess.Popen[bytes]
    env: dict[str, str]
    log_path: Path
    client: redis.Redis

    def log(self) -> str:
        """What the worker has logged so far."""
        return self.log_path.read_text(errors="replace")


def start_worker(
    env: dict[str, str], log_path: Path, concurrency: int = 2, *extra: str
) -> subprocess.Popen[bytes]:
    """Start ``newsflow worker`` as its own process group."""
    with log_path.open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "worker", "worker", "--concurrency", str(concurrency), *extra],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )


def stop_worker(process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    """SIGTERM the worker's process group, then SIGKILL if it does not exit in time."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def running_worker(
    redis_server: LocalRedis, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningWorker]:
    """A real two-process ``newsflow worker`` against the private Redis, for the whole session."""
    from worker.cli.local_redis import free_port

    log_dir = tmp_path_factory.mktemp("worker")
    with dedicated_worker(redis_server.url, log_dir, concurrency=2, metrics_port=str(free_port())) as worker:
        yield worker


@contextmanager
def dedicated_worker(
    redis_url: str, log_dir: Path, concurrency: int = 1, extra_args: tuple[str, ...] = (), **settings: str
) -> Iterator[RunningWorker]:
    """A worker of its own (own key prefix and settings) for a test that changes or kills it."""
    prefix = settings.pop("key_prefix", None) or f"nftest-{secrets.token_hex(3)}"
    env = worker_env(redis_url, prefix, **settings)
    log_path = log_dir / f"worker-{prefix}-{secrets.token_hex(2)}.log"
    process = start_worker(env, log_path, concurrency, *extra_args)
    tls = {"ssl_ca_certs": settings["redis_tls_ca_file"]} if "redis_tls_ca_file" in settings else {}
    client = redis.Redis.from_url(redis_url, decode_responses=True, **tls)  # type: ignore[arg-type]
    worker = RunningWorker(process, env, log_path, client)

    def ready() -> bool:
        if process.poll() is not None:
            pytest.fail(f"worker exited with {process.returncode}:\n{worker.log()[-3000:]}")
        return bool(list(client.scan_iter(match=f"{prefix}:workers:*")))

    try:
        wait_until(ready, 180, "the worker's first heartbeat")
        yield worker
    finally:
        stop_worker(process)


@dataclass
class WebServer:
    """A ``newsflow web`` subprocess and where it listens."""

    process: subprocess.Popen[bytes]
    url: str
    log_path: Path

    def log(self) -> str:
        """What the server has logged so far."""
        return self.log_path.read_text(errors="replace")


@contextmanager
def web_server(env: dict[str, str], log_dir: Path, **settings: str) -> Iterator[WebServer]:
    """``newsflow web`` on a free loopback port with this environment (plus ``settings`` as
    NEWSFLOW_* variables), once its /healthz answers 200."""
    import httpx

    from worker.cli.local_redis import free_port

    port = free_port()
    env = {**env, "NEWSFLOW_WEB_PORT": str(port), **{f"NEWSFLOW_{k.upper()}": v for k, v in settings.items()}}
    log_path = log_dir / f"web-{port}.log"
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "worker", "web", "--host", "127.0.0.1"],
            env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO,
        )  # fmt: skip
    server = WebServer(process, f"http://127.0.0.1:{port}", log_path)

    def healthy() -> bool:
        if process.poll() is not None:
            pytest.fail(f"newsflow web exited with {process.returncode}:\n{server.log()[-3000:]}")
        try:
            return httpx.get(f"{server.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_until(healthy, 30, "newsflow web's /healthz")
        yield server
    finally:
        stop_worker(process, timeout=10)
