"""The failover drill: kill the Redis primary under load, twice; count what was lost or published twice.

    python -m bench.failover [DATA_DIR] [--articles 2000] [--wait-replicas 1] [--poison 0.02]

A primary, one replica and three Sentinels, two workers and a producer that know only the
Sentinels; the primary is SIGKILLed after a third of the articles and the new primary after two
thirds. Prints enqueued, published, dead-lettered, lost, duplicates, and the promotion and stall
times (the runner is ``tests/failover_runner.py``, which the test suite runs in a shorter version).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tests.failover_runner import PLANTED_KINDS, run_failover
from tests.harness import DEFAULT_DATA_DIR


def main() -> None:
    """Run the drill from the command line and print its table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA_DIR))
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--poison", type=float, default=0.02, help="share of planted bad records")
    parser.add_argument("--wait-replicas", type=int, default=1, help="NEWSFLOW_REDIS_WAIT_REPLICAS")
    parser.add_argument("--timeout", type=float, default=900, help="seconds to wait for every article")
    args = parser.parse_args()
    poison = max(len(PLANTED_KINDS), round(args.articles * args.poison))
    report = run_failover(
        Path(args.data_dir),
        articles=args.articles - poison,
        poison=poison,
        wait_replicas=args.wait_replicas,
        timeout=args.timeout,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    print(f"failover drill: {args.articles} articles ({poison} planted bad), 2 failovers, "
          f"NEWSFLOW_REDIS_WAIT_REPLICAS={args.wait_replicas}")  # fmt: skip
    print(report.table())
    ok = report.lost == 0 and report.duplicates == 0 and report.planted_dead_lettered == report.planted
    ok = ok and not report.good_dead_lettered
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
