"""End to end with the real Claude Code: hooks set up by `cockpit hooks install`, a push the model asks for.

Tested with Claude Code 2.1.332 (npm `@anthropic-ai/claude-code@2.1.332`; the native executable is the
platform package's, `node_modules/@anthropic-ai/claude-code-linux-x64/claude` on x86-64 Linux).
`python3 scripts/dev.py test` installs it into `.cache/clients/` with npm and names it in COCKPIT_TEST_CLAUDE;
run directly, pytest finds it there too. Without it every test here skips and says why.

Each test runs `claude -p … --permission-mode default` headless in a temporary git repository with a local
bare remote, in a scratch HOME that marks onboarding done and the repository trusted, against
tests/standin_messages_api.py on the loopback interface: the stand-in answers the first turn with one scripted
tool call (Bash or Monitor) and every later turn with text, and records what the model was sent. Nothing
leaves the machine. The hooks find the store through COCKPIT_DB.

- No cockpit running: a critical step (`git push`) is refused even when `--allowedTools "Bash(git push:*)"`
  allows it, through Bash and through the deferred Monitor tool (a PreToolUse `ask` becomes a refusal in
  `-p`), also when the hook cannot open its store; a harmless command runs. The control run without cockpit's
  hooks shows that the same allowed push would land.
- A cockpit answering (an `InboxWatch` thread in this process, deciding each pending request as a human
  pressing `y` or `n` would): allowed, the push lands; denied, it does not and the model reads the reason;
  a PermissionRequest of the client's own (a redirection into the repository) is answered too.
- `cockpit hooks install` / `uninstall` through the console script beside the user's own settings, checked
  by `claude doctor`, which validates every settings file offline.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from standin_messages_api import StandinMessagesApi, result_text

from cockpit.services.inbox import InboxWatch
from cockpit.store import approvals
from cockpit.store.approvals import Request
from cockpit.store.db import connect

from .world import VENV_BIN, ScratchWorld

pytestmark = pytest.mark.e2e

COCKPIT = VENV_BIN / "cockpit"
RUN_TIMEOUT = 120.0
PUSH = "git push origin HEAD:main"
BASH_PUSH = {"command": PUSH, "description": "Push to the remote"}
MONITOR_PUSH = {"command": PUSH, "description": "push", "timeout_ms": 30000}
ALLOW_PUSH = ("--allowedTools", "Bash(git push:*)")
DENY_REASON = "not today: CI is red"
through_bash_and_monitor = pytest.mark.parametrize(
    ("tool", "tool_input"), [("Bash", BASH_PUSH), ("Monitor", MONITOR_PUSH)], ids=["Bash", "Monitor"])


# ---- the world one run happens in ------------------------------------------------------------------


@dataclass
class World(ScratchWorld):
    remote: Path = field(init=False)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.remote = self.root / "remote.git"

    def env(self, base_url: str = "http://127.0.0.1:9") -> dict[str, str]:
        """A clean environment: nothing of the developer's own Claude Code, git or cockpit set-up leaks in."""
        env = {
            **self.base_env(),
            "ANTHROPIC_BASE_URL": base_url,
            "ANTHROPIC_API_KEY": "sk-ant-api03-standin-000000000000000000000000000000",
            "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
            "DISABLE_AUTOUPDATER": "1",
            "DISABLE_TELEMETRY": "1",
            "COCKPIT_DB": str(self.db),
        }
        bash = shutil.which("bash")
        if bash:
            env["SHELL"] = bash
        return env

    def git(self, *args: str, cwd: Path | None = None) -> str:
        proc = subprocess.run(["git", *args], cwd=cwd or self.repo, env=self.env(), capture_output=True,
                              text=True, timeout=30)
        assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
        return proc.stdout.strip()

    def remote_main(self) -> str:
        return self.git("--git-dir", str(self.remote), "rev-parse", "main", cwd=self.root)

    def cockpit(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(COCKPIT), *args], env=self.env(), capture_output=True, text=True,
                              timeout=60)

    def requests(self) -> list[Request]:
        """Every approval request the hooks recorded, oldest first."""
        if not self.db.exists():
            return []
        conn = connect(self.db)
        try:
            return list(reversed(approvals.history(conn)))
        finally:
            conn.close()


    def events(self) -> list[tuple[str, str]]:
        """(event, session_id) of every event the hooks recorded, oldest first."""
        if not self.db.exists():
            return []
        conn = connect(self.db)
        try:
            rows = conn.execute("SELECT event, session_id FROM hook_events ORDER BY id").fetchall()
            return [(event, session_id) for event, session_id in rows]
        finally:
            conn.close()


def make_world(root: Path, claude: Path) -> World:
    """A repository one commit ahead of its bare remote, trusted in a scratch HOME."""
    world = World(root, claude)
    for folder in (world.home, world.root / "tmp"):
        folder.mkdir(parents=True)
    world.git("init", "-q", "--bare", str(world.remote), cwd=root)
    world.git("init", "-q", "-b", "main", str(world.repo), cwd=root)
    (world.repo / "README").write_text("one\n")
    world.git("add", "README")
    world.git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "one")
    world.git("remote", "add", "origin", str(world.remote))
    world.git("push", "-q", "origin", "main")
    (world.repo / "README").write_text("one\ntwo\n")
    world.git("-c", "commit.gpgsign=false", "commit", "-q", "-am", "two")
    claude_json = {"hasCompletedOnboarding": True,
                   "projects": {str(world.repo): {"hasTrustDialogAccepted": True}}}
    (world.home / ".claude.json").write_text(json.dumps(claude_json))
    return world


@pytest.fixture
def bare_world(tmp_path: Path, claude_exe: Path) -> World:
    return make_world(tmp_path, claude_exe)


@pytest.fixture
def world(bare_world: World) -> World:
    """`bare_world` with cockpit's hooks installed through the console script (scope local)."""
    proc = bare_world.cockpit("hooks", "install", "--project", str(bare_world.repo))
    assert proc.returncode == 0, proc.stderr
    assert (bare_world.repo / ".claude" / "settings.local.json").is_file()
    return bare_world


@dataclass
class Run:
    proc: subprocess.CompletedProcess[str] | None
    api: StandinMessagesApi
    world: World
    seconds: float
    timed_out: str = ""

    def explain(self) -> str:
        """What to print when an assertion fails: the client's output and what the stand-in saw."""
        out = self.proc.stdout if self.proc else ""
        err = self.proc.stderr if self.proc else self.timed_out
        try:
            rows: Any = [(r.id, r.event, r.tool_name, r.status, r.decision, r.decided_by, r.reason) for r in
                         self.world.requests()]
        except Exception as exc:  # noqa: BLE001 - a store the test broke on purpose
            rows = f"unreadable: {exc}"
        code = self.proc.returncode if self.proc else "timeout"
        return (f"\n--- claude exit {code} after {self.seconds:.1f} s"
                f"\n--- stdout\n{out}\n--- stderr\n{err}\n--- stand-in requests\n{self.api.log()}"
                f"\n--- cockpit approvals\n{rows}\n")

    def results(self) -> list[dict[str, Any]]:
        return self.api.tool_result_blocks()

    def only_result(self) -> tuple[str, bool]:
        """(text, is_error) of the one tool_result the model received."""
        blocks = self.results()
        assert len(blocks) == 1, self.explain()
        return result_text(blocks[0]), bool(blocks[0].get("is_error"))


def run_claude(world: World, tool: str, tool_input: dict[str, Any], *extra: str) -> Run:
    """`claude -p` in the repository, the stand-in scripted to call `tool` once with `tool_input`."""
    with StandinMessagesApi(tool, tool_input) as api:
        command = [str(world.exe), "-p", "Push my branch to origin, please.",
                   "--permission-mode", "default", *extra]
        env = world.env(api.base_url)
        started = time.monotonic()
        try:
            proc = subprocess.run(command, cwd=world.repo, env=env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            out, err = (s.decode(errors="replace") if isinstance(s, bytes) else s or "" for s in
                        (exc.stdout, exc.stderr))
            run = Run(None, api, world, time.monotonic() - started,
                      timed_out=f"timed out after {RUN_TIMEOUT:.0f} s\nstdout: {out}\nstderr: {err}")
            pytest.fail(run.explain())
        run = Run(proc, api, world, time.monotonic() - started)
    assert proc.returncode == 0, run.explain()
    assert api.tool_use_count() == 1, run.explain()
    return run


# ---- a cockpit answering -----------------------------------------------------------------------------


@contextmanager
def cockpit_answering(db: Path, decision: str, reason: str = "") -> Iterator[list[Request]]:
    """The dashboard's side, headless: an InboxWatch thread beating the heartbeat, deciding every pending
    request with `decision` as a human pressing y or n would. Yields the requests it decided."""
    decided: list[Request] = []
    local = threading.local()

    def on_change(pending: list[Request], _closed: list[Request]) -> None:
        if not hasattr(local, "conn"):
            local.conn = connect(db)
        for request in pending:
            if approvals.decide(local.conn, request.id, request.input_hash, decision, reason=reason):
                decided.append(request)

    conn = connect(db)  # the dashboard opens its store before it starts watching
    stop = threading.Event()
    watch = InboxWatch(str(db), on_change)
    thread = threading.Thread(target=watch.run, args=(stop,), name="cockpit-inbox", daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not approvals.cockpit_alive(conn):
            assert time.monotonic() < deadline, "the InboxWatch never beat"
            time.sleep(0.05)
        yield decided
    finally:
        stop.set()
        thread.join(10)
        conn.close()
        if hasattr(local, "conn"):
            local.conn.close()


# ---- (a) no cockpit running ----------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [(), ALLOW_PUSH], ids=["default", "allowedTools"])
@through_bash_and_monitor
def test_a_push_never_reaches_the_remote_without_a_cockpit(world: World, tool: str,
                                                           tool_input: dict[str, Any],
                                                           extra: tuple[str, ...]) -> None:
    before = world.remote_main()
    run = run_claude(world, tool, tool_input, *extra)
    assert world.remote_main() == before, "the push landed" + run.explain()
    text, is_error = run.only_result()
    assert is_error and "cockpit" in text, run.explain()
    rows = world.requests()
    assert [(r.event, r.tool_name, r.status) for r in rows] == [("PreToolUse", tool, approvals.NO_COCKPIT)], \
        run.explain()
    assert rows[0].tool_input["command"] == PUSH
    assert rows[0].session_id in {sid for _, sid in world.events()}, world.events()


@through_bash_and_monitor
def test_a_push_never_reaches_the_remote_when_the_store_is_broken(world: World, tool: str,
                                                                  tool_input: dict[str, Any]) -> None:
    """The hook cannot open its store (not a database): the critical step is refused all the same."""
    world.db.write_bytes(b"this is not a database\n" * 100)
    before = world.remote_main()
    run = run_claude(world, tool, tool_input, *ALLOW_PUSH)
    assert world.remote_main() == before, "the push landed" + run.explain()
    text, is_error = run.only_result()
    assert is_error and "cockpit" in text, run.explain()


def test_a_harmless_command_runs_without_a_cockpit(world: World) -> None:
    run = run_claude(world, "Bash", {"command": "git status", "description": "Show the status"})
    text, is_error = run.only_result()
    assert not is_error and "On branch main" in text, run.explain()
    assert world.requests() == [], run.explain()
    # The event hooks reached the store too, all from one session.
    events = world.events()
    assert {"SessionStart", "UserPromptSubmit"} <= {e for e, _ in events}, events
    assert len({sid for _, sid in events}) == 1 and events[0][1], events


@through_bash_and_monitor
def test_control_without_cockpits_hooks_the_allowed_push_lands(bare_world: World, tool: str,
                                                                tool_input: dict[str, Any]) -> None:
    """What the tests above rule out happens without cockpit: the refusal is cockpit's, not the set-up's."""
    before = bare_world.remote_main()
    run = run_claude(bare_world, tool, tool_input, *ALLOW_PUSH)
    assert bare_world.remote_main() == bare_world.git("rev-parse", "HEAD") != before, run.explain()


@pytest.mark.parametrize("fail_closed", [False, True], ids=["default", "fail-closed"])
def test_a_hook_that_cannot_run_blocks_the_push_only_when_installed_fail_closed(bare_world: World,
                                                                               fail_closed: bool) -> None:
    """cockpit's executable is gone (a deleted venv): Claude Code's onFailure decides, not cockpit."""
    gone = bare_world.root / "deleted-venv" / "bin" / "cockpit"
    args = ["hooks", "install", "--project", str(bare_world.repo), "--command", str(gone)]
    proc = bare_world.cockpit(*args, *(["--fail-closed"] if fail_closed else []))
    assert proc.returncode == 0, proc.stderr
    before = bare_world.remote_main()
    run = run_claude(bare_world, "Bash", {"command": PUSH, "description": "Push"}, *ALLOW_PUSH)
    landed = bare_world.remote_main() != before
    assert landed is not fail_closed, run.explain()


# ---- (b) a cockpit answering ---------------------------------------------------------------------------


@through_bash_and_monitor
def test_a_push_the_cockpit_allows_lands(world: World, tool: str, tool_input: dict[str, Any]) -> None:
    before = world.remote_main()
    with cockpit_answering(world.db, "allow") as decided:
        run = run_claude(world, tool, tool_input)
    assert world.remote_main() == world.git("rev-parse", "HEAD") != before, \
        "the push did not land" + run.explain()
    _text, is_error = run.only_result()
    assert not is_error, run.explain()
    assert [(r.event, r.tool_name) for r in decided] == [("PreToolUse", tool)], run.explain()
    rows = world.requests()
    assert [(r.status, r.decision, r.decided_by) for r in rows] == \
        [(approvals.DECIDED, "allow", "cockpit-key")], run.explain()


@through_bash_and_monitor
def test_a_push_the_cockpit_denies_stays_and_the_model_reads_why(world: World, tool: str,
                                                                 tool_input: dict[str, Any]) -> None:
    before = world.remote_main()
    with cockpit_answering(world.db, "deny", DENY_REASON) as decided:
        run = run_claude(world, tool, tool_input, *ALLOW_PUSH)
    assert world.remote_main() == before, "the push landed" + run.explain()
    text, is_error = run.only_result()
    assert is_error and DENY_REASON in text, run.explain()
    assert [(r.event, r.tool_name) for r in decided] == [("PreToolUse", tool)], run.explain()
    rows = world.requests()
    assert [(r.status, r.decision, r.reason) for r in rows] == [(approvals.DECIDED, "deny", DENY_REASON)], \
        run.explain()


def test_the_cockpit_answers_the_clients_own_permission_request(world: World) -> None:
    """Not a critical step for cockpit, but Claude Code asks before a redirection writes into the repository:
    its PermissionRequest hook reaches the cockpit, and the cockpit's allow lets the command run."""
    with cockpit_answering(world.db, "allow") as decided:
        run = run_claude(world, "Bash", {"command": "echo ok > marker", "description": "Write a marker"})
    assert (world.repo / "marker").read_text() == "ok\n", run.explain()
    assert [(r.event, r.tool_name) for r in decided] == [("PermissionRequest", "Bash")], run.explain()
    _text, is_error = run.only_result()
    assert not is_error, run.explain()


# ---- install / uninstall beside the user's own settings ----------------------------------------------

USER_SETTINGS = """{
  "permissions": {
    "allow": [
      "Bash(npm test:*)",
      "Read(~/notes/**)"
    ],
    "deny": [
      "Bash(curl:*)"
    ]
  },
  "hooks": {
    "PreToolUse": [
      {
        "matcher": "Bash",
        "hooks": [
          {
            "type": "command",
            "command": "echo guard >> \\"$CLAUDE_PROJECT_DIR/guard.log\\"",
            "timeout": 5
          }
        ]
      }
    ],
    "Stop": [
      {
        "hooks": [
          {
            "type": "command",
            "command": "true"
          }
        ]
      }
    ]
  },
  "statusLine": {
    "type": "command",
    "command": "echo \\"my line\\"",
    "padding": 1
  },
  "env": {
    "FOO": "bär"
  }
}
"""


def doctor(world: World) -> str:
    """`claude doctor` in the repository: it validates every settings file without the API."""
    try:
        proc = subprocess.run([str(world.exe), "doctor"], cwd=world.repo, env=world.env(),
                              stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("claude doctor did not finish in 60 s")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Claude Code doctor" in proc.stdout, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


def test_install_and_uninstall_beside_the_users_settings_which_claude_accepts(bare_world: World) -> None:
    world = bare_world
    local = world.repo / ".claude" / "settings.local.json"
    local.parent.mkdir()
    local.write_bytes(USER_SETTINGS.encode())
    user = world.home / ".claude" / "settings.json"

    # claude doctor finds a broken settings file: its silence below means something.
    broken = json.loads(USER_SETTINGS)
    broken["hooks"]["Bogus"] = [{"hooks": [{"type": "command", "command": "true"}]}]
    local.write_text(json.dumps(broken))
    report = doctor(world)
    assert "Invalid settings" in report and str(local) in report, report
    local.write_bytes(USER_SETTINGS.encode())
    assert "Invalid settings" not in doctor(world)

    for scope in ("local", "user"):
        proc = world.cockpit("hooks", "install", "--project", str(world.repo), "--scope", scope)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    installed = json.loads(local.read_text())
    mine = json.loads(USER_SETTINGS)
    assert installed["permissions"] == mine["permissions"] and installed["env"] == mine["env"]
    assert installed["hooks"]["PreToolUse"][0] == mine["hooks"]["PreToolUse"][0]
    assert installed["hooks"]["Stop"][0] == mine["hooks"]["Stop"][0]
    cockpit = shlex.quote(str(COCKPIT))
    ours = [h["command"] for groups in installed["hooks"].values() for g in groups for h in g["hooks"]
            if h["command"].startswith(cockpit)]
    assert f"{cockpit} hook claude pre-tool-use" in ours
    assert f"{cockpit} hook claude permission-request" in ours
    assert installed["statusLine"]["command"].startswith(f"{cockpit} statusline --then ")
    assert installed["statusLine"]["padding"] == 1
    assert json.loads(user.read_text())["hooks"]["PreToolUse"]

    report = doctor(world)
    assert "Invalid settings" not in report, report
    # Both run: the user's own PreToolUse hook, and cockpit's, which keeps the push from the remote.
    before = world.remote_main()
    run = run_claude(world, "Bash", BASH_PUSH, *ALLOW_PUSH)
    assert world.remote_main() == before, "the push landed" + run.explain()
    assert (world.repo / "guard.log").read_text() == "guard\n", run.explain()

    for scope in ("local", "user"):
        proc = world.cockpit("hooks", "uninstall", "--project", str(world.repo), "--scope", scope)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # Byte for byte: cockpit rewrites a file in this two-space layout (another layout comes back as the same
    # JSON, keys in the same order, re-indented; the original bytes are in the backup install made).
    assert local.read_bytes() == USER_SETTINGS.encode()
    assert json.loads(user.read_text()) == {}
    assert "Invalid settings" not in doctor(world)

