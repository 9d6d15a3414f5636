"""The C allocator's settings for a pool process: keep the memory one ``nlp.pipe`` batch needs.

A batch of 16 news articles makes spaCy's ``ner`` allocate about 170 MB of arrays (its token-to-
vector layers run over the whole batch) and free them again. With glibc's defaults the freed top of
the heap goes back to the kernel and the next batch faults it in page by page: about 530 page
faults and 1.7 ms of kernel time per article in each pool process. Raising glibc's trim and mmap
thresholds keeps that memory for the next batch. The cost is memory that stays resident between
batches (the batch's peak, which a worker must be sized for anyway); the setting
``NEWSFLOW_ALLOCATOR_KEEP_MB`` (0: glibc's defaults) sets how much.

Only glibc has ``mallopt``; on any other C library this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

log = logging.getLogger(__name__)

# mallopt parameters, from glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_TOP_PAD = -2
M_MMAP_THRESHOLD = -3
MIB = 2**20
MAX_VALUE = 2**31 - 1  # mallopt takes an int


def allocator_options(keep_mb: int) -> dict[int, int]:
    """The mallopt parameters that keep up to ``keep_mb`` MiB of freed heap for reuse."""
    if keep_mb <= 0:
        return {}
    keep = min(keep_mb * MIB, MAX_VALUE)
    return {
        M_MMAP_THRESHOLD: keep,  # blocks below this come from the heap, not a fresh mmap each time
        M_TRIM_THRESHOLD: keep,  # free heap top kept up to this before giving it back
        M_TOP_PAD: min(64 * MIB, keep),  # grow the heap in big steps (fewer brk calls)
    }


def keep_freed_memory(keep_mb: int) -> bool:
    """Apply ``allocator_options(keep_mb)`` to this process; False where there is no glibc."""
    options = allocator_options(keep_mb)
    if not options:
        return False
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it: musl's mallopt is a no-op stub
    except (OSError, AttributeError, TypeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    applied = all(mallopt(param, value) == 1 for param, value in options.items())
    if not applied:
        log.warning("allocator: glibc refused mallopt(%s)", options)
    return applied
