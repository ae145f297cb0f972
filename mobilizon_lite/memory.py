"""What the server does about glibc's malloc, which keeps memory a Raspberry Pi needs back: shared
arenas, and freed memory handed back to the system after the heavy builds (pictures, feeds)."""
import ctypes
import os

M_ARENA_MAX = -8  # glibc's mallopt parameter
MALLOC_ARENAS = 2


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def cap_malloc_arenas():
    """Let glibc's malloc share MALLOC_ARENAS arenas between all threads, unless the environment says
    otherwise (MALLOC_ARENA_MAX); elsewhere, nothing."""
    # By default each thread gets an arena of its own, which keeps what that thread's requests freed:
    # under load, 8 waitress threads held ~15 MB more than 2 shared arenas, for the same pages.
    libc = _libc()
    if "MALLOC_ARENA_MAX" not in os.environ and hasattr(libc, "mallopt"):
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)


def return_freed_memory():
    """Hand what the last heavy build freed back to the system (glibc only; others need none of this)."""
    # glibc keeps it for the arena that freed it: one picture decoded (40 MB for a 3 MB photo) or one
    # large feed built would grow the server for good.
    libc = _libc()
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
