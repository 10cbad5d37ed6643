"""The working-tree watch: edits git does not ignore are reported, ignored folders are never watched, a folder
made after the start is followed, and `stop` ends it at once (inotify on Linux, watchfiles elsewhere)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cockpit.sources.inotify import Watches, WatchFailed
from cockpit.sources.treewatch import add_tree, watch_tree


class Watch:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.stop = threading.Event()
        self.batches: list[set[str]] = []
        self.ended: list[str] = []
        self.thread = threading.Thread(target=lambda: self.ended.append(watch_tree(str(root), self.batches.append,
                                                                                   self.stop)))
        self.thread.start()

    def seen(self) -> set[str]:
        return set().union(*self.batches) if self.batches else set()

    def until_seen(self, path: Path, touch, seconds: float = 10.0) -> bool:
        """Touch `path` again and again (a watch arms after its start) until a batch names it."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            touch(path)
            time.sleep(0.1)
            if str(path) in self.seen():
                return True
        return False

    def quit(self) -> None:
        self.stop.set()
        self.thread.join(5)
        assert not self.thread.is_alive()
        assert self.ended == [""]


def append(path: Path) -> None:
    with path.open("a") as handle:
        handle.write("x\n")


@pytest.mark.parametrize("inotify", [True, False], ids=["inotify", "watchfiles"])
def test_an_edit_is_reported_and_ignored_writes_are_not(repo: Path, inotify: bool, monkeypatch) -> None:
    if inotify and not Watches.available():
        pytest.skip("inotify is Linux only")
    if not inotify:
        monkeypatch.setattr(Watches, "available", classmethod(lambda cls: False))
    (repo / "build").mkdir()
    watch = Watch(repo)
    try:
        assert watch.until_seen(repo / "a.txt", append)
        for _ in range(3):
            append(repo / "build" / "out.o")
            append(repo / "debug.log")
            append(repo / "a.txt")
            time.sleep(0.1)
        assert watch.until_seen(repo / "a.txt", append)
        assert not watch.seen() & {str(repo / "build" / "out.o"), str(repo / "debug.log")}
    finally:
        watch.quit()


def test_ignored_folders_are_never_watched_and_new_folders_are(repo: Path) -> None:
    if not Watches.available():
        pytest.skip("inotify is Linux only")
    for folder in ("build/deep", "src/pkg", "node_modules/lib", "src/__pycache__"):
        (repo / folder).mkdir(parents=True)
    watches = Watches()
    try:
        add_tree(watches, str(repo), [str(repo)])
        watched = {Path(f).relative_to(repo).as_posix() for f in watches.folders.values()}
        assert watched == {".", "src", "src/pkg"}  # not .git, build (.gitignore), node_modules, __pycache__
    finally:
        watches.close()
    watch = Watch(repo)
    try:
        assert watch.until_seen(repo / "a.txt", append)
        (repo / "later" / "inner").mkdir(parents=True)
        assert watch.until_seen(repo / "later" / "inner" / "new.txt", append)
    finally:
        watch.quit()


def test_stop_ends_an_idle_watch(repo: Path) -> None:
    watch = Watch(repo)
    assert watch.until_seen(repo / "a.txt", append)
    watch.quit()


def test_a_watch_that_cannot_start_says_why(repo: Path, monkeypatch) -> None:
    if not Watches.available():
        pytest.skip("inotify is Linux only")

    def refuse(self, folder, mask=0):
        raise WatchFailed(f"{folder}: No space left on device")

    monkeypatch.setattr(Watches, "add", refuse)
    problem = watch_tree(str(repo), lambda _paths: None, threading.Event())
    assert problem.startswith("cannot watch the working tree (") and "No space left on device" in problem
