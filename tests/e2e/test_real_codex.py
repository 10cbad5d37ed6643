"""End to end with the real Codex CLI: three turns headless against a loopback Responses API, then the rollout
indexed by cockpit's own entry point and compared with what the stand-in sent.

Tested with Codex 0.171.0 (npm `@openai/codex@0.171.0`; the native executable is the platform package's,
`node_modules/@openai/codex-linux-x64/vendor/x86_64-unknown-linux-musl/bin/codex` on x86-64 Linux).
`python3 scripts/dev.py test` installs it into `.cache/clients/` with npm and names it in COCKPIT_TEST_CODEX;
run directly, pytest finds it there too. Without it the test skips and says why.

The session: `codex exec -s danger-full-access` in a scratch git repository with CODEX_HOME in a temporary
folder whose config.toml points the provider at tests/standin_responses_api.py, then `codex exec … resume
--last` twice. Turn 1 runs a command that exits 2 and answers; turn 2 answers; turn 3 starts with
`-c model_auto_compact_token_limit=…` below the context turn 2 left, so Codex compacts first (a model request
of its own), then answers. Nothing leaves the machine.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from standin_responses_api import Answer, StandinResponsesApi, Usage, function_outputs, output_text

from cockpit.cli import main as cockpit_main
from cockpit.core import codex
from cockpit.core import models as core_models
from cockpit.core.pricing import request_cost
from cockpit.sources.conversation import conversation
from cockpit.store.db import open_db
from cockpit.store.queries import session_tools

from .clients import CODEX_VERSION
from .world import ScratchWorld

pytestmark = pytest.mark.e2e

RUN_TIMEOUT = 60.0
MODEL = "gpt-5.3-codex"
PROMPTS = ("Run the check script and tell me what failed.", "Now summarise the README.", "One more thing, please.")
FAILING = "echo boom; exit 2"
# What the stand-in answers, in order: turn 1 (a command, then text), turn 2 (text), turn 3 (text, after the
# compaction). Cached tokens are part of input_tokens, reasoning tokens part of output_tokens (Responses API).
SCRIPT = [
    Answer.call(FAILING, Usage(9_000, 120, cached_tokens=0, reasoning_tokens=40)),
    Answer.message("The check failed with exit code 2.", Usage(9_400, 60, cached_tokens=8_960)),
    Answer.message("The README says hello.", Usage(18_600, 65, cached_tokens=9_000, reasoning_tokens=10)),
    Answer.message("Third answer.", Usage(3_000, 50)),
]
# The compaction request is the whole history plus Codex's prompt: larger than the context that triggered it.
COMPACTION = [Answer.message("Summary: the check failed with exit code 2; the README says hello.",
                             Usage(21_000, 109))]
COMPACT_LIMIT = 15_000  # below turn 2's context (18,665), above the compacted one


@dataclass
class World(ScratchWorld):
    codex_home: Path = field(init=False)
    runs: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__post_init__()
        self.codex_home = self.root / "codex-home"
        for folder in (self.home, self.codex_home, self.repo, self.root / "tmp", self.root / "no-claude"):
            folder.mkdir(parents=True)

    def env(self) -> dict[str, str]:
        """A clean environment: nothing of the developer's own Codex, git or OpenAI set-up leaks in."""
        return {
            **self.base_env(),
            "CODEX_HOME": str(self.codex_home),
            "SHELL": "/bin/bash",
            "STANDIN_API_KEY": "standin-key",
        }

    def configure(self, base_url: str) -> None:
        (self.codex_home / "config.toml").write_text(
            f'model = "{MODEL}"\n'
            'model_provider = "standin"\n'
            "check_for_update_on_startup = false\n"
            "\n[model_providers.standin]\n"
            'name = "standin"\n'
            f'base_url = "{base_url}"\n'
            'env_key = "STANDIN_API_KEY"\n'
            'wire_api = "responses"\n'
        )

    def git(self, *args: str) -> None:
        proc = subprocess.run(["git", *args], cwd=self.repo, env=self.env(), capture_output=True, text=True,
                              timeout=30)
        assert proc.returncode == 0, proc.stderr

    def codex(self, *args: str) -> None:
        command = [str(self.exe), "exec", "-s", "danger-full-access", *args]
        try:
            proc = subprocess.run(command, cwd=self.repo, env=self.env(), stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"codex {' '.join(args)}: no end in {RUN_TIMEOUT:.0f} s\n{exc.stdout}\n{exc.stderr}")
        self.runs.append(f"$ codex exec {' '.join(args)} -> {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
        assert proc.returncode == 0, self.runs[-1]

    def rollout(self) -> Path:
        (found,) = sorted((self.codex_home / "sessions").rglob("rollout-*.jsonl"))
        return found

    def cockpit_json(self, capsys: pytest.CaptureFixture[str], *args: str) -> Any:
        capsys.readouterr()
        code = cockpit_main([*args, "--json", "--codex-dir", str(self.codex_home),
                             "--claude-dir", str(self.root / "no-claude"), "--db", str(self.db)])
        captured = capsys.readouterr()
        assert code == 0, captured.err
        return json.loads(captured.out)


def _rollout_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _token_counts(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [o["payload"]["info"] for o in lines
            if o.get("type") == "event_msg" and o["payload"].get("type") == "token_count" and o["payload"]["info"]]


def test_a_real_codex_session_is_read_whole(tmp_path: Path, codex_exe: Path,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    world = World(tmp_path, codex_exe)
    world.git("init", "-q", "-b", "main")
    (world.repo / "README").write_text("hello\n")
    world.git("add", "README")
    world.git("-c", "commit.gpgsign=false", "commit", "-q", "-m", "one")
    started = time.monotonic()
    with StandinResponsesApi(list(SCRIPT), list(COMPACTION)) as api:
        world.configure(api.base_url)
        world.codex(PROMPTS[0])
        world.codex("resume", "--last", PROMPTS[1])
        world.codex("-c", f"model_auto_compact_token_limit={COMPACT_LIMIT}", "resume", "--last", PROMPTS[2])
    seconds = time.monotonic() - started
    answered = api.answered()
    why = f"\n--- stand-in\n{api.log()}\n--- runs\n" + "\n".join(world.runs)
    assert [r.kind for r in answered] == ["call", "message", "message", "compaction", "message"], why
    # The command really ran and exited 2: the model was told so.
    outputs = [output_text(o) for r in answered for o in function_outputs(r.body)]
    assert outputs and "Process exited with code 2" in outputs[0], why
    sent = [r.answer.usage for r in answered if r.answer is not None]
    by_kind = {r.kind: r.answer.usage for r in answered if r.answer is not None}
    last_before_compaction = [r.answer.usage for r in answered[:3] if r.answer is not None][-1]
    assert by_kind["compaction"].total_tokens > last_before_compaction.total_tokens > COMPACT_LIMIT

    rollout = world.rollout()
    lines = _rollout_lines(rollout)
    unknown = sorted({kind for kind, known in map(codex.known_kind, lines) if not known})
    assert unknown == [], f"Codex {CODEX_VERSION} writes line kinds cockpit does not know: {unknown}"
    counts = _token_counts(lines)
    window = counts[-1]["model_context_window"]
    estimate = [c["last_token_usage"]["total_tokens"] for c in counts
                if c["last_token_usage"]["input_tokens"] == 0 and c["last_token_usage"]["output_tokens"] == 0]
    assert len(estimate) == 1, estimate  # Codex's estimate of the compacted context
    assert any(o["payload"].get("rate_limits", {}) and o["payload"]["rate_limits"]["primary"]["used_percent"] == 12.5
               for o in lines if o.get("type") == "event_msg" and o["payload"].get("type") == "token_count")

    # ---- cockpit's view, through its own entry point ------------------------------------------------
    (session,) = world.cockpit_json(capsys, "sessions", "--all")
    sid = session["session_id"]
    assert rollout.name.endswith(f"{sid}.jsonl")
    got = {
        "title": session["title"],
        "project": session["project"],
        "model": session["model"],
        "input_tokens": session["usage"]["input_tokens"] + session["usage"]["cache_read_input_tokens"],
        "cached_tokens": session["usage"]["cache_read_input_tokens"],
        "output_tokens": session["usage"]["output_tokens"],
        "context": (session["context"]["prompt_tokens"], session["context"]["window"]),
        "compactions": [(c["trigger"], c["pre_tokens"]) for c in session["compactions"]],
        "skipped_lines": session["skipped_lines"],
        "state": session["state"],
    }
    expected = {
        "title": PROMPTS[0],
        "project": str(world.repo),
        "model": MODEL,
        "input_tokens": sum(u.input_tokens for u in sent),
        "cached_tokens": sum(u.cached_tokens for u in sent),
        "output_tokens": sum(u.output_tokens for u in sent),
        "context": (sent[-1].total_tokens, window),
        "compactions": [("auto", last_before_compaction.total_tokens)],
        "skipped_lines": 0,
        "state": "idle",
    }
    assert got == expected, why
    cost = sum(request_cost(MODEL, core_models.Usage(u.input_tokens - u.cached_tokens, u.output_tokens, 0,
                                                     u.cached_tokens)) or 0.0 for u in sent)
    assert session["cost_usd"] == pytest.approx(cost, abs=1e-6)

    db = open_db(world.db)
    prompts = [t for (t,) in db.execute("SELECT text FROM prompts WHERE session_id = ? ORDER BY seq", (sid,))]
    assert prompts == list(PROMPTS)
    tools = [(t.name, t.summary, t.is_error) for t in session_tools(db, sid)]
    assert tools == [("exec_command", FAILING, True)]
    (post,) = [p for (p,) in db.execute("SELECT post_tokens FROM compactions WHERE session_id = ?", (sid,))]
    assert post == estimate[0]
    assert db.execute("SELECT COUNT(*) FROM api_calls WHERE session_id = ?", (sid,)).fetchone()[0] == len(sent)

    gauge = world.cockpit_json(capsys, "context", sid)
    assert (gauge["context"]["prompt_tokens"], gauge["context"]["window"]) == (sent[-1].total_tokens, window)

    # The retro's reader: the three prompts and the three answers, no wrappers, no compaction summary.
    said, cut = conversation(rollout)
    assert not cut
    assert [u.text for u in said if u.role == "user"] == list(PROMPTS)
    assert [u.text for u in said if u.role == "assistant"] == [a.text for a in SCRIPT if a.text]
    assert seconds < 60, f"the three runs took {seconds:.0f} s"
