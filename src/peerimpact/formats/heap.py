"""Hand memory freed by one stage of an import back to the operating system before the next.

Freed memory is not always returned: glibc's ``malloc`` keeps free space in
its heaps unless it lies at the top (and, with its *dynamic mmap threshold*,
once a large buffer allocated with ``mmap`` is freed, later buffers up to that
size, e.g. numpy's and pandas' column chunks, come from the heap instead), and
Python keeps its small-object arenas while any object in them lives. A stage
that starts after a bigger one then peaks on top of what the earlier stage
left (issue 13 item 9: the validation inside an import peaked at +74-92 MiB
against +55-58 MiB for ``load_study`` alone; bench/README.md "Imports").

:func:`release_freed_memory` collects cyclic garbage and asks glibc's
``malloc_trim(0)`` to give back every whole free page of every arena (glibc
2.8 and later: not only the top of the heap). Elsewhere (musl, macOS,
Windows) it only collects garbage: never an error.

:func:`fix_mmap_threshold` is for a program's entry point, never the library:
it sets glibc's ``M_MMAP_THRESHOLD`` for the whole process, which turns the
dynamic threshold off, so every block from the given size up is its own
``mmap`` and goes back to the system when freed (``peerimpact import`` calls
it before any work; bench/README.md "Imports", fifth round).
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable
from functools import lru_cache

__all__ = ["IMPORT_MMAP_THRESHOLD", "fix_mmap_threshold", "release_freed_memory"]

M_MMAP_THRESHOLD = -3
"""glibc's ``malloc.h`` parameter number for :func:`fix_mmap_threshold`."""

IMPORT_MMAP_THRESHOLD = 128 * 1024
"""The threshold ``peerimpact import`` fixes: glibc's own starting value, kept from growing."""


@lru_cache(maxsize=1)
def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None where the C library has none."""
    try:
        libc = ctypes.CDLL(None)  # the C library the interpreter already uses
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):  # no such symbol (musl, macOS) or no C library by that name (Windows)
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


@lru_cache(maxsize=1)
def _mallopt() -> Callable[[int, int], int] | None:
    """glibc's ``mallopt``, or None where the C library is not glibc (the parameter numbers are glibc's)."""
    try:
        libc = ctypes.CDLL(None)
        if not hasattr(libc, "gnu_get_libc_version"):  # only glibc has it (musl has a mallopt that ignores everything)
            return None
        mallopt = libc.mallopt
    except (OSError, AttributeError, TypeError):  # macOS, Windows
        return None
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return mallopt


def fix_mmap_threshold(size: int = IMPORT_MMAP_THRESHOLD) -> bool:
    """Fix glibc's mmap threshold for the whole process: call it at a program's entry, not in a library.

    By default glibc raises its threshold (from 128 KiB up to 32 MiB on
    64-bit systems) to the size of each larger ``mmap``-ed block freed, so
    pandas' and numpy's later buffers of that size come from the heap and stay
    there once freed (reading the 2.3 MB participants.csv of the benchmark's
    study costs +26 MiB of RSS for 8 MiB traced). Setting ``M_MMAP_THRESHOLD``
    turns that adjustment off (and with it the dynamic trim threshold): a
    block of ``size`` bytes or more is always its own mapping, returned to
    the system when freed. The cost is a system call and freshly zeroed pages
    for each such block (CPU: bench/import_speed.py). ``MALLOC_MMAP_THRESHOLD_``
    in the environment does the same at start-up. glibc marks ``mallopt``
    MT-Unsafe (it changes settings other calls read without a lock): call it
    at start-up, while no other thread allocates.

    Parameters
    ----------
    size : int
        Threshold in bytes. mallopt(3) gives 0 to 32 MiB on 64-bit systems
        (``DEFAULT_MMAP_THRESHOLD_MAX``); glibc 2.36 accepts larger values too.

    Returns
    -------
    bool
        True when glibc accepted the value; False where there is no glibc,
        the value does not fit a C ``int`` or glibc refused it: then nothing
        changed, never an error.

    Raises
    ------
    ValueError
        When ``size`` is negative.
    """
    if size < 0:
        raise ValueError(f"mmap threshold must be >= 0 bytes, got {size}")
    mallopt = _mallopt()
    if mallopt is None or size > 2**31 - 1:
        return False
    return mallopt(M_MMAP_THRESHOLD, size) == 1


def release_freed_memory() -> bool:
    """Collect garbage and return the C heap's free pages to the operating system.

    Returns
    -------
    bool
        True when glibc's ``malloc_trim`` was called (Linux with glibc),
        False where it does not exist (then only garbage was collected).
    """
    gc.collect()
    trim = _malloc_trim()
    if trim is None:
        return False
    trim(0)
    return True
