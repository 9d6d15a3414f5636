"""The ``newsflow`` command line: ``commands.main`` is the click group (the ``newsflow`` entry point);
each module beside it holds one command's work (``process``, ``demo``, ``status``, ``dlq``) or what
several share (``common``, ``local_redis``)."""
