"""Shell command lines read into the simple commands they run, for matching permission rules.

`read_commands` parses a command line as bash runs it and returns every simple command in it as a
tuple of words (quotes removed; escapes, `$'…'` and brace expansion applied), and whether the text
could be read safely. It reads:

- lists, pipelines, `&&`, `||`, `!`, subshells, `{ …; }`, `if`, `while`, `until`, `for`, `select`,
  `case`, `[[ … ]]`, `(( … ))`, `time` and `coproc`, and function bodies (called or not);
- command substitution `$(…)` and backticks, quoted or not and nested, process substitution
  `<(…)`/`>(…)`, parameter defaults `${x:-$(…)}`, arithmetic `$(( … ))`, redirection targets and
  unquoted here-document bodies; a quoted here-document (`<<'EOF'`) body is text, never commands,
  unless a shell reads it as its script;
- scripts that a command runs: `bash -c`, `eval`, `trap`, `alias` values (and later uses of the
  alias), `watch`, `ssh host …`, `su -c`, `npx -c`, `git submodule foreach`, git aliases and
  command-valued settings given with `-c` (`alias.x=…`, `core.pager=…`), variables a program runs
  (`GIT_SSH_COMMAND=…`, `BASH_ENV=<(…)`), a shell reading a here-document, a here-string, a process
  substitution, a pipe from `echo`/`printf`/`cat <<EOF`, or a file this same text wrote (`printf … >
  x.sh; bash x.sh`), `find -exec`, `xargs` (with its input when that is literal);
- wrappers (`sudo`, `env`, `timeout`, `nohup`, `xargs`, `npx`, `uv run`, `python -m`, a function
  this text defines, …): each gives one more view of the command without it, so `sudo git push` also
  shows `git push`; programs whose global options come before the sub-command (`git -C dir`,
  `terraform -chdir=x`, `kubectl --context c`, `helm -n ns`, `docker -H h`, …) give one more view
  without those options.

A word whose value is only known when the command runs (`$G`, `$(cmd)`, a glob) is an `Unknown`:
a str holding the word as written, with `parts`, the literal text around the unknown pieces. A value
is filled in where it is certain (a literal assignment made before, in the same shell, `$(echo git)`,
word splitting by a known IFS); the view with the `Unknown` is kept as well, since code this reading
cannot follow may change it.

A text is unreadable (`Reading.unreadable` says why) when it is not complete shell (an unterminated
quote or substitution, a missing `fi`), nests deeper than the limits below, or runs code that is only
known when it runs: `curl … | sh`, `eval "$(…)"`, `bash -c "$CMD"`, `curl -o x.sh …; bash x.sh`.

Stdlib only and no IO, like the rest of cockpit.core; every loop and recursion is bounded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

SHELLS = frozenset({"sh", "bash", "zsh", "dash", "ksh", "mksh", "ash", "yash", "rbash", "fish"})
MAX_NESTING = 32  # quotes, substitutions and compound commands inside one another
MAX_SCRIPTS = 8  # scripts run by scripts: `bash -c "eval '…'"`
MAX_WRAPPERS = 16  # wrappers around one command: `sudo env nohup …`
MAX_VIEWS = 5000
_MAX_ALTERNATIVES = 8  # a variable assigned several literal values gives one view per value
_MAX_BRACE_WORDS = 64
_MAX_BRACES = 16

# Patterns used on every command are compiled here; the others are strings, compiled on first use
# (re keeps them), so importing this module stays cheap for the hook.
_LITERAL = re.compile(r"[^ \t\r\n'\"\\$`<>();&|]+")
_DQ_LITERAL = re.compile(r'[^"\\$`]+')
_TEXT_LITERAL = re.compile(r"[^\\$`]+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PARAMETER = r"([A-Za-z_][A-Za-z0-9_]*)(\[[@*]\])?"
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\[[^\]]*\])?\+?=")
_REDIRECT = re.compile(r"<<<|<<-|<<|<>|<&|<|>>|>&|>\||>|&>>|&>")
_PLAIN_END = frozenset(" \t\r\n;&|)")
_WORDS_AHEAD = re.compile(r"((?:[ \t]*[^ \t\r\n;&|()<>'\"\\$`]+){0,3})[ \t]*(\(?)")
_FD = re.compile(r"[0-9]+|\{[A-Za-z_][A-Za-z0-9_]*\}")
_GLOB = r"\*|\?|\[[^\]]+\]"
_SPECIAL = re.compile(r"[*?\[{]")
_IFS = r"[ \t\n]+"
_PYTHON = re.compile(r"python(?:\d+(?:\.\d+)?)?")
_ECHO_FLAGS = r"-[neE]+"

_RESERVED = frozenset({"if", "then", "elif", "else", "fi", "while", "until", "for", "select", "do", "done",
                       "case", "esac", "{", "}", "[[", "function", "coproc", "!", "time"})
_CLOSERS = frozenset({"then", "elif", "else", "fi", "do", "done", "esac", "}"})
_NO_STOPS: frozenset[str] = frozenset()
_PAREN = frozenset({")"})
_THEN = frozenset({"then"})
_ELSE = frozenset({"elif", "else", "fi"})
_FI = frozenset({"fi"})
_DO = frozenset({"do"})
_DONE = frozenset({"done"})
_BRACE = frozenset({"}"})
_CASE_ITEM = frozenset({"esac", ";;", ";&", ";;&"})
_STDIN_OPS = frozenset({"<", "<<", "<<-", "<<<", "<&", "<>"})

# Wrapper -> (its options that take a value, positional words before the wrapped command).
_WRAPPERS: dict[str, tuple[frozenset[str], int]] = {
    "sudo": (frozenset({"-u", "-g", "-h", "-p", "-C", "-D", "-r", "-t", "-T", "-U", "--user", "--group", "--host",
                        "--prompt", "--chdir", "--role", "--type", "--close-from", "--other-user"}), 0),
    "doas": (frozenset({"-u", "-C"}), 0),
    "env": (frozenset({"-u", "-C", "--unset", "--chdir"}), 0),
    "nohup": (frozenset(), 0),
    "time": (frozenset({"-f", "-o", "--format", "--output"}), 0),
    "command": (frozenset(), 0),
    "builtin": (frozenset(), 0),
    "exec": (frozenset({"-a"}), 0),
    "nice": (frozenset({"-n", "--adjustment"}), 0),
    "ionice": (frozenset({"-c", "-n", "-p", "-P", "-u", "--class", "--classdata"}), 0),
    "stdbuf": (frozenset({"-i", "-o", "-e"}), 0),
    "timeout": (frozenset({"-s", "-k", "--signal", "--kill-after"}), 1),
    "xargs": (frozenset({"-I", "-L", "-n", "-P", "-s", "-d", "-E", "-a", "--max-args", "--max-procs",
                         "--delimiter", "--arg-file", "--max-lines", "--max-chars", "--eof"}), 0),
    "npx": (frozenset({"-p", "--package", "-c", "--call"}), 0),
    "pnpx": (frozenset({"-p", "--package", "-c", "--call"}), 0),
    "bunx": (frozenset({"-p", "--package", "-c", "--call"}), 0),
    "coproc": (frozenset(), 0),
    "pkexec": (frozenset({"--user"}), 0),
    "run0": (frozenset({"-u", "--user", "-g", "--group", "-D", "--chdir", "--setenv", "--unit", "--property"}), 0),
    "fakeroot": (frozenset({"-l", "--lib", "--faked", "-s", "-i"}), 0),
    "chroot": (frozenset({"--groups", "--userspec"}), 1),
    "strace": (frozenset({"-o", "-e", "-p", "-s", "-u", "-E", "-a", "-X", "-P", "-I", "-b", "-O", "-S"}), 0),
    "ltrace": (frozenset({"-o", "-e", "-p", "-s", "-u", "-n", "-a", "-A", "-D", "-F", "-l", "-x"}), 0),
    "unshare": (frozenset({"-S", "--setuid", "-G", "--setgid", "--propagation", "-R", "--root", "-w", "--wd"}), 0),
    "nsenter": (frozenset({"-t", "--target", "-S", "--setuid", "-G", "--setgid", "-r", "-w"}), 0),
    "systemd-run": (frozenset({"-p", "--property", "--unit", "-u", "-E", "--setenv", "-M", "--machine", "-H",
                               "--host", "--uid", "--gid", "--nice", "--working-directory", "--description",
                               "--slice"}), 0),
    "setsid": (frozenset(), 0),
    "chronic": (frozenset(), 0),
    "unbuffer": (frozenset(), 0),
    "nocorrect": (frozenset(), 0),
    "noglob": (frozenset(), 0),
    "busybox": (frozenset(), 0),
    "caffeinate": (frozenset({"-t", "-w"}), 0),
    "chrt": (frozenset(), 1),
    "taskset": (frozenset(), 1),
    "torsocks": (frozenset(), 0),
    "proxychains": (frozenset({"-f"}), 0),
    "proxychains4": (frozenset({"-f"}), 0),
    "xvfb-run": (frozenset({"-n", "-s", "-f", "-e", "-p", "-w", "--server-num", "--server-args"}), 0),
}
_RUNNERS = frozenset({("bundle", "exec"), ("uv", "run"), ("poetry", "run"), ("pipenv", "run"), ("pdm", "run"),
                      ("pnpm", "exec"), ("pnpm", "dlx"), ("yarn", "dlx"), ("npm", "exec"), ("hatch", "run")})
_RUNNER_VALUE_OPTIONS = frozenset({"--with", "--python", "-p", "--env-file", "--directory", "--project",
                                   "--package", "--extra", "--group", "--from", "-C", "--filter", "-F"})
# Program -> (global options that take a value, global options that take none). An option in neither
# is read both ways, so an option missing here cannot hide the sub-command.
_GLOBAL_OPTIONS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "git": (frozenset({"-C", "-c", "--git-dir", "--work-tree", "--namespace", "--config-env", "--super-prefix",
                       "--attr-source", "--list-cmds"}),
            frozenset({"-p", "--paginate", "-P", "--no-pager", "--bare", "--no-replace-objects", "--no-lazy-fetch",
                       "--no-optional-locks", "--no-advice", "--literal-pathspecs", "--glob-pathspecs",
                       "--noglob-pathspecs", "--icase-pathspecs", "--exec-path"})),
    "terraform": (frozenset(), frozenset({"-help", "-version", "-h", "-v"})),
    "tofu": (frozenset(), frozenset({"-help", "-version", "-h", "-v"})),
    "kubectl": (frozenset({"-n", "--namespace", "--context", "--kubeconfig", "--cluster", "--user", "-s", "--server",
                           "--token", "--as", "--as-group", "--as-uid", "--request-timeout", "--cache-dir",
                           "--certificate-authority", "--client-certificate", "--client-key", "--tls-server-name",
                           "-v", "--v", "--vmodule", "--log-file", "--profile", "--profile-output", "--username",
                           "--password", "--log-dir"}),
                frozenset({"--insecure-skip-tls-verify", "--match-server-version", "--warnings-as-errors",
                           "--disable-compression", "--logtostderr", "--alsologtostderr"})),
    "helm": (frozenset({"-n", "--namespace", "--kube-context", "--kubeconfig", "--kube-apiserver", "--kube-as-user",
                        "--kube-as-group", "--kube-ca-file", "--kube-token", "--kube-tls-server-name",
                        "--registry-config", "--repository-cache", "--repository-config", "--burst-limit", "--qps",
                        "--content-cache"}),
             frozenset({"--debug", "--kube-insecure-skip-tls-verify"})),
    "docker": (frozenset({"-c", "--context", "-H", "--host", "--config", "-l", "--log-level", "--tlscacert",
                          "--tlscert", "--tlskey"}),
               frozenset({"-D", "--debug", "--tls", "--tlsverify"})),
    "podman": (frozenset({"-c", "--connection", "--url", "--root", "--runroot", "--log-level", "--storage-driver",
                          "--identity"}),
               frozenset({"-r", "--remote", "--debug"})),
    "alembic": (frozenset({"-c", "--config", "-n", "--name", "-x"}), frozenset({"--raiseerr", "-q", "--quiet"})),
    "flask": (frozenset({"-A", "--app", "-e", "--env-file"}), frozenset({"--debug", "--no-debug"})),
    "npm": (frozenset({"--prefix", "-w", "--workspace", "--userconfig", "--registry", "--loglevel", "--cache"}),
            frozenset({"-g", "--global", "-s", "--silent", "-q", "--quiet", "-d", "--verbose", "-ws",
                       "--workspaces", "-y", "--yes"})),
    "pnpm": (frozenset({"-C", "--dir", "--filter", "-F", "--reporter", "--loglevel"}),
             frozenset({"-r", "--recursive", "-w", "--workspace-root", "-s", "--silent"})),
    "yarn": (frozenset({"--cwd"}), frozenset({"-s", "--silent", "--verbose"})),
    "cargo": (frozenset({"-Z", "--config", "--color", "-C"}),
              frozenset({"-v", "-vv", "--verbose", "-q", "--quiet", "--frozen", "--locked", "--offline"})),
    "uv": (frozenset({"--directory", "--project", "--config-file", "--cache-dir", "--color"}),
           frozenset({"-q", "--quiet", "-v", "--verbose", "-n", "--no-cache", "--offline", "--native-tls",
                      "--no-config", "--no-progress", "--preview"})),
    "poetry": (frozenset({"-C", "--directory", "-P", "--project"}),
               frozenset({"-q", "--quiet", "-v", "-vv", "-vvv", "--verbose", "-n", "--no-interaction", "--ansi",
                          "--no-ansi", "--no-plugins", "--no-cache"})),
    "rake": (frozenset({"-f", "--rakefile", "-C", "--directory", "-I", "--libdir", "-r", "--require", "-R",
                        "--rakelibdir", "-j", "--jobs"}),
             frozenset({"-t", "--trace", "-v", "--verbose", "-q", "--quiet", "-s", "--silent", "-g", "--system",
                        "-G", "--no-system"})),
    "fly": (frozenset({"-a", "--app", "-c", "--config", "-t", "--access-token"}), frozenset({"--debug", "--verbose"})),
    "flyctl": (frozenset({"-a", "--app", "-c", "--config", "-t", "--access-token"}),
               frozenset({"--debug", "--verbose"})),
    "gh": (frozenset({"-R", "--repo"}), frozenset()),
    "prisma": (frozenset({"--schema"}), frozenset()),
}
_SHELL_VALUE_OPTIONS = frozenset({"-o", "+o", "-O", "+O", "--rcfile", "--init-file"})
_SSH_VALUE_OPTIONS = frozenset({"-b", "-B", "-c", "-D", "-E", "-e", "-F", "-I", "-i", "-J", "-L", "-l", "-m", "-O",
                                "-o", "-p", "-Q", "-R", "-S", "-W", "-w"})
_WATCH_VALUE_OPTIONS = frozenset({"-n", "--interval", "-q", "--equexit", "-s", "--shell"})
_FLOCK_VALUE_OPTIONS = frozenset({"-w", "--wait", "--timeout", "-E", "--conflict-exit-code"})
_DECLARERS = frozenset({"export", "declare", "typeset", "local", "readonly"})
_BINDERS = frozenset({"read", "mapfile", "readarray", "unset", "getopts", "let", "printf"})
_STDIN_FILES = frozenset({"/dev/stdin", "/proc/self/fd/0", "/dev/fd/0"})
_OPAQUE = frozenset({"eval", "source", "."})
# Settings whose value a program runs through a shell: git config keys and environment variables.
_GIT_COMMAND_KEYS = frozenset({"core.pager", "core.editor", "core.sshcommand", "core.fsmonitor", "sequence.editor",
                               "diff.external", "gpg.program", "credential.helper"})
_COMMAND_VARIABLES = frozenset({"GIT_PAGER", "GIT_EDITOR", "GIT_SSH_COMMAND", "GIT_SEQUENCE_EDITOR", "GIT_EXTERNAL_DIFF",
                                "PAGER", "EDITOR", "VISUAL", "PROMPT_COMMAND"})
_SCRIPT_VARIABLES = frozenset({"BASH_ENV", "ENV"})


class Unknown(str):
    """A word the shell fills in when the command runs (`$G`, `$(cmd)`, a glob): the str is the word
    as written; `parts` are the literal pieces around the unknown ones (`g$X` has ("g", ""))."""

    __slots__ = ("parts", "script")
    parts: tuple[str, ...]
    script: list | None  # the commands of a process substitution that is the whole word

    def __new__(cls, text: str, parts: tuple[str, ...], script: list | None = None) -> Unknown:
        word = super().__new__(cls, text)
        word.parts = parts
        word.script = script
        return word


class Reading:
    """What a command line runs: `commands`, every simple command as a tuple of words (see
    `split_commands`); `unreadable`, why the text cannot be read safely, or "" when it can."""

    __slots__ = ("commands", "unreadable")

    def __init__(self, commands: tuple[tuple[str, ...], ...], unreadable: str) -> None:
        self.commands = commands
        self.unreadable = unreadable

    def __repr__(self) -> str:
        return f"Reading({self.commands!r}, unreadable={self.unreadable!r})"


def read_commands(command: str | Sequence[str]) -> Reading:
    """Every simple command a shell command line (or an argv list) runs, and whether it was readable.

    A wrapped command appears twice, with and without its wrapper (`sudo rm -rf x` gives
    `("sudo", "rm", "-rf", "x")` and `("rm", "-rf", "x")`), so rules can name either."""
    reader = _Reader()
    try:
        if isinstance(command, str):
            reader.script(command, 0, _NO_STDIN, None)
        else:
            words = [w for w in command if isinstance(w, str)]
            if words:
                reader.unwrap(words, _ARGV, _Env([], set(), None, 0), 0)
    except RecursionError:
        reader.fail("nested too deeply to read")
    except _TooMany as exc:
        reader.fail(str(exc))
    except Exception as exc:  # a reading bug must not let the command through unchecked
        reader.fail(f"internal error while reading: {type(exc).__name__}")
    return Reading(tuple(reader.views.values()), reader.unreadable)


def split_commands(command: str | Sequence[str]) -> list[tuple[str, ...]]:
    """The simple commands of `read_commands`, as word tuples."""
    return list(read_commands(command).commands)


def basename(word: str) -> str:
    return word.rsplit("/", 1)[-1]


# ---------------------------------------------------------------------------------------------
# Parsing: text -> simple commands (_Cmd), each word a list of segments:
#   ("u", text) unquoted literal, ("q", text) quoted literal, ("v", name, quoted, source) variable,
#   ("s", nodes, quoted, source) command substitution, ("p", nodes, source) process substitution,
#   ("a", words, source) array literal, ("x", source) any other expansion.


class _Unreadable(Exception):
    pass


class _TooMany(Exception):
    pass


class _Heredoc:
    __slots__ = ("delimiter", "strip", "quoted", "body")

    def __init__(self, delimiter: str, strip: bool, quoted: bool) -> None:
        self.delimiter, self.strip, self.quoted = delimiter, strip, quoted
        self.body: list | None = None


class _Stdin:
    """Where a command's standard input comes from: "inherit" (the parent's), "pipe" (value: the
    upstream _Cmd, or None for a compound command), "redirect" (value: the redirection) or "given"
    (value: an already resolved (kind, texts) pair)."""

    __slots__ = ("kind", "value", "parent")

    def __init__(self, kind: str, value: object, parent: _Stdin | None) -> None:
        self.kind, self.value, self.parent = kind, value, parent


_NO_STDIN = _Stdin("given", ("none", None), None)


class _Cmd:
    __slots__ = ("words", "assigns", "redirects", "stdin", "certain", "index")

    def __init__(self, stdin: _Stdin, certain: bool, index: int) -> None:
        self.words: list[list] = []
        self.assigns: list[list] = []
        self.redirects: list[tuple] = []
        self.stdin, self.certain, self.index = stdin, certain, index


_COMPOUND = "compound"
_ARGV = _Cmd(_NO_STDIN, True, 0)


def _keyword(word: list | None) -> str:
    if word is not None and len(word) == 1 and word[0][0] == "u" and word[0][1] in _RESERVED:
        return word[0][1]
    return ""


def _plain(word: list | None) -> str | None:
    if word is not None and len(word) == 1 and word[0][0] == "u":
        return word[0][1]
    return None


def _is_assignment(word: list) -> bool:
    return word[0][0] == "u" and _ASSIGNMENT.match(word[0][1]) is not None


class _Parser:
    def __init__(self, text: str, cmds: list[_Cmd], nesting: int, stdin: _Stdin, poisoned: set[str]) -> None:
        self.s, self.n, self.i = text, len(text), 0
        self.cmds, self.nesting, self.stdin, self.poisoned = cmds, nesting, stdin, poisoned
        self.heredocs: list[_Heredoc] = []
        self.nodes: list = []
        self.certain = True
        self.compound = False  # the last command was a compound one: a reserved word may follow it
        self.substitutions = 0  # `$(` open around the current position
        self.functions: set[str] = set()

    def parse(self) -> list:
        return self._list(_NO_STOPS)[1]

    def _sub(self, text: str) -> _Parser:
        sub = _Parser(text, self.cmds, self.nesting + 1, _NO_STDIN, self.poisoned)
        sub.certain, sub.functions = False, self.functions
        if sub.nesting > MAX_NESTING:
            raise _Unreadable(f"nested deeper than {MAX_NESTING} levels")
        return sub

    def _enter(self) -> None:
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise _Unreadable(f"nested deeper than {MAX_NESTING} levels")

    # -- lists, pipelines, commands -----------------------------------------------------------

    def _list(self, stops: frozenset[str]) -> tuple[str, list]:
        self._enter()
        outer, self.nodes = self.nodes, []
        s = self.s
        try:
            while True:
                self._skip(True)
                if self.i >= self.n:
                    return "", self.nodes
                first = len(self.cmds)
                stop = self._and_or(stops)
                if stop:
                    return stop, self.nodes
                self._skip(False)
                if self.i >= self.n:
                    return "", self.nodes
                c = s[self.i]
                if c == "\n":
                    continue
                if self.compound and c not in ";&|()<>":
                    keyword = _keyword(self._word())
                    if keyword and keyword in stops:
                        return keyword, self.nodes
                    raise _Unreadable(f"unexpected {keyword or 'word'!r} after a compound command")
                if c == "&":
                    for cmd in self.cmds[first:]:
                        cmd.certain = False
                    self.i += 1
                    continue
                if c == ";":
                    token = _case_end(s, self.i)
                    if token == ";":
                        self.i += 1
                        continue
                    if token in stops:
                        self.i += len(token)
                        return token, self.nodes
                    raise _Unreadable(f"unexpected {token!r}")
                if c == ")":
                    if ")" in stops:
                        self.i += 1
                        return ")", self.nodes
                    raise _Unreadable("unbalanced ')'")
                raise _Unreadable(f"unexpected {c!r}")
        finally:
            self.nodes = outer
            self.nesting -= 1

    def _and_or(self, stops: frozenset[str]) -> str:
        certain = self.certain
        try:
            stop = self._pipeline(stops)
            if stop:
                return stop
            while True:
                self._skip(False)
                if not self.s.startswith(("&&", "||"), self.i):
                    return ""
                self.i += 2
                self.certain = False
                self._skip(True)
                stop = self._pipeline(stops)
                if stop:
                    raise _Unreadable(f"unexpected {stop!r}")
        finally:
            self.certain = certain

    def _pipeline(self, stops: frozenset[str]) -> str:
        stdin, certain = self.stdin, self.certain
        node, stop = self._command(stops)
        if stop:
            return stop
        first = node
        try:
            while True:
                self._skip(False)
                s, i = self.s, self.i
                if i >= self.n or s[i] != "|" or s.startswith("||", i):
                    break
                self.i += 2 if s.startswith("|&", i) else 1
                self._skip(True)
                self.stdin = _Stdin("pipe", node if isinstance(node, _Cmd) else None, None)
                self.certain = False
                node, stop = self._command(stops)
                if stop:
                    raise _Unreadable(f"unexpected {stop!r}")
                if isinstance(first, _Cmd):
                    first.certain = False
        finally:
            self.stdin, self.certain = stdin, certain
        return ""

    def _command(self, stops: frozenset[str]) -> tuple[object, str]:
        s, n = self.s, self.n
        while True:
            self._skip(False)
            i = self.i
            if i >= n:
                raise _Unreadable("a command is missing at the end")
            c = s[i]
            if c == "(":
                if s.startswith("((", i):
                    end = self._arith_end(i + 2)
                    if end is not None:
                        saved = self._open()
                        self._arith(i + 2, end)
                        self.i = end + 2
                        return self._close(saved), ""
                self.i = i + 1
                saved = self._open()
                if self._list(_PAREN)[0] != ")":
                    raise _Unreadable("unbalanced '('")
                return self._close(saved), ""
            if c == ")":
                if ")" in stops:
                    self.i += 1
                    return None, ")"
                raise _Unreadable("unbalanced ')'")
            if c == ";":
                token = _case_end(s, i)
                if token in stops:
                    self.i += len(token)
                    return None, token
                raise _Unreadable(f"unexpected {token!r}")
            if c in "|&\n" and not s.startswith("&>", i):
                raise _Unreadable(f"unexpected {c!r}")
            word = None
            if c not in "<>" or s.startswith(("<(", ">("), i):
                word = self._word()
            keyword = _keyword(word)
            if not keyword:
                return self._simple(word), ""
            if keyword in _CLOSERS:
                if keyword in stops:
                    return None, keyword
                raise _Unreadable(f"unexpected {keyword!r}")
            if keyword == "!":
                continue
            if keyword in ("time", "coproc") and not self._compound_follows(keyword):
                return self._simple(word), ""  # a plain wrapper word, as `/usr/bin/time git push` is
            if keyword == "time":
                self._skip(False)
                if s.startswith("-p", self.i) and (self.i + 2 >= n or s[self.i + 2] in " \t\n;&|"):
                    self.i += 2
                continue
            return self._compound(keyword, stops), ""

    def _compound_follows(self, keyword: str) -> bool:
        """Whether `time [-p]` or `coproc [NAME]` is followed by a compound command."""
        m = _WORDS_AHEAD.match(self.s, self.i)
        words = m.group(1).split() if m else []
        skip = {"time": ("-p",), "coproc": ()}[keyword]
        while words and (words[0] in skip or (keyword == "coproc" and len(words) > 1
                                                  and _NAME.fullmatch(words[0]) and words[1] in ("{", "("))):
            words.pop(0)
        following = m.group(2) if m else ""
        return (words[0] in _RESERVED and words[0] not in ("time", "coproc")) if words else following == "("

    def _open(self) -> tuple:
        saved = (self.stdin, self.certain)
        self.stdin = _Stdin("inherit", None, self.stdin)
        self.certain = False
        return saved

    def _close(self, saved: tuple) -> str:
        child = self.stdin
        self.stdin, self.certain = saved
        while True:
            self._skip(False)
            fd = self._fd_at()
            if fd is None:
                break
            redirect = self._redirect(fd)
            if redirect[0] in _STDIN_OPS and redirect[1] in (None, "0"):
                child.kind, child.value = "redirect", redirect
        self.nodes.append(_COMPOUND)
        self.compound = True
        return _COMPOUND

    def _expect(self, found: str, wanted: str, why: str) -> None:
        if found != wanted:
            raise _Unreadable(why)

    def _compound(self, keyword: str, stops: frozenset[str]) -> str:
        saved = self._open()
        if keyword == "if":
            self._expect(self._list(_THEN)[0], "then", "`if` without `then`")
            stop = self._list(_ELSE)[0]
            while stop == "elif":
                self._expect(self._list(_THEN)[0], "then", "`elif` without `then`")
                stop = self._list(_ELSE)[0]
            if stop == "else":
                stop = self._list(_FI)[0]
            self._expect(stop, "fi", "`if` without `fi`")
        elif keyword in ("while", "until"):
            self._expect(self._list(_DO)[0], "do", f"`{keyword}` without `do`")
            self._expect(self._list(_DONE)[0], "done", f"`{keyword}` without `done`")
        elif keyword in ("for", "select"):
            self._for(keyword)
        elif keyword == "case":
            self._case()
        elif keyword == "{":
            self._expect(self._list(_BRACE)[0], "}", "`{` without `}`")
        elif keyword == "[[":
            self._condition()
        elif keyword == "function":
            self._skip(False)
            name = self._word()
            if name is None:
                raise _Unreadable("`function` without a name")
            self.functions.add(_plain(name) or "")
            self._skip(False)
            if self.s.startswith("(", self.i):
                self.i += 1
                self._skip(False)
                self._expect(self.s[self.i : self.i + 1], ")", "unbalanced '(' after a function name")
                self.i += 1
            self._function_body(stops)
        else:  # coproc
            self._skip(False)
            m = _NAME.match(self.s, self.i)
            if m:
                j = m.end()
                while j < self.n and self.s[j] in " \t":
                    j += 1
                if self.s.startswith(("{", "("), j):
                    self.i = j
            self._command(stops)
        return self._close(saved)

    def _function_body(self, stops: frozenset[str]) -> None:
        self._enter()
        try:
            self._skip(True)
            self._command(stops)
        finally:
            self.nesting -= 1

    def _for(self, keyword: str) -> None:
        s = self.s
        self._skip(False)
        if keyword == "for" and s.startswith("((", self.i):
            end = self._arith_end(self.i + 2)
            if end is None:
                raise _Unreadable("unbalanced '(('")
            self._arith(self.i + 2, end)
            self.i = end + 2
            word = self._after_separator()
        else:
            name = _plain(self._word())
            if name is None:
                raise _Unreadable(f"`{keyword}` without a name")
            self.poisoned.add(name)
            word = self._after_separator()
            if _plain(word) == "in":
                while True:
                    self._skip(False)
                    if self.i >= self.n or s[self.i] in ";\n":
                        break
                    if self._word() is None:
                        raise _Unreadable(f"unexpected {s[self.i]!r} in a `{keyword}` list")
                word = self._after_separator()
        keyword = _plain(word) or ""
        if keyword == "do":
            self._expect(self._list(_DONE)[0], "done", "`do` without `done`")
        elif keyword == "{":
            self._expect(self._list(_BRACE)[0], "}", "`{` without `}`")
        else:
            raise _Unreadable("`for` without `do`")

    def _after_separator(self) -> list | None:
        self._skip(False)
        if self.s.startswith(";", self.i) and not self.s.startswith(";;", self.i):
            self.i += 1
        self._skip(True)
        return self._word()

    def _case(self) -> None:
        s = self.s
        self._skip(False)
        if self._word() is None:
            raise _Unreadable("`case` without a word")
        self._skip(True)
        if _plain(self._word()) != "in":
            raise _Unreadable("`case` without `in`")
        while True:
            self._skip(True)
            if self.i >= self.n:
                raise _Unreadable("`case` without `esac`")
            paren = s[self.i] == "("
            if paren:
                self.i += 1
            first = True
            while True:
                self._skip(False)
                word = self._word()
                if first and not paren and _plain(word) == "esac":
                    return
                first = False
                self._skip(False)
                c = s[self.i] if self.i < self.n else ""
                self.i += 1
                if c == ")":
                    break
                if c != "|":
                    raise _Unreadable("a `case` pattern without ')'")
            stop = self._list(_CASE_ITEM)[0]
            if stop == "esac":
                return
            if not stop:
                raise _Unreadable("`case` without `esac`")

    def _condition(self) -> None:
        s = self.s
        while True:
            self._skip(True)
            if self.i >= self.n:
                raise _Unreadable("`[[` without `]]`")
            c = s[self.i]
            if c in "()|&;!" or (c in "<>" and not s.startswith(("<(", ">("), self.i)):
                self.i += 1
                continue
            if _plain(self._word()) == "]]":
                return

    def _simple(self, word: list | None) -> _Cmd:
        cmd = _Cmd(self.stdin, self.certain, 0)
        s, n = self.s, self.n
        while True:
            if word is not None:
                fd = _plain(word)
                if (fd is not None and self.i < n and s[self.i] in "<>" and _FD.fullmatch(fd)
                        and not s.startswith(("<(", ">("), self.i)):
                    cmd.redirects.append(self._redirect(fd))
                elif not cmd.words and _is_assignment(word):
                    cmd.assigns.append(word)
                else:
                    cmd.words.append(word)
            self._skip(False)
            if self.i >= n:
                break
            c = s[self.i]
            if c in "\n;|)":
                break
            if c == "&" and not s.startswith("&>", self.i):
                break
            if c == "(":
                if len(cmd.words) == 1 and not cmd.assigns and not cmd.redirects:
                    self.functions.add(_plain(cmd.words[0]) or "")
                    self.i += 1
                    self._skip(False)
                    self._expect(s[self.i : self.i + 1], ")", "unexpected '('")
                    self.i += 1
                    saved = self._open()
                    self._function_body(_NO_STOPS)
                    self._close(saved)
                    return cmd
                raise _Unreadable("unexpected '('")
            if (c in "<>" and not s.startswith(("<(", ">("), self.i)) or c == "&":
                cmd.redirects.append(self._redirect(None))
                word = None
                continue
            word = self._word()
        cmd.index = len(self.cmds)  # after the commands of its substitutions, which run first
        self.cmds.append(cmd)
        self.nodes.append(cmd)
        self.compound = False
        return cmd

    # -- redirections and here-documents ------------------------------------------------------

    def _fd_at(self) -> str | None:
        """The fd of a redirection starting here ("" for none), or None when none starts here."""
        s, i = self.s, self.i
        m = _FD.match(s, i)
        j = m.end() if m else i
        if j < self.n and (s[j] in "<>" and not s.startswith(("<(", ">("), j) or s.startswith("&>", j)):
            self.i = j
            return m.group() if m else ""
        return None

    def _redirect(self, fd: str | None) -> tuple:
        m = _REDIRECT.match(self.s, self.i)
        if m is None:
            raise _Unreadable("unexpected redirection")
        op = m.group()
        self.i = m.end()
        self._skip(False)
        target = self._word()
        if target is None:
            raise _Unreadable(f"{op!r} without a target")
        fd = fd or None
        if op in ("<<", "<<-"):
            delimiter = "".join(seg[1] if seg[0] in "uq" else seg[-1] for seg in target)
            heredoc = _Heredoc(delimiter, op == "<<-", any(seg[0] == "q" for seg in target))
            self.heredocs.append(heredoc)
            return op, fd, heredoc
        return op, fd, target

    def _read_heredocs(self) -> None:
        pending, self.heredocs = self.heredocs, []
        s, n = self.s, self.n
        for heredoc in pending:
            i = self.i
            lines = []
            while i < n:
                j = s.find("\n", i)
                end = n if j < 0 else j
                line = s[i:end]
                if heredoc.strip:
                    line = line.lstrip("\t")
                if line == heredoc.delimiter:
                    i = end + 1
                    break
                rest = line[len(heredoc.delimiter):].lstrip(" \t")
                if self.substitutions and line.startswith(heredoc.delimiter) and rest.startswith(")"):
                    i = end - len(rest)  # as in bash, `E)` ends the body and the `$(`
                    break
                i = end + 1
                lines.append(line)
            self.i = min(i, n)
            body = "\n".join(lines) + ("\n" if lines else "")
            heredoc.body = [("q", body)] if heredoc.quoted else self._sub(body)._text_word()

    def _text_word(self) -> list:
        """The whole text as an unquoted here-document body: expansions, no word splitting."""
        s, n = self.s, self.n
        segs: list = []
        while self.i < n:
            i = self.i
            c = s[i]
            if c == "\\":
                nxt = s[i + 1 : i + 2]
                if nxt == "\n":
                    self.i = i + 2
                elif nxt in ("$", "`", "\\"):
                    segs.append(("q", nxt))
                    self.i = i + 2
                else:
                    segs.append(("q", "\\"))
                    self.i = i + 1
            elif c == "$":
                self._dollar(segs, True)
            elif c == "`":
                self._backtick(segs, True)
            else:
                m = _TEXT_LITERAL.match(s, i)
                segs.append(("q", m.group()))
                self.i = m.end()
        return segs

    # -- words --------------------------------------------------------------------------------

    def _skip(self, newlines: bool) -> None:
        s, n = self.s, self.n
        i = self.i
        while i < n:
            c = s[i]
            if c == " " or c == "\t" or c == "\r":
                i += 1
            elif c == "\\" and s.startswith("\\\n", i):
                i += 2
            elif c == "#":
                j = s.find("\n", i)
                i = n if j < 0 else j
            elif c == "\n" and newlines:
                i += 1
                if self.heredocs:
                    self.i = i
                    self._read_heredocs()
                    i = self.i
            else:
                break
        self.i = i

    def _word(self) -> list | None:
        s, n = self.s, self.n
        start = self.i
        m = _LITERAL.match(s, start)
        if m is not None and (m.end() == n or s[m.end()] in _PLAIN_END):  # the common case: one plain word
            self.i = m.end()
            return [("u", m.group())]
        segs: list = []
        while self.i < n:
            i = self.i
            c = s[i]
            if c in " \t\r\n;&|()":
                if c == "(" and len(segs) == 1 and segs[0][0] == "u" and s[i - 1 : i] == "=" \
                        and _ASSIGNMENT.fullmatch(segs[0][1]):
                    self._array(segs, start)
                    continue
                break
            if c == "<" or c == ">":
                if s.startswith("(", i + 1):
                    self.i = i + 2
                    nodes = self._substitution("unbalanced process substitution")
                    segs.append(("p", nodes, s[i : self.i]))
                    continue
                break
            if c == "'":
                j = s.find("'", i + 1)
                if j < 0:
                    raise _Unreadable("unterminated single quote")
                segs.append(("q", s[i + 1 : j]))
                self.i = j + 1
            elif c == '"':
                self._double_quoted(segs)
            elif c == "\\":
                if i + 1 >= n:
                    segs.append(("q", "\\"))
                    self.i = n
                elif s[i + 1] == "\n":
                    self.i = i + 2
                else:
                    segs.append(("q", s[i + 1]))
                    self.i = i + 2
            elif c == "$":
                self._dollar(segs, False)
            elif c == "`":
                self._backtick(segs, False)
            else:
                m = _LITERAL.match(s, i)
                segs.append(("u", m.group()))
                self.i = m.end()
        return segs or None

    def _array(self, segs: list, start: int) -> None:
        s = self.s
        self.i += 1
        elements = []
        while True:
            self._skip(True)
            if self.i >= self.n:
                raise _Unreadable("unbalanced '(' in an array")
            if s[self.i] == ")":
                self.i += 1
                break
            word = self._word()
            if word is None:
                raise _Unreadable(f"unexpected {s[self.i]!r} in an array")
            elements.append(word)
        segs.append(("a", elements, s[start : self.i]))

    def _double_quoted(self, segs: list) -> None:
        s, n = self.s, self.n
        i = self.i + 1
        count = len(segs)
        buf: list[str] = []
        while i < n:
            c = s[i]
            if c == '"':
                if buf:
                    segs.append(("q", "".join(buf)))
                if len(segs) == count:
                    segs.append(("q", ""))
                self.i = i + 1
                return
            if c == "\\":
                nxt = s[i + 1 : i + 2]
                if nxt == "\n":
                    i += 2
                elif nxt and nxt in '$`"\\':
                    buf.append(nxt)
                    i += 2
                else:
                    buf.append("\\")
                    i += 1
            elif c == "$" or c == "`":
                if buf:
                    segs.append(("q", "".join(buf)))
                    buf = []
                self.i = i
                if c == "$":
                    self._dollar(segs, True)
                else:
                    self._backtick(segs, True)
                i = self.i
            else:
                m = _DQ_LITERAL.match(s, i)
                buf.append(m.group())
                i = m.end()
        raise _Unreadable("unterminated double quote")

    def _dollar(self, segs: list, quoted: bool) -> None:
        s = self.s
        i = self.i
        c = s[i + 1 : i + 2]
        if c == "(":
            if s.startswith("((", i + 1):
                end = self._arith_end(i + 3)
                if end is not None:
                    self._arith(i + 3, end)
                    self.i = end + 2
                    segs.append(("x", s[i : self.i]))
                    return
            self.i = i + 2
            nodes = self._substitution("unbalanced '$('")
            segs.append(("s", nodes, quoted, s[i : self.i]))
        elif c == "{":
            self._parameter(segs, quoted)
        elif c == "[":
            end = s.find("]", i + 2)
            if end < 0:
                raise _Unreadable("unterminated '$['")
            self._arith(i + 2, end)
            self.i = end + 1
            segs.append(("x", s[i : self.i]))
        elif c == "'" and not quoted:
            text, self.i = _ansi_c(s, i + 2)
            segs.append(("q", text))
        elif c == '"' and not quoted:
            self.i = i + 1
            self._double_quoted(segs)
        else:
            m = _NAME.match(s, i + 1)
            if m:
                self.i = m.end()
                segs.append(("v", m.group(), quoted, s[i : self.i]))
            elif c and c in "0123456789@*#?-$!":
                self.i = i + 2
                segs.append(("x", s[i : self.i]))
            else:
                self.i = i + 1
                segs.append(("q" if quoted else "u", "$"))

    def _substitution(self, why: str) -> list:
        saved = (self.stdin, self.certain)
        self.stdin, self.certain = _NO_STDIN, False
        self.substitutions += 1
        try:
            stop, nodes = self._list(_PAREN)
        finally:
            self.stdin, self.certain = saved
            self.substitutions -= 1
        if stop != ")":
            raise _Unreadable(why)
        return nodes

    def _parameter(self, segs: list, quoted: bool) -> None:
        s, n = self.s, self.n
        start = self.i
        i = start + 2
        self._enter()
        try:
            while i < n:
                c = s[i]
                if c == "}":
                    self.i = i + 1
                    m = re.compile(_PARAMETER).fullmatch(s, start + 2, i)
                    if m:
                        name = m.group(1) + (m.group(2) or "")
                        segs.append(("v", name, quoted, s[start : self.i]))
                    else:
                        segs.append(("x", s[start : self.i]))
                    return
                if c == "\\":
                    i += 2
                elif c == "'" and not quoted:
                    j = s.find("'", i + 1)
                    if j < 0:
                        raise _Unreadable("unterminated single quote")
                    i = j + 1
                elif c in "\"$`":
                    self.i = i
                    if c == '"':
                        self._double_quoted([])
                    elif c == "$":
                        self._dollar([], quoted)
                    else:
                        self._backtick([], quoted)
                    i = self.i
                else:
                    i += 1
            raise _Unreadable("unterminated '${'")
        finally:
            self.nesting -= 1

    def _arith_end(self, start: int) -> int | None:
        """Where the `))` closing an arithmetic `((` is, or None when the text is not arithmetic
        (then `((` opens two subshells, as bash reads it)."""
        s, n = self.s, self.n
        depth = 0
        i = start
        while i < n:
            c = s[i]
            if c == "\\":
                i += 2
                continue
            if c == "'" or c == "`":
                j = s.find(c, i + 1)
                if j < 0:
                    return None
                i = j + 1
                continue
            if c == '"':
                j = _dq_end(s, i + 1)
                if j < 0:
                    return None
                i = j + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                if depth == 0:
                    return i if s.startswith("))", i) else None
                depth -= 1
            i += 1
        return None

    def _arith(self, start: int, end: int) -> None:
        s = self.s
        self._enter()
        try:
            i = start
            while i < end:
                c = s[i]
                if c in "$`\"":
                    self.i = i
                    if c == "$":
                        self._dollar([], True)
                    elif c == "`":
                        self._backtick([], True)
                    else:
                        self._double_quoted([])
                    i = max(self.i, i + 1)
                elif c == "\\":
                    i += 2
                else:
                    i += 1
        finally:
            self.nesting -= 1

    def _backtick(self, segs: list, quoted: bool) -> None:
        s, n = self.s, self.n
        i = self.i + 1
        while i < n and s[i] != "`":
            i += 2 if s[i] == "\\" else 1
        if i >= n:
            raise _Unreadable("unterminated backtick")
        body = s[self.i + 1 : i]
        if "\\" in body:
            body = re.sub(r'\\([\\`$"])' if quoted else r"\\([\\`$])", r"\1", body)
        source = s[self.i : i + 1]
        self.i = i + 1
        nodes = self._sub(body).parse()
        segs.append(("s", nodes, quoted, source))


def _case_end(s: str, i: int) -> str:
    for token in (";;&", ";;", ";&"):
        if s.startswith(token, i):
            return token
    return ";"


def _dq_end(s: str, i: int) -> int:
    n = len(s)
    while i < n:
        c = s[i]
        if c == "\\":
            i += 2
        elif c == '"':
            return i
        else:
            i += 1
    return -1


_ANSI_ESCAPES = {"a": "\a", "b": "\b", "e": "\x1b", "E": "\x1b", "f": "\f", "n": "\n", "r": "\r", "t": "\t",
                 "v": "\v", "\\": "\\", "'": "'", '"': '"', "?": "?"}
_OCTAL = r"[0-7]{1,3}"
_HEX = {"x": r"[0-9A-Fa-f]{1,2}", "u": r"[0-9A-Fa-f]{1,4}", "U": r"[0-9A-Fa-f]{1,8}"}


def _ansi_c(s: str, i: int) -> tuple[str, int]:
    """The text of a `$'…'` quote whose body starts at i, and the index after it."""
    out: list[str] = []
    n = len(s)
    while i < n:
        c = s[i]
        if c == "'":
            return "".join(out), i + 1
        if c != "\\":
            j = i + 1
            while j < n and s[j] not in "'\\":
                j += 1
            out.append(s[i:j])
            i = j
            continue
        decoded, i = _escape(s, i, "ansi")
        out.append(decoded or "")
    raise _Unreadable("unterminated $'…' quote")


def _escape(s: str, i: int, style: str) -> tuple[str | None, int]:
    """One backslash escape at s[i] in `$'…'` ("ansi"), `echo -e` ("echo") or printf ("printf") style;
    None when shells disagree on what it prints."""
    nxt = s[i + 1 : i + 2]
    if not nxt:
        return "\\", i + 1
    if nxt in _ANSI_ESCAPES and (style == "ansi" or nxt not in "'?\""):
        return _ANSI_ESCAPES[nxt], i + 2
    if style != "ansi" and nxt in "'?\"" or (style == "echo" and nxt in "1234567"):
        return None, i + 2
    if nxt in "01234567":
        start = i + 2 if style == "echo" else i + 1
        m = re.compile(_OCTAL).match(s, start)
        if m is None:
            return "\0", start
        return chr(int(m.group(), 8) & 0xFF), m.end()
    if nxt in _HEX:
        m = re.compile(_HEX[nxt]).match(s, i + 2)
        if m is None:
            return "\\" + nxt, i + 2
        code = int(m.group(), 16)
        return (chr(code) if code <= 0x10FFFF else ""), m.end()
    if nxt == "c" and style == "ansi" and i + 2 < len(s):
        return chr(ord(s[i + 2]) & 0x1F), i + 3
    return "\\" + nxt, i + 2


# ---------------------------------------------------------------------------------------------
# Reading: simple commands -> views, with variables, wrappers and the scripts commands run


class _Env:
    """Literal values assigned to shell variables in one script, to fill in `$NAME` where certain."""

    def __init__(self, cmds: list[_Cmd], poisoned: set[str], parent: _Env | None, parent_at: int) -> None:
        # name -> [index of the first certain assignment, the literal values, whether one is not literal]
        self.bindings: dict[str, list] = {}
        self.poisoned, self.parent, self.parent_at = poisoned, parent, parent_at
        self.opaque: set[int] = set()  # commands this reading cannot follow, which may assign any variable
        self.functions: set[str] = set()
        for cmd in cmds:
            if not cmd.words:
                for word in cmd.assigns:
                    self._assign(word, cmd)
                continue
            name = _plain(cmd.words[0])
            if name in _OPAQUE or ((name in _DECLARERS or name in _BINDERS)
                                   and any(_plain(word) is None for word in cmd.words[1:])):
                self.opaque.add(cmd.index)
            if name in _DECLARERS:
                for word in cmd.words[1:]:
                    if _is_assignment(word):
                        self._assign(word, cmd)
            elif name in _BINDERS:
                for word in cmd.words[1:]:
                    text = _plain(word)
                    if text is not None:
                        poisoned.add(text.split("=", 1)[0].split("[", 1)[0])

    @property
    def ifs(self) -> str | None:
        """Characters besides blanks that split unquoted expansions, or None when unknown."""
        entry = self.bindings.get("IFS")
        if "IFS" in self.poisoned or (entry is not None and entry[2]):
            return None
        if entry is None:
            return self.parent.ifs if self.parent else ""
        return "".join(entry[1])

    def _assign(self, word: list, cmd: _Cmd) -> None:
        head = word[0][1]
        name = _NAME.match(head).group()
        target = head[: head.index("=")]
        if target != name:  # `x+=…`, `x[1]=…`: the value depends on what was there
            self.poisoned.add(name)
            return
        value: object = head[len(target) + 1 :]
        rest = word[1:]
        if rest and rest[0][0] == "a":
            elements = [_literal_text(element) for element in rest[0][1]]
            value = None if value or len(rest) > 1 or None in elements else tuple(elements)
        else:
            tail = _literal_text(rest)
            value = None if tail is None else value + tail
        entry = self.bindings.setdefault(name, [1 << 62, [], False])
        if cmd.certain:
            entry[0] = min(entry[0], cmd.index)
        if value is None or (value not in entry[1] and len(entry[1]) >= 4):
            entry[2] = True
        elif value not in entry[1]:
            entry[1].append(value)

    def lookup(self, name: str, at: int) -> list | None:
        """The values `$name` may have at command `at`, or None when one of them is not known: the
        name is read, assigned a non-literal or too many values, not assigned for certain before `at`,
        or code this reading cannot follow runs elsewhere in the script."""
        if name in self.poisoned or len(self.opaque) > 1 or (self.opaque and at not in self.opaque):
            return None
        entry = self.bindings.get(name)
        if entry is None:
            return self.parent.lookup(name, self.parent_at) if self.parent else None
        first_certain, values, unknown = entry
        return None if unknown or first_certain >= at else values


def _literal_text(word: list) -> str | None:
    if all(seg[0] in "uq" for seg in word):
        return "".join(seg[1] for seg in word)
    return None


class _Field:
    """One word being built from segments: literal pieces split where unknown text goes."""

    __slots__ = ("fields", "parts", "source", "unknown", "separators")

    def __init__(self, ifs: str = "") -> None:
        self.separators = "[ \t\n" + re.escape(ifs) + "]+" if ifs else _IFS
        self.fields: list[str] = []
        self.parts: list[str] | None = None
        self.source: list[str] = []
        self.unknown = False

    def text(self, text: str) -> None:
        if self.parts is None:
            self.parts, self.source = [""], []
        self.parts[-1] += text
        self.source.append(text)

    def hole(self, source: str) -> None:
        if self.parts is None:
            self.parts, self.source = [""], []
        self.parts.append("")
        self.source.append(source)
        self.unknown = True

    def unquoted(self, text: str) -> None:
        pieces = re.split(_GLOB, text) if _SPECIAL.search(text) else None
        if pieces is None or len(pieces) == 1:
            self.text(text)
            return
        self.text(pieces[0])
        for piece in pieces[1:]:
            self.parts.append(piece)
        self.source[-1] = text
        self.unknown = True

    def split(self, value: str) -> None:
        """An unquoted expansion's value: split into words on blanks."""
        pieces = re.split(self.separators, value)
        if pieces[0] == "" and self.parts is not None:
            self.end()
        words = [p for p in pieces if p]
        for k, piece in enumerate(words):
            if k:
                self.end()
            self.text(piece)
        if words and pieces[-1] == "":
            self.end()

    def many(self, values: Sequence[str]) -> None:
        for k, value in enumerate(values):
            if k:
                self.end()
            self.text(value)

    def end(self) -> None:
        if self.parts is None:
            return
        if self.unknown:
            self.fields.append(Unknown("".join(self.source), tuple(self.parts)))
        else:
            self.fields.append(self.parts[0])
        self.parts, self.unknown = None, False


class _Reader:
    def __init__(self) -> None:
        self.views: dict[object, tuple[str, ...]] = {}
        self.unreadable = ""
        # id of a command -> (the command, what it prints): holding the command keeps its id unique
        self.outputs: dict[int, tuple[_Cmd, str | None]] = {}
        self.quiet = 0
        self.aliases: dict[str, str] = {}
        self.expanding: set[str] = set()  # aliases being expanded, which bash does not expand again
        self.files: dict[str, str | None] = {}  # files this text writes: their text, None when unknown

    def fail(self, why: str) -> None:
        if not self.unreadable and not self.quiet:
            self.unreadable = why

    def add(self, view: tuple[str, ...]) -> None:
        if all(type(w) is str for w in view):
            self.views.setdefault(view, view)
        else:  # an Unknown equals the same text written literally: keep the two apart
            self.views.setdefault((view, tuple(type(w) is str for w in view)), view)
        if len(self.views) > MAX_VIEWS:
            raise _TooMany(f"more than {MAX_VIEWS} commands to check")

    def script(self, text: str, depth: int, stdin: _Stdin, parent: tuple[_Env, int] | None,
               lenient: bool = False) -> None:
        if depth > MAX_SCRIPTS:
            if not lenient:
                self.fail(f"scripts run scripts more than {MAX_SCRIPTS} levels deep")
            return
        cmds: list[_Cmd] = []
        poisoned: set[str] = set()
        parser = _Parser(text, cmds, 0, stdin, poisoned)
        try:
            parser.parse()
        except _Unreadable as exc:
            if not lenient:
                self.fail(str(exc))
        env = _Env(cmds, poisoned, *(parent or (None, 0)))
        env.functions = parser.functions
        for cmd in cmds:
            self._writes(cmd, env)
            declared = cmd.words[1:] if cmd.words and _plain(cmd.words[0]) in _DECLARERS else []
            for word in [*cmd.assigns, *(w for w in declared if _is_assignment(w))]:
                self._setting(word, cmd, env, depth)
            if cmd.words:
                known = self.alternatives(cmd.words, env, cmd.index)
                for fields in known:
                    self.unwrap(fields, cmd, env, depth)
                if any(seg[0] in "vs" for word in cmd.words for seg in word):
                    # The same command with its filled-in values unknown again, for the views only:
                    # what that code runs was read above with the values it can have.
                    self.quiet += 1
                    for fields in self.alternatives(cmd.words, env, cmd.index, holes=True):
                        if fields not in known:
                            self.unwrap(fields, cmd, env, depth)
                    self.quiet -= 1

    def _setting(self, word: list, cmd: _Cmd, env: _Env, depth: int) -> None:
        """`GIT_SSH_COMMAND='…' git fetch`, `BASH_ENV=<(…) bash -c x`: a variable whose value runs."""
        name = word[0][1].partition("=")[0]
        if name not in _COMMAND_VARIABLES and name not in _SCRIPT_VARIABLES:
            return
        value = [("u", word[0][1][len(name) + 1 :]), *word[1:]] if word[0][1][len(name) + 1 :] else word[1:]
        for fields in self.expand(value, env, cmd.index) if value else ():
            if len(fields) != 1:
                continue
            if name in _SCRIPT_VARIABLES:
                self.script_file(fields[0], f"`{name}`", cmd, env, depth)
            elif type(fields[0]) is str:
                self.script(fields[0], depth + 1, _NO_STDIN, None, lenient=True)

    def _writes(self, cmd: _Cmd, env: _Env) -> None:
        """Record the files a command writes, with their text when it is certain, so a script written
        and run in one command line is read."""
        for op, fd, target in cmd.redirects:
            if op in (">", ">>", ">|", "&>", "&>>") and fd in (None, "1") and not isinstance(target, _Heredoc):
                path = _plain(target) if len(target) == 1 else _literal_text(target)
                if path:
                    text = self.output(cmd, env)
                    before = self.files.get(_path_key(path), "") if op in (">>", "&>>") else ""
                    self.files[_path_key(path)] = None if text is None or before is None else before + text
        program = _plain(cmd.words[0]) if cmd.words else None
        if program == "tee":
            kind, texts = self.stdin_source(cmd, env)
            text = texts[0] if kind == "text" and texts and len(texts) == 1 else None
            for word in cmd.words[1:]:
                path = _literal_text(word)
                if path and not path.startswith("-"):
                    self.files[_path_key(path)] = text
        elif program in ("curl", "wget"):
            letter, long = ("o", "--output") if program == "curl" else ("O", "--output-document")
            words = [_literal_text(word) or "" for word in cmd.words[1:]]
            for k, word in enumerate(words):
                path = ""
                if word == long and k + 1 < len(words):
                    path = words[k + 1]
                elif word.startswith(long + "="):
                    path = word[len(long) + 1 :]
                elif word[:1] == "-" and word[1:2] != "-" and letter in word:
                    path = word[word.index(letter) + 1 :] or (words[k + 1] if k + 1 < len(words) else "")
                if path:
                    self.files[_path_key(path)] = None

    # -- expansion ----------------------------------------------------------------------------

    def alternatives(self, words: list[list], env: _Env, at: int, holes: bool = False) -> list[list[str]]:
        results: list[list[str]] = [[]]
        for word in words:
            options = self.expand(word, env, at, holes)
            if len(options) == 1:
                for result in results:
                    result.extend(options[0])
            else:
                results = [r + o for r in results for o in options][:_MAX_ALTERNATIVES]
        return results

    def expand(self, word: list, env: _Env, at: int, holes: bool = False) -> list[list[str]]:
        """The fields a word becomes, one list per combination of the values its variables may have;
        with `holes`, a value filled in also stays unknown in one more combination, since code this
        reading cannot follow (a function, `eval`, a sourced file) may change it."""
        if len(word) == 1:
            seg = word[0]
            if seg[0] == "q" or (seg[0] == "u" and not _SPECIAL.search(seg[1])):
                return [[seg[1]]]
            if seg[0] == "p":
                return [[Unknown(seg[2], ("", ""), seg[1])]]
        if all(seg[0] in "uq" for seg in word):
            return [_literal_fields(word)]
        choices: list[list[tuple]] = []
        for seg in word:
            kind = seg[0]
            if kind == "v":
                values = self._variable(seg, env, at)
                choices.append([*values, ("hole", seg[3])] if values and holes else values or [("hole", seg[3])])
            elif kind == "s":
                out = self.output(seg[1][0], env) if len(seg[1]) == 1 else None
                value = [] if out is None else [("value", out.rstrip("\n"), seg[2], seg[3])]
                choices.append([*value, ("hole", seg[3])] if holes or not value else value)
            elif kind == "u":
                choices.append([("unquoted", seg[1])])
            elif kind == "q":
                choices.append([("text", seg[1])])
            else:
                choices.append([("hole", seg[-1])])
        combos: list[list[tuple]] = [[]]
        for options in choices:
            combos = [c + [o] for c in combos for o in options][:_MAX_ALTERNATIVES]
        results = []
        ifs = env.ifs
        for combo in combos:
            field = _Field(ifs or "")
            for item in combo:
                kind = item[0]
                if kind == "text":
                    field.text(item[1])
                elif kind == "unquoted":
                    field.unquoted(item[1])
                elif kind == "hole":
                    field.hole(item[1])
                elif kind == "many":
                    field.many(item[1])
                elif item[2]:
                    field.text(item[1])
                elif ifs is None:  # how the value splits depends on an IFS only known at run time
                    field.hole(item[3])
                else:
                    field.split(item[1])
            field.end()
            results.append(field.fields)
        return results

    def _variable(self, seg: tuple, env: _Env, at: int) -> list[tuple] | None:
        name, quoted, source = seg[1], seg[2], seg[3]
        every = name[-2] if name.endswith("]") else ""
        values = env.lookup(name[:-3] if every else name, at)
        if values is None:
            return None
        items = []
        for value in values:
            if isinstance(value, tuple):
                if every == "@" and quoted:
                    items.append(("many", value))
                else:
                    text = " ".join(value) if every else (value[0] if value else "")
                    items.append(("value", text, quoted, source))
            else:
                items.append(("value", value, quoted, source))
        return items

    def output(self, node: object, env: _Env) -> str | None:
        """What a simple command prints, when that is certain from its text alone."""
        if not isinstance(node, _Cmd) or not node.words:
            return None
        key = id(node)
        if key in self.outputs:
            return self.outputs[key][1]
        self.outputs[key] = (node, None)
        alternatives = self.alternatives(node.words, env, node.index)
        fields = alternatives[0] if len(alternatives) == 1 else []
        result = None
        if fields and all(type(f) is str for f in fields):
            program, args = basename(fields[0]), fields[1:]
            if program == "echo":
                result = _echo(args)
            elif program == "printf":
                result = _printf(args)
            elif program == "cat" and all(a == "-" for a in args):
                kind, texts = self.stdin_source(node, env)
                result = texts[0] if kind == "text" and texts and len(texts) == 1 else None
        self.outputs[key] = (node, result)
        return result

    def code_texts(self, word: list, env: _Env, at: int) -> list[str] | None:
        texts = []
        for fields in self.expand(word, env, at):
            if any(type(f) is not str for f in fields):
                return None
            texts.append(" ".join(fields))
        return texts

    def stdin_source(self, cmd: _Cmd, env: _Env) -> tuple[str, list[str] | None]:
        """Where a command reads its standard input: ("none" | "file" | "unknown" | "text", texts)."""
        own = None
        for redirect in cmd.redirects:
            if redirect[0] in _STDIN_OPS and redirect[1] in (None, "0"):
                own = redirect
        if own is not None:
            return self._redirect_source(own, env, cmd.index)
        stdin = cmd.stdin
        while stdin is not None:
            if stdin.kind == "inherit":
                stdin = stdin.parent
            elif stdin.kind == "pipe":
                out = self.output(stdin.value, env)
                return ("text", [out]) if out is not None else ("unknown", None)
            elif stdin.kind == "redirect":
                return self._redirect_source(stdin.value, env, cmd.index)
            else:
                return stdin.value  # type: ignore[return-value]
        return "none", None

    def _redirect_source(self, redirect: tuple, env: _Env, at: int) -> tuple[str, list[str] | None]:
        op, _, target = redirect
        if op == "<" and (path := _literal_text(target)) and _path_key(path) in self.files:
            text = self.files[_path_key(path)]
            return ("unknown", None) if text is None else ("text", [text])
        if op in ("<<", "<<-"):
            if target.body is None:
                return "text", [""]
            texts = self.code_texts(target.body, env, at)
        elif op == "<<<":
            texts = self.code_texts(target, env, at)
            texts = None if texts is None else [t + "\n" for t in texts]
        else:
            return "file", None
        return ("unknown", None) if texts is None else ("text", texts)

    # -- views --------------------------------------------------------------------------------

    def unwrap(self, fields: list[str], cmd: _Cmd, env: _Env, depth: int, spent: bool = False,
               layers: int = 0) -> None:
        """Add the views of one simple command: itself, then what each wrapper runs."""
        i, n = 0, len(fields)
        while i < n:
            word = fields[i]
            if type(word) is str and _ASSIGNMENT.match(word):
                i += 1
                continue
            layers += 1
            if layers > MAX_WRAPPERS:
                self.fail(f"more than {MAX_WRAPPERS} wrappers around one command")
                return
            self.add(tuple(fields[i:]))
            if type(word) is not str:
                if not spent:
                    self._dynamic(fields, i, cmd, env, depth, layers)
                return
            name = basename(word)
            if name in self.aliases and name not in self.expanding and word == name:
                self.expanding.add(name)
                text = " ".join([self.aliases[name], *(_quote(f) for f in fields[i + 1 :])])
                self.code(text, f"the alias `{name}`", cmd, env, depth)
                self.expanding.discard(name)
            if name in env.functions and word == name:  # a function may run its arguments (`"$@"`)
                i += 1
                continue
            if "/" in word and _path_key(word) in self.files:
                self.script_file(word, f"`{word}`", cmd, env, depth)
            spec = _WRAPPERS.get(name)
            if spec is not None:
                if name in ("npx", "pnpx", "bunx") and _call_option(fields, i) is not None:
                    self.code(_call_option(fields, i), f"`{name} -c`", cmd, env, depth)
                if name == "env":
                    split = _env_split(fields, i)
                    if split is not None:
                        self.unwrap(split, cmd, env, depth, spent, layers)
                        return
                start, i = i, _skip_options(fields, i + 1, spec[0]) + spec[1]
                if name == "xargs" and i < n:
                    self._xargs(fields, start, i, cmd, env, depth, layers)
                continue
            if i + 1 < n and (name, fields[i + 1]) in _RUNNERS:
                i = _skip_options(fields, i + 2, _RUNNER_VALUE_OPTIONS)
                continue
            if _PYTHON.fullmatch(name):
                j = i + 1
                while j < n and fields[j].startswith("-") and fields[j] not in ("-m", "-c", "-"):
                    j += 2 if fields[j] in ("-W", "-X") else 1
                if j + 1 < n and fields[j] == "-m":
                    i = j + 1
                    continue
                if j < n and fields[j].endswith(".py"):
                    i = j
                    continue
                return
            handler = _HANDLERS.get(name)
            if handler is not None:
                handler(self, fields, i, cmd, env, depth, layers)
            elif name in _GLOBAL_OPTIONS:
                self._global_options(fields, i, _GLOBAL_OPTIONS[name], name == "cargo")
            return

    def _xargs(self, fields: list[str], start: int, i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
        """`xargs` with a known input: the command it runs with that input, appended or put in place of
        the `-I` string."""
        kind, texts = self.stdin_source(cmd, env)
        if kind != "text" or not texts:
            return
        replace = None
        for k in range(start + 1, i):
            option = fields[k]
            if option in ("-I", "--replace") and k + 1 < i:
                replace = fields[k + 1]
            elif option.startswith("-I") and len(option) > 2:
                replace = option[2:]
            elif option in ("-i", "--replace") or option.startswith(("-i", "--replace=")):
                replace = option.partition("=")[2] or option[2:] or "{}"
        for text in texts:
            if replace:
                for line in text.splitlines()[:_MAX_ALTERNATIVES]:
                    self.unwrap([f.replace(replace, line) for f in fields[i:]], cmd, env, depth, True, layers)
            else:
                self.unwrap([*fields[i:], *text.split()], cmd, env, depth, True, layers)

    def _dynamic(self, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
        """A program only known when it runs may be a wrapper or a shell too."""
        for j in range(i + 1, min(len(fields), i + 5)):
            word = fields[j]
            if type(word) is str and word[:1] != "-" and not _ASSIGNMENT.match(word):
                self.unwrap(fields[j:], cmd, env, depth, True, layers)
        for j in range(i + 1, len(fields) - 1):
            word = fields[j]
            if type(word) is str and word[:1] == "-" and "c" in word[1:] and word[1:2] != "-":
                script = fields[j + 1]
                if type(script) is str:
                    self.script(script, depth + 1, _NO_STDIN, None, lenient=True)
                break

    def code(self, text: str, what: str, cmd: _Cmd, env: _Env, depth: int, shared_env: bool = False) -> None:
        """Read `text` as a script that `what` runs, or fail when it is only known at run time."""
        if type(text) is not str:
            self.fail(f"{what} runs code only known when it runs: {text}")
            return
        kind, texts = self.stdin_source(cmd, env)
        stdin = _Stdin("given", (kind, texts), None)
        self.script(text, depth + 1, stdin, (env, cmd.index) if shared_env else None)

    def stdin_script(self, what: str, cmd: _Cmd, env: _Env, depth: int) -> None:
        kind, texts = self.stdin_source(cmd, env)
        if kind == "unknown":
            upstream = _upstream_name(cmd)
            source = f"the output of `{upstream}`" if upstream else "input only known when it runs"
            self.fail(f"{what} runs a script read from {source}")
        elif kind == "text":
            for text in texts or ():
                self.script(text, depth + 1, _NO_STDIN, None)

    def script_file(self, word: str, what: str, cmd: _Cmd, env: _Env, depth: int) -> None:
        if type(word) is str and _path_key(word) in self.files:
            text = self.files[_path_key(word)]
            if text is None:
                self.fail(f"{what} runs {word}, which this command line writes from input only known when it runs")
            else:
                self.script(text, depth + 1, _NO_STDIN, None)
        elif type(word) is not str and word.script is not None:
            nodes = word.script
            out = self.output(nodes[0], env) if len(nodes) == 1 else None
            if out is None:
                self.fail(f"{what} runs a script that a command writes when it runs: {word}")
            else:
                self.script(out, depth + 1, _NO_STDIN, None)
        elif word in _STDIN_FILES:
            self.stdin_script(what, cmd, env, depth)

    def _global_options(self, fields: list[str], i: int, spec: tuple[frozenset[str], frozenset[str]],
                        plus: bool = False) -> list[int]:
        """Views without the program's global options; the positions where the sub-command may start."""
        values, flags = spec
        n = len(fields)
        frontier, starts = [i + 1], []
        while frontier:
            following: list[int] = []
            for k in frontier:
                word = fields[k] if k < n else None
                if word is None or type(word) is not str or word == "-" or not (
                        word.startswith("-") or (plus and word.startswith("+"))):
                    starts.append(k)
                elif word == "--":
                    starts.append(k + 1)
                elif word in values:
                    following.append(k + 2)
                elif "=" in word or word in flags or word.startswith("+"):
                    following.append(k + 1)
                else:
                    following.extend((k + 1, k + 2))
            frontier = sorted(set(following))[:_MAX_ALTERNATIVES]
        for k in sorted(set(starts)):
            if i + 1 < k < n:
                self.add((fields[i], *fields[k:]))
        return sorted(set(starts))


def _path_key(path: str) -> str:
    while path.startswith("./"):
        path = path[2:]
    return path


def _quote(field: str) -> str:
    """A word as shell text that reads back as the same word; an Unknown as it was written."""
    if type(field) is not str:
        return str.__str__(field)
    return "'" + field.replace("'", "'\\''") + "'"


def _call_option(fields: list[str], i: int) -> str | None:
    """The script of `npx -c 'cmd'` / `npx --call=cmd`, or None."""
    for k in range(i + 1, len(fields)):
        option = fields[k]
        if type(option) is not str or not option.startswith("-"):
            return None
        if option in ("-c", "--call") and k + 1 < len(fields):
            return fields[k + 1]
        if option.startswith("--call="):
            return option[len("--call="):]
    return None


def _upstream_name(cmd: _Cmd) -> str:
    stdin = cmd.stdin
    while stdin is not None and stdin.kind == "inherit":
        stdin = stdin.parent
    if stdin is not None and stdin.kind == "pipe" and isinstance(stdin.value, _Cmd) and stdin.value.words:
        text = _plain(stdin.value.words[0])
        return basename(text) if text else ""
    return ""


def _skip_options(fields: list[str], i: int, with_value: frozenset[str]) -> int:
    while i < len(fields):
        option = fields[i]
        if type(option) is not str or not option.startswith("-") or option == "-":
            break
        i += 1
        if option == "--":
            break
        if option in with_value:
            i += 1
    return i


def _env_split(fields: list[str], i: int) -> list[str] | None:
    """`env -S 'git push' x` as the words it runs, or None without -S."""
    j = i + 1
    while j < len(fields) and type(fields[j]) is str and fields[j].startswith("-") and fields[j] != "--":
        option = fields[j]
        value = None
        if option in ("-S", "--split-string") and j + 1 < len(fields):
            value, j = fields[j + 1], j + 2
        elif option.startswith("--split-string="):
            value, j = option[len("--split-string="):], j + 1
        elif option.startswith("-S"):
            value, j = option[2:], j + 1
        if value is not None:
            return [*(value.split() if type(value) is str else [value]), *fields[j:]]
        j += 2 if option in ("-u", "-C", "--unset", "--chdir") else 1
    return None


def _shell(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    name = basename(fields[i])
    j, n = i + 1, len(fields)
    has_c = has_s = False
    while j < n:
        word = fields[j]
        if type(word) is not str or word == "-":
            break
        if word == "--":
            j += 1
            break
        if word in _SHELL_VALUE_OPTIONS:
            j += 2
        elif word.startswith("--") or (word[:1] in "-+" and len(word) > 1):
            if word[0] == "-" and word[1] != "-":
                has_c = has_c or "c" in word
                has_s = has_s or "s" in word
            j += 1
        else:
            break
    if has_c:
        if j < n:
            reader.code(fields[j], f"`{name} -c`", cmd, env, depth)
    elif j < n and not has_s and fields[j] != "-":
        reader.script_file(fields[j], f"`{name}`", cmd, env, depth)
    else:
        reader.stdin_script(f"`{name}`", cmd, env, depth)


def _eval(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    args = fields[i + 1 :]
    unknown = next((w for w in args if type(w) is not str), None)
    if unknown is not None:
        reader.fail(f"`eval` runs code only known when it runs: {unknown}")
    elif args:
        reader.code(" ".join(args), "`eval`", cmd, env, depth, shared_env=True)


def _source(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    if i + 1 < len(fields):
        reader.script_file(fields[i + 1], f"`{fields[i]}`", cmd, env, depth)


def _watch(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    j = _skip_options(fields, i + 1, _WATCH_VALUE_OPTIONS)
    rest = fields[j:]
    if any(w in ("-x", "--exec") for w in fields[i + 1 : j]):
        reader.unwrap(rest, cmd, env, depth, False, layers)
    elif rest:
        _run_words(reader, rest, "`watch`", cmd, env, depth)


def _ssh(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    j = _skip_options(fields, i + 1, _SSH_VALUE_OPTIONS)
    if j >= len(fields):
        return
    rest = fields[j + 1 :]
    if rest:
        _run_words(reader, rest, "`ssh`", cmd, env, depth)
    else:
        reader.stdin_script("`ssh`", cmd, env, depth)


def _run_words(reader: _Reader, words: list[str], what: str, cmd: _Cmd, env: _Env, depth: int) -> None:
    """Words a program joins with spaces and hands to a shell."""
    unknown = next((w for w in words if type(w) is not str), None)
    if unknown is not None:
        reader.fail(f"{what} runs code only known when it runs: {unknown}")
    else:
        reader.code(" ".join(words), what, cmd, env, depth)


def _command_option(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int,
                    layers: int) -> None:
    """`su -c`, `runuser -c`, `sg -c`, `script -c`, `flock -c`: a script given as an option's value;
    `flock FILE cmd …` and `runuser -u user -- cmd …`: a command given as words."""
    name = basename(fields[i])
    j, n = i + 1, len(fields)
    while j < n:
        word = fields[j]
        if word in ("-c", "--command") and j + 1 < n:
            reader.code(fields[j + 1], f"`{name} -c`", cmd, env, depth)
            return
        if type(word) is str and word.startswith("--command="):
            reader.code(word[len("--command="):], f"`{name} -c`", cmd, env, depth)
            return
        if word == "--":
            reader.unwrap(fields[j + 1 :], cmd, env, depth, False, layers)
            return
        j += 1
    if name == "flock":
        k = _skip_options(fields, i + 1, _FLOCK_VALUE_OPTIONS) + 1
        if k < n:
            reader.unwrap(fields[k:], cmd, env, depth, False, layers)


def _find(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    j, n = i + 1, len(fields)
    while j < n:
        if fields[j] in ("-exec", "-execdir", "-ok", "-okdir"):
            k = j + 1
            while k < n and fields[k] not in (";", "+"):
                k += 1
            reader.unwrap(fields[j + 1 : k], cmd, env, depth, False, layers)
            j = k
        j += 1


def _git(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    starts = reader._global_options(fields, i, _GLOBAL_OPTIONS["git"])
    aliases: dict[str, str] = {}
    for k in range(i + 1, min([*starts, len(fields)])):
        if fields[k] != "-c" or k + 1 >= len(fields):
            continue
        key, _, value = fields[k + 1].partition("=")
        if key.startswith("alias."):
            aliases[key[len("alias."):]] = value
        elif key.lower() in _GIT_COMMAND_KEYS or key.lower().startswith("pager."):
            # git runs these through a shell; a value that is only a program path reads as one command
            reader.script(value.removeprefix("!"), depth + 1, _NO_STDIN, None, lenient=True)
    for k in starts:
        if fields[k : k + 2] == ["submodule", "foreach"]:
            rest = fields[k + 2 :]
            while rest and rest[0] in ("--recursive", "-q", "--quiet"):
                rest = rest[1:]
            if rest:
                _run_words(reader, rest, "`git submodule foreach`", cmd, env, depth)
        if k < len(fields) and fields[k] in aliases:
            value, rest = aliases[fields[k]], fields[k + 1 :]
            if value.startswith("!"):
                reader.code(" ".join([value[1:], *rest]), "a git alias", cmd, env, depth)
            else:
                reader.unwrap([fields[i], *value.split(), *rest], cmd, env, depth, False, layers)


def _trap(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    args = fields[i + 1 :]
    if args and args[0] == "--":
        args = args[1:]
    if len(args) >= 2 and args[0] not in ("-", "") and not args[0].startswith("-"):
        reader.code(args[0], "`trap`", cmd, env, depth)


def _alias(reader: _Reader, fields: list[str], i: int, cmd: _Cmd, env: _Env, depth: int, layers: int) -> None:
    for word in fields[i + 1 :]:
        name, equals, value = word.partition("=")
        if equals and name and not name.startswith("-"):
            reader.code(value if type(word) is str else word, "`alias`", cmd, env, depth)
            if type(word) is str:
                reader.aliases[name] = value


_HANDLERS = {
    **dict.fromkeys(SHELLS, _shell),
    "trap": _trap, "alias": _alias, "eval": _eval, "source": _source, ".": _source, "watch": _watch, "ssh": _ssh,
    "su": _command_option, "runuser": _command_option, "sg": _command_option, "script": _command_option,
    "flock": _command_option, "find": _find, "git": _git,
}


def _literal_fields(word: list) -> list[str]:
    """A word without expansions: brace expansion, then a glob makes it Unknown."""
    if not any(seg[0] == "u" and "{" in seg[1] for seg in word):
        if not any(seg[0] == "u" and _SPECIAL.search(seg[1]) for seg in word):
            return ["".join(seg[1] for seg in word)]
        field = _Field()
        for kind, text in word:
            if kind == "u":
                field.unquoted(text)
            else:
                field.text(text)
        field.end()
        return field.fields
    escaped = "".join(text if kind == "u" else re.sub(r"[\\*?\[\]{},.]", r"\\\g<0>", text) for kind, text in word)
    words = _braces(escaped) if escaped.count("{") <= _MAX_BRACES else None
    if words is None:
        return [Unknown(_unescape(escaped), ("", ""))]
    return [_glob_word(w) for w in words]


def _glob_word(escaped: str) -> str:
    parts = [""]
    i, n = 0, len(escaped)
    while i < n:
        c = escaped[i]
        if c == "\\" and i + 1 < n:
            parts[-1] += escaped[i + 1]
            i += 2
        elif c in "*?":
            parts.append("")
            i += 1
        elif c == "[" and "]" in escaped[i + 2 :]:
            parts.append("")
            i = escaped.index("]", i + 2) + 1
        else:
            parts[-1] += c
            i += 1
    if len(parts) == 1:
        return parts[0]
    return Unknown(_unescape(escaped), tuple(parts))


def _unescape(escaped: str) -> str:
    return re.sub(r"\\(.)", r"\1", escaped, flags=re.S)


def _braces(text: str) -> list[str] | None:
    """Bash brace expansion of a backslash-escaped word, or None past _MAX_BRACE_WORDS words."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\\":
            i += 2
            continue
        if c == "{":
            depth, k, commas = 0, i, []
            while k < n:
                ch = text[k]
                if ch == "\\":
                    k += 2
                    continue
                if ch == "{":
                    depth += 1
                elif ch == "}":
                    depth -= 1
                    if depth == 0:
                        break
                elif ch == "," and depth == 1:
                    commas.append(k)
                k += 1
            if k < n:
                if commas:
                    bounds = [i, *commas, k]
                    options = [text[a + 1 : b] for a, b in zip(bounds, bounds[1:], strict=False)]
                else:
                    options = _sequence(text[i + 1 : k])
                if options is not None:
                    results: list[str] = []
                    for option in options:
                        expanded = _braces(text[:i] + option + text[k + 1 :])
                        if expanded is None:
                            return None
                        results.extend(expanded)
                        if len(results) > _MAX_BRACE_WORDS:
                            return None
                    return results
        i += 1
    return [text]


_SEQUENCE = r"(-?\d+|[A-Za-z])\\?\.\\?\.(-?\d+|[A-Za-z])(?:\\?\.\\?\.(-?\d+))?"


def _sequence(body: str) -> list[str] | None:
    m = re.fullmatch(_SEQUENCE, body)
    if m is None or "\\" in body:
        return None
    first, last, step = m.group(1), m.group(2), abs(int(m.group(3) or 1)) or 1
    if first.lstrip("-").isdigit() and last.lstrip("-").isdigit():
        a, b = int(first), int(last)
        if abs(b - a) // step >= _MAX_BRACE_WORDS:
            return [first, last] * _MAX_BRACE_WORDS  # too many: the caller gives up on the word
        return [str(v) for v in range(a, b + (1 if b >= a else -1), step if b >= a else -step)]
    if first.isalpha() and last.isalpha():
        a, b = ord(first), ord(last)
        return [chr(v) for v in range(a, b + (1 if b >= a else -1), step if b >= a else -step)]
    return None


def _echo(args: list[str]) -> str | None:
    newline, escapes, k = True, False, 0
    while k < len(args) and re.fullmatch(_ECHO_FLAGS, args[k]):
        for flag in args[k][1:]:
            newline = newline and flag != "n"
            escapes = flag == "e" if flag in "eE" else escapes
        k += 1
    text = " ".join(args[k:])
    if "\\" in text:
        if not escapes:
            return None  # zsh and dash decode escapes without -e, bash does not: unknown
        text = _decode(text, "echo")
        if text is None:
            return None
    return text + "\n" if newline else text


def _decode(text: str, style: str) -> str | None:
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("\\", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        if text.startswith("\\c", j):
            return None
        decoded, i = _escape(text, j, style)
        if decoded is None:
            return None
        out.append(decoded)
    return "".join(out)


_PRINTF_DIRECTIVE = r"%(.)"


def _printf(args: list[str]) -> str | None:
    if not args or (args[0] in ("-v", "--")):
        return None
    fmt = _decode(args[0], "printf")
    if fmt is None:
        return None
    values = list(args[1:])
    out: list[str] = []
    for _ in range(len(values) + 1):
        used = False
        pos = 0
        for m in re.finditer(_PRINTF_DIRECTIVE, fmt):
            out.append(fmt[pos : m.start()])
            pos = m.end()
            kind = m.group(1)
            if kind == "%":
                out.append("%")
                continue
            if kind not in "sb":
                return None
            used = True
            value = values.pop(0) if values else ""
            if kind == "b":
                value = _decode(value, "echo")
                if value is None:
                    return None
            out.append(value)
        if "%" in fmt[pos:]:
            return None  # a lone '%' at the end
        out.append(fmt[pos:])
        if not used or not values:
            break
    return "".join(out)
