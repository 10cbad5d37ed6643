"""Incremental JSONL reading: only complete lines, resumable from a cursor.

Cost of a read is proportional to the bytes appended since the last one. A file that shrinks,
is replaced (new inode) or is rewritten in place (the bytes just before the cursor changed) is
read again from 0 and the caller is told so it can drop what it derived from the old content.
A line that never ends (binary junk) is not re-scanned each time. Only regular files are
opened: a FIFO, socket or device named *.jsonl is an error, never a read that blocks.
"""

from __future__ import annotations

import os
import stat
import time
from dataclasses import dataclass, replace
from typing import BinaryIO

CHUNK = 4 * 1024 * 1024
MAX_LINE = 64 * 1024 * 1024
# The consumed bytes just before the cursor are fingerprinted: a rewrite in place changes them.
WINDOW = 4096
# A modification time this close to now may hide a second write in the same clock tick: not trusted.
RACY_NS = 2_000_000_000

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISDIR, "a directory"),
)


@dataclass(frozen=True, slots=True)
class Cursor:
    inode: int = 0
    offset: int = 0  # start of the first line not yet consumed
    scanned: int = 0  # bytes from `offset` known to hold no newline
    dev: int = 0
    mtime_ns: int = 0  # the file's mtime when read; 0 when it was too recent to be trusted
    window: str = ""  # fingerprint of the WINDOW bytes before `offset`; "" when unknown

    @property
    def pending_bytes(self) -> int:
        return self.scanned


@dataclass(frozen=True, slots=True)
class ReadResult:
    # The complete lines read, without copying them out of the blocks read: each chunk is (file offset of `data`,
    # data, [start, end, start, end, ...]) where data[start:end] is a line without its newline (or \r\n).
    chunks: list[tuple[int, bytes, list[int]]]
    cursor: Cursor
    reset: bool  # the file was truncated, replaced or rewritten: everything before is void
    oversized: int = 0  # lines longer than MAX_LINE that were skipped
    binary: bool = False  # the file starts with NUL bytes or is otherwise not text

    @property
    def count(self) -> int:
        """How many lines were read."""
        return sum(len(spans) for _base, _data, spans in self.chunks) // 2

    @property
    def lines(self) -> list[tuple[int, bytes]]:
        """(offset of the line, line without the newline), each line copied out: for readers of a few lines."""
        return [(base + spans[i], data[spans[i] : spans[i + 1]])
                for base, data, spans in self.chunks for i in range(0, len(spans), 2)]


class NotRegularFile(OSError):
    """The path names a FIFO, socket, device or directory: never opened for reading."""


def file_kind(mode: int) -> str:
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def _nonblocking(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))


def open_regular(path: str | os.PathLike[str], buffering: int = -1) -> BinaryIO:
    """`path` opened for binary reading if it is a regular file; NotRegularFile otherwise.

    The type is checked before opening (opening some devices has effects) and again on the open
    descriptor (the path may have been replaced in between); O_NONBLOCK keeps a FIFO from blocking."""
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise NotRegularFile(0, f"not a regular file ({file_kind(mode)})", path)
    handle = open(path, "rb", buffering=buffering, opener=_nonblocking)
    try:
        mode = os.fstat(handle.fileno()).st_mode
        if not stat.S_ISREG(mode):
            raise NotRegularFile(0, f"not a regular file ({file_kind(mode)})", path)
    except BaseException:
        handle.close()
        raise
    return handle


def fingerprint(handle: BinaryIO, offset: int) -> str:
    """Fingerprint of the WINDOW bytes before `offset` ("" at the start of the file)."""
    if offset <= 0:
        return ""
    start = max(0, offset - WINDOW)
    handle.seek(start)
    data = handle.read(offset - start)
    import hashlib  # here: an unchanged history never hashes, and the import cost ~2.5 ms of every index

    return hashlib.blake2b(data, digest_size=8).hexdigest()


def window_matches(path: str, cursor: Cursor) -> bool:
    """Whether the file at `path` holds, just before `cursor.offset`, the bytes the cursor saw."""
    if not cursor.window or cursor.offset <= 0:
        return False
    try:
        with open_regular(path) as handle:
            if os.fstat(handle.fileno()).st_size < cursor.offset:
                return False
            return fingerprint(handle, cursor.offset) == cursor.window
    except OSError:
        return False


def _trusted_mtime(st: os.stat_result) -> int:
    return st.st_mtime_ns if time.time_ns() - st.st_mtime_ns > RACY_NS else 0


def _rewritten(handle: BinaryIO, cursor: Cursor) -> bool:
    """The consumed part of the file no longer holds what was read from it."""
    if cursor.window:
        return fingerprint(handle, cursor.offset) != cursor.window
    # A cursor from before fingerprints: consumed lines end with a newline, any other byte means a rewrite.
    handle.seek(cursor.offset - 1)
    return handle.read(1) != b"\n"


def read_new_lines(path: str, cursor: Cursor, max_bytes: int | None = None) -> ReadResult:
    """Complete lines appended since `cursor`. Raises OSError when the file cannot be read."""
    with open_regular(path) as handle:
        st = os.fstat(handle.fileno())
        reset = False
        if cursor.inode and (
            st.st_ino != cursor.inode
            or (cursor.dev and st.st_dev != cursor.dev)
            or st.st_size < cursor.offset + cursor.scanned
        ):
            cursor = Cursor()
            reset = True
        grown = st.st_size != cursor.offset + cursor.scanned
        # Same size: only a changed (or untrusted) mtime makes the fingerprint worth reading.
        suspect = grown or not cursor.mtime_ns or st.st_mtime_ns != cursor.mtime_ns
        if not reset and cursor.offset > 0 and suspect and _rewritten(handle, cursor):
            cursor = Cursor()
            reset = True
            grown = st.st_size > 0
        stamp = {"inode": st.st_ino, "dev": st.st_dev, "mtime_ns": _trusted_mtime(st)}
        cursor = replace(cursor, **stamp)
        if not grown:
            if not cursor.window and cursor.offset > 0:
                cursor = replace(cursor, window=fingerprint(handle, cursor.offset))
            return ReadResult([], cursor, reset)

        def done(chunks: list[tuple[int, bytes, list[int]]], offset: int, scanned: int, oversized: int = 0,
                 binary: bool = False) -> ReadResult:
            window = cursor.window if offset == cursor.offset else fingerprint(handle, offset)
            return ReadResult(chunks, Cursor(offset=offset, scanned=scanned, **stamp, window=window), reset,
                              oversized, binary)

        # Checked on every read that finds more: a binary file stays binary however it grows.
        handle.seek(0)
        if b"\x00" in handle.read(512):
            return done([], st.st_size, 0, binary=True)
        chunks: list[tuple[int, bytes, list[int]]] = []
        oversized = 0
        offset, scanned = cursor.offset, cursor.scanned
        budget = max_bytes if max_bytes is not None else st.st_size
        consumed = 0
        while consumed < budget:
            if scanned > MAX_LINE:
                # Give up on this line: skip to its end without keeping it in memory.
                handle.seek(offset + scanned)
                while True:
                    block = handle.read(CHUNK)
                    if not block:
                        return done(chunks, offset, scanned, oversized)
                    nl = block.find(b"\n")
                    if nl != -1:
                        offset = offset + scanned + nl + 1
                        scanned = 0
                        oversized += 1
                        break
                    scanned += len(block)
                continue
            handle.seek(offset)
            # No more than the file holds (+1: growth since the stat shows as a full block): a block sized to the
            # file is allocated once, where a 4 MiB one for a 200 kB file cost page faults on every read.
            want = max(CHUNK, scanned + CHUNK)
            limit = st.st_size - offset + 1
            if scanned < limit:  # past the stat'd size (a line still being written), read whole blocks again
                want = min(want, limit)
            data = handle.read(want)
            if not data:
                break
            last_nl = data.rfind(b"\n")
            if last_nl == -1:
                scanned = len(data)
                if len(data) < want:
                    break
                continue
            # Line bounds, not line copies: splitting 1.2 GB into bytes objects cost ~0.5 s of a cold index.
            spans: list[int] = []
            pos = 0
            find = data.find
            while pos <= last_nl:
                nl = find(b"\n", pos, last_nl + 1)
                end = nl - 1 if nl > pos and data[nl - 1] == 13 else nl  # \r\n
                if nl - pos > MAX_LINE:
                    oversized += 1
                elif end > pos and (data[pos] == 123 or not data[pos:end].isspace()):  # most lines start with {
                    spans += (pos, end)
                pos = nl + 1
            if spans:
                chunks.append((offset, data, spans))
            consumed += last_nl + 1
            offset += last_nl + 1
            scanned = 0
            if len(data) < want:
                tail = len(data) - last_nl - 1
                scanned = tail
                break
        return done(chunks, offset, scanned, oversized)
