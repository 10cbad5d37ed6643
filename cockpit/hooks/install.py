"""Merge cockpit's hook entries into Claude Code settings files and Codex hooks.json files, and take exactly
those entries out again (`cockpit hooks install|uninstall|status`, whose arguments and output are in
cockpit/cli/hooks.py).

Stdlib only: it runs in short-lived processes. Our entries are recognised by `parse_cockpit_command`, never by
position, so the user's own hooks and keys are never removed or reordered.
"""

from __future__ import annotations

import json
import os
import shlex
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from cockpit.sources.git import repo_root

AGENTS = ("claude", "codex")
SCOPES = ("local", "project", "user")
EXECUTABLE_NAMES = frozenset({"cockpit", "cockpit.exe"})
INHERITED_MARK = "# cockpit: inherited"
BACKUP_INFIX = ".cockpit-backup-"
STATUS_TARGETS = (("claude", "local"), ("claude", "project"), ("claude", "user"), ("codex", "project"),
                  ("codex", "user"))


class InstallError(Exception):
    """A request cockpit refuses (bad --command, unknown agent or scope); exit code 2."""


class SettingsFileError(InstallError):
    """A settings file cockpit will not touch (not JSON, wrong shape); the message names the file."""


@dataclass(frozen=True)
class HookSpec:
    """One entry cockpit installs: `<cockpit> hook <agent> <action>` under `event`."""

    event: str
    action: str
    timeout: int
    matcher: str | None = None
    is_async: bool = False

    def handler(self, executable: str, agent: str) -> dict[str, Any]:
        entry: dict[str, Any] = {"type": "command", "command": hook_command(executable, agent, self.action),
                                 "timeout": self.timeout}
        if self.is_async:
            entry["async"] = True
        return entry

    def group(self, handler: dict[str, Any]) -> dict[str, Any]:
        group: dict[str, Any] = {} if self.matcher is None else {"matcher": self.matcher}
        group["hooks"] = [handler]
        return group


_CLAUDE_EVENTS = ("SessionStart", "UserPromptSubmit", "PostToolUse", "PostToolUseFailure", "Stop",
                  "SubagentStart", "SubagentStop", "PreCompact", "PostCompact", "SessionEnd", "Notification",
                  "PermissionDenied")
# Codex skips any hook marked async ("async hooks are not supported yet"), so its event hooks run in the
# foreground with a short timeout; it ignores matchers on UserPromptSubmit and Stop.
_CODEX_EVENTS = ("SessionStart", "UserPromptSubmit", "PostToolUse", "Stop", "PreCompact", "PostCompact",
                 "SubagentStart", "SubagentStop")
HOOK_SPECS: dict[str, tuple[HookSpec, ...]] = {
    "claude": (
        HookSpec("PermissionRequest", "permission-request", 600, "*"),
        HookSpec("PreToolUse", "pre-tool-use", 600, "*"),
        *(HookSpec(event, "event", 10, None, True) for event in _CLAUDE_EVENTS),
    ),
    "codex": (
        # Codex waits for these before it shows its own prompt or runs the tool: a long wait blocks it.
        HookSpec("PermissionRequest", "permission-request", 60, "*"),
        HookSpec("PreToolUse", "pre-tool-use", 60, "*"),
        *(HookSpec(event, "event", 10, None if event in ("UserPromptSubmit", "Stop") else "*")
          for event in _CODEX_EVENTS),
    ),
}


def hook_timeout(agent: str, event: str) -> int | None:
    """The timeout (seconds) cockpit installs for `event`, so a hook can answer before the agent kills it."""
    return next((s.timeout for s in HOOK_SPECS.get(agent, ()) if s.event == event), None)


# ---- recognising our commands ------------------------------------------------------------------


class CockpitCommand(NamedTuple):
    executable: str
    kind: str  # "hook" or "statusline"
    agent: str | None = None
    action: str | None = None
    then: str | None = None  # statusline: the user's own command it runs after
    inherited: bool = False  # statusline: `then` was copied from a lower-precedence settings file


def parse_cockpit_command(command: object) -> CockpitCommand | None:
    """The one predicate for "this entry is cockpit's": a shell command whose first word is a path whose file
    name is `cockpit` (or `cockpit.exe`), followed by `hook claude|codex <action>` or by `statusline`
    (optionally `--then CMD`, optionally the comment `# cockpit: inherited`). Anything else is the user's."""
    if not isinstance(command, str):
        return None
    try:
        words = shlex.split(command)
    except ValueError:
        return None
    if len(words) < 2 or os.path.basename(words[0]) not in EXECUTABLE_NAMES:
        return None
    if words[1] == "hook" and len(words) >= 4 and words[2] in AGENTS:
        return CockpitCommand(words[0], "hook", words[2], words[3])
    if words[1] != "statusline":
        return None
    then = None
    if len(words) >= 4 and words[2] == "--then":
        then = words[3]
    inherited = then is not None and words[4:] == INHERITED_MARK.split()
    return CockpitCommand(words[0], "statusline", then=then, inherited=inherited)


def is_cockpit_command(command: object, agent: str | None = None) -> bool:
    """True for a command `parse_cockpit_command` recognises (for `agent`: its hooks, plus the statusLine
    for claude)."""
    parsed = parse_cockpit_command(command)
    if parsed is None or agent is None:
        return parsed is not None
    return parsed.agent == agent or (parsed.kind == "statusline" and agent == "claude")


def hook_command(executable: str, agent: str, action: str) -> str:
    return f"{shlex.quote(executable)} hook {agent} {action}"


def statusline_command(executable: str, then: str | None = None, *, inherited: bool = False) -> str:
    command = f"{shlex.quote(executable)} statusline"
    if then is not None:
        command += f" --then {shlex.quote(then)}"
        if inherited:
            command += f" {INHERITED_MARK}"
    return command


def _our_handlers(groups: list[Any], agent: str) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """(group, handler) for each of our handlers in an event's groups, in file order."""
    return [(group, handler) for group in groups
            if isinstance(group, dict) and isinstance(group.get("hooks"), list)
            for handler in group["hooks"] if _is_our_handler(handler, agent)]


def _is_our_handler(handler: object, agent: str) -> bool:
    if not isinstance(handler, dict) or handler.get("type", "command") != "command":
        return False
    parsed = parse_cockpit_command(handler.get("command"))
    return parsed is not None and parsed.kind == "hook" and parsed.agent == agent


# ---- where the files are -----------------------------------------------------------------------


def find_project(cwd: Path | None = None) -> Path:
    """The git top-level of `cwd` (default: the current directory), or `cwd` itself outside a repository."""
    cwd = Path(cwd or os.getcwd()).absolute()
    top, _ = repo_root(cwd)
    return Path(top) if top else cwd


def _env_dir(name: str, default: str) -> Path:
    value = os.environ.get(name)
    return Path(value).expanduser() if value else Path.home() / default


def settings_path(agent: str, scope: str, project: Path | None = None) -> Path:
    """The file `cockpit hooks install --agent AGENT --scope SCOPE` edits."""
    if agent not in AGENTS:
        raise InstallError(f"unknown agent {agent!r} (expected one of {', '.join(AGENTS)})")
    if scope not in SCOPES:
        raise InstallError(f"unknown scope {scope!r} (expected one of {', '.join(SCOPES)})")
    if scope == "user":
        return _env_dir("CLAUDE_CONFIG_DIR", ".claude") / "settings.json" if agent == "claude" \
            else _env_dir("CODEX_HOME", ".codex") / "hooks.json"
    root = Path(project) if project is not None else find_project()
    if agent == "codex":
        return root / ".codex" / "hooks.json"
    return root / ".claude" / ("settings.local.json" if scope == "local" else "settings.json")


def default_command() -> str:
    """The absolute path of the running `cockpit` executable (symlinks kept, so upgrades keep working)."""
    import shutil

    argv0 = sys.argv[0] if sys.argv else ""
    if os.path.basename(argv0) in EXECUTABLE_NAMES:
        found = argv0 if os.sep in argv0 else shutil.which(argv0)
        if found and os.path.isfile(found):
            return os.path.abspath(found)
    found = shutil.which("cockpit")
    if found:
        return os.path.abspath(found)
    raise InstallError("cannot find the cockpit executable on PATH; pass --command /path/to/cockpit")


def _check_command(command: str | None) -> str:
    if command is None:
        return default_command()
    path = os.path.abspath(os.path.expanduser(command))
    if os.path.basename(path) not in EXECUTABLE_NAMES:
        raise InstallError(f"--command {command}: the file name must be 'cockpit' so uninstall can recognise "
                           "the entries")
    return path


# ---- reading and writing settings files --------------------------------------------------------


def _json_type(value: object) -> str:
    if isinstance(value, bool):
        return "a boolean"
    names = {dict: "an object", list: "an array", str: "a string", int: "a number", float: "a number"}
    return names.get(type(value), "null")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r} in one object (rewriting would drop one of them)")
        result[key] = value
    return result


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_settings(path: Path) -> tuple[dict[str, Any], str | None]:
    """(parsed object, original text); a missing or blank file is an empty object with text None or ''.
    Raises SettingsFileError naming the file, with line and column for a syntax error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except UnicodeDecodeError as exc:
        raise SettingsFileError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start});"
                                " left untouched") from None
    except OSError as exc:
        raise SettingsFileError(f"{path}: cannot read it: {exc.strerror or exc}") from None
    if not text.strip():
        return {}, text
    try:
        data = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise SettingsFileError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                                " (comments and trailing commas are not allowed); left untouched") from None
    except ValueError as exc:
        raise SettingsFileError(f"{path}: not valid JSON: {exc}; left untouched") from None
    if not isinstance(data, dict):
        raise SettingsFileError(f"{path}: the top level is {_json_type(data)}, expected an object;"
                                " left untouched")
    hooks = data.get("hooks")
    if "hooks" in data and not isinstance(hooks, dict):
        raise SettingsFileError(f'{path}: "hooks" is {_json_type(hooks)}, expected an object; left untouched')
    for event, groups in (hooks or {}).items():
        if not isinstance(groups, list):
            raise SettingsFileError(f'{path}: "hooks"."{event}" is {_json_type(groups)}, expected an array;'
                                    " left untouched")
    return data, text


def render_settings(data: dict[str, Any]) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Equal as JSON including key order (dict == ignores order)."""
    return json.dumps(a, ensure_ascii=False) == json.dumps(b, ensure_ascii=False)


def _backup_path(path: Path) -> Path:
    from datetime import datetime

    base = f"{path}{BACKUP_INFIX}{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    candidate, n = Path(base), 1
    while candidate.exists():
        n += 1
        candidate = Path(f"{base}-{n}")
    return candidate


def write_settings(path: Path, text: str) -> Path | None:
    """Atomically replace `path` (its symlink target, if it is one) with `text`, keeping the file's mode and
    a backup copy of an existing file. Returns the backup path."""
    import contextlib
    import shutil
    import tempfile

    target = Path(os.path.realpath(path))
    target.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if target.exists():
        mode = target.stat().st_mode & 0o7777
        backup = _backup_path(path)
        shutil.copy2(target, backup)
    else:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return backup


def unified_diff(path: Path, before: str | None, after: str) -> str:
    import difflib

    lines = difflib.unified_diff((before or "").splitlines(keepends=True), after.splitlines(keepends=True),
                                 fromfile="/dev/null" if before is None else str(path), tofile=str(path))
    no_newline = "\n\\ No newline at end of file\n"
    return "".join(line if line.endswith("\n") else line + no_newline for line in lines)


# ---- merging -----------------------------------------------------------------------------------


def _inherited_statusline(scope: str, project: Path | None, notes: list[str]) -> dict[str, Any] | None:
    """The statusLine a lower-precedence Claude settings file gives (project < local, user < project)."""
    lower = {"local": ("project", "user"), "project": ("user",), "user": ()}[scope]
    for other in lower:
        path = settings_path("claude", other, project)
        try:
            data, _ = read_settings(path)
        except SettingsFileError as exc:
            notes.append(f"cannot read {path} to keep its statusLine: {exc}")
            continue
        line = data.get("statusLine")
        if isinstance(line, dict) and isinstance(line.get("command"), str):
            return line
    return None


def _inherited_then(inherited: dict[str, Any] | None) -> str | None:
    """The user's own command inside an inherited statusLine (unwrapping one of ours)."""
    if inherited is None:
        return None
    ours = parse_cockpit_command(inherited["command"])
    return inherited["command"] if ours is None else ours.then


def _merge_statusline(data: dict[str, Any], executable: str, inherited: dict[str, Any] | None,
                      notes: list[str]) -> None:
    line = data.get("statusLine")
    then = _inherited_then(inherited)
    if "statusLine" not in data:
        # A statusLine here hides the one of a lower-precedence file, so that one is wrapped, not lost.
        base = inherited if inherited is not None else {"type": "command", "command": "", "padding": 0}
        command = statusline_command(executable, then, inherited=then is not None)
        data["statusLine"] = {**base, "command": command}
        return
    if not isinstance(line, dict) or not isinstance(line.get("command"), str):
        notes.append("statusLine left alone: it is not a command statusLine")
        return
    ours = parse_cockpit_command(line["command"])
    if ours is None:
        line["command"] = statusline_command(executable, line["command"])
    elif ours.kind != "statusline":
        notes.append("statusLine left alone: it runs a cockpit hook command")
    elif ours.then is not None and not ours.inherited:
        line["command"] = statusline_command(executable, ours.then)
    else:
        line["command"] = statusline_command(executable, then, inherited=then is not None)


def merge_hooks(data: dict[str, Any], agent: str, executable: str, *,
                inherited_statusline: dict[str, Any] | None = None,
                fail_closed: bool = False) -> tuple[dict[str, Any], list[str]]:
    """A copy of `data` with cockpit's entries for `agent` present exactly once each, calling `executable`.
    Existing entries of ours are updated where they are; new ones go at the end. `fail_closed` makes
    Claude Code block a tool call when cockpit's PreToolUse hook cannot run at all (`onFailure`)."""
    import copy

    data = copy.deepcopy(data)
    notes: list[str] = []
    hooks = data.setdefault("hooks", {})
    for spec in HOOK_SPECS[agent]:
        wanted = spec.handler(executable, agent)
        if fail_closed and spec.event == "PreToolUse":
            wanted["onFailure"] = "block"
        groups = hooks.setdefault(spec.event, [])
        found = _our_handlers(groups, agent)
        if not found:
            groups.append(spec.group(wanted))
            continue
        first = found[0][1]
        first.update(wanted)
        if not spec.is_async:
            first.pop("async", None)
        for group, handler in found[1:]:
            group["hooks"][:] = [h for h in group["hooks"] if h is not handler]
            if not group["hooks"]:
                groups[:] = [g for g in groups if g is not group]
    if agent == "claude":
        _merge_statusline(data, executable, inherited_statusline, notes)
        if data.get("disableAllHooks") is True:
            notes.append('"disableAllHooks": true in this file: Claude Code runs neither hooks nor the'
                         " statusLine")
    return data, notes


def remove_hooks(data: dict[str, Any], agent: str) -> dict[str, Any]:
    """A copy of `data` without cockpit's entries for `agent`, the user's statusLine restored. Groups and
    event lists are dropped only when removing our entries emptied them."""
    import copy

    data = copy.deepcopy(data)
    hooks = data.get("hooks")
    if isinstance(hooks, dict):
        emptied = False
        for event in list(hooks):
            groups = hooks[event]
            if not isinstance(groups, list):
                continue
            kept_groups, touched = [], False
            for group in groups:
                if isinstance(group, dict) and isinstance(group.get("hooks"), list):
                    kept = [h for h in group["hooks"] if not _is_our_handler(h, agent)]
                    if len(kept) != len(group["hooks"]):
                        touched = True
                        if not kept:
                            continue
                        group["hooks"] = kept
                kept_groups.append(group)
            if touched:
                emptied = True
                if kept_groups:
                    hooks[event] = kept_groups
                else:
                    del hooks[event]
        if emptied and not hooks:
            del data["hooks"]
    line = data.get("statusLine")
    if agent == "claude" and isinstance(line, dict):
        ours = parse_cockpit_command(line.get("command"))
        if ours is not None and ours.kind == "statusline":
            if ours.then is None or ours.inherited:
                del data["statusLine"]
            else:
                line["command"] = ours.then
    return data


# ---- install / uninstall / status --------------------------------------------------------------


@dataclass
class Outcome:
    agent: str
    scope: str
    path: Path
    changed: bool
    written: bool = False
    backup: Path | None = None
    diff: str = ""
    notes: list[str] = field(default_factory=list)


def _apply(agent: str, scope: str, path: Path, before: str | None, old: dict[str, Any], new: dict[str, Any],
           dry_run: bool, notes: list[str], *, original: Path | None = None) -> Outcome:
    if _same(old, new):
        return Outcome(agent, scope, path, changed=False, notes=notes)
    # Back to the very bytes the file had before install (indentation, spacing) when they say the same.
    text = original.read_text(encoding="utf-8") if original is not None else render_settings(new)
    outcome = Outcome(agent, scope, path, changed=True, diff=unified_diff(path, before, text), notes=notes)
    if not dry_run:
        outcome.backup = write_settings(path, text)
        outcome.written = True
        if original is not None:
            # The file is as it was before install: the copies install and this uninstall made are clutter.
            for copy in (original, outcome.backup):
                if copy is not None:
                    copy.unlink(missing_ok=True)
            outcome.backup = None
    return outcome


def _original_backup(path: Path, new: dict[str, Any]) -> Path | None:
    """The newest backup of `path` that holds exactly `new` (the file as it was before install)."""
    for backup in sorted(path.parent.glob(path.name + BACKUP_INFIX + "*"), key=lambda p: p.stat().st_mtime,
                         reverse=True):
        try:
            data = json.loads(backup.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and _same(data, new):
            return backup
    return None


def _resolve_project(scope: str, project: Path | None) -> Path | None:
    return project if project is not None or scope == "user" else find_project()


def install(agent: str = "claude", scope: str = "local", *, project: Path | None = None,
            command: str | None = None, dry_run: bool = False, fail_closed: bool = False) -> Outcome:
    """Merge cockpit's entries into the settings file of `agent` and `scope`; writes only on change."""
    project = _resolve_project(scope, project)
    path = settings_path(agent, scope, project)
    executable = _check_command(command)
    old, before = read_settings(path)
    notes: list[str] = []
    if not os.access(executable, os.X_OK):
        notes.append(f"{executable} is not an executable file: the hooks will fail until it is")
    inherited = _inherited_statusline(scope, project, notes) if agent == "claude" else None
    if fail_closed and agent != "claude":
        raise InstallError("--fail-closed is a Claude Code setting (onFailure); Codex has no such option")
    new, merge_notes = merge_hooks(old, agent, executable, inherited_statusline=inherited, fail_closed=fail_closed)
    return _apply(agent, scope, path, before, old, new, dry_run, notes + merge_notes)


def uninstall(agent: str = "claude", scope: str = "local", *, project: Path | None = None,
              dry_run: bool = False) -> Outcome:
    """Take out exactly what `install` added to the settings file of `agent` and `scope`."""
    path = settings_path(agent, scope, _resolve_project(scope, project))
    old, before = read_settings(path)
    new = remove_hooks(old, agent)
    original = None if _same(old, new) else _original_backup(path, new)
    return _apply(agent, scope, path, before, old, new, dry_run, [], original=original)


def _status_row(agent: str, scope: str, path: Path) -> dict[str, Any]:
    row: dict[str, Any] = {"agent": agent, "scope": scope, "path": str(path), "exists": path.exists(),
                           "error": None, "events": [], "missing": [], "statusline": None, "command": None,
                           "commands": [], "command_exists": False}
    try:
        data, _ = read_settings(path)
    except SettingsFileError as exc:
        row["error"] = str(exc)
        data = {}
    commands: list[str] = []
    hooks = data.get("hooks") or {}
    for spec in HOOK_SPECS[agent]:
        found = _our_handlers(hooks.get(spec.event, []), agent)
        row["events" if found else "missing"].append(spec.event)
        commands += [shlex.split(handler["command"])[0] for _, handler in found]
    line = data.get("statusLine")
    ours = None
    if agent == "claude" and isinstance(line, dict):
        ours = parse_cockpit_command(line.get("command"))
    if ours is not None and ours.kind == "statusline":
        wrapped = "wrapped" if ours.then is not None else "installed"
        row["statusline"] = "inherited" if ours.inherited else wrapped
        commands.append(ours.executable)
    row["commands"] = list(dict.fromkeys(commands))
    row["command"] = row["commands"][0] if commands else None
    row["command_exists"] = bool(commands) and all(os.access(c, os.X_OK) for c in row["commands"])
    return row


def installed_hooks(project: Path | None = None) -> list[dict[str, Any]]:
    """For `cockpit doctor` and `cockpit hooks status`: one row per settings file (claude local, project,
    user; codex project, which `local` also names, and user): path, exists, error, events installed and
    missing, statusline state, the cockpit path(s) called and whether they exist. `project` None: the git
    top-level of the current directory."""
    root = Path(project) if project is not None else find_project()
    return [_status_row(agent, scope, settings_path(agent, scope, root)) for agent, scope in STATUS_TARGETS]
