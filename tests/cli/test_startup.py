"""What a `cockpit` process does before its command runs: the parser imports no command's module, builds only the
command typed, and says exactly what the whole parser says; the store is plain sqlite3; the dashboard starts
multiprocessing's resource tracker only where the ingest's process pool may run."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

import cockpit.cli.commands as commands
from cockpit.cli import main, parsers
from cockpit.store.db import connect, open_db

HANDLER_MODULES = ("cockpit.cli.gate", "cockpit.cli.hooks", "cockpit.cli.issues", "cockpit.cli.trust",
                   "cockpit.cli.reviews", "cockpit.cli.doctor", "cockpit.hooks.install")


def _loaded(argv: list[str], tmp_path: Path) -> tuple[int, set[str], str]:
    """Exit code, cockpit/multiprocessing/sqlite_utils modules loaded, and stdout of `cockpit ARGV` in a fresh
    interpreter (scratch HOME)."""
    code = ("import atexit, json, sys\n"
            "atexit.register(lambda: sys.stderr.write('LOADED ' + json.dumps(sorted(m for m in sys.modules"
            " if m.split('.')[0] in ('cockpit', 'multiprocessing', 'sqlite_utils'))) + '\\n'))\n"
            "from cockpit.cli import main\n"
            f"sys.exit(main({argv!r}))\n")
    env = {**os.environ, "HOME": str(tmp_path), "CODEX_HOME": str(tmp_path / ".codex"),
           "XDG_CONFIG_HOME": str(tmp_path / ".config"), "XDG_DATA_HOME": str(tmp_path / ".data")}
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, cwd=tmp_path,
                          env=env)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, proc.stderr
    return proc.returncode, set(json.loads(lines[-1][len("LOADED "):])), proc.stdout


def test_an_unchanged_index_imports_no_command_module_no_settings_and_no_pruning(tmp_path: Path) -> None:
    flags = ["--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path), "--codex-dir", str(tmp_path)]
    code, first, _ = _loaded(["index", *flags], tmp_path)  # a new store: pruned (and the settings read) once
    assert code == 0 and "cockpit.store.pruning" in first and "cockpit.config.settings" in first
    code, again, out = _loaded(["index", *flags], tmp_path)
    assert code == 0 and "indexed 0 files" in out
    heavy = {"cockpit.store.pruning", "cockpit.config.settings", "sqlite_utils", "multiprocessing", *HANDLER_MODULES}
    assert again & heavy == set()
    code, listing, out = _loaded(["sessions", "--json", "--all", *flags], tmp_path)
    assert code == 0 and json.loads(out) == []
    assert listing & {"sqlite_utils", "multiprocessing", *HANDLER_MODULES} == set()


def test_the_help_imports_no_command_module(tmp_path: Path) -> None:
    code, loaded, out = _loaded(["--help"], tmp_path)
    assert code == 0 and "COMMAND" in out and "trust" in out
    assert loaded & set(HANDLER_MODULES) == set()


def _help(argv: list[str]) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), pytest.raises(SystemExit):
        main([*argv, "--help"])
    return buf.getvalue()


def _sub_commands(parser, prefix=()):  # type: ignore[no-untyped-def]
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*prefix, name), sub
                yield from _sub_commands(sub, (*prefix, name))


def test_each_command_built_alone_prints_the_help_the_whole_parser_has(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    seen = []
    for path, sub in _sub_commands(commands.build_parser()):
        if path[0] in ("hook", "statusline") or path == ("gate", "pre-commit"):
            continue  # answered by their own fast entry points, before any parser
        assert _help(list(path)) == sub.format_help(), path
        seen.append(path)
    assert {("index",), ("hooks", "install"), ("gate", "install"), ("vibe",), ("prune",)} <= set(seen)


def test_a_name_that_is_no_command_gets_the_whole_parsers_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["indx"])
    err = capsys.readouterr().err
    assert "invalid choice: 'indx'" in err and "'index'" in err and "'trust'" in err


def test_the_lazy_handlers_run_the_named_function(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    args = commands.build_parser().parse_args(["hooks", "status", "--json", "--project", str(tmp_path)])
    assert args.func.__qualname__ == "cockpit.cli.hooks.cmd_hooks_status"
    assert args.func(args) == 0
    assert isinstance(json.loads(capsys.readouterr().out), list)


def test_the_hooks_choices_are_the_installers() -> None:
    from cockpit.hooks import install

    assert (parsers.AGENTS, parsers.SCOPES) == (install.AGENTS, install.SCOPES)


def test_the_store_is_plain_sqlite3_with_rows_as_dicts_and_recursive_triggers(tmp_path: Path) -> None:
    db = open_db(tmp_path / "c.db")
    assert type(db.conn).__module__ == "sqlite3"
    assert db.execute("PRAGMA recursive_triggers").fetchone()[0] == 1
    db.executemany("INSERT INTO maintenance (name, at) VALUES (?, ?)", [("a", "1"), ("b", "2")])
    assert list(db.query("SELECT name, at FROM maintenance WHERE name > :n ORDER BY name", {"n": ""})) == [
        {"name": "a", "at": "1"}, {"name": "b", "at": "2"}]
    db.close()
    # The hooks' plain connection is unchanged.
    conn = connect(tmp_path / "c.db")
    assert conn.execute("SELECT COUNT(*) FROM maintenance").fetchone()[0] == 2
    conn.close()


@pytest.mark.parametrize(("cores", "tracker"), [(2, False), (64, True)])
def test_the_dashboard_starts_the_resource_tracker_only_where_the_pool_may_run(
        cores: int, tracker: bool, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import cockpit.ui.app as app_module
    import cockpit.ui.workers.live as live

    started: list[str] = []
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(live, "prepare_process_pool", lambda: started.append("tracker"))

    class App:
        def run(self) -> None:
            started.append("app")

    monkeypatch.setattr(app_module, "make_app", lambda ctx, **kwargs: App())
    monkeypatch.setenv("HOME", str(tmp_path))
    assert main(["dashboard", "--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path),
                 "--codex-dir", str(tmp_path)]) == 0
    assert started == (["tracker", "app"] if tracker else ["app"])


def test_a_command_typed_first_builds_only_its_own_parser() -> None:
    import argparse

    def commands_built(parser: argparse.ArgumentParser) -> list[str]:
        return [n for a in parser._actions if isinstance(a, argparse._SubParsersAction) for n in a.choices]

    built = commands._build("index")
    assert built is not None and commands_built(built) == ["index"]
    assert commands._build("indx") is None
    assert len(commands_built(commands.build_parser())) > 20


def test_an_unchanged_history_is_a_stat_walk_that_never_loads_the_parsers(tmp_path: Path) -> None:
    project = tmp_path / "claude" / "projects" / "-work-p"
    project.mkdir(parents=True)
    line = {"type": "user", "sessionId": "5" * 8 + "-5555-5555-5555-" + "5" * 12, "cwd": "/work/p",
            "timestamp": "2026-03-01T12:00:00.000Z", "uuid": "u1", "message": {"role": "user", "content": "hello"}}
    transcript = project / f"{line['sessionId']}.jsonl"
    transcript.write_text(json.dumps(line) + "\n")
    os.utime(transcript, (time.time() - 3600, time.time() - 3600))  # an mtime old enough to be trusted
    flags = ["--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path / "claude"), "--codex-dir", str(tmp_path)]
    code, first, out = _loaded(["index", *flags], tmp_path)
    assert code == 0 and "indexed 1 file" in out and "cockpit.ingest.parse" in first
    code, again, out = _loaded(["index", *flags], tmp_path)
    assert code == 0 and "indexed 1 file (0.0 MB new, 0 lines)" in out
    assert "cockpit.ingest.parse" not in again and "cockpit.core.claude" not in again
    # Nor the fact and view dataclasses, the price table or the session readers (~15 ms of every such index).
    assert again & {"cockpit.core.models", "cockpit.store.rollup", "cockpit.core.pricing", "cockpit.store.queries"} == set()
