"""A worker process's life: signal handlers (``signals``), the message consumer that dead-letters
refused messages (``consumer``), heartbeats, the HTTP health and metrics server (``health``),
allocator settings (``allocator``) and log set-up (``logs``)."""
