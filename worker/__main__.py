"""``python -m worker`` runs the ``newsflow`` command."""

from worker.cli import main

main()
