"""`git diff` unified output (`--no-color`, optionally `--binary`) parsed into per-file changes.

Understands new, deleted, renamed and copied files, mode changes, binary files (`Binary files … differ` and
`GIT binary patch`), quoted paths with octal escapes, and `\\ No newline at end of file`. Hunk bodies are
read by their line counts, so a removed line that starts with `-- ` is never mistaken for a file header.
Pure: stdlib only, no IO.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

Status = Literal["added", "deleted", "modified", "renamed", "binary"]

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": 7, "b": 8, "t": 9, "n": 10, "v": 11, "f": 12, "r": 13, '"': 34, "\\": 92}


@dataclass(frozen=True, slots=True)
class FileDiff:
    path: str  # the path after the change (before it, for a deleted file)
    old_path: str  # the path before the change ("" for an added file)
    status: Status
    added: tuple[tuple[int, str], ...] = ()  # (new line number, text without the leading "+")
    removed_count: int = 0

    @property
    def added_count(self) -> int:
        return len(self.added)


def changed_lines(files: Iterable[FileDiff]) -> int:
    """Lines added plus lines removed over all files."""
    return sum(len(f.added) + f.removed_count for f in files)


def _unquote(raw: str) -> str:
    """A path as git prints it: C-quoted (`"a/caf\\303\\251"`) when it has special characters."""
    raw = raw.strip()
    if len(raw) < 2 or not (raw.startswith('"') and raw.endswith('"')):
        return raw
    body, out, i = raw[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8) & 0xFF)
                i += 4
                continue
            if nxt in _ESCAPES:
                out.append(_ESCAPES[nxt])
                i += 2
                continue
        out += ch.encode("utf-8")
        i += 1
    return out.decode("utf-8", errors="replace")


def _strip_prefix(path: str, prefix: str) -> str:
    return path[len(prefix):] if path.startswith(prefix) else path


def _header_paths(rest: str) -> tuple[str, str]:
    """(old, new) from `diff --git a/X b/Y`; with unquoted spaces, split where both halves agree."""
    rest = rest.strip()
    if rest.startswith('"'):
        end = rest.find('" ', 1)
        while end > 0 and rest[end - 1] == "\\":
            end = rest.find('" ', end + 1)
        if end > 0:
            return _strip_prefix(_unquote(rest[: end + 1]), "a/"), _strip_prefix(_unquote(rest[end + 2:]), "b/")
    if rest.endswith('"'):
        start = rest.rfind(' "')
        if start > 0:
            return _strip_prefix(rest[:start], "a/"), _strip_prefix(_unquote(rest[start + 1:]), "b/")
    candidates = [m.start() for m in re.finditer(r" b/", rest)]
    for pos in candidates:
        old, new = _strip_prefix(rest[:pos], "a/"), rest[pos + 3:]
        if old == new:
            return old, new
    if candidates:
        pos = candidates[len(candidates) // 2]
        return _strip_prefix(rest[:pos], "a/"), rest[pos + 3:]
    return rest, rest


def _file_path(line: str, prefix: str) -> str | None:
    """The path of a `--- a/x` / `+++ b/x` line; None for /dev/null."""
    raw = line[4:].rstrip("\n")
    if "\t" in raw and not raw.startswith('"'):
        raw = raw.split("\t", 1)[0]  # GNU diff appends a timestamp after a tab
    path = _unquote(raw)
    if path == "/dev/null":
        return None
    return _strip_prefix(path, prefix)


@dataclass
class _Building:
    old_path: str
    path: str
    new_file: bool = False
    deleted: bool = False
    renamed: bool = False
    binary: bool = False
    added: list[tuple[int, str]] = field(default_factory=list)
    removed: int = 0

    def done(self) -> FileDiff:
        status: Status
        if self.binary:
            status = "binary"
        elif self.new_file:
            status = "added"
        elif self.deleted:
            status = "deleted"
        elif self.renamed and self.old_path != self.path:
            status = "renamed"
        else:
            status = "modified"
        path = self.old_path if self.deleted and not self.path else self.path
        old = "" if self.new_file else self.old_path
        return FileDiff(path, old, status, tuple(self.added), self.removed)


def parse_diff(text: str) -> list[FileDiff]:
    """Every file in a `git diff` output, in order."""
    files: list[FileDiff] = []
    current: _Building | None = None
    old_left = new_left = 0
    new_line = 0
    for line in text.splitlines():
        if current is not None and (old_left > 0 or new_left > 0):
            tag = line[:1]
            if tag == "+":
                current.added.append((new_line, line[1:]))
                new_line += 1
                new_left -= 1
                continue
            if tag == "-":
                current.removed += 1
                old_left -= 1
                continue
            if tag == " " or line == "":
                new_line += 1
                old_left -= 1
                new_left -= 1
                continue
            if tag == "\\":
                continue
            old_left = new_left = 0  # a short hunk: fall through and read the line as a header
        if line.startswith("\\"):
            continue  # "\ No newline at end of file" after the last line of a hunk
        if line.startswith("diff --git "):
            if current is not None:
                files.append(current.done())
            old, new = _header_paths(line[len("diff --git "):])
            current = _Building(old, new)
            continue
        if line.startswith(("diff --cc ", "diff --combined ")):
            if current is not None:
                files.append(current.done())
            path = _unquote(line.split(" ", 2)[2])
            current = _Building(path, path)
            continue
        if current is None:
            continue
        hunk = _HUNK.match(line)
        if hunk:
            old_left = int(hunk.group(2)) if hunk.group(2) is not None else 1
            new_left = int(hunk.group(4)) if hunk.group(4) is not None else 1
            new_line = int(hunk.group(3))
            continue
        if line.startswith("new file mode"):
            current.new_file = True
        elif line.startswith("deleted file mode"):
            current.deleted = True
        elif line.startswith(("rename from ", "copy from ")):
            current.old_path = _unquote(line.split(" ", 2)[2])
            current.renamed = line.startswith("rename")
            current.new_file = current.new_file or line.startswith("copy")
        elif line.startswith(("rename to ", "copy to ")):
            current.path = _unquote(line.split(" ", 2)[2])
        elif line.startswith("--- "):
            path = _file_path(line, "a/")
            if path is None:
                current.new_file = True
            else:
                current.old_path = path
        elif line.startswith("+++ "):
            path = _file_path(line, "b/")
            if path is None:
                current.deleted = True
                current.path = current.old_path
            else:
                current.path = path
        elif line.startswith("Binary files ") or line.startswith("GIT binary patch"):
            current.binary = True
    if current is not None:
        files.append(current.done())
    return files
