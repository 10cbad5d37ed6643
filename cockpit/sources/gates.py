"""Where gates come from and what tree they judge: configuration files, detection, tree ids, council reports.

The tree id is git's own content hash of the working tree (tracked and untracked files, minus what
.gitignore ignores), computed with a throw-away copy of the index so the user's index is never touched.
It depends on content only: the same files give the same id, whatever the branch or commit message.
Plain subprocess calls, not GitPython: `cockpit gate pre-commit` runs on every commit and must start fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from cockpit.core.gates import (
    CouncilReport,
    GateConfig,
    RepoFacts,
    detect_gates,
    parse_frontmatter,
    parse_gates,
    parse_verdict,
    report_matches,
    report_sort_key,
)

REPORT_READ_LIMIT = 256 * 1024
AGENTS_DIR = ".agents"


def _git_raw(root: str, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> tuple[int, bytes]:
    """Exit code and stdout (stderr on failure) as bytes: file names need not be UTF-8."""
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, env=env, timeout=120,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return 1, str(exc).encode()
    return proc.returncode, proc.stdout if proc.returncode == 0 else proc.stderr


def _git(root: str, *args: str, env: dict[str, str] | None = None, stdin: bytes | None = None) -> tuple[int, str]:
    code, out = _git_raw(root, *args, env=env, stdin=stdin)
    return code, out.decode("utf-8", "replace").strip()


def repo_root(path: str) -> tuple[str, str]:
    """(top-level directory, error). A bare repository or a plain directory is an error message."""
    code, out = _git(path, "rev-parse", "--show-toplevel")
    if code != 0:
        return "", out.splitlines()[-1] if out else f"{path} is not a git repository"
    return out, ""


# ---- configuration ---------------------------------------------------------------------------


def load_gate_config(root: str | os.PathLike[str]) -> GateConfig:
    """cockpit.toml's gates, else [tool.cockpit] in pyproject.toml, else detected ones.

    A file with a syntax error keeps its message (with tomllib's line and column) and the gates fall
    back to detection, so the pane can say what is wrong and still be useful."""
    top = Path(root)
    errors: list[str] = []
    own = top / "cockpit.toml"
    if own.is_file():
        try:
            data = tomllib.loads(own.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"cockpit.toml: {exc}")
        else:
            if "gates" in data:
                return parse_gates(data, "cockpit.toml")
    pyproject = _read_toml(top / "pyproject.toml", errors)
    tool = pyproject.get("tool", {})
    section = tool.get("cockpit") if isinstance(tool, dict) else None
    if isinstance(section, dict) and "gates" in section:
        config = parse_gates(section, "pyproject.toml [tool.cockpit]")
        return GateConfig(config.gates, config.source, (*errors, *config.errors), config.debounce)
    detected = detect_gates(repo_facts(top, pyproject))
    return GateConfig(detected.gates, detected.source, tuple(errors))


def _read_toml(path: Path, errors: list[str]) -> dict:  # type: ignore[type-arg]
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        errors.append(f"{path.name}: {exc}")
        return {}


def repo_facts(top: Path, pyproject: dict | None = None) -> RepoFacts:  # type: ignore[type-arg]
    try:
        files = frozenset(e.name + ("/" if e.is_dir() else "") for e in os.scandir(top))
    except OSError:
        files = frozenset()
    package: dict = {}  # type: ignore[type-arg]
    if "package.json" in files:
        try:
            loaded = json.loads((top / "package.json").read_text(encoding="utf-8"))
            package = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            package = {}
    targets: set[str] = set()
    if "Makefile" in files:
        try:
            for line in (top / "Makefile").read_text(encoding="utf-8", errors="replace").splitlines():
                if ":" in line and not line.startswith(("\t", " ", "#", ".")) and "=" not in line:
                    targets.update(line.split(":", 1)[0].split())
        except OSError:
            pass
    python = "python3"
    for venv in (".venv", "venv"):
        candidate = top / venv / "bin" / "python"
        if candidate.exists():
            python = f"{venv}/bin/python"
            break
    return RepoFacts(files, pyproject if pyproject is not None else _read_toml(top / "pyproject.toml", []),
                     package, frozenset(targets), python)


# ---- tree ids --------------------------------------------------------------------------------


def tree_id(root: str, *, staged: bool = False) -> tuple[str, str]:
    """(tree id, error) of the working tree, or with `staged` of what a commit would see: the index
    plus untracked files (they are on disk when a pre-commit gate runs), without unstaged edits.
    `.agents/` (ao's and cockpit's reports and learnings) is left out of both."""
    code, index = _git(root, "rev-parse", "--git-path", "index")
    if code != 0:
        return "", index
    source = os.environ.get("GIT_INDEX_FILE") if staged else None
    index_path = Path(source) if source else Path(root, index)
    handle, scratch = tempfile.mkstemp(prefix="cockpit-index-")
    os.close(handle)
    try:
        if index_path.exists():
            shutil.copyfile(index_path, scratch)
        else:
            os.unlink(scratch)  # git creates a fresh index where none exists
        env = {**os.environ, "GIT_INDEX_FILE": scratch}
        if staged:
            code, names = _git_raw(root, "ls-files", "-z", "--others", "--exclude-standard", env=env)
            listing = names.decode("utf-8", "replace")
            if code == 0 and names:
                code, listing = _git(root, "add", "--pathspec-from-file=-", "--pathspec-file-nul", "--",
                                     env=env, stdin=names)
        else:
            code, listing = _git(root, "add", "--all", "--ignore-errors", "--", ".", env=env)
        if code != 0:
            return "", f"git add failed: {listing[-300:]}"
        # Reports and learnings under .agents/ are about the code, not part of it: writing a vibe report
        # must not make the vibe it records stale.
        code, listing = _git(root, "rm", "-r", "--cached", "-q", "--ignore-unmatch", "--", AGENTS_DIR, env=env)
        if code != 0:
            return "", f"git rm --cached {AGENTS_DIR} failed: {listing[-300:]}"
        code, tree = _git(root, "write-tree", env=env)
        return (tree, "") if code == 0 else ("", f"git write-tree failed: {tree[-300:]}")
    finally:
        try:
            os.unlink(scratch)
        except OSError:
            pass


def head_time(root: str) -> float | None:
    code, out = _git(root, "log", "-1", "--format=%ct")
    return float(out) if code == 0 and out.isdigit() else None


# ---- council reports -------------------------------------------------------------------------


def find_report(root: str | os.PathLike[str], report: str) -> CouncilReport | None:
    """The newest `.agents/council/*-<report>-*.md`, its verdict and recorded tree."""
    council = Path(root, ".agents", "council")
    best: tuple[tuple[str, float, str], Path, float] | None = None
    try:
        entries = list(os.scandir(council))
    except OSError:
        return None
    for entry in entries:
        if not report_matches(entry.name, report) or not entry.is_file():
            continue
        mtime = entry.stat().st_mtime
        key = report_sort_key(entry.name, mtime)
        if best is None or key > best[0]:
            best = (key, Path(entry.path), mtime)
    if best is None:
        return None
    _, path, mtime = best
    try:
        with path.open("rb") as handle:
            text = handle.read(REPORT_READ_LIMIT).decode("utf-8", "replace")
    except OSError:
        return CouncilReport(str(path.relative_to(root)), None, "", mtime)
    front = parse_frontmatter(text)
    return CouncilReport(str(path.relative_to(root)), parse_verdict(text), front.get("tree", ""), mtime,
                         front.get("scope", ""), front.get("issue", "").strip("- "))


def cockpit_command() -> list[str]:
    """How a git hook should call this cockpit: the interpreter it runs under, so a venv install works."""
    return [sys.executable, "-m", "cockpit"]
