"""Find and read a repository's beads issues (`.beads/issues.jsonl` or a `bd backup` table dump).

Reading never raises: a missing file, an unreadable one or a junk line becomes a count or an error
string in the result, because beads is optional and its files are written by other tools.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from cockpit.core.beads import (
    Comment,
    Dependency,
    Issue,
    Skip,
    parse_comment,
    parse_dependency,
    parse_issue_line,
)

EXPORT = Path(".beads") / "issues.jsonl"
BACKUP_DIR = Path(".beads") / "backup"
SKIP_REASONS = ("invalid", "partial", "memory", "tombstone")


@dataclass(frozen=True)
class BeadsFile:
    """What was read: the issues in file order, why lines were skipped, and where they came from."""

    path: Path | None
    layout: str  # "export", "backup" or "missing"
    issues: tuple[Issue, ...] = ()
    skipped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SKIP_REASONS, 0))
    mtime: float | None = None
    error: str | None = None

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


def find_beads(root: Path) -> tuple[Path, str] | None:
    """The issues file for the repository at or above `root`, with its layout, or None.

    Like bd, look upward for the nearest `.beads`. When both an export and a backup dump exist the
    newer one wins, since from bd v1.0.5 the export is opt-in and may be left stale.
    """
    start = root.resolve()
    for folder in (start, *start.parents):
        candidates = []
        for rel, layout in ((EXPORT, "export"), (BACKUP_DIR / "issues.jsonl", "backup")):
            path = folder / rel
            try:
                if path.is_file():
                    candidates.append((path.stat().st_mtime, layout == "export", path, layout))
            except OSError:
                continue
        if candidates:
            _, _, path, layout = max(candidates)
            return path, layout
        if (folder / ".beads").is_dir() or (folder / ".git").exists():
            return None  # the repository's own root: never read another project's issues above it
    return None


def iter_json_lines(data: bytes, skipped: dict[str, int]) -> Iterator[Any]:
    """Decoded objects of the complete lines in `data`; junk and a torn last line are counted, not raised."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    lines = text.split("\n")
    # The piece after the last newline may be a line still being written: keep it only if it parses.
    tail = lines.pop()
    for number, line in enumerate([*lines, tail]):
        if not line.strip():
            continue
        try:
            yield json.loads(line)
        except (ValueError, RecursionError):
            skipped["partial" if number == len(lines) else "invalid"] += 1


def parse_lines(data: bytes) -> tuple[list[Issue], dict[str, int]]:
    """Issues from the bytes of a JSONL export, with counts of skipped lines by reason."""
    skipped = dict.fromkeys(SKIP_REASONS, 0)
    issues: list[Issue] = []
    for obj in iter_json_lines(data, skipped):
        parsed = parse_issue_line(obj)
        if isinstance(parsed, Issue):
            issues.append(parsed)
        elif isinstance(parsed, Skip):
            skipped[parsed.reason] = skipped.get(parsed.reason, 0) + 1
        else:
            skipped["invalid"] += 1
    return issues, skipped


def _read_table(path: Path, skipped: dict[str, int]) -> list[Any]:
    try:
        data = path.read_bytes()
    except OSError:
        return []  # a side table of a dump is optional
    return [obj for obj in iter_json_lines(data, skipped)]


def _attach_backup_tables(issues: list[Issue], folder: Path, skipped: dict[str, int]) -> list[Issue]:
    """Table dumps keep dependencies, labels and comments in their own files, keyed by issue_id."""
    deps: dict[str, list[Dependency]] = {}
    for obj in _read_table(folder / "dependencies.jsonl", skipped):
        dep = parse_dependency(obj)
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
        else:
            comments.setdefault(obj["issue_id"], []).append(comment)
    if not (deps or labels or comments):
        return issues
    return [
        replace(i, dependencies=i.dependencies + tuple(deps.get(i.id, ())), labels=i.labels + tuple(labels.get(i.id, ())),
                comments=i.comments + tuple(comments.get(i.id, ())))
        if i.id in deps or i.id in labels or i.id in comments else i
        for i in issues
    ]


def read_beads(root: Path) -> BeadsFile:
    """Read the beads issues of the repository at `root`; never raises."""
    try:
        found = find_beads(root)
    except OSError as exc:
        return BeadsFile(path=None, layout="missing", error=str(exc))
    if found is None:
        folder = root / ".beads"
        hint = f"{folder} has no issues.jsonl (recent bd writes it only on `bd export`)" if folder.is_dir() else None
        return BeadsFile(path=None, layout="missing", error=hint)
    path, layout = found
    try:
        mtime = path.stat().st_mtime
        # One read of the whole file: a writer rewriting it can at worst tear the last line.
        data = path.read_bytes()
    except OSError as exc:
        return BeadsFile(path=path, layout=layout, error=f"cannot read {path}: {exc.strerror or exc}")
    issues, skipped = parse_lines(data)
    if layout == "backup":
        issues = _attach_backup_tables(issues, path.parent, skipped)
    return BeadsFile(path=path, layout=layout, issues=tuple(issues), skipped=skipped, mtime=mtime)
