"""beads in Dolt: with no issues.jsonl, the issues are read through the user's `bd` (sources/bd.py).

Each test puts the stand-in bd of tests/fake_bd.py on PATH, outside the repository, and drives
`cockpit issues` through cockpit.cli.main, or the reader the dashboard's worker calls.
"""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fake_bd import dolt_repo, install

from cockpit.cli import main
from cockpit.sources import bd, beads_files
from cockpit.sources.bd import bd_ready, disagreement
from cockpit.sources.beads_files import beads_key, find_beads, load_queue, read_beads

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def issue(issue_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": issue_id, "title": f"title of {issue_id}", "status": "open", "priority": 2,
                            "issue_type": "task", "created_at": "2026-05-01T00:00:00Z",
                            "updated_at": "2026-05-01T00:00:00Z"}
    base.update(fields)
    return base


def write(journal: Path, *issues: dict[str, Any]) -> None:
    """A write to the 'database': appended to the Dolt journal, as Dolt appends a write."""
    with open(journal, "a", encoding="utf-8") as fh:
        fh.write("".join(json.dumps(i) + "\n" for i in issues))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A Dolt-backed repository, the fake bd on PATH outside it, and the log of its runs."""
    repo = tmp_path / "repo"
    journal = dolt_repo(repo)
    write(journal,
          issue("tp-1", priority=1, description="the whole description, read through bd",
                comments=[{"id": "c1", "issue_id": "tp-1", "author": "ann", "text": "a comment",
                           "created_at": "2026-05-02T00:00:00Z"}]),
          issue("tp-2", dependencies=[{"issue_id": "tp-2", "depends_on_id": "tp-1", "type": "blocks"}]),
          issue("tp-3", status="in_progress", assignee="bob"),
          issue("tp-w1", ephemeral=True))
    tools = install(tmp_path / "tools")
    log = tmp_path / "bd.log"
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}/usr/bin{os.pathsep}/bin")
    monkeypatch.setenv("FAKE_BD_LOG", str(log))
    monkeypatch.delenv("FAKE_BD_MODE", raising=False)
    monkeypatch.delenv("BD_JSON_ENVELOPE", raising=False)
    return {"repo": repo, "journal": journal, "tools": tools, "log": log}


def runs(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def cockpit_issues(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["issues", *args]) == 0
    return capsys.readouterr().out


# --- reading through bd -------------------------------------------------------------------------------


def test_cockpit_issues_reads_dolt_through_bd_export_and_says_so(world, capsys):
    text = cockpit_issues(capsys, "--repo", str(world["repo"]))
    assert text.startswith("beads: bd export (Dolt) (4 issues, 0 lines skipped)")
    ready = text[text.index("Ready (1)"):text.index("In progress")]
    assert "tp-1" in ready and "tp-2" not in ready
    assert "@bob" in text and "<- tp-1" in text
    assert "1 ephemeral hidden" in text  # --all: the wisps come too, so they can be counted
    export = next(r for r in runs(world["log"]) if r["argv"][0] == "export")
    assert export["argv"][:3] == ["export", "--all", "-o"]
    assert export["cwd"] == str(world["repo"])
    # The export went to a private temporary file, deleted once read: no copy of the issues stays behind.
    out = Path(export["argv"][3])
    assert not out.exists() and not out.parent.exists()
    assert not (world["repo"] / ".beads" / "issues.jsonl").exists()


def test_cockpit_issues_json_names_the_source_and_carries_bds_fields(world, capsys):
    data = json.loads(cockpit_issues(capsys, "--json", "--repo", str(world["repo"])))
    assert data["source"] == "bd export (Dolt)"
    assert [i["id"] for i in data["ready"]] == ["tp-1"]
    assert data["ready"][0]["description"] == "the whole description, read through bd"
    assert data["bd"] == {"ready": ["tp-1"], "warning": ""}  # bd's own ready list agrees


def test_the_dashboard_reader_gets_whole_issues_and_the_repository_root(world):
    beads, queue = load_queue(world["repo"], NOW)  # the worker asks for summaries …
    assert beads.layout == "bd" and beads.source == "bd export (Dolt)" and beads.error is None
    assert beads.path == world["repo"] / ".beads" / "embeddeddolt"
    assert beads.path.parents[1] == world["repo"]  # where the worker looks for the sessions' repository
    first = queue.issues["tp-1"]
    # … but no file remains to read a description from later, so they come whole.
    assert not first.summary and first.description == "the whole description, read through bd"
    assert [c.text for c in first.comments] == ["a comment"]
    assert find_beads(world["repo"]) == (beads.path, "bd")


def test_a_jsonl_export_when_there_is_one_is_read_without_bd(world, capsys):
    export = world["repo"] / ".beads" / "issues.jsonl"
    export.write_text(json.dumps(issue("from-file")) + "\n")
    text = cockpit_issues(capsys, "--repo", str(world["repo"]))
    assert text.startswith(f"beads: {export}")
    ready = text[text.index("Ready (1)"):text.index("In progress")]
    assert "from-file" in ready and "tp-1" not in ready
    assert [r for r in runs(world["log"]) if r["argv"][0] == "export"] == []


# --- following the Dolt files ---------------------------------------------------------------------------


def test_the_key_follows_the_dolt_files_and_bd_runs_once_per_change(world):
    repo = world["repo"]
    key = beads_key(repo)
    assert beads_key(repo) == key
    first = read_beads(repo)
    assert read_beads(repo) is first  # nothing changed: the last export is reused, bd not run again
    assert len(runs(world["log"])) == 1
    assert beads_key(repo) == key  # reading through bd changed no file that is watched

    write(world["journal"], issue("tp-4", title="added by an agent"))
    assert beads_key(repo) != key
    again = read_beads(repo)
    assert "tp-4" in {i.id for i in again.issues} and len(runs(world["log"])) == 2

    key = beads_key(repo)
    manifest = world["journal"].with_name("manifest")
    manifest.write_text("5:__DOLT__:1111:2222:1\n")  # a garbage collection or a commit rewrites the manifest
    assert beads_key(repo) != key


def test_installing_or_upgrading_bd_changes_the_key(world, monkeypatch):
    repo = world["repo"]
    key = beads_key(repo)
    exe = world["tools"] / "bd"
    os.utime(exe, ns=(1_000_000_000, 1_000_000_000))
    assert beads_key(repo) != key
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert beads_key(repo) == ("missing", True)
    beads = read_beads(repo)
    assert beads.path is None and "`bd` is not on PATH" in (beads.error or "")


def test_a_server_without_local_files_is_asked_again_every_minute(world, monkeypatch):
    repo = world["repo"]
    dolt = repo / ".beads" / "embeddeddolt"
    dolt.rename(repo / ".beads" / "elsewhere")  # the database lives with a remote dolt sql-server
    clock = [20 * beads_files.BD_RETRY_SECONDS]
    monkeypatch.setattr(beads_files.time, "monotonic", lambda: clock[0])
    assert find_beads(repo) == (repo / ".beads" / "dolt", "bd")
    key = beads_key(repo)
    clock[0] += 30
    assert beads_key(repo) == key
    clock[0] += beads_files.BD_RETRY_SECONDS
    assert beads_key(repo) != key


# --- failures: said, never raised, never hanging --------------------------------------------------------


def test_bd_failing_is_said_in_cockpit_issues(world, capsys, monkeypatch):
    monkeypatch.setenv("FAKE_BD_MODE", "fail")
    text = cockpit_issues(capsys, "--repo", str(world["repo"]))
    assert text.strip() == ("no beads issues found: bd export exited 1: Error: no beads database found"
                            " Hint: run 'bd init' to create a database")


def test_bd_writing_garbage_counts_the_lines_and_keeps_the_rest(world, capsys, monkeypatch):
    monkeypatch.setenv("FAKE_BD_MODE", "garbage")
    beads = read_beads(world["repo"])
    assert beads.error is None and beads.skipped["invalid"] >= 1
    assert {i.id for i in beads.issues} <= {"tp-1", "tp-2", "tp-3", "tp-w1"}


def test_bd_exiting_0_without_an_export_is_an_error(world, monkeypatch):
    monkeypatch.setenv("FAKE_BD_MODE", "nofile")
    beads = read_beads(world["repo"])
    assert beads.path is None and beads.error == "bd export exited 0 but wrote no file"


def test_a_hanging_bd_is_stopped_with_what_it_started(world, capsys, monkeypatch, tmp_path):
    pids = tmp_path / "pids"
    monkeypatch.setenv("FAKE_BD_MODE", "hang")
    monkeypatch.setenv("FAKE_BD_PIDS", str(pids))
    monkeypatch.setattr(bd, "EXPORT_TIMEOUT_SECONDS", 1.5)
    started = time.monotonic()
    text = cockpit_issues(capsys, "--repo", str(world["repo"]))
    assert time.monotonic() - started < 10
    assert text.strip() == "no beads issues found: bd export gave no answer within 1.5 s and was stopped"
    for pid in map(int, pids.read_text().split()):  # bd and the child holding its stderr are both gone
        with pytest.raises(ProcessLookupError):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                os.kill(pid, 0)
                time.sleep(0.05)


def test_a_failure_is_kept_a_minute_not_retried_on_every_read(world, monkeypatch):
    monkeypatch.setenv("FAKE_BD_MODE", "fail")
    repo = world["repo"]
    failed = read_beads(repo)
    assert failed.error and len(runs(world["log"])) == 1
    key = beads_key(repo)
    assert read_beads(repo) is failed and len(runs(world["log"])) == 1
    assert key[-1][0] == "every"  # and asked again when the minute turns


# --- the binary the repository cannot choose ------------------------------------------------------------


def test_a_bd_inside_the_repository_is_never_run(world, capsys, monkeypatch):
    repo = world["repo"]
    planted = install(repo / "bin")
    install(repo / "rel")
    # An absolute entry into the repository (a direnv `PATH_add bin`) and a relative one, both first.
    monkeypatch.setenv("PATH", os.pathsep.join([str(planted), "rel", "", "/usr/bin", "/bin"]))
    monkeypatch.chdir(repo)
    text = cockpit_issues(capsys, "--repo", str(repo))
    assert text.startswith("no beads issues found:") and "`bd` is not on PATH" in text
    assert runs(world["log"]) == []


def test_the_users_bd_runs_with_a_path_the_repository_does_not_extend(world, capsys, monkeypatch):
    repo = world["repo"]
    install(repo / "bin")
    monkeypatch.setenv("PATH", os.pathsep.join([str(repo / "bin"), "", str(world["tools"]), "/usr/bin", "/bin"]))
    cockpit_issues(capsys, "--repo", str(repo))
    ran = runs(world["log"])
    assert ran and {r["exe"] for r in ran} == {str(world["tools"] / "bd")}
    assert all(r["path"] == os.pathsep.join([str(world["tools"]), "/usr/bin", "/bin"]) for r in ran)


def test_a_bd_on_path_that_resolves_into_the_repository_is_refused(world, capsys, monkeypatch, tmp_path):
    repo = world["repo"]
    install(repo / "bin")
    link_dir = tmp_path / "links"
    link_dir.mkdir()
    (link_dir / "bd").symlink_to(repo / "bin" / "bd")
    monkeypatch.setenv("PATH", os.pathsep.join([str(link_dir), "/usr/bin", "/bin"]))
    text = cockpit_issues(capsys, "--repo", str(repo))
    assert f"{link_dir / 'bd'} resolves to {(repo / 'bin' / 'bd').resolve()}, inside the repository: not run" in text
    assert runs(world["log"]) == []


# --- bd's own ready list ----------------------------------------------------------------------------------


def test_bd_ready_agreeing_gives_no_warning(world):
    check = bd_ready(world["repo"])
    assert check.available and check.ready == ("tp-1",)
    assert disagreement(("tp-1",), check) == ""
    assert runs(world["log"])[-1]["argv"] == ["ready", "--json", "--limit", "0"]


def test_bd_ready_in_the_json_envelope_is_read_too(world, monkeypatch):
    monkeypatch.setenv("BD_JSON_ENVELOPE", "1")
    assert bd_ready(world["repo"]).ready == ("tp-1",)


def test_bd_ready_disagreeing_is_named(world):
    warning = disagreement(("tp-1", "tp-9"), bd_ready(world["repo"]))
    assert warning == "bd ready disagrees: ready here but not in bd: tp-9"


def test_bd_ready_failing_or_absent_never_raises(world, monkeypatch):
    monkeypatch.setenv("FAKE_BD_MODE", "fail")
    assert disagreement((), bd_ready(world["repo"])).startswith("bd ready exited 1: Error: no beads database")
    monkeypatch.setenv("PATH", str(world["repo"] / "empty"))
    assert not bd_ready(world["repo"]).available
