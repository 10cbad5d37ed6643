"""The transcript watcher: inotify (Linux) reports appended lines, new files, files in new folders and deleted
files, sleeps while nothing changes, and hands over to watchfiles when the kernel's watch cannot be had."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from cockpit.sources import watcher
from cockpit.sources.watcher import Inotify, InotifyFailed, preferred_mode, watch_transcripts

pytestmark = pytest.mark.skipif(not Inotify.available(), reason="inotify is Linux only")


class Watch:
    """watch_transcripts in a thread, collecting what it reports."""

    def __init__(self, folders: list[Path], **options: object) -> None:
        self.batches: list[set[str]] = []
        self.ready = threading.Event()
        self.stop = threading.Event()
        self.mode = ""
        self.lock = threading.Lock()

        def on_change(paths: set[str]) -> None:
            with self.lock:
                self.batches.append(paths)

        def run() -> None:
            self.mode = watch_transcripts([str(f) for f in folders], on_change, self.stop,
                                          on_ready=self.ready.set, **options)  # type: ignore[arg-type]

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(5), "the watch was never armed"

    def seen(self) -> set[str]:
        with self.lock:
            return set().union(*self.batches) if self.batches else set()

    def wait_for(self, path: Path, seconds: float = 5.0) -> bool:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if str(path) in self.seen():
                return True
            time.sleep(0.01)
        return False

    def close(self) -> str:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()
        return self.mode


def test_inotify_reports_appends_new_files_new_folders_and_deletions(tmp_path: Path) -> None:
    project = tmp_path / "projects" / "-w"
    project.mkdir(parents=True)
    old = project / "old.jsonl"
    old.write_text("{}\n")
    watch = Watch([tmp_path / "projects"], poll_seconds=0.2)
    try:
        with old.open("a") as handle:
            handle.write("{}\n")
        assert watch.wait_for(old)
        (project / "notes.txt").write_text("not a transcript")
        new = project / "new.jsonl"
        new.write_text("{}\n")
        assert watch.wait_for(new)
        # A folder and its file written at once: the file is reported though it came before the folder's watch.
        sub = project / "s1" / "subagents"
        sub.mkdir(parents=True)
        (sub / "agent-a1.jsonl").write_text("{}\n")
        assert watch.wait_for(sub / "agent-a1.jsonl")
        with (sub / "agent-a1.jsonl").open("a") as handle:  # and followed from then on
            handle.write("{}\n")
        with watch.lock:
            watch.batches.clear()
        with (sub / "agent-a1.jsonl").open("a") as handle:
            handle.write("{}\n")
        assert watch.wait_for(sub / "agent-a1.jsonl")
        old.unlink()
        assert watch.wait_for(old)
        assert not any(p.endswith("notes.txt") for p in watch.seen())
    finally:
        assert watch.close() == "inotify"


def test_nothing_changing_reports_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n")
    watch = Watch([tmp_path], poll_seconds=0.05)
    time.sleep(0.3)  # six wake-ups for `stop`: none of them is a change
    assert watch.close() == "inotify"
    assert watch.batches == []


def test_recheck_ends_the_watch_for_the_caller_to_watch_again(tmp_path: Path) -> None:
    calls = []

    def recheck() -> bool:
        calls.append(1)
        return len(calls) >= 2

    watch = Watch([tmp_path], poll_seconds=0.05, recheck=recheck)
    watch.thread.join(5)
    assert not watch.thread.is_alive() and watch.mode == "inotify"


def test_an_overflowed_queue_looks_at_every_known_file(tmp_path: Path, monkeypatch) -> None:
    (tmp_path / "a.jsonl").write_text("{}\n")
    real_read = Inotify.read

    def overflowing(self: Inotify) -> tuple[set[str], bool]:
        changed, _ = real_read(self)
        return changed, True  # as if the kernel had dropped events

    monkeypatch.setattr(Inotify, "read", overflowing)
    known = str(tmp_path / "known.jsonl")
    watch = Watch([tmp_path], poll_seconds=0.05, snapshot=lambda: [known])
    try:
        with (tmp_path / "a.jsonl").open("a") as handle:
            handle.write("{}\n")
        assert watch.wait_for(Path(known))
    finally:
        watch.close()


def test_a_failed_inotify_hands_over_to_watchfiles(tmp_path: Path, monkeypatch) -> None:
    def no_watch(self: Inotify, top: str) -> list[str]:
        raise InotifyFailed("no space left on device (the watch limit)")

    monkeypatch.setattr(Inotify, "add_tree", no_watch)
    watch = Watch([tmp_path], poll_seconds=0.1)
    try:
        (tmp_path / "b.jsonl").write_text("{}\n")
        assert watch.wait_for(tmp_path / "b.jsonl")
    finally:
        assert watch.close() == "watchfiles"


def test_a_callback_failure_reaches_the_caller(tmp_path: Path) -> None:
    stop = threading.Event()

    def broken(_paths: set[str]) -> None:
        raise RuntimeError("the store is gone")

    def write_soon() -> None:
        time.sleep(0.2)
        (tmp_path / "c.jsonl").write_text("{}\n")

    threading.Thread(target=write_soon, daemon=True).start()
    with pytest.raises(RuntimeError, match="the store is gone"):
        watch_transcripts([str(tmp_path)], broken, stop, poll_seconds=0.05)


def test_the_mode_named_before_the_watch_is_the_one_that_runs() -> None:
    assert preferred_mode() == "inotify"
    assert preferred_mode(force_polling=True) == "polling"
    assert watcher.BURST_MS < watcher.DEBOUNCE_MS and os.name == "posix"
