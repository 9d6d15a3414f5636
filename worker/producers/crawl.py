"""Article pages by URL through the door: claim, fetch (in threads), then queue or reject.

URLs are claimed at the door before anything is fetched, so a page already queued (by this
producer, an earlier poll, or another producer) costs no request. Pages are fetched by a pool of
threads, interleaved across hosts so one slow host does not hold every thread, with a bounded
number in flight; the main thread alone talks to Redis and Celery. Once the fetcher is cancelled
(the producer is stopping), nothing more is claimed or fetched: the claims of pages not fetched
are given back, so the next run or poll fetches them.
"""

from __future__ import annotations

import logging
from collections import defaultdict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from dataclasses import dataclass, field
from itertools import zip_longest

from tasks.errors import PermanentError
from worker.producers.producer import MAX_BATCH_DELAY_SECONDS, Producer
from worker.sources.errors import FetchFailed, UnsupportedURL
from worker.sources.fetch import Fetched, Fetcher, check_url
from worker.sources.files import SourceItem
from worker.sources.hosts import origin_of
from worker.stores.claims import Claim

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PageJob:
    """A page to fetch and queue: its URL, where it was listed, what is known of it, and its group.

    ``group`` is the feed it came from (or the list), so a caller can tell which feeds had
    a page that failed for a passing reason.
    """

    url: str
    origin: str
    metadata: dict[str, str] = field(default_factory=dict)
    group: str = ""


def enqueue_pages(
    jobs: Iterable[PageJob],
    producer: Producer,
    fetcher: Fetcher,
    pool: Executor,
    max_in_flight: int,
) -> set[str]:
    """Fetch and queue each new page; return the groups in which a page failed for a passing reason."""
    transient_groups: set[str] = set()
    valid: list[PageJob] = []
    claims: list[Claim] = []
    for job in jobs:
        try:
            check_url(job.url)
            claim = Claim.for_url(job.url)
        except UnsupportedURL as exc:
            producer.reject(job.origin, type(exc).__name__, str(exc), {"url": job.url, **job.metadata})
            continue
        valid.append(job)
        claims.append(claim)
    if fetcher.cancelled:  # stopping: claim nothing, and let the feeds be read again next time
        return {job.group for job in valid}
    won = producer.claim(claims)
    todo = deque(_interleaved_by_host([(j, c) for j, c, ok in zip(valid, claims, won, strict=True) if ok]))
    in_flight: dict[Future[Fetched], tuple[PageJob, Claim]] = {}
    while todo or in_flight:
        if fetcher.cancelled:  # stopping: give back what was claimed but not started
            for job, claim in todo:
                producer.release(claim)
                transient_groups.add(job.group)
            todo.clear()
        while todo and len(in_flight) < max_in_flight:
            job, claim = todo.popleft()
            in_flight[pool.submit(fetcher.fetch_page, job.url)] = (job, claim)
        done, _ = wait(in_flight, timeout=MAX_BATCH_DELAY_SECONDS, return_when=FIRST_COMPLETED)
        for future in done:
            job, claim = in_flight.pop(future)
            if not _queue_page(future, job, claim, producer):
                transient_groups.add(job.group)
        producer.flush_if_due()
    producer.flush()
    return transient_groups


def _queue_page(future: Future[Fetched], job: PageJob, claim: Claim, producer: Producer) -> bool:
    """Queue a fetched page or reject it; False when it failed for a passing reason (claim released)."""
    payload = {"url": job.url, **job.metadata}
    try:
        page = future.result()
        html = page.text()
    except PermanentError as exc:
        producer.reject(job.origin, type(exc).__name__, str(exc), payload, claim=claim)
        return True
    except Exception as exc:  # FetchFailed, and anything unexpected: try again on the next poll
        if not isinstance(exc, FetchFailed):
            log.exception("url=%s outcome=fetch_error", job.url)
        producer.release(claim)
        producer.reject(job.origin, type(exc).__name__, str(exc), payload, dead_letter=False)
        return False
    record = {"id": claim.article_id, "url": job.url, "html": html, **job.metadata}
    producer.offer(SourceItem(job.origin, record), claim=claim)
    return True


def _interleaved_by_host(jobs: list[tuple[PageJob, Claim]]) -> Iterator[tuple[PageJob, Claim]]:
    """Round-robin over hosts, keeping each host's own order."""
    by_host: dict[str, list[tuple[PageJob, Claim]]] = defaultdict(list)
    for job in jobs:
        by_host[origin_of(job[0].url)].append(job)
    for row in zip_longest(*by_host.values()):
        yield from (job for job in row if job is not None)
