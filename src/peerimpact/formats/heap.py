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
"""

from __future__ import annotations

import ctypes
import gc
from collections.abc import Callable
from functools import lru_cache

__all__ = ["release_freed_memory"]


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
