"""Nothing a transcript, a diff, an issue, a config file, a commit or a tool wrote is obeyed by the terminal.

A hostile corpus (OSC 52 clipboard write, clear screen, title set, OSC 8 link, DCS, 8-bit CSI, bidi
override, zero-width joiner, BOM, NUL, lone surrogate, backspace and carriage-return overwrites) is
planted where each kind of untrusted text comes from, then every headless command runs through the
console script's entry point: its output holds none of those code points, and shows each as an escape
where the hostile text was. `terminal_safe` itself is checked over every code point there is.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from conftest import claude_assistant, claude_user, write_jsonl
from git_repo import ENV_WITH_PATH

from cockpit.cli import main
from cockpit.cli.terminal import out, out_json
from cockpit.core.text import (
    drop_styles,
    dumps,
    exact_line,
    json_safe,
    one_line,
    strip_controls,
    terminal_safe,
)
from cockpit.store import approvals
from cockpit.store.db import connect

OSC52 = "\x1b]52;c;ZWNobyBoaQ==\x07"
CLEAR = "\x1b[2J\x1b[H"
TITLE = "\x1b]0;pwned\x07"
LINK = "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\"
DCS = "\x1bP1$qm\x1b\\"
CSI8 = "\x9b31m"
BIDI = "\u202e"
ZWJ = "a\u200db"
BOM = "\ufeff"
SURROGATE = "\udc80"
OVERWRITE = "abc\b\b\bxyz"
RETURN = "safe\rEVIL"
# Everything at once; the clipboard write and the override first, so a field cut for width still shows them.
HOSTILE = OSC52 + BIDI + CLEAR + TITLE + LINK + DCS + CSI8 + ZWJ + BOM + "\x00" + OVERWRITE + " " + RETURN

SHOWN_OSC52 = "\\x1b]52;c;ZWNobyBoaQ==\\x07"
SHOWN_BIDI = "\\u202e"

# What must never reach a terminal: C0 but newline and tab, DEL, C1, soft hyphen, Arabic letter mark,
# Mongolian vowel separator, zero-width and direction marks, line/paragraph separators, embeddings,
# overrides, isolates, word joiner and invisible operators, BOM, surrogates, tags.
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
                       "\ufeff\ud800-\udfff\U000e0000-\U000e007f]")

GIT_ENV = ENV_WITH_PATH

# The gate command writes the clipboard itself when run; a gate name that is not allowed is an error
# message quoting it.
GATES = r"""
[gates.check]
command = "printf '%s\n' 'out\u001b]52;c;ZWNobyBoaQ==\u0007\u202e\u001b[2J' && exit 1 # C\u001b]52;c;ZWNobyBoaQ==\u0007\u202e"
required = true

["gates"."bad\u001b]0;pwned\u0007\u202ename"]
command = "true"
"""


def assert_inert(text: str, *shown: str) -> None:
    """No code point a terminal obeys (or that hides or reorders text) in `text`; each of `shown` is in it."""
    found = sorted({f"U+{ord(c):04X}" for c in FORBIDDEN.findall(text)})
    assert not found, f"reached the terminal: {found} in {text!r}"
    for part in shown:
        assert part in text, f"{part!r} not shown in {text!r}"


def git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=GIT_ENV, check=True, capture_output=True)


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A repository, a Claude Code folder and a store, each carrying the hostile corpus where it can."""
    base = tmp_path_factory.mktemp("hostile")
    db, config = base / "c.db", base / "config.toml"
    repo = base / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "cockpit.toml").write_text(GATES)
    write_jsonl(repo / ".beads" / "issues.jsonl", [
        {"id": "tp-1", "title": "I" + HOSTILE + SURROGATE, "status": "in_progress", "priority": 1,
         "issue_type": "task", "assignee": "bob" + CLEAR, "created_at": "2026-02-01T00:00:00Z"},
        {"id": "tp-2", "title": "second", "status": "open", "priority": 2, "issue_type": "task",
         "created_at": "2026-02-01T00:00:00Z", "dependencies": [{"depends_on_id": "tp-1", "type": "blocks"}]},
    ])
    (repo / "a.txt").write_text("0\n")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "start")
    for i in range(3):  # a debug spiral whose scope is the hostile text
        (repo / "a.txt").write_text(f"{i + 1}\n")
        git(repo, "commit", "-q", "-am", f"fix(ui{OSC52}{BIDI}{ZWJ}): tp-1 attempt {i}")
    evil_file = repo / f"evil{OSC52}{BIDI}.py"
    evil_file.write_text("print('left over')\n")
    (repo / f"s{SURROGATE}.py").write_text("print('x')\n")
    git(repo, "add", ".")
    plan = base / f"plan{OSC52}{BIDI}.md"
    plan.write_text(f"# Plan {HOSTILE}\n\n- step one {CLEAR}\n")

    claude = base / f"claude{CLEAR}"
    session = "5e55c0de-0000-4000-8000-000000000001"
    hostile_cwd = f"/home/dev/proj{TITLE}{BIDI}"
    write_jsonl(claude / "projects" / "-home-dev-proj" / f"{session}.jsonl", [
        {"type": "custom-title", "customTitle": "T" + HOSTILE, "sessionId": session},
        claude_user(0, "P" + HOSTILE, session=session, cwd=hostile_cwd),
        claude_assistant(1, session=session, cwd=hostile_cwd),
    ])
    assert main(["trust", "--repo", str(repo), "--db", str(db), "--config", str(config)]) == 0
    conn = connect(db)
    tool_input = {"command": "rm -rf /" + HOSTILE}
    for sid in ("S" + HOSTILE, session):  # an unknown session, and the transcript's (its title in the report)
        approvals.create(conn, {"agent": "claude", "event": "PermissionRequest", "session_id": sid,
                                "tool_name": "Bash" + BIDI, "tool_input": tool_input,
                                "input_hash": approvals.input_hash("Bash", tool_input), "summary": "rm" + HOSTILE,
                                "decided_by": "me" + CLEAR})
    conn.close()
    return {"db": db, "config": config, "repo": repo, "claude": claude, "session": session, "plan": plan,
            "evil_file": evil_file}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def flags(ws: dict[str, Any]) -> list[str]:
    return ["--db", str(ws["db"]), "--config", str(ws["config"]), "--claude-dir", str(ws["claude"]),
            "--codex-dir", str(ws["claude"] / "no-codex")]


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY", raising=False)


# ---- every command, through the real entry point -----------------------------------------------


def test_sessions_show_the_title_and_project_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "sessions", "--all", *flags(ws))
    assert code == 0
    assert_inert(stdout + stderr, "T" + SHOWN_OSC52 + SHOWN_BIDI, "/home/dev/proj\\x1b]0;pwned\\x07\\u202e")


def test_context_of_a_hostile_session_argument_is_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "context", ws["session"][:8], *flags(ws))
    session, picked, gauge = stdout.splitlines()
    assert code == 0 and session.startswith(f"session {ws['session']} · claude · ") and gauge.startswith("ctx ")
    assert picked == "picked: the newest session whose id starts with " + repr(ws["session"][:8])
    # The session it picked is named with its project's folder and its title, shown inert.
    assert_inert(stdout + stderr, "T" + SHOWN_OSC52 + SHOWN_BIDI, "proj\\x1b]0;pwned\\x07\\u202e")
    code, stdout, stderr = run(capsys, "context", "zz" + OSC52, *flags(ws))
    assert code == 1
    assert_inert(stdout + stderr, SHOWN_OSC52)


def test_approvals_show_session_tool_summary_and_decider_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "approvals", *flags(ws))
    assert code == 0
    assert_inert(stdout + stderr, "rm" + SHOWN_OSC52 + SHOWN_BIDI, "Bash" + SHOWN_BIDI, "S\\x1b]52;c", "me\\x1b[2J")


def test_report_text_and_markdown_show_titles_and_commit_scopes_inert(ws, capsys) -> None:
    base = ["report", "--since", "520w", "--repo", str(ws["repo"]), *flags(ws)]
    code, stdout, stderr = run(capsys, *base)
    assert code == 0 and "tp-1" in stdout
    assert_inert(stdout + stderr, "I" + SHOWN_OSC52 + SHOWN_BIDI)
    code, stdout, stderr = run(capsys, *base, "--markdown")
    assert code == 0 and "Debug spirals" in stdout
    # Session id and title in the interventions table, the spiral's scope from the commit subjects.
    assert_inert(stdout + stderr, "| S\\x1b]52;c; |", "T" + SHOWN_OSC52 + SHOWN_BIDI,
                 "ui" + SHOWN_OSC52.lower() + SHOWN_BIDI)


def test_doctor_shows_paths_and_problems_inert(ws, capsys, monkeypatch) -> None:
    monkeypatch.chdir(ws["repo"])
    code, stdout, stderr = run(capsys, *flags(ws), "--repo", str(ws["repo"]), "doctor")
    assert code == 0
    assert_inert(stdout + stderr, "claude\\x1b[2J\\x1b[H", "gates.bad\\x1b]0;pwned\\x07\\u202ename")


def test_issues_show_title_and_assignee_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "issues", "--repo", str(ws["repo"]))
    assert code == 0
    assert_inert(stdout + stderr, "I" + SHOWN_OSC52 + SHOWN_BIDI, "@bob\\x1b[2J\\x1b[H")


def test_gates_list_commands_and_config_errors_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "gates", "--repo", str(ws["repo"]), "--db", str(ws["db"]))
    assert code == 0
    assert_inert(stdout + stderr, "out" + SHOWN_OSC52 + SHOWN_BIDI, "bad\\x1b]0;pwned\\x07\\u202ename")


def test_gates_run_shows_the_command_and_keeps_its_output_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "gates", "--run", "check", "--repo", str(ws["repo"]), "--db", str(ws["db"]))
    assert code == 1 and "running check: " in stderr
    assert_inert(stdout + stderr, "# C" + SHOWN_OSC52 + SHOWN_BIDI)
    code, stdout, _ = run(capsys, "gates", "--json", "--repo", str(ws["repo"]), "--db", str(ws["db"]))
    tail = next(g for g in json.loads(stdout)["gates"] if g["name"] == "check")["last_run"]["output_tail"]
    assert tail == "out" + SHOWN_OSC52 + SHOWN_BIDI + "\\x1b[2J\n"  # stored shown, not obeyed


def test_gate_pre_commit_reasons_are_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "gate", "pre-commit", "--repo", str(ws["repo"]), "--db", str(ws["db"]),
                               "--config", str(ws["config"]))
    assert code == 1 and "commit blocked" in stderr
    assert_inert(stdout + stderr, "(runs: printf", "# C" + SHOWN_OSC52 + SHOWN_BIDI)


def test_trust_show_lists_every_command_and_error_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "trust", "--show", "--repo", str(ws["repo"]), "--db", str(ws["db"]))
    assert code == 0
    assert_inert(stdout + stderr, "$ printf", "# C" + SHOWN_OSC52 + SHOWN_BIDI, "bad\\x1b]0;pwned\\x07\\u202ename")


def test_vibe_shows_file_names_from_the_diff_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "vibe", "--no-write", "--repo", str(ws["repo"]), *flags(ws))
    assert code in (0, 1, 2) and "vibe:" in stdout
    assert_inert(stdout + stderr, "evil" + SHOWN_OSC52 + SHOWN_BIDI + ".py")


def test_premortem_of_a_hostile_plan_file_is_inert(ws, capsys) -> None:
    code, stdout, stderr = run(capsys, "premortem", "--plan", str(ws["plan"]), "--repo", str(ws["repo"]), *flags(ws))
    assert "pre-mortem:" in stdout, stderr
    assert_inert(stdout + stderr, "plan" + SHOWN_OSC52 + SHOWN_BIDI)
    report = ws["repo"] / stdout.rsplit("report: ", 1)[1].strip()
    written = report.read_text(encoding="utf-8")  # `cat` of the report must not clear the screen either
    assert_inert(written, "Plan " + SHOWN_OSC52 + SHOWN_BIDI)


def test_hooks_install_and_status_show_paths_and_commands_inert(ws, capsys, tmp_path) -> None:
    project = tmp_path / f"proj{CLEAR}"
    project.mkdir()
    executable = tmp_path / f"bin{OSC52}{BIDI}" / "cockpit"
    executable.parent.mkdir()
    executable.write_text("#!/bin/sh\n")
    executable.chmod(0o755)
    code, stdout, stderr = run(capsys, "hooks", "install", "--project", str(project), "--command", str(executable))
    assert code == 0
    assert_inert(stdout + stderr, "proj\\x1b[2J\\x1b[H")
    code, stdout, stderr = run(capsys, "hooks", "status", "--project", str(project))
    assert code == 0 and "installed" in stdout
    assert_inert(stdout + stderr, "proj\\x1b[2J\\x1b[H", "bin" + SHOWN_OSC52 + SHOWN_BIDI + "/cockpit")


def _statusline(db: Path, payload: dict[str, Any], *extra: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "cockpit", "statusline", "--db", str(db), *extra],
                          input=json.dumps(payload), capture_output=True, text=True, timeout=60, env=env)


def test_statusline_is_inert_and_keeps_only_the_users_own_colours(ws, tmp_path) -> None:
    payload = {"session_id": "S" + OSC52, "cwd": "/x" + CLEAR, "model": {"id": "m" + BIDI, "display_name": TITLE},
               "context_window": {"context_window_size": 200000,
                                  "current_usage": {"input_tokens": 1000, "cache_read_input_tokens": 9000}}}
    proc = _statusline(tmp_path / "s.db", payload)
    assert proc.returncode == 0 and proc.stdout.startswith("ctx 5.0%")
    assert_inert(proc.stdout + proc.stderr)
    theirs = r"printf '\033[32mgreen\033[0m \033]52;c;ZWNobyBoaQ==\007 \342\200\256 a\rb\n'"
    proc = _statusline(tmp_path / "s.db", payload, "--then", theirs)
    assert proc.returncode == 0
    # Colour (SGR) from the user's own statusLine command is kept; every other escape is shown.
    assert "\x1b[32mgreen\x1b[0m" in proc.stdout
    assert_inert(drop_styles(proc.stdout) + proc.stderr, SHOWN_OSC52, SHOWN_BIDI, "a\\rb")


def test_json_output_is_exact_and_inert(ws, capsys) -> None:
    code, stdout, _ = run(capsys, "trust", "--show", "--json", "--repo", str(ws["repo"]), "--db", str(ws["db"]))
    assert code == 0
    assert_inert(stdout, "\\u001b]52;c;ZWNobyBoaQ==\\u0007\\u202e")
    (gate,) = json.loads(stdout)["gates"]
    assert gate["command"].endswith("# C" + OSC52 + BIDI)  # a parser gets the exact text back
    code, stdout, _ = run(capsys, "sessions", "--all", "--json", *flags(ws))
    assert code == 0
    assert_inert(stdout)
    assert [s["title"] for s in json.loads(stdout)] == [one_line("T" + HOSTILE, 200)]


# ---- the function itself -----------------------------------------------------------------------


def _hidden(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Zl", "Zp") and char not in "\n\t"


def _escape(char: str) -> str:
    code = ord(char)
    short = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
    if char in short:
        return short[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


ALL = [chr(c) for c in range(0x110000)]
SELECTORS = {chr(c) for c in [*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0)]}
INVISIBLE_LETTERS = set("\u034f\u115f\u1160\u17b4\u17b5\u3164\uffa0")


def test_every_control_format_separator_and_surrogate_code_point_is_shown_as_its_escape() -> None:
    hidden = [c for c in ALL if _hidden(c)]
    assert len(hidden) > 2000  # C0, C1, every Cf (bidi, zero-width, tags …), Zl, Zp, all surrogates
    text = "".join("x" + c for c in hidden)
    assert terminal_safe(text) == "".join("x" + _escape(c) for c in hidden)
    assert terminal_safe(text, multiline=False) == terminal_safe(text)


def test_every_other_code_point_passes_unchanged() -> None:
    visible = "".join("x" + c for c in ALL
                      if not _hidden(c) and c not in SELECTORS and c not in INVISIBLE_LETTERS
                      and not 0x2060 <= ord(c) <= 0x206F and not 0x13430 <= ord(c) <= 0x1343F
                      and not 0xE0000 <= ord(c) <= 0xE007F)
    assert terminal_safe(visible) == visible


def test_invisible_letters_and_unassigned_format_slots_are_shown() -> None:
    for char in [*INVISIBLE_LETTERS, "\u2065", "\U000e0000", "\U000e0002", "\U0001343f"]:
        assert terminal_safe("x" + char) == "x" + _escape(char)


@pytest.mark.parametrize(("raw", "shown"), [
    (OSC52, "\\x1b]52;c;ZWNobyBoaQ==\\x07"),
    (CLEAR, "\\x1b[2J\\x1b[H"),
    (TITLE, "\\x1b]0;pwned\\x07"),
    (LINK, "\\x1b]8;;http://evil.example\\x1b\\click\\x1b]8;;\\x1b\\"),
    (DCS, "\\x1bP1$qm\\x1b\\"),
    ("\x1b_apc\x1b\\\x1b^pm\x1b\\\x1bXsos\x1b\\", "\\x1b_apc\\x1b\\\\x1b^pm\\x1b\\\\x1bXsos\\x1b\\"),
    ("\x1bc\x1b7\x1b8", "\\x1bc\\x1b7\\x1b8"),
    (CSI8, "\\x9b31m"),
    ("\x90dcs\x9c\x9dosc\x07", "\\x90dcs\\x9c\\x9dosc\\x07"),
    (BIDI + "abc", "\\u202eabc"),
    ("\u2066\u2067\u2068\u2069\u200e\u200f\u061c", "\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c"),
    (ZWJ, "a\\u200db"),
    ("a\u200bb\u200cc\u2060d\u2064e", "a\\u200bb\\u200cc\\u2060d\\u2064e"),
    (BOM + "x", "\\ufeffx"),
    ("soft\u00adhyphen\u180e", "soft\\xadhyphen\\u180e"),
    ("tag\U000e0041\U000e007f", "tag\\U000e0041\\U000e007f"),
    (SURROGATE, "\\udc80"),
    ("nul\x00", "nul\\x00"),
    ("del\x7f", "del\\x7f"),
    (OVERWRITE, "abc\\x08\\x08\\x08xyz"),
    (RETURN, "safe\\rEVIL"),
    ("line\u2028para\u2029", "line\\u2028para\\u2029"),
])
def test_the_hostile_corpus_is_shown_never_obeyed_never_dropped(raw: str, shown: str) -> None:
    assert terminal_safe(raw) == shown
    assert terminal_safe(raw, multiline=False) == shown
    assert terminal_safe(shown) == shown  # a second pass changes nothing


def test_newlines_and_tabs_are_kept_in_multiline_text_and_shown_on_one_line() -> None:
    assert terminal_safe("a\n\tb\r\nc") == "a\n\tb\nc"
    assert terminal_safe("a\n\tb\r\nc", multiline=False) == exact_line("a\n\tb\r\nc") == "a\\n\\tb\\r\\nc"
    assert exact_line("two  spaces") == "two  spaces"  # exact, unlike one_line
    assert one_line("two  spaces\n" + RETURN) == "two spaces safe\\rEVIL"


def test_emoji_and_ordinary_unicode_read_as_written() -> None:
    for text in ["👩\u200d💻", "👨\u200d👩\u200d👧", "❤\ufe0f", "👍🏽", "葛\U000e0100", "é ü ß 日本 ✓ — ‘quotes’",
                 "C:\\Users\\dev", "[bold]not markup[/]"]:
        assert terminal_safe(text) == text


def test_joiners_and_selectors_outside_emoji_are_shown() -> None:
    assert terminal_safe("a\u200d") == "a\\u200d"
    assert terminal_safe("\u200d💻") == "\\u200d💻"
    assert terminal_safe("\ufe0fx") == "\\ufe0fx"  # a selector with nothing to select
    assert terminal_safe("x \ufe0f") == "x \\ufe0f"
    # A run of selectors after one character is how data is smuggled in "emoji": shown after the first.
    assert terminal_safe("😀\ufe0f\U000e0101\U000e0102") == "😀\ufe0f\\U000e0101\\U000e0102"


def test_keep_styles_keeps_only_sgr_colour_sequences() -> None:
    text = "\x1b[1;32mok\x1b[0m " + OSC52 + CLEAR
    assert terminal_safe(text, keep_styles=True) == "\x1b[1;32mok\x1b[0m " + SHOWN_OSC52 + "\\x1b[2J\\x1b[H"
    assert drop_styles(text) == "ok " + OSC52 + CLEAR


def test_strip_controls_removes_whole_sequences_for_names_and_matching() -> None:
    assert strip_controls("a" + OSC52 + BIDI + LINK + DCS + CLEAR + BOM + "\U000e0041b\n\tc") == "aclickb\n\tc"


def test_json_safe_is_the_same_value_and_inert() -> None:
    value = {"k": HOSTILE + SURROGATE + "\U000e0041 é 日本", "n": [1, None]}
    text = dumps(value)
    assert_inert(text, "\\u001b]52;c;", "\\u202e", "\\udc80", "\\udb40\\udc41", "é 日本")
    assert json.loads(text) == value
    assert dumps("👩\u200d💻") == '"👩\u200d💻"'
    assert json_safe(json.dumps("\x7f\x9b", ensure_ascii=False)) == '"\\u007f\\u009b"'


def test_out_and_out_json_write_only_inert_text(monkeypatch) -> None:
    stdout, stderr = io.StringIO(), io.StringIO()
    monkeypatch.setattr(sys, "stdout", stdout)
    monkeypatch.setattr(sys, "stderr", stderr)
    out("a" + HOSTILE + "\nb")
    out(OSC52, err=True, end="")
    out_json({"t": HOSTILE})
    assert_inert(stdout.getvalue() + stderr.getvalue(), SHOWN_OSC52)
    assert stdout.getvalue().startswith("a" + SHOWN_OSC52 + SHOWN_BIDI) and "\nb\n{" in stdout.getvalue()
    assert stderr.getvalue() == SHOWN_OSC52
