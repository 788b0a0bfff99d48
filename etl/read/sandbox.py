"""Reading untrusted spreadsheets in a child process with memory and time limits.

python-calamine aborts the whole process (SIGABRT, not an exception) on a 1,5 KB workbook that claims
a cell at XFD1048576, and a zip bomb can keep a reader busy for minutes. So files are parsed by a
long-lived worker (`python -m etl.read.sandbox`) that limits its own address space and CPU time; the
parent waits with a deadline, kills and restarts the worker when it dies or overruns, and turns
either into an `Unreadable` message for the user. One worker serves many files, so the 328 forms
of a month cost one interpreter start, not 328. CSV needs no native reader (Python's csv module,
size and row limits checked first), so it is read in the parent, without the round trip through
the worker that a 100.000-row table would pay in pickling.

Protocol on the worker's stdin/stdout: 8-byte big-endian length, then a pickle.
Requests: (data: bytes, name: str). Replies: ("ok", [Sheet, ...], retiring) or ("unreadable", message, retiring).
"""

from __future__ import annotations

import csv
import os
import pickle
import select
import signal
import struct
import subprocess
import sys
import threading
import time

from etl.read.sheets import Sheet, Unreadable, precheck, read_sheets

TIMEOUT_SECONDS = float(os.environ.get("PMKS_PARSE_TIMEOUT", "30"))
MEMORY_MB = int(os.environ.get("PMKS_PARSE_MEMORY_MB", "2048"))
IDLE_SECONDS = float(os.environ.get("PMKS_SANDBOX_IDLE", "120"))  # a worker unused this long is ended
POOL_SIZE = int(os.environ.get("PMKS_SANDBOX_WORKERS", "2"))
_HEADER = struct.Struct(">Q")


class SheetReader:
    """Parse files safely; thread-safe (one file at a time). Use as a context manager or call close()."""

    def __init__(self, timeout: float = TIMEOUT_SECONDS, memory_mb: int = MEMORY_MB, idle: float | None = None):
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.idle = idle  # None: the worker lives until close(); else it is ended after this many idle seconds
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._last_used = 0.0
        self._timer: threading.Timer | None = None

    def __enter__(self) -> SheetReader:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def read(self, data: bytes, name: str) -> list[Sheet]:
        """The sheets of a file, or Unreadable with the reason in Bahasa Indonesia."""
        if precheck(data, name) == "csv":
            return _read_csv(data, name)
        with self._lock:
            proc = self._worker()
            try:
                _send(proc.stdin, (data, name))
                status, payload, retiring = _receive(proc.stdout, self.timeout)
            except TimeoutError:
                self._kill()
                raise Unreadable(f"berkas terlalu lama dibaca (lebih dari {self.timeout:.0f} detik); mungkin rusak atau terlalu besar") from None
            except (EOFError, BrokenPipeError, OSError, pickle.UnpicklingError):
                code = self._kill()
                reason = "kehabisan memori" if code in (-signal.SIGKILL, -signal.SIGABRT, -signal.SIGSEGV) else "berhenti mendadak"
                raise Unreadable(f"pembaca lembar kerja {reason} pada berkas ini; berkas rusak atau berisi sel di luar batas wajar") from None
            if retiring:  # the worker used half its CPU budget and exits; start a fresh one next time
                self._kill()
            self._last_used = time.monotonic()
            self._schedule_reap()
        if status == "ok":
            return payload
        raise Unreadable(payload)

    def _schedule_reap(self, delay: float | None = None) -> None:
        """One timer per reader (not one per file read): it checks again when the idle time would be over."""
        if self.idle is None or self._proc is None or (self._timer is not None and self._timer.is_alive() and delay is None):
            return
        self._timer = threading.Timer((self.idle if delay is None else delay) + 0.05, self._reap)
        self._timer.daemon = True
        self._timer.start()

    def _reap(self) -> None:
        """End the worker if nothing used it for `idle` seconds (runs on the timer thread)."""
        if not self._lock.acquire(blocking=False):
            self._schedule_reap(self.idle)  # in use now: look again later
            return
        try:
            assert self.idle is not None  # no timer is started without it
            left = self.idle - (time.monotonic() - self._last_used)
            if self._proc is not None and left <= 0:
                self._kill()
            elif self._proc is not None:
                self._schedule_reap(left)
        finally:
            self._lock.release()

    @property
    def alive(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def _worker(self) -> subprocess.Popen:
        if self._proc is None or self._proc.poll() is not None:
            env = dict(os.environ, PMKS_SANDBOX_MEMORY_MB=str(self.memory_mb), PMKS_SANDBOX_CPU=str(int(self.timeout) + 5))
            root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # the repository
            env["PYTHONPATH"] = root + os.pathsep + env.get("PYTHONPATH", "")
            self._proc = subprocess.Popen(
                [sys.executable, "-m", "etl.read.sandbox"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL, env=env, cwd=root,
            )
        return self._proc

    def _kill(self) -> int | None:
        proc, self._proc = self._proc, None
        if proc is None:
            return None
        if proc.poll() is None:
            proc.kill()
        try:
            return proc.wait(timeout=5)
        finally:
            for stream in (proc.stdin, proc.stdout):
                try:
                    assert stream is not None  # the worker is started with both pipes
                    stream.close()
                except OSError:
                    pass

    def close(self) -> None:
        with self._lock:
            proc, self._proc = self._proc, None
            if proc is not None and proc.poll() is None:
                try:
                    assert proc.stdin is not None  # the worker is started with both pipes
                    proc.stdin.close()
                    proc.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    proc.kill()
                    proc.wait()
            if proc is not None:
                assert proc.stdout is not None
                proc.stdout.close()


def _read_csv(data: bytes, name: str) -> list[Sheet]:
    try:
        return read_sheets(data, name)
    except Unreadable:
        raise
    except (csv.Error, ValueError, MemoryError) as exc:
        raise Unreadable(f"berkas CSV tidak dapat dibaca ({type(exc).__name__})") from None


class ReaderPool:
    """A bounded pool of SheetReaders shared by a whole server (every browser session): at most `size` workers
    exist at once, each ended after `idle` seconds unused, so sessions that come and go leave none behind."""

    def __init__(self, size: int = POOL_SIZE, idle: float = IDLE_SECONDS, **options):
        self._readers = [SheetReader(idle=idle, **options) for _ in range(max(1, size))]
        self._free = list(self._readers)
        self._cond = threading.Condition()

    def read(self, data: bytes, name: str) -> list[Sheet]:
        with self._cond:
            while not self._free:
                self._cond.wait()
            reader = self._free.pop()
        try:
            return reader.read(data, name)
        finally:
            with self._cond:
                self._free.append(reader)
                self._cond.notify()

    @property
    def workers(self) -> int:
        """Worker processes alive now."""
        return sum(r.alive for r in self._readers)

    def close(self) -> None:
        for reader in self._readers:
            reader.close()


def _send(stream, obj) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(body)) + body)
    stream.flush()


def _read_exact(stream, size: int, deadline: float | None) -> bytes:
    chunks, remaining = [], size
    fd = stream.fileno()
    while remaining:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(remaining, 1 << 20))
        if not chunk:
            raise EOFError
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _receive(stream, timeout: float | None):
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size, deadline))
    return pickle.loads(_read_exact(stream, size, deadline))


def _serve() -> None:  # runs in the child
    import resource

    memory = int(os.environ.get("PMKS_SANDBOX_MEMORY_MB", MEMORY_MB)) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    cpu = int(os.environ.get("PMKS_SANDBOX_CPU", "35"))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        try:
            data, name = _receive(stdin, None)
        except EOFError:
            return
        try:
            reply: tuple[str, list[Sheet] | str] = ("ok", read_sheets(data, name))
        except Unreadable as exc:
            reply = ("unreadable", str(exc))
        except MemoryError:
            reply = ("unreadable", "berkas terlalu besar untuk dibaca (batas memori terlampaui)")
        except Exception as exc:  # noqa: BLE001 - a reader failure on hostile input is an answer, not a crash
            reply = ("unreadable", f"berkas tidak dapat dibaca ({type(exc).__name__})")
        # The CPU limit counts the worker's whole life: retire after half of it, before it is killed mid-file.
        retiring = resource.getrusage(resource.RUSAGE_SELF).ru_utime > cpu * 0.5
        _send(stdout, (*reply, retiring))
        if retiring:
            return


if __name__ == "__main__":
    _serve()
