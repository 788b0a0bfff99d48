"""Locks that hold across threads and processes: `flock` on small files beside the warehouse, and a
readers-writer lock for the threads of one process.

`flock` locks belong to an open file description, so each acquisition opens the file anew: two threads of one
process then exclude each other exactly as two processes do, and the kernel drops a lock when its process dies
(kill -9 leaves no stale lock behind).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from pathlib import Path


class Busy(Exception):
    """A lock was not granted before the deadline."""


def acquire_file(path: Path, exclusive: bool, deadline: float) -> int:
    """Open `path` and take a shared or exclusive flock on it, waiting until `deadline` (time.monotonic());
    returns the descriptor, whose closing releases the lock. Raises Busy when the deadline passes."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    mode = (fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH) | fcntl.LOCK_NB
    delay = 0.001
    while True:
        try:
            fcntl.flock(fd, mode)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise Busy(str(path)) from None
            time.sleep(delay)
            delay = min(delay * 1.5, 0.02)
        except BaseException:
            os.close(fd)
            raise


def someone_holds(path: Path) -> bool:
    """Whether any other open description holds a lock on `path` (a probe: takes and drops an exclusive lock)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing drops the probe's lock, if it got one


class ReadWriteLock:
    """Many holders share it, or one holds it alone; a waiting exclusive request stops new shared ones, so a
    stream of readers cannot starve it. A thread that already shares it may share it again (a read inside a
    write); the exclusive side is not re-entrant."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._shared = 0
        self._exclusive = False
        self._waiting = 0
        self._mine = threading.local()

    def acquire_shared(self, deadline: float) -> None:
        depth = getattr(self._mine, "depth", 0)
        with self._cond:
            while self._exclusive or (self._waiting and not depth):
                if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())) and time.monotonic() >= deadline:
                    raise Busy("shared")
            self._shared += 1
        self._mine.depth = depth + 1

    def release_shared(self) -> None:
        self._mine.depth -= 1
        with self._cond:
            self._shared -= 1
            if not self._shared:
                self._cond.notify_all()

    def acquire_exclusive(self, deadline: float) -> None:
        if getattr(self._mine, "depth", 0):
            raise RuntimeError("exclusive lock wanted by a thread that shares it (it would wait for itself)")
        with self._cond:
            self._waiting += 1
            try:
                while self._exclusive or self._shared:
                    if not self._cond.wait(timeout=max(0.0, deadline - time.monotonic())) and time.monotonic() >= deadline:
                        raise Busy("exclusive")
                self._exclusive = True
            finally:
                self._waiting -= 1
                if not self._exclusive:
                    self._cond.notify_all()

    def release_exclusive(self) -> None:
        with self._cond:
            self._exclusive = False
            self._cond.notify_all()


class FairLock:
    """A mutex granted in the order it was asked for (a ticket queue): under many writers nobody is overtaken again
    and again, so a wait is bounded by the writers ahead of it."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._next = 0  # the next ticket to hand out
        self._serving = 0  # the ticket that holds the lock
        self._abandoned: set[int] = set()  # tickets whose holders stopped waiting

    def acquire(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        with self._cond:
            ticket = self._next
            self._next += 1
            while ticket != self._serving:
                left = deadline - time.monotonic()
                if left <= 0 or not self._cond.wait(timeout=left) and time.monotonic() >= deadline:
                    if ticket != self._serving:
                        self._abandoned.add(ticket)
                        return False
            return True

    def release(self) -> None:
        with self._cond:
            self._serving += 1
            while self._serving in self._abandoned:  # skip the tickets of those who gave up
                self._abandoned.discard(self._serving)
                self._serving += 1
            self._cond.notify_all()
