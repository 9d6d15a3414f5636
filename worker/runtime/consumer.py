"""The worker's message consumer: refused messages go to the dead letters instead of vanishing.

Celery drops a message it will not decode (a pickle, when only JSON is accepted), an unknown task or
a malformed one, after logging its body. We keep the refusal (such a message is never deserialised:
its raw bytes are stored base64-encoded), but dead-letter it with the reason, and log no body. It is
acknowledged only once its dead letter is written; if that fails it goes back on its queue.
"""

from __future__ import annotations

import base64
import logging
import time
from typing import Any

from celery.worker.consumer import Consumer

from tasks.errors import RefusedMessage
from worker.settings import get_settings
from worker.stores import stream
from worker.stores.redis_client import shared_client

log = logging.getLogger(__name__)
MAX_RAW_BYTES = 64 * 1024
REQUEUE_PAUSE_SECONDS = 1.0


def _raw(message: Any) -> dict[str, Any]:
    body = message.body if isinstance(message.body, bytes) else str(message.body).encode("utf-8", "replace")
    headers = message.headers or {}
    return {
        "content_type": message.content_type,
        "content_encoding": message.content_encoding,
        "task": str(headers.get("task", "")),
        "task_id": str(headers.get("id", "")),
        "body_base64": base64.b64encode(body[:MAX_RAW_BYTES]).decode("ascii"),
        "body_bytes": len(body),
    }


def dead_letter_message(message: Any, reason: str) -> bool:
    """Put a refused queue message in the dead-letter stream, undecoded; False if it could not be."""
    raw = _raw(message)
    routing = (message.delivery_info or {}).get("routing_key") or ""
    stage = routing.rsplit(".", 1)[-1] if routing else "consume"
    error = RefusedMessage(reason)
    try:
        stream.dead_letter(
            shared_client(),
            get_settings(),
            article_id=None,
            stage=stage,
            error=error,
            payload=raw,
            attempts=1,
        )
    except Exception:
        log.exception(
            "could not dead-letter a refused message: it goes back on its queue",
            extra={"content_type": raw["content_type"]},
        )
        return False
    log.warning(
        "message refused", extra={"reason": reason, "content_type": raw["content_type"], "task": raw["task"]}
    )
    return True


def settle_refused(message: Any, reason: str) -> None:
    """Acknowledge a refused message once its dead letter is written; else put it back on its
    queue (after a pause, so a dead-letter stream that keeps refusing writes is no busy loop), so
    that a refused message is never dropped without a trace."""
    if dead_letter_message(message, reason):
        message.ack()
        return
    time.sleep(REQUEUE_PAUSE_SECONDS)
    try:
        message.reject(requeue=True)
    except Exception:  # Redis is away: the message stays unacknowledged and comes back from there
        log.warning("could not put a refused message back on its queue yet", exc_info=True)


class NewsflowConsumer(Consumer):  # type: ignore[misc]
    """Celery's consumer, dead-lettering the messages it refuses."""

    def on_decode_error(self, message: Any, exc: Exception) -> None:
        """A message in a content type we do not accept (pickle) or that does not decode."""
        settle_refused(message, f"undecodable or disallowed content ({type(exc).__name__}: {exc})"[:500])

    def on_unknown_message(self, body: Any, message: Any) -> None:
        """A message that is not a Celery task message."""
        settle_refused(message, "not a task message")

    def on_unknown_task(self, body: Any, message: Any, exc: Exception) -> None:
        """A task message naming a task this worker does not have."""
        settle_refused(message, f"unknown task {(message.headers or {}).get('task')!r}")

    def on_invalid_task(self, body: Any, message: Any, exc: Exception) -> None:
        """A task message whose fields are malformed."""
        settle_refused(message, f"invalid task message ({type(exc).__name__})")
