"""`cockpit gate install`: the git pre-commit hook that asks the gates, installed without clobbering.

An existing pre-commit hook that is not ours is kept as `pre-commit.local` and run first, so the
user's own checks still run; uninstalling puts it back. The hook calls the interpreter cockpit was
installed with, so it works from a venv that is not on the commit's PATH.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path

from cockpit.sources.git import hooks_dir

MARKER = "# cockpit gate pre-commit"
CHAINED = "pre-commit.local"


def hook_script(python: str = sys.executable) -> str:
    exe = shlex.quote(python)
    return f"""#!/bin/sh
{MARKER} (installed by `cockpit gate install`; `cockpit gate install --uninstall` removes it)
hook_dir=$(dirname "$0")
if [ -x "$hook_dir/{CHAINED}" ]; then
    "$hook_dir/{CHAINED}" "$@" || exit $?
fi
if [ -x {exe} ] && {exe} -c 'import cockpit' 2>/dev/null; then
    exec {exe} -m cockpit gate pre-commit
fi
if command -v cockpit >/dev/null 2>&1; then
    exec cockpit gate pre-commit
fi
echo "cockpit gate pre-commit: cockpit is no longer installed; gates not checked (remove $0 to silence this)" >&2
exit 0
"""


def _is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(encoding="utf-8", errors="replace")[:2000]
    except OSError:
        return False


def _write_executable(path: Path, text: str) -> None:
    scratch = path.with_name(path.name + ".cockpit-tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.chmod(scratch.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    os.replace(scratch, path)


def install_pre_commit(repo: str) -> str:
    folder = hooks_dir(repo)
    folder.mkdir(parents=True, exist_ok=True)
    target, chained = folder / "pre-commit", folder / CHAINED
    notes = []
    if target.exists() or target.is_symlink():
        if _is_ours(target):
            if target.read_text(encoding="utf-8") == hook_script():
                return f"already installed: {target}"
            notes.append("updated")
        elif chained.exists():
            raise RuntimeError(f"{target} exists and so does {chained}; merge them by hand, then run this again")
        else:
            os.replace(target, chained)
            notes.append(f"your hook now runs first as {chained.name}")
    _write_executable(target, hook_script())
    return f"installed {target}" + (f" ({'; '.join(notes)})" if notes else "")


def uninstall_pre_commit(repo: str) -> str:
    folder = hooks_dir(repo)
    target, chained = folder / "pre-commit", folder / CHAINED
    if not target.exists() or not _is_ours(target):
        return f"not installed: {target} is {'not ours; left alone' if target.exists() else 'absent'}"
    target.unlink()
    if chained.exists():
        os.replace(chained, target)
        return f"removed; {chained.name} restored as {target}"
    return f"removed {target}"
