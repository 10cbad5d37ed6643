"""Incremental JSONL reading: only complete lines, resumable from (inode, offset).

Cost of a read is proportional to the bytes appended since the last one. A file that shrinks
or is replaced (new inode) is read again from 0 and the caller is told so it can drop what it
derived from the old content. A line that never ends (binary junk) is not re-scanned each time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace

CHUNK = 4 * 1024 * 1024
MAX_LINE = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Cursor:
    inode: int = 0
    offset: int = 0  # start of the first line not yet consumed
    scanned: int = 0  # bytes from `offset` known to hold no newline

    @property
    def pending_bytes(self) -> int:
        return self.scanned


@dataclass(frozen=True, slots=True)
class ReadResult:
    lines: list[tuple[int, bytes]]  # (offset of the line, line without the newline)
    cursor: Cursor
    reset: bool  # the file was truncated or replaced: everything before is void
    oversized: int = 0  # lines longer than MAX_LINE that were skipped
    binary: bool = False  # the file starts with NUL bytes or is otherwise not text


def read_new_lines(path: str, cursor: Cursor, max_bytes: int | None = None) -> ReadResult:
    """Complete lines appended since `cursor`. Raises OSError when the file cannot be read."""
    with open(path, "rb") as handle:
        st = os.fstat(handle.fileno())
        reset = False
        if cursor.inode and (st.st_ino != cursor.inode or st.st_size < cursor.offset + cursor.scanned):
            cursor = Cursor()
            reset = True
        cursor = replace(cursor, inode=st.st_ino)
        if st.st_size == cursor.offset + cursor.scanned:
            return ReadResult([], cursor, reset)
        if not reset and cursor.offset > 0:
            # Consumed lines end with a newline; any other byte there means the file was rewritten
            # in place (same inode, not shorter), so what was read from it is void.
            handle.seek(cursor.offset - 1)
            if handle.read(1) != b"\n":
                cursor = Cursor(inode=st.st_ino)
                reset = True
        if cursor.offset == 0 and cursor.scanned == 0:
            handle.seek(0)
            head = handle.read(512)
            if b"\x00" in head:
                return ReadResult([], replace(cursor, offset=st.st_size), reset, binary=True)
        lines: list[tuple[int, bytes]] = []
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
                        return ReadResult(lines, Cursor(st.st_ino, offset, scanned), reset, oversized)
                    nl = block.find(b"\n")
                    if nl != -1:
                        offset = offset + scanned + nl + 1
                        scanned = 0
                        oversized += 1
                        break
                    scanned += len(block)
                continue
            handle.seek(offset)
            want = max(CHUNK, scanned + CHUNK)
            data = handle.read(want)
            if not data:
                break
            last_nl = data.rfind(b"\n")
            if last_nl == -1:
                scanned = len(data)
                if len(data) < want:
                    break
                continue
            pos = 0
            for raw in data[:last_nl].split(b"\n"):
                if len(raw) > MAX_LINE:
                    oversized += 1
                elif raw and not raw.isspace():
                    lines.append((offset + pos, raw[:-1] if raw.endswith(b"\r") else raw))
                pos += len(raw) + 1
            consumed += last_nl + 1
            offset += last_nl + 1
            scanned = 0
            if len(data) < want:
                tail = len(data) - last_nl - 1
                scanned = tail
                break
        return ReadResult(lines, Cursor(st.st_ino, offset, scanned), reset, oversized)
