"""Producers: records, URL lists and feeds onto the queue as pipeline chains.

``enqueue`` drives a run; ``producer`` claims and validates records and sends them in batches
through ``sender``; ``crawl`` fetches article pages by URL; ``feed_poll`` and ``feed_state`` poll
feeds with conditional GETs; ``backpressure`` waits while the first queue is too deep. Reading
and fetching the inputs themselves lives in ``worker.sources``.
"""
