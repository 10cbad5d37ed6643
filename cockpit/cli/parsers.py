"""The sub-commands that live in their own modules (hooks, issues, gates, trust, the reviews, prune): their
arguments only. Each handler is named by module and function and imported when it runs, so parsing the command
line (`cockpit index`, `cockpit --help`) imports none of them."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from importlib import import_module
from typing import Any

# The agents and scopes `cockpit hooks` takes: cockpit/hooks/install.py's AGENTS and SCOPES
# (tests/cli/test_parsers.py keeps them equal).
AGENTS = ("claude", "codex")
SCOPES = ("local", "project", "user")
PROJECT_HELP = "project folder (default: the git top-level of the current directory)"


def handler(module: str, name: str) -> Callable[[argparse.Namespace], int]:
    """`func(args)` for a sub-command: imports `module` and calls its `name` when the command runs."""

    def run(args: argparse.Namespace) -> int:
        return int(getattr(import_module(module), name)(args))

    run.__qualname__ = f"{module}.{name}"
    return run


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def add_hooks_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `hooks install|uninstall|status` to the `cockpit` sub-commands; each sets `func(args) -> int`."""
    hooks = subparsers.add_parser("hooks", help="install or remove cockpit's Claude Code / Codex hooks")
    hooks.set_defaults(func=lambda args: _usage(hooks))
    sub = hooks.add_subparsers(dest="hooks_command", metavar="ACTION")

    def target(p: argparse.ArgumentParser) -> None:
        p.add_argument("--agent", choices=AGENTS, default="claude", help="default: claude")
        p.add_argument("--scope", choices=SCOPES, default="local",
                       help="local: .claude/settings.local.json (default); project: .claude/settings.json; "
                            "user: ~/.claude/settings.json (codex: .codex/hooks.json, ~/.codex/hooks.json)")
        p.add_argument("--project", metavar="DIR", help=PROJECT_HELP)
        p.add_argument("--dry-run", action="store_true", help="print the change as a diff; write nothing")

    p = sub.add_parser("install", help="merge cockpit's hooks into the agent's settings (idempotent, keeps a"
                                       " backup)")
    target(p)
    p.add_argument("--fail-closed", action="store_true",
                   help="Claude Code blocks a tool call when cockpit's PreToolUse hook cannot run at all"
                        " (onFailure: block); if the cockpit executable goes missing, every tool call is refused")
    p.add_argument("--command", dest="executable", metavar="PATH",
                   help="the cockpit executable the hooks call (default: this one)")
    p.set_defaults(func=handler("cockpit.cli.hooks", "cmd_hooks_install"))
    p = sub.add_parser("uninstall", help="remove exactly what install added")
    target(p)
    p.set_defaults(func=handler("cockpit.cli.hooks", "cmd_hooks_uninstall"))
    p = sub.add_parser("status", help="which hooks are installed where")
    p.add_argument("--project", metavar="DIR", help=PROJECT_HELP)
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=handler("cockpit.cli.hooks", "cmd_hooks_status"))
    return hooks


def add_issues_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `issues [--json] [--show-ephemeral] [--repo PATH]` to the `cockpit` sub-commands; sets `func(args) -> int`."""
    p = subparsers.add_parser("issues", help="the beads queue: ready (like `bd ready`), in progress, blocked")
    p.add_argument("--json", action="store_true", help="print one JSON object: each list holds the issues' fields")
    p.add_argument("--show-ephemeral", action="store_true",
                   help="also list the ephemeral issues (wisps) that are left out of Ready, as `bd ready` leaves them")
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository root (default: the current directory)")
    p.set_defaults(func=handler("cockpit.cli.issues", "cmd_issues"))
    return p


def add_gates_parsers(subparsers: argparse._SubParsersAction, common: Any) -> None:
    p = subparsers.add_parser("gates", help="every gate's state for the working tree [--run] [--json]")
    common(p)
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository (default: the current directory)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--run", nargs="*", metavar="GATE",
                   help="run these command gates now (all of them when none are named), then print")
    p.set_defaults(func=handler("cockpit.cli.gate", "cmd_gates"))

    p = subparsers.add_parser("gate", help="git entry points: cockpit gate pre-commit | install [--uninstall]")
    common(p)
    actions = p.add_subparsers(dest="gate_action", metavar="ACTION", required=True)
    q = actions.add_parser("pre-commit", help="exit 1 when a required gate fails or is stale for the staged tree")
    q.add_argument("--run", action="store_true",
                   help="run required command gates that are not valid yet, when the working tree is the staged tree")
    q.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS)
    q.add_argument("--config", metavar="PATH", default=argparse.SUPPRESS, help="settings file")
    q.set_defaults(func=handler("cockpit.cli.gate", "cmd_pre_commit"))
    q = actions.add_parser("install", help="install the pre-commit entry into this repository's git hooks")
    q.add_argument("--uninstall", action="store_true", help="remove it (restoring a hook it chained)")
    q.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS)
    q.set_defaults(func=handler("cockpit.cli.gate", "cmd_install"))


def add_trust_parser(subparsers: argparse._SubParsersAction, common: Any) -> None:
    p = subparsers.add_parser("trust", help="trust this repository's gate configuration"
                                            " [--show|--revoke] [--json]")
    common(p)
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository (default: the current directory)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--show", action="store_true", help="print what would be trusted; change nothing")
    what.add_argument("--revoke", action="store_true",
                      help="forget every trusted configuration of the repository")
    p.add_argument("--sha256", dest="expect_sha256", metavar="HASH",
                   help="trust only if the configuration still has this fingerprint (as --show printed it)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=handler("cockpit.cli.trust", "cmd_trust"))


def _llm_parser(subparsers: argparse._SubParsersAction, common: Any, name: str, help_text: str,
                func: Any) -> argparse.ArgumentParser:
    """A command that may ask Claude: the common flags, --repo, --model and --json."""
    p = subparsers.add_parser(name, help=help_text)
    common(p)
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository (default: the current directory)")
    p.add_argument("--model", help="the Claude model (default: [llm] model in cockpit.toml, else claude-sonnet-5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--dry-run", action="store_true",
                   help="show the request that would be sent to Claude (redacted, as sent); send and write nothing")
    p.set_defaults(func=func)
    return p


def add_llm_parsers(subparsers: argparse._SubParsersAction, common: Any) -> None:
    p = _llm_parser(subparsers, common, "vibe", "validate the change against its intent (exit 0 PASS, 1 WARN, 2 FAIL)",
                    handler("cockpit.cli.reviews", "cmd_vibe"))
    p.add_argument("--intent", metavar="TEXT", default="", help="what the change is meant to do (overrides the issue)")
    which = p.add_mutually_exclusive_group()
    which.add_argument("--staged", action="store_true", help="judge the staged change, not the working tree")
    which.add_argument("--range", dest="commit_range", metavar="A..B", default="", help="judge a commit range")
    p.add_argument("--no-write", action="store_true", help="do not write the report file")

    p = _llm_parser(subparsers, common, "premortem",
                    "how could this work fail? for the in-progress issue, one named, or --plan",
                    handler("cockpit.cli.reviews", "cmd_premortem"))
    p.add_argument("issue", nargs="?", default="", help="a beads issue id (default: the in-progress one)")
    p.add_argument("--plan", metavar="FILE", default="", help="a plan or spec file instead of an issue")

    p = _llm_parser(subparsers, common, "retro", "turn a session into facts and learnings (default: the latest here)",
                    handler("cockpit.cli.reviews", "cmd_retro"))
    p.add_argument("session", nargs="?", default="", help="session id or prefix")

    p = subparsers.add_parser("learnings", help="search the learnings retros wrote")
    common(p)
    p.add_argument("query", nargs="?", default="", help="full-text query (default: the newest)")
    p.add_argument("--json", action="store_true")
    p.add_argument("--limit", type=int, default=30)
    p.set_defaults(func=handler("cockpit.cli.reviews", "cmd_learnings"))


def add_prune_parser(subparsers: argparse._SubParsersAction, common: Any) -> None:
    p = subparsers.add_parser("prune", help="delete what the [retention] settings no longer keep [--dry-run] [--json]")
    common(p)
    p.add_argument("--dry-run", action="store_true", help="count what would go; change nothing")
    p.add_argument("--json", action="store_true", help="print one JSON object")
