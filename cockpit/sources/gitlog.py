"""Commit history for the vibe-check git metrics, read with one `git log --numstat` call (sources/git.py runs it).

Each commit prints a header line (a record-separator sentinel, then sha, ISO author date and subject
split by unit separators) followed by its numstat lines. Merge commits are kept: without `-m` git
prints no numstat for them, so they arrive with no files. Subjects are untrusted text: they are only
ever stored, with control characters stripped. Every failure (not a repo, no commits, git missing,
git failing) is a message, never an exception.
"""

from __future__ import annotations

import codecs
import os
import re
from datetime import datetime
from pathlib import Path

from cockpit.core.gitmetrics import CommitInfo
from cockpit.core.text import exact_line
from cockpit.sources.git import find_repo, has_commits, run_git

_SENTINEL = "\x1e"
_FORMAT = "--format=%x1e%H%x1f%aI%x1f%s"
_BRACE_RENAME = re.compile(r"^(.*)\{(.*) => (.*)\}(.*)$")


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of unusual paths ("a\\tb", octal-escaped UTF-8 bytes)."""
    if len(path) < 2 or not (path.startswith('"') and path.endswith('"')):
        return path
    raw = codecs.escape_decode(path[1:-1].encode("utf-8"))[0]
    return raw.decode("utf-8", errors="replace")


def renamed_path(path: str) -> str:
    """The new path of a numstat rename: `old => new` or `dir/{old => new}/rest`."""
    match = _BRACE_RENAME.match(path)
    if match:
        prefix, _, new, suffix = match.groups()
        return re.sub(r"/{2,}", "/", f"{prefix}{new}{suffix}").lstrip("/")
    if " => " in path:
        return path.split(" => ", 1)[1]
    return path


def _count(field: str) -> int:
    return int(field) if field.isdigit() else 0  # binary files show "-" for both counts


def parse_log(text: str) -> list[CommitInfo]:
    """Commits from `git log --numstat` output in the `_FORMAT` shape, in the order printed."""
    commits: list[CommitInfo] = []
    header: tuple[str, datetime, str] | None = None
    files: list[str] = []
    plus = minus = 0

    def flush() -> None:
        if header is not None:
            commits.append(CommitInfo(header[0], header[1], header[2], tuple(files), plus, minus))

    for line in text.split("\n"):  # not splitlines(): it also breaks at the \x1e sentinel
        if line.startswith(_SENTINEL):
            parts = line[1:].split("\x1f", 2)
            if len(parts) != 3:
                continue
            try:
                when = datetime.fromisoformat(parts[1])
            except ValueError:
                continue
            flush()
            header, files, plus, minus = (parts[0], when, exact_line(parts[2])), [], 0, 0
        elif header is not None and line.count("\t") >= 2:
            added, removed, path = line.split("\t", 2)
            files.append(renamed_path(_unquote(path)))
            plus += _count(added)
            minus += _count(removed)
    flush()
    return commits


def read_commits(path: str | os.PathLike[str], since: datetime | None = None, until: datetime | None = None,
                 limit: int | None = None) -> tuple[list[CommitInfo], str]:
    """Commits of the repository at `path` (or above it), oldest first, and "" or why there are none."""
    where = str(Path(path).expanduser())
    if not os.path.exists(where):
        return [], f"{where} does not exist"
    args = [_FORMAT, "--numstat", "--no-color"]
    if since is not None:
        args.append(f"--since={since.isoformat()}")
    if until is not None:
        args.append(f"--until={until.isoformat()}")
    if limit is not None:
        args.append(f"-n{max(limit, 0)}")
    run = run_git(where if os.path.isdir(where) else os.path.dirname(where) or ".", "log", *args, c_locale=True)
    if run.ok:
        commits = parse_log(run.out.decode("utf-8", "replace"))
        commits.reverse()  # git prints newest first; the metrics read history forwards
        return commits, ""
    place, error = find_repo(where)  # why not: only asked when the log failed, so a log costs one git call
    if place is None:
        return [], error
    if not has_commits(place.top):
        return [], "no commits yet"
    return [], f"git failed: {run.error[:200]}"
