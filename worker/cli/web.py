"""``newsflow web``: serve the live results page (worker/web, docs/web.md) with uvicorn."""

from __future__ import annotations

import click

from worker.cli.common import cli_client, cli_settings, one_line_errors, say


@click.command()
@click.option("--host", help="Address to bind (default: NEWSFLOW_WEB_HOST, 127.0.0.1).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: NEWSFLOW_WEB_PORT, 8088).")
@one_line_errors
def web(host: str | None, port: int | None) -> None:
    """Serve a live page of published articles, dead letters and the pipeline's state."""
    import uvicorn

    from worker.web.app import create_app

    settings = cli_settings()
    cli_client(settings).close()  # an unreachable Redis fails here, in one line
    host = host or settings.web_host
    port = port or settings.web_port
    mode = "replay on (token set)" if settings.web_token is not None else "read-only"
    say(f"newsflow web on http://{host}:{port}/ ({mode})", err=True)
    uvicorn.run(
        create_app(settings),
        host=host,
        port=port,
        log_level=settings.log_level.lower(),
        access_log=False,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=3,
    )
