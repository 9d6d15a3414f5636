"""``newsflow web``: a live page over the results and dead-letter streams (docs/web.md).

``cards`` and ``markup`` turn a published article into what the page shows (pure functions on
plain data), ``recent`` holds the last N articles in memory, ``follower`` tails the streams and
fans each entry out to the page's viewers (``hub``), ``routes`` and ``app`` serve it all.
Every field read from a stream is untrusted: templates autoescape it and the scripts only ever
set ``textContent``; the Content-Security-Policy forbids inline scripts.
"""
