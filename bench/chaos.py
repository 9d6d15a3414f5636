"""Chaos: SIGKILL workers and restart Redis while articles flow; count what was lost.

    python -m bench.chaos [DATA_DIR] [--articles 2000] [--kills 10] [--poison 0.05] [--seed 1]

Starts a private redis-server with AOF (fsync always) and two ``newsflow worker`` processes, runs
the articles through while killing workers at random moments and restarting Redis once, and prints
enqueued, published, dead-lettered, lost and duplicates (the runner is ``tests/chaos_runner.py``,
which the test suite runs in a shorter version).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.chaos_runner import POISON_KINDS, run_chaos
from tests.harness import DEFAULT_DATA_DIR


def main() -> None:
    """Run the chaos scenario from the command line and print its table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--poison", type=float, default=0.05, help="share of poison records")
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every article")
    args = parser.parse_args()
    poison = max(len(POISON_KINDS), round(args.articles * args.poison))
    report = run_chaos(
        Path(args.data_dir),
        articles=args.articles - poison,
        poison=poison,
        kills=args.kills,
        seed=args.seed,
        timeout=args.timeout,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(f"chaos: {args.articles} articles ({poison} poison), {args.kills} kills, 1 Redis restart")
    print(report.table())
    sys.exit(0 if report.lost == 0 and report.duplicates == 0 and not report.poison_without_reason else 1)


if __name__ == "__main__":
    main()
