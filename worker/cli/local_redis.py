"""A private ``redis-server`` on a free local port: for the demo, tests and benchmarks."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import redis

INSTALL_HINT = (
    "no redis-server on PATH: install it (Debian/Ubuntu: apt-get install redis-server; "
    "macOS: brew install redis) or set NEWSFLOW_REDIS_URL to a Redis you run"
)


class RedisNotAvailable(RuntimeError):
    """No redis-server could be found or started."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """A server certificate and key, and the CA that signed them."""

    cert: Path
    key: Path
    ca: Path


def make_tls_files(directory: Path) -> TlsFiles:
    """A throwaway CA and a server certificate for 127.0.0.1, made with the openssl command."""
    directory.mkdir(parents=True, exist_ok=True)
    names = ("ca.key", "ca.crt", "server.key", "server.csr", "server.crt", "ext.cnf")
    ca_key, ca, key, csr, cert, ext = (directory / name for name in names)
    ext.write_text("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    steps: list[list[str | Path]] = [
        ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
         "-subj", "/CN=newsflow-test-ca"],
        ["req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1"],
        ["x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-out", cert,
         "-days", "2", "-extfile", ext],
    ]  # fmt: skip
    for step in steps:
        subprocess.run(["openssl", *map(str, step)], check=True, capture_output=True)
    return TlsFiles(cert=cert, key=key, ca=ca)


class LocalRedis:
    """A ``redis-server`` child process on 127.0.0.1; ``with LocalRedis() as r: r.url``."""

    def __init__(
        self,
        port: int | None = None,
        *,
        appendonly: bool = False,
        appendfsync: str = "everysec",
        password: str | None = None,
        tls: TlsFiles | None = None,
    ) -> None:
        self.port = port or free_port()
        self.appendonly = appendonly
        self.appendfsync = appendfsync
        self.password = password
        self.tls = tls
        self.directory = Path(tempfile.mkdtemp(prefix="newsflow-redis-"))
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """The URL of this server (rediss:// with TLS; with the password, if any)."""
        auth = f":{self.password}@" if self.password else ""
        scheme = "rediss" if self.tls else "redis"
        return f"{scheme}://{auth}127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        """A client of this server."""
        if self.tls:
            return redis.Redis.from_url(
                self.url, socket_timeout=2, socket_connect_timeout=2, ssl_ca_certs=str(self.tls.ca)
            )
        return redis.Redis.from_url(self.url, socket_timeout=2, socket_connect_timeout=2)

    def start(self, timeout: float = 10.0) -> LocalRedis:
        """Start the server and wait until it answers PING."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RedisNotAvailable(INSTALL_HINT)
        argv = [
            binary, "--bind", "127.0.0.1", "--dir", str(self.directory), "--save", "",
            "--appendonly", "yes" if self.appendonly else "no", "--appendfsync", self.appendfsync,
            "--logfile", str(self.directory / "redis.log"),
        ]  # fmt: skip
        if self.tls:
            argv += [
                "--port", "0", "--tls-port", str(self.port), "--tls-cert-file", str(self.tls.cert),
                "--tls-key-file", str(self.tls.key), "--tls-ca-cert-file", str(self.tls.ca),
                "--tls-auth-clients", "no",
            ]  # fmt: skip
        else:
            argv += ["--port", str(self.port)]
        if self.password:
            argv += ["--requirepass", self.password]
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 10.0) -> None:
        """Wait until the server answers PING (also after a restart, while it loads its AOF)."""
        deadline = time.monotonic() + timeout
        client = self.client()
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.RedisError:
                    if self.process and self.process.poll() is not None:
                        raise RedisNotAvailable(
                            f"redis-server exited with status {self.process.returncode}"
                        ) from None
                    if time.monotonic() > deadline:
                        raise RedisNotAvailable(
                            f"redis-server on port {self.port} did not answer in {timeout}s"
                        ) from None
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the server (SIGTERM: it writes its AOF out; SIGKILL after 10 s)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def restart(self, timeout: float = 30.0) -> None:
        """Stop and start again on the same port and directory (keeps AOF data if enabled)."""
        self.stop()
        self.start(timeout)

    def cleanup(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> LocalRedis:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.cleanup()
