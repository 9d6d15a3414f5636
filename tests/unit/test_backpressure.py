"""The queue gate: sends pass while the queue is shallow, wait while it is deep, then resume."""

from __future__ import annotations

from tests.unit.test_politeness import FakeClock
from worker.producers.backpressure import QueueGate


class FakeQueue:
    """A queue whose depth the test scripts: each read returns the next depth (the last repeats)."""

    def __init__(self, depths: list[int]) -> None:
        self.depths = depths
        self.reads = 0

    def __call__(self) -> int:
        self.reads += 1
        return self.depths.pop(0) if len(self.depths) > 1 else self.depths[0]


def gate(queue: FakeQueue, limit: int, clock: FakeClock, said: list[str]) -> QueueGate:
    return QueueGate(queue, limit, "nf.clean", said.append, sleep=clock.sleep, clock=clock, poll_seconds=0.5)


def test_a_shallow_queue_is_read_about_once_a_second_not_per_send() -> None:
    clock, said, queue = FakeClock(), [], FakeQueue([0])
    g = gate(queue, 1000, clock, said)
    for _ in range(50):
        g.admit(10)  # 500 sent, estimate stays under the limit
    assert queue.reads == 1 and not said
    clock.now += 1.0
    g.admit(10)
    assert queue.reads == 2


def test_a_deep_queue_makes_the_producer_wait_say_so_and_resume() -> None:
    clock, said, queue = FakeClock(), [], FakeQueue([120, 110, 100, 40])
    g = gate(queue, 100, clock, said)
    g.admit(10)
    assert queue.reads == 4  # read, then waited through 110 and 100 until 40
    assert clock.slept == [0.5, 0.5, 0.5]
    assert said[0].startswith("queue nf.clean has 120 waiting, at or over the limit of 100")
    assert said[1] == "queue nf.clean down to 40: resuming after 1.5s"
    assert g.waits == 1 and g.waited_seconds == 1.5


def test_the_estimate_triggers_a_read_before_the_limit_is_passed() -> None:
    clock, said, queue = FakeClock(), [], FakeQueue([0, 95, 10])
    g = gate(queue, 100, clock, said)
    g.admit(50)
    g.admit(50)  # estimate 100: fine, not over
    assert queue.reads == 1
    g.admit(50)  # estimate 150 > 100: read (95), under the limit: sent without waiting
    assert queue.reads == 2 and not said


def test_a_limit_of_zero_never_reads_the_queue() -> None:
    clock, said, queue = FakeClock(), [], FakeQueue([10**9])
    g = gate(queue, 0, clock, said)
    g.admit(1000)
    assert queue.reads == 0 and not said
