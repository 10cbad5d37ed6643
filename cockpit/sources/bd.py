"""The `bd` CLI, when it is on PATH: its own ready list, to check our recomputation against.

Optional and bounded: a missing `bd`, a timeout, a non-zero exit or unexpected output is reported
as a reason, never raised. Only ids are compared; bd's text is never shown as anything but data.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True, slots=True)
class BdCheck:
    available: bool
    ready: tuple[str, ...] = ()
    error: str = ""


def bd_ready(repo: Path) -> BdCheck:
    exe = shutil.which("bd")
    if exe is None:
        return BdCheck(False)
    try:
        done = subprocess.run([exe, "ready", "--json"], cwd=repo, capture_output=True, text=True,
                              timeout=TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return BdCheck(True, error=f"bd ready failed: {exc}")
    if done.returncode != 0:
        return BdCheck(True, error=f"bd ready exited {done.returncode}: {done.stderr.strip()[:200]}")
    try:
        data = json.loads(done.stdout or "[]")
    except ValueError as exc:
        return BdCheck(True, error=f"bd ready printed no JSON ({exc})")
    items = data.get("issues", data) if isinstance(data, dict) else data
    if not isinstance(items, list):
        return BdCheck(True, error="bd ready printed an unexpected shape")
    ids = tuple(str(item["id"]) for item in items if isinstance(item, dict) and "id" in item)
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
