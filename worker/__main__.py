"""``python -m worker`` runs the ``newsflow`` command."""

from worker.cli.main import main

main()
