"""What state the repository is in, read through git itself (sources/git.py runs it), never by walking the tree.

`git status --porcelain=v2 --branch` gives branch, upstream ahead/behind and the staged, unstaged and
untracked counts in one call that uses git's index and caches; `git diff --shortstat HEAD` the size
of the working-tree change. Every odd state (no commits, detached HEAD, bare, shallow, not a repo,
git missing) is a field or a message, never an exception.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from cockpit.sources.git import find_repo, run_git

_SHORTSTAT = re.compile(r"(\d+) files? changed(?:, (\d+) insertions?\(\+\))?(?:, (\d+) deletions?\(-\))?")


@dataclass(frozen=True, slots=True)
class Commit:
    sha: str
    subject: str
    author: str
    when: str  # ISO-8601 with offset, as git prints it


@dataclass(frozen=True, slots=True)
class RepoState:
    path: str
    ok: bool
    message: str = ""  # why there is nothing to show, or what is unusual
    branch: str = ""
    head: str = ""
    detached: bool = False
    no_commits: bool = False
    upstream: str = ""
    ahead: int = 0
    behind: int = 0
    staged: int = 0
    unstaged: int = 0
    untracked: int = 0
    conflicts: int = 0
    files_changed: int = 0
    insertions: int = 0
    deletions: int = 0
    shallow: bool = False
    worktree: bool = False
    commits: tuple[Commit, ...] = field(default=())


def parse_status(text: str) -> dict[str, object]:
    """The fields of `git status --porcelain=v2 --branch` output that the pane shows."""
    out: dict[str, object] = {"staged": 0, "unstaged": 0, "untracked": 0, "conflicts": 0}
    for line in text.splitlines():
        if line.startswith("# branch.oid "):
            oid = line.split(" ", 2)[2]
            out["no_commits"] = oid == "(initial)"
            out["head"] = "" if oid == "(initial)" else oid
        elif line.startswith("# branch.head "):
            head = line.split(" ", 2)[2]
            out["detached"] = head == "(detached)"
            out["branch"] = "" if head == "(detached)" else head
        elif line.startswith("# branch.upstream "):
            out["upstream"] = line.split(" ", 2)[2]
        elif line.startswith("# branch.ab "):
            parts = line.split()
            out["ahead"] = int(parts[2].lstrip("+"))
            out["behind"] = int(parts[3].lstrip("-"))
        elif line.startswith(("1 ", "2 ")):
            xy = line.split(" ", 2)[1]
            if xy[0] != ".":
                out["staged"] = int(out["staged"]) + 1  # type: ignore[call-overload]
            if xy[1] != ".":
                out["unstaged"] = int(out["unstaged"]) + 1  # type: ignore[call-overload]
        elif line.startswith("u "):
            out["conflicts"] = int(out["conflicts"]) + 1  # type: ignore[call-overload]
        elif line.startswith("? "):
            out["untracked"] = int(out["untracked"]) + 1  # type: ignore[call-overload]
    return out


def parse_shortstat(text: str) -> tuple[int, int, int]:
    match = _SHORTSTAT.search(text)
    if not match:
        return 0, 0, 0
    return int(match.group(1)), int(match.group(2) or 0), int(match.group(3) or 0)


def read_repo(path: str | os.PathLike[str], *, commits: int = 5) -> RepoState:
    """The repository at `path` (or above it), never raising."""
    where = str(Path(path).expanduser())
    place, error = find_repo(where)
    if place is None:
        return RepoState(where, False, error)
    if place.bare:
        return RepoState(place.git_dir, False, "a bare repository: no working tree to show")
    top = place.top

    def git(*args: str) -> str:
        run = run_git(top, *args, c_locale=True)
        if not run.ok:
            raise _GitFailed(run.error)
        return run.out.decode("utf-8", "replace")

    try:
        status = parse_status(git("status", "--porcelain=v2", "--branch", "--untracked-files=normal"))
        state: dict[str, object] = dict(status)
        if not state.get("no_commits"):
            files, plus, minus = parse_shortstat(git("diff", "--shortstat", "HEAD"))
            state.update(files_changed=files, insertions=plus, deletions=minus)
            log = git("log", f"-n{commits}", "--format=%h%x1f%s%x1f%an%x1f%aI")
            state["commits"] = tuple(
                Commit(*line.split("\x1f", 3)) for line in log.splitlines() if line.count("\x1f") == 3
            )
    except _GitFailed as exc:
        return RepoState(where, False, f"git failed: {str(exc)[:200]}")
    state["shallow"] = place.shallow
    state["worktree"] = os.path.isfile(os.path.join(top, ".git"))
    notes = []
    if state.get("no_commits"):
        notes.append("no commits yet")
    if state.get("detached"):
        notes.append("detached HEAD")
    if state["shallow"]:
        notes.append("shallow clone")
    if state["worktree"]:
        notes.append("linked worktree")
    return RepoState(top, True, ", ".join(notes), **state)  # type: ignore[arg-type]


class _GitFailed(Exception):
    pass


def change_marks(path: str) -> tuple[float, ...]:
    """Cheap stats that move when git state moves (HEAD, index, refs): poll these, run git only on change."""
    marks = []
    for name in ("HEAD", "index", "FETCH_HEAD", "ORIG_HEAD"):
        try:
            marks.append(os.stat(os.path.join(path, ".git", name)).st_mtime)
        except OSError:
            marks.append(0.0)
    return tuple(marks)
