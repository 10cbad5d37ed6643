"""`cockpit hooks install|uninstall|status`: the arguments and what is printed; cockpit/hooks/install.py
does the merging."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from cockpit.cli.terminal import out, out_json
from cockpit.core.text import exact_line
from cockpit.hooks.install import (
    HOOK_SPECS,
    InstallError,
    Outcome,
    install,
    installed_hooks,
    uninstall,
)


def render_status(rows: list[dict[str, Any]]) -> str:
    """One line per settings file; paths, errors and commands read from the files through `exact_line`."""
    lines = []
    for row in rows:
        total = len(HOOK_SPECS[row["agent"]])
        if row["error"]:
            state = f"unreadable: {exact_line(row['error'])}"
        elif not row["exists"]:
            state = "no file"
        elif not row["events"] and row["statusline"] is None:
            state = "not installed"
        else:
            state = "installed" if not row["missing"] else f"partial ({exact_line(', '.join(row['missing']))} missing)"
            state += f", {len(row['events'])}/{total} events"
            if row["statusline"]:
                state += f", statusLine {exact_line(row['statusline'])}"
            elif row["agent"] == "claude":
                state += ", no statusLine"
            for command in row["commands"]:
                state += f"; calls {exact_line(command)}" + ("" if os.access(command, os.X_OK) else " (NOT FOUND)")
        lines.append(f"{row['agent']:<6} {row['scope']:<7} {exact_line(row['path'])}: {state}")
    return "\n".join(lines) + "\n"


def _project_arg(args: argparse.Namespace) -> Path | None:
    return Path(args.project).expanduser().absolute() if getattr(args, "project", None) else None


def _report(outcome: Outcome, args: argparse.Namespace, verb: str) -> None:
    for note in outcome.notes:
        out(f"note: {exact_line(note)}", err=True)
    where = f"{outcome.agent} ({outcome.scope}) {exact_line(outcome.path)}"
    if not outcome.changed:
        out(f"already installed: {where}" if verb == "install" else f"nothing to remove: {where}")
        return
    if args.dry_run:
        out(outcome.diff, end="")
        out(f"dry run: {where} not written")
        return
    done = "installed cockpit hooks in" if verb == "install" else "removed cockpit hooks from"
    out(f"{done} {where}" + (f" (backup: {exact_line(outcome.backup)})" if outcome.backup else ""))
    if verb == "install" and outcome.agent == "codex":
        out("Codex runs new hooks only once trusted: open Codex and review them with /hooks")
    elif verb == "install":
        out("start new Claude Code sessions to be sure they use the hooks")


def _run(args: argparse.Namespace, verb: str) -> int:
    try:
        if verb == "install":
            outcome = install(args.agent, args.scope, project=_project_arg(args), command=args.executable,
                              dry_run=args.dry_run, fail_closed=args.fail_closed)
        else:
            outcome = uninstall(args.agent, args.scope, project=_project_arg(args), dry_run=args.dry_run)
    except InstallError as exc:
        out(f"cockpit: {exact_line(exc)}", err=True)
        return 2
    except OSError as exc:
        out(f"cockpit: cannot write {exact_line(exc.filename or '')}: {exact_line(exc.strerror or exc)}", err=True)
        return 1
    _report(outcome, args, verb)
    return 0


def cmd_hooks_install(args: argparse.Namespace) -> int:
    return _run(args, "install")


def cmd_hooks_uninstall(args: argparse.Namespace) -> int:
    return _run(args, "uninstall")


def cmd_hooks_status(args: argparse.Namespace) -> int:
    rows = installed_hooks(_project_arg(args))
    if args.json:
        out_json(rows)
    else:
        out(render_status(rows), end="")
    return 0
