"""The `bd` CLI of beads, when it is on PATH: a Dolt-backed repository's issues, and bd's own ready list.

beads ≥ 1.0.5 keeps issues in Dolt (`.beads/embeddeddolt/`, or `.beads/dolt/` beside a `dolt sql-server`)
and writes `.beads/issues.jsonl` only when asked, so a repository without that file is read with
`bd export --all -o FILE` (every issue with its dependencies, labels and comments, one JSON line each;
`--all` keeps the ephemeral wisps and gates the queue needs). Whether the Dolt files changed is told by
the stat of each database's `noms/manifest` and chunk journal: bd opens the store read-only for
`export` and `ready`, so reading changes neither.

The `bd` that runs is the user's: found on their PATH, skipping entries that are relative or inside the
repository (a `./bd`, a `bin/` a direnv file added), and refused when it resolves into the repository;
nothing the repository holds names a binary. bd runs without a shell, with the repository as its working
directory, stdin closed, the same filtered PATH, in a process group of its own that is killed whole when
it overruns its timeout. Nothing here raises: a missing bd, a timeout, a non-zero exit or unexpected
output becomes a reason, and bd's own words are kept as data (the callers quote them on one line).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TIMEOUT_SECONDS = 10.0
EXPORT_TIMEOUT_SECONDS = 30.0  # an export of a large database takes longer than a ready list
DOLT_DIRS = ("embeddeddolt", "dolt")  # embedded mode (the default since bd 1.0), server mode
JOURNAL = "v" * 32  # Dolt's chunk journal: appended on every write, where the manifest may not change
MAX_DATABASES = 32
STDERR_LIMIT = 4000

StatKey = tuple[object, ...]


@dataclass(frozen=True, slots=True)
class BdCheck:
    available: bool
    ready: tuple[str, ...] = ()
    error: str = ""


@dataclass(frozen=True, slots=True)
class Ran:
    """How one bd process ended: its exit code (None when it did not finish), what it said on stderr."""

    code: int | None
    stderr: str = ""
    error: str = ""  # why it did not run or did not finish


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _roots(repo: Path) -> tuple[Path, ...]:
    """The repository folder as given and resolved (a symlinked checkout is the same repository)."""
    given = Path(os.path.abspath(repo))
    return (given, given.resolve()) if given.resolve() != given else (given,)


def trusted_path(repo: Path, path: str | None = None) -> str:
    """PATH without the entries the repository could control: relative ones (they name a folder of the
    working directory, which is the repository when bd runs) and those inside the repository."""
    return _trusted_path(os.path.abspath(repo), os.environ.get("PATH", os.defpath) if path is None else path)


@lru_cache(maxsize=32)
def _trusted_path(repo: str, path: str) -> str:
    # Cached: the dashboard asks every 2 s, and resolving each entry's symlinks is most of the cost.
    roots = _roots(Path(repo))
    kept = []
    for entry in path.split(os.pathsep):
        if not entry or not os.path.isabs(entry):
            continue
        folder = Path(os.path.abspath(entry))
        if any(_inside(folder, root) or _inside(folder.resolve(), root) for root in roots):
            continue
        kept.append(entry)
    return os.pathsep.join(kept)


def find_bd(repo: Path) -> tuple[Path | None, str]:
    """The user's `bd` for the repository at `repo`, or None with the reason ("" when it is not on PATH)."""
    found = shutil.which("bd", path=trusted_path(repo))
    if found is None:
        return None, ""
    exe = Path(found)
    real = exe.resolve()
    if any(_inside(real, root) for root in _roots(repo)):
        return None, f"{exe} resolves to {real}, inside the repository: not run"
    return exe, ""


def exe_key(exe: Path) -> StatKey:
    """Which bd, as of now: an upgrade in place reads the issues again (its export may differ)."""
    try:
        st = exe.stat()
    except OSError:
        return (str(exe), None)
    return (str(exe), st.st_size, st.st_mtime_ns)


def dolt_dir(beads_dir: Path) -> Path | None:
    """The folder holding the repository's Dolt databases, or None (a remote server, or not set up here)."""
    for name in DOLT_DIRS:
        folder = beads_dir / name
        if folder.is_dir():
            return folder
    return None


def _stat(path: Path) -> StatKey:
    try:
        st = path.stat()
    except OSError:
        return (path.name, None)
    return (path.name, st.st_size, st.st_mtime_ns, st.st_ino)


def dolt_key(beads_dir: Path) -> tuple[StatKey, ...]:
    """The identity of the Dolt data under `.beads`, from a few stat calls: each database's manifest and
    journal (a write changes one of them), whichever layout is there. Empty when there is none."""
    parts: list[StatKey] = []
    for name in DOLT_DIRS:
        folder = beads_dir / name
        try:
            subdirs = sorted(entry.name for entry in os.scandir(folder) if entry.is_dir(follow_symlinks=False))
        except OSError:
            continue
        # The folder itself is a database in old layouts; each sub-folder is one in the current ones.
        for base in [folder, *(folder / sub for sub in subdirs[:MAX_DATABASES])]:
            noms = base / ".dolt" / "noms"
            if noms.is_dir():
                parts.append((str(base.relative_to(beads_dir)), _stat(noms / "manifest"), _stat(noms / JOURNAL)))
    return tuple(parts)


def _env(repo: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = trusted_path(repo)
    env["NO_COLOR"] = "1"
    return env


def run_bd(exe: Path, args: list[str], repo: Path, *, timeout: float, stdout: int | object) -> Ran:
    """Run `bd ARGS` in `repo`; its stderr is read from a file, so a helper it leaves running (a Dolt server
    it started) cannot hold us; past `timeout` its whole process group is killed."""
    with tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen([str(exe), *args], cwd=repo, env=_env(repo), stdin=subprocess.DEVNULL,
                                    stdout=stdout, stderr=err, start_new_session=True)
        except OSError as exc:
            return Ran(None, error=f"bd could not start: {exc.strerror or exc}")
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            return Ran(None, error=f"bd {args[0]} gave no answer within {timeout:g} s and was stopped")
        err.seek(0)
        said = err.read(STDERR_LIMIT).decode("utf-8", errors="replace")
    return Ran(code, said)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()


def _failure(what: str, ran: Ran) -> str:
    if ran.error:
        return ran.error
    said = " ".join(ran.stderr.split())
    return f"{what} exited {ran.code}" + (f": {said}" if said else "")


def export_issues(exe: Path, repo: Path, dest: Path) -> str:
    """`bd export --all -o DEST` in `repo`: "" when DEST holds the export, else why not."""
    ran = run_bd(exe, ["export", "--all", "-o", str(dest)], repo, timeout=EXPORT_TIMEOUT_SECONDS,
                 stdout=subprocess.DEVNULL)
    if ran.code != 0:
        return _failure("bd export", ran)
    if not dest.is_file():
        return "bd export exited 0 but wrote no file"
    return ""


def bd_ready(repo: Path) -> BdCheck:
    exe, refused = find_bd(repo)
    if exe is None:
        return BdCheck(bool(refused), error=refused)
    # --limit 0: bd lists 100 by default, and the comparison needs them all.
    with tempfile.TemporaryFile() as out:
        ran = run_bd(exe, ["ready", "--json", "--limit", "0"], repo, timeout=TIMEOUT_SECONDS, stdout=out)
        if ran.code != 0:
            return BdCheck(True, error=_failure("bd ready", ran))
        out.seek(0)
        text = out.read().decode("utf-8", errors="replace")
    try:
        data = json.loads(text or "[]")
    except ValueError as exc:
        return BdCheck(True, error=f"bd ready printed no JSON ({exc})")
    if isinstance(data, dict):  # BD_JSON_ENVELOPE=1 wraps the list as {"schema_version": 1, "data": [...]}
        data = data.get("data", data.get("issues", data))
    if not isinstance(data, list):
        return BdCheck(True, error="bd ready printed an unexpected shape")
    ids = tuple(str(item["id"]) for item in data if isinstance(item, dict) and "id" in item)
    return BdCheck(True, ready=ids)


def disagreement(ours: tuple[str, ...], check: BdCheck) -> str:
    """A one-line warning when bd's ready set differs from ours, else ''."""
    if not check.available:
        return ""
    if check.error:
        return check.error
    only_ours = sorted(set(ours) - set(check.ready))
    only_bd = sorted(set(check.ready) - set(ours))
    if not only_ours and not only_bd:
        return ""
    parts = []
    if only_ours:
        parts.append(f"ready here but not in bd: {', '.join(only_ours[:5])}" + (" …" if len(only_ours) > 5 else ""))
    if only_bd:
        parts.append(f"ready in bd but not here: {', '.join(only_bd[:5])}" + (" …" if len(only_bd) > 5 else ""))
    return "bd ready disagrees: " + "; ".join(parts)
