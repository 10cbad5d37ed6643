"""Find and read a repository's beads issues: `.beads/issues.jsonl`, a `bd backup` table dump, or, when
neither is there and `bd` is on PATH, the Dolt database through `bd export` (beads ≥ 1.0.5 writes no
JSONL unless asked; sources/bd.py runs it).

Reading never raises: a missing file, an unreadable one or a junk line becomes a count or an error
string in the result, because beads is optional and its files are written by other tools.

The file is read line by line (100k issues are ~165 MB of JSON, mostly descriptions), each line decoded
with orjson; the dashboard asks for summaries and reads one issue whole again when it is opened.
`beads_key` tells from a few stat calls whether the file changed, so a caller reads it again only then.
Through bd the export goes to a private temporary file that is read whole and deleted at once (no copy of
the issues stays behind), and the last read is kept until the Dolt files change, so the several readers
of one dashboard run bd once per change.
"""

from __future__ import annotations

import gc
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

import orjson

from cockpit.core.beads import (
    Comment,
    Dependency,
    Issue,
    Queue,
    Skip,
    compute_queue,
    parse_comment,
    parse_dependency,
    parse_issue_line,
)
from cockpit.sources import bd
from cockpit.sources.tailer import open_regular

EXPORT = Path(".beads") / "issues.jsonl"
BACKUP_DIR = Path(".beads") / "backup"
SKIP_REASONS = ("invalid", "partial", "memory", "tombstone")
READ_BUFFER = 1 << 20
# A file rewritten while it is read is read again, at most this many times, then taken as it came.
READ_ATTEMPTS = 3
BACKUP_TABLES = ("dependencies.jsonl", "labels.jsonl", "comments.jsonl")
# How often bd is asked again when no Dolt file tells of changes (a remote server) or its last answer failed.
BD_RETRY_SECONDS = 60.0
BD_SOURCE = "bd export (Dolt)"

FileKey = tuple[object, ...]
"""What identifies one version of the beads file(s): path, device, inode, size, mtime and ctime in ns."""


@dataclass(frozen=True)
class BeadsFile:
    """What was read: the issues in file order, why lines were skipped, and where they came from."""

    path: Path | None  # the file read; for "bd", the folder of the Dolt databases
    layout: str  # "export", "backup", "bd" or "missing"
    issues: tuple[Issue, ...] = ()
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKIP_REASONS, 0))
    mtime: float | None = None
    error: str | None = None
    key: FileKey | None = None  # the file's identity when it was read, to tell whether it changed since

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def source(self) -> str:
        """Where the issues came from, for a person: the file, or "bd export (Dolt)"."""
        if self.layout == "bd":
            return BD_SOURCE
        return str(self.path) if self.path is not None else ""


def find_beads(root: Path) -> tuple[Path, str] | None:
    """The issues file for the repository at or above `root`, with its layout, or None.

    Like bd, look upward for the nearest `.beads`. When both an export and a backup dump exist the
    newer one wins, since from bd v1.0.5 the export is opt-in and may be left stale. A `.beads` with
    neither is read through `bd` when it is on PATH: ("bd" layout, the folder of its Dolt databases).
    """
    start = root.resolve()
    for folder in (start, *start.parents):
        candidates = []
        for rel, layout in ((EXPORT, "export"), (BACKUP_DIR / "issues.jsonl", "backup")):
            path = folder / rel
            try:
                # A FIFO or device in its place is found too, so reading it says what it is (never opened).
                if path.exists() and not path.is_dir():
                    candidates.append((path.stat().st_mtime, layout == "export", path, layout))
            except OSError:
                continue
        if candidates:
            _, _, path, layout = max(candidates)
            return path, layout
        beads_dir = folder / ".beads"
        if beads_dir.is_dir():
            if bd.find_bd(folder)[0] is None:
                return None
            return bd.dolt_dir(beads_dir) or beads_dir / bd.DOLT_DIRS[-1], "bd"
        if (folder / ".git").exists():
            return None  # the repository's own root: never read another project's issues above it
    return None


def _beads_dir(path: Path) -> Path:
    """The `.beads` folder of a "bd" layout's path (the folder of its Dolt databases)."""
    return path.parent


def _bd_key(path: Path) -> FileKey:
    """What identifies the issues bd would export: which bd, the Dolt files, bd's own settings; and, when no
    Dolt file is here to tell of changes or bd's last answer was a failure, the minute, so it is asked again."""
    beads_dir = _beads_dir(path)
    exe, _ = bd.find_bd(beads_dir.parent)
    dolt = bd.dolt_key(beads_dir)
    parts: list[object] = ["bd", bd.exe_key(exe) if exe else None, dolt,
                           *(_stat_key(beads_dir / name, (beads_dir / name).stat()) if (beads_dir / name).exists()
                             else (name, None) for name in ("metadata.json", "config.yaml", "last-touched"))]
    with _bd_reads_lock:
        last = _bd_reads.get(beads_dir)
    if not dolt or (last is not None and last[1].error):
        parts.append(("every", int(time.monotonic() // BD_RETRY_SECONDS)))
    return tuple(parts)


def _stat_key(path: Path, st: os.stat_result) -> tuple[object, ...]:
    return (str(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def beads_key(root: Path) -> FileKey:
    """The identity of what `read_beads(root)` would read, from a few stat calls and no reading.

    A rewrite, an append, a replacing rename or a touched side table of a dump all change it; when no file
    exists, whether `.beads` does (the message shown differs) is part of it.
    """
    try:
        found = find_beads(root)
        if found is None:
            return _missing_key(root)
        path, layout = found
        if layout == "bd":
            return _bd_key(path)
        parts: list[object] = [layout, _stat_key(path, path.stat())]
        if layout == "backup":
            for name in BACKUP_TABLES:
                side = path.parent / name
                try:
                    parts.append(_stat_key(side, side.stat()))
                except OSError:
                    parts.append((str(side), None))
        return tuple(parts)
    except OSError as exc:
        return ("error", str(exc))


def _decode(line: bytes) -> Any:
    """One line's JSON. orjson first; what it refuses (invalid UTF-8, lone surrogates, NaN, deep nesting) is
    given to the standard library on the text with bad bytes replaced, which decides as before."""
    try:
        return orjson.loads(line)
    except orjson.JSONDecodeError:
        return json.loads(line.decode("utf-8", errors="replace"))


def iter_json_lines(lines: Iterable[bytes], skipped: dict[str, int]) -> Iterator[tuple[int, Any]]:
    """(byte offset, decoded object) for each line; junk and a torn last line are counted, not raised.

    A line without its newline can only be the last, possibly still being written: kept only if it parses.
    """
    offset = 0
    first = True
    for line in lines:
        start = offset
        offset += len(line)
        if first:
            first = False
            if line.startswith(b"\xef\xbb\xbf"):
                line = line[3:]
        if not line or line.isspace():
            continue
        try:
            yield start, _decode(line)
        except (ValueError, RecursionError):
            skipped["invalid" if line.endswith(b"\n") else "partial"] += 1


def _split_lines(data: bytes) -> list[bytes]:
    """Lines as reading a binary file gives them: split at newlines only, each keeping its own."""
    parts = data.split(b"\n")
    tail = parts.pop()
    return [part + b"\n" for part in parts] + ([tail] if tail else [])


def _parse(objs: Iterable[tuple[int, Any]], skipped: dict[str, int], summary: bool) -> list[Issue]:
    issues: list[Issue] = []
    for offset, obj in objs:
        parsed = parse_issue_line(obj, summary=summary, offset=offset)
        if isinstance(parsed, Issue):
            issues.append(parsed)
        elif isinstance(parsed, Skip):
            skipped[parsed.reason] = skipped.get(parsed.reason, 0) + 1
        else:
            skipped["invalid"] += 1
    return issues


def parse_lines(data: bytes, *, summary: bool = False) -> tuple[list[Issue], dict[str, int]]:
    """Issues from the bytes of a JSONL export, with counts of skipped lines by reason."""
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    return _parse(iter_json_lines(_split_lines(data), skipped), skipped, summary), skipped


def _read_table(path: Path, skipped: dict[str, int]) -> list[Any]:
    try:
        with open_regular(path, READ_BUFFER) as handle:
            return [obj for _, obj in iter_json_lines(handle, skipped)]
    except OSError:
        return []  # a side table of a dump is optional


def _attach_backup_tables(issues: list[Issue], folder: Path, skipped: dict[str, int],
                          summary: bool = False) -> list[Issue]:
    """Table dumps keep dependencies, labels and comments in their own files, keyed by issue_id."""
    deps: dict[str, list[Dependency]] = {}
    for obj in _read_table(folder / "dependencies.jsonl", skipped):
        dep = parse_dependency(obj, summary=summary)
        if dep is None:
            skipped["invalid"] += 1
        else:
            deps.setdefault(dep.issue_id, []).append(dep)
    labels: dict[str, list[str]] = {}
    for obj in _read_table(folder / "labels.jsonl", skipped):
        if isinstance(obj, dict) and isinstance(obj.get("issue_id"), str) and isinstance(obj.get("label"), str):
            labels.setdefault(obj["issue_id"], []).append(obj["label"])
        else:
            skipped["invalid"] += 1
    comments: dict[str, list[Comment]] = {}
    for obj in _read_table(folder / "comments.jsonl", skipped):
        comment = parse_comment(obj)
        if comment is None or not isinstance(obj.get("issue_id"), str):
            skipped["invalid"] += 1
        elif not summary:
            comments.setdefault(obj["issue_id"], []).append(comment)
    if not (deps or labels or comments):
        return issues
    return [
        i._replace(dependencies=i.dependencies + tuple(deps.get(i.id, ())),
                   labels=i.labels + tuple(labels.get(i.id, ())), comments=i.comments + tuple(comments.get(i.id, ())))
        if i.id in deps or i.id in labels or i.id in comments else i
        for i in issues
    ]


_gc_lock = threading.Lock()
_gc_pausers = 0
_gc_was_enabled = False


@contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection while a file is parsed.

    Parsing builds a few hundred thousand small objects that all survive and form no cycles; the collector
    would traverse the growing heap again and again for nothing (a third of the load time at 100k issues).
    Reference counting still frees everything; the collector resumes as it was when the last parse ends.
    """
    global _gc_pausers, _gc_was_enabled
    with _gc_lock:
        if _gc_pausers == 0:
            _gc_was_enabled = gc.isenabled()
            gc.disable()
        _gc_pausers += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pausers -= 1
            if _gc_pausers == 0 and _gc_was_enabled:
                gc.enable()


def _read_issues(handle: IO[bytes], *, summary: bool) -> tuple[list[Issue], dict[str, int]]:
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    return _parse(iter_json_lines(handle, skipped), skipped, summary), skipped


def _read_stable(path: Path, read: Callable[[IO[bytes]], Any]) -> tuple[Any, os.stat_result]:
    """`read(handle)` on the file, again when it was rewritten in place while it was read (that could splice
    two versions into one line); the last attempt is taken as it came. A replacing rename needs no retry:
    the open handle keeps reading the old file whole."""
    for _ in range(READ_ATTEMPTS):
        with open_regular(path, READ_BUFFER) as handle:
            before = os.fstat(handle.fileno())
            result = read(handle)
            after = os.fstat(handle.fileno())
        if (before.st_size, before.st_mtime_ns) == (after.st_size, after.st_mtime_ns):
            break
    return result, before


def read_beads(root: Path, *, summary: bool = False) -> BeadsFile:
    """Read the beads issues of the repository at `root`; never raises.

    With `summary`, issues carry only what the queue and its rows need (see `Issue`); `read_issue` gives
    one back whole.
    """
    try:
        found = find_beads(root)
    except OSError as exc:
        return BeadsFile(path=None, layout="missing", error=str(exc))
    if found is None:
        folder = root / ".beads"
        return BeadsFile(path=None, layout="missing", error=_missing_hint(root) if folder.is_dir() else None,
                         key=_missing_key(root))
    path, layout = found
    key = beads_key(root)
    if layout == "bd":
        return _read_through_bd(path, key)
    try:
        with _cyclic_gc_paused():
            (issues, skipped), st = _read_stable(path, partial(_read_issues, summary=summary))
    except OSError as exc:
        return BeadsFile(path=path, layout=layout, error=f"cannot read {path}: {exc.strerror or exc}")
    if layout == "backup":
        issues = _attach_backup_tables(issues, path.parent, skipped, summary)
    return BeadsFile(path=path, layout=layout, issues=tuple(issues), skipped=skipped, mtime=st.st_mtime, key=key)


def _missing_key(root: Path) -> FileKey:
    """No file: whether `.beads` exists (the message shown differs) is what can change."""
    return ("missing", (root / ".beads").is_dir())


def _missing_hint(root: Path) -> str:
    folder = root / ".beads"
    _, refused = bd.find_bd(root)
    why = f"`bd` is not used: {refused}" if refused else "`bd` is not on PATH to read its Dolt database"
    return f"{folder} has no issues.jsonl and {why} (or write the file with `bd export -o .beads/issues.jsonl`)"


_bd_export_lock = threading.Lock()  # one bd export at a time; the others wait, then find its result
_bd_reads_lock = threading.Lock()  # held only to look up or store in _bd_reads: `beads_key` never waits for bd
_bd_reads: dict[Path, tuple[FileKey, BeadsFile]] = {}  # the last read through bd, by `.beads` folder


def _read_through_bd(path: Path, key: FileKey) -> BeadsFile:
    """The issues of a Dolt-backed repository, exported by bd to a private file read whole, then deleted.

    Whole, not as summaries: no file remains to read an issue's description from later. The result is kept
    until `key` changes, so every reader of one version runs bd once."""
    beads_dir = _beads_dir(path)
    with _bd_export_lock:
        with _bd_reads_lock:
            last = _bd_reads.get(beads_dir)
        if last is not None and last[0] == key:
            return last[1]
        result = _export_and_read(path, key)
        with _bd_reads_lock:
            _bd_reads[beads_dir] = (key, result)
        if result.error:
            # Kept under the key that asks again in a minute, the one `beads_key` gives from now on.
            again = _bd_key(path)
            with _bd_reads_lock:
                _bd_reads[beads_dir] = (again, result)
        return result


def _export_and_read(path: Path, key: FileKey) -> BeadsFile:
    beads_dir = _beads_dir(path)
    exe, refused = bd.find_bd(beads_dir.parent)
    if exe is None:
        return BeadsFile(path=None, layout="bd", error=refused or "bd is no longer on PATH", key=key)
    with tempfile.TemporaryDirectory(prefix="cockpit-bd-") as tmp:
        dest = Path(tmp) / "issues.jsonl"
        error = bd.export_issues(exe, beads_dir.parent, dest)
        if error:
            return BeadsFile(path=None, layout="bd", error=error, key=key)
        try:
            with _cyclic_gc_paused():
                (issues, skipped), _ = _read_stable(dest, partial(_read_issues, summary=False))
        except OSError as exc:
            return BeadsFile(path=None, layout="bd", error=f"cannot read bd's export: {exc.strerror or exc}", key=key)
    return BeadsFile(path=path, layout="bd", issues=tuple(issues), skipped=skipped, mtime=time.time(), key=key)


def load_queue(root: Path, now: datetime, *, summary: bool = True) -> tuple[BeadsFile, Queue]:
    """The beads file read (as summaries unless asked otherwise) and its queue computed, in one go."""
    beads = read_beads(root, summary=summary)
    return beads, queue_of(beads, now)


def queue_of(beads: BeadsFile, now: datetime) -> Queue:
    """The queue of issues already read: what a deferral running out needs, without reading the file."""
    with _cyclic_gc_paused():
        return compute_queue(beads.issues, now)


def read_issue(path: Path, issue: Issue) -> Issue:
    """The whole issue for a summary read from `path`: its line is read again at its offset.

    When the file changed since and the line there is another issue, the summary comes back as it was
    (the next reload brings the new file); never raises.
    """
    if not issue.summary or issue.offset < 0:
        return issue
    try:
        with open_regular(path) as handle:
            handle.seek(issue.offset)
            line = handle.readline()
        if issue.offset == 0:
            line = line.removeprefix(b"\xef\xbb\xbf")
        full = parse_issue_line(_decode(line), offset=issue.offset)
    except (OSError, ValueError, RecursionError):
        return issue
    if not isinstance(full, Issue) or full.id != issue.id:
        return issue
    if path.parent.name == "backup":
        skipped = dict.fromkeys(SKIP_REASONS, 0)
        full = _attach_backup_tables([full], path.parent, skipped)[0]
    return full
