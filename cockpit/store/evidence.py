"""Which verdict report a verdict gate may believe: cockpit's own, one the user accepted, or neither.

Anything under `.agents/` can be written by the agent, so a report's words prove nothing by
themselves. The store holds what cannot be forged from inside the repository: the SHA-256 of every
report cockpit wrote (`reports.sha256`) and of every external report the user accepted in the cockpit
(`accepted_reports`). A file on disk counts only while its bytes still have one of those hashes.

Only the newest cockpit or accepted record of a kind is evidence: deleting or editing it does not let
an older one speak again. Reports with unknown hashes are "external": shown, and counted only when
the user's own config says `[gates] accept_external_verdicts = true`.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from cockpit.core.gate_rules import CouncilReport, Evidence, GateSpec
from cockpit.sources.git import list_reports, read_report


@dataclass(frozen=True, slots=True)
class VerdictEvidence:
    report: CouncilReport | None  # what the gate's state comes from
    evidence: Evidence
    note: str = ""
    external: CouncilReport | None = None  # the newest report that does not count: what the user could accept


@dataclass(frozen=True, slots=True)
class _Record:
    path: str
    sha256: str
    at: str
    evidence: Evidence
    by: str = ""


def _latest(conn: sqlite3.Connection, root: str, kind: str) -> _Record | None:
    """The newest record of a report of `kind` that cockpit wrote or the user accepted."""
    rows = [
        _Record(path, sha, at, Evidence.COCKPIT) for path, sha, at in conn.execute(
            "SELECT path, sha256, created_at FROM reports WHERE repo = ? AND kind = ? AND sha256 != ''"
            " AND path != '' ORDER BY id DESC LIMIT 1", (root, kind))
    ] + [
        _Record(path, sha, at, Evidence.ACCEPTED, by) for path, sha, at, by in conn.execute(
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


def verdict_evidence(conn: sqlite3.Connection, root: str, spec: GateSpec, *,
                     accept_external: bool = False) -> VerdictEvidence:
    paths = list_reports(root, spec.report)
    known = known_hashes(conn, root, spec.report)
    if accept_external:
        # The user's own config takes reports at their word: the newest on disk counts, whoever wrote it.
        newest = read_report(root, paths[0]) if paths else None
        evidence = known.get(newest.sha256, Evidence.EXTERNAL) if newest else Evidence.EXTERNAL
        return VerdictEvidence(newest, evidence)
    record = _latest(conn, root, spec.report)
    report: CouncilReport | None = None
    note = ""
    if record is not None:
        found = read_report(root, record.path)
        if found is not None and found.sha256 == record.sha256:
            report = found
            if record.evidence is Evidence.ACCEPTED:
                note = f"accepted by {record.by} at {record.at[:16].replace('T', ' ')} UTC"
        else:
            what = "cockpit's" if record.evidence is Evidence.COCKPIT else "the accepted"
            how = "deleted" if found is None else "edited"
            note = f"{what} newest {spec.report} report {record.path} was {how} since"
    external = None
    for path in paths:
        if report is not None and path == report.path:
            break  # older reports than the evidence do not matter
        candidate = read_report(root, path)
        if candidate is not None and candidate.sha256 not in known:
            external = candidate
            break
    if report is None:
        return VerdictEvidence(external, Evidence.EXTERNAL, note, external)
    if external is not None:
        newer = (f"a newer report {external.path} ({external.verdict or 'no verdict'}) was not written by"
                 " cockpit and does not count")
        note = "; ".join(n for n in (note, newer) if n)
    return VerdictEvidence(report, record.evidence if record else Evidence.COCKPIT, note, external)


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
