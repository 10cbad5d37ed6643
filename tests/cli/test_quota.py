"""`cockpit quota [--json]` through the real entry point: Codex's newest rollout observation, Claude's newest
statusLine payload recorded by `cockpit statusline`, expiry, and junk that never becomes a traceback."""

from __future__ import annotations

import io
import json
import shutil
import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cockpit.cli import main

DATA = Path(__file__).parents[1] / "data"
ROLLOUTS = DATA / "codex" / "localpush"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / ".local"))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.delenv("COCKPIT_CONFIG", raising=False)
    return tmp_path


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out, err = capsys.readouterr()
    return code, out, err


def record(env: Path, payload: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    text = payload if isinstance(payload, str) else json.dumps(payload)
    monkeypatch.setattr("sys.stdin", io.StringIO(text))
    assert main(["statusline", "--db", str(env / "c.db")]) == 0
    capsys.readouterr()


def args(env: Path, *more: str) -> list[str]:
    return ["quota", "--db", str(env / "c.db"), "--claude-dir", str(env / "claude"), "--codex-dir", str(env / "codex"),
            *more]


def newest_rollout_limits() -> tuple[str, dict]:
    best: tuple[str, dict] | None = None
    for path in ROLLOUTS.glob("rollout-*.jsonl"):
        for line in path.read_text().splitlines():
            obj = json.loads(line)
            payload = obj.get("payload") or {}
            if payload.get("type") == "token_count" and payload.get("rate_limits"):
                if best is None or obj["timestamp"] > best[0]:
                    best = (obj["timestamp"], payload["rate_limits"])
    assert best is not None
    return best


def iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_codex_json_equals_the_newest_rollout_observation(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copytree(ROLLOUTS, env / "codex")
    code, out, _ = run(args(env, "--json"), capsys)
    assert code == 0
    data = json.loads(out)
    stamp, limits = newest_rollout_limits()
    assert data["claude"] is None
    codex = data["codex"]
    assert codex["source"] == "rollout" and codex["observed_at"] == stamp
    assert [(w["name"], w["minutes"], w["used_pct"], w["resets_at"]) for w in codex["windows"]] == [
        (name, limits[name]["window_minutes"], limits[name]["used_percent"], iso(limits[name]["resets_at"]))
        for name in ("primary", "secondary")]
    # February's windows have long reset: shown as expired, never as the current use.
    assert all(w["expired"] is True and w["band"] == "expired" for w in codex["windows"])
    code, out, _ = run(args(env), capsys)
    assert "primary (5h)" in out and "expired" in out and "7.0% was used" in out


def test_claude_json_equals_the_statusline_payload(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    now = int(time.time())
    payload = {"session_id": "7f3c2a9e", "transcript_path": str(env / "claude" / "projects" / "-w" / "7f3c2a9e.jsonl"),
               "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": now + 8040},
                               "seven_day": {"used_percentage": 96, "resets_at": now + 3 * 86400}}}
    record(env, payload, monkeypatch, capsys)
    code, out, _ = run(args(env, "--json"), capsys)
    data = json.loads(out)
    assert code == 0 and data["codex"] is None
    claude = data["claude"]
    assert claude["source"] == "statusline"
    assert claude["windows"] == [
        {"name": "five_hour", "used_pct": 42.0, "resets_at": iso(now + 8040), "expired": False, "band": "ok"},
        {"name": "seven_day", "used_pct": 96.0, "resets_at": iso(now + 3 * 86400), "expired": False, "band": "critical"},
    ]
    observed = datetime.fromisoformat(claude["observed_at"].replace("Z", "+00:00"))
    assert abs(observed.timestamp() - now) < 60
    code, out, _ = run(args(env), capsys)
    assert "five_hour (5h)" in out and "42.0% used" in out and "resets in 2h 1" in out and "[critical]" in out
    # A newer payload of another session wins; one of an account elsewhere does not count under --claude-dir.
    other = {**payload, "session_id": "b", "transcript_path": "/elsewhere/projects/-w/b.jsonl",
             "rate_limits": {"five_hour": {"used_percentage": 5, "resets_at": now + 60}}}
    record(env, other, monkeypatch, capsys)
    assert json.loads(run(args(env, "--json"), capsys)[1])["claude"]["windows"][0]["used_pct"] == 42.0
    everything = ["quota", "--json", "--db", str(env / "c.db"), "--codex-dir", str(env / "codex")]
    assert json.loads(run(everything, capsys)[1])["claude"]["windows"][0]["used_pct"] == 5.0


def test_an_old_statusline_observation_is_expired(env: Path, monkeypatch: pytest.MonkeyPatch,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    now = int(time.time())
    payload = {"session_id": "s1", "transcript_path": str(env / "claude" / "projects" / "-w" / "s1.jsonl"),
               "rate_limits": {"five_hour": {"used_percentage": 88, "resets_at": now - 3600}}}
    record(env, payload, monkeypatch, capsys)
    # Recorded six hours ago (the hook stamps the time it ran): its window has reset since.
    with sqlite3.connect(env / "c.db") as conn:
        conn.execute("UPDATE statusline SET received_at = ?", (iso(now - 6 * 3600).replace("Z", ".000Z"),))
    data = json.loads(run(args(env, "--json"), capsys)[1])
    window = data["claude"]["windows"][0]
    assert window["expired"] is True and window["band"] == "expired" and window["used_pct"] == 88.0
    out = run(args(env), capsys)[1]
    assert "88.0% was used" in out and "expired" in out and "[warn]" not in out


@pytest.mark.parametrize("junk", [
    "{not json",
    {"session_id": "j", "rate_limits": "full"},
    {"session_id": "j", "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": "tomorrow"}}},
    {"session_id": "j", "rate_limits": {"five_hour": {"used_percentage": -4, "resets_at": 1}}},
    {"session_id": "j", "rate_limits": {"five_hour": {"used_percentage": 42, "resets_at": 99999999999}}},
    {"session_id": "j"},
])
def test_junk_is_null_and_a_clear_line(junk: object, env: Path, monkeypatch: pytest.MonkeyPatch,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    if isinstance(junk, dict):
        junk = {**junk, "transcript_path": str(env / "claude" / "projects" / "-w" / "j.jsonl")}
    record(env, junk, monkeypatch, capsys)
    code, out, err = run(args(env, "--json"), capsys)
    assert code == 0 and json.loads(out) == {"claude": None, "codex": None}
    assert "Traceback" not in err
    if isinstance(junk, dict) and "rate_limits" in junk:
        assert "warning: statusLine payload of session j" in err and "rate_limits" in err
    code, out, err = run(args(env), capsys)
    assert code == 0 and "claude: no quota observed" in out and "codex: no quota observed" in out


def test_quota_settings_set_the_bands(env: Path, monkeypatch: pytest.MonkeyPatch,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    now = int(time.time())
    record(env, {"session_id": "s", "transcript_path": str(env / "claude" / "projects" / "-w" / "s.jsonl"),
                 "rate_limits": {"five_hour": {"used_percentage": 60, "resets_at": now + 600}}}, monkeypatch, capsys)
    config = env / "config.toml"
    config.write_text("[quota]\nwarn = 50\ncritical = 90\n")
    data = json.loads(run([*args(env, "--json"), "--config", str(config)], capsys)[1])
    assert data["claude"]["windows"][0]["band"] == "warn"
    assert json.loads(run(args(env, "--json"), capsys)[1])["claude"]["windows"][0]["band"] == "ok"
