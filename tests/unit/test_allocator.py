"""The allocator setting keeps freed memory for the next batch (glibc), and 0 leaves the defaults."""

from __future__ import annotations

import ctypes.util
import platform
import subprocess
import sys

import pytest

from worker.runtime.allocator import M_MMAP_THRESHOLD, M_TOP_PAD, M_TRIM_THRESHOLD, MIB, allocator_options

# Allocates and frees 40 MB in blocks of 1 MB (each below the mmap threshold once it is raised, so
# they come from the heap), then prints how much of it is still resident.
FREED_STILL_RESIDENT = """
import sys
from worker.runtime.allocator import keep_freed_memory

def resident_kb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))

applied = keep_freed_memory(int(sys.argv[1]))
before = resident_kb()
blocks = [bytearray(2**20) for _ in range(40)]
del blocks
print(applied, resident_kb() - before)
"""


def freed_still_resident_kb(keep_mb: int) -> tuple[bool, int]:
    output = subprocess.run(
        [sys.executable, "-c", FREED_STILL_RESIDENT, str(keep_mb)], check=True, capture_output=True, text=True
    ).stdout.split()
    return output[0] == "True", int(output[1])


def test_options_keep_the_amount_asked_for() -> None:
    assert allocator_options(0) == {}
    options = allocator_options(256)
    assert options[M_MMAP_THRESHOLD] == options[M_TRIM_THRESHOLD] == 256 * MIB
    assert options[M_TOP_PAD] == 64 * MIB
    assert allocator_options(16)[M_TOP_PAD] == 16 * MIB


@pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc" or not ctypes.util.find_library("c"),
    reason="mallopt is glibc's",
)
def test_freed_memory_stays_for_the_next_batch_only_when_asked() -> None:
    applied, kept_kb = freed_still_resident_kb(256)
    assert applied
    assert kept_kb > 30 * 1024  # the 40 MB freed are still there for the next batch
    applied, kept_kb = freed_still_resident_kb(0)
    assert not applied
    assert kept_kb < 10 * 1024  # glibc's defaults hand them back
