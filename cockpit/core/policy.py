"""Critical-step policies: Claude Code permission rules matched against the tool calls a hook sees.

A rule is written in Claude Code's permission-rule syntax: `Bash(git push:*)`, `Bash(npm run deploy)`,
`Bash`, `Edit(.github/**)`, `Write(**/.env*)`, `Read(~/.ssh/**)`, `WebFetch(domain:example.com)`,
`mcp__server__tool`. `Policy.match` returns the first rule a call matches, or None.

Bash rules are matched per simple command, after the shell text is split on `&&`, `||`, `;`, `|`,
`&`, newlines, parentheses and backticks (quotes respected, redirections, comments and here-document
bodies dropped). Leading `VAR=value` assignments and wrappers (`sudo`, `env`, `xargs`, `timeout`,
`nohup`, `npx`, `bundle exec`, `uv run`, `python -m`, ...) are looked through, `bash -c '...'`,
`eval` and `find -exec` are checked recursively, and `git -C dir` global options are dropped.
Command substitution is not analysed as such: an unquoted `$(cmd)` or backtick part is split out and
checked like any command, but one inside double quotes is only text.

Bash pattern semantics:
- no `*` and no trailing `:*`: the command's words equal the pattern's words (`Bash(npm run deploy)`);
- a trailing `:*` (or a trailing ` *`) means "followed by anything": the leading plain words must
  start the command (the program compared by its basename, so `/usr/bin/git` is `git`) and every
  later pattern word must appear somewhere among the command's arguments. An option cluster of one
  to three letters (`-r`, `-rf`) matches when the command's short options hold all its letters in
  any order (`-fr`, `-rfv`, `-r -f`); `--long` also matches `--long=value`; a word with `*` is a glob
  over one argument (`+*`). This never matches less than a plain prefix match would;
- a standalone `*` word means "any words here" and implies the same argument matching
  (`Bash(git push * :*)`: a `:ref` argument; a whole-word `:*` is a glob, not the prefix marker);
- any other `*` (`Bash(ls*)`, `Bash(psql *DROP*)`) is Claude Code's wildcard over the whole command.

Path rules use gitignore-style globs: `**` crosses directories, `*` and `?` stay within one, a
pattern that matches a directory matches everything inside it, and a pattern without a slash
matches at any depth. `//abs` is an absolute path, `~/x` is under the home directory, `x` and `./x`
are relative to the project root (the repo root, else the hook's cwd); `/x` is tried both as an
absolute path and relative to the root (Claude Code reads it relative to the settings file).
`Edit(...)` and `Write(...)` rules both cover every file-changing tool (Edit, MultiEdit, Write,
NotebookEdit) and `Read(...)` covers Read, Grep, Glob and LS, as in Claude Code. Paths are resolved
with `os.path.normpath`, never through symlinks: this module does no IO beyond `load_policy_file`.
`WebFetch(domain:example.com)` also matches subdomains. `Write(outside-repo)` is a built-in rule:
a file-changing call whose path resolves outside the repo root. `Bash` rules also cover the shell
tool names Codex uses internally (`shell`, `local_shell`, `exec_command`, with `command` or `cmd`
given as a string or an argv list).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from cockpit.core.shellwords import SHELLS, split_commands
from cockpit.core.shellwords import basename as _basename
from cockpit.core.text import one_line
from cockpit.core.tools import EDIT_TOOLS, READ_TOOLS, SHELL_TOOLS

if TYPE_CHECKING:
    from pathlib import Path

PUSH = "push"
FORCE_PUSH = "force push"
HISTORY_REWRITE = "history rewrite"
RECURSIVE_DELETE = "recursive delete"
DEPLOY = "deploy"
DB_MIGRATION = "database migration"
CI_CONFIG = "CI config"
GIT_INTERNALS = "git internals"
SECRETS_FILE = "secrets file"
GUARD_SETTINGS = "guard settings"
OUTSIDE_REPO = "write outside the repo"
CUSTOM = "custom rule"

OUTSIDE_REPO_RULE = "Write(outside-repo)"
ON_NO_COCKPIT_CHOICES = ("ask", "deny")
MODES = ("extend", "replace")
DEFAULT_TIMEOUT_SECONDS = 600.0
MIN_TIMEOUT_SECONDS = 10.0
CONFIG_KEYS = ("rules", "mode", "exclude", "on_no_cockpit", "timeout_seconds")

_FAMILY: dict[str, frozenset[str]] = {
    **dict.fromkeys(SHELL_TOOLS, SHELL_TOOLS), **dict.fromkeys(EDIT_TOOLS, EDIT_TOOLS),
    **dict.fromkeys(READ_TOOLS, READ_TOOLS),
}
_DIRECTORY_TOOLS = frozenset({"Grep", "Glob", "LS"})
_KNOWN_TOOLS = frozenset({
    *SHELL_TOOLS, *EDIT_TOOLS, *READ_TOOLS, "WebFetch", "WebSearch", "Task", "Agent", "TodoWrite",
    "BashOutput", "KillShell", "ExitPlanMode", "Skill", "SlashCommand",
})

# (rule, category, reason). Order matters: the first matching rule names the category, so the
# specific push rules come before the plain push.
_DEFAULTS: tuple[tuple[str, str, str], ...] = (
    ("Bash(git push --force:*)", FORCE_PUSH, "overwrites the remote branch; commits others pushed can be lost"),
    ("Bash(git push -f:*)", FORCE_PUSH, "overwrites the remote branch; commits others pushed can be lost"),
    ("Bash(git push --force-with-lease:*)", FORCE_PUSH, "safer than --force, but still rewrites the remote branch"),
    ("Bash(git push * +*)", FORCE_PUSH, "a +refspec force-updates that remote ref"),
    ("Bash(git push --delete:*)", HISTORY_REWRITE, "deletes a remote branch or tag"),
    ("Bash(git push -d:*)", HISTORY_REWRITE, "deletes a remote branch or tag"),
    ("Bash(git push * :*)", HISTORY_REWRITE, "an empty-source :ref refspec deletes that remote ref"),
    ("Bash(git push --mirror:*)", HISTORY_REWRITE, "makes the remote an exact mirror, deleting refs it lacks here"),
    ("Bash(git push --prune:*)", HISTORY_REWRITE, "deletes remote branches that have no local counterpart"),
    ("Bash(git reset --hard:*)", HISTORY_REWRITE, "moves the branch and throws away uncommitted work"),
    ("Bash(git rebase:*)", HISTORY_REWRITE, "rewrites commits; a problem once they are shared"),
    ("Bash(git filter-branch:*)", HISTORY_REWRITE, "rewrites the whole history"),
    ("Bash(git filter-repo:*)", HISTORY_REWRITE, "rewrites the whole history"),
    ("Bash(git commit --amend:*)", HISTORY_REWRITE, "replaces the last commit; a problem once it is pushed"),
    # --dry-run is still matched: the rule sees the command as typed, a dry run costs one key press,
    # and an exception for it would be one more pattern to get wrong.
    ("Bash(git push:*)", PUSH, "publishes commits to a shared remote"),
    # `-r` matches any short-option cluster holding r: -rf, -fr, -rfv, -r -f. Deleting node_modules
    # or build/ is still a recursive delete; a user who does it often can exclude the rule.
    ("Bash(rm -r:*)", RECURSIVE_DELETE, "deletes a whole tree; there is no undo"),
    ("Bash(rm -R:*)", RECURSIVE_DELETE, "deletes a whole tree; there is no undo"),
    ("Bash(rm --recursive:*)", RECURSIVE_DELETE, "deletes a whole tree; there is no undo"),
    ("Bash(find * -delete:*)", RECURSIVE_DELETE, "deletes every file the search finds"),
    ("Bash(git clean -f:*)", RECURSIVE_DELETE, "deletes untracked files, which git cannot bring back"),
    ("Bash(kubectl apply:*)", DEPLOY, "changes a live cluster"),
    ("Bash(terraform apply:*)", DEPLOY, "changes live infrastructure"),
    ("Bash(terraform destroy:*)", DEPLOY, "tears down live infrastructure"),
    ("Bash(helm upgrade:*)", DEPLOY, "changes a release on a live cluster"),
    ("Bash(helm install:*)", DEPLOY, "installs a release on a live cluster"),
    ("Bash(fly deploy:*)", DEPLOY, "deploys to production"),
    ("Bash(flyctl deploy:*)", DEPLOY, "deploys to production"),
    ("Bash(vercel --prod:*)", DEPLOY, "deploys to production"),
    ("Bash(docker push:*)", DEPLOY, "publishes an image others pull"),
    ("Bash(gh release create:*)", DEPLOY, "publishes a release"),
    # Registries never let a version number be reused: a bad publish cannot be taken back.
    ("Bash(npm publish:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(pnpm publish:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(yarn publish:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(cargo publish:*)", DEPLOY, "publishes a crate version for good"),
    ("Bash(twine upload:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(uv publish:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(poetry publish:*)", DEPLOY, "publishes a package version for good"),
    ("Bash(alembic upgrade:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(alembic downgrade:*)", DB_MIGRATION, "changes a database schema, possibly dropping data"),
    ("Bash(rails db:migrate:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(rake db:migrate:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(prisma migrate deploy:*)", DB_MIGRATION, "applies migrations to a database"),
    ("Bash(prisma migrate reset:*)", DB_MIGRATION, "drops and recreates the database"),
    ("Bash(prisma db push:*)", DB_MIGRATION, "changes a database schema without a migration"),
    ("Bash(manage.py migrate:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(django-admin migrate:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(flask db upgrade:*)", DB_MIGRATION, "changes a database schema"),
    ("Bash(psql *DROP*)", DB_MIGRATION, "drops database objects and their data"),
    ("Bash(psql *drop*)", DB_MIGRATION, "drops database objects and their data"),
    ("Edit(.github/**)", CI_CONFIG, "CI workflows run with the repository's secrets"),
    ("Edit(.gitlab-ci.yml)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(.circleci/**)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(.buildkite/**)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(Jenkinsfile)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    # The files that decide what is guarded and what runs: an agent changing them changes its own leash.
    ("Edit(./cockpit.toml)", GUARD_SETTINGS, "cockpit's gates and critical steps for this repository"),
    ("Edit(./.claude/settings*.json)", GUARD_SETTINGS, "Claude Code's hooks and permissions for this repository"),
    ("Edit(./.codex/**)", GUARD_SETTINGS, "Codex's hooks and settings for this repository"),
    ("Edit(./.pre-commit-config.yaml)", GUARD_SETTINGS, "the checks every commit runs"),
    ("Edit(.git/**)", GIT_INTERNALS, "git hooks and config live here; changing them can switch off the commit gate"),
    ("Write(**/.env*)", SECRETS_FILE, "environment files hold credentials"),
    ("Write(**/*.pem)", SECRETS_FILE, "certificates and private keys"),
    ("Write(**/*.key)", SECRETS_FILE, "private keys"),
    ("Write(**/id_rsa*)", SECRETS_FILE, "SSH keys"),
    ("Write(**/id_ed25519*)", SECRETS_FILE, "SSH keys"),
    ("Write(**/.aws/credentials)", SECRETS_FILE, "cloud credentials"),
    ("Write(**/secrets.*)", SECRETS_FILE, "files named secrets usually hold them"),
    (OUTSIDE_REPO_RULE, OUTSIDE_REPO, "changes a file outside the repository, where git cannot undo it"),
)


class RuleError(ValueError):
    """A rule that cannot be parsed; the message names the rule and says why."""


@dataclass(frozen=True, slots=True)
class Rule:
    text: str  # canonical rule text, e.g. "Bash(git push:*)"
    tool: str
    kind: str  # "tool", "command", "path", "domain" or "outside-repo"
    category: str = CUSTOM
    reason: str = ""
    names: tuple[str, ...] = ()  # command: leading words the command must start with
    args: tuple[str, ...] = ()  # command: words that must appear among the arguments
    prefix: bool = False  # command: more words may follow
    wildcard: str = ""  # command: regex source of a Claude-style wildcard over the whole command
    anchor: str = ""  # path: "abs", "home", "root" or "root-or-abs"
    glob: str = ""  # path: gitignore-style pattern below the anchor
    domain: str = ""
    literal: str = ""  # text every match contains: a cheap check before compiling a regex


@dataclass(frozen=True, slots=True)
class Match:
    rule: str  # the rule's text
    category: str  # e.g. "force push"
    reason: str  # why the rule exists
    summary: str  # one line: the command, or "Edit src/app.py"
    detail: str  # what matched: the simple command or the resolved path
    tool_name: str


@dataclass(frozen=True, slots=True)
class Policy:
    rules: tuple[Rule, ...] = ()
    on_no_cockpit: str = "ask"
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    mode: str = "extend"
    errors: tuple[str, ...] = field(default=())

    def match(self, tool_name: str, tool_input: Any, cwd: str | os.PathLike[str] | None = None,
              repo_root: str | os.PathLike[str] | None = None) -> Match | None:
        """The first rule the call matches. Relative paths resolve against `cwd`, relative
        patterns against `repo_root` (else `cwd`)."""
        return _match(self.rules, tool_name, tool_input, cwd, repo_root)


def rule_key(match: Match) -> str:
    """Stable key for "allow this rule for the rest of the session": the canonical rule text."""
    return match.rule


def match(tool_name: str, tool_input: Any, cwd: str | os.PathLike[str] | None = None,
          repo_root: str | os.PathLike[str] | None = None, *, policy: Policy | None = None) -> Match | None:
    """`Policy.match` on `policy`, by default the shipped default policy."""
    return (policy or default_policy()).match(tool_name, tool_input, cwd, repo_root)


# ---------------------------------------------------------------------------------------------
# Rule parsing

_TOOL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*(?:__\*)?")
_KNOWN_LOWER = {tool.lower(): tool for tool in _KNOWN_TOOLS}


def parse_rule(text: Any, category: str | None = None, reason: str = "") -> Rule:
    """One rule from its text; raises RuleError with the rule and the reason it is malformed.
    A rule without a category takes the default rule's category and reason when it is one."""
    rule = _parse(text)
    default = _DEFAULT_CATEGORIES.get(rule.text)
    if category is None and default:
        return replace(rule, category=default[0], reason=reason or default[1])
    return replace(rule, category=category or CUSTOM, reason=reason or (default[1] if default else ""))


def _parse(text: Any) -> Rule:
    if not isinstance(text, str):
        raise RuleError(f"rule {text!r}: a rule must be a string")
    raw = text.strip()
    if not raw:
        raise RuleError("rule '': empty rule")
    if "(" in raw:
        tool, content = raw.split("(", 1)
        tool = tool.strip()
        if not content.endswith(")"):
            raise RuleError(f"rule {raw!r}: missing closing ')' at the end")
        content = content[:-1].strip()
    elif ")" in raw:
        raise RuleError(f"rule {raw!r}: ')' without '('")
    else:
        tool, content = raw, None
    if not _TOOL_NAME.fullmatch(tool):
        raise RuleError(f"rule {raw!r}: {tool!r} is not a tool name")
    known = _KNOWN_LOWER.get(tool.lower())
    if known is not None and known != tool:
        raise RuleError(f"rule {raw!r}: tool names are case-sensitive; did you mean {known!r}?")
    if content is None or (content == "*" and tool in SHELL_TOOLS):
        return Rule(text=tool, tool=tool, kind="tool")
    if not content:
        raise RuleError(f"rule {raw!r}: empty parentheses; write the bare tool name to match every call")
    if tool.startswith("mcp__"):
        raise RuleError(f"rule {raw!r}: MCP rules take no parentheses (mcp__server or mcp__server__tool)")
    if tool in SHELL_TOOLS:
        return _command_rule(raw, tool, content)
    if tool in EDIT_TOOLS and content == "outside-repo":
        return Rule(text=f"{tool}(outside-repo)", tool=tool, kind="outside-repo")
    if tool in EDIT_TOOLS or tool in READ_TOOLS:
        return _path_rule(raw, tool, content)
    if tool == "WebFetch":
        host = content[len("domain:"):].strip().lower() if content.startswith("domain:") else ""
        if not host or any(ch in host for ch in " /:@?#"):
            raise RuleError(f"rule {raw!r}: WebFetch rules take domain:HOST, e.g. WebFetch(domain:example.com)")
        return Rule(text=f"WebFetch(domain:{host})", tool=tool, kind="domain", domain=host.removeprefix("*."))
    raise RuleError(f"rule {raw!r}: cockpit cannot match the content of {tool} rules; use the bare name {tool!r}")


def _command_rule(raw: str, tool: str, content: str) -> Rule:
    text = " ".join(content.split())
    canonical = f"{tool}({text})"
    if text == ":*":
        raise RuleError(f"rule {raw!r}: nothing before the ':*'")
    prefix = False
    if text.endswith(":*") and len(text) > 2 and text[-3] != " ":
        text, prefix = text[:-2].rstrip(), True
    words = text.split(" ")
    if words[-1] == "*":
        words.pop()
        prefix = True
    if not words or not words[0]:
        raise RuleError(f"rule {raw!r}: nothing before the ':*'")
    for word in words:
        if word.endswith(":*") and word != ":*":
            raise RuleError(f"rule {raw!r}: ':*' may only end the rule (\"followed by anything\")")
    star = "*" in words
    if not prefix and not star:
        if any("*" in word for word in words):
            parts = text.split("*")
            return Rule(text=canonical, tool=tool, kind="command",
                        wildcard=".*".join(re.escape(part) for part in parts), literal=max(parts, key=len))
        return Rule(text=canonical, tool=tool, kind="command", names=tuple(words))
    names: list[str] = []
    for word in words:
        if word.startswith("-") or "*" in word:
            break
        names.append(word)
    args = tuple(word for word in words[len(names):] if word != "*")
    return Rule(text=canonical, tool=tool, kind="command", names=tuple(names), args=args, prefix=True)


def _path_rule(raw: str, tool: str, content: str) -> Rule:
    pattern = content
    if pattern.startswith("//"):
        anchor, glob = "abs", pattern.lstrip("/")
    elif pattern == "~" or pattern.startswith("~/"):
        anchor, glob = "home", pattern[2:]
    elif pattern.startswith("~"):
        raise RuleError(f"rule {raw!r}: only ~/ (your own home) is understood, not ~user")
    elif pattern.startswith("/"):
        anchor, glob = "root-or-abs", pattern.lstrip("/")
    elif pattern.startswith("./"):
        anchor, glob = "root", pattern[2:]
    else:
        anchor, glob = "root", pattern
        if "/" not in glob.rstrip("/") and glob != "**":
            glob = "**/" + glob  # no slash: any depth, as in .gitignore
    if "\x00" in glob:
        raise RuleError(f"rule {raw!r}: a path cannot contain NUL")
    literal = "" if "[" in glob or "\\" in glob else max(glob.replace("*", "/").replace("?", "/").split("/"), key=len)
    return Rule(text=f"{tool}({content})", tool=tool, kind="path", anchor=anchor, glob=glob, literal=literal)


DEFAULT_RULES: tuple[Rule, ...] = tuple(replace(_parse(text), category=cat, reason=why) for text, cat, why in _DEFAULTS)
_DEFAULT_CATEGORIES: dict[str, tuple[str, str]] = {rule.text: (rule.category, rule.reason) for rule in DEFAULT_RULES}


# ---------------------------------------------------------------------------------------------
# Matching

_REGEX_CACHE: dict[str, re.Pattern[str]] = {}
_GLOB_CACHE: dict[str, re.Pattern[str]] = {}
_URL_HOST = r"[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)"


def _compiled(source: str) -> re.Pattern[str]:
    rx = _REGEX_CACHE.get(source)
    if rx is None:
        rx = _REGEX_CACHE[source] = re.compile(source, re.S)
    return rx


def _word_glob(pattern: str) -> re.Pattern[str]:
    return _compiled(".*".join(re.escape(part) for part in pattern.split("*")))


def _glob_regex(glob: str) -> re.Pattern[str]:
    """gitignore-style glob -> regex over a '/'-separated relative path."""
    rx = _GLOB_CACHE.get(glob)
    if rx is None:
        rx = _GLOB_CACHE[glob] = _compiled(_glob_source(glob))
    return rx


def _glob_source(glob: str) -> str:
    glob = glob.strip("/")
    if not glob or glob == "**":
        return ".*"
    out: list[str] = []
    parts = glob.split("/")
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            out.append(".*" if last else "(?:.*/)?")
        else:
            out.append(_segment_regex(part) + ("" if last else "/"))
    return "".join(out) + "(?:/.*)?"


def _segment_regex(part: str) -> str:
    out: list[str] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            out.append("[^/]*")
        elif ch == "?":
            out.append("[^/]")
        elif ch == "[" and "]" in part[i + 2 :]:
            j = part.index("]", i + 2)
            body = part[i + 1 : j].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            i = j
        elif ch == "\\" and i + 1 < len(part):
            i += 1
            out.append(re.escape(part[i]))
        else:
            out.append(re.escape(ch))
        i += 1
    return "".join(out)


def _program_key(word: str) -> str:
    """What a program word is indexed by: its basename without an npx-style @version."""
    base = _basename(word)
    return base.split("@", 1)[0] if "@" in base[1:] else base


def _program_matches(pattern: str, word: str) -> bool:
    if pattern == word:
        return True
    if "/" in pattern:
        return os.path.normpath(pattern) == os.path.normpath(word)
    base = _basename(word)
    return base == pattern or _program_key(base) == pattern


def _command_matches(rule: Rule, view: tuple[str, ...]) -> bool:
    if rule.wildcard:
        line = " ".join(view)
        if rule.literal not in line:
            return False
        rx = _compiled(rule.wildcard)
        if rx.fullmatch(line):
            return True
        return "/" in view[0] and rx.fullmatch(" ".join((_basename(view[0]), *view[1:]))) is not None
    names = rule.names
    if len(view) < len(names) or (not rule.prefix and len(view) != len(names)):
        return False
    if names and (not _program_matches(names[0], view[0]) or view[1 : len(names)] != names[1:]):
        return False
    if not rule.args:
        return True
    rest = view[len(names):]
    options = rest[: rest.index("--")] if "--" in rest else rest
    letters = {ch for w in options if w[:1] == "-" and w[1:2] != "-" and w[1:].isalpha() for ch in w[1:]}
    for arg in rule.args:
        if arg.startswith("--"):
            if not any(w == arg or w.startswith(arg + "=") for w in options):
                return False
        elif arg[:1] == "-" and 2 <= len(arg) <= 4 and arg[1:].isalpha():
            if not set(arg[1:]) <= letters:
                return False
        elif "*" in arg:
            rx = _word_glob(arg)
            if not any(rx.fullmatch(w) for w in rest):
                return False
        elif arg not in rest:
            return False
    return True


def _norm(path: str) -> str:
    path = os.path.normpath(path)
    return "/" + path.lstrip("/") if path.startswith("//") else path


def _relative(path: str, base: str) -> str | None:
    """`path` below `base` ("" for base itself), or None when it is outside."""
    if base == "/":
        return path[1:] if path.startswith("/") else None
    if path == base:
        return ""
    return path[len(base) + 1 :] if path.startswith(base + "/") else None


def _resolve(path: str, base: str | None) -> str:
    """Absolute normalised path when it can be known; a normalised relative one otherwise."""
    path = os.path.expanduser(path)
    if not os.path.isabs(path) and base:
        path = os.path.join(base, path)
    return _norm(path)


def _path_of(tool_name: str, tool_input: Mapping[str, Any], cwd: str | None) -> str | None:
    if tool_name in ("NotebookEdit", "NotebookRead"):
        keys: tuple[str, ...] = ("notebook_path", "file_path")
    elif tool_name in _DIRECTORY_TOOLS:
        keys = ("path",)
    else:
        keys = ("file_path", "path")
    for key in keys:
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return value
    return cwd if tool_name in _DIRECTORY_TOOLS else None


def _path_matches(rule: Rule, path: str, root: str | None, home: str) -> bool:
    if rule.literal not in path:
        return False
    rx = _glob_regex(rule.glob)
    candidates: list[str | None] = []
    if rule.anchor in ("root", "root-or-abs"):
        if root:
            candidates.append(_relative(path, root))
        elif not path.startswith("/"):
            candidates.append(path)
    if rule.anchor in ("abs", "root-or-abs"):
        candidates.append(_relative(path, "/"))
    if rule.anchor == "home":
        candidates.append(_relative(path, home))
    return any(rel is not None and rx.fullmatch(rel) for rel in candidates)


def _covers(rule_tool: str, tool_name: str) -> bool:
    if rule_tool == tool_name:
        return True
    if rule_tool.startswith("mcp__"):
        if rule_tool.endswith("__*"):
            return tool_name.startswith(rule_tool[:-1])
        return rule_tool.count("__") == 1 and tool_name.startswith(rule_tool + "__")
    return tool_name in _FAMILY.get(rule_tool, ())


def _command_of(tool_input: Mapping[str, Any]) -> str | list[str] | None:
    for key in ("command", "cmd"):
        value = tool_input.get(key)
        if isinstance(value, str) or (isinstance(value, list) and value):
            return value
    return None


def _text(value: Any) -> str | None:
    if not isinstance(value, str | os.PathLike):
        return None
    text = os.fspath(value)
    return _norm(os.path.expanduser(text)) if isinstance(text, str) and text else None


def _match(rules: tuple[Rule, ...], tool_name: Any, tool_input: Any, cwd_in: Any, root_in: Any) -> Match | None:
    if not isinstance(tool_name, str) or not tool_name or not rules:
        return None
    tool_input = tool_input if isinstance(tool_input, Mapping) else {}
    cwd, root = _text(cwd_in), _text(root_in)
    root = root or cwd
    if root and not root.startswith("/"):
        root = _norm(os.path.join(cwd, root)) if cwd and cwd.startswith("/") else None
    views: list[tuple[str, ...]] | None = None
    programs: set[str] = set()
    path: str | None = None
    path_known = False
    home = ""
    for rule in rules:
        if not _covers(rule.tool, tool_name):
            continue
        if rule.kind == "tool":
            return _found(rule, tool_name, tool_input, cwd, root, "")
        if rule.kind == "command":
            if views is None:
                command = _command_of(tool_input)
                views = split_commands(command) if command is not None else []
                programs = {_program_key(view[0]) for view in views}
            if rule.names and _program_key(rule.names[0]) not in programs:
                continue
            for view in views:
                if _command_matches(rule, view):
                    return _found(rule, tool_name, tool_input, cwd, root, " ".join(view))
            continue
        if rule.kind == "domain":
            url = tool_input.get("url")
            m = _compiled(_URL_HOST).match(url) if isinstance(url, str) else None
            host = m.group(1).lower().rstrip(".") if m else ""
            if host and (host == rule.domain or host.endswith("." + rule.domain)):
                return _found(rule, tool_name, tool_input, cwd, root, host)
            continue
        if not path_known:
            raw = _path_of(tool_name, tool_input, cwd)
            path = _resolve(raw, cwd or root) if raw else None
            path_known = True
        if path is None:
            continue
        if rule.kind == "outside-repo":
            if root and path.startswith("/") and _relative(path, root) is None:
                return _found(rule, tool_name, tool_input, cwd, root, path)
            continue
        home = home or _norm(os.path.expanduser("~"))
        # A search reads what is inside its directory: test a stand-in child too.
        searched = (path, path + "/\x00") if tool_name in _DIRECTORY_TOOLS else (path,)
        if any(_path_matches(rule, p, root, home) for p in searched):
            return _found(rule, tool_name, tool_input, cwd, root, path)
    return None


def _found(rule: Rule, tool_name: str, tool_input: Mapping[str, Any], cwd: str | None, root: str | None,
           detail: str) -> Match:
    return Match(rule=rule.text, category=rule.category, reason=rule.reason,
                 summary=summarize(tool_name, tool_input, cwd, root), detail=one_line(detail, 500),
                 tool_name=tool_name)


def summarize(tool_name: str, tool_input: Any, cwd: str | os.PathLike[str] | None = None,
              repo_root: str | os.PathLike[str] | None = None) -> str:
    """One display line for a tool call: the command, "Edit path/in/repo", "WebFetch URL", ..."""
    tool_input = tool_input if isinstance(tool_input, Mapping) else {}
    name = tool_name if isinstance(tool_name, str) else ""
    command = _command_of(tool_input)
    if command is not None:
        if isinstance(command, list):
            argv = [str(w) for w in command]
            shell_c = len(argv) >= 3 and _basename(argv[0]) in SHELLS and argv[1].startswith("-") and "c" in argv[1]
            command = argv[2] if shell_c else " ".join(argv)
        return one_line(command)
    cwd_text, root_text = _text(cwd), _text(repo_root)
    raw = _path_of(name, tool_input, None)
    if raw:
        path = _resolve(raw, cwd_text or root_text)
        base = root_text or cwd_text
        rel = _relative(path, base) if base else None
        if not rel:
            home = _norm(os.path.expanduser("~"))
            below_home = _relative(path, home)
            rel = "~/" + below_home if below_home else path
        return one_line(f"{name} {rel}")
    for key in ("url", "pattern", "query", "prompt", "description"):
        value = tool_input.get(key)
        if isinstance(value, str) and value:
            return one_line(f"{name} {value}")
    return one_line(name)


# ---------------------------------------------------------------------------------------------
# Configuration

_DEFAULT_POLICY = Policy(rules=DEFAULT_RULES)


def default_policy() -> Policy:
    """The shipped critical set, `ask` when no cockpit answers, a 600 s wait."""
    return _DEFAULT_POLICY


def policy_from_config(table: Any, source: str = "[approvals]") -> Policy:
    """A Policy from the parsed `approvals` TOML table. Bad entries become error strings (each
    prefixed by `source`) and are skipped; everything else still applies."""
    if table is None:
        return _DEFAULT_POLICY
    if not isinstance(table, Mapping):
        return replace(_DEFAULT_POLICY, errors=(f"{source}: must be a table, not {type(table).__name__}",))
    errors: list[str] = []
    for key in table:
        if key not in CONFIG_KEYS:
            errors.append(f"{source}: unknown key {key!r} (known: {', '.join(CONFIG_KEYS)})")

    mode = table.get("mode", "extend")
    if mode not in MODES:
        errors.append(f"{source}: mode must be \"extend\" or \"replace\", not {mode!r}; using \"extend\"")
        mode = "extend"

    on_no_cockpit = table.get("on_no_cockpit", "ask")
    if on_no_cockpit not in ON_NO_COCKPIT_CHOICES:
        errors.append(f"{source}: on_no_cockpit must be \"ask\" or \"deny\", not {on_no_cockpit!r}; using \"ask\"")
        on_no_cockpit = "ask"

    timeout: Any = table.get("timeout_seconds", DEFAULT_TIMEOUT_SECONDS)
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not (
        MIN_TIMEOUT_SECONDS < timeout < float("inf")
    ):
        errors.append(f"{source}: timeout_seconds must be a number of seconds above {MIN_TIMEOUT_SECONDS:g},"
                      f" not {timeout!r}; using {DEFAULT_TIMEOUT_SECONDS:g}")
        timeout = DEFAULT_TIMEOUT_SECONDS

    excluded: set[str] = set()
    exclude = table.get("exclude", [])
    if not isinstance(exclude, list):
        errors.append(f"{source}: exclude must be a list of rule texts")
        exclude = []
    default_texts = {rule.text for rule in DEFAULT_RULES}
    for index, entry in enumerate(exclude):
        text = _canonical_text(entry)
        if text is None or text not in default_texts:
            errors.append(f"{source}: exclude[{index}] {entry!r} is not a default rule; nothing excluded")
        else:
            excluded.add(text)
    if exclude and mode == "replace":
        errors.append(f"{source}: exclude has no effect with mode = \"replace\"")

    rules: list[Rule] = [r for r in DEFAULT_RULES if r.text not in excluded] if mode == "extend" else []
    entries = table.get("rules", [])
    if not isinstance(entries, list):
        errors.append(f"{source}: rules must be a list")
        entries = []
    for index, entry in enumerate(entries):
        try:
            rule = _rule_from_entry(entry)
        except RuleError as exc:
            errors.append(f"{source}: rules[{index}]: {exc}")
            continue
        same = next((k for k, existing in enumerate(rules) if existing.text == rule.text), None)
        if same is None:
            rules.append(rule)
        elif isinstance(entry, Mapping):
            rules[same] = rule  # a table entry renames or re-explains a rule already present
    return Policy(rules=tuple(rules), on_no_cockpit=on_no_cockpit, timeout_seconds=float(timeout), mode=mode,
                  errors=tuple(errors))


def _canonical_text(entry: Any) -> str | None:
    try:
        return _parse(entry).text
    except RuleError:
        return None


def _rule_from_entry(entry: Any) -> Rule:
    """A `rules` entry: a rule string, or a table {rule = "...", name = "...", reason = "..."}."""
    if not isinstance(entry, Mapping):
        return parse_rule(entry)
    text, name, reason = entry.get("rule"), entry.get("name"), entry.get("reason", "")
    if not isinstance(name, str | None) or not isinstance(reason, str):
        raise RuleError(f"rule {text!r}: name and reason must be strings")
    if unknown := sorted(set(entry) - {"rule", "name", "reason"}):
        raise RuleError(f"rule {text!r}: unknown keys {unknown} (known: rule, name, reason)")
    return parse_rule(text, name or None, reason)


_TOML_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)")


def load_policy_file(path: Path | None) -> Policy:
    """The policy in `cockpit.toml` ([approvals]) or `pyproject.toml` ([tool.cockpit.approvals]).
    No file gives the defaults; an unreadable or invalid file gives the defaults plus an error."""
    if path is None:
        return _DEFAULT_POLICY
    try:
        with open(os.fspath(path), encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return _DEFAULT_POLICY
    except (OSError, UnicodeDecodeError) as exc:
        return replace(_DEFAULT_POLICY, errors=(f"{path}: cannot read ({exc}); using the default policy",))
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        position = _TOML_POSITION.search(message)
        where = f" on line {position.group(1)}, column {position.group(2)}" if position else ""
        what = _TOML_POSITION.sub("", message)
        return replace(_DEFAULT_POLICY,
                       errors=(f"{path}: TOML syntax error{where}: {what}; using the default policy",))
    if os.path.basename(os.fspath(path)) == "pyproject.toml":
        tool = data.get("tool")
        cockpit = tool.get("cockpit") if isinstance(tool, dict) else None
        table = cockpit.get("approvals") if isinstance(cockpit, dict) else None
        return policy_from_config(table, f"{path} [tool.cockpit.approvals]")
    return policy_from_config(data.get("approvals"), f"{path} [approvals]")
