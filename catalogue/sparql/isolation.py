"""No network for a query worker: its own, empty network namespace (THREATS.md A1).

The engine evaluates ``SERVICE`` by making HTTP requests itself, and the guard in front of it is
the only thing that refuses such queries. As defence in depth, each worker moves into a new network
namespace before it opens the store: it has no interfaces but a loopback device that is down, so a
query that slips past the guard cannot reach any address, not even the host's own loopback.

Creating a network namespace needs ``CAP_SYS_ADMIN`` (a root service) or, for an ordinary user, a
new user namespace at the same time (where the kernel allows unprivileged user namespaces; the
process must still be single-threaded then). Where neither works, the worker says so and the pool
logs a warning: the guard alone stands then.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

CLONE_NEWNET = 0x40000000
CLONE_NEWUSER = 0x10000000


def _unshare(flags: int) -> bool:
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    return bool(libc.unshare(ctypes.c_int(flags)) == 0)


def _map_user(uid: int, gid: int) -> None:
    """In a new user namespace, stay the same user (otherwise files appear owned by nobody)."""
    with open("/proc/self/setgroups", "w", encoding="ascii") as handle:
        handle.write("deny")
    with open("/proc/self/uid_map", "w", encoding="ascii") as handle:
        handle.write(f"{uid} {uid} 1")
    with open("/proc/self/gid_map", "w", encoding="ascii") as handle:
        handle.write(f"{gid} {gid} 1")


def cut_network() -> bool:
    """Move this process into a new, empty network namespace; True when that succeeded.

    Call it before starting any thread (a new user namespace needs a single-threaded process)."""
    if not hasattr(os, "getuid") or not os.path.exists("/proc/self/ns/net"):
        return False
    if _unshare(CLONE_NEWNET):
        return True
    uid, gid = os.getuid(), os.getgid()
    if not _unshare(CLONE_NEWUSER | CLONE_NEWNET):
        return False
    try:
        _map_user(uid, gid)
    except OSError:
        pass  # still without network; files may only look owned by another user
    return True
