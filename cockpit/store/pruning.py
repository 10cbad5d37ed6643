"""Retention: what grows with time is pruned by the `[retention]` settings, in batches short enough that a
hook waiting to write never waits long.

Never pruned, whatever the settings: a pending approval request, the hook events a live pending request
may still be answered by (the inbox reads them), the runs each gate board reads (a gate's newest
RUNS_PER_GATE runs; the newest finished run per tree among them keeps its output too), the newest report
of each kind (a verdict gate's evidence), trust records, learnings, and the newest row of a table whose
ids a reader follows (a deleted largest id would be handed out again). Derived tables are not pruned by
age: they follow the transcripts (`files` keeps the rows of transcripts that no longer exist, since the
store is then the only place their sessions are indexed).

Plain sqlite3: the dashboard runs this in a background thread and `cockpit index` / `cockpit prune` in
the foreground.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.core.retention_rules import Retention, describe
from cockpit.store import approvals
from cockpit.store.gate_runs import RUNS_PER_GATE

# Rows per statement at most; halved while a statement takes longer than BATCH_SECONDS.
BATCH_ROWS = 5000
MIN_BATCH_ROWS = 100
BATCH_SECONDS = 0.1
# Between statements the write lock is free this long, so a hook's busy handler gets its turn.
PAUSE_SECONDS = 0.02
# Pages handed back to the disk per statement, when the store was created with incremental auto-vacuum.
VACUUM_PAGES = 2000
PRUNE_EVERY = timedelta(days=1)
JOB = "prune"
SIZES_QUERY = "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name"


@dataclass(frozen=True, slots=True)
class Step:
    table: str
    action: str  # "delete" rows, or "trim" a large column
    setting: str
    rule: str
    where: str = ""  # empty: the setting keeps everything
    params: dict[str, Any] = field(default_factory=dict)
    trim: str = ""  # the SET clause of a trim


@dataclass(frozen=True, slots=True)
class StepResult:
    table: str
    action: str
    setting: str
    rule: str
    rows: int
    active: bool = True  # False: the setting is 0 and keeps everything


@dataclass(frozen=True, slots=True)
class PruneResult:
    dry_run: bool
    steps: tuple[StepResult, ...]
    seconds: float
    space: str  # what happened to the freed space, in one sentence
    free_bytes: int
    stopped: bool = False

    @property
    def deleted(self) -> int:
        return sum(s.rows for s in self.steps if s.action == "delete")

    @property
    def trimmed(self) -> int:
        return sum(s.rows for s in self.steps if s.action == "trim")

    def as_json(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "deleted": self.deleted, "trimmed": self.trimmed,
                "steps": [asdict(s) for s in self.steps], "seconds": round(self.seconds, 3),
                "space": self.space, "free_bytes": self.free_bytes, "stopped": self.stopped}


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _cutoff(now: datetime, days: float) -> str:
    return iso(now - timedelta(days=days))


def _ids(values: Any) -> str:
    return json.dumps(sorted({int(v) for v in values if v is not None}))


def _hook_keep(conn: sqlite3.Connection) -> tuple[str, dict[str, Any]]:
    """The hook events a live pending request may still be answered by: from its arrival on, and its call's."""
    live = [r for r in approvals.pending(conn) if not approvals.hook_gone(r)]
    since = min((r.received_at for r in live), default="~")  # "~" sorts after every timestamp
    calls = json.dumps(sorted({r.tool_use_id for r in live if r.tool_use_id}))
    return ("id < (SELECT MAX(id) FROM hook_events) AND received_at < :pending_since"
            " AND tool_use_id NOT IN (SELECT value FROM json_each(:pending_calls))",
            {"pending_since": since, "pending_calls": calls})


def _gate_keep(conn: sqlite3.Connection) -> tuple[str, str]:
    """(each gate's newest RUNS_PER_GATE runs, the newest finished run per tree among them) as JSON id lists."""
    rows = conn.execute(
        "SELECT id, repo, gate, tree, outcome FROM (SELECT id, repo, gate, tree, outcome, ROW_NUMBER() OVER"
        " (PARTITION BY repo, gate ORDER BY id DESC) AS n FROM gate_runs) WHERE n <= ?", (RUNS_PER_GATE,)
    ).fetchall()
    shown: dict[tuple[str, str, str], int] = {}
    for run_id, repo, gate, tree, outcome in rows:
        if outcome != "cancelled":
            key = (repo, gate, tree)
            shown[key] = max(shown.get(key, 0), run_id)
    return _ids(r[0] for r in rows), _ids(shown.values())


def _newest_reports(conn: sqlite3.Connection) -> tuple[str, str]:
    reports = conn.execute(
        "SELECT MAX(id) FROM reports GROUP BY repo, kind UNION SELECT MAX(id) FROM reports"
        " WHERE sha256 != '' AND path != '' GROUP BY repo, kind UNION SELECT MAX(id) FROM reports").fetchall()
    accepted = conn.execute(
        "SELECT MAX(id) FROM accepted_reports GROUP BY repo, kind UNION SELECT MAX(id) FROM accepted_reports"
    ).fetchall()
    return _ids(r[0] for r in reports), _ids(r[0] for r in accepted)


def plan(conn: sqlite3.Connection, retention: Retention, now: datetime | None = None) -> list[Step]:
    """The steps of a prune, in order, with what each keeps computed now (new rows are never candidates)."""
    now = now or datetime.now(UTC)
    r = retention
    steps: list[Step] = []

    def add(table: str, action: str, setting: str, where: str, params: dict[str, Any], trim: str = "",
            rule: str = "") -> None:
        value = getattr(r, setting)
        text = rule or (f"older than {describe(setting, value)}" if value else "kept forever")
        steps.append(Step(table, action, setting, text, where if value else "", params, trim))

    hook_keep, hook_params = _hook_keep(conn)
    add("hook_events", "delete", "hook_events_days", f"received_at < :hook_cutoff AND {hook_keep}",
        {"hook_cutoff": _cutoff(now, r.hook_events_days or 1), **hook_params})
    add("hook_events", "delete", "hook_events_max_rows",
        f"id < (SELECT id FROM hook_events ORDER BY id DESC LIMIT 1 OFFSET :hook_offset) AND {hook_keep}",
        {"hook_offset": max(0, r.hook_events_max_rows - 1), **hook_params},
        rule=f"beyond the newest {r.hook_events_max_rows}" if r.hook_events_max_rows else "no cap")
    add("statusline", "trim", "statusline_days", "received_at < :status_cutoff AND payload IS NOT NULL",
        {"status_cutoff": _cutoff(now, r.statusline_days or 1)}, trim="payload = NULL")
    window, shown = _gate_keep(conn)
    add("gate_runs", "delete", "gate_runs_days",
        "started_at < :runs_cutoff AND id NOT IN (SELECT value FROM json_each(:gate_window))",
        {"runs_cutoff": _cutoff(now, r.gate_runs_days or 1), "gate_window": window})
    add("gate_runs", "trim", "gate_output_days",
        "started_at < :output_cutoff AND output_tail != '' AND id NOT IN (SELECT value FROM json_each(:gate_shown))",
        {"output_cutoff": _cutoff(now, r.gate_output_days or 1), "gate_shown": shown}, trim="output_tail = ''")
    add("approvals", "delete", "approvals_days",
        "status != 'pending' AND received_at < :approvals_cutoff AND id < (SELECT MAX(id) FROM approvals)",
        {"approvals_cutoff": _cutoff(now, r.approvals_days or 1)})
    add("session_allows", "delete", "approvals_days", "created_at < :allows_cutoff",
        {"allows_cutoff": _cutoff(now, r.approvals_days or 1)})
    add("llm_calls", "delete", "llm_calls_days", "at < :llm_cutoff AND id < (SELECT MAX(id) FROM llm_calls)",
        {"llm_cutoff": _cutoff(now, r.llm_calls_days or 1)})
    reports, accepted = _newest_reports(conn)
    add("reports", "delete", "reports_days",
        "created_at < :reports_cutoff AND id NOT IN (SELECT value FROM json_each(:newest_reports))",
        {"reports_cutoff": _cutoff(now, r.reports_days or 1), "newest_reports": reports})
    add("accepted_reports", "delete", "reports_days",
        "accepted_at < :accepted_cutoff AND id NOT IN (SELECT value FROM json_each(:newest_accepted))",
        {"accepted_cutoff": _cutoff(now, r.reports_days or 1), "newest_accepted": accepted})
    return steps


def _count(conn: sqlite3.Connection, step: Step, earlier: list[Step]) -> int:
    """Rows `step` would touch after the earlier steps of the same table deleted theirs."""
    before = [s for s in earlier if s.table == step.table and s.action == "delete" and s.where]
    where = " AND ".join([f"({step.where})", *(f"NOT ({s.where})" for s in before)])
    params = {k: v for s in [*before, step] for k, v in s.params.items()}
    return int(conn.execute(f"SELECT COUNT(*) FROM {step.table} WHERE {where}", params).fetchone()[0])


def _apply(conn: sqlite3.Connection, step: Step, should_stop: Callable[[], bool], pause: float) -> int:
    """Run `step` one short statement (its own transaction) at a time, with the lock free in between."""
    pick = f"SELECT rowid FROM {step.table} WHERE {step.where} ORDER BY rowid LIMIT :batch_rows"
    sql = (f"DELETE FROM {step.table} WHERE rowid IN ({pick})" if step.action == "delete"
           else f"UPDATE {step.table} SET {step.trim} WHERE rowid IN ({pick})")
    size, total = BATCH_ROWS, 0
    while not should_stop():
        started = time.monotonic()
        done = conn.execute(sql, {**step.params, "batch_rows": size}).rowcount
        took = time.monotonic() - started
        total += max(done, 0)
        if done < size:
            break
        if took > BATCH_SECONDS:
            size = max(MIN_BATCH_ROWS, size // 2)
        elif took < BATCH_SECONDS / 4:
            size = min(BATCH_ROWS, size * 2)
        time.sleep(pause)
    return total


def free_bytes(conn: sqlite3.Connection) -> int:
    pages = conn.execute("PRAGMA freelist_count").fetchone()[0]
    return int(pages) * int(conn.execute("PRAGMA page_size").fetchone()[0])


def auto_vacuum_mode(conn: sqlite3.Connection) -> str:
    return {0: "none", 1: "full", 2: "incremental"}.get(int(conn.execute("PRAGMA auto_vacuum").fetchone()[0]), "?")


def _mb(n: int) -> str:
    return f"{n / 1e6:.1f} MB"


def _give_back(conn: sqlite3.Connection, dry_run: bool, changed: bool, should_stop: Callable[[], bool],
               pause: float) -> tuple[str, int]:
    """Hand free pages back to the disk when the store allows it bit by bit; never VACUUM a live store."""
    free = free_bytes(conn)
    mode = auto_vacuum_mode(conn)
    if mode != "incremental":
        return (f"the file keeps its size ({_mb(free)} free inside it, reused before it grows): it was created"
                " without incremental auto-vacuum, and a live store is never VACUUMed"), free
    if dry_run or not changed or not free:
        return f"{_mb(free)} free inside the file; a prune hands free pages back to the disk", free
    while free and not should_stop():
        # executescript steps the pragma to its end; execute() would free one page per call.
        conn.executescript(f"PRAGMA incremental_vacuum({VACUUM_PAGES});")
        left = free_bytes(conn)
        if left >= free:
            break
        free = left
        time.sleep(pause)
    return f"free pages handed back to the disk ({_mb(free)} still free inside the file)", free


def prune(conn: sqlite3.Connection, retention: Retention, *, dry_run: bool = False, now: datetime | None = None,
          should_stop: Callable[[], bool] = lambda: False, pause: float = PAUSE_SECONDS) -> PruneResult:
    """Prune (or, with `dry_run`, count) what the settings let go. Raises sqlite3.Error when the store fails."""
    started = time.monotonic()
    steps = plan(conn, retention, now)
    results: list[StepResult] = []
    for index, step in enumerate(steps):
        rows = 0
        if step.where and not should_stop():
            rows = _count(conn, step, steps[:index]) if dry_run else _apply(conn, step, should_stop, pause)
        results.append(StepResult(step.table, step.action, step.setting, step.rule, rows, bool(step.where)))
    changed = not dry_run and any(r.rows for r in results)
    space, free = _give_back(conn, dry_run, changed, should_stop, pause)
    if changed:
        # The pages a prune rewrote are in the WAL: copy them back now rather than at some later commit.
        conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
    return PruneResult(dry_run, tuple(results), time.monotonic() - started, space, free, should_stop())


# ---- when it runs ------------------------------------------------------------------------------

def claim(conn: sqlite3.Connection, now: datetime | None = None, every: timedelta = PRUNE_EVERY) -> bool:
    """True (and the job marked as started now) when nobody pruned within `every`: one prune a day, whichever
    dashboard gets there first. A mark that is no timestamp, or one in the future (the clock went back), is no
    reason to wait: it would have blocked every prune for good."""
    now = now or datetime.now(UTC)
    cursor = conn.execute(
        "INSERT INTO maintenance (name, at) VALUES (:job, :now) ON CONFLICT(name) DO UPDATE SET at = excluded.at"
        " WHERE maintenance.at <= :due OR maintenance.at > :now"
        " OR maintenance.at NOT GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T*'",
        {"job": JOB, "now": iso(now), "due": iso(now - every)})
    return cursor.rowcount > 0


def record(conn: sqlite3.Connection, result: PruneResult, by: str, now: datetime | None = None) -> None:
    detail = json.dumps({"by": by, "deleted": result.deleted, "trimmed": result.trimmed,
                         "seconds": round(result.seconds, 3), "stopped": result.stopped})
    conn.execute("INSERT INTO maintenance (name, at, detail) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET"
                 " at = excluded.at, detail = excluded.detail", (JOB, iso(now or datetime.now(UTC)), detail))


def last_prune(conn: sqlite3.Connection) -> dict[str, Any] | None:
    row = conn.execute("SELECT at, detail FROM maintenance WHERE name = ?", (JOB,)).fetchone()
    if row is None:
        return None
    try:
        detail = json.loads(row[1]) if row[1] else {}
    except ValueError:
        detail = {}
    return {"at": row[0], **(detail if isinstance(detail, dict) else {})}


def run_daily(db_path: str, retention: Retention, stop: threading.Event, on_done: Callable[[PruneResult], None],
              on_error: Callable[[str], None], *, first_delay: float = 60.0, check_every: float = 3600.0) -> None:
    """The dashboard's prune, in its own thread: at most once a day across every cockpit, stopping with `stop`."""
    from cockpit.store.db import connect

    if stop.wait(first_delay):
        return
    while True:
        try:
            conn = connect(db_path)
            try:
                if claim(conn):
                    result = prune(conn, retention, should_stop=stop.is_set)
                    record(conn, result, "dashboard")
                    on_done(result)
            finally:
                conn.close()
        except (sqlite3.Error, OSError) as exc:
            on_error(f"{type(exc).__name__}: {exc}")
        if stop.wait(check_every):
            return


# ---- sizes ----------------------------------------------------------------------------------

def table_sizes(conn: sqlite3.Connection) -> tuple[list[dict[str, Any]], str]:
    """Each table's rows and bytes (its indexes included; a full-text index's shadow tables under its name),
    and where the sizes come from ("dbstat", or why there are none)."""
    master = conn.execute("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    virtual = {name for kind, name, _t, sql in master if kind == "table" and (sql or "").upper().startswith("CREATE VIRTUAL")}
    owner: dict[str, str] = {}
    for kind, name, table, _sql in master:
        if kind == "index":
            owner[name] = table
        elif kind == "table":
            owner[name] = next((v for v in virtual if name.startswith(v + "_")), name)
    sizes: dict[str, int] | None = {}
    source = "dbstat"
    try:
        for name, size in conn.execute(SIZES_QUERY).fetchall():
            key = owner.get(name, name)
            sizes[key] = sizes.get(key, 0) + int(size or 0)  # type: ignore[index]
    except sqlite3.Error as exc:
        sizes = None
        source = f"no sizes per table: this SQLite has no dbstat ({exc})"
    out = []
    for name in sorted({owner[n] for kind, n, _t, _s in master if kind == "table"}):
        rows = None if name in virtual else int(conn.execute(f'SELECT COUNT(*) FROM "{name}"').fetchone()[0])
        out.append({"name": name, "rows": rows, "bytes": sizes.get(name, 0) if sizes is not None else None})
    out.sort(key=lambda t: (-(t["bytes"] or 0), t["name"]))
    return out, source
