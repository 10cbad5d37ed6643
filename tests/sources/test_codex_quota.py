"""The newest Codex quota across rollouts, read from the files' ends: equal to a full read of every line."""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from cockpit.core.quota import codex_observation, moment
from cockpit.sources.codex_quota import CodexQuotaScan, lines_backwards, newest_codex_quota
from cockpit.sources.discovery import codex_roots

ROLLOUTS = Path(__file__).resolve().parents[1] / "data" / "codex" / "localpush"
NOW = datetime(2026, 2, 24, 12, 0, tzinfo=UTC)


def newest_by_full_read(folder: Path) -> tuple[datetime, dict]:
    """Every line of every rollout parsed: the token_count with rate_limits stamped last."""
    best: tuple[datetime, dict] | None = None
    for path in folder.glob("rollout-*.jsonl"):
        for line in path.read_text().splitlines():
            obj = json.loads(line)
            payload = obj.get("payload") or {}
            if payload.get("type") == "token_count" and payload.get("rate_limits"):
                at = moment(obj["timestamp"])
                assert at is not None
                if best is None or at > best[0]:
                    best = (at, payload["rate_limits"])
    assert best is not None
    return best


def copy_with_mtimes(tmp_path: Path) -> Path:
    """The real rollouts, each with the mtime of its last line (as Codex leaves them)."""
    folder = tmp_path / "codex"
    folder.mkdir()
    for path in ROLLOUTS.glob("rollout-*.jsonl"):
        target = folder / path.name
        shutil.copy(path, target)
        last = moment(json.loads(path.read_text().splitlines()[-1])["timestamp"])
        assert last is not None
        os.utime(target, (last.timestamp(), last.timestamp()))
    return folder


def test_the_newest_observation_equals_a_full_read_of_every_rollout(tmp_path: Path) -> None:
    folder = copy_with_mtimes(tmp_path)
    at, limits = newest_by_full_read(folder)
    scan = newest_codex_quota(codex_roots([str(folder)]), NOW)
    expected, _ = codex_observation(limits, at)
    assert scan.observation is not None and expected is not None
    assert scan.observation.windows == expected.windows
    assert scan.observation.observed_at == at
    assert [w.used_pct for w in scan.observation.windows] == [7.0, 11.0]  # the example: primary 7 %
    assert scan.problems == []
    # Newest file first, and the rest were last written before that observation: not opened.
    assert scan.files_seen == 4 and scan.files_read == 1
    total = sum(p.stat().st_size for p in folder.iterdir())
    assert scan.bytes_read < total / 10


def test_an_older_file_touched_later_is_still_read_and_loses_to_the_newer_observation(tmp_path: Path) -> None:
    folder = copy_with_mtimes(tmp_path)
    big = next(folder.glob("rollout-2026-02-23T12-40-23-*.jsonl"))
    os.utime(big, (NOW.timestamp(), NOW.timestamp()))  # touched after everything else: read first
    scan = newest_codex_quota(codex_roots([str(folder)]), NOW)
    assert scan.observation is not None and [w.used_pct for w in scan.observation.windows] == [7.0, 11.0]
    assert scan.files_read == 2


def test_the_line_being_written_and_junk_lines_are_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "codex"
    folder.mkdir()
    good = {"timestamp": "2026-02-24T10:00:00.000Z", "type": "event_msg", "payload": {
        "type": "token_count", "info": None,
        "rate_limits": {"primary": {"used_percent": 55.0, "window_minutes": 300, "resets_at": 1771930800}}}}
    future = {**good, "timestamp": "2027-01-01T00:00:00Z", "payload": {"type": "token_count", "rate_limits": {
        "primary": {"used_percent": 99.0, "window_minutes": 300, "resets_at": 1798765200}}}}
    junk_limits = dict(good, payload={"type": "token_count", "rate_limits": {"primary": {"used_percent": "x"}}})
    lines = [json.dumps(good), '{"type":"event_msg","payload":{"type":"token_count","rate_limits":', json.dumps(junk_limits)]
    path = folder / "rollout-2026-02-24T10-00-00-019c8a4c-ed82-79a1-aa28-7738fc5ab61a.jsonl"
    # The last line is still being written (no newline yet): it is not read.
    path.write_text("\n".join(lines) + "\n" + json.dumps(future))
    scan = newest_codex_quota(codex_roots([str(folder)]), NOW)
    assert scan.observation is not None and scan.observation.windows[0].used_pct == 55.0
    assert any("used_percent" in p for p in scan.problems)
    assert any("not valid JSON" in p for p in scan.problems)
    # Completed, the line from the future is refused, not taken as the newest: the one before it is.
    path.write_text("\n".join([json.dumps(good), json.dumps(future)]) + "\n")
    scan = newest_codex_quota(codex_roots([str(folder)]), NOW)
    assert scan.observation is not None and scan.observation.windows[0].used_pct == 55.0
    assert any("future" in p for p in scan.problems)
    path.write_text(json.dumps(junk_limits) + "\n")
    scan = newest_codex_quota(codex_roots([str(folder)]), NOW)
    assert scan.observation is None and scan.problems


def test_no_rollout_and_no_rate_limits_is_none(tmp_path: Path) -> None:
    assert newest_codex_quota(codex_roots([str(tmp_path / "missing")]), NOW).observation is None
    (tmp_path / "rollout-2026-02-24T10-00-00-x.jsonl").write_text(
        '{"timestamp":"2026-02-24T10:00:00Z","type":"event_msg","payload":{"type":"token_count","rate_limits":null}}\n')
    scan = newest_codex_quota(codex_roots([str(tmp_path)]), NOW)
    assert scan.observation is None and scan.problems == []


def test_lines_backwards_reads_across_blocks(tmp_path: Path, monkeypatch) -> None:
    import cockpit.sources.codex_quota as module

    monkeypatch.setattr(module, "BLOCK", 7)
    path = tmp_path / "f.jsonl"
    path.write_bytes(b"first line\nsecond\n\nthe third and longest line\npartial")
    assert list(lines_backwards(str(path), CodexQuotaScan())) == [
        b"the third and longest line", b"", b"second", b"first line"]
