"""The demo workspace and simulator: layout, a real git repo, transcripts the real parsers and the
store accept without a skipped line, and the story the demo promises (40 % crossing, one auto
compaction, a subagent, a Codex session inside its window). Runs at speed 1000 on a fake clock."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import pytest

from cockpit.core import claude
from cockpit.core.codex import CodexParser
from cockpit.core.models import ApiCall, CompactionFact, SkippedLine
from cockpit.demo.workspace import Simulator, Workspace, create_workspace, project_slug
from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db

NOW = datetime(2026, 2, 12, 16, 0, tzinfo=UTC)
SPEED = 1000.0
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@dataclass
class Played:
    ws: Workspace
    first_paint: dict[Path, bytes]  # live files as create_workspace left them
    partial_after: list[list[Path]]  # per step: files whose last line is incomplete
    script_seconds: float


def jsonl_files(ws: Workspace) -> list[Path]:
    return sorted([*ws.claude_dir.rglob("*.jsonl"), *ws.codex_dir.rglob("*.jsonl")])


def rows(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(raw) for raw in path.read_bytes().splitlines()]


def ts(obj: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(obj["timestamp"].replace("Z", "+00:00"))


def last_ts(path: Path) -> datetime:
    return max(ts(r) for r in rows(path) if "timestamp" in r)


def model_of(path: Path) -> str:
    return next(r["message"]["model"] for r in rows(path) if r.get("type") == "assistant")


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Played:
    ws = create_workspace(tmp_path_factory.mktemp("demo"), now=NOW)
    first_paint = {p: p.read_bytes() for p in jsonl_files(ws) if last_ts(p) >= NOW - timedelta(minutes=5)}
    elapsed = [0.0]
    sim = Simulator(ws, speed=SPEED, clock=lambda: NOW + timedelta(seconds=elapsed[0]))
    partial_after = []
    while not sim.finished:
        elapsed[0] += sim.step() * SPEED
        partial_after.append([p for p in jsonl_files(ws) if not p.read_bytes().endswith(b"\n")])
    return Played(ws, first_paint, partial_after, elapsed[0])


def main_claude_files(ws: Workspace) -> list[Path]:
    return [p for p in ws.claude_dir.rglob("*.jsonl") if "subagents" not in p.parts]


def live_claude(ws: Workspace, model: str) -> Path:
    """The live Claude session whose main thread uses `model` (history sessions started days ago)."""
    live = [p for p in main_claude_files(ws) if ts(next(r for r in rows(p) if "timestamp" in r)) > NOW - timedelta(hours=1)]
    return next(p for p in live if model_of(p) == model)


def codex_files(ws: Workspace) -> tuple[Path, Path]:
    """(the history rollout, the live rollout)."""
    files = sorted(ws.codex_dir.rglob("*.jsonl"), key=lambda p: rows(p)[0]["timestamp"])
    assert len(files) == 2
    return files[0], files[1]


def prompt_tokens(msg: dict[str, Any]) -> int:
    u = msg["usage"]
    return u["input_tokens"] + u["cache_creation_input_tokens"] + u["cache_read_input_tokens"]


# ---- layout and repo ---------------------------------------------------------------------------


def test_layout(played: Played) -> None:
    ws = played.ws
    assert ws.repo.is_dir() and ws.repo.parent == ws.root
    slug = re.sub(r"[^a-zA-Z0-9]", "-", str(ws.repo))
    assert project_slug(str(ws.repo)) == slug
    mains = main_claude_files(ws)
    assert len(mains) == 5  # three finished sessions and two live ones
    for path in mains:
        assert path.parent == ws.claude_dir / "projects" / slug
        assert re.fullmatch(UUID + r"\.jsonl", path.name)
    for path in ws.codex_dir.rglob("*.jsonl"):
        rel = path.relative_to(ws.codex_dir / "sessions").as_posix()
        assert re.fullmatch(r"\d{4}/\d\d/\d\d/rollout-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-" + UUID + r"\.jsonl", rel), rel
    for path in jsonl_files(ws):
        assert path.read_bytes().endswith(b"\n")
        for obj in rows(path):
            assert "timestamp" not in obj or TS.match(obj["timestamp"]), obj["timestamp"]


def test_git_repo_history(played: Played) -> None:
    repo = played.ws.repo

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout

    log = git("log", "--format=%an|%aI").splitlines()
    assert 10 <= len(log) <= 20
    assert 1 <= len({line.split("|")[0] for line in log}) <= 2
    dates = [datetime.fromisoformat(line.split("|")[1]) for line in log]
    assert NOW - timedelta(days=6) < min(dates) and max(dates) < NOW
    assert max(dates) - min(dates) > timedelta(days=2)
    assert (repo / "README.md").is_file()
    assert any((repo / "src").rglob("*.py")) and any((repo / "tests").rglob("test_*.py"))
    issues = [json.loads(line) for line in (repo / ".beads" / "issues.jsonl").read_text().splitlines()]
    assert 6 <= len(issues) <= 12
    for issue in issues:
        assert {"id", "title", "status", "priority", "issue_type", "created_at", "updated_at"} <= issue.keys()
        assert (issue["status"] == "closed") == ("closed_at" in issue)
    assert {"open", "in_progress", "closed"} <= {i["status"] for i in issues}
    assert any(d["type"] == "blocks" for i in issues for d in i.get("dependencies", []))


def test_history_holds_the_markup_probe(played: Played) -> None:
    prompts = [r["message"]["content"] for p in main_claude_files(played.ws) for r in rows(p)
               if r.get("type") == "user" and isinstance(r["message"]["content"], str)]
    assert any("[bold red]not markup[/]" in p for p in prompts)


def test_first_paint_has_three_live_sessions(played: Played) -> None:
    paint = played.first_paint
    assert len(paint) == 3
    assert all(data.endswith(b"\n") for data in paint.values())
    main = live_claude(played.ws, "claude-opus-4-6")
    head = [orjson.loads(raw) for raw in paint[main].splitlines()]
    last = [r for r in head if r.get("type") == "assistant"][-1]
    assert 0.25 <= prompt_tokens(last["message"]) / 200_000 < 0.35
    assert max(ts(r) for r in head if "timestamp" in r) <= NOW


# ---- every line is accepted by the real parsers --------------------------------------------------


def test_parsers_accept_every_line(played: Played) -> None:
    total = 0
    for path in played.ws.claude_dir.rglob("*.jsonl"):
        subagent = "subagents" in path.parts
        for obj in rows(path):
            facts = claude.parse_line(obj, subagent_file=subagent)
            assert not [f for f in facts if isinstance(f, SkippedLine)], (path.name, obj)
            total += 1
    for path in played.ws.codex_dir.rglob("*.jsonl"):
        parser = CodexParser()
        for obj in rows(path):
            assert not [f for f in parser.parse_line(obj) if isinstance(f, SkippedLine)], (path.name, obj)
            total += 1
    assert total > 300


def test_timestamps_never_go_backwards(played: Played) -> None:
    for path in jsonl_files(played.ws):
        stamps = [r["timestamp"] for r in rows(path) if "timestamp" in r]
        assert stamps == sorted(stamps), path.name


# ---- session 1: the climb and the auto compaction --------------------------------------------------


def test_session_one_crosses_40_percent_then_auto_compacts(played: Played) -> None:
    main = live_claude(played.ws, "claude-opus-4-6")
    lines = rows(main)
    calls = [f for r in lines for f in claude.parse_line(r) if isinstance(f, ApiCall)]
    assert all(not c.is_sidechain for c in calls)
    crossing = next(c for c in calls if c.context_tokens > 0.40 * 200_000)
    assert ts({"timestamp": crossing.ts}) - NOW <= timedelta(seconds=45)  # a newcomer sees it happen
    boundaries = [r for r in lines if r.get("subtype") == "compact_boundary"]
    assert len(boundaries) == 1
    meta = boundaries[0]["compactMetadata"]
    assert meta["trigger"] == "auto" and 160_000 <= meta["preTokens"] <= 170_000
    assert boundaries[0]["parentUuid"] is None and boundaries[0]["logicalParentUuid"]
    at = lines.index(boundaries[0])
    summary = lines[at + 1]
    assert summary["isCompactSummary"] is True and summary["parentUuid"] == boundaries[0]["uuid"]
    after = [f for r in lines[at:] for f in claude.parse_line(r) if isinstance(f, ApiCall)]
    assert 30_000 <= after[0].context_tokens <= 40_000
    compaction = [f for r in lines for f in claude.parse_line(r) if isinstance(f, CompactionFact)]
    assert [(c.trigger, c.pre_tokens) for c in compaction] == [("auto", meta["preTokens"])]
    subagents = main.with_suffix("") / "subagents"
    assert [p.name for p in subagents.glob("*.jsonl")] == [next(subagents.glob("agent-acompact-*.jsonl")).name]
    assert re.fullmatch(r"agent-acompact-[0-9a-f]{6}\.jsonl", next(subagents.glob("*.jsonl")).name)
    kinds = {r.get("type") for r in lines}
    assert "ai-title" in kinds and "custom-title" not in kinds
    assert {"progress", "file-history-snapshot"} <= kinds
    assert any(r.get("subtype") == "turn_duration" for r in lines)


def test_block_lines_share_ids_and_only_the_last_has_the_output(played: Played) -> None:
    main = live_claude(played.ws, "claude-opus-4-6")
    by_id: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows(main):
        if r.get("type") == "assistant":
            by_id[r["message"]["id"]].append(r)
    sizes = {len(v) for v in by_id.values()}
    assert 1 in sizes and (2 in sizes or 3 in sizes) and max(sizes) <= 3
    for group in by_id.values():
        assert len({g["requestId"] for g in group}) == 1
        assert len({prompt_tokens(g["message"]) for g in group}) == 1
        outs = [g["message"]["usage"]["output_tokens"] for g in group]
        assert all(o <= outs[-1] for o in outs)


def test_every_tool_use_gets_its_result(played: Played) -> None:
    for path in played.ws.claude_dir.rglob("*.jsonl"):
        used, answered = set(), set()
        for r in rows(path):
            content = r.get("message", {}).get("content") if r.get("type") in ("assistant", "user") else None
            for block in content if isinstance(content, list) else []:
                if block.get("type") == "tool_use":
                    used.add(block["id"])
                elif block.get("type") == "tool_result":
                    answered.add(block["tool_use_id"])
        assert used == answered, path.name


def test_one_deliberate_partial_line_in_session_one(played: Played) -> None:
    partial = [files for files in played.partial_after if files]
    assert len(partial) == 1
    assert partial[0] == [live_claude(played.ws, "claude-opus-4-6")]


def test_script_length(played: Played) -> None:
    assert 180 <= played.script_seconds <= 240


# ---- session 2: the subagent ---------------------------------------------------------------------


def test_session_two_spawns_a_subagent(played: Played) -> None:
    parent = live_claude(played.ws, "claude-sonnet-4-5-20250929")
    files = list((parent.with_suffix("") / "subagents").glob("*.jsonl"))
    assert len(files) == 1 and re.fullmatch(r"agent-a[0-9a-f]{7}\.jsonl", files[0].name)
    agent_id = files[0].stem.removeprefix("agent-")
    sub = rows(files[0])
    assert sub[0]["parentUuid"] is None and sub[0]["type"] == "user"
    assert all(r["isSidechain"] is True and r["agentId"] == agent_id for r in sub)
    assert {r["message"]["model"] for r in sub if r["type"] == "assistant"} == {"claude-haiku-4-5-20251001"}
    calls = [f for r in sub for f in claude.parse_line(r, subagent_file=True) if isinstance(f, ApiCall)]
    assert calls and all(c.is_sidechain for c in calls)
    lines = rows(parent)
    task = next(b for r in lines if r.get("type") == "assistant" for b in r["message"]["content"]
                if b.get("type") == "tool_use" and b["name"] == "Task")
    result = next(r for r in lines if r.get("type") == "user" and isinstance(r["message"]["content"], list)
                  and r["message"]["content"][0].get("tool_use_id") == task["id"])
    assert result["toolUseResult"]["agentId"] == agent_id
    assert ts(result) >= max(ts(r) for r in sub)


# ---- session 3: Codex ------------------------------------------------------------------------------


def test_codex_session(played: Played) -> None:
    _, live = codex_files(played.ws)
    lines = rows(live)
    assert lines[0]["type"] == "session_meta"
    assert {r["payload"]["model"] for r in lines if r["type"] == "turn_context"} == {"gpt-5.3-codex"}
    counts = [r["payload"] for r in lines if r["type"] == "event_msg" and r["payload"]["type"] == "token_count"]
    assert counts[0]["info"] is None and all(c["info"] is not None for c in counts[1:])
    real = counts[1:]
    assert len(real) % 2 == 0 and all(a["info"] == b["info"] for a, b in zip(real[::2], real[1::2], strict=True))
    assert {c["info"]["model_context_window"] for c in real} == {258_400}
    assert real[-1]["info"]["last_token_usage"]["total_tokens"] < 258_400
    events = [r["payload"]["type"] for r in lines if r["type"] == "event_msg"]
    assert "user_message" in events and events[-1] == "task_complete"
    items = [r["payload"]["type"] for r in lines if r["type"] == "response_item"]
    assert items.count("function_call") == items.count("function_call_output") > 0


# ---- through the store -------------------------------------------------------------------------------


def test_store_ingests_everything(played: Played, tmp_path: Path) -> None:
    ws = played.ws
    db = open_db(tmp_path / "c.db")
    Ingestor(db, claude_roots([str(ws.claude_dir)]), codex_roots([str(ws.codex_dir)])).ingest_all()
    sessions = {r["session_id"]: r for r in db.query("SELECT * FROM sessions")}
    assert len(sessions) == 7  # 3 Claude + 1 Codex finished, 2 Claude + 1 Codex live
    assert sum(1 for s in sessions.values() if s["agent"] == "codex") == 2
    assert all(s["skipped_lines"] == 0 for s in sessions.values())
    one = sessions[live_claude(ws, "claude-opus-4-6").stem]
    assert one["compaction_count"] == 1 and one["peak_tokens"] > 160_000 and one["context_tokens"] < 50_000
    assert one["subagents"] == 0 and one["title"] == "Support the 2026 NOAA CSV layout in the parser"
    two = sessions[live_claude(ws, "claude-sonnet-4-5-20250929").stem]
    assert two["subagents"] == 1
    codex = sessions[next(s for s in sessions if s in codex_files(ws)[1].name)]
    assert codex["window"] == 258_400 and codex["model"] == "gpt-5.3-codex"
    assert sum(s["compaction_count"] for s in sessions.values()) == 2  # one live, one in the history
    assert db.execute("SELECT COUNT(*) FROM prompts WHERE text LIKE '%[bold red]not markup[/]%'").fetchone()[0] == 1


def test_live_ingest_step_by_step_matches_a_full_ingest(tmp_path: Path) -> None:
    """Ingesting after every step (as the dashboard does) sees the partial line as pending, never
    as a bad line, and ends where a single full ingest of the finished files ends."""
    ws = create_workspace(tmp_path / "ws", now=NOW)
    live = Ingestor(open_db(tmp_path / "live.db"), claude_roots([str(ws.claude_dir)]), codex_roots([str(ws.codex_dir)]))
    live.ingest_all()
    elapsed = [0.0]
    sim = Simulator(ws, speed=SPEED, clock=lambda: NOW + timedelta(seconds=elapsed[0]))
    while not sim.finished:
        elapsed[0] += sim.step() * SPEED
        live.ingest_all()
    full = Ingestor(open_db(tmp_path / "full.db"), claude_roots([str(ws.claude_dir)]), codex_roots([str(ws.codex_dir)]))
    full.ingest_all()
    columns = ("session_id, title, model, prompt_tokens, context_tokens, peak_tokens, compaction_count, subagents,"
               " skipped_lines, calls, input_tokens, output_tokens, cache_read_input_tokens, state")
    query = f"SELECT {columns} FROM sessions ORDER BY session_id"
    assert list(live.db.query(query)) == list(full.db.query(query))
    assert live.db.execute("SELECT COUNT(*) FROM skipped").fetchone()[0] == 0


# ---- the simulator's contract ----------------------------------------------------------------------


def test_run_plays_to_the_end_then_idles_until_stopped(tmp_path: Path) -> None:
    ws = create_workspace(tmp_path / "ws", now=NOW)
    sim = Simulator(ws, speed=1e6)
    stop = threading.Event()
    thread = threading.Thread(target=sim.run, args=(stop,), daemon=True)
    thread.start()
    for _ in range(500):
        if sim.finished:
            break
        thread.join(0.01)
    assert sim.finished and thread.is_alive()  # finished, idling
    sizes = {p: p.stat().st_size for p in jsonl_files(ws)}
    thread.join(0.05)
    assert {p: p.stat().st_size for p in jsonl_files(ws)} == sizes
    stop.set()
    thread.join(2)
    assert not thread.is_alive()
    assert sim.step() > 0  # nothing left: a caller polling step() does not spin


def test_a_played_workspace_is_not_replayed(played: Played) -> None:
    with pytest.raises(ValueError, match="create a new workspace"):
        Simulator(played.ws)
    with pytest.raises(FileExistsError):
        create_workspace(played.ws.root)


def test_demo_does_not_import_the_ui() -> None:
    code = "import sys, cockpit.demo.workspace; print(sorted({m.split('.')[0] for m in sys.modules} & {'textual', 'rich'}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_same_seed_same_workspace(tmp_path: Path) -> None:
    a = create_workspace(tmp_path / "a", now=NOW)
    b = create_workspace(tmp_path / "b", now=NOW)
    files_a = [p.relative_to(a.root) for p in jsonl_files(a)]
    assert [str(p).replace(project_slug(str(a.repo)), "") for p in files_a] == [
        str(p.relative_to(b.root)).replace(project_slug(str(b.repo)), "") for p in jsonl_files(b)]
    for rel, other in zip(jsonl_files(a), jsonl_files(b), strict=True):
        assert rel.read_text().replace(str(a.root), "") == other.read_text().replace(str(b.root), "")
