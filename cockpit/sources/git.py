"""Every git command cockpit runs goes through this module: one runner, the same safety everywhere.

`run_git` starts git with stdin closed (git never waits for a prompt), a timeout, and never raises: a
git that is missing, hangs or fails is an exit code and a message. File names and diffs are bytes
(they need not be UTF-8) until a caller decodes them. Stdlib only and plain subprocess calls:
`cockpit gate pre-commit` and the hooks import this module and must start fast.

The tree id is git's own content hash of the working tree (tracked and untracked files, minus what
.gitignore ignores), computed with a throw-away copy of the index so the user's index is never touched.
It depends on content only: the same files give the same id, whatever the branch or commit message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

DEFAULT_TIMEOUT = 120.0
# Not an exit code git uses: git could not be started, or it ran out of time and was killed.
NOT_RUN = -1
# git's messages and stat lines in English whatever the user's locale, where cockpit parses them.
C_LOCALE = {"LANGUAGE": "C", "LC_ALL": "C"}
AGENTS_DIR = ".agents"
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
MAX_UNTRACKED = 200


@dataclass(frozen=True, slots=True)
class GitRun:
    code: int  # git's exit status, or NOT_RUN
    out: bytes
    err: bytes

    @property
    def ok(self) -> bool:
        return self.code == 0

    @property
    def text(self) -> str:
        """stdout as text, without surrounding whitespace."""
        return self.out.decode("utf-8", "replace").strip()

    @property
    def error(self) -> str:
        """stderr as text (why git failed, or why it could not run), without surrounding whitespace."""
        return self.err.decode("utf-8", "replace").strip()


def run_git(root: str | os.PathLike[str], *args: str, env: Mapping[str, str] | None = None,
            stdin: bytes | None = None, timeout: float = DEFAULT_TIMEOUT, c_locale: bool = False) -> GitRun:
    """`git ARGS` in `root`. `env` replaces the environment (None: this process's); `c_locale` sets the C
    locale on top, for output that is parsed."""
    if c_locale:
        env = {**(os.environ if env is None else env), **C_LOCALE}
    try:
        proc = subprocess.run(
            ["git", *args], cwd=root, input=stdin, capture_output=True, env=env, timeout=timeout,
            stdin=None if stdin is not None else subprocess.DEVNULL,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return GitRun(NOT_RUN, b"", str(exc).encode())
    return GitRun(proc.returncode, proc.stdout, proc.stderr)


def _outcome(run: GitRun) -> tuple[int, str]:
    """Exit code (1 when git did not run) and stdout, or the message on failure, as text."""
    return (1 if run.code == NOT_RUN else run.code), (run.text if run.ok else run.error)


def _git(root: str, *args: str, env: Mapping[str, str] | None = None, stdin: bytes | None = None) -> tuple[int, str]:
    return _outcome(run_git(root, *args, env=env, stdin=stdin))


# ---- where the repository is -------------------------------------------------------------------


def repo_root(path: str | os.PathLike[str]) -> tuple[str, str]:
    """(top-level directory, error). A bare repository or a plain directory is an error message: git's whole
    message (several lines for "dubious ownership", whose last line is the command that fixes it)."""
    code, out = _git(str(path), "rev-parse", "--show-toplevel")
    if code != 0:
        return "", out or f"{path} is not a git repository"
    return out, ""


@dataclass(frozen=True, slots=True)
class RepoPlace:
    """The repository a path is in: its top level (its git directory when bare) and what kind it is."""

    top: str
    git_dir: str
    bare: bool = False
    shallow: bool = False


def find_repo(path: str | os.PathLike[str]) -> tuple[RepoPlace | None, str]:
    """The repository at `path` or above it, or None and why: the path does not exist, is in no
    repository, or git is missing. A file stands for its folder."""
    where = str(Path(path).expanduser())
    if not os.path.exists(where):
        return None, f"{where} does not exist"
    folder = where if os.path.isdir(where) else os.path.dirname(where) or "."
    run = run_git(folder, "rev-parse", "--is-bare-repository", "--is-shallow-repository", "--absolute-git-dir",
                  "--show-toplevel", c_locale=True)
    if run.code == NOT_RUN:
        return None, f"git is not available: {run.error}"
    lines = run.out.decode("utf-8", "replace").splitlines()
    if len(lines) >= 3 and lines[0] == "true":
        return RepoPlace(lines[2], lines[2], bare=True, shallow=lines[1] == "true"), ""
    if run.ok and len(lines) == 4:
        return RepoPlace(lines[3], lines[2], shallow=lines[1] == "true"), ""
    if not lines and "not a git repository" in run.error:
        return None, f"{where} is not a git repository"
    return None, f"git failed: {run.error}"


def has_commits(root: str) -> bool:
    return run_git(root, "rev-parse", "--verify", "-q", "HEAD").ok


def head_time(root: str) -> float | None:
    code, out = _git(root, "log", "-1", "--format=%ct")
    return float(out) if code == 0 and out.isdigit() else None


def current_branch(root: str) -> str:
    """The checked-out branch ("" when detached, or when git cannot say)."""
    run = run_git(root, "branch", "--show-current", timeout=30)
    return run.text if run.ok else ""


def hooks_dir(repo: str) -> Path:
    """Where git looks for hooks here (core.hooksPath, a linked worktree's common dir, or .git/hooks).
    RuntimeError with git's reason when there is none."""
    run = run_git(repo, "rev-parse", "--path-format=absolute", "--git-path", "hooks", timeout=30)
    if run.code == NOT_RUN:
        raise RuntimeError(f"git is not available: {run.error}")
    if not run.ok:
        raise RuntimeError(run.error.splitlines()[-1] if run.error else f"{repo}: not a git repository")
    return Path(run.out.decode("utf-8", "replace").strip())


def not_ignored(root: str, paths: set[str]) -> set[str]:
    """The paths git does not ignore (all of them when git cannot say)."""
    if not paths:
        return set()
    run = run_git(root, "check-ignore", "--stdin", "-z", stdin="\0".join(sorted(paths)).encode() + b"\0", timeout=30)
    if run.code not in (0, 1):  # 1 means none is ignored
        return paths
    ignored = {p for p in run.out.decode("utf-8", "replace").split("\0") if p}
    return {p for p in paths if p not in ignored}


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
            names = run_git(root, "ls-files", "-z", "--others", "--exclude-standard", env=env)
            code, listing = _outcome(names)
            if names.ok and names.out:
                code, listing = _git(root, "add", "--pathspec-from-file=-", "--pathspec-file-nul", "--",
                                     env=env, stdin=names.out)
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


def commit_tree(root: str, rev: str) -> str:
    """The tree id of commit `rev` ("" when git cannot say)."""
    run = run_git(root, "rev-parse", f"{rev}^{{tree}}")
    return run.text if run.ok else ""


# ---- the change --------------------------------------------------------------------------------


def _diff(root: str, *args: str) -> tuple[int, str]:
    """git's output when it has any on success (a `--no-index` diff exits 1 when the files differ), else
    its message; not stripped: a diff's last newline matters."""
    run = run_git(root, *args)
    code = 1 if run.code == NOT_RUN else run.code
    out = run.out if run.code in (0, 1) and run.out else run.err
    return code, out.decode("utf-8", "replace")


# What vibe judges is the code: `.agents/` (the reports, retros, handoffs and learnings cockpit and ao write
# there) is left out of the change as it is left out of the tree id, or each vibe would judge the last one's report.
CODE_ONLY = ("--", ".", f":(exclude){AGENTS_DIR}")


def read_change(root: str, *, staged: bool = False, commit_range: str = "") -> tuple[str, str, str]:
    """(diff text, description, error) of the working tree vs HEAD (untracked files included),
    the staged change, or a commit range; `.agents/` left out of each."""
    if commit_range:
        code, text = _diff(root, "diff", "--no-color", "--no-ext-diff", commit_range, *CODE_ONLY)
        return (text, f"commits {commit_range}", "") if code == 0 else ("", "", text.strip()[-300:])
    base = "HEAD" if has_commits(root) else EMPTY_TREE
    if staged:
        code, text = _diff(root, "diff", "--no-color", "--no-ext-diff", "--cached", base, *CODE_ONLY)
        return (text, "staged changes", "") if code == 0 else ("", "", text.strip()[-300:])
    code, text = _diff(root, "diff", "--no-color", "--no-ext-diff", base, *CODE_ONLY)
    if code != 0:
        return "", "", text.strip()[-300:]
    _, listing = _diff(root, "ls-files", "-z", "--others", "--exclude-standard", *CODE_ONLY)
    untracked = [name for name in listing.split("\0") if name][:MAX_UNTRACKED]
    for name in untracked:
        _, extra = _diff(root, "diff", "--no-color", "--no-index", "--", "/dev/null", name)
        text += extra
    from cockpit.core.format import plural  # here: the hooks import this module and must start fast

    included = f" ({plural(len(untracked), 'untracked file')} included)" if untracked else ""
    return text, f"working tree vs HEAD{included}", ""
