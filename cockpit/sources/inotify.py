"""The kernel's inotify, read directly (ctypes, stdlib only): a thread sleeps in `select` until a file changes.

Two users: the working-tree watch (sources/treewatch.py: every folder git does not ignore) and the approvals
inbox (`FileWakeup`: the store's folder, so a hook's request wakes the inbox at once instead of a poll finding
it). A watcher that polls (watchfiles steps every 50 ms, taking the GIL each time) costs an idle dashboard
more than all its timers; a thread asleep in `select` costs nothing until something is written.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import select
import struct
import threading
import time
from collections.abc import Iterable

IN_MODIFY, IN_ATTRIB, IN_CLOSE_WRITE = 0x2, 0x4, 0x8
IN_MOVED_FROM, IN_MOVED_TO, IN_CREATE, IN_DELETE = 0x40, 0x80, 0x100, 0x200
IN_DELETE_SELF, IN_MOVE_SELF, IN_Q_OVERFLOW, IN_IGNORED = 0x400, 0x800, 0x4000, 0x8000
IN_ONLYDIR, IN_ISDIR = 0x01000000, 0x40000000
# Everything that changes what a folder holds or what a file in it says.
CHANGES = (IN_MODIFY | IN_ATTRIB | IN_CLOSE_WRITE | IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE
           | IN_DELETE_SELF | IN_MOVE_SELF | IN_ONLYDIR)
_EVENT = struct.Struct("iIII")  # wd, mask, cookie, len; then len bytes of NUL-padded name


class WatchFailed(Exception):
    """inotify cannot be used here, or a watch could not be added (the per-user watch limit reached)."""


class Change:
    __slots__ = ("folder", "name", "mask")

    def __init__(self, folder: str, name: str, mask: int) -> None:
        self.folder, self.name, self.mask = folder, name, mask

    @property
    def path(self) -> str:
        return os.path.join(self.folder, self.name) if self.name else self.folder

    @property
    def new_folder(self) -> bool:
        return bool(self.mask & IN_ISDIR and self.mask & (IN_CREATE | IN_MOVED_TO))


class Watches:
    """One inotify instance and the folders it watches (not recursive: the caller adds each folder)."""

    _libc: ctypes.CDLL | None = None

    @classmethod
    def available(cls) -> bool:
        if cls._libc is None:
            if not hasattr(select, "select") or not os.path.isdir("/proc/self"):
                return False
            try:
                libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
                libc.inotify_init1.argtypes = [ctypes.c_int]
                libc.inotify_add_watch.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_uint32]
            except (OSError, AttributeError):
                return False
            cls._libc = libc
        return True

    def __init__(self) -> None:
        if not self.available() or self._libc is None:
            raise WatchFailed("inotify is not available here")
        self.fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise WatchFailed(os.strerror(ctypes.get_errno()))
        self.folders: dict[int, str] = {}  # watch descriptor -> folder
        self.overflowed = False  # the kernel's queue overflowed since the last `read`: events were lost

    def fileno(self) -> int:
        return self.fd

    def close(self) -> None:
        os.close(self.fd)

    def add(self, folder: str, mask: int = CHANGES) -> bool:
        """Watch `folder`; False when it is gone or not ours to read. Raises WatchFailed at the watch limit."""
        assert self._libc is not None
        wd = self._libc.inotify_add_watch(self.fd, os.fsencode(folder), mask)
        if wd < 0:
            code = ctypes.get_errno()
            if code in (errno.ENOENT, errno.ENOTDIR, errno.EACCES):
                return False
            raise WatchFailed(f"{folder}: {os.strerror(code)}")
        self.folders[wd] = folder
        return True

    def read(self) -> list[Change]:
        """The events waiting now (none when nothing is waiting: it never blocks)."""
        events: list[Change] = []
        while True:
            try:
                data = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset + _EVENT.size <= len(data):
                wd, mask, _cookie, length = _EVENT.unpack_from(data, offset)
                raw = data[offset + _EVENT.size : offset + _EVENT.size + length].rstrip(b"\0")
                offset += _EVENT.size + length
                if mask & IN_Q_OVERFLOW:
                    self.overflowed = True
                    continue
                if mask & IN_IGNORED:
                    self.folders.pop(wd, None)  # the folder is gone: the kernel dropped its watch
                    continue
                folder = self.folders.get(wd)
                if folder is not None:
                    events.append(Change(folder, os.fsdecode(raw), mask))

    def wait(self, timeout: float | None, also: Iterable[int] = ()) -> list[int]:
        """The descriptors (this one and `also`) readable within `timeout` seconds (None: no limit)."""
        try:
            return select.select([self.fd, *also], [], [], timeout)[0]
        except InterruptedError:  # pragma: no cover - PEP 475 retries; kept for odd platforms
            return []


class StopSignal:
    """A descriptor that turns readable once `stop` is set, to `select` on with the watches: a thread blocked on the
    Event (no timeout: no wake-ups) writes to a pipe, so stopping is noticed at once."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self._read_end, self._write_end = os.pipe()
        self._closed = False
        self._lock = threading.Lock()  # no write to the pipe once `close` closed it (its number may be reused)
        threading.Thread(target=self._relay, name="cockpit-stop-relay", daemon=True).start()

    def _relay(self) -> None:
        # Wakes once a minute at most to notice `close` (a watch restarted after a failure leaves no thread).
        while not self.stop.wait(60.0):
            if self._closed:
                return
        with self._lock:
            if not self._closed:
                os.write(self._write_end, b"x")

    def fileno(self) -> int:
        return self._read_end

    def close(self) -> None:
        with self._lock:
            if not self._closed:
                self._closed = True
                os.close(self._read_end)
                os.close(self._write_end)


class FileWakeup:
    """Sleep until one of `files` is written, `stop` is set, or a timeout passes.

    The files' folder is watched (a file deleted and made again, as SQLite does with its -wal, is still
    followed). Without inotify (not Linux, or the watch limit) `active` is False and `wait` is `stop.wait`:
    the caller polls as it would have."""

    def __init__(self, files: Iterable[str], stop: threading.Event) -> None:
        self.stop = stop
        paths = [os.path.abspath(f) for f in files]
        self.names = {os.path.basename(p) for p in paths}
        self.watches: Watches | None = None
        self._signal: StopSignal | None = None
        try:
            watches = Watches()
        except WatchFailed:
            return
        try:
            added = all(watches.add(folder, IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_ONLYDIR)
                        for folder in {os.path.dirname(p) for p in paths})
        except WatchFailed:
            added = False
        if not added:
            watches.close()
            return
        self.watches = watches
        self._signal = StopSignal(stop)

    @property
    def active(self) -> bool:
        return self.watches is not None

    def drain(self) -> bool:
        """Forget the writes so far (say, this thread's own); whether one of `files` was among them."""
        if self.watches is None:
            return False
        written = any(event.name in self.names for event in self.watches.read()) or self.watches.overflowed
        self.watches.overflowed = False
        return written

    def wait(self, timeout: float) -> bool:
        """Sleep until a write to one of the files (True), `stop` (True) or `timeout` seconds (False)."""
        if self.watches is None or self._signal is None:
            return self.stop.wait(timeout)
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0 or self.stop.is_set():
                return self.stop.is_set()
            ready = self.watches.wait(left, (self._signal.fileno(),))
            if self._signal.fileno() in ready:
                return True
            if ready and self.drain():
                return True

    def close(self) -> None:
        if self.watches is not None:
            self.watches.close()
            self.watches = None
        if self._signal is not None:
            self._signal.close()
            self._signal = None
