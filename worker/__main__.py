"""``python -m worker`` runs the ``newsflow`` command."""

from worker.cli.commands import main

main()
