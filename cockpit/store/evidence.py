"""What cannot be forged from inside the repository: the SHA-256 of every report cockpit wrote
(`reports.sha256`) and of every external report the user accepted in the cockpit (`accepted_reports`).

services/gate_board.py decides from these which report on disk a verdict gate may believe.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from cockpit.core.gate_rules import CouncilReport, Evidence


@dataclass(frozen=True, slots=True)
class EvidenceRecord:
    path: str
    sha256: str
    at: str
    evidence: Evidence
    by: str = ""


def latest_record(conn: sqlite3.Connection, root: str, kind: str) -> EvidenceRecord | None:
    """The newest record of a report of `kind` that cockpit wrote or the user accepted."""
    rows = [
        EvidenceRecord(path, sha, at, Evidence.COCKPIT) for path, sha, at in conn.execute(
            "SELECT path, sha256, created_at FROM reports WHERE repo = ? AND kind = ? AND sha256 != ''"
            " AND path != '' ORDER BY id DESC LIMIT 1", (root, kind))
    ] + [
        EvidenceRecord(path, sha, at, Evidence.ACCEPTED, by) for path, sha, at, by in conn.execute(
            "SELECT path, sha256, accepted_at, accepted_by FROM accepted_reports WHERE repo = ? AND kind = ?"
            " ORDER BY id DESC LIMIT 1", (root, kind))
    ]
    return max(rows, key=lambda r: r.at) if rows else None


def known_hashes(conn: sqlite3.Connection, root: str, kind: str) -> dict[str, Evidence]:
    known = {sha: Evidence.COCKPIT for (sha,) in conn.execute(
        "SELECT sha256 FROM reports WHERE repo = ? AND kind = ? AND sha256 != ''", (root, kind))}
    known.update({sha: Evidence.ACCEPTED for (sha,) in conn.execute(
        "SELECT sha256 FROM accepted_reports WHERE repo = ? AND kind = ?", (root, kind))})
    return known


def accept_report(conn: sqlite3.Connection, root: str, kind: str, report: CouncilReport, by: str,
                  now: datetime | None = None) -> int:
    """Record that the user accepted `report` (its path and the hash of the bytes they were shown)."""
    if not report.sha256:
        raise ValueError(f"{report.path} could not be read whole, so it has no hash to accept")
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    cursor = conn.execute(
        "INSERT INTO accepted_reports (repo, kind, path, sha256, verdict, tree, accepted_at, accepted_by)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (root, kind, report.path, report.sha256, report.verdict or "", report.tree, at, by))
    return int(cursor.lastrowid or 0)
