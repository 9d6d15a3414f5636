"""What every ``newsflow`` subcommand shares: settings, Redis, one-line errors instead of tracebacks,
and ``say``: every line printed with its control characters escaped (``worker.escaping``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

import click
import redis
from pydantic import ValidationError

from tasks.errors import NewsflowError
from worker.escaping import for_terminal
from worker.settings import Settings, get_settings

F = TypeVar("F", bound=Callable[..., Any])


def cli_settings() -> Settings:
    """The settings, or a one-line error naming the bad NEWSFLOW_* variable."""
    try:
        return get_settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        name = "NEWSFLOW_" + str(first["loc"][0]).upper() if first["loc"] else "NEWSFLOW_*"
        raise click.ClickException(f"bad setting {name}: {first['msg']}") from exc


def say(line: str, err: bool = False) -> None:
    """Print a line of output (stderr with ``err``) with every control character, bidi control
    and lone surrogate escaped: what records and file names hold never reaches the terminal raw."""
    click.echo(for_terminal(line), err=err)


def one_line_errors(command: F) -> F:
    """Turn the errors a user can cause into one clear line and exit status 1, not a traceback;
    the line escaped as ``say`` escapes."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except click.ClickException as exc:
            escaped = for_terminal(exc.message)
            if escaped == exc.message:
                raise
            raise click.ClickException(escaped) from exc
        except redis.RedisError as exc:
            url = cli_settings().redis_location()
            raise click.ClickException(for_terminal(f"cannot use Redis at {url}: {exc}")) from exc
        except (NewsflowError, OSError) as exc:
            raise click.ClickException(for_terminal(str(exc))) from exc

    return wrapper  # type: ignore[return-value]


def cli_client(settings: Settings) -> redis.Redis:
    """A Redis client that has answered PING (so an unreachable Redis fails at once, in one line)."""
    from worker.stores.redis_client import connect

    client = connect(settings, retries=0)
    client.ping()
    return client
