"""Incremental JSONL reading (cockpit/sources/tailer.py, spec agent-formats §1.12)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cockpit.sources import tailer
from cockpit.sources.tailer import Cursor, read_new_lines


class _CountingFile:
    """Wraps a binary file handle and records every read, to prove what was (not) read."""

    def __init__(self, handle, log):
        self._handle = handle
        self._log = log

    def read(self, size=-1):
        data = self._handle.read(size)
        self._log.append((self._handle.tell() - len(data), len(data)))
        return data

    def __getattr__(self, name):
        return getattr(self._handle, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self._handle.close()


@pytest.fixture
def read_log(monkeypatch):
    """List of (position, length) of every read the tailer makes."""
    log: list[tuple[int, int]] = []

    def counting_open(path, mode="r", *args, **kwargs):
        return _CountingFile(open(path, mode, *args, **kwargs), log)

    monkeypatch.setattr(tailer, "open", counting_open, raising=False)
    return log


def _append(path: Path, data: bytes) -> None:
    with open(path, "ab") as handle:
        handle.write(data)


def _read_all(path: Path, cursor: Cursor | None = None):
    result = read_new_lines(str(path), cursor or Cursor())
    return [line for _, line in result.lines], result


def test_half_written_last_line_waits_until_complete_then_is_read_exactly_once(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":')
    lines, first = _read_all(path)
    assert lines == [b'{"a":1}']
    assert first.cursor.offset == 8 and first.cursor.pending_bytes == 5

    lines, again = _read_all(path, first.cursor)
    assert lines == [] and again.cursor == first.cursor

    _append(path, b"2}\n")
    result = read_new_lines(str(path), again.cursor)
    assert result.lines == [(8, b'{"b":2}')]
    assert not result.reset

    assert read_new_lines(str(path), result.cursor).lines == []


def test_a_file_that_shrinks_is_read_again_from_zero_with_reset(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}\n{"c":3}\n')
    first = read_new_lines(str(path), Cursor())
    path.write_bytes(b'{"x":9}\n')  # same inode, shorter
    second = read_new_lines(str(path), first.cursor)
    assert second.reset
    assert second.lines == [(0, b'{"x":9}')]


def test_a_replaced_file_with_a_new_inode_is_read_again_even_if_longer(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n')
    first = read_new_lines(str(path), Cursor())
    replacement = tmp_path / "new.jsonl"
    replacement.write_bytes(b'{"n":1}\n{"n":2}\n{"n":3}\n')
    os.replace(replacement, path)
    assert os.stat(path).st_ino != first.cursor.inode
    second = read_new_lines(str(path), first.cursor)
    assert second.reset
    assert [line for _, line in second.lines] == [b'{"n":1}', b'{"n":2}', b'{"n":3}']
    assert second.lines[0][0] == 0
    assert not read_new_lines(str(path), second.cursor).reset


def test_a_file_rewritten_in_place_and_not_shorter_is_read_again_from_zero(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}\n')
    first = read_new_lines(str(path), Cursor())
    with open(path, "r+b") as handle:  # same inode, new content, longer than what was read
        handle.write(b'{"new":"first line is longer"}\n{"n":2}\n')
    assert os.stat(path).st_ino == first.cursor.inode
    second = read_new_lines(str(path), first.cursor)
    assert second.reset
    assert [line for _, line in second.lines] == [b'{"new":"first line is longer"}', b'{"n":2}']


def test_a_binary_file_that_grows_stays_binary(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\x00" * 600)
    first = read_new_lines(str(path), Cursor())
    with open(path, "ab") as handle:
        handle.write(b'junk\n{"a":1}\n')
    second = read_new_lines(str(path), first.cursor)
    assert second.binary and second.lines == []
    assert second.cursor.offset == path.stat().st_size


def test_crlf_line_endings_are_stripped(tmp_path):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\r\n{"b":2}\r\n')
    result = read_new_lines(str(path), Cursor())
    assert result.lines == [(0, b'{"a":1}'), (9, b'{"b":2}')]
    assert result.cursor.offset == path.stat().st_size


def test_offsets_are_exact_byte_offsets(tmp_path):
    path = tmp_path / "s.jsonl"
    content = '{"t":"ünïcødé ✓"}\n\n   \n{"t":"日本語"}\r\n{"t":"x"}\n'.encode()
    path.write_bytes(content)
    result = read_new_lines(str(path), Cursor())
    expected = ['{"t":"ünïcødé ✓"}', '{"t":"日本語"}', '{"t":"x"}']
    assert [line for _, line in result.lines] == [e.encode() for e in expected]
    for offset, line in result.lines:
        assert content[offset : offset + len(line)] == line
    assert result.cursor.offset == len(content)


def test_offsets_stay_exact_across_reads_and_chunks(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer, "CHUNK", 64)
    path = tmp_path / "s.jsonl"
    lines = [f'{{"n":{i},"pad":"{"x" * (i * 7 % 50)}"}}'.encode() for i in range(40)]
    content = b"\n".join(lines) + b"\n"
    path.write_bytes(content[:1000])
    first = read_new_lines(str(path), Cursor())
    _append(path, content[1000:])
    second = read_new_lines(str(path), first.cursor)
    got = first.lines + second.lines
    assert [line for _, line in got] == lines
    assert all(content[o : o + len(line)] == line for o, line in got)


def test_a_20_mb_single_line_is_read(tmp_path):
    path = tmp_path / "s.jsonl"
    big = b'{"type":"user","text":"' + b"y" * (20 * 1024 * 1024) + b'"}'
    path.write_bytes(big + b'\n{"after":1}\n')
    result = read_new_lines(str(path), Cursor())
    assert [len(line) for _, line in result.lines] == [len(big), len(b'{"after":1}')]
    assert result.lines[1][0] == len(big) + 1
    assert result.oversized == 0


def test_a_line_over_max_line_within_one_chunk_is_skipped_and_counted(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer, "MAX_LINE", 1_000)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n{"big":"' + b"z" * 2_000 + b'"}\n{"b":2}\n')
    result = read_new_lines(str(path), Cursor())
    assert [line for _, line in result.lines] == [b'{"a":1}', b'{"b":2}']
    assert result.oversized == 1
    assert result.lines[1][0] == 8 + 2_011


def test_a_line_over_max_line_is_skipped_without_reading_it_into_memory(tmp_path, monkeypatch, read_log):
    monkeypatch.setattr(tailer, "MAX_LINE", 1_000)
    monkeypatch.setattr(tailer, "CHUNK", 4_096)
    path = tmp_path / "s.jsonl"
    head = b'{"a":1}\n'
    big = b'{"big":"' + b"z" * 3_000_000 + b'"}'
    path.write_bytes(head + big + b'\n{"b":2}\n')
    result = read_new_lines(str(path), Cursor())
    assert [line for _, line in result.lines] == [b'{"a":1}', b'{"b":2}']
    assert result.lines[1][0] == len(head) + len(big) + 1
    assert result.oversized == 1
    # never more than a chunk plus MAX_LINE in memory at once
    assert max(length for _, length in read_log) <= 4_096 + 1_000


def test_an_unfinished_oversized_line_is_not_rescanned_when_more_arrives(tmp_path, monkeypatch, read_log):
    monkeypatch.setattr(tailer, "MAX_LINE", 1_000)
    monkeypatch.setattr(tailer, "CHUNK", 4_096)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b'{"a":1}\n' + b"j" * 500_000)  # junk without a newline, still growing
    first = read_new_lines(str(path), Cursor())
    assert [line for _, line in first.lines] == [b'{"a":1}']
    assert first.cursor.pending_bytes == 500_000

    read_log.clear()
    _append(path, b"j" * 10_000 + b'\n{"b":2}\n')
    second = read_new_lines(str(path), first.cursor)
    assert [line for _, line in second.lines] == [b'{"b":2}']
    assert second.oversized == 1
    # only the new bytes were read (and the head, for the binary check, and the fingerprint of the
    # consumed bytes before the cursor), not the 500 kB already known to hold no newline
    assert sum(length for _, length in read_log) < 20_000
    assert all(pos >= 8 + 500_000 or (pos == 0 and length <= 512) for pos, length in read_log)


def test_a_binary_file_is_flagged_and_never_rescanned(tmp_path, read_log):
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\x00\x01\x02\x03" * 1_000 + b"\n\x00\n")
    first = read_new_lines(str(path), Cursor())
    assert first.binary and first.lines == []
    assert first.cursor.offset == path.stat().st_size

    read_log.clear()
    second = read_new_lines(str(path), first.cursor)
    assert second.lines == [] and not second.reset
    # at most the fingerprint of the bytes before the cursor (the file is recent: its mtime is not trusted)
    assert sum(length for _, length in read_log) <= tailer.WINDOW


def test_budget_stops_early_and_the_rest_follows(tmp_path, monkeypatch):
    monkeypatch.setattr(tailer, "CHUNK", 256)
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"".join(b'{"n":%d}\n' % i for i in range(1_000)))
    first = read_new_lines(str(path), Cursor(), max_bytes=1)
    assert 0 < len(first.lines) < 1_000
    second = read_new_lines(str(path), first.cursor)
    assert len(first.lines) + len(second.lines) == 1_000
    assert second.lines[0][0] == first.cursor.offset


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_new_lines(str(tmp_path / "nope.jsonl"), Cursor())


def _reference_lines(data: bytes, start: int = 0) -> list[tuple[int, bytes]]:
    """What a reader of complete lines must return: each non-blank line before the last newline, at its offset,
    without its newline and one \\r."""
    out, pos = [], start
    end = data.rfind(b"\n")
    while pos <= end:
        nl = data.index(b"\n", pos)
        raw = data[pos:nl]
        if raw and not raw.isspace():
            out.append((pos, raw[:-1] if raw.endswith(b"\r") else raw))
        pos = nl + 1
    return out


@pytest.mark.parametrize("seed", range(6))
def test_lines_and_offsets_equal_a_plain_split_whatever_the_blocks_and_the_appends(tmp_path, monkeypatch, seed):
    import random

    rng = random.Random(seed)
    monkeypatch.setattr(tailer, "CHUNK", rng.choice([7, 64, 300, 4096]))
    pieces = [b'{"a":1}', b"", b" ", b"\t \r", b"\r", b'{"b":"x\r"}\r', b" {}", b'{"c":"' + b"y" * 500 + b'"}',
              b"\x7b", b"not json", b"\r\r", b'x\r\r']
    data = b"".join(rng.choice(pieces) + b"\n" for _ in range(200)) + b'{"unfinished":'
    path = tmp_path / "t.jsonl"
    path.write_bytes(b"")
    cursor, got = Cursor(), []
    written = 0
    while written < len(data):
        step = rng.randint(1, 900)
        _append(path, data[written : written + step])
        written += step
        result = read_new_lines(str(path), cursor)
        assert not result.reset
        got += result.lines
        assert result.count == len(result.lines)
        cursor = result.cursor
    assert got == _reference_lines(data)
    assert cursor.offset == data.rfind(b"\n") + 1 and cursor.scanned == len(data) - cursor.offset


def test_a_line_growing_past_the_stat_while_it_is_read_ends_the_read(tmp_path, monkeypatch):
    """The first block is sized to the stat; a file longer than that (a writer appending meanwhile) must not make
    the reader ask for the same bytes forever."""
    import threading

    path = tmp_path / "t.jsonl"
    path.write_bytes(b'{"a":1}\n' + b"x" * 100)
    real_fstat = os.fstat

    class Stale:
        def __init__(self, st):
            self._st = st

        def __getattr__(self, name):
            return 20 if name == "st_size" else getattr(self._st, name)

    monkeypatch.setattr(tailer.os, "fstat", lambda fd: Stale(real_fstat(fd)))
    results = []
    reader = threading.Thread(target=lambda: results.append(read_new_lines(str(path), Cursor())), daemon=True)
    reader.start()
    reader.join(30)
    assert results, "the read never ended"
    assert results[0].lines == [(0, b'{"a":1}')] and results[0].cursor.scanned == 100
