"""Where transcripts live, and what each file is (spec agent-formats §1.1, §3.1).

Paths stay file-system strings (a name that is not UTF-8 keeps its bytes as surrogates, so it can
be opened); what is shown or stored is `printable(path)`, with those bytes as \\xNN escapes.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cockpit.core.kinds import Agent

_CODEX_ID = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$", re.I)
MAX_DEPTH = 8


@dataclass(frozen=True, slots=True)
class Root:
    agent: Agent
    path: str
    exists: bool  # when the roots were resolved; discovery looks at the folder itself every time
    origin: str  # "flag", "env", "default"


@dataclass(frozen=True, slots=True)
class TranscriptFile:
    agent: Agent
    path: str  # a file-system path: may hold surrogate-escaped bytes
    session_id: str  # for a legacy flat subagent file: "" until its lines name the session
    subagent: bool = False
    agent_id: str = ""


def printable(text: str) -> str:
    """`text` as valid UTF-8: bytes of a file name that are not UTF-8 become \\xNN escapes."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _root_path(folder: str) -> str:
    # Absolute and normalised, so a relative and an absolute spelling of one root name its files alike, and the
    # paths found under it need no abspath of their own.
    return os.path.abspath(os.path.expanduser(folder))


def claude_roots(flags: Sequence[str] = (), env: dict[str, str] | None = None) -> list[Root]:
    env = dict(os.environ) if env is None else env
    if flags:
        return [Root(Agent.CLAUDE, _root_path(f), os.path.isdir(_root_path(f)), "flag") for f in flags]
    if env.get("CLAUDE_CONFIG_DIR"):
        dirs = [d.strip() for d in env["CLAUDE_CONFIG_DIR"].split(",") if d.strip()]
        return [Root(Agent.CLAUDE, _root_path(d), os.path.isdir(_root_path(d)), "env") for d in dirs]
    home = Path(env.get("HOME") or Path.home())
    candidates = [_root_path(str(home / ".claude")), _root_path(str(home / ".config" / "claude"))]
    return [Root(Agent.CLAUDE, c, os.path.isdir(c), "default") for c in candidates]


def codex_roots(flags: Sequence[str] = (), env: dict[str, str] | None = None) -> list[Root]:
    env = dict(os.environ) if env is None else env
    if flags:
        return [Root(Agent.CODEX, _root_path(f), os.path.isdir(_root_path(f)), "flag") for f in flags]
    if env.get("CODEX_HOME"):
        path = _root_path(env["CODEX_HOME"])
        return [Root(Agent.CODEX, path, os.path.isdir(path), "env")]
    home = Path(env.get("HOME") or Path.home())
    path = _root_path(str(home / ".codex"))
    return [Root(Agent.CODEX, path, os.path.isdir(path), "default")]


def _walk_jsonl(top: str, errors: list[str]) -> Iterator[str]:
    """Every *.jsonl under `top`, without following symlinked directories (no loops).

    FIFOs, sockets and devices with that name are yielded too, so the reader can report them. The paths are
    absolute and normalised (the ingest relies on it)."""
    stack = [(os.path.abspath(top), 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    try:
                        if entry.is_dir(follow_symlinks=False):
                            if depth < MAX_DEPTH:
                                stack.append((entry.path, depth + 1))
                        elif entry.name.endswith(".jsonl") and (
                            entry.is_file() or not (entry.is_dir() or entry.is_symlink())
                        ):
                            yield entry.path
                    except OSError as exc:
                        errors.append(f"{printable(entry.path)}: {exc.strerror or exc}")
        except OSError as exc:
            errors.append(f"{printable(folder)}: {exc.strerror or exc}")


def claude_scan_dirs(root: Root) -> list[str]:
    """Where a Claude root's transcripts are now: its `projects` folder. A folder given by a flag may be a
    projects folder itself; a config dir (the default, CLAUDE_CONFIG_DIR) without one holds no transcript yet
    (its history.jsonl is the prompt history, not a session)."""
    projects = os.path.join(root.path, "projects")
    if os.path.isdir(projects):
        return [projects]
    return [root.path] if root.origin == "flag" and os.path.isdir(root.path) else []


def _stem(name: str) -> str:
    """The name without its last suffix, as pathlib has it ("a.jsonl" -> "a", ".jsonl" stays)."""
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def classify_claude(path: str) -> TranscriptFile:
    # String operations, not pathlib: this runs for every file of every catch-up (~8 ms on 2,000 files).
    name = _stem(path.rpartition(os.sep)[2])
    if not name.startswith("agent-"):
        return TranscriptFile(Agent.CLAUDE, path, printable(name))
    parts = [part for part in path.split(os.sep) if part and part != "."]
    # <sessionId>/subagents/agent-<id>.jsonl or <sessionId>/subagents/workflows/<run>/agent-<id>.jsonl;
    # a "subagents" folder higher up belongs to the root's own path, not to the layout.
    if "subagents" in parts[-4:-1]:
        idx = len(parts) - 1 - parts[::-1].index("subagents")
        parent = parts[idx - 1] if idx > 0 else ""
        return TranscriptFile(Agent.CLAUDE, path, printable(parent), subagent=True,
                              agent_id=printable(name[len("agent-") :]))
    return TranscriptFile(Agent.CLAUDE, path, "", subagent=True, agent_id=printable(name[len("agent-") :]))


def discover_claude(roots: Sequence[Root], errors: list[str]) -> list[TranscriptFile]:
    found: list[TranscriptFile] = []
    for root in roots:
        for folder in claude_scan_dirs(root):
            found.extend(classify_claude(p) for p in _walk_jsonl(folder, errors))
    return found


def codex_scan_dirs(root: Root) -> list[str]:
    """Where a Codex root's rollouts are now: `sessions` and `archived_sessions`, else the folder itself (a
    folder of rollouts given by a flag); nothing while the folder does not exist."""
    path = root.path
    dirs = [os.path.join(path, d) for d in ("sessions", "archived_sessions") if os.path.isdir(os.path.join(path, d))]
    return dirs or ([path] if os.path.isdir(path) else [])


def scan_dirs(claude: Sequence[Root], codex: Sequence[Root]) -> list[str]:
    """Every folder transcripts are in now, each once even when two roots reach it (a symlink, two spellings).
    Asked again, it sees a root or a projects / sessions folder created since."""
    folders = [f for root in claude for f in claude_scan_dirs(root)]
    folders += [f for root in codex for f in codex_scan_dirs(root)]
    unique: dict[str, str] = {}
    for folder in folders:
        unique.setdefault(os.path.realpath(folder), folder)
    return list(unique.values())


def classify_codex(path: str) -> TranscriptFile | None:
    name = os.path.basename(path)
    if not name.startswith("rollout-"):
        return None
    match = _CODEX_ID.search(name)
    return TranscriptFile(Agent.CODEX, path, match.group(1) if match else printable(_stem(name)))


def discover_codex(roots: Sequence[Root], errors: list[str]) -> list[TranscriptFile]:
    by_id: dict[str, TranscriptFile] = {}
    for root in roots:
        for folder in codex_scan_dirs(root):
            archived = os.path.basename(folder) == "archived_sessions"
            for p in _walk_jsonl(folder, errors):
                tf = classify_codex(p)
                # The active copy wins over an archived one of the same session.
                if tf and (tf.session_id not in by_id or not archived):
                    by_id[tf.session_id] = tf
    return list(by_id.values())


def classify(agent: Agent, path: str) -> TranscriptFile | None:
    return classify_claude(path) if agent is Agent.CLAUDE else classify_codex(path)
