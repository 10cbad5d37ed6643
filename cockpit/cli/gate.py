"""`cockpit gates` (every gate's state, optionally running them) and `cockpit gate pre-commit|install`:
arguments and output; the board is services/gate_board.py's, the pre-commit decision services/pre_commit.py's."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime
from typing import Any

from cockpit.cli.terminal import out, out_json, whole
from cockpit.core.format import age, parse_ts
from cockpit.core.gate_rules import GateKind, GateRun, GateState, GateStatus
from cockpit.core.text import exact_line, one_line
from cockpit.core.trust_rules import untrusted_line


def run_json(run: GateRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {"id": run.id, "tree": run.tree, "started_at": run.started_at, "duration_s": run.duration_s,
            "outcome": run.outcome, "exit_code": run.exit_code, "command": run.command, "note": run.note,
            "output_bytes": run.output_bytes, "output_tail": run.output_tail[-4000:]}


def status_json(status: GateStatus) -> dict[str, Any]:
    spec = status.spec
    return {"name": spec.name, "kind": spec.kind.value, "state": status.state.value, "reason": status.reason,
            "required": spec.required, "auto": spec.auto, "command": spec.command, "cwd": spec.cwd,
            "timeout": spec.timeout, "report": spec.report if spec.kind is GateKind.VERDICT else None,
            "detected_from": spec.why or None, "last_run": run_json(status.run),
            "evidence": status.evidence or None,
            "external_report": ({"path": status.external.path, "verdict": status.external.verdict,
                                 "sha256": status.external.sha256} if status.external else None)}


def board_json(board: Any) -> dict[str, Any]:
    return {"repo": board.root or None, "tree": board.tree or None, "source": board.config.source,
            "trusted": board.trusted if board.root else None, "sha256": board.config.fingerprint or None,
            "errors": list(board.config.errors) + ([board.error] if board.error else []),
            "gates": [status_json(s) for s in board.statuses]}


def render_board(board: Any, now: datetime) -> str:
    if not board.root:
        return f"no gates: {whole(board.error)}\n"
    trust = "trusted" if board.trusted else "NOT TRUSTED"
    head = f"repo {exact_line(board.root)}  tree {board.tree[:10] or '?'}  gates {exact_line(board.config.source)} ({trust})"
    lines = [head]
    if not board.trusted:
        lines.append(f"  ! {exact_line(untrusted_line(board.config.source))}")
    lines += [f"  ! {one_line(e, 300)}" for e in board.config.errors]
    if board.error:
        lines.append(f"  ! {whole(board.error)}")
    for status in board.statuses:
        spec, run = status.spec, status.run
        when = ""
        started = parse_ts(run.started_at) if run is not None else None
        if run is not None and started is not None:
            when = f"{age(started, now)} ago, {run.duration_s:.1f} s"
        what = spec.command if spec.kind is GateKind.COMMAND else f"report: {run.command if run else spec.report}"
        if status.evidence:
            what += f" ({status.evidence})"
        flags = ",".join(f for f, on in (("required", spec.required), ("auto", spec.auto)) if on)
        lines.append(f"  {one_line(spec.name, 40):<12} {status.state.value:<9} {flags:<14} {when:<18} {one_line(what, 70)}")
        detail = run.note if status.state is GateState.FAIL and run is not None and run.note else status.reason
        if detail:
            lines.append(f"  {'':<12} {one_line(detail, 120)}")
    return "\n".join(lines) + "\n"


def _repo(args: argparse.Namespace) -> str:
    """`--repo` given before or after the sub-command, else the current directory."""
    return getattr(args, "repo", None) or "."


def accept_external(args: argparse.Namespace) -> bool:
    """`[gates] accept_external_verdicts` from the user's settings file (`--config`), never the repository."""
    from pathlib import Path

    from cockpit.cli.context import default_config_path
    from cockpit.config.settings import load_settings

    path = Path(args.config) if getattr(args, "config", None) else default_config_path()
    return load_settings(path).accept_external_verdicts


def _open(args: argparse.Namespace) -> Any:
    """A plain sqlite3 connection: the pre-commit entry runs on every commit and skips sqlite_utils."""
    from pathlib import Path

    from cockpit.store.db import connect, default_db_path

    return connect(Path(args.db) if getattr(args, "db", None) else default_db_path())


def cmd_gates(args: argparse.Namespace) -> int:
    from cockpit.services.gate_board import read_board
    from cockpit.services.gate_runs import run_and_record

    conn = _open(args)
    external = accept_external(args)
    board = read_board(conn, _repo(args), accept_external=external)
    refused = args.run is not None and bool(board.root) and not board.trusted
    if refused:
        out(f"cockpit: not running gate commands: {exact_line(untrusted_line(board.config.source, _repo(args)))}",
            err=True)
    elif args.run is not None and board.root:
        wanted = set(args.run) or {s.spec.name for s in board.statuses if s.spec.kind is GateKind.COMMAND}
        unknown = wanted - {s.spec.name for s in board.statuses}
        if unknown:
            out(f"cockpit: no gate named {exact_line(', '.join(sorted(unknown)))}", err=True)
            return 2
        for status in board.statuses:
            spec = status.spec
            if spec.name not in wanted:
                continue
            if spec.kind is not GateKind.COMMAND:
                out(f"{exact_line(spec.name)}: a verdict gate; it is written by `/{exact_line(spec.report)}` (ao) or cockpit",
                    err=True)
                continue
            out(f"running {exact_line(spec.name)}: {exact_line(spec.command)}", err=True, flush=True)
            run = run_and_record(conn, board.root, board.tree, spec)
            out(f"  {run.outcome} in {run.duration_s:.1f} s{' — ' + exact_line(run.note) if run.note else ''}", err=True)
        board = read_board(conn, _repo(args), accept_external=external)
    if args.json:
        out_json(board_json(board))
    else:
        out(render_board(board, datetime.now(UTC)), end="")
    if not board.root or refused:
        return 1
    return 1 if args.run is not None and any(s.state is GateState.FAIL for s in board.statuses) else 0


def pre_commit_main(argv: list[str]) -> int:
    """`cockpit gate pre-commit …` without building every sub-command's parser (the cli fast path)."""
    parser = argparse.ArgumentParser(prog="cockpit gate pre-commit")
    parser.add_argument("--run", action="store_true")
    parser.add_argument("--repo", default=".")
    parser.add_argument("--db")
    parser.add_argument("--config")
    try:
        return cmd_pre_commit(parser.parse_args(argv))
    except KeyboardInterrupt:
        return 130


def cmd_pre_commit(args: argparse.Namespace) -> int:
    from cockpit.services.pre_commit import blocking, check_staged

    board = check_staged(_open(args), _repo(args), run=args.run, accept_external=accept_external(args),
                         say=lambda line: out(line, err=True, flush=True))
    if not board.root:
        out(f"cockpit gate pre-commit: {whole(board.error)}", err=True)
        return 1
    reasons = blocking(board, _repo(args))
    if reasons:
        out("cockpit: commit blocked by the gates", err=True)
        for reason in reasons:
            out(f"  - {reason}", err=True)
        out("  (bypass once with git commit --no-verify)", err=True)
        return 1
    required = [s for s in board.statuses if s.spec.required]
    out(f"cockpit: {len(required)} required gate{'s' if len(required) != 1 else ''} valid for tree {board.tree[:10]}",
        err=True)
    return 0


def cmd_install(args: argparse.Namespace) -> int:
    from cockpit.services.pre_commit import install_entry, untrusted_config

    try:
        message = install_entry(_repo(args), uninstall=args.uninstall)
    except RuntimeError as exc:
        out(f"cockpit gate install: {exact_line(exc)}", err=True)
        return 1
    out(message)
    if not args.uninstall:
        config = untrusted_config(lambda: _open(args), _repo(args))
        if config is not None:
            out(f"note: {exact_line(untrusted_line(config.source, _repo(args)))}; until then a commit is blocked")
    return 0
