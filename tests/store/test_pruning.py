"""Retention: what grows with time is pruned by the `[retention]` settings, through `cockpit prune`,
`cockpit index` and the dashboard's daily prune; what a live feature reads survives any setting."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cockpit.cli import main
from cockpit.core.gate_rules import GateKind, GateSpec, gate_status
from cockpit.core.retention_rules import Retention
from cockpit.store import pruning as retention_store
from cockpit.store.db import connect
from cockpit.store.gate_runs import runs_for

NOW = datetime.now(UTC)


def ago(days: float) -> str:
    return (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch HOME and cwd: no real transcripts, hooks or repository are read."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("CODEX_HOME", str(tmp_path / ".codex"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cockpit(home: Path, *argv: str, config: str | None = None, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    settings = home / "config.toml"
    settings.write_text(config or "")
    code = main([*argv, "--db", str(home / "cockpit.db"), "--config", str(settings),
                 "--claude-dir", str(home / "none"), "--codex-dir", str(home / "none")])
    out, err = capsys.readouterr()
    return code, out, err


def store(home: Path) -> sqlite3.Connection:
    return connect(home / "cockpit.db")


def add_event(conn: sqlite3.Connection, days: float, *, tool_use_id: str = "", payload: str = "{}") -> int:
    return int(conn.execute(
        "INSERT INTO hook_events (agent, session_id, event, received_at, tool_use_id, payload)"
        " VALUES ('claude', 's', 'PostToolUse', ?, ?, ?)", (ago(days), tool_use_id, payload)).lastrowid or 0)


def add_approval(conn: sqlite3.Connection, days: float, status: str = "decided", *, pid: int | None = None,
                 tool_use_id: str = "") -> int:
    return int(conn.execute(
        "INSERT INTO approvals (agent, event, session_id, input_hash, tool_use_id, received_at, status, hook_pid)"
        " VALUES ('claude', 'PreToolUse', 's', 'h', ?, ?, ?, ?)",
        (tool_use_id, ago(days), status, pid)).lastrowid or 0)


def add_run(conn: sqlite3.Connection, days: float, tree: str, *, gate: str = "tests", outcome: str = "pass",
            output: str = "ok\n") -> int:
    return int(conn.execute(
        "INSERT INTO gate_runs (repo, gate, tree, started_at, duration_s, outcome, output_tail, output_bytes)"
        " VALUES ('/r', ?, ?, ?, 1.0, ?, ?, ?)", (gate, tree, ago(days), outcome, output, len(output))).lastrowid or 0)


def ids(conn: sqlite3.Connection, table: str) -> set[int]:
    return {r[0] for r in conn.execute(f"SELECT rowid FROM {table}")}


def steps(report: dict) -> dict[tuple[str, str], int]:
    return {(s["table"], s["setting"]): s["rows"] for s in report["steps"]}


ALL_ONE_DAY = """[retention]
hook_events_days = 1
hook_events_max_rows = 1000
statusline_days = 1
gate_output_days = 1
gate_runs_days = 1
approvals_days = 1
llm_calls_days = 1
reports_days = 1
"""


def test_rows_older_than_the_setting_go_and_newer_ones_stay(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    old_event, new_event = add_event(conn, 40), add_event(conn, 20)
    add_event(conn, 0)
    old_approval, new_approval = add_approval(conn, 400), add_approval(conn, 100)
    add_approval(conn, 0)
    conn.execute("INSERT INTO session_allows VALUES ('s', 'Bash(git push:*)', ?), ('t', 'Bash(ls)', ?)",
                 (ago(400), ago(10)))
    conn.execute("INSERT INTO statusline VALUES ('old', ?, 'm', 1000000, 1.0, '{\"big\": 1}'),"
                 " ('new', ?, 'm', 200000, 1.0, '{\"big\": 2}')", (ago(20), ago(5)))
    for days in (400, 100, 0):
        conn.execute("INSERT INTO llm_calls (at, purpose, model, ok) VALUES (?, 'vibe', 'm', 1)", (ago(days),))
    conn.close()

    code, out, _err = cockpit(home, "prune", "--json", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["dry_run"] is False
    counts = steps(report)
    assert counts[("hook_events", "hook_events_days")] == 1
    assert counts[("approvals", "approvals_days")] == 1
    assert counts[("session_allows", "approvals_days")] == 1
    assert counts[("statusline", "statusline_days")] == 1
    assert counts[("llm_calls", "llm_calls_days")] == 1
    conn = store(home)
    assert old_event not in ids(conn, "hook_events") and new_event in ids(conn, "hook_events")
    assert old_approval not in ids(conn, "approvals") and new_approval in ids(conn, "approvals")
    assert [r[0] for r in conn.execute("SELECT session_id FROM session_allows")] == ["t"]
    # The capture goes; the window the gauge needs stays.
    assert conn.execute("SELECT session_id, window, payload FROM statusline ORDER BY session_id").fetchall() == [
        ("new", 200000, '{"big": 2}'), ("old", 1000000, None)]
    assert conn.execute("SELECT COUNT(*) FROM llm_calls").fetchone()[0] == 2
    assert retention_store.last_prune(conn)["by"] == "cockpit prune"


def test_hook_events_beyond_the_row_cap_go_oldest_first(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    with conn:
        conn.executemany("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'Stop', ?)",
                         [(ago(1),)] * 1500)
    newest = sorted(ids(conn, "hook_events"))[-1000:]
    conn.close()
    code, out, _err = cockpit(home, "prune", "--json", config="[retention]\nhook_events_max_rows = 1000\n",
                              capsys=capsys)
    assert code == 0 and steps(json.loads(out))[("hook_events", "hook_events_max_rows")] == 500
    assert sorted(ids(store(home), "hook_events")) == newest


def test_what_live_features_read_survives_any_setting(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    # Approvals: a pending request is never pruned, however old; a decided one of the same age is.
    pending = add_approval(conn, 400, "pending", pid=os.getpid(), tool_use_id="toolu_live")
    decided = add_approval(conn, 400)
    add_approval(conn, 0)
    # Hook events: from the live pending request's arrival on, and its call's, the inbox may still read them.
    before = add_event(conn, 500)
    its_call = add_event(conn, 500, tool_use_id="toolu_live")
    after = add_event(conn, 300)
    newest = add_event(conn, 0)
    # Gate runs: 60 runs over 6 trees, every one 400 days old; the board reads the newest 50.
    runs = []
    for n in range(60):
        runs.append((add_run(conn, 400 - n / 100, f"tree{n % 6}", outcome="cancelled" if n % 7 == 0 else "pass",
                             output=f"run {n}\n"), f"tree{n % 6}", n % 7 == 0))
    spec = GateSpec("tests", GateKind.COMMAND, command="pytest")
    board_before = {tree: gate_status(spec, runs_for(conn, "/r", "tests"), tree) for tree in ("tree0", "tree5", "x")}
    # Reports: each kind's newest is a verdict gate's evidence.
    for days, kind in ((400, "vibe"), (300, "vibe"), (400, "pre-mortem")):
        conn.execute("INSERT INTO reports (kind, repo, path, created_at, sha256) VALUES (?, '/r', 'p', ?, 'abc')",
                     (kind, ago(days)))
    conn.close()

    code, out, _err = cockpit(home, "prune", "--json", config=ALL_ONE_DAY, capsys=capsys)
    assert code == 0, out
    conn = store(home)
    assert pending in ids(conn, "approvals") and decided not in ids(conn, "approvals")
    assert ids(conn, "hook_events") == {its_call, after, newest}
    assert before not in ids(conn, "hook_events")
    kept = ids(conn, "gate_runs")
    assert kept == {run_id for run_id, _tree, _cancelled in runs[-50:]}
    with_output = {r[0] for r in conn.execute("SELECT id FROM gate_runs WHERE output_tail != ''")}
    newest_finished = {tree: max(i for i, t, cancelled in runs[-50:] if t == tree and not cancelled)
                       for tree in {t for _i, t, _c in runs}}
    assert with_output == set(newest_finished.values())
    board_after = {tree: gate_status(spec, runs_for(conn, "/r", "tests"), tree) for tree in ("tree0", "tree5", "x")}
    assert {t: (s.state, s.run.id if s.run else None) for t, s in board_after.items()} == \
           {t: (s.state, s.run.id if s.run else None) for t, s in board_before.items()}
    assert [r[0] for r in conn.execute("SELECT kind FROM reports ORDER BY id")] == ["vibe", "pre-mortem"]


def test_a_pending_request_whose_hook_died_holds_nothing_back(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    dead = add_approval(conn, 400, "pending", pid=2**22 + 12345)
    event = add_event(conn, 300)
    add_event(conn, 0)
    conn.close()
    assert cockpit(home, "prune", capsys=capsys, config=ALL_ONE_DAY)[0] == 0
    conn = store(home)
    assert dead in ids(conn, "approvals")  # the inbox closes it as gone; retention never does
    assert event not in ids(conn, "hook_events")


def test_zero_keeps_forever(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    for _ in range(3):
        add_event(conn, 5000)
        add_approval(conn, 5000)
        add_run(conn, 5000, "t", output="x" * 100)
        conn.execute("INSERT INTO llm_calls (at, purpose, model, ok) VALUES (?, 'vibe', 'm', 1)", (ago(5000),))
    conn.execute("INSERT INTO statusline VALUES ('s', ?, 'm', 1, 1.0, '{}')", (ago(5000),))
    conn.close()
    forever = ALL_ONE_DAY.replace("= 1000", "= 0").replace("= 1\n", "= 0\n")
    code, out, _err = cockpit(home, "prune", "--json", config=forever, capsys=capsys)
    assert code == 0
    report = json.loads(out)
    assert report["deleted"] == report["trimmed"] == 0
    assert all(not s["active"] for s in report["steps"])
    conn = store(home)
    assert [len(ids(conn, t)) for t in ("hook_events", "approvals", "gate_runs", "llm_calls")] == [3, 3, 3, 3]
    assert conn.execute("SELECT COUNT(*) FROM gate_runs WHERE output_tail != ''").fetchone()[0] == 3
    assert conn.execute("SELECT payload FROM statusline").fetchone()[0] == "{}"


BAD = """[retention]
hook_events_days = inf
statusline_days = nan
approvals_days = -1
gate_runs_days = "x"
llm_calls_days = 0.5
hook_events_max_rows = 10
reports_day = 3
"""


def test_invalid_settings_are_doctor_problems_naming_the_key_and_fall_back_to_defaults(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = cockpit(home, "doctor", "--json", config=BAD, capsys=capsys)
    assert code == 0
    report = json.loads(out)
    problems = "\n".join(report["problems"])
    for key in ("hook_events_days", "statusline_days", "approvals_days", "gate_runs_days", "llm_calls_days",
                "hook_events_max_rows"):
        assert f"retention.{key} must be" in problems, key
    assert "retention.reports_day is not a setting" in problems
    assert report["retention"]["settings"] == Retention().as_dict()
    code, _out, err = cockpit(home, "prune", "--dry-run", config=BAD, capsys=capsys)
    assert code == 0 and "retention.hook_events_days must be" in err


def test_dry_run_counts_what_a_prune_then_deletes_and_deletes_nothing(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    with conn:
        conn.executemany("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'Stop', ?)",
                         [(ago(40),)] * 700 + [(ago(2),)] * 1300)
    for n in range(5):
        add_run(conn, 40, f"t{n}")
        add_approval(conn, 400)
    conn.close()
    config = "[retention]\nhook_events_max_rows = 1000\n"
    before = {t: ids(store(home), t) for t in ("hook_events", "gate_runs", "approvals")}
    code, out, _err = cockpit(home, "prune", "--dry-run", "--json", config=config, capsys=capsys)
    assert code == 0
    dry = json.loads(out)
    assert dry["dry_run"] is True and dry["deleted"] > 0
    assert {t: ids(store(home), t) for t in before} == before
    assert retention_store.last_prune(store(home)) is None
    code, out, _err = cockpit(home, "prune", "--json", config=config, capsys=capsys)
    real = json.loads(out)
    assert steps(real) == steps(dry)
    assert steps(real)[("hook_events", "hook_events_days")] == 700
    assert steps(real)[("hook_events", "hook_events_max_rows")] == 300
    code, out, _err = cockpit(home, "prune", "--dry-run", config=config, capsys=capsys)
    assert "would delete" in out and "deleted " not in out


def test_pruning_in_batches_lets_a_hook_write_between_them(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """50,000 old events: a writer with a hook's busy timeout inserts while the prune runs, and sees it half done."""
    conn = store(home)
    with conn:
        conn.executemany("INSERT INTO hook_events (agent, event, received_at, payload) VALUES ('claude', 'Stop', ?, ?)",
                         [(ago(40), "p" * 200)] * 50_000)
    conn.close()
    cutoff = ago(30)
    busy = 1.0
    writer = connect(home / "cockpit.db", busy_timeout=busy)
    seen: list[tuple[float, int]] = []
    errors: list[str] = []
    done = threading.Event()
    result: dict[str, object] = {}

    def run_prune() -> None:
        result["code"] = cockpit(home, "prune", "--json", capsys=capsys)
        done.set()

    thread = threading.Thread(target=run_prune)
    thread.start()
    try:
        while not done.is_set():
            started = time.monotonic()
            try:
                writer.execute("INSERT INTO hook_events (agent, event, received_at) VALUES ('claude', 'Stop', ?)",
                               (ago(0),))
            except sqlite3.OperationalError as exc:
                errors.append(str(exc))
                continue
            took = time.monotonic() - started
            left = writer.execute("SELECT COUNT(*) FROM hook_events WHERE received_at < ?", (cutoff,)).fetchone()[0]
            seen.append((took, left))
            time.sleep(0.005)
    finally:
        thread.join(60)
    code, out, _err = result["code"]  # type: ignore[misc]
    assert code == 0
    assert errors == []
    assert max(took for took, _left in seen) < busy
    assert any(0 < left < 50_000 for _took, left in seen), "no write landed between two batches"
    assert steps(json.loads(out))[("hook_events", "hook_events_days")] == 50_000
    assert writer.execute("SELECT COUNT(*) FROM hook_events").fetchone()[0] == len(seen)


def test_index_prunes_and_a_new_store_gives_the_space_back(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    assert retention_store.auto_vacuum_mode(conn) == "incremental"
    with conn:
        conn.executemany("INSERT INTO hook_events (agent, event, received_at, payload) VALUES ('claude', 'Stop', ?, ?)",
                         [(ago(40), "p" * 2000)] * 5000)
    add_event(conn, 0)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    size = (home / "cockpit.db").stat().st_size
    code, out, _err = cockpit(home, "index", capsys=capsys)
    assert code == 0 and "retention: deleted 5000 rows" in out
    assert (home / "cockpit.db").stat().st_size < size / 2
    last = retention_store.last_prune(store(home))
    assert last["by"] == "cockpit index" and last["seconds"] < 20  # not a page per statement


def test_an_older_store_keeps_its_size_and_says_so(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A store created before incremental auto-vacuum: the migrations add the new table, the file keeps its mode.
    sqlite3.connect(home / "cockpit.db").execute("CREATE TABLE older (x)").connection.close()
    conn = store(home)
    assert retention_store.auto_vacuum_mode(conn) == "none"
    add_event(conn, 40, payload="p" * 5000)
    add_event(conn, 0)
    conn.close()
    code, out, _err = cockpit(home, "prune", capsys=capsys)
    assert code == 0
    assert "the file keeps its size" in out and "never VACUUMed" in out


def test_doctor_lists_each_table_with_its_rows_size_and_retention(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    conn = store(home)
    for _ in range(30):
        add_event(conn, 1, payload="p" * 3000)
    conn.close()
    code, out, _err = cockpit(home, "doctor", "--json", config="[retention]\nhook_events_days = 7\n", capsys=capsys)
    assert code == 0
    report = json.loads(out)
    db = report["database"]
    tables = {t["name"]: t for t in db["tables"]}
    assert db["sizes"] == "dbstat"
    assert tables["hook_events"]["rows"] == 30 and tables["hook_events"]["bytes"] > 30 * 3000
    assert {"approvals", "gate_runs", "statusline", "prompts_fts", "trust"} <= set(tables)
    assert db["file_bytes"] > 0 and "wal_bytes" in db and db["auto_vacuum"] == "incremental"
    assert report["retention"]["settings"]["hook_events_days"] == 7
    code, text, _err = cockpit(home, "doctor", config="[retention]\nhook_events_days = 7\n", capsys=capsys)
    line = next(li for li in text.splitlines() if li.strip().startswith("hook_events"))
    assert "30 rows" in line and "kept 7 days, at most 200000 rows" in line
    assert "WAL" in text and "retention: never pruned" in text


def test_doctor_without_dbstat_still_counts_rows(home: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retention_store, "SIZES_QUERY", "SELECT name, SUM(pgsize) FROM no_dbstat_here GROUP BY name")
    add_event(store(home), 1)
    code, out, _err = cockpit(home, "doctor", "--json", capsys=capsys)
    db = json.loads(out)["database"]
    assert db["sizes"].startswith("no sizes per table")
    assert {t["name"]: t["rows"] for t in db["tables"]}["hook_events"] == 1
    assert all(t["bytes"] is None for t in db["tables"])


def test_the_daily_prune_runs_once_a_day_across_dashboards(home: Path) -> None:
    conn = store(home)
    add_event(conn, 40)
    add_event(conn, 0)
    conn.close()
    results: list[retention_store.PruneResult] = []

    def once(*, prunes: bool) -> None:
        stop = threading.Event()
        before = len(results)
        thread = threading.Thread(target=retention_store.run_daily, args=(
            str(home / "cockpit.db"), Retention(), stop, results.append, results.append),
            kwargs={"first_delay": 0, "check_every": 30})
        thread.start()
        deadline = time.monotonic() + (10 if prunes else 0.5)
        while time.monotonic() < deadline and len(results) == before:
            time.sleep(0.02)
        stop.set()
        thread.join(5)
        assert not thread.is_alive()

    once(prunes=True)
    once(prunes=False)  # a second dashboard the same day: nothing to do
    assert [r.deleted for r in results] == [1]
    conn = store(home)
    assert retention_store.last_prune(conn)["by"] == "dashboard"
    conn.execute("UPDATE maintenance SET at = ?", (ago(1.5),))
    add_event(conn, 40)
    add_event(conn, 0)
    conn.close()
    once(prunes=True)
    assert [r.deleted for r in results] == [1, 1]


def test_index_prunes_once_a_day_and_reads_no_settings_the_other_times(
        home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from cockpit.cli import prune as prune_cli

    assert (prune_cli.PRUNE_JOB, prune_cli.PRUNE_EVERY) == (retention_store.JOB, retention_store.PRUNE_EVERY)
    conn = store(home)
    add_event(conn, 40)
    add_event(conn, 0)
    code, out, _err = cockpit(home, "index", capsys=capsys)
    assert code == 0 and "retention: deleted 1 row" in out
    first = retention_store.last_prune(conn)
    add_event(conn, 40)
    add_event(conn, 0)  # the newest row is always kept
    # Within the day: not pruned again, and a broken settings file is not even read.
    code, out, err = cockpit(home, "index", config="[retention\n", capsys=capsys)
    assert code == 0 and "retention" not in out + err
    assert retention_store.last_prune(conn) == first
    assert conn.execute("SELECT COUNT(*) FROM hook_events").fetchone()[0] == 3
    # A day later: due again.
    conn.execute("UPDATE maintenance SET at = ? WHERE name = 'prune'", (ago(1.01),))
    code, out, _err = cockpit(home, "index", capsys=capsys)
    assert code == 0 and "retention: deleted 1 row" in out
    assert retention_store.last_prune(conn)["at"] > ago(0.01)


@pytest.mark.parametrize("mark", ["garbage", "9999-01-01T00:00:00.000000Z", ""])
def test_a_prune_mark_that_is_no_timestamp_or_in_the_future_does_not_block_pruning_for_good(
        home: Path, capsys: pytest.CaptureFixture[str], mark: str) -> None:
    conn = store(home)
    conn.execute("INSERT INTO maintenance (name, at) VALUES ('prune', ?)", (mark,))
    add_event(conn, 40)
    add_event(conn, 0)
    code, out, _err = cockpit(home, "index", capsys=capsys)
    assert code == 0 and "retention: deleted 1 row" in out
    assert retention_store.last_prune(conn)["at"] > ago(0.01)
