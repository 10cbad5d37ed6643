"""`cockpit hooks install|uninstall|status`: merging into the user's settings never loses or reorders what is
theirs, is idempotent, refuses what is not JSON, and uninstall gives back exactly the original."""

from __future__ import annotations

import json
import os
import shlex
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cockpit.cli import main
from cockpit.hooks import install as hi

CLAUDE_EVENT_COUNT = 14
CODEX_EVENT_COUNT = 10


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake home; no CLAUDE_CONFIG_DIR / CODEX_HOME, so nothing can reach the real ones."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("CLAUDE_CONFIG_DIR", raising=False)
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.chdir(tmp_path)
    return home


@pytest.fixture
def project(tmp_path: Path, home: Path) -> Path:
    path = tmp_path / "proj"
    path.mkdir()
    return path


def make_exe(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\nexit 0\n")
    path.chmod(0o755)
    return str(path)


@pytest.fixture
def exe(tmp_path: Path) -> str:
    return make_exe(tmp_path / "venv" / "bin" / "cockpit")


def local_file(project: Path) -> Path:
    return project / ".claude" / "settings.local.json"


def write_json(path: Path, obj: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(obj, indent=4) + "\n")
    return path


def ordered(obj: Any) -> str:
    """JSON text that differs whenever values or key order differ."""
    return json.dumps(obj, sort_keys=False)


def backups(path: Path) -> list[Path]:
    return sorted(path.parent.glob(path.name + hi.BACKUP_INFIX + "*"))


def our_handlers(data: dict[str, Any], event: str, agent: str = "claude") -> list[dict[str, Any]]:
    groups = data["hooks"].get(event, [])
    return [h for g in groups for h in g["hooks"] if hi.is_cockpit_command(h["command"], agent)]


def run_cli(*argv: str) -> int:
    """Through the console script's own entry point, as a user types it."""
    return main(list(argv))


USER_SETTINGS: dict[str, Any] = {
    "model": "opus",
    "permissions": {"allow": ["Bash(npm test:*)"], "deny": []},
    "hooks": {
        "PreToolUse": [
            {"matcher": "Bash", "hooks": [{"type": "command", "command": "~/bin/guard.sh", "timeout": 5}]},
            {"matcher": "Edit|Write", "hooks": [{"type": "command", "command": "prettier --check"}]},
        ],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
        "ConfigChange": [],
    },
    "env": {"FOO": "1"},
}


# ---- the predicate -----------------------------------------------------------------------------


@pytest.mark.parametrize("command, expected", [
    ("/usr/local/bin/cockpit hook claude permission-request", ("hook", "claude", "permission-request")),
    ("'/home/me/my tools/cockpit' hook codex event", ("hook", "codex", "event")),
    ("cockpit hook claude event --verbose", ("hook", "claude", "event")),
    ("C:/tools/cockpit.exe hook claude pre-tool-use", ("hook", "claude", "pre-tool-use")),
    ("/opt/cockpit statusline", ("statusline", None, None)),
])
def test_predicate_recognises_our_commands(command: str, expected: tuple[Any, ...]):
    parsed = hi.parse_cockpit_command(command)
    assert parsed is not None and (parsed.kind, parsed.agent, parsed.action) == expected
    assert hi.is_cockpit_command(command)


@pytest.mark.parametrize("command", [
    "~/bin/guard.sh",
    "echo /usr/bin/cockpit hook claude event",  # cockpit not the program that runs
    "/usr/bin/cockpit-hook permission",  # another program's name
    "/usr/bin/cockpit context",  # a cockpit command, but not one install writes
    "/usr/bin/cockpit hook gemini event",
    "/usr/bin/cockpit hook claude",
    "/usr/bin/mycockpit hook claude event",
    "/usr/bin/cockpit 'hook claude event",  # unbalanced quote
    "",
    None,
    42,
])
def test_predicate_rejects_everything_else(command: Any):
    assert hi.parse_cockpit_command(command) is None
    assert not hi.is_cockpit_command(command)


def test_predicate_limits_to_the_agent():
    assert hi.is_cockpit_command("/x/cockpit hook claude event", "claude")
    assert not hi.is_cockpit_command("/x/cockpit hook claude event", "codex")
    assert hi.is_cockpit_command("/x/cockpit statusline", "claude")
    assert not hi.is_cockpit_command("/x/cockpit statusline", "codex")


@pytest.mark.parametrize("original", [
    "bash ~/.claude/statusline.sh",
    "printf '%s' \"$(git branch --show-current)\"",
    "echo it's \\ ok; x=$HOME # trailing",
    "",
    "ünïcode ✓ 'q'",
])
def test_statusline_wrap_round_trips_any_command(original: str):
    wrapped = hi.statusline_command("/a b/cockpit", original)
    parsed = hi.parse_cockpit_command(wrapped)
    assert parsed is not None and parsed.then == original and not parsed.inherited
    assert shlex.split(wrapped) == ["/a b/cockpit", "statusline", "--then", original]
    inherited = hi.parse_cockpit_command(hi.statusline_command("/c/cockpit", original, inherited=True))
    assert inherited is not None and inherited.then == original and inherited.inherited


# ---- targets -----------------------------------------------------------------------------------


def test_targets_for_each_agent_and_scope(home: Path, project: Path, monkeypatch: pytest.MonkeyPatch):
    assert hi.settings_path("claude", "local", project) == project / ".claude" / "settings.local.json"
    assert hi.settings_path("claude", "project", project) == project / ".claude" / "settings.json"
    assert hi.settings_path("claude", "user", project) == home / ".claude" / "settings.json"
    assert hi.settings_path("codex", "local", project) == project / ".codex" / "hooks.json"
    assert hi.settings_path("codex", "project", project) == project / ".codex" / "hooks.json"
    assert hi.settings_path("codex", "user", project) == home / ".codex" / "hooks.json"
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "cc"))
    monkeypatch.setenv("CODEX_HOME", str(home / "cx"))
    assert hi.settings_path("claude", "user") == home / "cc" / "settings.json"
    assert hi.settings_path("codex", "user") == home / "cx" / "hooks.json"
    with pytest.raises(hi.InstallError):
        hi.settings_path("gemini", "local", project)


def test_project_is_the_git_top_level_else_the_cwd(tmp_path: Path, home: Path,
                                                   monkeypatch: pytest.MonkeyPatch):
    repo = tmp_path / "repo"
    (repo / "a" / "b").mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    monkeypatch.chdir(repo / "a" / "b")
    assert hi.find_project().resolve() == repo.resolve()
    expected = (repo / ".claude" / "settings.local.json").resolve()
    assert hi.settings_path("claude", "local").resolve() == expected
    plain = tmp_path / "plain"
    plain.mkdir()
    assert hi.find_project(plain) == plain


def test_default_command_is_the_running_cockpit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    running = make_exe(tmp_path / "bin" / "cockpit")
    monkeypatch.setattr("sys.argv", [running, "hooks", "install"])
    assert hi.default_command() == running
    on_path = make_exe(tmp_path / "path" / "cockpit")
    monkeypatch.setattr("sys.argv", ["/usr/lib/python3/pytest"])
    monkeypatch.setenv("PATH", str(Path(on_path).parent))
    assert hi.default_command() == on_path
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(hi.InstallError, match="--command"):
        hi.default_command()


def test_command_must_be_named_cockpit(project: Path):
    with pytest.raises(hi.InstallError, match="file name"):
        hi.install(project=project, command="/usr/bin/python3")
    assert not local_file(project).exists()


# ---- install -----------------------------------------------------------------------------------


def test_fresh_install_creates_the_missing_file(project: Path, exe: str):
    outcome = hi.install(project=project, command=exe)
    path = local_file(project)
    assert outcome.changed and outcome.written and outcome.backup is None and outcome.path == path
    text = path.read_text()
    assert text.endswith("}\n") and text.startswith('{\n  "hooks": {\n    "PermissionRequest"')
    data = json.loads(text)
    assert list(data) == ["hooks", "statusLine"]
    assert len(data["hooks"]) == CLAUDE_EVENT_COUNT
    assert data["hooks"]["PermissionRequest"] == [{"matcher": "*", "hooks": [
        {"type": "command", "command": f"{exe} hook claude permission-request", "timeout": 600}]}]
    assert data["hooks"]["PreToolUse"][0]["hooks"][0] == {
        "type": "command", "command": f"{exe} hook claude pre-tool-use", "timeout": 600}
    for event in ("SessionStart", "PostToolUseFailure", "SessionEnd", "Notification", "PermissionDenied"):
        assert data["hooks"][event] == [{"hooks": [
            {"type": "command", "command": f"{exe} hook claude event", "timeout": 10, "async": True}]}]
    assert data["statusLine"] == {"type": "command", "command": f"{exe} statusline", "padding": 0}
    assert backups(path) == []


def test_merge_keeps_the_users_hooks_keys_and_order(project: Path, exe: str):
    path = write_json(local_file(project), USER_SETTINGS)
    hi.install(project=project, command=exe)
    data = json.loads(path.read_text())
    assert list(data) == ["model", "permissions", "hooks", "env", "statusLine"]
    assert list(data["hooks"])[:3] == ["PreToolUse", "Stop", "ConfigChange"]
    assert data["hooks"]["ConfigChange"] == []
    pre = data["hooks"]["PreToolUse"]
    assert pre[:2] == USER_SETTINGS["hooks"]["PreToolUse"]
    assert ordered(pre[:2]) == ordered(USER_SETTINGS["hooks"]["PreToolUse"])
    assert pre[2] == {"matcher": "*", "hooks": [
        {"type": "command", "command": f"{exe} hook claude pre-tool-use", "timeout": 600}]}
    assert data["hooks"]["Stop"][0] == USER_SETTINGS["hooks"]["Stop"][0]
    assert len(our_handlers(data, "Stop")) == 1
    for key in ("model", "permissions", "env"):
        assert ordered(data[key]) == ordered(USER_SETTINGS[key])


def test_second_install_writes_nothing_and_makes_no_backup(project: Path, exe: str,
                                                           capsys: pytest.CaptureFixture):
    path = write_json(local_file(project), USER_SETTINGS)
    hi.install(project=project, command=exe)
    assert len(backups(path)) == 1
    before = path.stat()
    text = path.read_text()
    outcome = hi.install(project=project, command=exe)
    assert not outcome.changed and not outcome.written and outcome.diff == ""
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert path.read_text() == text and len(backups(path)) == 1
    capsys.readouterr()
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe, "--dry-run") == 0
    assert "already installed" in capsys.readouterr().out


def test_backup_holds_the_original_bytes_and_is_made_only_on_change(project: Path, exe: str):
    path = local_file(project)
    path.parent.mkdir(parents=True)
    original = '{"model":"opus",   "env": {}}'  # odd formatting, no newline: the backup keeps it as it was
    path.write_text(original)
    hi.install(project=project, command=exe)
    [backup] = backups(path)
    assert backup.read_text() == original
    hi.install(project=project, command=exe)
    assert backups(path) == [backup]
    hi.uninstall(project=project)
    assert path.read_text() == original  # back to the very bytes, and the copies are gone with it
    assert backups(path) == []
    assert hi.uninstall(project=project).changed is False


def test_changed_cockpit_path_is_updated_in_place(project: Path, tmp_path: Path):
    old = make_exe(tmp_path / "old" / "cockpit")
    new = make_exe(tmp_path / "new env" / "cockpit")
    path = write_json(local_file(project), USER_SETTINGS)
    hi.install(project=project, command=old)
    data = json.loads(path.read_text())
    # The user puts their own hook after ours in our group: it must stay where it is.
    data["hooks"]["PreToolUse"][2]["hooks"].append({"type": "command", "command": "audit.sh"})
    write_json(path, data)
    outcome = hi.install(project=project, command=new)
    assert outcome.changed
    updated = json.loads(path.read_text())
    assert old not in path.read_text()
    assert list(updated["hooks"]) == list(data["hooks"])
    for event in updated["hooks"]:
        if event != "ConfigChange":
            [ours] = our_handlers(updated, event)
            assert shlex.split(ours["command"])[0] == new
    assert [len(g["hooks"]) for g in updated["hooks"]["PreToolUse"]] == [1, 1, 2]
    assert updated["hooks"]["PreToolUse"][2]["hooks"][1] == {"type": "command", "command": "audit.sh"}
    assert updated["statusLine"]["command"] == f"'{new}' statusline"


def test_duplicated_entries_of_ours_collapse_to_one(project: Path, exe: str):
    path = local_file(project)
    hi.install(project=project, command=exe)
    data = json.loads(path.read_text())
    data["hooks"]["Stop"].append(json.loads(json.dumps(data["hooks"]["Stop"][0])))
    data["hooks"]["Stop"].insert(0, {"hooks": [{"type": "command", "command": "mine"}]})
    write_json(path, data)
    hi.install(project=project, command=exe)
    stop = json.loads(path.read_text())["hooks"]["Stop"]
    assert stop == [{"hooks": [{"type": "command", "command": "mine"}]}, data["hooks"]["Stop"][1]]


def test_dry_run_writes_nothing_and_prints_a_diff(project: Path, exe: str, capsys: pytest.CaptureFixture):
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe, "--dry-run") == 0
    out = capsys.readouterr().out
    assert not local_file(project).exists() and not (project / ".claude").exists()
    assert out.startswith("--- /dev/null\n+++ ")
    assert f'+            "command": "{exe} hook claude event",' in out
    assert "not written" in out
    path = write_json(local_file(project), USER_SETTINGS)
    text = path.read_text()
    outcome = hi.install(project=project, command=exe, dry_run=True)
    assert outcome.changed and not outcome.written and path.read_text() == text and backups(path) == []
    assert f"--- {path}" in outcome.diff and '-    "model": "opus",' in outcome.diff


# ---- uninstall ---------------------------------------------------------------------------------


def test_uninstall_restores_the_original_exactly(project: Path, exe: str):
    path = write_json(local_file(project), USER_SETTINGS)
    before = path.read_bytes()
    hi.install(project=project, command=exe)
    outcome = hi.uninstall(project=project)
    assert outcome.changed and outcome.written
    restored = json.loads(path.read_text())
    assert restored == USER_SETTINGS and ordered(restored) == ordered(USER_SETTINGS)
    assert path.read_bytes() == before


def test_uninstall_after_fresh_install_leaves_an_empty_object(project: Path, exe: str):
    hi.install(project=project, command=exe)
    hi.uninstall(project=project)
    assert local_file(project).read_text() == "{}\n"


def test_uninstall_keeps_what_the_user_added_next_to_ours(project: Path, exe: str):
    path = local_file(project)
    hi.install(project=project, command=exe)
    data = json.loads(path.read_text())
    data["hooks"]["PreToolUse"][0]["hooks"].insert(0, {"type": "command", "command": "audit.sh"})
    data["hooks"]["Stop"].insert(0, {"hooks": []})  # the user's own empty group stays too
    data["theme"] = "dark"
    write_json(path, data)
    hi.uninstall(project=project)
    assert json.loads(path.read_text()) == {
        "hooks": {"PreToolUse": [{"matcher": "*", "hooks": [{"type": "command", "command": "audit.sh"}]}],
                  "Stop": [{"hooks": []}]},
        "theme": "dark",
    }


def test_uninstall_of_one_agent_leaves_the_other(project: Path, exe: str):
    path = write_json(project / ".codex" / "hooks.json", {"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": f"{exe} hook claude event"}]}]}})
    hi.install("codex", project=project, command=exe)
    hi.uninstall("codex", project=project)
    assert json.loads(path.read_text()) == {"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": f"{exe} hook claude event"}]}]}}


def test_uninstall_without_our_entries_or_file_is_a_no_op(project: Path, capsys: pytest.CaptureFixture):
    assert run_cli("hooks", "uninstall", "--project", str(project)) == 0
    assert "nothing to remove" in capsys.readouterr().out
    assert not local_file(project).exists()
    mine = {"hooks": {}, "statusLine": {"type": "command", "command": "mine"}}
    path = write_json(local_file(project), mine)
    text = path.read_text()
    assert not hi.uninstall(project=project).changed
    assert path.read_text() == text and backups(path) == []


# ---- statusLine --------------------------------------------------------------------------------


def test_users_statusline_is_wrapped_and_restored(project: Path, exe: str):
    own = {"type": "command", "command": "bash ~/.claude/sl.sh --style 'a b'", "padding": 2,
           "refreshInterval": 5}
    original = {"statusLine": own, "model": "sonnet"}
    path = write_json(local_file(project), original)
    hi.install(project=project, command=exe)
    line = json.loads(path.read_text())["statusLine"]
    assert list(line) == ["type", "command", "padding", "refreshInterval"] and line["padding"] == 2
    assert shlex.split(line["command"]) == [exe, "statusline", "--then", own["command"]]
    hi.install(project=project, command=exe)
    assert json.loads(path.read_text())["statusLine"] == line  # not wrapped twice
    hi.uninstall(project=project)
    assert ordered(json.loads(path.read_text())) == ordered(original)


def test_statusline_of_a_lower_settings_file_is_kept_by_wrapping(project: Path, home: Path, exe: str):
    user = write_json(home / ".claude" / "settings.json",
                      {"statusLine": {"type": "command", "command": "npx ccusage statusline", "padding": 1}})
    user_text = user.read_text()
    hi.install(project=project, command=exe)
    line = json.loads(local_file(project).read_text())["statusLine"]
    parsed = hi.parse_cockpit_command(line["command"])
    assert parsed is not None and parsed.then == "npx ccusage statusline" and parsed.inherited
    assert line["padding"] == 1
    hi.uninstall(project=project)
    assert json.loads(local_file(project).read_text()) == {}
    assert user.read_text() == user_text


def test_user_scope_wrap_is_not_wrapped_again_by_local(project: Path, home: Path, exe: str):
    write_json(home / ".claude" / "settings.json", {"statusLine": {"type": "command", "command": "my-sl"}})
    hi.install(scope="user", project=project, command=exe)
    hi.install(scope="local", project=project, command=exe)
    local = json.loads(local_file(project).read_text())["statusLine"]["command"]
    assert shlex.split(local)[:4] == [exe, "statusline", "--then", "my-sl"]
    hi.uninstall(scope="user", project=project)
    assert json.loads((home / ".claude" / "settings.json").read_text()) == {
        "statusLine": {"type": "command", "command": "my-sl"}}


def test_a_statusline_that_is_not_a_command_is_left_alone(project: Path, exe: str):
    path = write_json(local_file(project), {"statusLine": None})
    outcome = hi.install(project=project, command=exe)
    assert json.loads(path.read_text())["statusLine"] is None
    assert any("statusLine left alone" in note for note in outcome.notes)


# ---- refusing what is not JSON -----------------------------------------------------------------


@pytest.mark.parametrize("text, fragment", [
    ('{\n  // my settings\n  "model": "opus"\n}\n', "line 2"),
    ('{\n  "model": "opus",\n  "env": {"A": "1",},\n}\n', "line 3"),
    ('{\n  "model": "opus"\n  "env": {}\n}\n', "line 3"),
    ('[\n  {"hooks": {}}\n]\n', "top level is an array"),
    ('{"hooks": "none"}\n', '"hooks" is a string'),
    ('{"hooks": [{"matcher": "*"}]}\n', '"hooks" is an array'),
    ('{"hooks": {"PreToolUse": {"matcher": "*"}}}\n', '"hooks"."PreToolUse" is an object'),
    ('{"model": "a", "model": "b"}\n', "duplicate key 'model'"),
    ('{"timeout": NaN}\n', "NaN"),
])
@pytest.mark.parametrize("verb", ["install", "uninstall"])
def test_invalid_settings_are_refused_and_untouched(project: Path, exe: str, capsys: pytest.CaptureFixture,
                                                   text: str, fragment: str, verb: str):
    path = local_file(project)
    path.parent.mkdir(parents=True)
    path.write_text(text)
    mtime = path.stat().st_mtime_ns
    argv = ["hooks", verb, "--project", str(project)] + (["--command", exe] if verb == "install" else [])
    assert run_cli(*argv) == 2
    err = capsys.readouterr().err
    assert str(path) in err and fragment in err
    assert path.read_text() == text and path.stat().st_mtime_ns == mtime
    assert backups(path) == [] and sorted(p.name for p in path.parent.iterdir()) == [path.name]


def test_decode_error_names_line_and_column(project: Path, exe: str):
    path = local_file(project)
    path.parent.mkdir(parents=True)
    path.write_text('{\n  "a": 1,\n  "b": 2,\n}\n')
    with pytest.raises(hi.SettingsFileError) as info:
        hi.install(project=project, command=exe)
    assert str(info.value).startswith(f"{path}: not valid JSON: ") and "line 4 column 1" in str(info.value)


def test_blank_file_counts_as_empty_settings(project: Path, exe: str):
    path = local_file(project)
    path.parent.mkdir(parents=True)
    path.write_text("\n")
    assert hi.install(project=project, command=exe).written
    assert len(backups(path)) == 1 and "PreToolUse" in json.loads(path.read_text())["hooks"]


# ---- the file itself ---------------------------------------------------------------------------


def test_file_mode_is_kept_and_no_temp_file_is_left(project: Path, exe: str):
    path = write_json(local_file(project), {"model": "opus"})
    path.chmod(0o640)
    hi.install(project=project, command=exe)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert [p.name for p in path.parent.iterdir() if not p.name.startswith(path.name)] == []


def test_new_file_gets_the_usual_mode_not_the_temp_files(project: Path, exe: str):
    old = os.umask(0o027)
    try:
        hi.install(project=project, command=exe)
    finally:
        os.umask(old)
    assert stat.S_IMODE(local_file(project).stat().st_mode) == 0o640


def test_symlinked_settings_file_is_edited_through_the_link(project: Path, tmp_path: Path, exe: str):
    real = write_json(tmp_path / "dotfiles" / "settings.local.json", {"model": "opus"})
    link = local_file(project)
    link.parent.mkdir(parents=True)
    link.symlink_to(real)
    hi.install(project=project, command=exe)
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert "PreToolUse" in json.loads(real.read_text())["hooks"]


def test_unicode_is_written_as_is(project: Path, exe: str):
    path = write_json(local_file(project), {"env": {"GREETING": "grüß dich ✓"}})
    hi.install(project=project, command=exe)
    assert "grüß dich ✓" in path.read_text(encoding="utf-8")


# ---- codex -------------------------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["local", "project"])
def test_codex_project_targets(project: Path, exe: str, scope: str):
    path = write_json(project / ".codex" / "hooks.json", {"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "say done", "timeout": 3}]}]}})
    outcome = hi.install("codex", scope, project=project, command=exe)
    assert outcome.path == path and outcome.written
    data = json.loads(path.read_text())
    assert "statusLine" not in data and len(data["hooks"]) == CODEX_EVENT_COUNT
    assert data["hooks"]["PermissionRequest"] == [{"matcher": "*", "hooks": [
        {"type": "command", "command": f"{exe} hook codex permission-request", "timeout": 60}]}]
    assert data["hooks"]["PreToolUse"] == [{"matcher": "*", "hooks": [
        {"type": "command", "command": f"{exe} hook codex pre-tool-use", "timeout": 60}]}]
    assert data["hooks"]["Stop"] == [{"hooks": [{"type": "command", "command": "say done", "timeout": 3}]},
                                     {"hooks": [{"type": "command", "command": f"{exe} hook codex event",
                                                 "timeout": 10}]}]
    assert data["hooks"]["PostToolUse"][0]["matcher"] == "*"
    # Codex skips hooks marked async, so none of ours may be.
    assert not any("async" in h for groups in data["hooks"].values() for g in groups for h in g["hooks"])
    assert not (project / ".claude").exists()
    hi.uninstall("codex", scope, project=project)
    assert json.loads(path.read_text()) == {"hooks": {"Stop": [{"hooks": [
        {"type": "command", "command": "say done", "timeout": 3}]}]}}


def test_codex_user_target_follows_codex_home(project: Path, home: Path, exe: str,
                                              monkeypatch: pytest.MonkeyPatch):
    hi.install("codex", "user", project=project, command=exe)
    assert (home / ".codex" / "hooks.json").exists()
    monkeypatch.setenv("CODEX_HOME", str(home / "cx"))
    outcome = hi.install("codex", "user", command=exe)
    assert outcome.path == home / "cx" / "hooks.json" and outcome.path.exists()


def test_claude_user_target_follows_claude_config_dir(home: Path, exe: str, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLAUDE_CONFIG_DIR", str(home / "alt"))
    assert run_cli("hooks", "install", "--scope", "user", "--command", exe) == 0
    assert "PermissionRequest" in json.loads((home / "alt" / "settings.json").read_text())["hooks"]
    assert not (home / ".claude").exists()


# ---- status ------------------------------------------------------------------------------------


def test_installed_hooks_reports_every_file(project: Path, home: Path, exe: str, tmp_path: Path):
    hi.install(project=project, command=exe)
    gone = str(tmp_path / "gone" / "cockpit")
    hi.install("codex", "user", project=project, command=gone)
    data = json.loads(hi.settings_path("codex", "user").read_text())
    data["hooks"]["Stop"] = [{"hooks": [{"type": "command", "command": "mine"}]}]
    write_json(hi.settings_path("codex", "user"), data)
    bad = write_json(project / ".claude" / "settings.json", {})
    bad.write_text("{,}")
    rows = {(r["agent"], r["scope"]): r for r in hi.installed_hooks(project)}
    assert list(rows) == [("claude", "local"), ("claude", "project"), ("claude", "user"),
                          ("codex", "project"), ("codex", "user")]
    local = rows["claude", "local"]
    assert local["exists"] and local["error"] is None and local["missing"] == []
    assert len(local["events"]) == CLAUDE_EVENT_COUNT and local["statusline"] == "installed"
    assert local["command"] == exe and local["commands"] == [exe] and local["command_exists"]
    assert rows["claude", "project"]["error"] and str(bad) in rows["claude", "project"]["error"]
    assert not rows["claude", "user"]["exists"] and rows["claude", "user"]["command"] is None
    codex = rows["codex", "user"]
    assert codex["missing"] == ["Stop"] and codex["command"] == gone and not codex["command_exists"]
    assert codex["statusline"] is None


def test_status_command_prints_text_and_json(project: Path, exe: str, capsys: pytest.CaptureFixture):
    hi.install(project=project, command=exe)
    capsys.readouterr()
    assert run_cli("hooks", "status", "--project", str(project)) == 0
    text = capsys.readouterr().out
    n = CLAUDE_EVENT_COUNT
    assert f"claude local   {local_file(project)}: installed, {n}/{n} events" in text
    assert "codex  user" in text and "no file" in text
    assert run_cli("hooks", "status", "--project", str(project), "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["path"] == str(local_file(project)) and rows[0]["command"] == exe


def test_cli_install_reports_the_backup_and_bare_hooks_prints_usage(project: Path, exe: str,
                                                                    capsys: pytest.CaptureFixture):
    write_json(local_file(project), {"model": "opus"})
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe) == 0
    out = capsys.readouterr().out
    [backup] = backups(local_file(project))
    assert f"installed cockpit hooks in claude (local) {local_file(project)}" in out and str(backup) in out
    assert run_cli("hooks") == 2
    assert "install" in capsys.readouterr().err


def test_hook_timeout_matches_what_is_installed():
    assert hi.hook_timeout("claude", "PermissionRequest") == 600
    assert hi.hook_timeout("codex", "PermissionRequest") == 60
    assert hi.hook_timeout("codex", "PreToolUse") == 60
    assert hi.hook_timeout("claude", "Stop") == 10
    assert hi.hook_timeout("codex", "Nope") is None


def test_module_imports_only_the_stdlib():
    code = ("import sys; import cockpit.hooks.install as m; "
            "bad = sorted(n for n in sys.modules if n.split('.')[0] in "
            "('textual', 'rich', 'sqlite_utils', 'git', 'anthropic', 'orjson', 'platformdirs',"
            " 'watchfiles')); "
            "assert not bad, bad")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_install_then_uninstall_gives_back_the_users_file_byte_for_byte(tmp_path: Path) -> None:
    project = tmp_path / "p"
    settings = project / ".claude" / "settings.local.json"
    settings.parent.mkdir(parents=True)
    original = ('{\n    "permissions": {"allow": ["Bash(npm test:*)"]},\n    "statusLine": {"type": "command",'
                ' "command": "~/bin/line.sh", "padding": 1},\n    "hooks": {"Stop": [{"hooks": [{"type": "command",'
                ' "command": "notify-send fin\\u00e9"}]}]}\n}')
    settings.write_text(original, encoding="utf-8")
    exe = str(tmp_path / "bin" / "cockpit")
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe) == 0
    installed = json.loads(settings.read_text())
    assert installed["permissions"] == {"allow": ["Bash(npm test:*)"]}
    assert any(hi.is_cockpit_command(h["command"]) for g in installed["hooks"]["PreToolUse"] for h in g["hooks"])
    assert run_cli("hooks", "uninstall", "--project", str(project)) == 0
    assert settings.read_bytes() == original.encode("utf-8")
    assert backups(settings) == []  # the folder is as it was before install


def test_uninstall_after_the_user_changed_the_file_keeps_their_change(tmp_path: Path) -> None:
    project = tmp_path / "p"
    settings = project / ".claude" / "settings.local.json"
    settings.parent.mkdir(parents=True)
    settings.write_text('{"model": "opus"}')
    exe = str(tmp_path / "bin" / "cockpit")
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe) == 0
    data = json.loads(settings.read_text())
    data["model"] = "sonnet"
    settings.write_text(json.dumps(data))
    assert run_cli("hooks", "uninstall", "--project", str(project)) == 0
    assert json.loads(settings.read_text()) == {"model": "sonnet"}
    assert backups(settings)  # not restored from a copy: the copies stay


def test_fail_closed_makes_claude_block_when_the_hook_cannot_run(tmp_path: Path) -> None:
    project = tmp_path / "p"
    project.mkdir()
    exe = str(tmp_path / "bin" / "cockpit")
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe, "--fail-closed") == 0
    data = json.loads((project / ".claude" / "settings.local.json").read_text())
    [pre] = [h for g in data["hooks"]["PreToolUse"] for h in g["hooks"]]
    assert pre["onFailure"] == "block"
    others = [h for event, groups in data["hooks"].items() if event != "PreToolUse" for g in groups for h in g["hooks"]]
    assert others and all("onFailure" not in h for h in others)  # only the gate blocks; events never do
    assert run_cli("hooks", "install", "--project", str(project), "--command", exe, "--fail-closed",
                   "--agent", "codex") == 2
