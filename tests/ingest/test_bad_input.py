"""Bad input never stops ingest: each case is counted (skipped reasons / the file's error) and a good
session next to the bad file keeps updating."""

from __future__ import annotations

import builtins
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import (
    claude_assistant,
    claude_user,
    codex_rollout_lines,
    codex_rollout_name,
    codex_token_count,
    fetch,
    file_row,
    is_root,
    session_row,
    skipped_reasons,
    write_jsonl,
)

from cockpit.ingest.pipeline import Ingestor
from cockpit.sources import tailer
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db


@dataclass
class Env:
    tmp: Path
    projects: Path
    good: Path
    codex: Path
    ingestor: Ingestor | None = None
    good_requests: int = 2

    def ingest(self, *, fresh: bool = False) -> Ingestor:
        if self.ingestor is None or fresh:
            self.ingestor = Ingestor(
                open_db(self.tmp / "c.db"),
                claude_roots([str(self.tmp / "claude")]),
                codex_roots([str(self.codex)]),
            )
        self.ingestor.ingest_all()
        return self.ingestor

    def assert_good_session_updates(self) -> None:
        """The good session was ingested, and still takes new lines after the bad input."""
        ing = self.ingest()
        assert session_row(ing, "good")["calls"] == self.good_requests
        self.good_requests += 1
        write_jsonl(self.good, [claude_assistant(100 + self.good_requests, session="good", cr=7_000)], mode="a")
        ing = self.ingest()
        row = session_row(ing, "good")
        assert row["calls"] == self.good_requests
        assert row["prompt_tokens"] == 1 + 100 + 7_000
        assert file_row(ing, self.good)["error"] is None


@pytest.fixture
def env(tmp_path) -> Env:
    projects = tmp_path / "claude" / "projects" / "-home-dev-proj"
    good = write_jsonl(projects / "good.jsonl", [
        claude_user(0, "hello", session="good"),
        claude_assistant(1, session="good"),
        claude_assistant(2, session="good"),
    ])
    codex = tmp_path / "codex"
    codex.mkdir()
    return Env(tmp_path, projects, good, codex)


def _bad(env: Env, name: str = "bad.jsonl") -> Path:
    return env.projects / name


def test_truncated_last_line_is_left_pending_not_skipped(env):
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad"), claude_assistant(1, session="bad")])
    partial = b'{"type":"assistant","message":{"usage":{"input_tok'
    with open(bad, "ab") as handle:
        handle.write(partial)
    ing = env.ingest()
    assert session_row(ing, "bad")["calls"] == 1
    assert file_row(ing, bad)["pending_bytes"] == len(partial)
    assert skipped_reasons(ing, bad) == {}
    env.assert_good_session_updates()


def test_a_line_that_completes_later_is_read_once(env):
    line = claude_assistant(2, session="bad", out=77)
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad"), claude_assistant(1, session="bad")])
    text = write_jsonl(env.tmp / "line.jsonl", [line]).read_bytes()
    with open(bad, "ab") as handle:
        handle.write(text[:40])
    env.ingest()
    with open(bad, "ab") as handle:
        handle.write(text[40:])
    ing = env.ingest()
    assert session_row(ing, "bad")["output_tokens"] == 10 + 77
    ing = env.ingest(fresh=True)
    assert session_row(ing, "bad")["output_tokens"] == 10 + 77
    assert (session_row(ing, "bad")["calls"], file_row(ing, bad)["pending_bytes"]) == (2, 0)
    assert skipped_reasons(ing, bad) == {}
    env.assert_good_session_updates()


def test_non_utf8_and_invalid_json_lines_are_counted_and_skipped(env):
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad")])
    with open(bad, "ab") as handle:
        handle.write(b'{"type":"user","message":{"content":"caf\xe9 \xff\xfe"}}\n')
        handle.write(b'{"type":"user", oops\n')
        handle.write(b"[1, 2, 3]\n")
    write_jsonl(bad, [claude_assistant(1, session="bad")], mode="a")
    ing = env.ingest()
    assert skipped_reasons(ing, bad) == {"non-utf8": 1, "invalid-json": 1, "not-an-object": 1}
    assert session_row(ing, "bad")["calls"] == 1
    assert session_row(ing, "bad")["skipped_lines"] == 3
    env.assert_good_session_updates()


def test_a_20_mb_single_line_is_ingested(env):
    huge = "y" * (20 * 1024 * 1024)  # a 20 MiB prompt (one word: full-text indexing stays cheap)
    bad = write_jsonl(_bad(env), [claude_user(0, huge, session="bad"), claude_assistant(1, session="bad")])
    assert bad.stat().st_size > 20 * 1024 * 1024
    ing = env.ingest()
    assert session_row(ing, "bad")["calls"] == 1
    assert fetch(ing, "SELECT length(text) FROM prompts WHERE path = ?", str(bad)) == [(len(huge),)]
    assert skipped_reasons(ing, bad) == {}
    env.assert_good_session_updates()


def test_an_oversized_line_is_skipped_and_counted(env, monkeypatch):
    monkeypatch.setattr(tailer, "MAX_LINE", 10_000)
    bad = write_jsonl(_bad(env), [claude_user(0, "x" * 50_000, session="bad"), claude_assistant(1, session="bad")])
    ing = env.ingest()
    assert skipped_reasons(ing, bad) == {"oversized": 1}
    assert session_row(ing, "bad")["calls"] == 1
    env.assert_good_session_updates()


def test_a_binary_file_named_jsonl_is_flagged_and_stays_flagged(env):
    bad = _bad(env)
    bad.write_bytes(b"\x00\x00\x00SQLite format 3\x00" + os.urandom(4096))
    ing = env.ingest()
    assert "binary" in file_row(ing, bad)["error"]
    assert session_row(ing, "bad") is None
    # the flag used to be cleared by the next poll, which reads nothing new
    ing = env.ingest()
    assert "binary" in file_row(ing, bad)["error"]
    ing = env.ingest(fresh=True)
    assert "binary" in file_row(ing, bad)["error"]
    env.assert_good_session_updates()


def test_unknown_line_types_pass_through_without_error(env):
    bad = write_jsonl(_bad(env), [
        {"type": "attachment", "attachment": {"type": "file", "path": "x"}},
        {"type": "ai-title", "aiTitle": "Fix the \x1b[31mbuild\x1b[0m"},
        {"type": "cost-state", "costUSD": 1.5},
        {"type": "brand-new-type-2030", "uuid": "z"},
        {"type": ["list"]},  # an unhashable "type" used to raise TypeError and abort the whole ingest
        {"type": {"obj": 1}},
        {"no_type": True},
        claude_user(0, session="bad"),
        claude_assistant(1, session="bad"),
    ])
    ing = env.ingest()
    row = session_row(ing, "bad")
    assert row["calls"] == 1 and row["title"] == "Fix the \\x1b[31mbuild\\x1b[0m"
    assert skipped_reasons(ing, bad) == {}
    assert file_row(ing, bad)["error"] is None
    env.assert_good_session_updates()


def test_missing_or_null_usage_fields(env):
    null_fields = claude_assistant(1, session="bad")
    null_fields["message"]["usage"] = {"input_tokens": None, "output_tokens": 5}
    null_usage = claude_assistant(2, session="bad")
    null_usage["message"]["usage"] = None
    no_usage = claude_assistant(3, session="bad")
    del no_usage["message"]["usage"]
    no_message = {"type": "assistant", "uuid": "x", "timestamp": "2026-02-12T16:00:09.000Z"}
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad"), null_fields, null_usage, no_usage, no_message])
    ing = env.ingest()
    row = session_row(ing, "bad")
    assert (row["calls"], row["input_tokens"], row["output_tokens"], row["prompt_tokens"]) == (1, 0, 5, 0)
    assert skipped_reasons(ing, bad) == {"bad-message": 1}
    env.assert_good_session_updates()


def test_negative_or_absurd_numbers_are_skipped_as_bad_usage(env):
    negative = claude_assistant(1, session="bad", inp=-10)
    absurd = claude_assistant(2, session="bad", cr=10**15)
    as_float = claude_assistant(3, session="bad", out=1e300)
    text = claude_assistant(4, session="bad")
    text["message"]["usage"]["output_tokens"] = "many"
    ok = claude_assistant(5, session="bad", cr=2_000)
    compaction = {"type": "system", "subtype": "compact_boundary", "timestamp": "2026-02-12T16:00:01.000Z",
                  "compactMetadata": {"trigger": "auto", "preTokens": -1, "postTokens": 10**20}}
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad"), negative, absurd, as_float, text, compaction, ok])
    ing = env.ingest()
    assert skipped_reasons(ing, bad) == {"bad-usage": 4}
    row = session_row(ing, "bad")
    assert (row["calls"], row["cache_read_input_tokens"], row["prompt_tokens"]) == (1, 2_000, 2_101)
    assert fetch(ing, "SELECT pre_tokens, post_tokens FROM compactions WHERE path = ?", str(bad)) == [(None, None)]
    env.assert_good_session_updates()


def test_codex_absurd_numbers_do_not_abort_the_ingest(env):
    lines = codex_rollout_lines()
    lines.insert(5, codex_token_count(5_000, 200, 4_000, 100, window=1e20))  # too large for SQLite as an int
    lines.insert(6, codex_token_count(5_000, 200, -4, 100))
    path = write_jsonl(env.codex / codex_rollout_name(), lines)
    ing = env.ingest()
    sid = file_row(ing, path)["session_id"]
    row = session_row(ing, sid)
    assert row["calls"] == 2 and row["window"] == 258_400
    assert skipped_reasons(ing, path) == {"bad-usage": 1}
    env.assert_good_session_updates()


def test_a_file_deleted_while_tailed_ends_its_session_and_keeps_its_data(env):
    bad = write_jsonl(_bad(env), [claude_user(0, "remember me", session="bad"), claude_assistant(1, session="bad")])
    ing = env.ingest()
    before = session_row(ing, "bad")
    bad.unlink()
    ing = env.ingest()
    row = session_row(ing, "bad")
    assert (row["ended"], row["state"]) == (1, "ended")
    assert (row["calls"], row["output_tokens"], row["prompt_tokens"]) == (
        before["calls"], before["output_tokens"], before["prompt_tokens"])
    assert fetch(ing, "SELECT text FROM prompts WHERE session_id = 'bad'") == [("remember me",)]
    assert file_row(ing, bad)["gone"] == 1
    env.assert_good_session_updates()
    assert session_row(env.ingest(fresh=True), "bad")["ended"] == 1


def test_a_file_truncated_while_read_is_read_again_from_zero(env, monkeypatch):
    monkeypatch.setattr(tailer, "CHUNK", 1024)
    lines = [claude_user(0, session="bad")] + [claude_assistant(i, session="bad", out=i) for i in range(1, 200)]
    bad = write_jsonl(_bad(env), lines)
    ing = env.ingest()
    record = next(r for r in ing.discover() if r.path == str(bad))
    # a budgeted read stops part way, then the file is cut under the reader
    write_jsonl(bad, [claude_assistant(i, session="bad", out=i) for i in range(200, 400)], mode="a")
    partial = ing.ingest_file(record, max_bytes=1)
    assert partial.more
    write_jsonl(bad, [claude_user(0, session="bad"), claude_assistant(1, session="bad", out=1000)])
    ing.ingest_all()
    row = session_row(ing, "bad")
    assert (row["calls"], row["output_tokens"]) == (1, 1000)
    env.assert_good_session_updates()


def test_permission_denied_is_reported_on_the_file_and_clears_when_readable(env, monkeypatch):
    bad = write_jsonl(_bad(env), [claude_user(0, session="bad"), claude_assistant(1, session="bad")])
    if is_root():
        # root reads anything: simulate the denial at open()
        real_open = builtins.open

        def denying_open(path, *args, **kwargs):
            if str(path) == str(bad):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(path, *args, **kwargs)

        monkeypatch.setattr(tailer, "open", denying_open, raising=False)
    else:
        bad.chmod(0)
    ing = env.ingest()
    assert file_row(ing, bad)["error"] == "cannot read: Permission denied"
    assert session_row(ing, "bad") is None
    env.assert_good_session_updates()

    if is_root():
        monkeypatch.undo()
    else:
        bad.chmod(0o644)
    ing = env.ingest()
    assert file_row(ing, bad)["error"] is None
    assert session_row(ing, "bad")["calls"] == 1


def test_a_symlink_loop_in_the_projects_dir_is_reported_not_followed(env):
    os.symlink(env.projects, env.projects / "loop")
    os.symlink(env.projects.parent, env.projects / "up")
    os.symlink("a.jsonl", env.projects / "b.jsonl")
    os.symlink("b.jsonl", env.projects / "a.jsonl")
    ing = env.ingest()
    assert any("a.jsonl" in e or "b.jsonl" in e for e in ing.discovery_errors)
    assert [r[0] for r in fetch(ing, "SELECT session_id FROM sessions")] == ["good"]
    assert fetch(ing, "SELECT COUNT(*) FROM files")[0][0] == 1
    env.assert_good_session_updates()


def test_an_empty_root_and_an_empty_file(env, tmp_path):
    (tmp_path / "empty-root").mkdir()
    ing = Ingestor(open_db(tmp_path / "e.db"), claude_roots([str(tmp_path / "empty-root")]),
                   codex_roots([str(tmp_path / "empty-root")]))
    result = ing.ingest_all()
    assert (result.lines, fetch(ing, "SELECT COUNT(*) FROM sessions")[0][0], ing.discovery_errors) == (0, 0, [])

    empty = _bad(env, "empty.jsonl")
    empty.touch()
    ing = env.ingest()
    assert session_row(ing, "empty") is None
    assert file_row(ing, empty)["error"] is None
    env.assert_good_session_updates()
