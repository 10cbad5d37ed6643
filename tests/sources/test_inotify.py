"""FileWakeup: asleep until one of its files is written or `stop` is set; a plain `stop.wait` without inotify."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from cockpit.sources import inotify
from cockpit.sources.inotify import FileWakeup, Watches

pytestmark = pytest.mark.skipif(not Watches.available(), reason="inotify is Linux only")

LONG = 60.0  # a wait that would only end this late fails the test by its timeout, never by a clock


def later(action, *args) -> threading.Thread:
    thread = threading.Thread(target=action, args=args)
    thread.start()
    return thread


def test_a_write_to_a_watched_file_wakes_it(tmp_path: Path) -> None:
    wal = tmp_path / "cockpit.db-wal"
    wakeup = FileWakeup([str(tmp_path / "cockpit.db"), str(wal)], threading.Event())
    try:
        assert wakeup.active
        writer = later(wal.write_bytes, b"frame")  # created: the folder is watched, not the file
        assert wakeup.wait(LONG) is True
        writer.join()
    finally:
        wakeup.close()


def test_other_files_in_the_folder_and_drained_writes_do_not_wake_it(tmp_path: Path) -> None:
    db = tmp_path / "cockpit.db"
    db.write_bytes(b"")
    wakeup = FileWakeup([str(db)], threading.Event())
    try:
        (tmp_path / "notes.txt").write_text("not the store")
        assert wakeup.wait(0.2) is False
        db.write_bytes(b"our own write")
        assert wakeup.drain() is True  # seen, and forgotten
        assert wakeup.wait(0.2) is False
    finally:
        wakeup.close()


def test_stop_wakes_it_at_once(tmp_path: Path) -> None:
    stop = threading.Event()
    wakeup = FileWakeup([str(tmp_path / "cockpit.db")], stop)
    try:
        setter = later(stop.set)
        assert wakeup.wait(LONG) is True
        setter.join()
    finally:
        wakeup.close()


def test_without_inotify_it_is_stop_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(inotify.Watches, "available", classmethod(lambda cls: False))
    stop = threading.Event()
    wakeup = FileWakeup([str(tmp_path / "cockpit.db")], stop)
    assert not wakeup.active
    (tmp_path / "cockpit.db").write_bytes(b"x")
    assert wakeup.wait(0.05) is False  # a poll: the write is not noticed
    stop.set()
    assert wakeup.wait(LONG) is True
    wakeup.close()
