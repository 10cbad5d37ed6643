"""Shared fixtures: the real transcripts the tests carry under tests/data, copied before anything
touches them, and small builders for synthetic Claude Code / Codex lines."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from cockpit.ingest.pipeline import Ingestor
from cockpit.sources.discovery import claude_roots, codex_roots
from cockpit.store.db import open_db

# Real files written by other people, with their licences (tests/data/README.md): nothing outside the repo.
REAL_DATA = Path(__file__).resolve().parent / "data"

SPOTTER_LONG = ("258c7280-ae70-4798-800f-63464d01a85d", "4d5611e5-241a-462a-8d15-5122611a9569")
CODEX_CUT_MID_TOOL = "rollout-2026-02-23T13-19-38-019c8a70-dda7-7f33-98ea-f30553347322.jsonl"


@pytest.fixture(autouse=True)
def _hermetic_user_files(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the real user's config or store: hooks and commands (and their subprocesses)
    get a config path of their own; a test that needs a user config writes it there."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("COCKPIT_CONFIG", str(home / "config.toml"))
    if "COCKPIT_DB" not in os.environ:
        monkeypatch.setenv("COCKPIT_DB", str(home / "cockpit.db"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """tests/data: real transcripts written by other people, shared by the tests (copy before use)."""
    return REAL_DATA


def _make_writable(path: Path) -> None:
    """A checkout may hold the data read-only; copies must be writable so tests can append or truncate."""
    paths = [path] if path.is_file() else [path, *path.rglob("*")]
    for p in paths:
        mode = p.stat().st_mode
        p.chmod(mode | stat.S_IWUSR | (stat.S_IXUSR if p.is_dir() else 0))


def copy_real(src: Path, dest: Path) -> Path:
    """Copy a real file or folder to `dest` (created) and make the copy writable."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dest)
    else:
        shutil.copy2(src, dest)
    _make_writable(dest)
    return dest


@pytest.fixture
def copy_data(tmp_path: Path, shared_data: Path) -> Callable[..., Path]:
    """copy_data("claude/spotter", "claude") -> tmp_path/"claude" holding a writable copy."""

    def copy(relative: str, dest: str | None = None) -> Path:
        src = shared_data / relative
        return copy_real(src, tmp_path / (dest or Path(relative).name))

    return copy


def run_ingest(db_path: Path, claude: Iterable[Path] = (), codex: Iterable[Path] = ()) -> Ingestor:
    """A fresh Ingestor over the given roots (as --claude-dir/--codex-dir flags), after one full ingest."""
    ingestor = Ingestor(
        open_db(db_path),
        claude_roots([str(p) for p in claude]),
        codex_roots([str(p) for p in codex]),
    )
    ingestor.ingest_all()
    return ingestor


@pytest.fixture
def ingest() -> Callable[..., Ingestor]:
    return run_ingest


# ---- synthetic lines ------------------------------------------------------------------------


def write_jsonl(path: Path, objects: Iterable[Any], mode: str = "w") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, mode, encoding="utf-8", newline="") as handle:
        for obj in objects:
            handle.write((obj if isinstance(obj, str) else json.dumps(obj)) + "\n")
    return path


def claude_assistant(
    n: int,
    *,
    session: str = "sess",
    msg_id: str | None = None,
    request_id: str | None = None,
    model: str = "claude-opus-4-6",
    inp: int = 1,
    out: int = 10,
    cc: int = 100,
    cr: int = 1000,
    content: list[dict[str, Any]] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    usage = {"input_tokens": inp, "output_tokens": out, "cache_creation_input_tokens": cc, "cache_read_input_tokens": cr}
    return {
        "type": "assistant",
        "sessionId": session,
        "uuid": f"a-{n}",
        "isSidechain": False,
        "cwd": "/home/dev/proj",
        "timestamp": f"2026-02-12T16:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        "requestId": request_id or f"req_{session}_{n}",
        "message": {
            "model": model,
            "id": msg_id or f"msg_{session}_{n}",
            "type": "message",
            "role": "assistant",
            "content": content or [{"type": "text", "text": f"answer {n}"}],
            "usage": usage,
        },
        **extra,
    }


def claude_user(n: int, text: str = "do it", *, session: str = "sess", **extra: Any) -> dict[str, Any]:
    return {
        "type": "user",
        "sessionId": session,
        "uuid": f"u-{n}",
        "isSidechain": False,
        "cwd": "/home/dev/proj",
        "timestamp": f"2026-02-12T16:{n // 60 % 60:02d}:{n % 60:02d}.000Z",
        "message": {"role": "user", "content": text},
        **extra,
    }


def codex_token_count(total_in: int, total_out: int, last_in: int, last_out: int, *, cached: int = 0,
                      window: Any = 258_400, ts: str = "2026-02-23T11:55:16.025Z") -> dict[str, Any]:
    return {
        "timestamp": ts,
        "type": "event_msg",
        "payload": {
            "type": "token_count",
            "info": {
                "total_token_usage": {"input_tokens": total_in, "cached_input_tokens": 0, "output_tokens": total_out,
                                      "reasoning_output_tokens": 0, "total_tokens": total_in + total_out},
                "last_token_usage": {"input_tokens": last_in, "cached_input_tokens": cached, "output_tokens": last_out,
                                     "reasoning_output_tokens": 0, "total_tokens": last_in + last_out},
                "model_context_window": window,
            },
            "rate_limits": None,
        },
    }


def codex_rollout_lines(model: str = "gpt-5.3-codex") -> list[dict[str, Any]]:
    ts = "2026-02-23T11:55:00.000Z"
    return [
        {"timestamp": ts, "type": "session_meta", "payload": {"id": "x", "cwd": "/w", "cli_version": "0.104.0"}},
        {"timestamp": ts, "type": "turn_context", "payload": {"turn_id": "t1", "cwd": "/w", "model": model}},
        {"timestamp": ts, "type": "event_msg", "payload": {"type": "user_message", "message": "hello"}},
        {"timestamp": ts, "type": "event_msg", "payload": {"type": "token_count", "info": None}},
        codex_token_count(1000, 100, 1000, 100),
        codex_token_count(1000, 100, 1000, 100),
        {"timestamp": ts, "type": "event_msg", "payload": {"type": "task_complete", "turn_id": "t1"}},
    ]


def codex_rollout_name(session_uuid: str = "019c0000-0000-7000-8000-000000000001") -> str:
    return f"rollout-2026-02-23T12-00-00-{session_uuid}.jsonl"


def fetch(ingestor: Ingestor, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return ingestor.db.execute(sql, params).fetchall()


def session_row(ingestor: Ingestor, session_id: str) -> dict[str, Any] | None:
    cursor = ingestor.db.execute("SELECT * FROM sessions WHERE session_id = ?", (session_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def file_row(ingestor: Ingestor, path: Path) -> dict[str, Any] | None:
    cursor = ingestor.db.execute("SELECT * FROM files WHERE path = ?", (str(path),))
    row = cursor.fetchone()
    if row is None:
        return None
    return dict(zip([c[0] for c in cursor.description], row, strict=True))


def skipped_reasons(ingestor: Ingestor, path: Path) -> dict[str, int]:
    rows = ingestor.db.execute("SELECT reason, count FROM skipped WHERE path = ?", (str(path),)).fetchall()
    return dict(rows)


def is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0
