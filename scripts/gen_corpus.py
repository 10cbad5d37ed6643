"""Seedable generator of realistic Claude Code and Codex transcript corpora, with the true totals.

    python scripts/gen_corpus.py OUT_DIR --sessions N [--seed S] [--codex-fraction F]
                                 [--target-bytes B] [--mean-session-bytes M] [--now ISO]

Writes, under OUT_DIR:
  claude/projects/<slug>/<uuid>.jsonl                        main Claude Code sessions
  claude/projects/<slug>/<uuid>/subagents/agent-a<7hex>.jsonl subagents (2.1.x layout)
  claude/projects/<slug>/<uuid>/subagents/agent-acompact-<6hex>.jsonl  compaction summariser runs
  claude/projects/<slug>/agent-<8hex>.jsonl                  subagents of 2.0.x sessions (legacy flat layout)
  codex/sessions/YYYY/MM/DD/rollout-YYYY-MM-DDThh-mm-ss-<uuid7>.jsonl  Codex rollouts (UTC in the name)
  manifest.json                                              per-session truth, tallied while writing

The shapes follow spec agent-formats.md §1, §3 and the §4 parameters measured on the real corpus
(marot/spotter, madshn/localpush). Every random choice comes from a per-session RNG seeded from
(--seed, session index), so the same arguments give byte-identical output.

With --target-bytes, sessions are added until the corpus reaches that size; session sizes are
drawn around target/--sessions so the count comes out near --sessions. Without it, exactly
--sessions sessions are written, each drawn around --mean-session-bytes.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

try:
    import orjson

    def dumps(obj: Any) -> bytes:
        return orjson.dumps(obj)
except ImportError:  # pragma: no cover - the project venv has orjson; this keeps the script usable elsewhere

    def dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()


DAY_MS = 86_400_000
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
HEX = "0123456789abcdef"

# Claude Code versions and how often they appear; 2.0.x writes subagents flat next to the session.
CLAUDE_VERSIONS = (("2.0.76", 0.06), ("2.1.39", 0.47), ("2.1.112", 0.27), ("2.1.332", 0.20))
MAIN_MODELS = (("claude-opus-4-6", 0.62), ("claude-sonnet-4-5-20250929", 0.30), ("claude-haiku-4-5-20251001", 0.08))
LEGACY_MODELS = (("claude-sonnet-4-5-20250929", 0.7), ("claude-opus-4-1-20250805", 0.3))
SUB_MODELS = (("claude-sonnet-4-5-20250929", 0.5), ("claude-haiku-4-5-20251001", 0.35), ("claude-opus-4-6", 0.15))
CODEX_MODELS = (("gpt-5.3-codex", 0.6), ("gpt-5.2-codex", 0.25), ("gpt-5-codex", 0.15))
CODEX_VERSIONS = (("0.104.0-alpha.1", "Codex Desktop", "vscode"), ("0.98.0", "codex_cli_rs", "cli"), ("0.77.0", "codex_exec", "exec"))
CODEX_WINDOW = 258_400  # 272k x 95 % (spec §3.2)

# Auto-compaction point: window - min(max_output, 20k) - 13k (spec §1.10).
AUTO_COMPACT = {200_000: 167_000, 1_000_000: 967_000}
TOOLS = (
    ("Bash", 0.42), ("Read", 0.20), ("Edit", 0.21), ("Grep", 0.05), ("Glob", 0.02), ("Write", 0.05),
    ("TodoWrite", 0.03), ("WebFetch", 0.01), ("Task", 0.008),
)
SUB_TOOLS = (("Read", 0.45), ("Grep", 0.25), ("Glob", 0.15), ("Bash", 0.15))
HOOK_COMMANDS = (
    "/home/dev/.claude/hooks/tmux-waiting.sh clear", "cd ${CLAUDE_PLUGIN_ROOT}/hooks && bun run ./guardian.ts",
    "${CLAUDE_PLUGIN_ROOT}/scripts/post-tool-capture.sh", "${CLAUDE_PLUGIN_ROOT}/scripts/tool-call-capture.sh",
    "/home/dev/.claude/hooks/format-on-save.sh", "bd prime", "/home/dev/.claude/hooks/notify.sh",
    "cd ${CLAUDE_PLUGIN_ROOT}/hooks && bun run ./dist/on-stop-test.js",
)
PROJECTS = (
    "shop-api", "billing-service", "web-dashboard", "infra-terraform", "ml-pipeline", "mobile-app", "docs-site",
    "auth-gateway", "search-indexer", "data-warehouse", "cli-tools", "notification-hub", "payments-core",
    "analytics-etl", "k8s-operators", "design-system", "chat-backend", "scheduler", "feature-flags", "ledger",
)
BRANCHES = ("main", "main", "main", "develop", "feature/pagination", "fix/race-in-cache", "chore/deps", "spike/new-parser")
WORDS = (
    "the", "request", "handler", "returns", "a", "list", "of", "orders", "when", "cursor", "is", "set", "config", "value",
    "error", "user", "session", "token", "cache", "query", "index", "table", "test", "passes", "fails", "should",
    "update", "create", "delete", "function", "module", "import", "from", "return", "self", "data", "result", "None",
    "async", "await", "client", "server", "response", "status", "200", "404", "500", "page", "limit", "offset",
    "filter", "sort", "by", "field", "schema", "migration", "column", "null", "true", "false", "len", "items", "for",
    "in", "if", "else", "raise", "ValueError", "assert", "expected", "actual", "line", "file", "path", "src", "lib",
    "def", "class", "struct", "impl", "fn", "let", "const", "var", "type", "interface", "export", "default", "=", "==",
    "->", "=>", "{", "}", "(", ")", "[", "]", ":", ";", ",", ".", "warning:", "note:", "TODO", "FIXME", "ok", "PASS",
    "FAIL", "tests/test_orders.py", "src/orders/router.ts", "lib/cache.ex", "internal/db/pool.go", "println!",
)
COMMAND = "<command-name>/{name}</command-name>\n            <command-message>{name}</command-message>\n            <command-args></command-args>"
TITLES = (
    "Add pagination to orders endpoint", "Debug flaky cache test on CI", "Session store connection pool refactor",
    "Index migration for created_at", "Fix websocket reconnect test", "Review risky branch changes", "Token bucket rate limiting",
    "README setup update", "Streaming CSV exporter", "Indexer memory growth investigation", "Split orders module",
)
FILE_NAMES = ("router", "models", "service", "utils", "handlers", "schema", "cache", "pool", "client", "config", "views", "tasks")
PROMPTS = (
    "Add pagination to GET /orders and update the tests.", "Why does the cache test fail on CI but not locally?",
    "Refactor the session store to use the new connection pool.", "Write a migration that adds an index on created_at.",
    "Fix the flaky websocket reconnect test.", "Review the diff on this branch and list risky changes.",
    "Implement rate limiting for the public API (token bucket, per key).", "Update the README with the new setup steps.",
    "Port the CSV exporter to streaming so it stops loading everything in memory.",
    "Investigate the memory growth in the indexer worker and propose a fix.", "continue", "yes, go ahead",
    "Run the full test suite and fix whatever fails.", "Split the god module into smaller pieces, keep the API.",
)


class Deadline(Exception):
    """The session reached --now; it stops mid-flight, like a live session."""


def iso(ms: int) -> str:
    t = time.gmtime(ms // 1000)
    return (
        f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d}.{ms % 1000:03d}Z"
    )


def weighted(rng: random.Random, table: tuple[tuple[Any, float], ...]) -> Any:
    x = rng.random() * sum(w for _, w in table)
    for value, w in table:
        x -= w
        if x < 0:
            return value
    return table[-1][0]


def lognorm(rng: random.Random, median: float, sigma: float, lo: float, hi: float) -> int:
    return int(min(hi, max(lo, median * math.exp(rng.gauss(0.0, sigma)))))


def uuid4(rng: random.Random) -> str:
    h = f"{rng.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:32]}"


def uuid7(rng: random.Random, ms: int) -> str:
    value = ((ms & (2**48 - 1)) << 80) | (7 << 76) | (rng.getrandbits(12) << 64) | (2 << 62) | rng.getrandbits(62)
    h = f"{value:032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def b62(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(B62, k=n))


def hexs(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(HEX, k=n))


def slugify(cwd: str) -> str:
    return "".join(c if c.isalnum() and c.isascii() else "-" for c in cwd)


class TextPool:
    """One big deterministic text; slices of it fill tool outputs cheaply (generation speed matters)."""

    def __init__(self, seed: int, size: int = 1 << 20) -> None:
        rng = random.Random(f"{seed}/pool")
        parts: list[str] = []
        total = 0
        while total < size:
            indent = " " * rng.choice((0, 0, 2, 4, 4, 8))
            line = indent + " ".join(rng.choices(WORDS, k=rng.randint(3, 14)))
            parts.append(line)
            total += len(line) + 1
        self.text = "\n".join(parts)
        numbered = [f"{i + 1:>6}\u2192{line}" for i, line in enumerate(parts[:4000])]
        self.numbered = "\n".join(numbered)

    def take(self, rng: random.Random, chars: int) -> str:
        chars = max(1, chars)
        text = self.text
        if chars >= len(text):
            return (text * (chars // len(text) + 1))[:chars]
        start = rng.randrange(len(text) - chars)
        return text[start : start + chars]

    def file(self, rng: random.Random, chars: int) -> str:
        """Numbered lines as the Read tool returns them, starting at line 1."""
        chars = max(10, min(chars, len(self.numbered)))
        cut = self.numbered.rfind("\n", 0, chars)
        return self.numbered[: cut if cut > 0 else chars]


class Transcript:
    """One JSONL file being generated: lines kept as bytes, written in one go at the end."""

    __slots__ = ("rel", "lines", "nbytes", "clock", "deadline")

    def __init__(self, rel: str, clock: int, deadline: int) -> None:
        self.rel = rel
        self.lines: list[bytes] = []
        self.nbytes = 0
        self.clock = clock
        self.deadline = deadline

    def add(self, obj: dict[str, Any]) -> None:
        data = dumps(obj)
        self.lines.append(data)
        self.nbytes += len(data) + 1

    def at(self, delta_ms: float) -> str:
        """Advance this file's clock (timestamps strictly increase) and return the ISO time."""
        t = self.clock + max(1, int(delta_ms))
        if t >= self.deadline:
            raise Deadline
        self.clock = t
        return iso(t)

    def at_abs(self, ms: int) -> str:
        return self.at(ms - self.clock)

    def write(self, root: Path) -> None:
        path = root / self.rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb", buffering=1 << 20) as fh:
            fh.write(b"\n".join(self.lines))
            if self.lines:
                fh.write(b"\n")


@dataclass
class Totals:
    """What the manifest reports for one session; updated line by line as lines are written."""

    input_tokens: int = 0
    output_tokens: int = 0
    cache_creation_input_tokens: int = 0
    cache_read_input_tokens: int = 0
    models: set[str] = field(default_factory=set)

    def as_dict(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_creation_input_tokens": self.cache_creation_input_tokens,
            "cache_read_input_tokens": self.cache_read_input_tokens,
        }


@dataclass
class Request:
    msg_id: str
    req_id: str
    model: str
    inp: int
    cc: int
    cr: int
    cc_1h: bool
    counted: bool = False
    max_out: int = 0

    def usage(self, out: int, geo: str) -> dict[str, Any]:
        return {
            "input_tokens": self.inp,
            "cache_creation_input_tokens": self.cc,
            "cache_read_input_tokens": self.cr,
            "cache_creation": {
                "ephemeral_5m_input_tokens": 0 if self.cc_1h else self.cc,
                "ephemeral_1h_input_tokens": self.cc if self.cc_1h else 0,
            },
            "output_tokens": out,
            "service_tier": "standard",
            "inference_geo": geo,
        }


@dataclass
class Ctx:
    """Context of one conversation thread (the main thread or one subagent)."""

    prompt: int = 0  # prompt tokens of the last request
    pending: int = 0  # tokens appended since (its output, tool results, prompts)
    last_request_ms: int = 0
    system: int = 11_442  # globally cached prefix (system prompt + tools)
    cold: bool = False  # the next request re-writes the prompt to cache (after a compaction)


@dataclass
class Plan:
    index: int
    agent: str
    budget: int
    start_ms: int
    deadline: int
    showcase: str = ""


@dataclass
class Tool:
    name: str
    tool_id: str
    line_uuid: str
    input: dict[str, Any]
    result_tokens: int


# ---------------------------------------------------------------------------------------------
# Claude Code
# ---------------------------------------------------------------------------------------------


class ClaudeSession:
    def __init__(self, plan: Plan, rng: random.Random, pool: TextPool) -> None:
        self.plan = plan
        self.rng = rng
        self.pool = pool
        r = rng
        show = plan.showcase
        self.version = weighted(r, CLAUDE_VERSIONS)
        if show in ("auto", "manual"):
            self.version = "2.1.39" if show == "auto" else "2.1.112"
        elif show == "legacy":
            self.version = "2.0.76"
        elif show == "1m":
            self.version = "2.1.332"
        self.legacy = self.version.startswith("2.0.")
        self.newest = self.version in ("2.1.112", "2.1.332")
        self.v332 = self.version == "2.1.332"
        self.window = 1_000_000 if (self.newest and r.random() < 0.25) or show == "1m" else 200_000
        self.threshold = AUTO_COMPACT[self.window] + r.randint(0, 900)
        self.model = weighted(r, LEGACY_MODELS if self.legacy else MAIN_MODELS)
        if self.window == 1_000_000 or show:
            self.model = "claude-opus-4-6" if not self.legacy else self.model
        self.sid = uuid4(r)
        project = r.choice(PROJECTS)
        self.cwd = f"/home/dev/projects/{project}"
        self.root_cwd = self.cwd
        self.branch = r.choice(BRANCHES)
        self.word_slug = "-".join((r.choice(("radiant", "quiet", "bold", "amber", "swift", "lucky", "calm")),
                                   r.choice(("floating", "dancing", "sleeping", "wandering", "humming")),
                                   r.choice(("music", "river", "cloud", "otter", "lantern"))))
        self.slug_on = False
        self.project_dir = f"claude/projects/{slugify(self.cwd)}"
        self.main = Transcript(f"{self.project_dir}/{self.sid}.jsonl", plan.start_ms, plan.deadline)
        self.subs: list[Transcript] = []
        self.subagent_count = 0
        self.totals = Totals()
        self.compactions: list[dict[str, Any]] = []
        self.final_prompt: int | None = None
        self.cc_1h = r.random() < 0.15
        self.geo = "" if self.legacy else "global"
        heavy = r.random() < 0.75 or show == "auto"
        # Hooks per tool (pre, post): the real corpus runs 4 PreToolUse:Bash and up to 7 PostToolUse:Write hooks,
        # which is why progress lines are ~70 % of a 2.1.x main file.
        self.hooks: dict[str, tuple[int, int]] = {
            "Bash": (4, 3) if heavy else (r.randint(2, 4), r.randint(1, 3)),
            "Edit": (2, 7) if heavy else (r.randint(1, 2), r.randint(3, 5)),
            "Write": (2, 7) if heavy else (r.randint(1, 2), r.randint(3, 5)),
            "Read": (1, 3) if heavy else (1, r.randint(1, 3)),
            "Grep": (1, 3) if heavy else (1, r.randint(1, 3)),
            "Glob": (0, 2) if heavy else (0, 1),
            "TodoWrite": (0, 1),
            "WebFetch": (1, 1),
        }
        self.n_start_hooks = r.randint(1, 4)
        self.n_stop_hooks = r.randint(1, 4)
        self.manual_ok = show == "manual" or r.random() < 0.08
        self.synthetic_p = 0.004
        self.force_btw = self.force_error = show == "manual"  # one /btw aside and one API error, early
        self.title: str = ""
        self.custom_title = show == "1m" or (self.newest and r.random() < 0.1)
        self.custom_title_text = ""
        self.last_prompt = ""
        self.reappend_at = 32_768
        self.live = False
        self.model_switch_p = 0.05
        self.turn_start_ms = 0
        self.api_ms = 0
        self.tool_ms = 0
        self.ctx = Ctx()
        self.has_task = show in ("auto", "legacy", "1m")
        self.extra_files: dict[str, bytes] = {}  # subagent .meta.json files

    # ---- envelope helpers --------------------------------------------------------------------

    def env(self, parent: str | None, sidechain: bool = False, agent_id: str = "") -> dict[str, Any]:
        d: dict[str, Any] = {"parentUuid": parent, "isSidechain": sidechain, "userType": "external"}
        if self.newest:
            d["entrypoint"] = "cli"
        d["cwd"] = self.cwd
        d["sessionId"] = self.sid
        d["version"] = self.version
        d["gitBranch"] = self.branch
        if self.slug_on and not self.legacy:
            d["slug"] = self.word_slug
        if agent_id:
            d["agentId"] = agent_id
        return d

    def total_bytes(self) -> int:
        return self.main.nbytes + sum(s.nbytes for s in self.subs)

    def progress(self, tr: Transcript, parent: str | None, data: dict[str, Any], tool_use_id: str, parent_tool: str,
                 delta: float, sidechain: bool = False, agent_id: str = "") -> str:
        d = self.env(parent, sidechain, agent_id)
        d["type"] = "progress"
        d["data"] = data
        d["parentToolUseID"] = parent_tool
        d["toolUseID"] = tool_use_id
        d["timestamp"] = tr.at(delta)
        u = uuid4(self.rng)
        d["uuid"] = u
        tr.add(d)
        return u

    def hook_lines(self, tr: Transcript, parent: str | None, event: str, name: str, n: int, tool_id: str,
                   sidechain: bool = False, agent_id: str = "") -> str | None:
        r = self.rng
        for i in range(n):
            cmd = HOOK_COMMANDS[(i + len(name)) % len(HOOK_COMMANDS)]
            data = {"type": "hook_progress", "hookEvent": event, "hookName": name, "command": cmd}
            parent = self.progress(tr, parent, data, tool_id, tool_id, r.choice((0, 0, 1, 2, 40)), sidechain, agent_id)
        return parent

    # ---- usage / requests --------------------------------------------------------------------

    def new_request(self, ctx: Ctx, tr: Transcript, model: str, first_prompt: int = 0) -> Request:
        r = self.rng
        if first_prompt:
            prompt = first_prompt
        else:
            prompt = ctx.prompt + min(ctx.pending, 29_700)
        inp = r.choice((1, 1, 1, 1, 1, 2, 3, 3, 6, 10)) if r.random() < 0.95 else r.randint(11, 2280)
        inp = min(inp, max(1, prompt // 4))
        gap = tr.clock - ctx.last_request_ms if ctx.last_request_ms else 0
        cold = first_prompt or ctx.cold or gap > (3_600_000 if self.cc_1h else 300_000)
        ctx.cold = False
        if cold:
            cr = min(ctx.system, prompt - inp)
        else:
            cr = min(ctx.prompt, prompt - inp)
        cc = max(0, prompt - inp - cr)
        ctx.prompt = prompt
        ctx.pending = 0
        ctx.last_request_ms = tr.clock
        return Request("msg_01" + b62(r, 22), "req_011C" + b62(r, 20), model, inp, cc, cr, self.cc_1h)

    def count(self, req: Request, out: int, main_thread: bool) -> None:
        t = self.totals
        if not req.counted:
            req.counted = True
            t.input_tokens += req.inp
            t.cache_creation_input_tokens += req.cc
            t.cache_read_input_tokens += req.cr
            t.models.add(req.model)
        if out > req.max_out:
            t.output_tokens += out - req.max_out
            req.max_out = out
        if main_thread:
            self.final_prompt = req.inp + req.cc + req.cr

    def assistant_line(self, tr: Transcript, parent: str | None, req: Request, block: dict[str, Any], out: int,
                       delta: float, *, sidechain: bool = False, agent_id: str = "", main_thread: bool = False) -> str:
        d = self.env(parent, sidechain, agent_id)
        d["message"] = {
            "model": req.model, "id": req.msg_id, "type": "message", "role": "assistant", "content": [block],
            "stop_reason": None, "stop_sequence": None, "usage": req.usage(out, self.geo),
        }
        d["requestId"] = req.req_id
        d["type"] = "assistant"
        u = uuid4(self.rng)
        d["uuid"] = u
        d["timestamp"] = tr.at(delta)
        tr.add(d)
        self.count(req, out, main_thread)
        return u

    def synthetic_line(self, tr: Transcript, parent: str | None, text: str) -> str:
        d = self.env(parent)
        d["type"] = "assistant"
        u = uuid4(self.rng)
        d["uuid"] = u
        d["timestamp"] = tr.at(self.rng.randint(200, 30_000))
        d["message"] = {
            "id": uuid4(self.rng), "container": None, "model": "<synthetic>", "role": "assistant",
            "stop_reason": "stop_sequence", "stop_sequence": "", "type": "message",
            "usage": {
                "input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                "server_tool_use": {"web_search_requests": 0, "web_fetch_requests": 0}, "service_tier": None,
                "cache_creation": {"ephemeral_1h_input_tokens": 0, "ephemeral_5m_input_tokens": 0},
            },
            "content": [{"type": "text", "text": text}],
            "context_management": None,
        }
        d["isApiErrorMessage"] = True
        d["error"] = "unknown"
        tr.add(d)
        return u

    def user_line(self, tr: Transcript, parent: str | None, content: Any, delta: float, *, extra: dict[str, Any] | None = None,
                  sidechain: bool = False, agent_id: str = "", uuid: str | None = None) -> str:
        d = self.env(parent, sidechain, agent_id)
        d["type"] = "user"
        d["message"] = {"role": "user", "content": content}
        u = uuid or uuid4(self.rng)
        d["uuid"] = u
        d["timestamp"] = tr.at(delta)
        if extra:
            d.update(extra)
        tr.add(d)
        return u

    def system_line(self, tr: Transcript, parent: str | None, subtype: str, fields: dict[str, Any], delta: float,
                    tail: dict[str, Any] | None = None) -> str:
        """`fields` go before timestamp/uuid and `tail` after them, as in the real lines."""
        d = self.env(parent)
        d["type"] = "system"
        d["subtype"] = subtype
        d.update(fields)
        d["timestamp"] = tr.at(delta)
        u = uuid4(self.rng)
        d["uuid"] = u
        if tail:
            d.update(tail)
        tr.add(d)
        return u

    def local_command(self, tr: Transcript, parent: str | None, content: str, delta: float) -> str:
        return self.system_line(tr, parent, "local_command", {"content": content, "level": "info"}, delta, {"isMeta": False})

    # ---- tools -------------------------------------------------------------------------------

    def tool_input(self, name: str) -> tuple[dict[str, Any], int]:
        """(input, tokens its result adds to the next prompt)."""
        r = self.rng
        path = f"{self.root_cwd}/src/{r.choice(('orders', 'cache', 'api', 'db', 'auth'))}/{r.choice(('router', 'models', 'service', 'utils'))}.{r.choice(('py', 'ts', 'go', 'ex'))}"
        if name == "Bash":
            cmd = r.choice(("npm test -- orders", "pytest -q tests/", "git status", "git diff --stat", "mix test", "go test ./...",
                            "rg -n TODO src", "ls -la", "cargo build", "make lint"))
            return {"command": cmd, "description": r.choice(("Run tests", "Show status", "Build", "List files"))}, lognorm(r, 150, 1.6, 5, 25_000)
        if name == "Read":
            return {"file_path": path}, lognorm(r, 900, 1.0, 30, 25_000)
        if name == "Edit":
            old = self.pool.take(r, r.randint(20, 400))
            return {"file_path": path, "old_string": old, "new_string": self.pool.take(r, r.randint(20, 600)), "replace_all": False}, lognorm(r, 180, 0.6, 40, 2_000)
        if name == "Write":
            return {"file_path": path, "content": self.pool.take(r, lognorm(r, 2500, 0.9, 100, 40_000))}, 30
        if name == "Grep":
            return {"pattern": r.choice(("TODO", "def handle", "cursor", "pool.get")), "path": self.root_cwd, "output_mode": "files_with_matches"}, lognorm(r, 60, 1.0, 10, 3_000)
        if name == "Glob":
            return {"pattern": r.choice(("**/*.py", "src/**/*.ts", "lib/**/*.ex"))}, lognorm(r, 80, 1.0, 10, 3_000)
        if name == "TodoWrite":
            todos = [{"content": self.pool.take(r, 40), "status": r.choice(("pending", "in_progress", "completed")), "activeForm": self.pool.take(r, 30)} for _ in range(r.randint(2, 6))]
            return {"todos": todos}, 40
        if name == "WebFetch":
            return {"url": "https://docs.example.com/api/pagination", "prompt": "How does cursor pagination work here?"}, lognorm(r, 600, 0.8, 50, 8_000)
        return {}, 50

    def tool_result(self, tr: Transcript, tool: Tool, delta: float, sidechain: bool, agent_id: str,
                    task_result: dict[str, Any] | None = None) -> str:
        r = self.rng
        chars = int(tool.result_tokens * r.uniform(2.8, 3.6))
        if self.window == 1_000_000:
            chars = min(chars, 60_000)
        name = tool.name
        is_error = name == "Bash" and r.random() < 0.08
        tur: Any
        if task_result is not None:
            content: Any = [{"type": "text", "text": task_result["text"]}]
            tur = task_result["tur"]
        elif is_error:
            text = "Exit code 1\n" + self.pool.take(r, min(chars, 4000))
            content, tur = text, "Error: " + text
        elif name == "Bash":
            text = self.pool.take(r, chars)
            content = text
            tur = {"stdout": text, "stderr": "", "interrupted": False, "isImage": False, "noOutputExpected": False}
        elif name == "Read":
            text = self.pool.file(r, chars)
            n = text.count("\n") + 1
            content = text
            tur = {"type": "text", "file": {"filePath": tool.input["file_path"], "content": text, "numLines": n, "startLine": 1, "totalLines": n}}
        elif name == "Edit":
            snippet = self.pool.file(r, chars)
            content = f"The file {tool.input['file_path']} has been updated. Here's the result of running `cat -n` on a snippet of the edited file:\n{snippet}"
            original = self.pool.take(r, lognorm(r, 6000, 0.9, 300, 60_000))
            tur = {
                "filePath": tool.input["file_path"], "oldString": tool.input["old_string"], "newString": tool.input["new_string"],
                "originalFile": original, "structuredPatch": [{"oldStart": 10, "oldLines": 3, "newStart": 10, "newLines": 4,
                                                              "lines": [" " + tool.input["old_string"][:60], "+" + tool.input["new_string"][:60]]}],
                "userModified": False, "replaceAll": False,
            }
        elif name == "Write":
            content = f"File created successfully at: {tool.input['file_path']}"
            tur = {"type": "create", "filePath": tool.input["file_path"], "content": tool.input["content"], "structuredPatch": [], "originalFile": None}
        elif name in ("Grep", "Glob"):
            files = [f"{self.root_cwd}/src/{r.choice(FILE_NAMES)}/{r.choice(FILE_NAMES)}.py" for _ in range(max(1, chars // 60))]
            content = f"Found {len(files)} files\n" + "\n".join(files)
            tur = {"mode": "files_with_matches", "numFiles": len(files), "filenames": files} if name == "Grep" else {
                "filenames": files, "durationMs": r.randint(5, 400), "numFiles": len(files), "truncated": False}
        elif name == "TodoWrite":
            content = "Todos have been modified successfully. Ensure that you continue to use the todo list to track your progress."
            tur = {"oldTodos": [], "newTodos": tool.input["todos"]}
        else:
            text = self.pool.take(r, chars)
            content = text
            tur = {"bytes": len(text) * 3, "code": 200, "codeText": "OK", "result": text, "durationMs": r.randint(300, 4000), "url": tool.input.get("url", "")}
        block = {"tool_use_id": tool.tool_id, "type": "tool_result", "content": content, "is_error": is_error}
        if task_result is not None:
            block.pop("is_error")
        extra: dict[str, Any] = {"toolUseResult": tur, "sourceToolAssistantUUID": tool.line_uuid}
        return self.user_line(tr, tool.line_uuid, [block], delta, extra=extra, sidechain=sidechain, agent_id=agent_id)

    def tool_gap(self, name: str) -> float:
        """Time from tool_use to its result: p10/p50/p90 = 0.0 / 0.4 / 12.3 s in the real corpus; commands run longest."""
        r = self.rng
        if name == "Bash":
            return lognorm(r, 600, 2.1, 20, 600_000)
        return 2 if r.random() < 0.15 else lognorm(r, 150, 1.8, 2, 120_000)

    def request_gap(self) -> float:
        """Time between successive API requests: p10/p50/p90 = 3.7 / 7.5 / 32 s."""
        return lognorm(self.rng, 3500, 1.0, 900, 600_000)

    # ---- one API request with its tools --------------------------------------------------------

    def blocks_for(self, final: bool, tools: list[str]) -> list[str]:
        r = self.rng
        n = weighted(r, ((1, 0.42), (2, 0.43), (3, 0.08), (4, 0.07)))
        if final:
            return ["text"] if n == 1 else (["thinking", "text"] if n == 2 else ["text", "thinking", "text"][: min(n, 3)])
        prefix = max(0, n - len(tools))
        pre = [] if prefix == 0 else (["text"] if prefix == 1 else (["thinking", "text"] if prefix == 2 else ["text", "thinking", "text"]))
        return pre + ["tool_use"] * len(tools)

    def run_request(self, tr: Transcript, ctx: Ctx, parent: str | None, model: str, *, final: bool, sidechain: bool,
                    agent_id: str, main_thread: bool, tool_table: tuple[tuple[str, float], ...] = TOOLS,
                    first_prompt: int = 0, allow_task: bool = True) -> tuple[str | None, list[Tool], int]:
        """Writes the assistant lines, hooks and tool results of one request; returns (last uuid, tools, output)."""
        r = self.rng
        names: list[str] = []
        if not final:
            k = weighted(r, ((1, 0.82), (2, 0.14), (3, 0.04)))
            for _ in range(k):
                name = weighted(r, tool_table)
                if name == "Task" and not allow_task:
                    name = "Read"
                names.append(name)
            if self.has_task and allow_task and main_thread and self.subagent_count == 0 and self.main.nbytes > 40_000:
                names[0] = "Task"
        kinds = self.blocks_for(final, names)
        req = self.new_request(ctx, tr, model, first_prompt)
        start = r.choice((1, 1, 1, 2, 3, 4, 8, 9, 10))
        final_out = lognorm(r, 140, 1.3, 1, 32_000)
        carries_final = r.random() < (0.55 if len(kinds) > 1 else 0.6)
        tools: list[Tool] = []
        name_iter = iter(names)
        for i, kind in enumerate(kinds):
            last = i == len(kinds) - 1
            out = final_out if (last and carries_final) else start
            if kind == "text":
                block: dict[str, Any] = {"type": "text", "text": self.pool.take(r, lognorm(r, 300, 1.2, 2, 12_000) if final else lognorm(r, 90, 1.0, 2, 1500))}
            elif kind == "thinking":
                block = {"type": "thinking", "thinking": self.pool.take(r, lognorm(r, 400, 1.0, 20, 8000)), "signature": "Eu" + b62(r, 120)}
            else:
                name = next(name_iter)
                tool_input, tokens = self.tool_input(name)
                tool_id = "toolu_01" + b62(r, 22)
                if name == "Task":
                    tool_input = {"subagent_type": r.choice(("Explore", "general-purpose", "Plan")), "description": "Explore the codebase",
                                  "prompt": self.pool.take(r, lognorm(r, 600, 0.7, 100, 4000)), "model": r.choice(("sonnet", "haiku"))}
                if self.window == 1_000_000:
                    tokens *= 4  # 1M sessions read whole modules: prompts pass 200k quickly
                block = {"type": "tool_use", "id": tool_id, "name": name if not (name == "Task" and self.v332) else "Agent", "input": tool_input}
                if not self.legacy:
                    block["caller"] = {"type": "direct"}
                delta = r.randint(200, 3000) if i else self.request_gap()
                parent = self.assistant_line(tr, parent, req, block, out, delta, sidechain=sidechain, agent_id=agent_id, main_thread=main_thread)
                tools.append(Tool(name, tool_id, parent, tool_input, tokens))
                pre = self.hooks.get(name, (0, 0))[0]
                if pre and not self.legacy:
                    parent = self.hook_lines(tr, parent, "PreToolUse", f"PreToolUse:{name}", pre, tool_id, sidechain, agent_id)
                continue
            delta = r.randint(200, 3000) if i else self.request_gap()
            parent = self.assistant_line(tr, parent, req, block, out, delta, sidechain=sidechain, agent_id=agent_id, main_thread=main_thread)
        self.api_ms += r.randint(2000, 30_000)
        ctx.pending += final_out
        for tool in tools:
            if tool.name == "Task" and main_thread:
                parent = self.run_task(tr, parent, tool)
                continue
            gap = self.tool_gap(tool.name)
            self.tool_ms += int(gap)
            if tool.name == "Bash" and gap > 3000 and not self.legacy:
                full = ""
                for sec in range(2, min(40, int(gap // 1000)) + 1):
                    chunk = self.pool.take(r, r.randint(40, 400))
                    full = (full + "\n" + chunk)[-2000:]
                    data = {"type": "bash_progress", "output": chunk, "fullOutput": full, "elapsedTimeSeconds": str(sec),
                            "totalLines": str(full.count("\n") + 1), "timeoutMs": "120000"}
                    parent = self.progress(tr, parent, data, f"bash-progress-{sec - 2}", tool.tool_id, 1000, sidechain, agent_id)
                gap = 200
            post = self.hooks.get(tool.name, (0, 0))[1]
            if post and not self.legacy:
                parent = self.hook_lines(tr, parent, "PostToolUse", f"PostToolUse:{tool.name}", post, tool.tool_id, sidechain, agent_id)
            if self.newest and post and r.random() < 0.15 and not sidechain:
                parent = self.attachment(tr, parent, tool)
            parent = self.tool_result(tr, tool, gap, sidechain, agent_id)
            ctx.pending += tool.result_tokens + r.randint(5, 40)
            if tool.name in ("Edit", "Write") and main_thread and not self.legacy and r.random() < 0.3:
                self.snapshot(tr, uuid4(r), update=True, files=[tool.input["file_path"]])
        return parent, tools, final_out

    def attachment(self, tr: Transcript, parent: str | None, tool: Tool) -> str:
        d = self.env(parent)
        d["type"] = "attachment"
        d["attachment"] = {
            "type": "hook_additional_context", "content": [self.pool.take(self.rng, self.rng.randint(40, 600))],
            "hookName": f"PostToolUse:{tool.name}", "toolUseID": tool.tool_id, "hookEvent": "PostToolUse",
        }
        u = uuid4(self.rng)
        d["uuid"] = u
        d["timestamp"] = tr.at(self.rng.randint(1, 50))
        tr.add(d)
        return u

    def snapshot(self, tr: Transcript, message_id: str, *, update: bool = False, files: list[str] | None = None) -> None:
        ts = tr.at(self.rng.randint(1, 80))
        backups = {f: {"backupFileName": f"{hexs(self.rng, 16)}@v2", "version": 2, "backupTime": ts} for f in (files or [])}
        tr.add({"type": "file-history-snapshot", "messageId": message_id,
                "snapshot": {"messageId": message_id, "trackedFileBackups": backups, "timestamp": ts}, "isSnapshotUpdate": update})

    # ---- subagents and compaction --------------------------------------------------------------

    def run_task(self, tr: Transcript, parent: str | None, tool: Tool) -> str:
        """A Task/Agent tool call: a subagent transcript of its own, echoed as agent_progress lines."""
        r = self.rng
        self.subagent_count += 1
        agent_id = hexs(r, 8) if self.legacy else "a" + hexs(r, 6)
        rel = (f"{self.project_dir}/agent-{agent_id}.jsonl" if self.legacy
               else f"{self.project_dir}/{self.sid}/subagents/agent-{agent_id}.jsonl")
        sub = Transcript(rel, tr.clock, tr.deadline)
        self.subs.append(sub)
        if self.newest:
            meta_path = rel[: -len(".jsonl")] + ".meta.json"
            self.extra_files[meta_path] = dumps({"agentType": tool.input.get("subagent_type", "general-purpose"),
                                                 "description": tool.input.get("description", "")})
        model = weighted(r, SUB_MODELS)
        ctx = Ctx(system=0)
        prompt = tool.input.get("prompt", "Explore")
        echo: list[tuple[int, dict[str, Any]]] = []
        p = self.user_line(sub, None, prompt, 3, sidechain=True, agent_id=agent_id)
        n_req = lognorm(r, 12, 0.8, 2, 80)
        last_out = 0
        req_start_idx = len(sub.lines)
        for i in range(n_req):
            final = i == n_req - 1
            p, _tools, last_out = self.run_request(sub, ctx, p, model, final=final, sidechain=True, agent_id=agent_id,
                                                   main_thread=False, tool_table=SUB_TOOLS, allow_task=False,
                                                   first_prompt=(13_000 + r.randint(0, 4000)) if i == 0 else 0)
        if not self.legacy:
            # The parent file streams some of the subagent's lines as agent_progress (their usage is not top-level).
            for raw in sub.lines[req_start_idx:]:
                if r.random() < 0.35:
                    obj = json.loads(raw)
                    if obj.get("type") in ("assistant", "user"):
                        echo.append((_ms(obj["timestamp"]), obj))
            for ms, obj in echo:
                nested: dict[str, Any] = {"type": obj["type"], "message": obj["message"], "uuid": obj["uuid"], "timestamp": obj["timestamp"]}
                if obj["type"] == "assistant":
                    nested = {"type": "assistant", "timestamp": obj["timestamp"], "message": obj["message"],
                              "requestId": obj["requestId"], "uuid": obj["uuid"]}
                data = {"message": nested, "normalizedMessages": [], "type": "agent_progress", "prompt": prompt, "agentId": agent_id}
                msg_id = obj["message"].get("id", "x") if obj["type"] == "assistant" else "x"
                parent = self.progress(tr, parent, data, f"agent_{msg_id}", tool.tool_id, max(1, ms - tr.clock))
        tr.clock = max(tr.clock, sub.clock)
        text = self.pool.take(r, lognorm(r, 3000, 0.8, 200, 20_000))
        tur = {"status": "completed", "prompt": prompt, "agentId": agent_id, "content": [{"type": "text", "text": text}],
               "totalDurationMs": sub.clock - tool_start_ms(sub), "totalTokens": ctx.prompt + last_out,
               "totalToolUseCount": n_req - 1,
               "usage": {"input_tokens": 0, "cache_creation_input_tokens": 0, "cache_read_input_tokens": ctx.prompt,
                         "output_tokens": last_out, "service_tier": "standard"}}
        self.ctx.pending += len(text) // 3
        return self.tool_result(tr, tool, r.randint(50, 500), False, "", task_result={"text": text, "tur": tur})

    def compact(self, parent: str | None, trigger: str) -> str:
        """compact_boundary + summary (+ the acompact summariser file in 2.1.x), then a small prompt."""
        r = self.rng
        tr = self.main
        ctx = self.ctx
        pre = ctx.prompt + ctx.pending + (r.randint(0, 400) if trigger == "auto" else 0)
        if not self.legacy:
            agent_id = "acompact-" + hexs(r, 6)
            sub = Transcript(f"{self.project_dir}/{self.sid}/subagents/agent-{agent_id}.jsonl", tr.clock, tr.deadline)
            self.subs.append(sub)
            p: str | None = parent
            for _ in range(r.randint(0, 3)):
                p = self.user_line(sub, p, "<system-reminder>\n" + self.pool.take(r, r.randint(200, 3000)) + "\n</system-reminder>",
                                   r.randint(1, 30), extra={"isMeta": True}, sidechain=True, agent_id=agent_id)
            p = self.user_line(sub, p, "Your task is to create a detailed summary of the conversation so far, paying close attention to the user's explicit requests and your previous actions.",
                               r.randint(1, 30), sidechain=True, agent_id=agent_id)
            summ_ctx = Ctx(prompt=ctx.prompt, pending=pre - ctx.prompt, last_request_ms=sub.clock)
            req = self.new_request(summ_ctx, sub, self.model)
            n = r.choice((1, 1, 2))
            for i in range(n):
                out = r.choice((6, 8, 9)) if (i < n - 1 or r.random() < 0.6) else lognorm(r, 3000, 0.4, 800, 12_000)
                block = {"type": "text", "text": self.pool.take(r, lognorm(r, 9000, 0.5, 2000, 30_000))}
                p = self.assistant_line(sub, p, req, block, out, r.randint(20_000, 90_000) if i == 0 else r.randint(500, 5000),
                                        sidechain=True, agent_id=agent_id)
            tr.clock = max(tr.clock, sub.clock)
        self.slug_on = True
        boundary = self.env(None)
        boundary = {"parentUuid": None, "logicalParentUuid": parent, **{k: v for k, v in boundary.items() if k != "parentUuid"}}
        boundary["type"] = "system"
        boundary["subtype"] = "compact_boundary"
        boundary["content"] = "Conversation compacted"
        boundary["isMeta"] = False
        boundary["timestamp"] = tr.at(r.randint(2000, 90_000))
        b_uuid = uuid4(r)
        boundary["uuid"] = b_uuid
        boundary["level"] = "info"
        boundary["compactMetadata"] = {"trigger": trigger, "preTokens": pre}
        tr.add(boundary)
        self.compactions.append({"trigger": trigger, "pre_tokens": pre})
        self.final_prompt = None
        summary = ("This session is being continued from a previous conversation that ran out of context. The summary below "
                   "covers the earlier portion of the conversation.\n\nAnalysis:\n" + self.pool.take(r, lognorm(r, 12_000, 0.4, 3000, 40_000)))
        p2 = self.user_line(tr, b_uuid, summary, 1, extra={"isVisibleInTranscriptOnly": True, "isCompactSummary": True})
        if not self.legacy:
            tid = uuid4(r)
            p2 = self.hook_lines(tr, p2, "SessionStart", "SessionStart:compact", self.n_start_hooks, tid) or p2
        ctx.prompt = lognorm(r, 36_000, 0.1, 28_000, 46_000) if self.window == 200_000 else lognorm(r, 60_000, 0.2, 35_000, 120_000)
        ctx.pending = 0
        ctx.cold = True
        return p2

    # ---- turns ---------------------------------------------------------------------------------

    def session_start(self) -> str | None:
        r = self.rng
        tr = self.main
        if self.legacy and r.random() < 0.5:
            tr.add({"type": "summary", "summary": r.choice(TITLES), "leafUuid": uuid4(r)})
        parent: str | None = None
        if not self.legacy:
            tid = uuid4(r)
            parent = self.hook_lines(tr, None, "SessionStart", "SessionStart:startup", self.n_start_hooks, tid)
        return parent

    def turn(self, parent: str | None, first: bool) -> str | None:
        r = self.rng
        tr = self.main
        ctx = self.ctx
        # Idle time before the user's next prompt.
        idle = r.randint(1500, 9000) if first else lognorm(r, 90_000, 1.4, 3000, 4 * 3_600_000)
        tr.at(idle)
        if self.newest and not first and r.random() < 0.1:
            d = {"type": "queue-operation", "operation": "enqueue", "timestamp": tr.at(r.randint(1, 500)), "sessionId": self.sid,
                 "content": r.choice(PROMPTS)}
            tr.add(d)
            tr.add({"type": "queue-operation", "operation": "dequeue", "timestamp": tr.at(r.randint(100, 20_000)), "sessionId": self.sid})
        if not first and r.random() < self.model_switch_p and not self.legacy:
            new_model = r.choice(("claude-haiku-4-5-20251001", "claude-sonnet-4-5-20250929", "claude-opus-4-6"))
            parent = self.local_command(tr, parent, COMMAND.format(name="model"), r.randint(100, 3000))
            parent = self.local_command(tr, parent, f"<local-command-stdout>Set model to {new_model}</local-command-stdout>", 1)
            self.model = new_model
        manual_done = any(c["trigger"] == "manual" for c in self.compactions)
        if not first and self.manual_ok and not manual_done and ctx.prompt > 50_000 and r.random() < (0.5 if self.plan.showcase else 0.1):
            parent = self.local_command(tr, parent, COMMAND.format(name="compact"), r.randint(100, 3000))
            parent = self.compact(parent, "manual")
            parent = self.local_command(tr, parent, "<local-command-stdout>Compacted (ctrl+o to see full summary)</local-command-stdout>", 1)
            tr.at(r.randint(2000, 60_000))
        text = r.choice(PROMPTS) if r.random() < 0.7 else r.choice(PROMPTS) + "\n\n" + self.pool.take(r, lognorm(r, 300, 1.2, 20, 6000))
        prompt_uuid = uuid4(r)
        self.snapshot(tr, prompt_uuid)
        extra: dict[str, Any] = {"thinkingMetadata": {"maxThinkingTokens": 31999}, "todos": [], "permissionMode": r.choice(("default", "acceptEdits", "bypassPermissions"))}
        if self.newest:
            extra["promptId"] = uuid4(r)
        parent = self.user_line(tr, parent, text, r.randint(20, 200), extra=extra, uuid=prompt_uuid)
        self.turn_start_ms = tr.clock
        self.last_prompt = text[:200]
        ctx.pending += len(text) // 4 + 10
        if self.newest and not first and (self.force_btw or r.random() < 0.05):
            self.force_btw = False
            # A /btw aside: a real extra request on a sidechain, outside the main context gauge.
            aside_ctx = Ctx(prompt=ctx.prompt, pending=ctx.pending + 30, last_request_ms=ctx.last_request_ms)
            p = self.user_line(tr, parent, "btw: " + r.choice(PROMPTS), r.randint(500, 5000), sidechain=True)
            self.run_request(tr, aside_ctx, p, self.model, final=True, sidechain=True, agent_id="", main_thread=False)
        n_req = lognorm(r, 12, 1.2, 1, 220)
        interrupted = False
        for i in range(n_req):
            if ctx.prompt and ctx.prompt + ctx.pending >= self.threshold:
                parent = self.compact(parent, "auto")
            forced = self.force_error and i == 1
            if forced or r.random() < self.synthetic_p:
                self.force_error = False
                if r.random() < 0.5 or forced:
                    parent = self.system_line(tr, parent, "api_error", {"level": "error", "error": {"status": 529, "error": {"type": "overloaded_error", "message": "Overloaded"}},
                                                                       "retryInMs": 1000 * r.randint(1, 8), "retryAttempt": 1, "maxRetries": 10}, r.randint(1000, 20_000))
                if forced or r.random() < 0.5:
                    parent = self.synthetic_line(tr, parent, r.choice(("API Error: 500 {\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"Internal server error\"}}",
                                                                       "API Error: Request timed out.")))
                    interrupted = True
                    break
            final = i == n_req - 1 or (self.total_bytes() >= self.plan.budget and not self.wanted())
            parent, tools, _ = self.run_request(tr, ctx, parent, self.model, final=final, sidechain=False, agent_id="",
                                                main_thread=True, first_prompt=(25_300 + r.randint(0, 2900)) if ctx.prompt == 0 else 0)
            if not final and r.random() < 0.01 and tools:
                parent = self.user_line(tr, parent, [{"type": "text", "text": "[Request interrupted by user for tool use]"}], r.randint(500, 5000))
                interrupted = True
                break
            if final:
                break
        if not interrupted and not self.legacy:
            tid = uuid4(r)
            parent = self.hook_lines(tr, parent, "Stop", "Stop", self.n_stop_hooks, tid)
            cmds = [{"command": HOOK_COMMANDS[i % len(HOOK_COMMANDS)]} for i in range(self.n_stop_hooks)]
            parent = self.system_line(tr, parent, "stop_hook_summary", {"hookCount": len(cmds), "hookInfos": cmds, "hookErrors": [],
                                                                          "preventedContinuation": False, "stopReason": "", "hasOutput": True,
                                                                          "level": "suggestion"}, r.randint(5, 400), {"toolUseID": tid})
            parent = self.system_line(tr, parent, "turn_duration", {"durationMs": tr.clock - self.turn_start_ms}, r.randint(1, 60), {"isMeta": False})
        self.turn_metadata(first)
        return parent

    def turn_metadata(self, first: bool) -> None:
        r = self.rng
        tr = self.main
        if not self.newest:
            return
        tr.add({"type": "last-prompt", "lastPrompt": self.last_prompt, "sessionId": self.sid})
        if first or r.random() < 0.15:
            self.title = r.choice(TITLES)
            tr.add({"type": "ai-title", "aiTitle": self.title, "sessionId": self.sid})
        if self.custom_title and first:
            self.custom_title_text = f"{self.root_cwd.rsplit('/', 1)[-1]}: {r.choice(PROMPTS)[:30]}"
            tr.add({"type": "custom-title", "customTitle": self.custom_title_text, "sessionId": self.sid})
        if self.v332:
            t = self.totals
            tr.add({"type": "cost-state", "sessionId": self.sid, "totalCostUSD": round(_cost(t), 6), "totalAPIDuration": self.api_ms,
                    "totalToolDuration": self.tool_ms, "totalLinesAdded": r.randint(0, 400), "totalLinesRemoved": r.randint(0, 200),
                    "totalDuration": tr.clock - self.plan.start_ms, "startTime": iso(self.plan.start_ms),
                    "modelUsage": {self.model: {"inputTokens": t.input_tokens, "outputTokens": t.output_tokens, "thinkingTokens": 0,
                                                "cacheReadInputTokens": t.cache_read_input_tokens,
                                                "cacheCreationInputTokens": t.cache_creation_input_tokens}}})
            if (first and self.plan.showcase) or r.random() < 0.3:
                tr.add({"type": "atis-latch", "sessionId": self.sid, "latched": True, "timestamp": tr.at(1)})
            if r.random() < 0.2:
                tr.add({"type": "tools-used", "sessionId": self.sid, "tools": ["Bash", "Read", "Edit"]})
        if tr.nbytes >= self.reappend_at:
            # Claude Code re-appends session metadata every ~32 KB of transcript (spec §1.2).
            self.reappend_at = tr.nbytes + 32_768
            if self.title:
                tr.add({"type": "ai-title", "aiTitle": self.title, "sessionId": self.sid})
            tr.add({"type": "permission-mode", "permissionMode": "default", "sessionId": self.sid})

    def wanted(self) -> bool:
        """A showcase session goes on until it shows its feature."""
        show = self.plan.showcase
        triggers = {c["trigger"] for c in self.compactions}
        if show == "auto":
            return "auto" not in triggers or self.subagent_count == 0
        if show == "manual":
            return "manual" not in triggers
        if show == "1m":
            return (self.final_prompt or 0) <= 200_000 or self.subagent_count == 0
        if show == "legacy":
            return self.subagent_count == 0
        return False

    def generate(self) -> None:
        r = self.rng
        parent = None
        try:
            parent = self.session_start()
            first = True
            while first or self.total_bytes() < self.plan.budget or (self.wanted() and self.total_bytes() < 30_000_000):
                parent = self.turn(parent, first)
                first = False
                if r.random() < 0.1 and self.cwd == self.root_cwd:
                    self.cwd = self.root_cwd + "/" + r.choice(("assets", "src", "tests", "web"))
        except Deadline:
            self.live = True

    def manifest(self) -> dict[str, Any]:
        return {
            "agent": "claude",
            "session_id": self.sid,
            "path": self.main.rel,
            "subagent_paths": [s.rel for s in self.subs],
            "lines": len(self.main.lines),
            "subagent_lines": sum(len(s.lines) for s in self.subs),
            "bytes": self.main.nbytes + sum(s.nbytes for s in self.subs),
            "version": self.version,
            "legacy_layout": self.legacy,
            "window": self.window,
            "project": self.root_cwd,
            "final_context_prompt_tokens": self.final_prompt,
            "compactions": self.compactions,
            "usage": self.totals.as_dict(),
            "subagents": self.subagent_count,
            "models": sorted(self.totals.models),
            "started_at": iso(self.plan.start_ms),
            "live": self.live,
            "title": self.custom_title_text or self.title,
        }

    def files(self) -> list[Transcript]:
        return [self.main, *self.subs]


def tool_start_ms(sub: Transcript) -> int:
    return _ms(json.loads(sub.lines[0])["timestamp"]) if sub.lines else sub.clock


def _ms(ts: str) -> int:
    return int(datetime.strptime(ts, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC).timestamp() * 1000 + 0.5)


def _cost(t: Totals) -> float:
    # Opus-4-6-like list prices per million tokens; only used for the cost-state lines' plausibility.
    return (t.input_tokens * 5 + t.output_tokens * 25 + t.cache_creation_input_tokens * 6.25 + t.cache_read_input_tokens * 0.5) / 1e6


# ---------------------------------------------------------------------------------------------
# Codex
# ---------------------------------------------------------------------------------------------


class CodexSession:
    def __init__(self, plan: Plan, rng: random.Random, pool: TextPool) -> None:
        self.plan = plan
        self.rng = rng
        self.pool = pool
        r = rng
        self.version, self.originator, self.source = r.choice(CODEX_VERSIONS)
        self.model = weighted(r, CODEX_MODELS)
        self.sid = uuid7(r, plan.start_ms)
        t = time.gmtime(plan.start_ms // 1000)
        stamp = f"{t.tm_year:04d}-{t.tm_mon:02d}-{t.tm_mday:02d}T{t.tm_hour:02d}-{t.tm_min:02d}-{t.tm_sec:02d}"
        self.tr = Transcript(f"codex/sessions/{t.tm_year:04d}/{t.tm_mon:02d}/{t.tm_mday:02d}/rollout-{stamp}-{self.sid}.jsonl",
                             plan.start_ms, plan.deadline)
        self.cwd = f"/home/dev/projects/{r.choice(PROJECTS)}"
        self.threshold = r.randint(200_000, 232_000) if plan.showcase != "codex" else r.randint(150_000, 170_000)
        self.prompt = 0
        self.cum = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "reasoning_output_tokens": 0, "total_tokens": 0}
        self.last_info: dict[str, Any] | None = None
        self.totals = Totals()
        self.compactions: list[dict[str, Any]] = []
        self.final_context: int | None = None
        self.since_compaction: int = 0  # total of the last real request since the last compaction
        self.prev_prompt = 0
        self.live = False
        self.first_count = True
        self.turn_id = ""
        self.rate = [0.0, 0.0]

    def line(self, kind: str, payload: dict[str, Any], delta: float) -> None:
        self.tr.add({"timestamp": self.tr.at(delta), "type": kind, "payload": payload})

    def rate_limits(self) -> dict[str, Any]:
        self.rate[0] = min(100.0, self.rate[0] + self.rng.choice((0.0, 0.0, 1.0)))
        self.rate[1] = min(100.0, self.rate[1] + self.rng.choice((0.0, 0.0, 0.0, 1.0)))
        reset = self.plan.start_ms // 1000 + 18_000
        return {"limit_id": "codex", "limit_name": None,
                "primary": {"used_percent": self.rate[0], "window_minutes": 300, "resets_at": reset},
                "secondary": {"used_percent": self.rate[1], "window_minutes": 10080, "resets_at": reset + 500_000},
                "credits": {"has_credits": False, "unlimited": False, "balance": None}, "plan_type": None}

    def turn_context(self) -> None:
        r = self.rng
        self.line("turn_context", {
            "turn_id": self.turn_id, "cwd": self.cwd, "approval_policy": "on-request",
            "sandbox_policy": {"type": "workspace-write", "writable_roots": [self.cwd], "network_access": False,
                               "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False},
            "model": self.model, "personality": "pragmatic",
            "collaboration_mode": {"mode": "default", "settings": {"model": self.model, "reasoning_effort": "high", "developer_instructions": None}},
            "effort": "high", "summary": "auto", "truncation_policy": {"mode": "tokens", "limit": 10000},
        }, r.randint(2, 20))
        # Every real token_count is written twice; the copy follows the next turn_context (madshn/localpush).
        if self.first_count:
            self.first_count = False
            self.line("event_msg", {"type": "token_count", "info": None, "rate_limits": self.rate_limits()}, r.randint(300, 4000))
        elif self.last_info is not None:
            self.line("event_msg", {"type": "token_count", "info": self.last_info, "rate_limits": self.rate_limits()}, r.randint(300, 1500))

    def request(self, final: bool) -> None:
        r = self.rng
        self.turn_context()
        reasoning = r.random() < 0.8
        if reasoning:
            summary = self.pool.take(r, r.randint(20, 120))
            self.line("event_msg", {"type": "agent_reasoning", "text": summary}, lognorm(r, 4000, 0.8, 300, 60_000))
            self.line("response_item", {"type": "reasoning", "summary": [{"type": "summary_text", "text": summary}], "content": None,
                                        "encrypted_content": "gAAAAA" + b62(r, lognorm(r, 2000, 0.6, 200, 12_000))}, 1)
        if final or r.random() < 0.6:
            msg = self.pool.take(r, lognorm(r, 250, 1.0, 20, 6000) if not final else lognorm(r, 900, 0.9, 50, 8000))
            self.line("event_msg", {"type": "agent_message", "message": msg}, r.randint(200, 4000))
            item: dict[str, Any] = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": msg}]}
            if final:
                item["phase"] = "final_answer"
            self.line("response_item", item, 1)
        calls: list[tuple[str, str, int]] = []
        if not final:
            for _ in range(weighted(r, ((1, 0.7), (2, 0.22), (3, 0.08)))):
                call_id = "call_" + b62(r, 24)
                if r.random() < 0.15:
                    patch = "*** Begin Patch\n*** Update File: src/app.py\n@@\n-" + self.pool.take(r, 200) + "\n+" + self.pool.take(r, 300) + "\n*** End Patch"
                    self.line("response_item", {"type": "custom_tool_call", "status": "completed", "call_id": call_id, "name": "apply_patch", "input": patch}, r.randint(5, 300))
                    calls.append(("custom", call_id, 40))
                else:
                    cmd = r.choice(("rg -n TODO src", "npm test", "pytest -q", "git diff", "sed -n 1,200p src/app.py", "ls -R"))
                    args = json.dumps({"cmd": cmd, "workdir": self.cwd, "yield_time_ms": 10000})
                    self.line("response_item", {"type": "function_call", "name": "exec_command", "arguments": args, "call_id": call_id}, r.randint(5, 300))
                    calls.append(("exec", call_id, lognorm(r, 700, 1.3, 20, 20_000)))
        # The request's usage: input includes the cached prefix (whole multiples of 128 tokens).
        out = lognorm(r, 250, 1.1, 5, 20_000)
        reason = min(out, int(out * r.uniform(0.2, 0.7)))
        cached = (self.prev_prompt // 128) * 128 if self.prev_prompt else r.randint(0, 30) * 128
        cached = min(cached, (self.prompt - 1) // 128 * 128)
        last = {"input_tokens": self.prompt, "cached_input_tokens": cached, "output_tokens": out,
                "reasoning_output_tokens": reason, "total_tokens": self.prompt + out}
        for k in self.cum:
            self.cum[k] += last[k]
        self.last_info = {"total_token_usage": dict(self.cum), "last_token_usage": last, "model_context_window": CODEX_WINDOW}
        self.line("event_msg", {"type": "token_count", "info": self.last_info, "rate_limits": self.rate_limits()}, r.randint(1, 40))
        t = self.totals
        t.input_tokens += self.prompt - cached
        t.cache_read_input_tokens += cached
        t.output_tokens += out
        t.models.add(self.model)
        self.final_context = self.prompt + out
        self.since_compaction = self.final_context
        self.prev_prompt = self.prompt
        growth = out
        for kind, call_id, tokens in calls:
            text = self.pool.take(r, int(tokens * 3.3))
            if kind == "custom":
                output = json.dumps({"output": "Success. Updated the following files:\nM src/app.py\n", "metadata": {"exit_code": 0, "duration_seconds": 0.1}})
                self.line("response_item", {"type": "custom_tool_call_output", "call_id": call_id, "output": output}, r.randint(20, 2000))
            else:
                code = 1 if r.random() < 0.07 else 0
                output = (f"Chunk ID: {hexs(r, 6)}\nWall time: {r.uniform(0.01, 9):.4f} seconds\nProcess exited with code {code}\n"
                          f"Original token count: {tokens}\nOutput:\n{text}")
                self.line("response_item", {"type": "function_call_output", "call_id": call_id, "output": output}, lognorm(r, 400, 1.8, 5, 300_000))
            growth += tokens
        self.prompt += growth + r.randint(0, 60)

    def compact(self) -> None:
        r = self.rng
        pre = self.final_context or self.prompt
        self.line("compacted", {"message": "", "replacement_history": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": self.pool.take(r, 400)}]},
            {"type": "compaction_summary", "encrypted_content": "gAAAAA" + b62(r, 3000)}]}, r.randint(5_000, 60_000))
        self.line("event_msg", {"type": "context_compacted"}, 2)
        # Codex's synthetic record: every part 0, a total larger than the window (spec §3.2).
        fake = {"input_tokens": 0, "cached_input_tokens": 0, "output_tokens": 0, "reasoning_output_tokens": 0,
                "total_tokens": max(self.cum["total_tokens"], CODEX_WINDOW + 1 + r.randint(0, 700_000))}
        self.line("event_msg", {"type": "token_count", "info": {"total_token_usage": dict(self.cum), "last_token_usage": fake,
                                                                "model_context_window": CODEX_WINDOW}, "rate_limits": self.rate_limits()}, 5)
        self.compactions.append({"trigger": "auto", "pre_tokens": pre})
        self.prompt = lognorm(r, 48_000, 0.15, 30_000, 70_000)
        self.prev_prompt = 0
        self.since_compaction = 0

    def generate(self) -> None:
        r = self.rng
        try:
            start = self.plan.start_ms
            self.tr.add({"timestamp": self.tr.at(r.randint(200, 900)), "type": "session_meta", "payload": {
                "id": self.sid, "timestamp": iso(start), "cwd": self.cwd, "originator": self.originator, "cli_version": self.version,
                "source": self.source, "model_provider": "openai", "base_instructions": {"text": self.pool.take(r, 13_000)},
                "git": {"commit_hash": hexs(r, 40), "branch": r.choice(BRANCHES), "repository_url": f"https://github.com/example/{self.cwd.rsplit('/', 1)[-1]}.git"}}})
            # System prompt, tools and AGENTS.md: the first request's prompt.
            self.prompt = r.randint(9_000, 18_000)
            for role, n in (("developer", 3600), ("user", 2900), ("user", 600)):
                self.line("response_item", {"type": "message", "role": role, "content": [{"type": "input_text", "text": self.pool.take(r, n)}]}, 1)
            first = True
            while first or self.tr.nbytes < self.plan.budget or (self.plan.showcase and not self.compactions):
                self.tr.at(r.randint(500, 5000) if first else lognorm(r, 120_000, 1.3, 3000, 3 * 3_600_000))
                first = False
                self.turn_id = uuid7(r, self.tr.clock)
                self.line("event_msg", {"type": "task_started", "turn_id": self.turn_id, "model_context_window": CODEX_WINDOW,
                                        "collaboration_mode_kind": "default"}, 1)
                text = r.choice(PROMPTS)
                self.line("response_item", {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}, 5)
                self.line("event_msg", {"type": "user_message", "message": text, "images": [], "local_images": [], "text_elements": []}, 1)
                self.prompt += len(text) // 4 + 20
                n_req = lognorm(r, 10, 1.1, 1, 150)
                for i in range(n_req):
                    if self.since_compaction >= self.threshold:
                        self.compact()
                    final = i == n_req - 1 or self.tr.nbytes >= self.plan.budget
                    self.request(final)
                    if final:
                        break
                self.line("event_msg", {"type": "task_complete", "turn_id": self.turn_id, "last_agent_message": self.pool.take(r, 200)}, r.randint(2, 80))
        except Deadline:
            self.live = True

    def manifest(self) -> dict[str, Any]:
        return {
            "agent": "codex",
            "session_id": self.sid,
            "path": self.tr.rel,
            "subagent_paths": [],
            "lines": len(self.tr.lines),
            "subagent_lines": 0,
            "bytes": self.tr.nbytes,
            "version": self.version,
            "legacy_layout": False,
            "window": CODEX_WINDOW,
            "project": self.cwd,
            "final_context_prompt_tokens": self.final_context,
            "compactions": self.compactions,
            "usage": self.totals.as_dict(),
            "subagents": 0,
            "models": sorted(self.totals.models),
            "started_at": iso(self.plan.start_ms),
            "live": self.live,
            "title": "",
        }

    def files(self) -> list[Transcript]:
        return [self.tr]


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------

# The first sessions of every corpus cover the rare features, so even a 5-session corpus has them.
SHOWCASE = ("auto", "codex", "legacy", "1m", "manual")


def plan_session(index: int, seed: int, mean_bytes: float, now_ms: int, codex_fraction: float) -> tuple[Plan, random.Random]:
    rng = random.Random(f"{seed}/session/{index}")
    showcase = SHOWCASE[index] if index < len(SHOWCASE) else ""
    agent = "codex" if (showcase == "codex" or (not showcase and rng.random() < codex_fraction)) else "claude"
    # Heavy-tailed sizes: lognormal with sigma 1 has mean = median * e^0.5.
    budget = int(min(12e6, max(6_000, mean_bytes / math.exp(0.5) * math.exp(rng.gauss(0.0, 1.0)))))
    if showcase:
        budget = min(budget, 300_000)  # showcase sessions run until their feature shows (ClaudeSession.wanted)
    start = now_ms - 30 * DAY_MS + int(rng.random() * 30 * DAY_MS)
    if rng.random() < 0.01:
        start = now_ms - rng.randint(60_000, 3_600_000)  # a few sessions are still running at --now
    if showcase:
        start = now_ms - 30 * DAY_MS + index * 3 * DAY_MS  # far enough from --now to finish
    return Plan(index, agent, budget, start, now_ms, showcase), rng


def generate(out: Path, sessions: int, seed: int = 0, codex_fraction: float = 0.2, target_bytes: int | None = None,
             mean_bytes: float = 600_000, now_ms: int | None = None, progress: Callable[[int, int], None] | None = None
             ) -> dict[str, Any]:
    """Writes the corpus and manifest.json under `out`; returns the manifest."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if target_bytes:
        mean_bytes = target_bytes / max(1, sessions)
    pool = TextPool(seed)
    out.mkdir(parents=True, exist_ok=True)
    entries: list[dict[str, Any]] = []
    total = 0
    index = 0
    while (index < sessions) if not target_bytes else (total < target_bytes * 0.995):
        plan, rng = plan_session(index, seed, mean_bytes, now_ms, codex_fraction)
        if target_bytes and plan.budget > target_bytes - total and index >= len(SHOWCASE):
            plan.budget = max(6_000, target_bytes - total)
        gen: ClaudeSession | CodexSession = ClaudeSession(plan, rng, pool) if plan.agent == "claude" else CodexSession(plan, rng, pool)
        gen.generate()
        for tr in gen.files():
            if tr.lines:
                tr.write(out)
        if isinstance(gen, ClaudeSession):
            for rel, data in gen.extra_files.items():
                p = out / rel
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(data)
        entry = gen.manifest()
        if not entry["lines"]:
            index += 1
            continue
        entries.append(entry)
        total += entry["bytes"]
        index += 1
        if progress:
            progress(index, total)
    manifest = {
        "generator": "scripts/gen_corpus.py",
        "seed": seed,
        "now": iso(now_ms),
        "codex_fraction": codex_fraction,
        "target_bytes": target_bytes,
        "claude_dir": "claude",
        "codex_dir": "codex",
        "totals": {
            "sessions": len(entries),
            "claude_sessions": sum(e["agent"] == "claude" for e in entries),
            "codex_sessions": sum(e["agent"] == "codex" for e in entries),
            "files": sum(1 + len(e["subagent_paths"]) for e in entries),
            "bytes": total,
            "lines": sum(e["lines"] + e["subagent_lines"] for e in entries),
            "compactions": sum(len(e["compactions"]) for e in entries),
            "subagents": sum(e["subagents"] for e in entries),
        },
        "notes": {
            "paths": "relative to the corpus root",
            "usage": "Claude: one record per (message.id, requestId) keeping the largest total, <synthetic> excluded, "
                     "over the main file and all its subagent files including acompact ones; agent_progress copies not counted. "
                     "Codex: per real token_count (duplicates and the zeroed compaction record excluded): "
                     "input_tokens = input - cached, cache_read_input_tokens = cached.",
            "final_context_prompt_tokens": "Claude: input + cache_creation + cache_read of the last main-thread, non-synthetic, "
                                           "non-sidechain assistant line after the last compaction (null if none). "
                                           "Codex: last_token_usage.total_tokens of the last real token_count.",
            "compactions": "Codex pre_tokens = total_tokens of the last real token_count before the compaction.",
        },
        "sessions": entries,
    }
    (out / "manifest.json").write_bytes(json.dumps(manifest, indent=1).encode())
    return manifest


def parse_size(text: str) -> int:
    text = text.strip().upper()
    for suffix, mult in (("GB", 10**9), ("MB", 10**6), ("KB", 10**3), ("G", 10**9), ("M", 10**6), ("K", 10**3)):
        if text.endswith(suffix):
            return int(float(text[: -len(suffix)]) * mult)
    return int(float(text))


def parse_now(text: str) -> int:
    dt = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--sessions", type=int, required=True, help="sessions to write (with --target-bytes: the count to aim for)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--codex-fraction", type=float, default=0.2)
    ap.add_argument("--target-bytes", type=parse_size, default=None, help="total corpus size, e.g. 1.2GB")
    ap.add_argument("--mean-session-bytes", type=parse_size, default=600_000, help="mean session size without --target-bytes")
    ap.add_argument("--now", type=parse_now, default=None, help="ISO time the corpus ends at (default: now)")
    ap.add_argument("--clean", action="store_true", help="delete OUT_DIR/claude, OUT_DIR/codex first")
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.clean:
        for sub in ("claude", "codex"):
            shutil.rmtree(args.out_dir / sub, ignore_errors=True)
    started = time.perf_counter()

    def report(n: int, total: int) -> None:
        if not args.quiet and (n % 100 == 0):
            print(f"  {n} sessions, {total / 1e6:,.0f} MB, {time.perf_counter() - started:.1f} s", file=sys.stderr)

    manifest = generate(args.out_dir, args.sessions, args.seed, args.codex_fraction, args.target_bytes,
                        args.mean_session_bytes, args.now, report)
    t = manifest["totals"]
    if not args.quiet:
        print(f"wrote {t['sessions']} sessions ({t['claude_sessions']} claude, {t['codex_sessions']} codex), {t['files']} files, "
              f"{t['lines']:,} lines, {t['bytes'] / 1e6:,.1f} MB, {t['compactions']} compactions, {t['subagents']} subagents "
              f"in {time.perf_counter() - started:.1f} s -> {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
