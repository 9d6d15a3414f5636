"""A local Redis primary, replicas and three Sentinels on free ports: the failover drill's servers.

Every server is a ``redis-server`` child process of its own (Sentinels run as ``redis-server FILE
--sentinel`` with a generated, writable config) under one temporary folder. Sentinels are told to
notice a dead primary after ``down_after_ms`` and to promote a replica; ``kill`` sends SIGKILL, as a
crashed machine would, and ``restart_as_replica`` brings a killed server back empty, replicating
the current primary (a node that failed comes back as a replica, as in production).
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import redis

from worker.cli.local_redis import LocalRedis, RedisNotAvailable, free_port

MASTER_NAME = "newsflow"
HOST = "127.0.0.1"


def _wait(condition: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():  # type: ignore[operator]
                return
        except redis.RedisError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout}s")
        time.sleep(0.05)


def _state(node: RedisNode) -> str:
    """What a server says of its replication, and the end of its log: for a failed wait's message."""
    try:
        info = node.client().info("replication")
        keys = ("role", "master_port", "master_link_status", "master_sync_in_progress")
        said = {k: info.get(k) for k in keys}
    except redis.RedisError as exc:
        said = {"error": repr(exc)}
    log = node.folder / "redis.log"
    tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-12:] if log.exists() else []
    return f"INFO {said}; log: " + " | ".join(tail)


def link_up(server: LocalRedis | RedisNode) -> bool:
    """Whether the server is a replica in sync with its primary. A server that is not (yet) a
    replica has no link in its INFO at all: a server restarted as a replica can report itself a
    primary for a moment before it is one."""
    return server.client().info("replication").get("master_link_status") == "up"


def replicate(replica: LocalRedis, primary: LocalRedis, timeout: float = 30) -> None:
    """Make ``replica`` a replica of ``primary`` and wait for its first sync."""
    replica.client().replicaof("127.0.0.1", primary.port)
    deadline = time.monotonic() + timeout
    while not link_up(replica):
        if time.monotonic() > deadline:
            raise TimeoutError("the replica did not sync")
        time.sleep(0.05)


class RedisNode:
    """One ``redis-server`` (data or Sentinel) on a fixed port, startable again after a kill."""

    def __init__(self, folder: Path, name: str) -> None:
        self.port = free_port()
        self.folder = folder / name
        self.folder.mkdir(parents=True)
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None

    def client(self, timeout: float = 2.0) -> redis.Redis:
        """A plain client of this server (no Sentinel)."""
        return redis.Redis(
            HOST, self.port, socket_timeout=timeout, socket_connect_timeout=timeout, decode_responses=True
        )

    def start_data(self, replica_of: int | None = None) -> None:
        """Start as a data server (no persistence), as a replica of ``replica_of`` if given."""
        argv = [
            "redis-server", "--bind", HOST, "--port", str(self.port), "--dir", str(self.folder),
            "--save", "", "--appendonly", "no", "--logfile", str(self.folder / "redis.log"),
            # Sentinel is told replicas by the primary's INFO; this address is the one they reach.
            "--replica-announce-ip", HOST,
        ]  # fmt: skip
        if replica_of is not None:
            argv += ["--replicaof", HOST, str(replica_of)]
        self._spawn(argv)

    def start_sentinel(self, primary_port: int, down_after_ms: int, failover_timeout_ms: int) -> None:
        """Start as a Sentinel watching the primary on ``primary_port`` (quorum 2)."""
        config = self.folder / "sentinel.conf"
        config.write_text(
            f"port {self.port}\nbind {HOST}\ndir {self.folder}\nlogfile {self.folder / 'sentinel.log'}\n"
            f"sentinel monitor {MASTER_NAME} {HOST} {primary_port} 2\n"
            f"sentinel down-after-milliseconds {MASTER_NAME} {down_after_ms}\n"
            f"sentinel failover-timeout {MASTER_NAME} {failover_timeout_ms}\n"
            f"sentinel parallel-syncs {MASTER_NAME} 1\n"
        )
        self._spawn(["redis-server", str(config), "--sentinel"])

    def _spawn(self, argv: list[str]) -> None:
        if shutil.which(argv[0]) is None:
            raise RedisNotAvailable("no redis-server on PATH")
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _wait(lambda: self.client().ping(), 10, f"{self.name} answering PING")

    def kill(self) -> None:
        """SIGKILL: the server dies at once, with whatever it had not replicated."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait()
        self.process = None

    def stop(self) -> None:
        """Stop the server if it runs."""
        self.kill()


class SentinelLab:
    """A primary, ``replicas`` replicas and three Sentinels; the Sentinels' view of who is primary."""

    def __init__(self, replicas: int = 1, down_after_ms: int = 1000, failover_timeout_ms: int = 3000) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="newsflow-sentinel-"))
        self.data = [RedisNode(self.folder, f"redis-{i}") for i in range(1 + replicas)]
        self.sentinels = [RedisNode(self.folder, f"sentinel-{i}") for i in range(3)]
        self.down_after_ms = down_after_ms
        self.failover_timeout_ms = failover_timeout_ms

    @property
    def sentinel_setting(self) -> str:
        """``NEWSFLOW_REDIS_SENTINELS`` for this lab."""
        return ",".join(f"{HOST}:{s.port}" for s in self.sentinels)

    def start(self, timeout: float = 30) -> SentinelLab:
        """Start the servers and wait until every Sentinel knows the replicas and the other Sentinels."""
        primary, *replicas = self.data
        primary.start_data()
        for replica in replicas:
            replica.start_data(replica_of=primary.port)
            _wait(lambda r=replica: link_up(r), timeout, "sync")
        for sentinel in self.sentinels:
            sentinel.start_sentinel(primary.port, self.down_after_ms, self.failover_timeout_ms)
        self.wait_settled(timeout)
        return self

    def wait_settled(self, timeout: float = 30) -> None:
        """Wait until every Sentinel agrees on the primary, knows the others and sees every live replica
        as up (a Sentinel promotes only replicas it knows)."""
        live = sum(1 for node in self.data if node.process is not None) - 1

        def settled() -> bool:
            ports = set()
            for sentinel in self.sentinels:
                state = sentinel.client().sentinel_master(MASTER_NAME)
                replicas = sentinel.client().sentinel_slaves(MASTER_NAME)
                up = [r for r in replicas if not r["is_sdown"] and r.get("master-link-status", "ok") == "ok"]
                if int(state["num-other-sentinels"]) < 2 or len(up) < live or state.get("is_sdown"):
                    return False
                ports.add(int(state["port"]))
            return len(ports) == 1

        _wait(settled, timeout, "Sentinels agreeing on the primary and its replicas")

    def primary_port(self) -> int:
        """The port of the server the Sentinels call primary now."""
        for sentinel in self.sentinels:
            try:
                return int(sentinel.client().sentinel_get_master_addr_by_name(MASTER_NAME)[1])
            except redis.RedisError:
                continue
        raise RedisNotAvailable("no Sentinel answers")

    def node(self, port: int) -> RedisNode:
        """The data server on ``port``."""
        return next(node for node in self.data if node.port == port)

    def kill_primary(self) -> RedisNode:
        """SIGKILL the current primary; returns it."""
        victim = self.node(self.primary_port())
        victim.kill()
        return victim

    def wait_promoted(self, old_port: int, timeout: float = 60) -> int:
        """Wait until a Sentinel names another primary and that server says it is one; its port."""
        _wait(lambda: self.primary_port() != old_port, timeout, "a Sentinel promoting a replica")
        port = self.primary_port()
        _wait(lambda: self.node(port).client().info("replication")["role"] == "master", timeout, "promotion")
        return port

    def restart_as_replica(self, node: RedisNode, primary: int | None = None, timeout: float = 60) -> bool:
        """Start a killed server again, empty, as a replica of ``primary`` (by default the one the
        Sentinels name now); wait for its sync. A Sentinel slow to hear of the promotion can still
        name the killed server itself, so callers that waited for the promotion pass its port.

        On a loaded machine the new primary can miss the Sentinels' pings for ``down_after_ms`` (a
        fork for the returning server's sync, workers on every core), and the Sentinels fail over
        again, to the server just restarted once it is in sync. That is a real failover, which the
        drill must survive too, so it ends the wait as well; returns whether it happened."""
        primary = primary or self.primary_port()
        if primary == node.port:
            raise RuntimeError(f"port {node.port} is still named primary: it cannot replicate itself")
        node.start_data(replica_of=primary)

        def settled() -> bool:
            if link_up(node):
                return True
            return self.primary_port() == node.port and node.client().info("replication")["role"] == "master"

        try:
            _wait(settled, timeout, "resync")
        except TimeoutError as exc:
            raise TimeoutError(f"{exc} (replica of {primary}); {_state(node)}") from None
        return not link_up(node)

    def cleanup(self) -> None:
        """Stop every server and delete the folder."""
        for node in [*self.sentinels, *self.data]:
            node.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> SentinelLab:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
