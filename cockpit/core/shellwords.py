"""Shell command lines split into the simple commands they run, for matching permission rules.

A small tokenizer: quotes, escapes, redirections, comments, here-document bodies (never read as
commands), `;`, `&&`, `||`, `|`, `&`, subshell parentheses. Each simple command is also seen
through wrappers (env assignments, sudo, env, timeout, xargs, npx, uv run, python -m …) and inside
`bash -c`, `eval` and `find -exec`, so `cd x && sudo git push` still shows `git push`.
Stdlib only, like the rest of cockpit.core.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# ---------------------------------------------------------------------------------------------
# Shell command splitting

_PLAIN = re.compile(r"[^\s'\"\\;&|()<>`]+")
_DQ_BODY = re.compile(r'(?:[^"\\]|\\.)*', re.S)
_DQ_ESCAPE = re.compile(r'\\([\\"$`\n])')
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\+?=")
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?")
_KEYWORDS = frozenset({"if", "then", "else", "elif", "do", "while", "until", "!", "{", "}", "fi", "done", "esac"})
SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh"})
# Wrapper -> (its options that take a value, positional words before the wrapped command).
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "--user", "--group"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset(), 0),
    "command": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "xargs": (frozenset({"-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a"}), 0),
    "npx": (frozenset({"-p", "--package"}), 0),
    "pnpx": (frozenset({"-p", "--package"}), 0),
    "bunx": (frozenset({"-p", "--package"}), 0),
}
_RUNNERS = frozenset({("bundle", "exec"), ("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"),
                      ("pnpm", "exec"), ("pnpm", "dlx"), ("yarn", "dlx"), ("npm", "exec"), ("hatch", "run")})
_RUNNER_VALUE_OPTIONS = frozenset({"--with", "--python", "-p", "--env-file", "--directory", "--project",
                                   "--package", "--extra", "--group", "--from", "-C", "--filter", "-F"})
_GIT_VALUE_OPTIONS = frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env",
                                "--exec-path", "--super-prefix"})
_MAX_DEPTH = 4


def split_commands(command: str | Sequence[str]) -> list[tuple[str, ...]]:
    """Every simple command in a shell command line (or an argv list), as word tuples.

    A wrapped command appears twice, with and without its wrapper (`sudo rm -rf x` gives
    `("sudo", "rm", "-rf", "x")` and `("rm", "-rf", "x")`), so rules can name either."""
    if isinstance(command, str):
        return _views_of_script(command, 0)
    words = [w for w in command if isinstance(w, str)]
    return _views(words, 0) if words else []


def _views_of_script(script: str, depth: int) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for words in _lex(script):
        found.extend(_views(words, depth))
    return found


def _lex(script: str) -> list[list[str]]:
    """Shell words per simple command: quotes removed, escapes applied, operators split,
    redirections and comments dropped, here-document bodies skipped."""
    commands: list[list[str]] = []
    current: list[str] = []
    word: str | None = None
    pending = ""  # what the next complete word is: "" an argument, "drop" a redirect target, "heredoc"
    heredocs: list[str] = []

    def finish() -> None:
        nonlocal word, pending
        if word is None:
            return
        if pending == "heredoc":
            heredocs.append(word)
        elif pending != "drop":
            current.append(word)
        word, pending = None, ""

    def end_command() -> None:
        nonlocal current, pending
        finish()
        pending = ""
        if current:
            commands.append(current)
            current = []

    i, n = 0, len(script)
    while i < n:
        c = script[i]
        if c == "\n":
            end_command()
            i += 1
            if heredocs:
                i = _skip_heredoc_bodies(script, i, heredocs)
                heredocs.clear()
        elif c in " \t\r":
            finish()
            i += 1
        elif c == "#" and word is None:
            j = script.find("\n", i)
            i = n if j < 0 else j
        elif c == "\\":
            if i + 1 < n and script[i + 1] != "\n":
                word = (word or "") + script[i + 1]
            i += 2
        elif c == "'":
            j = script.find("'", i + 1)
            j = n if j < 0 else j
            word = (word or "") + script[i + 1 : j]
            i = j + 1
        elif c == '"':
            m = _DQ_BODY.match(script, i + 1)
            body = m.group() if m else ""
            if "\\" in body:
                body = _DQ_ESCAPE.sub(lambda e: "" if e.group(1) == "\n" else e.group(1), body)
            word = (word or "") + body
            i = (m.end() if m else i + 1) + 1
        elif c in "<>" or (c == "&" and script.startswith(">", i + 1)):
            if word is not None and word.isdigit():
                word = None  # the fd number of `2>`
            else:
                finish()
            j = i + 1 if c == "&" else i
            while j < n and script[j] in "<>":
                j += 1
            arrows = script[i:j].lstrip("&")
            if j < n and script[j] in "&|":
                j += 1
            if arrows == "<<":
                if j < n and script[j] == "-":
                    j += 1
                pending = "heredoc"
            else:
                pending = "drop"
            i = j
        elif c in ";&|()`":
            end_command()
            i += 2 if script[i : i + 2] in ("&&", "||", ";;", "|&") else 1
        else:
            m = _PLAIN.match(script, i)
            end = m.end() if m else i + 1
            word = (word or "") + script[i:end]
            i = end
    end_command()
    return commands


def _skip_heredoc_bodies(script: str, i: int, delimiters: list[str]) -> int:
    n = len(script)
    for delimiter in delimiters:
        while i < n:
            j = script.find("\n", i)
            end = n if j < 0 else j
            line = script[i:end]
            i = end + 1
            if line.strip() == delimiter:
                break
    return min(i, n)


def basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def _skip_options(words: list[str], i: int, with_value: frozenset[str]) -> int:
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        option = words[i]
        i += 1
        if option == "--":
            break
        if option in with_value:
            i += 1
    return i


def _views(words: list[str], depth: int) -> list[tuple[str, ...]]:
    """The simple command `words` as seen through its wrappers (outermost first)."""
    views: list[tuple[str, ...]] = []
    nested: list[tuple[str, ...]] = []
    i = 0
    while i < len(words):
        while i < len(words) and (_ASSIGNMENT.match(words[i]) or words[i] in _KEYWORDS):
            i += 1
        if i >= len(words):
            break
        name = basename(words[i])
        views.append(tuple(words[i:]))
        if name in _WRAPPERS:
            with_value, positional = _WRAPPERS[name]
            i = _skip_options(words, i + 1, with_value) + positional
            continue
        if i + 1 < len(words) and (name, words[i + 1]) in _RUNNERS:
            i = _skip_options(words, i + 2, _RUNNER_VALUE_OPTIONS)
            continue
        if _PYTHON.fullmatch(name):
            j = i + 1
            while j < len(words) and words[j].startswith("-") and words[j] not in ("-m", "-c", "-"):
                j += 2 if words[j] in ("-W", "-X") else 1
            if j < len(words) and words[j] == "-m" and j + 1 < len(words):
                i = j + 1
                continue
            if j < len(words) and words[j].endswith(".py"):
                i = j
                continue
            break
        if name in SHELLS and depth < _MAX_DEPTH:
            j, has_c = i + 1, False
            while j < len(words) and words[j].startswith("-") and words[j] != "-":
                if words[j] in ("-o", "-O", "--rcfile", "--init-file"):
                    j += 1
                elif not words[j].startswith("--") and "c" in words[j]:
                    has_c = True
                j += 1
            if has_c and j < len(words):
                nested.extend(_views_of_script(words[j], depth + 1))
            break
        if name == "eval" and depth < _MAX_DEPTH:
            nested.extend(_views_of_script(" ".join(words[i + 1 :]), depth + 1))
            break
        if name == "git" and i + 1 < len(words) and words[i + 1].startswith("-"):
            j = i + 1
            while j < len(words) and words[j].startswith("-"):
                j += 2 if words[j] in _GIT_VALUE_OPTIONS else 1
            views.append(("git", *words[j:]))
            break
        if name == "find" and depth < _MAX_DEPTH:
            nested.extend(_find_exec_views(words[i + 1 :], depth + 1))
        break
    return views + nested


def _find_exec_views(args: list[str], depth: int) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    i = 0
    while i < len(args):
        if args[i] in ("-exec", "-execdir", "-ok", "-okdir"):
            j = i + 1
            while j < len(args) and args[j] not in (";", "+"):
                j += 1
            found.extend(_views(args[i + 1 : j], depth))
            i = j
        i += 1
    return found
