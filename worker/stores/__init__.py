"""What the pipeline keeps in Redis: connections (``redis_client``, ``reconnect``), the results
and dead-letter streams and published markers (``stream``), the duplicate index (``duplicates``),
the producers' claims that queue each article once (``claims``) and the operators' view of the
dead letters (``dead_letters``)."""
