"""Hostile input against the real thing: can any feed or record reach inside the network, lose an
article, or stop the pipeline?

Usage: python -m bench.hostile [--only GROUP[,GROUP]]

Starts what it needs itself (a private redis-server with a password, a real ``newsflow worker``
with its metrics on a free port, loopback HTTP servers) and needs no data set. Each probe feeds
one hostile input to a real producer (``newsflow enqueue`` as a subprocess), the CLI, or the
worker, and prints one line: PASS or FAIL, its group, the input (short, escaped) and what was
observed. Every probe is bounded in time: one that hangs is a FAIL ("timed out after Ns"). The
last line counts them; the exit code is 1 if any failed.

Groups (``--only``): ssrf (``bench/hostile_fetch.py``), feeds (``bench/hostile_feeds.py``), slow
(``bench/hostile_slow.py``), cli (``bench/hostile_cli.py``), records and final
(``bench/hostile_records.py``), and regress (probes of what already held, spread over those).
Shared parts (Redis, the worker, the sites, the CLI runner) are in ``bench/hostile_lab.py``.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

from bench import hostile_cli, hostile_feeds, hostile_fetch, hostile_records, hostile_slow
from bench.hostile_lab import Lab, Outcome, Probe, ProbeTimeout
from worker.escaping import for_terminal

SHOWN_CHARS = 62


def all_probes() -> list[Probe]:
    """Every probe, in the order they run: the producers' first (the worker loads its model meanwhile)."""
    return [
        *hostile_fetch.probes(),
        *hostile_feeds.probes(),
        *hostile_slow.probes(),
        *hostile_cli.probes(),
        *hostile_records.probes(),
    ]


def run_probe(probe: Probe, lab: Lab) -> tuple[Outcome, float]:
    """Run one probe in a thread of its own, bounded by its time; a probe that raises is a FAIL."""
    box: list[Outcome] = []

    def target() -> None:
        try:
            box.append(probe.check(lab))
        except ProbeTimeout as exc:
            box.append(Outcome(False, str(exc)))
        except Exception as exc:
            box.append(Outcome(False, f"probe raised {type(exc).__name__}: {exc}"[:200]))

    started = time.monotonic()
    thread = threading.Thread(target=target, daemon=True, name=f"probe-{probe.group}")
    thread.start()
    thread.join(probe.seconds)
    if not box:
        return Outcome(False, f"timed out after {probe.seconds:g}s"), time.monotonic() - started
    return box[0], time.monotonic() - started


def line(probe: Probe, outcome: Outcome) -> str:
    """PASS/FAIL, group, input and what was observed, on one escaped line."""
    shown = probe.shown if len(probe.shown) <= SHOWN_CHARS else probe.shown[: SHOWN_CHARS - 1] + "…"
    verdict = "PASS" if outcome.passed else "FAIL"
    return for_terminal(f"{verdict}  {probe.group:<8} {shown:<{SHOWN_CHARS}}  {outcome.observed}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="run only these groups (comma-separated)")
    args = parser.parse_args()
    chosen = all_probes()
    if args.only:
        groups = set(args.only.split(","))
        chosen = [p for p in chosen if p.group in groups]
    lab = Lab().start()
    passed = 0
    started = time.monotonic()
    try:
        for probe in chosen:
            outcome, _ = run_probe(probe, lab)
            passed += outcome.passed
            print(line(probe, outcome), flush=True)
    finally:
        lab.close()
    minutes = (time.monotonic() - started) / 60
    print(f"{len(chosen)} probes, {passed} passed ({minutes:.1f} min)")
    return 0 if passed == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
