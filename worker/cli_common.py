"""What every ``newsflow`` subcommand shares: settings, Redis, and one-line errors instead of tracebacks."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
import redis
from pydantic import ValidationError

from tasks.errors import NewsflowError
from worker.settings import Settings, get_settings, redact_url

F = TypeVar("F", bound=Callable[..., Any])


def cli_settings() -> Settings:
    """The settings, or a one-line error naming the bad NEWSFLOW_* variable."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "NEWSFLOW_" + str(first["loc"][0]).upper() if first["loc"] else "NEWSFLOW_*"
        raise click.ClickException(f"bad setting {name}: {first['msg']}") from exc


def one_line_errors(command: F) -> F:
    """Turn the errors a user can cause into one clear line and exit status 1, not a traceback."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except redis.RedisError as exc:
            url = redact_url(cli_settings().redis_url.get_secret_value())
            raise click.ClickException(f"cannot use Redis at {url}: {exc}") from exc
        except (NewsflowError, OSError) as exc:
            raise click.ClickException(str(exc)) from exc

    return wrapper  # type: ignore[return-value]


def cli_client(settings: Settings) -> redis.Redis:
    """A Redis client that has answered PING (so an unreachable Redis fails at once, in one line)."""
    from worker.redis_client import connect

    client = connect(settings, retries=0)
    client.ping()
    return client
