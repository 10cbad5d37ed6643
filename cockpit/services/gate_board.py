"""The gate board: every gate's state for the current tree, from the configuration, git, the store and
the reports under `.agents/council/`.

The board is what the pane, `cockpit gates` and the pre-commit entry all read, so they cannot disagree.

Which verdict report a verdict gate may believe: cockpit's own, one the user accepted, or neither.
Anything under `.agents/` can be written by the agent, so a report's words prove nothing by
themselves. The store holds what cannot be forged from inside the repository: the SHA-256 of every
report cockpit wrote and of every external report the user accepted in the cockpit (store/evidence.py).
A file on disk counts only while its bytes still have one of those hashes. Only the newest cockpit or
accepted record of a kind is evidence: deleting or editing it does not let an older one speak again.
Reports with unknown hashes are "external": shown, and counted only when the user's own config says
`[gates] accept_external_verdicts = true`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection
from dataclasses import dataclass, field

from cockpit.config.gates import load_gate_config
from cockpit.core.gate_rules import (
    CouncilReport,
    Evidence,
    GateConfig,
    GateKind,
    GateSpec,
    GateStatus,
    gate_status,
    verdict_status,
)
from cockpit.sources.agents_files import list_reports, read_report
from cockpit.sources.git import head_time, repo_root, tree_id
from cockpit.store.evidence import known_hashes, latest_record
from cockpit.store.gate_runs import runs_for
from cockpit.store.trust_records import is_trusted


@dataclass(frozen=True, slots=True)
class GateBoard:
    root: str  # the repository's top level ("" when there is none)
    config: GateConfig
    tree: str
    statuses: tuple[GateStatus, ...] = field(default=())
    error: str = ""  # why there is no tree to judge (not a repo, git failed)
    trusted: bool = False  # the user trusted this configuration's fingerprint (`cockpit trust`)

    def get(self, name: str) -> GateStatus | None:
        return next((s for s in self.statuses if s.spec.name == name), None)


@dataclass(frozen=True, slots=True)
class VerdictEvidence:
    report: CouncilReport | None  # what the gate's state comes from
    evidence: Evidence
    note: str = ""
    external: CouncilReport | None = None  # the newest report that does not count: what the user could accept


def in_progress_issues(root: str) -> frozenset[str] | None:
    """Ids of the issues in progress, or None when there is no beads file to ask."""
    from datetime import UTC, datetime
    from pathlib import Path

    from cockpit.core.beads import compute_queue
    from cockpit.sources.beads_files import read_beads

    beads = read_beads(Path(root))
    if beads.path is None:
        return None
    return frozenset(compute_queue(beads.issues, datetime.now(UTC)).in_progress)


def verdict_evidence(conn: sqlite3.Connection, root: str, spec: GateSpec, *,
                     accept_external: bool = False) -> VerdictEvidence:
    paths = list_reports(root, spec.report)
    known = known_hashes(conn, root, spec.report)
    if accept_external:
        # The user's own config takes reports at their word: the newest on disk counts, whoever wrote it.
        newest = read_report(root, paths[0]) if paths else None
        evidence = known.get(newest.sha256, Evidence.EXTERNAL) if newest else Evidence.EXTERNAL
        return VerdictEvidence(newest, evidence)
    record = latest_record(conn, root, spec.report)
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


def read_board(conn: sqlite3.Connection, path: str, *, running: Collection[str] = (), staged: bool = False,
               root: str | None = None, tree: str | None = None, accept_external: bool = False) -> GateBoard:
    """Every gate's state for the working tree (or, with `staged`, for what a commit would contain).

    `accept_external` comes from the user's own settings, never from the repository."""
    if root is None:
        root, error = repo_root(path)
        if error:
            return GateBoard("", GateConfig((), "none"), "", (), error)
    config = load_gate_config(root)
    trusted = is_trusted(conn, root, config)
    error = ""
    if tree is None:
        tree, error = tree_id(root, staged=staged)
    committed = head_time(root)
    statuses = []
    active: frozenset[str] | None = None
    for spec in config.gates:
        if spec.kind is GateKind.VERDICT:
            found = verdict_evidence(conn, root, spec, accept_external=accept_external)
            if found.report is not None and found.report.scope == "issue" and active is None:
                active = in_progress_issues(root)
            statuses.append(verdict_status(spec, found.report, tree, committed, active,
                                           evidence=found.evidence, accept_external=accept_external,
                                           note=found.note, external=found.external))
        else:
            runs = runs_for(conn, root, spec.name)
            statuses.append(gate_status(spec, runs, tree, running=spec.name in running, trusted=trusted))
    return GateBoard(root, config, tree, tuple(statuses), error, trusted)
