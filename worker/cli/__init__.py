"""The ``newsflow`` command line: ``main`` groups the commands; each module beside it holds one
command's work (``process``, ``demo``, ``status``, ``dlq``) or what several share (``common``,
``escaping``, ``progress``, ``local_redis``)."""
