"""Odd files never hang or crash anything, and one transcript is one identity however it is reached.

FIFOs, sockets and devices named *.jsonl, names that are not UTF-8, the same files through two roots
(a symlink, a relative and an absolute spelling), a store from before identities that counted a file
twice, a file moved to another folder, a rewrite in place with lines of the same length, and settings
out of range. Each ends with the store equal to a fresh rebuild.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import claude_assistant, claude_user, codex_rollout_lines, write_jsonl

from cockpit.cli import main
from cockpit.ingest.live import LiveIngest, LiveUpdate
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db
from ingest.test_store_faults import Workspace, assert_equals_rebuild, rebuilt, summary, wait_until


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path)


def run(capsys: pytest.CaptureFixture[str], argv: list[str], seconds: float = 30.0) -> tuple[int, str, str]:
    """`cockpit argv` through the real entry point; a command that blocks fails the test instead of hanging it."""
    capsys.readouterr()
    outcome: list[Any] = []

    def target() -> None:
        try:
            outcome.append(main(argv))
        except SystemExit as exc:
            outcome.append(exc.code)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            outcome.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        pytest.fail(f"cockpit {' '.join(argv[:2])} hung")
    captured = capsys.readouterr()
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0], captured.out, captured.err


def doctor_problems(capsys: pytest.CaptureFixture[str], ws: Workspace) -> list[str]:
    code, out, _err = run(capsys, ["doctor", "--json", *ws.flags()])
    assert code == 0
    return json.loads(out)["problems"]


# ---- FIFOs, sockets, devices -------------------------------------------------------------------


def test_a_fifo_named_jsonl_hangs_no_command_and_is_one_line(ws: Workspace, capsys) -> None:
    fifo = ws.project / "x.jsonl"
    os.mkfifo(fifo)
    code, out, err = run(capsys, ["index", *ws.flags()])
    assert code == 0 and "indexed" in out
    assert [line for line in err.splitlines() if "x.jsonl" in line] == [
        f"warning: {fifo}: cannot read: not a regular file (a named pipe)"]
    code, out, _ = run(capsys, ["sessions", "--json", "--all", *ws.flags()])
    assert code == 0 and {s["session_id"] for s in json.loads(out)} >= {"s1", "s2"}
    assert run(capsys, ["context", "s1", *ws.flags()])[0] == 0
    assert [p for p in doctor_problems(capsys, ws) if "x.jsonl" in p] == [
        f"{fifo}: cannot read: not a regular file (a named pipe)"]
    assert_equals_rebuild(ws)


def test_a_known_transcript_that_becomes_a_fifo_is_reported_then_read_again(ws: Workspace, capsys) -> None:
    assert run(capsys, ["index", *ws.flags()])[0] == 0
    path = ws.path("s2")
    saved = path.read_bytes()
    path.unlink()
    os.mkfifo(path)
    for command in (["sessions", "--json"], ["context", "s2"], ["index"]):
        assert run(capsys, [*command, *ws.flags()])[0] == 0, command
    assert [p for p in doctor_problems(capsys, ws) if "s2.jsonl" in p] == [
        f"{path}: cannot read: not a regular file (a named pipe)"]
    path.unlink()
    path.write_bytes(saved)
    ws.grow("s2", 2)
    assert run(capsys, ["index", *ws.flags()])[0] == 0
    assert not [p for p in doctor_problems(capsys, ws) if "s2.jsonl" in p]
    assert_equals_rebuild(ws)


def test_a_socket_and_a_device_named_jsonl_are_reported_never_opened(ws: Workspace, capsys, monkeypatch) -> None:
    assert run(capsys, ["index", *ws.flags()])[0] == 0
    monkeypatch.chdir(ws.project)  # a socket path must be short: bind relative to its folder
    server = socket.socket(socket.AF_UNIX)
    server.bind("sock.jsonl")
    try:
        # A known transcript replaced by a link to an endless device: opening and reading it would never end.
        ws.path("s2").unlink()
        os.symlink("/dev/zero", ws.path("s2"))
        assert run(capsys, ["index", *ws.flags()])[0] == 0
        problems = doctor_problems(capsys, ws)
        assert [p for p in problems if "sock.jsonl" in p] == [
            f"{ws.project / 'sock.jsonl'}: cannot read: not a regular file (a socket)"]
        assert [p for p in problems if "s2.jsonl" in p] == [
            f"{ws.path('s2')}: cannot read: not a regular file (a character device)"]
    finally:
        server.close()


@pytest.mark.parametrize("force_polling", [False, True], ids=["watchfiles", "polling"])
def test_the_live_ingest_keeps_every_session_current_past_a_fifo(ws: Workspace, force_polling: bool) -> None:
    ws.ingestor().ingest_all()
    updates: list[LiveUpdate] = []
    stop = threading.Event()
    live = LiveIngest(str(ws.db), claude_roots([str(ws.claude)]), codex_roots([str(ws.codex)]), updates.append,
                      poll_seconds=0.05, force_polling=force_polling)
    errors: list[BaseException] = []

    def target() -> None:
        try:
            live.run(stop)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            errors.append(exc)

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    try:
        assert wait_until(lambda: any(u.catch_up for u in updates))
        time.sleep(0.6)  # the watch is armed
        os.mkfifo(ws.project / "x.jsonl")
        time.sleep(0.6)  # polling finds new files every 10 polls
        ws.grow("s1", 2)
        conn = sqlite3.connect(ws.db, timeout=10)
        try:
            expected = summary_calls(rebuilt(ws), "s1")
            assert wait_until(lambda: conn.execute("SELECT calls FROM sessions WHERE session_id = 's1'").fetchone()[0]
                              == expected), "the live ingest stopped at the FIFO"
            assert wait_until(lambda: conn.execute(
                "SELECT error FROM files WHERE path LIKE '%x.jsonl'").fetchall()
                == [("cannot read: not a regular file (a named pipe)",)])
        finally:
            conn.close()
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive() and errors == []


def summary_calls(data: dict[str, Any], session: str) -> int:
    return next(row[1] for row in data["sessions"] if row[0] == session)


# ---- names that are not UTF-8 ------------------------------------------------------------------


def test_a_file_name_that_is_not_utf8_is_indexed_kept_and_shown_escaped(ws: Workspace, capsys) -> None:
    name = b"caf\xe9-\xff.jsonl".decode("utf-8", "surrogateescape")
    odd = ws.project / name
    write_jsonl(odd, [claude_user(0, "hello", session="odd"), claude_assistant(1, session="odd")])
    code, out, _ = run(capsys, ["index", *ws.flags()])
    assert code == 0
    code, out, _ = run(capsys, ["sessions", "--json", "--all", *ws.flags()])
    shown = {s["session_id"]: s for s in json.loads(out)}
    assert shown["caf\\xe9-\\xff"]["usage"]["output_tokens"] == 10
    code, out, _ = run(capsys, ["sessions", "--all", *ws.flags()])
    assert code == 0 and "claude caf\\xe9-" in out  # ids are shown to 8 characters
    # read again by a new process: the file is found by its bytes, its cursor goes on
    write_jsonl(odd, [claude_assistant(2, session="odd", out=70)], mode="a")
    assert run(capsys, ["index", *ws.flags()])[0] == 0
    conn = sqlite3.connect(ws.db)
    try:
        rows = conn.execute("SELECT path, gone, error FROM files WHERE path LIKE '%caf%'").fetchall()
        assert rows == [(str(ws.project / "caf\\xe9-\\xff.jsonl"), 0, None)]
        assert conn.execute("SELECT COUNT(*), SUM(output_tokens) FROM api_calls WHERE session_id = 'caf\\xe9-\\xff'"
                            ).fetchone() == (2, 80)
    finally:
        conn.close()
    assert doctor_problems(capsys, ws) == [p for p in doctor_problems(capsys, ws) if "caf" not in p]
    assert_equals_rebuild(ws)


# ---- one file, one identity -------------------------------------------------------------------


def _busy_workspace(ws: Workspace) -> None:
    """More compactions, interrupts and prompts: what a double count doubles."""
    ws.grow("s1", 8)


@pytest.mark.parametrize("spelling", ["symlinked-root", "relative-and-absolute", "projects-folder-and-root"])
def test_one_transcript_reached_through_two_roots_is_counted_once(ws: Workspace, capsys, monkeypatch,
                                                                  spelling: str) -> None:
    _busy_workspace(ws)
    monkeypatch.chdir(ws.tmp)
    if spelling == "symlinked-root":
        (ws.tmp / ".config").mkdir()
        os.symlink(ws.claude, ws.tmp / ".config" / "claude")  # ~/.config/claude -> ~/.claude
        second = str(ws.tmp / ".config" / "claude")
    elif spelling == "relative-and-absolute":
        second = "claude"
    else:
        second = str(ws.claude / "projects")
    flags = ["--claude-dir", str(ws.claude), "--claude-dir", second, "--codex-dir", str(ws.codex), "--db", str(ws.db)]
    for _ in range(2):  # the second run finds nothing new through either name
        assert run(capsys, ["index", *flags])[0] == 0
    got = summary(ws.db)
    expected = rebuilt(ws)
    assert got == expected
    s1 = next(row for row in got["sessions"] if row[0] == "s1")
    assert s1[7] is not None, "the context gauge is shown"
    assert dict(got["compactions"])["s1"] == 1 and dict(got["interrupts"])["s1"] == 2
    # the live ingest watches one folder for both roots
    live = LiveIngest(str(ws.db), claude_roots([str(ws.claude), second]), [], lambda _u: None)
    assert len(live.folders()) == 1


def test_a_store_from_before_identities_that_counted_a_file_twice_is_repaired(ws: Workspace) -> None:
    _busy_workspace(ws)
    alias = ws.tmp / "alias"
    os.symlink(ws.claude, alias)
    ws.ingestor().ingest_all()
    # What the old code stored for the second root: every file again under the alias name, identity unknown.
    conn = sqlite3.connect(ws.db)
    a, b = str(ws.claude), str(alias)
    with conn:
        conn.execute("""INSERT INTO files (path, agent, session_id, subagent, agent_id, inode, offset, pending_bytes,
                               size, mtime, parser_state, error, gone)
                        SELECT replace(path, ?, ?), agent, session_id, subagent, agent_id, inode, offset,
                               pending_bytes, size, mtime, parser_state, error, gone FROM files WHERE path LIKE ?""",
                     (a, b, a + "/%"))
        for table, columns in (("prompts", "seq, session_id, ts, text"), ("interrupts", "seq, session_id, ts"),
                               ("compactions", "session_id, seq, ts, trigger, pre_tokens, post_tokens")):
            conn.execute(f"INSERT INTO {table} (path, {columns}) SELECT replace(path, ?, ?), {columns} FROM {table}"
                         " WHERE path LIKE ?", (a, b, a + "/%"))
        conn.execute("UPDATE sessions SET path = replace(path, ?, ?)", (a, b))
    conn.close()
    doubled = summary(ws.db)
    assert dict(doubled["interrupts"])["s1"] == 4, "the old store counted the file twice"
    Ingestor(open_db(ws.db), claude_roots([str(ws.claude), str(alias)]), codex_roots([str(ws.codex)])).ingest_all()
    assert_equals_rebuild(ws)


def test_a_rollout_moved_to_the_archive_is_the_same_file_not_read_again(ws: Workspace) -> None:
    sessions = ws.codex / "sessions" / "2026" / "02" / "23"
    sessions.mkdir(parents=True)
    name = "rollout-2026-02-23T12-00-00-019c0000-0000-7000-8000-0000000000aa.jsonl"
    write_jsonl(sessions / name, codex_rollout_lines())
    ingestor = ws.ingestor()
    ingestor.ingest_all()
    before = summary(ws.db)
    archive = ws.codex / "archived_sessions"
    archive.mkdir()
    shutil.move(sessions / name, archive / name)
    assert ingestor.ingest_all().bytes == 0
    assert Ingestor(open_db(ws.db), ingestor.claude_roots, ingestor.codex_roots).ingest_all().bytes == 0
    assert summary(ws.db) == before
    write_jsonl(archive / name, codex_rollout_lines()[2:], mode="a")
    assert ws.ingestor().ingest_all().bytes > 0
    assert_equals_rebuild(ws)


# ---- rewrites in place ---------------------------------------------------------------------------


@pytest.mark.parametrize("then_append", [False, True], ids=["same-size", "same-size-then-appended"])
def test_a_rewrite_in_place_with_lines_of_the_same_length_is_read_again(ws: Workspace, then_append: bool) -> None:
    path = ws.project / "r.jsonl"
    write_jsonl(path, [claude_user(0, "go", session="r"), claude_assistant(1, session="r", out=140)])
    ingestor = ws.ingestor()
    ingestor.ingest_all()
    size, inode = path.stat().st_size, path.stat().st_ino
    with open(path, "r+b") as handle:  # same inode, same length, another number
        data = handle.read().replace(b'"output_tokens": 140', b'"output_tokens": 240')
        handle.seek(0)
        handle.write(data)
    assert (path.stat().st_size, path.stat().st_ino) == (size, inode)
    if then_append:
        write_jsonl(path, [claude_assistant(2, session="r", out=5)], mode="a")
    ingestor.ingest_all()
    conn = sqlite3.connect(ws.db)
    try:
        assert conn.execute("SELECT output_tokens FROM sessions WHERE session_id = 'r'").fetchone()[0] == (
            245 if then_append else 240)
    finally:
        conn.close()
    assert_equals_rebuild(ws)


def test_a_rewrite_of_an_old_file_after_its_mtime_settled_is_found_by_its_new_mtime(ws: Workspace) -> None:
    path = ws.project / "r.jsonl"
    write_jsonl(path, [claude_user(0, "go", session="r"), claude_assistant(1, session="r", out=140)])
    old = time.time() - 3600
    os.utime(path, (old, old))
    ingestor = ws.ingestor()
    ingestor.ingest_all()
    assert ingestor.records[str(path)].cursor.mtime_ns != 0, "an old mtime is trusted"
    path.write_bytes(path.read_bytes().replace(b'"output_tokens": 140', b'"output_tokens": 240'))
    ingestor.ingest_all()
    assert_equals_rebuild(ws)


# ---- settings out of range ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["inf", "1e300", "nan", "-5", "0"])
def test_live_minutes_out_of_range_is_named_never_a_crash(ws: Workspace, capsys, tmp_path, value: str) -> None:
    config = tmp_path / "settings.toml"
    config.write_text(f"[dashboard]\nlive_minutes = {value}\n")
    flags = [*ws.flags(), "--config", str(config)]
    for command in (["index"], ["sessions", "--json"], ["sessions"], ["context"], ["report", "--json"]):
        assert run(capsys, [*command, *flags])[0] == 0, command
    code, out, _ = run(capsys, ["doctor", "--json", *flags])
    assert code == 0
    assert [p for p in json.loads(out)["problems"] if "live_minutes" in p] == [
        f"{config}: dashboard.live_minutes must be a number of minutes above 0 and at most 52560000, not"
        f" {float(value) if value not in ('-5', '0') else int(value)!r}"]
    code, _, err = run(capsys, ["sessions", "--live-minutes", value, *ws.flags()])
    assert code == 2
    assert f"argument --live-minutes: must be a number of minutes above 0 and at most 52560000, not '{value}'" in err
    assert "Traceback" not in err


def test_live_minutes_in_range_is_used(ws: Workspace, capsys) -> None:
    assert run(capsys, ["sessions", "--json", "--live-minutes", "1e7", *ws.flags()])[0] == 0


def test_a_store_from_before_identities_goes_on_from_its_cursors(ws: Workspace) -> None:
    """The migration adds the identity columns; nothing is read again, and appends still are."""
    ws.ingestor().ingest_all()
    conn = sqlite3.connect(ws.db)
    with conn:
        conn.execute("DROP INDEX files_identity")
        for column in ("dev", "realpath", "mtime_ns", "window_hash", "stale"):
            conn.execute(f"ALTER TABLE files DROP COLUMN {column}")
        # Nor had it what later migrations add.
        conn.execute("DROP TABLE tool_files")
        for table, column in (("tool_calls", "input_hash"), ("tool_calls", "error"), ("sessions", "parent_session_id")):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        conn.execute("PRAGMA user_version = 5")
    conn.close()
    assert ws.ingestor().ingest_all().bytes == 0
    conn = sqlite3.connect(ws.db)
    try:
        from cockpit.store.db import SCHEMA_VERSION

        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("SELECT COUNT(*) FROM files WHERE dev = 0").fetchone()[0] == 0, "identities filled in"
    finally:
        conn.close()
    size_before = ws.path("s1").stat().st_size
    ws.grow("s1", 2)
    assert ws.ingestor().ingest_all().bytes == ws.path("s1").stat().st_size - size_before
    assert_equals_rebuild(ws)


def test_real_transcripts_through_a_symlinked_root_are_counted_once(tmp_path: Path, copy_data: Any, capsys) -> None:
    claude = copy_data("claude/spotter", "claude")
    os.symlink(claude, tmp_path / "alias")
    db, fresh = tmp_path / "two.db", tmp_path / "one.db"
    assert run(capsys, ["index", "--claude-dir", str(claude), "--claude-dir", str(tmp_path / "alias"),
                        "--codex-dir", str(tmp_path / "none"), "--db", str(db)])[0] == 0
    assert run(capsys, ["index", "--rebuild", "--claude-dir", str(claude), "--codex-dir", str(tmp_path / "none"),
                        "--db", str(fresh)])[0] == 0
    got, expected = summary(db), summary(fresh)
    assert got == expected
    assert expected["compactions"] and all(row[7] is not None for row in got["sessions"] if row[1])


def test_a_fifo_in_place_of_the_beads_file_hangs_no_issue_command(tmp_path: Path) -> None:
    import subprocess
    import sys

    repo = tmp_path / "repo"
    (repo / ".beads").mkdir(parents=True)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    os.mkfifo(repo / ".beads" / "issues.jsonl")
    proc = subprocess.run([sys.executable, "-m", "cockpit", "issues", "--repo", str(repo)], capture_output=True,
                          text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr
    assert "not a regular file (a named pipe)" in proc.stdout + proc.stderr


def test_a_fifo_in_place_of_a_transcript_gives_a_retro_no_conversation_and_no_hang(tmp_path: Path) -> None:
    import threading

    from cockpit.sources.conversation import conversation

    fifo = tmp_path / "s.jsonl"
    os.mkfifo(fifo)
    result: list[object] = []
    reader = threading.Thread(target=lambda: result.append(conversation(fifo)), daemon=True)
    reader.start()
    reader.join(10)
    assert result == [([], False)]
