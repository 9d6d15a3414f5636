"""How settings become Redis clients and Celery's broker configuration: one fixed server, or Sentinels."""

from __future__ import annotations

import pytest
import redis
from pydantic import ValidationError
from redis.sentinel import SentinelConnectionPool, SentinelManagedConnection, SentinelManagedSSLConnection

from worker.app import broker_url, celery_config
from worker.settings import Settings, parse_host_port
from worker.stores.redis_client import connect, master_options, sentinel_options

SENTINELS = "10.0.0.1:26379,sentinel-b:26380,[::1]:26381"


def test_settings_parse_the_sentinel_list() -> None:
    settings = Settings(redis_sentinels=SENTINELS)
    assert settings.sentinel_addresses() == [("10.0.0.1", 26379), ("sentinel-b", 26380), ("::1", 26381)]
    assert Settings().sentinel_addresses() == []


@pytest.mark.parametrize("entry", ["sentinel-a", "host:", ":26379", "host:port", "host:70000"])
def test_a_malformed_sentinel_is_refused_at_start_up(entry: str) -> None:
    with pytest.raises(ValidationError, match="not host:port"):
        Settings(redis_sentinels=f"good:26379,{entry}")
    with pytest.raises(ValueError, match="not host:port"):
        parse_host_port(entry)


def test_without_sentinels_the_broker_is_the_url() -> None:
    settings = Settings(redis_url="redis://:pw@redis.example:6380/2")
    assert broker_url(settings) == "redis://:pw@redis.example:6380/2"
    options = celery_config(settings)["broker_transport_options"]
    assert "master_name" not in options


def test_with_sentinels_the_broker_is_one_sentinel_url_per_sentinel() -> None:
    settings = Settings(
        redis_url="redis://:pw@ignored:6379/3",
        redis_sentinels=SENTINELS,
        redis_sentinel_master="news",
        redis_sentinel_password="sentinel-secret",
    )
    config = celery_config(settings)
    assert config["broker_url"] == (
        "sentinel://:pw@10.0.0.1:26379/3;sentinel://:pw@sentinel-b:26380/3;sentinel://:pw@[::1]:26381/3"
    )
    options = config["broker_transport_options"]
    assert options["master_name"] == "news"
    assert options["sentinel_kwargs"]["password"] == "sentinel-secret"
    # The settings' other transport options stay.
    assert options["visibility_timeout"] == settings.visibility_timeout_seconds
    assert config["task_publish_retry_policy"]["max_retries"] > 3


def test_celery_reads_the_sentinel_broker_url_as_kombu_does() -> None:
    from kombu import Connection

    settings = Settings(redis_url="redis://:pw@ignored/1", redis_sentinels=SENTINELS)
    connection = Connection(broker_url(settings))
    assert connection.transport_cls == "sentinel"
    assert connection.password == "pw"
    assert [url.split("@")[-1] for url in connection.alt] == [
        "10.0.0.1:26379/1",
        "sentinel-b:26380/1",
        "[::1]:26381/1",
    ]


def test_without_sentinels_a_client_connects_to_the_url() -> None:
    client = connect(Settings(redis_url="redis://:pw@redis.example:6380/2"))
    kwargs = client.connection_pool.connection_kwargs
    assert (kwargs["host"], kwargs["port"], kwargs["db"], kwargs["password"]) == (
        "redis.example",
        6380,
        2,
        "pw",
    )
    assert not isinstance(client.connection_pool, SentinelConnectionPool)


def test_with_sentinels_a_client_asks_them_for_the_primary() -> None:
    settings = Settings(
        redis_url="redis://user:pw@ignored:6379/4",
        redis_sentinels=SENTINELS,
        redis_sentinel_master="news",
        redis_sentinel_password="sentinel-secret",
    )
    client = connect(settings)
    pool = client.connection_pool
    assert isinstance(pool, SentinelConnectionPool)
    assert pool.service_name == "news"
    assert pool.connection_class is SentinelManagedConnection
    assert (pool.connection_kwargs["username"], pool.connection_kwargs["password"]) == ("user", "pw")
    assert pool.connection_kwargs["db"] == 4
    assert pool.connection_kwargs["decode_responses"] is True
    sentinels = pool.sentinel_manager.sentinels
    assert [
        (s.connection_pool.connection_kwargs["host"], s.connection_pool.connection_kwargs["port"])
        for s in sentinels
    ] == [
        ("10.0.0.1", 26379),
        ("sentinel-b", 26380),
        ("::1", 26381),
    ]
    assert sentinels[0].connection_pool.connection_kwargs["password"] == "sentinel-secret"


def test_with_sentinels_and_rediss_the_primary_is_reached_over_tls() -> None:
    settings = Settings(
        redis_url="rediss://:pw@ignored:6379/0", redis_sentinels=SENTINELS, redis_tls_verify=False
    )
    assert master_options(settings)["ssl"] is True
    pool = connect(settings).connection_pool
    assert pool.connection_class is SentinelManagedSSLConnection
    assert pool.connection_kwargs["ssl_cert_reqs"] == "none"


def test_sentinel_connections_carry_no_password_unless_given() -> None:
    assert "password" not in sentinel_options(Settings(redis_sentinels=SENTINELS))


def test_durability_waits_are_off_by_default() -> None:
    settings = Settings()
    assert settings.redis_wait_replicas == 0
    client = redis.Redis(host="127.0.0.1", port=1)  # never reached: nothing to wait for
    from worker.stores.redis_client import wait_for_replicas

    wait_for_replicas(client, settings)


def test_the_redis_location_names_the_sentinels_and_never_the_password() -> None:
    plain = Settings(redis_url="redis://:s3cret@redis.example:6379/0")
    assert plain.redis_location() == "redis://:***@redis.example:6379/0"
    behind = Settings(redis_url="redis://:s3cret@ignored/0", redis_sentinels="s1:26379,s2:26379")
    assert "s1:26379,s2:26379" in behind.redis_location()
    assert "'mymaster'" in behind.redis_location()
    assert "s3cret" not in behind.redis_location()


def test_the_asyncio_client_finds_the_primary_through_the_sentinels_too() -> None:
    from redis.asyncio.sentinel import SentinelConnectionPool as AsyncSentinelPool

    from worker.stores.redis_client import connect_async

    plain = connect_async(Settings(redis_url="redis://:pw@redis.example:6380/2"))
    assert plain.connection_pool.connection_kwargs["host"] == "redis.example"
    behind = connect_async(Settings(redis_url="redis://:pw@ignored/5", redis_sentinels=SENTINELS))
    assert isinstance(behind.connection_pool, AsyncSentinelPool)
    assert behind.connection_pool.service_name == "mymaster"
    assert behind.connection_pool.connection_kwargs["db"] == 5
