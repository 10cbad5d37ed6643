"""Critical-step policies: Claude Code permission rules matched against the tool calls a hook sees.

A rule is written in Claude Code's permission-rule syntax: `Bash(git push:*)`, `Bash(npm run deploy)`,
`Bash`, `Edit(.github/**)`, `Write(**/.env*)`, `Read(~/.ssh/**)`, `WebFetch(domain:example.com)`,
`mcp__server__tool`. `Policy.match` returns the first rule a call matches, or None.

Bash rules are matched against every simple command the shell text runs, as
`cockpit.core.shellwords.read_commands` reads it: inside command and process substitutions (quoted
or not), here-documents and strings a shell reads as its script, `bash -c`, `eval`, `find -exec`,
function bodies and every compound command; through wrappers (`sudo`, `env`, `xargs`, `timeout`,
`nohup`, `npx`, `uv run`, `python -m`, ...) and global options that come before a sub-command (`git -C
dir`, `terraform -chdir=x`, `kubectl --context c`, ...). Quoted text that is only an argument
(`echo 'git push'`, a quoted here-document) is never a command.

A command whose program word is only known when it runs (`$G push`, `$(echo git) push`, `"$G"`) is
dynamic: it matches a rule when its arguments match the rule's words after the program (`$G push
--force` matches `Bash(git push --force:*)`); written letters still count (`n$X` may be `npm`, `x$Y`
may not). A sub-command word only known at run time matches any rule word (`git $OP`). Such matches
are tried after every rule has been tried on the words as written, so a command also read with its
value filled in is named by what it literally runs. `Bash(unreadable)` is a built-in rule: shell text
that cannot be read safely (an unterminated quote or substitution, nesting past the reader's limits,
a shell or `eval` running code only known at run time such as `curl … | sh`); its match's detail
says why.

Bash pattern semantics:
- no `*` and no trailing `:*`: the command's words equal the pattern's words (`Bash(npm run deploy)`);
- a trailing `:*` (or a trailing ` *`) means "followed by anything": the leading plain words must
  start the command (the program compared by its basename, so `/usr/bin/git` is `git`) and every
  later pattern word must appear somewhere among the command's arguments. An option cluster of one
  to three letters (`-r`, `-rf`) matches when the command's short options hold all its letters in
  any order (`-fr`, `-rfv`, `-r -f`); `--long` also matches `--long=value` and a shortened `--lo`
  (getopt_long and git accept unambiguous prefixes); a word with `*` is a glob over one argument
  (`+*`). This never matches less than a plain prefix match would;
- a standalone `*` word means "any words here" and implies the same argument matching
  (`Bash(git push * :*)`: a `:ref` argument; a whole-word `:*` is a glob, not the prefix marker);
- any other `*` (`Bash(ls*)`, `Bash(psql *DROP*)`) is Claude Code's wildcard over the whole command.
Every `*`, in command and path rules alike, is matched without backtracking (leftmost-first search
of each literal piece in turn; a table of glob segments against path segments), so a rule's cost
grows with the length of the text times the length of the rule, never exponentially.

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

from cockpit.core.shellwords import SHELLS, Reading, read_commands
from cockpit.core.shellwords import basename as _basename
from cockpit.core.shellwords import split_commands as split_commands  # part of this module's interface
from cockpit.core.text import one_line
from cockpit.core.tools import EDIT_TOOLS, PATCH_TOOLS, READ_TOOLS, SHELL_TOOLS

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
UNREADABLE = "unreadable command"
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
    ("Bash(docker image push:*)", DEPLOY, "publishes an image others pull"),
    ("Bash(docker build --push:*)", DEPLOY, "publishes the image it builds"),
    ("Bash(docker buildx build --push:*)", DEPLOY, "publishes the image it builds"),
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
    ("Bash(unreadable)", UNREADABLE, "the command could not be read safely, so what it runs is unknown"),
    ("Edit(.github/**)", CI_CONFIG, "CI workflows run with the repository's secrets"),
    ("Edit(.gitlab-ci.yml)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(.circleci/**)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(.buildkite/**)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    ("Edit(Jenkinsfile)", CI_CONFIG, "CI pipelines run with the repository's secrets"),
    # The files that decide what is guarded and what runs: an agent changing them changes its own leash.
    ("Edit(./cockpit.toml)", GUARD_SETTINGS, "cockpit's gates and critical steps for this repository"),
    ("Edit(./pyproject.toml mentions cockpit)", GUARD_SETTINGS,
     "[tool.cockpit]: cockpit's gates and critical steps for this repository"),
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
    kind: str  # "tool", "command", "unreadable", "path", "domain" or "outside-repo"
    category: str = CUSTOM
    reason: str = ""
    names: tuple[str, ...] = ()  # command: leading words the command must start with
    args: tuple[str, ...] = ()  # command: words that must appear among the arguments
    prefix: bool = False  # command: more words may follow
    wildcard: str = ""  # command: a Claude-style wildcard over the whole command, every `*` any text
    anchor: str = ""  # path: "abs", "home", "root" or "root-or-abs"
    glob: str = ""  # path: gitignore-style pattern below the anchor
    domain: str = ""
    literal: str = ""  # text every match contains: a cheap check before the full match
    mentions: str = ""  # path: only an edit whose new or replaced text holds this (lower-case) word


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
    if tool in SHELL_TOOLS and content == "unreadable":
        return Rule(text=f"{tool}(unreadable)", tool=tool, kind="unreadable")
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
            return Rule(text=canonical, tool=tool, kind="command", wildcard=text, literal=max(parts, key=len))
        return Rule(text=canonical, tool=tool, kind="command", names=tuple(words))
    names: list[str] = []
    for word in words:
        if word.startswith("-") or "*" in word:
            break
        names.append(word)
    args = tuple(word for word in words[len(names):] if word != "*")
    return Rule(text=canonical, tool=tool, kind="command", names=tuple(names), args=args, prefix=True)


_MENTIONS = re.compile(r"(.+?)\s+mentions\s+(\S+)")


def _path_rule(raw: str, tool: str, content: str) -> Rule:
    mentioned = _MENTIONS.fullmatch(content) if tool in EDIT_TOOLS else None
    if mentioned:
        rule = _path_rule(raw, tool, mentioned.group(1))
        return replace(rule, text=f"{tool}({mentioned.group(1)} mentions {mentioned.group(2)})",
                       mentions=mentioned.group(2).lower())
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

_URL_HOST = r"[A-Za-z][A-Za-z0-9+.\-]*://(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)"
_REGEX_CACHE: dict[str, re.Pattern[str]] = {}
_PARTS_CACHE: dict[str, tuple[str, ...]] = {}
_NOTHING_READ = Reading((), "")
_SEGMENT_CACHE: dict[str, tuple[object, ...]] = {}
_STAR = object()
_ANY_CHAR = object()


def _compiled(source: str) -> re.Pattern[str]:
    rx = _REGEX_CACHE.get(source)
    if rx is None:
        rx = _REGEX_CACHE[source] = re.compile(source, re.S)
    return rx


def _star_parts(pattern: str) -> tuple[str, ...]:
    parts = _PARTS_CACHE.get(pattern)
    if parts is None:
        parts = _PARTS_CACHE[pattern] = tuple(pattern.split("*"))
    return parts


def _fits(parts: tuple[str, ...], text: str) -> bool:
    """Whether `text` matches the literal `parts` with any text between them (a `*` glob split on
    its stars): each middle part is found leftmost-first, which is never wrong for `*` and never
    backtracks, so the cost is at most len(text) times the number of parts."""
    first, last = parts[0], parts[-1]
    if len(parts) == 1:
        return text == first
    if len(text) < len(first) + len(last) or not text.startswith(first) or not text.endswith(last):
        return False
    pos, end = len(first), len(text) - len(last)
    for part in parts[1:-1]:
        found = text.find(part, pos, end)
        if found < 0:
            return False
        pos = found + len(part)
    return True


def _segment_tokens(part: str) -> tuple[object, ...]:
    """A path-glob segment as tokens: _STAR, _ANY_CHAR, a one-character class regex or a character."""
    tokens = _SEGMENT_CACHE.get(part)
    if tokens is not None:
        return tokens
    out: list[object] = []
    i = 0
    while i < len(part):
        ch = part[i]
        if ch == "*":
            if not out or out[-1] is not _STAR:
                out.append(_STAR)
        elif ch == "?":
            out.append(_ANY_CHAR)
        elif ch == "[" and "]" in part[i + 2 :]:
            j = part.index("]", i + 2)
            body = part[i + 1 : j].replace("\\", "\\\\")
            try:
                out.append(re.compile("[" + ("^" + body[1:] if body.startswith("!") else body) + "]"))
            except re.error:
                out.append(ch)
                j = i
            i = j
        elif ch == "\\" and i + 1 < len(part):
            i += 1
            out.append(part[i])
        else:
            out.append(ch)
        i += 1
    tokens = _SEGMENT_CACHE[part] = tuple(out)
    return tokens


def _segment_fits(part: str, name: str) -> bool:
    """One path segment against one glob segment: the two-pointer wildcard match, which goes back only
    to the last `*` seen, O(len(name) * len(part)) at worst."""
    tokens = _segment_tokens(part)
    p = t = 0
    star, mark = -1, 0
    while t < len(name):
        token = tokens[p] if p < len(tokens) else None
        if token is _STAR:
            star, mark = p, t
            p += 1
            continue
        if token is not None and (token is _ANY_CHAR or token == name[t] or (
                isinstance(token, re.Pattern) and token.match(name[t]) is not None)) and name[t] != "/":
            p += 1
            t += 1
        elif star >= 0:
            p, mark = star + 1, mark + 1
            t = mark
        else:
            return False
    return all(token is _STAR for token in tokens[p:])


def _path_fits(glob: str, path: str) -> bool:
    """A gitignore-style glob against a '/'-separated relative path: `**` any number of directories,
    a match of a leading part of the path covers everything below it. One pass over a table of
    (glob segment, path segment) pairs, so no pattern can make it slow."""
    glob = glob.strip("/")
    if not glob or glob == "**":
        return True
    parts, names = glob.split("/"), path.split("/")
    p_count, n_count = len(parts), len(names)
    # reach[k]: the glob's first `pi` segments can match the path's first k segments
    reach = [True] + [False] * n_count
    for pi, part in enumerate(parts):
        last = pi == p_count - 1
        following = [False] * (n_count + 1)
        if part == "**":
            if last:
                return any(reach[k] for k in range(n_count))
            seen = False
            for k in range(n_count + 1):
                seen = seen or reach[k]
                following[k] = seen
        else:
            for k in range(n_count):
                if reach[k] and _segment_fits(part, names[k]):
                    following[k + 1] = True
        reach = following
        if not any(reach):
            return False
    return True


def _program_key(word: str) -> str:
    """What a program word is indexed by: its basename without an npx-style @version."""
    base = _basename(word)
    return base.split("@", 1)[0] if "@" in base[1:] else base


def _program_matches(pattern: str, word: str) -> bool:
    if type(word) is not str:  # shellwords.Unknown: only parts of it are known
        tail = word.parts[-1]  # type: ignore[attr-defined]
        if "/" in pattern:
            return _fits(word.parts, pattern)  # type: ignore[attr-defined]
        if "/" in tail:  # the basename is known text after the last unknown piece
            tail = _basename(tail)
            return tail == pattern or _program_key(tail) == pattern
        return pattern.endswith(tail)  # an unknown piece may hold a '/', so the basename can start in it
    if pattern == word:
        return True
    if "/" in pattern:
        return os.path.normpath(pattern) == os.path.normpath(word)
    base = _basename(word)
    return base == pattern or _program_key(base) == pattern


def _word_matches(name: str, word: str) -> bool:
    if type(word) is str:
        return word == name
    return _fits(word.parts, name)  # type: ignore[attr-defined]


def _abbreviates(option: str, long: str) -> bool:
    """Whether `option` is a shortened `long` option (`--forc` for `--force`), which getopt_long and
    git accept when no other option starts the same way."""
    name = option.partition("=")[0]
    return len(name) >= 3 and name.startswith("--") and long.startswith(name)


def _letters(option: str) -> str:
    """The letters of a short-option cluster (`-rf`), "" for any other word; in a cluster with a part
    only known at run time (`-r$X`), the letters that are written."""
    if type(option) is str:
        return option[1:] if option[1:].isalpha() else ""
    return "".join(ch for part in option.parts for ch in part if ch.isalpha())  # type: ignore[attr-defined]


def _command_matches(rule: Rule, view: tuple[str, ...], loose: bool) -> bool:
    """Whether a view of a simple command matches a command rule; `loose`: its words only known at
    run time may be whatever the rule needs, otherwise they are compared as written."""
    if not loose:
        view = tuple(str.__str__(w) if type(w) is not str else w for w in view)
    dynamic = type(view[0]) is not str
    if rule.wildcard:
        if dynamic:  # the rule's words after its program must match the arguments
            program, space, rest = rule.wildcard.partition(" ")
            if not space:
                return True
            if "*" not in program and not _program_matches(program, view[0]):
                return False
            return _fits(_star_parts(rest), " ".join(view[1:]))
        line = " ".join(view)
        if rule.literal not in line:
            return False
        parts = _star_parts(rule.wildcard)
        if _fits(parts, line):
            return True
        return "/" in view[0] and _fits(parts, " ".join((_basename(view[0]), *view[1:])))
    names = rule.names
    if len(view) < len(names) or (not rule.prefix and len(view) != len(names)):
        return False
    if names and not _program_matches(names[0], view[0]):
        return False
    if not all(_word_matches(names[k], view[k]) for k in range(1, len(names))):
        return False
    if not rule.args:
        return True
    rest = view[len(names):]
    options = rest[: rest.index("--")] if "--" in rest else rest
    letters = {ch for w in options if w[:1] == "-" and w[1:2] != "-" and _letters(w) for ch in _letters(w)}
    for arg in rule.args:
        if arg.startswith("--"):
            if not any(w == arg or w.startswith(arg + "=") or _abbreviates(w, arg) for w in options):
                return False
        elif arg[:1] == "-" and 2 <= len(arg) <= 4 and arg[1:].isalpha():
            if not set(arg[1:]) <= letters:
                return False
        elif "*" in arg:
            parts = _star_parts(arg)
            if not any(_fits(parts, w) for w in rest):
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


_PATCH_PATH = re.compile(r"^\*\*\* (?:Add File|Update File|Delete File|Move to): (.+?)\s*$", re.M)


def _patch_text(tool_input: Mapping[str, Any]) -> str:
    command = _command_of(tool_input)
    if isinstance(command, list):
        return "\n".join(w for w in command if isinstance(w, str))
    return command or ""


def _paths_of(tool_name: str, tool_input: Mapping[str, Any], cwd: str | None) -> list[str]:
    """Every file a call reads or changes: one for Claude's tools, each file of a Codex patch."""
    if tool_name in PATCH_TOOLS:
        return _PATCH_PATH.findall(_patch_text(tool_input))
    raw = _path_of(tool_name, tool_input, cwd)
    return [raw] if raw else []


def _edit_text(tool_input: Mapping[str, Any]) -> str:
    """The text an edit writes or replaces, lower-cased: what a `mentions` rule looks in."""
    parts: list[str] = []
    for key in ("old_string", "new_string", "content", "new_source", "command"):
        value = tool_input.get(key)
        if isinstance(value, str):
            parts.append(value)
    edits = tool_input.get("edits")
    for edit in edits if isinstance(edits, list) else ():
        if isinstance(edit, Mapping):
            parts.extend(v for k, v in edit.items() if k in ("old_string", "new_string") and isinstance(v, str))
    return "\n".join(parts).lower()


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
    return any(rel is not None and _path_fits(rule.glob, rel) for rel in candidates)


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
    reading: Reading | None = None
    programs: set[str] = set()
    paths: list[str] | None = None
    home = ""
    for rule in rules:
        if not _covers(rule.tool, tool_name):
            continue
        if rule.kind == "tool":
            return _found(rule, tool_name, tool_input, cwd, root, "")
        if rule.kind in ("command", "unreadable"):
            if reading is None:
                command = _command_of(tool_input)
                reading = read_commands(command) if command is not None else _NOTHING_READ
                programs = {_program_key(view[0]) for view in reading.commands}
            if rule.kind == "unreadable":
                if reading.unreadable:
                    return _found(rule, tool_name, tool_input, cwd, root, reading.unreadable)
                continue
            if rule.names and _program_key(rule.names[0]) not in programs:
                continue
            for view in reading.commands:
                if _command_matches(rule, view, False):
                    return _found(rule, tool_name, tool_input, cwd, root, " ".join(view))
            continue
        if rule.kind == "domain":
            url = tool_input.get("url")
            m = _compiled(_URL_HOST).match(url) if isinstance(url, str) else None
            host = m.group(1).lower().rstrip(".") if m else ""
            if host and (host == rule.domain or host.endswith("." + rule.domain)):
                return _found(rule, tool_name, tool_input, cwd, root, host)
            continue
        if paths is None:
            paths = [_resolve(raw, cwd or root) for raw in _paths_of(tool_name, tool_input, cwd)]
        for path in paths:
            if rule.kind == "outside-repo":
                if root and path.startswith("/") and _relative(path, root) is None:
                    return _found(rule, tool_name, tool_input, cwd, root, path)
                continue
            home = home or _norm(os.path.expanduser("~"))
            # A search reads what is inside its directory: test a stand-in child too.
            searched = (path, path + "/\x00") if tool_name in _DIRECTORY_TOOLS else (path,)
            if any(_path_matches(rule, p, root, home) for p in searched) and (
                not rule.mentions or rule.mentions in _edit_text(tool_input)
            ):
                return _found(rule, tool_name, tool_input, cwd, root, path)
    # Words only known at run time may be anything: matched after every literal reading, so a command
    # also read with its values filled in (`G=git; $G push`) is named by what it literally runs.
    unknown = [view for view in reading.commands if not all(type(w) is str for w in view)] if reading else []
    for rule in rules if unknown else ():
        if rule.kind == "command" and _covers(rule.tool, tool_name):
            for view in unknown:
                if _command_matches(rule, view, True):
                    return _found(rule, tool_name, tool_input, cwd, root, " ".join(view))
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
    if name in PATCH_TOOLS:
        files = _PATCH_PATH.findall(_patch_text(tool_input))
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        return one_line(f"{name} {shown or '(no file named)'}")
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
    for rule, entry in rule_entries(table, source, errors):
        same = next((k for k, existing in enumerate(rules) if existing.text == rule.text), None)
        if same is None:
            rules.append(rule)
        elif isinstance(entry, Mapping):
            rules[same] = rule  # a table entry renames or re-explains a rule already present
    return Policy(rules=tuple(rules), on_no_cockpit=on_no_cockpit, timeout_seconds=float(timeout), mode=mode,
                  errors=tuple(errors))


def rule_entries(table: Mapping[str, Any], source: str, errors: list[str]) -> list[tuple[Rule, Any]]:
    """The table's `rules`, parsed, each with its entry; a bad entry becomes an error line and is skipped."""
    entries = table.get("rules", [])
    if not isinstance(entries, list):
        errors.append(f"{source}: rules must be a list")
        return []
    parsed: list[tuple[Rule, Any]] = []
    for index, entry in enumerate(entries):
        try:
            parsed.append((_rule_from_entry(entry), entry))
        except RuleError as exc:
            errors.append(f"{source}: rules[{index}]: {exc}")
    return parsed


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
