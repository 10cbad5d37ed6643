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
import stat
import subprocess
import sys
import tempfile
import tomllib
from dataclasses import replace
from pathlib import Path

from cockpit.core.gate_rules import (
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
from cockpit.core.trust_rules import detected_fingerprint, sha256_hex, table_fingerprint

REPORT_READ_LIMIT = 256 * 1024  # parsed for the verdict
REPORT_HASH_LIMIT = 4 * 1024 * 1024  # hashed whole; a larger file is not one cockpit wrote
REPORTS_LISTED = 50
CONFIG_READ_LIMIT = 4 * 1024 * 1024
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
    """cockpit.toml's gates, else [tool.cockpit] in pyproject.toml, else detected ones, with the
    fingerprint `cockpit trust` records (core.trust): each file is read once, so the gates and the
    fingerprint always describe the same bytes.

    A file with a syntax error keeps its message (with tomllib's line and column) and the gates fall
    back to detection, so the pane can say what is wrong and still be useful."""
    top = Path(root)
    errors: list[str] = []
    own = _read_config(top / "cockpit.toml", errors)
    if own is not None:
        try:
            data = tomllib.loads(own.decode("utf-8"))
        except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"cockpit.toml: {exc}")
        else:
            if "gates" in data:
                config = parse_gates(data, "cockpit.toml")
                return replace(config, fingerprint=sha256_hex(own),
                               inputs=("cockpit.toml (the file's bytes)",))
    pyproject = _read_toml(top / "pyproject.toml", errors)
    tool = pyproject.get("tool", {})
    section = tool.get("cockpit") if isinstance(tool, dict) else None
    if isinstance(section, dict) and "gates" in section:
        config = parse_gates(section, "pyproject.toml [tool.cockpit]")
        return replace(config, errors=(*errors, *config.errors), fingerprint=table_fingerprint(section),
                       inputs=("pyproject.toml [tool.cockpit] (that table only)",))
    facts = repo_facts(top, pyproject)
    detected = detect_gates(facts)
    scripts = facts.package_json.get("scripts") if facts.package_json else None
    inputs = ["the detected gate list"]
    if scripts is not None:
        inputs.append("package.json scripts")
    if facts.makefile_sha256:
        inputs.append("Makefile (the file's bytes)")
    return GateConfig(detected.gates, detected.source, tuple(errors),
                      fingerprint=detected_fingerprint(detected.gates, scripts, facts.makefile_sha256),
                      inputs=tuple(inputs))


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of a regular file (not a FIFO or a device the agent put there; never blocking), or None.

    A file over `limit` bytes is None too: nothing cockpit reads this way is that large."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > limit:
            return None
        chunks = []
        total = 0
        while True:
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            total += len(chunk)
            if total > limit:
                return None
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


def _read_config(path: Path, errors: list[str]) -> bytes | None:
    data = read_regular(path, CONFIG_READ_LIMIT)
    if data is None and os.path.lexists(path):
        errors.append(f"{path.name}: not a readable regular file of at most {CONFIG_READ_LIMIT // 2**20} MiB")
    return data


def _read_toml(path: Path, errors: list[str]) -> dict:  # type: ignore[type-arg]
    data = _read_config(path, errors)
    if data is None:
        return {}
    try:
        return tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        errors.append(f"{path.name}: {exc}")
        return {}


def repo_facts(top: Path, pyproject: dict | None = None) -> RepoFacts:  # type: ignore[type-arg]
    try:
        files = frozenset(e.name + ("/" if e.is_dir() else "") for e in os.scandir(top))
    except OSError:
        files = frozenset()
    package: dict = {}  # type: ignore[type-arg]
    if "package.json" in files:
        raw = read_regular(top / "package.json", CONFIG_READ_LIMIT)
        try:
            loaded = json.loads(raw.decode("utf-8")) if raw is not None else {}
            package = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            package = {}
    targets: set[str] = set()
    makefile_sha256 = ""
    if "Makefile" in files:
        raw = read_regular(top / "Makefile", CONFIG_READ_LIMIT)
        if raw is not None:
            makefile_sha256 = sha256_hex(raw)
            for line in raw.decode("utf-8", "replace").splitlines():
                if ":" in line and not line.startswith(("\t", " ", "#", ".")) and "=" not in line:
                    targets.update(line.split(":", 1)[0].split())
    python = "python3"
    for venv in (".venv", "venv"):
        candidate = top / venv / "bin" / "python"
        if candidate.exists():
            python = f"{venv}/bin/python"
            break
    return RepoFacts(files, pyproject if pyproject is not None else _read_toml(top / "pyproject.toml", []),
                     package, frozenset(targets), python, makefile_sha256)


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


def list_reports(root: str | os.PathLike[str], report: str, limit: int = REPORTS_LISTED) -> list[str]:
    """Paths (relative to `root`) of `.agents/council/*-<report>-*.md`, newest first: by the date in the
    name, then the file time, then the name."""
    council = Path(root, ".agents", "council")
    try:
        entries = list(os.scandir(council))
    except OSError:
        return []
    found: list[tuple[tuple[str, float, str], str]] = []
    for entry in entries:
        if not report_matches(entry.name, report):
            continue
        try:
            if not entry.is_file():
                continue
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        found.append((report_sort_key(entry.name, mtime), str(Path(entry.path).relative_to(root))))
    found.sort(reverse=True)
    return [path for _, path in found[:limit]]


def read_report(root: str | os.PathLike[str], path: str) -> CouncilReport | None:
    """The report at `path` (relative to `root`): its verdict, recorded tree and the SHA-256 of its bytes.

    None when there is no such file; a file that cannot be read whole has no verdict and no hash."""
    full = Path(root, path)
    try:
        mtime = full.stat().st_mtime
    except OSError:
        return None
    return parse_report(path, read_regular(full, REPORT_HASH_LIMIT), mtime)


def parse_report(path: str, data: bytes | None, mtime: float) -> CouncilReport:
    """A report from its bytes (None: unreadable, so no verdict and no hash)."""
    if data is None:
        return CouncilReport(path, None, "", mtime)
    text = data[:REPORT_READ_LIMIT].decode("utf-8", "replace")
    front = parse_frontmatter(text)
    return CouncilReport(path, parse_verdict(text), front.get("tree", ""), mtime, front.get("scope", ""),
                         front.get("issue", "").strip("- "), sha256_hex(data))


def find_report(root: str | os.PathLike[str], report: str) -> CouncilReport | None:
    """The newest `.agents/council/*-<report>-*.md`, its verdict, recorded tree and hash."""
    newest = list_reports(root, report, 1)
    return read_report(root, newest[0]) if newest else None


def cockpit_command() -> list[str]:
    """How a git hook should call this cockpit: the interpreter it runs under, so a venv install works."""
    return [sys.executable, "-m", "cockpit"]
