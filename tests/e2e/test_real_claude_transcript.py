"""End to end with the real Claude Code: the transcript it writes, indexed by cockpit's own entry point and
compared with what the stand-in Messages API sent.

The run is test_real_claude.py's (same world, same stand-in, no cockpit hooks installed): `claude -p` in a
scratch git repository, the stand-in answering the first turn with one Bash `git status` and the next with
text. Claude Code 2.1.332 writes many line types beside the messages (`attachment`, `api-request`,
`api-request-shape`, `api-request-blob`, `tools-used`, `atis-latch`, `cost-state`, `last-prompt`,
`queue-operation`); cockpit must read them or knowingly ignore them, count none as junk, and count the usage
once (`cost-state` repeats it as running totals).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from standin_messages_api import MODEL

from cockpit.cli import main as cockpit_main
from cockpit.core import claude
from cockpit.sources.conversation import conversation
from cockpit.store.db import open_db
from cockpit.store.queries import session_tools

from .clients import CLAUDE_VERSION
from .test_real_claude import World, make_world, run_claude

pytestmark = pytest.mark.e2e

PROMPT = "Push my branch to origin, please."  # the prompt run_claude gives
COMMAND = {"command": "git status", "description": "Show the status"}


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _cockpit_json(world: World, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    capsys.readouterr()
    empty = world.root / "no-codex"
    empty.mkdir(exist_ok=True)
    code = cockpit_main([*args, "--json", "--claude-dir", str(world.home / ".claude"), "--codex-dir", str(empty),
                         "--db", str(world.root / "index.db")])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return json.loads(captured.out)


def test_a_real_claude_transcript_is_read_whole(tmp_path: Path, claude_exe: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    world = make_world(tmp_path, claude_exe)
    run = run_claude(world, "Bash", COMMAND)
    text, is_error = run.only_result()
    assert not is_error and "On branch main" in text, run.explain()
    # What the stand-in sent: every main-loop answer carries the same usage (standin_messages_api._message).
    answers = run.api.main_requests()
    assert [r.answer for r in answers] == ["tool_use", "text"], run.explain()
    per_answer = {"input_tokens": 100, "output_tokens": 20, "cache_creation_input_tokens": 0,
                  "cache_read_input_tokens": 0}

    (transcript,) = sorted((world.home / ".claude" / "projects").rglob("*.jsonl"))
    lines = _lines(transcript)
    kinds = {claude.known_kind(o) for o in lines}
    unknown = sorted(kind for kind, known in kinds if not known)
    assert unknown == [], f"Claude Code {CLAUDE_VERSION} writes line types cockpit does not know: {unknown}"
    written = {kind for kind, _known in kinds}
    # The 2.1.332 shapes this test is about are really there (a client that stopped writing them would
    # make the checks below prove less).
    assert {"attachment", "api-request", "cost-state", "last-prompt"} <= written, sorted(written)
    (cost_state,) = [o for o in lines if o["type"] == "cost-state"][-1:]

    (session,) = _cockpit_json(world, capsys, "sessions", "--all")
    sid = session["session_id"]
    assert transcript.stem == sid
    got = {
        "title": session["title"],
        "project": session["project"],
        "model": session["model"],
        "usage": session["usage"],
        "context": session["context"]["prompt_tokens"],
        "compactions": session["compactions"],
        "skipped_lines": session["skipped_lines"],
    }
    expected = {
        "title": PROMPT,
        "project": str(world.repo),
        "model": MODEL,
        "usage": {k: v * len(answers) for k, v in per_answer.items()},
        "context": per_answer["input_tokens"],
        "compactions": [],
        "skipped_lines": 0,
    }
    assert got == expected, run.explain()
    # The client's own running totals say the same, and were not added a second time.
    (model_usage,) = cost_state["modelUsage"].values()
    assert (model_usage["inputTokens"], model_usage["outputTokens"]) == (
        session["usage"]["input_tokens"], session["usage"]["output_tokens"])

    db = open_db(world.root / "index.db")
    prompts = [t for (t,) in db.execute("SELECT text FROM prompts WHERE session_id = ? ORDER BY seq", (sid,))]
    assert prompts == [PROMPT]
    assert [(t.name, t.summary, t.is_error) for t in session_tools(db, sid)] == [("Bash", "git status", False)]
    assert db.execute("SELECT COUNT(*) FROM api_calls WHERE session_id = ?", (sid,)).fetchone()[0] == len(answers)

    gauge = _cockpit_json(world, capsys, "context", sid)
    assert gauge["context"]["prompt_tokens"] == per_answer["input_tokens"]

    said, _cut = conversation(transcript)
    assert [(u.role, u.text) for u in said] == [("user", PROMPT), ("assistant", "Done.")]
