"""The newest Codex plan quota: the last `token_count` event carrying `rate_limits`, across every rollout.

Whole files are never read: rollouts are taken newest first by modification time, each is read backwards
from its end in blocks until its last such event, and the search stops at the first rollout last written
before the best observation found (nothing in it can be newer). Only lines naming both `token_count` and
`rate_limits` are parsed.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cockpit.core.quota import SKEW, Observation, codex_observation, iso, moment
from cockpit.sources.discovery import Root, discover_codex, printable

BLOCK = 64 * 1024


@dataclass
class CodexQuotaScan:
    observation: Observation | None = None
    files_seen: int = 0  # rollouts found
    files_read: int = 0  # rollouts whose end was read
    bytes_read: int = 0
    problems: list[str] = field(default_factory=list)


def lines_backwards(path: str, scan: CodexQuotaScan) -> Iterator[bytes]:
    """The file's complete lines, last first (a last line still being written is left out)."""
    with open(path, "rb") as handle:
        position = handle.seek(0, os.SEEK_END)
        tail = b""
        found_end = False  # the file's last newline was seen: what follows it is not a line yet
        while position > 0:
            size = min(BLOCK, position)
            position -= size
            handle.seek(position)
            block = handle.read(size)
            scan.bytes_read += len(block)
            data = block + tail
            if not found_end:
                cut = data.rfind(b"\n")
                if cut < 0:
                    tail = data
                    continue
                data = data[:cut]
                found_end = True
            parts = data.split(b"\n")
            tail = parts[0]
            yield from reversed(parts[1:])
        if found_end and tail:
            yield tail


def _last_in_file(path: str, scan: CodexQuotaScan, now: datetime) -> Observation | None:
    """The last usable `token_count` with `rate_limits` in the rollout at `path`, or None."""
    shown = printable(path)
    for line in lines_backwards(path, scan):
        if b"token_count" not in line or b"rate_limits" not in line:
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            scan.problems.append(f"{shown}: a token_count line is not valid JSON")
            continue
        payload = obj.get("payload") if isinstance(obj, dict) else None
        if not isinstance(payload, dict) or payload.get("type") != "token_count":
            continue
        limits = payload.get("rate_limits")
        if limits is None:
            continue  # an API-key session: nothing about a plan
        at = moment(obj.get("timestamp"))
        if at is None:
            scan.problems.append(f"{shown}: a token_count event has no valid timestamp ({obj.get('timestamp')!r})")
            continue
        if at > now + SKEW:
            scan.problems.append(f"{shown}: a rate_limits observation is stamped in the future ({iso(at)}); left out")
            continue
        observation, problems = codex_observation(limits, at, where=shown)
        scan.problems.extend(f"{shown}: {problem}" for problem in problems)
        if observation is not None:
            return observation
    return None


def newest_codex_quota(roots: Sequence[Root], now: datetime | None = None) -> CodexQuotaScan:
    """The newest Codex quota observation under `roots` (CODEX_HOME or folders of rollouts), with the files
    read to find it and the problems met. An observation stamped later than `now` (+ clock skew) is refused."""
    now = now or datetime.now(UTC)
    scan = CodexQuotaScan()
    errors: list[str] = []
    stamped: list[tuple[float, str]] = []
    for tf in discover_codex(roots, errors):
        try:
            info = os.stat(tf.path)
            if stat.S_ISREG(info.st_mode):  # a FIFO of that name would block the reader
                stamped.append((info.st_mtime, tf.path))
        except OSError as exc:
            errors.append(f"{printable(tf.path)}: {exc.strerror or exc}")
    scan.problems.extend(errors)
    scan.files_seen = len(stamped)
    best: Observation | None = None
    for mtime, path in sorted(stamped, reverse=True):
        if best is not None and mtime < (best.observed_at - SKEW).timestamp():
            break  # last written before the best observation: nothing newer in it or in any older file
        scan.files_read += 1
        try:
            found = _last_in_file(path, scan, now)
        except OSError as exc:
            scan.problems.append(f"{printable(path)}: {exc.strerror or exc}")
            continue
        if found is None:
            continue
        if best is None or found.observed_at > best.observed_at:
            best = found
    scan.observation = best
    return scan
