"""Claims: each article is queued once per canonical URL and per id, across producers.

A claim is one Lua script per article (atomic, so two producers racing for the same article
cannot both win): it fails if the article's id was already published, or if its id or canonical
URL was already claimed; otherwise it marks both ``pending`` for ``PENDING_SECONDS``. Once the
article is on the queue the claim is confirmed: ``queued`` for ``NEWSFLOW_DEDUP_TTL_SECONDS``.
So a producer that dies between claiming and sending loses nothing for long: its pending claims
expire and a later run or poll queues those articles after all. Claims and the previous batch's
confirmations go in one pipeline, one round trip. A claim whose fetch failed for a passing reason
is released, so the next poll tries again; one rejected for good is kept for
``NEWSFLOW_DEDUP_REJECTED_TTL_SECONDS``, so a dead link is not fetched on every poll.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import redis

from tasks.ids import canonical_url, derive_article_id
from worker.settings import Settings
from worker.stores.stream import published_marker

# Long enough for a page to wait for its host's turn, be fetched (with retries) and be sent.
PENDING_SECONDS = 3600

# KEYS[1]: the published marker of the id; KEYS[2..n]: the id's and the URL's door keys.
# ARGV[1]: TTL in seconds. Returns 1 when this call claimed the article, 0 for a duplicate.
_CLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
for i = 2, #KEYS do
  if redis.call('EXISTS', KEYS[i]) == 1 then return 0 end
end
for i = 2, #KEYS do
  redis.call('SET', KEYS[i], 'pending', 'EX', ARGV[1])
end
return 1
"""


@dataclass(frozen=True, slots=True)
class Claim:
    """What identifies an article at the door: its id and, when it has one, its URL."""

    article_id: str
    url: str | None = None

    @classmethod
    def for_url(cls, url: str) -> Claim:
        """The claim of a page known only by its URL (its id derives from the canonical URL)."""
        return cls(derive_article_id(url, ""), url)


class ArticleClaims:
    """Claims, releases and marks articles in Redis, shared by every producer of a deployment."""

    def __init__(self, client: redis.Redis, settings: Settings) -> None:
        self.client = client
        self.settings = settings
        self._claim = client.register_script(_CLAIM)

    def keys(self, claim: Claim) -> list[str]:
        """The door keys of an article: its id's, and its canonical URL's (hashed, so keys stay short)."""
        keys = [self.settings.key("seen", "id", claim.article_id)]
        if claim.url and claim.url.strip():
            digest = hashlib.sha256(canonical_url(claim.url).encode("utf-8")).hexdigest()[:32]
            keys.append(self.settings.key("seen", "url", digest))
        return keys

    def claim(self, claims: Sequence[Claim], confirm: Sequence[Claim] = ()) -> list[bool]:
        """Claim each article (True where this call won it, False for a duplicate), and confirm
        ``confirm`` (articles now on the queue) on the way. One round trip."""
        if not claims and not confirm:
            return []
        pipe = self.client.pipeline(transaction=False)
        self._confirm(pipe, confirm)
        for claim in claims:
            keys = [published_marker(self.settings, claim.article_id), *self.keys(claim)]
            self._claim(keys=keys, args=[PENDING_SECONDS], client=pipe)
        results = pipe.execute()
        return [bool(won) for won in results[len(results) - len(claims) :]]

    def confirm(self, claims: Sequence[Claim]) -> None:
        """Mark claimed articles as queued, for the full dedup TTL."""
        if claims:
            pipe = self.client.pipeline(transaction=False)
            self._confirm(pipe, claims)
            pipe.execute()

    def _confirm(self, pipe: redis.client.Pipeline, claims: Sequence[Claim]) -> None:
        for claim in claims:
            for key in self.keys(claim):
                pipe.set(key, "queued", ex=self.settings.dedup_ttl_seconds)

    def release(self, claims: Sequence[Claim]) -> None:
        """Forget claims whose articles could not be fetched for a passing reason."""
        keys = [key for claim in claims for key in self.keys(claim)]
        if keys:
            self.client.delete(*keys)

    def mark_rejected(self, claims: Sequence[Claim]) -> None:
        """Keep claims of articles rejected for good, for the shorter rejected TTL."""
        if not claims:
            return
        pipe = self.client.pipeline(transaction=False)
        for claim in claims:
            for key in self.keys(claim):
                pipe.set(key, "rejected", ex=self.settings.dedup_rejected_ttl_seconds)
        pipe.execute()
