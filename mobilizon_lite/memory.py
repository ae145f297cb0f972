"""What the server does about glibc's malloc, which keeps memory a Raspberry Pi needs back: shared
arenas, large blocks always mapped on their own, and freed memory handed back to the system after
the heavy builds (pictures, feeds)."""
import ctypes
import os

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8  # glibc's mallopt parameters
MALLOC_ARENAS = 2
# Above a feed's body (under 1 MB), which each answer copies: mapping those anew cost a warm feed
# answer ~0.5 ms of page faults, for no memory saved. Pictures' buffers are far larger.
MMAP_THRESHOLD = 2**20


def _libc():
    try:
        return ctypes.CDLL(None)
    except OSError:
        return None


def configure_malloc():
    """Let glibc's malloc share MALLOC_ARENAS arenas between all threads and map every block of
    MMAP_THRESHOLD bytes or more on its own, unless the environment says otherwise (MALLOC_ARENA_MAX,
    MALLOC_MMAP_THRESHOLD_); elsewhere, nothing."""
    libc = _libc()
    if not hasattr(libc, "mallopt"):
        return
    # By default each thread gets an arena of its own, which keeps what that thread's requests freed:
    # under load, 8 waitress threads held ~15 MB more than 2 shared arenas, for the same pages.
    if "MALLOC_ARENA_MAX" not in os.environ:
        libc.mallopt(M_ARENA_MAX, MALLOC_ARENAS)
    # glibc raises the threshold to the size of each mapped block it frees (up to 32 MB): after one
    # picture, feed bodies and request bodies would be carved from the heap, and pin it, for good.
    if "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def return_freed_memory():
    """Hand what the last heavy build freed back to the system (glibc only; others need none of this)."""
    # glibc keeps it for the arena that freed it: one picture decoded (40 MB for a 3 MB photo) or one
    # large feed built would grow the server for good.
    libc = _libc()
    if hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
