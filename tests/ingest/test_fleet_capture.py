"""What the fleet's health reads (issue 14): a call's input hash, a failed call's error, the files each edit
changed, and a Codex sub-thread's parent; through `cockpit index`, read back from the store."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any

from conftest import claude_assistant, claude_user, codex_rollout_name, codex_token_count, write_jsonl

from cockpit.cli import main

PARENT = "019c0000-0000-7000-8000-0000000000aa"
CHILD = "019c0000-0000-7000-8000-0000000000bb"


def _hash(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha1(canonical.encode()).hexdigest()[:16]


def _index(tmp_path: Path, *extra: str) -> sqlite3.Connection:
    db = tmp_path / "cockpit.db"
    code = main(["index", "--db", str(db), "--claude-dir", str(tmp_path / "claude"),
                 "--codex-dir", str(tmp_path / "codex"), *extra])
    assert code == 0
    return sqlite3.connect(db)


def _tool_use(n: int, tool_id: str, name: str, tool_input: dict[str, Any], session: str = "s1") -> dict[str, Any]:
    block = {"type": "tool_use", "id": tool_id, "name": name, "input": tool_input}
    return claude_assistant(n, session=session, msg_id=f"m{n}", request_id=f"r{n}", content=[block])


def _tool_result(n: int, tool_id: str, content: Any, *, error: bool, session: str = "s1") -> dict[str, Any]:
    line = claude_user(n, session=session)
    line["message"]["content"] = [{"type": "tool_result", "tool_use_id": tool_id, "is_error": error, "content": content}]
    return line


def _claude(tmp_path: Path, lines: list[dict[str, Any]], session: str = "s1") -> Path:
    return write_jsonl(tmp_path / "claude" / "projects" / "-home-dev-proj" / f"{session}.jsonl", lines)


def test_claude_tool_calls_store_their_input_hash_error_and_changed_files(tmp_path: Path) -> None:
    bash = {"command": "npm test", "description": "run the tests"}
    long_error = "Error:   test failed\n\n" + "x" * 400
    _claude(tmp_path, [
        claude_user(1, "fix it"),
        _tool_use(2, "t1", "Bash", bash),
        _tool_result(3, "t1", [{"type": "text", "text": long_error}], error=True),
        _tool_use(4, "t2", "Edit", {"file_path": "src/app.py", "old_string": "a", "new_string": "b"}),
        _tool_result(5, "t2", "ok", error=False),
        _tool_use(6, "t3", "Write", {"file_path": "/abs/notes.md", "content": "hi"}),
        _tool_use(7, "t4", "NotebookEdit", {"notebook_path": "/abs/nb.ipynb", "new_source": "x"}),
        _tool_use(8, "t5", "Read", {"file_path": "/abs/read-only.py"}),
    ])
    conn = _index(tmp_path)
    rows = {r[0]: r[1:] for r in conn.execute("SELECT tool_use_id, input_hash, error, is_error FROM tool_calls")}
    assert rows["t1"] == (_hash(bash), ("Error: test failed " + "x" * 400)[:300], 1)
    assert rows["t2"][1:] == ("", 0)
    assert all(len(h) == 16 for h, _e, _f in rows.values())
    files = conn.execute("SELECT session_id, tool_use_id, path, ts FROM tool_files ORDER BY tool_use_id").fetchall()
    assert [(sid, tid, path) for sid, tid, path, _ts in files] == [
        ("s1", "t2", "/home/dev/proj/src/app.py"),  # relative: against the line's cwd
        ("s1", "t3", "/abs/notes.md"),
        ("s1", "t4", "/abs/nb.ipynb"),
    ]
    assert files[0][3] == claude_assistant(4)["timestamp"]


def test_a_result_in_a_later_read_fills_the_error_in(tmp_path: Path) -> None:
    path = _claude(tmp_path, [_tool_use(1, "t1", "Bash", {"command": "make"})])
    conn = _index(tmp_path)
    assert conn.execute("SELECT error, is_error FROM tool_calls").fetchall() == [("", None)]
    write_jsonl(path, [_tool_result(2, "t1", "make: *** No rule", error=True)], mode="a")
    conn = _index(tmp_path)
    assert conn.execute("SELECT error, is_error FROM tool_calls").fetchall() == [("make: *** No rule", 1)]


def test_a_rewritten_transcript_drops_the_files_its_old_calls_changed(tmp_path: Path) -> None:
    path = _claude(tmp_path, [_tool_use(1, "t1", "Write", {"file_path": "/a.txt", "content": "x" * 50})])
    assert _index(tmp_path).execute("SELECT path FROM tool_files").fetchall() == [("/a.txt",)]
    path.write_text("")  # truncated: read again from 0
    write_jsonl(path, [_tool_use(1, "t9", "Write", {"file_path": "/b.txt", "content": "y"})])
    assert _index(tmp_path).execute("SELECT tool_use_id, path FROM tool_files").fetchall() == [("t9", "/b.txt")]
    conn = _index(tmp_path, "--rebuild")
    assert conn.execute("SELECT tool_use_id, path FROM tool_files").fetchall() == [("t9", "/b.txt")]


PATCH = """*** Begin Patch
*** Update File: src/lib.rs
@@
-a
+b
*** Add File: /tmp/new.txt
+hi
*** Delete File: old.txt
*** Update File: docs/a.md
*** Move to: docs/b.md
*** End Patch"""


def _codex_lines(session: str, ts: str = "2026-02-23T11:55:00.000Z", source: Any = "cli") -> list[dict[str, Any]]:
    return [
        {"timestamp": ts, "type": "session_meta",
         "payload": {"id": session, "cwd": "/w", "cli_version": "0.171.0", "source": source}},
        {"timestamp": ts, "type": "turn_context", "payload": {"turn_id": "t1", "cwd": "/w/repo", "model": "gpt-5.3-codex"}},
    ]


def _codex_path(tmp_path: Path, session: str) -> Path:
    return tmp_path / "codex" / "sessions" / "2026" / "02" / "23" / codex_rollout_name(session)


def test_codex_patches_and_failed_commands_are_captured(tmp_path: Path) -> None:
    ts = "2026-02-23T11:56:00.000Z"
    args = {"cmd": "cargo test", "yield_time_ms": 1000}
    write_jsonl(_codex_path(tmp_path, PARENT), [
        *_codex_lines(PARENT),
        {"timestamp": ts, "type": "response_item", "payload": {
            "type": "custom_tool_call", "name": "apply_patch", "call_id": "p1", "input": PATCH}},
        {"timestamp": ts, "type": "response_item", "payload": {
            "type": "function_call", "name": "exec_command", "call_id": "c1", "arguments": json.dumps(args)}},
        {"timestamp": ts, "type": "response_item", "payload": {
            "type": "function_call_output", "call_id": "c1",
            "output": "Exit code: 101\nWall time: 3.2 seconds\nOutput:\nerror[E0308]: mismatched types\n"}},
    ])
    conn = _index(tmp_path)
    rows = {r[0]: r[1:] for r in conn.execute("SELECT tool_use_id, input_hash, error, is_error FROM tool_calls")}
    assert rows["c1"] == (_hash(args), "error[E0308]: mismatched types", 1)
    assert rows["p1"][0] == _hash(PATCH)
    files = [r[0] for r in conn.execute("SELECT path FROM tool_files WHERE tool_use_id = 'p1' ORDER BY path")]
    assert files == sorted(["/w/repo/src/lib.rs", "/tmp/new.txt", "/w/repo/old.txt", "/w/repo/docs/a.md",
                            "/w/repo/docs/b.md"])


def _spawned(parent: str) -> dict[str, Any]:
    return {"subagent": {"thread_spawn": {"parent_thread_id": parent, "depth": 1}}}


def test_a_spawned_thread_names_its_parent_and_its_replayed_token_counts_are_not_counted_again(tmp_path: Path) -> None:
    """ccusage (agent-formats §3.1): a sub-thread's rollout starts with its parent's history replayed, token counts
    included, written in one second; those counts are the parent's and must not be billed twice."""
    before, spawn, later = "2026-02-23T11:55:00.000Z", "2026-02-23T11:57:00.100Z", "2026-02-23T11:57:30.000Z"
    parent_counts = [codex_token_count(1000, 100, 1000, 100, ts=before), codex_token_count(3000, 300, 2000, 200, ts=before)]
    write_jsonl(_codex_path(tmp_path, PARENT), [*_codex_lines(PARENT, before), *parent_counts])
    replayed = [codex_token_count(1000, 100, 1000, 100, ts=spawn), codex_token_count(3000, 300, 2000, 200,
                                                                                      ts=spawn[:19] + ".900Z")]
    own = [codex_token_count(3500, 350, 500, 50, ts=later)]
    write_jsonl(_codex_path(tmp_path, CHILD), [*_codex_lines(CHILD, spawn, _spawned(PARENT)), *replayed, *own])
    conn = _index(tmp_path)
    sessions = dict(conn.execute("SELECT session_id, parent_session_id FROM sessions").fetchall())
    assert sessions == {PARENT: "", CHILD: PARENT}
    usage = dict(conn.execute("SELECT session_id, input_tokens + output_tokens FROM sessions").fetchall())
    assert usage == {PARENT: 3300, CHILD: 550}
    assert conn.execute("SELECT SUM(input_tokens + output_tokens) FROM api_calls").fetchone()[0] == 3850


def test_a_spawned_thread_without_a_replay_counts_every_request(tmp_path: Path) -> None:
    """Two token counts in different seconds: nothing was replayed (ccusage counts both), across two reads."""
    path = _codex_path(tmp_path, CHILD)
    first = codex_token_count(1000, 100, 1000, 100, ts="2026-02-23T11:57:00.000Z")
    write_jsonl(path, [*_codex_lines(CHILD, "2026-02-23T11:57:00.000Z", _spawned(PARENT)), first])
    conn = _index(tmp_path)
    # The first count is held until the next tells whether it was replayed.
    assert conn.execute("SELECT COUNT(*) FROM api_calls").fetchone()[0] == 0
    write_jsonl(path, [codex_token_count(1500, 150, 500, 50, ts="2026-02-23T11:58:00.000Z")], mode="a")
    conn = _index(tmp_path)
    assert conn.execute("SELECT input_tokens + output_tokens FROM sessions").fetchone()[0] == 1650


def test_session_view_and_json_carry_the_parent(tmp_path: Path, capsys: Any) -> None:
    from cockpit.store.db import open_db
    from cockpit.store.queries import get_session

    write_jsonl(_codex_path(tmp_path, CHILD), [*_codex_lines(CHILD, source=_spawned(PARENT)),
                                               codex_token_count(10, 1, 10, 1)])
    _index(tmp_path)
    view = get_session(open_db(tmp_path / "cockpit.db"), CHILD)
    assert view is not None and view.parent_session_id == PARENT


def test_codex_lines_skipped_by_their_bytes_change_no_total(tmp_path: Path) -> None:
    """Reasoning items and agent messages are skipped unread; a payload written before its type is still read."""
    path = _codex_path(tmp_path, PARENT)
    reasoning = {"timestamp": "2026-02-23T11:55:01.000Z", "type": "response_item",
                 "payload": {"type": "reasoning", "summary": [], "encrypted_content": "x" * 5000}}
    reordered = {"payload": {"type": "user_message", "message": "a prompt"}, "timestamp": "2026-02-23T11:55:02.000Z",
                 "type": "event_msg"}
    write_jsonl(path, [*_codex_lines(PARENT), reasoning, reordered, codex_token_count(10, 1, 10, 1)])
    conn = _index(tmp_path)
    assert conn.execute("SELECT text FROM prompts").fetchall() == [("a prompt",)]
    assert conn.execute("SELECT input_tokens + output_tokens, skipped_lines FROM sessions").fetchall() == [(11, 0)]
