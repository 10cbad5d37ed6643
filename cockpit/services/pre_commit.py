"""The git pre-commit entry (`cockpit gate pre-commit`): may the staged tree be committed?

Every required gate must be valid for the staged tree, from a configuration the user trusted. With
`run`, the required command gates that are not valid yet run first (only when the working tree is the
staged tree: otherwise they would judge something else), and a required vibe judges the staged diff.
Progress goes to `say`, one line at a time: a commit waits on this, so the user sees why.
Imported on every commit: what it needs only to run something is imported when it runs.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from cockpit.core.gate_rules import GateConfig, GateKind, GateState
from cockpit.core.text import exact_line, one_line
from cockpit.core.trust_rules import source_label, trust_fix, untrusted_line
from cockpit.services.gate_board import GateBoard, read_board

OK_STATES = (GateState.PASS, GateState.WARN)


def blocking(board: GateBoard, repo: str | None = None) -> list[str]:
    """Why a commit of the staged tree must wait: one message per required gate not passing, naming the fix.

    An untrusted configuration blocks on its own: it may be the agent's edit dropping `required`."""
    reasons = []
    if board.error:
        reasons.append(f"cannot compute the staged tree: {exact_line(board.error)}")
    if not board.trusted:
        reasons.append(f"{source_label(board.config.source)} are not trusted (new, or changed since you"
                       f" trusted them).\n    fix: {trust_fix(repo)}")
    if board.config.detected and board.config.errors:
        reasons += [f"{exact_line(e)} — fix the file (gates fell back to detection)" for e in board.config.errors]
    for status in board.statuses:
        spec = status.spec
        name, command = exact_line(spec.name), exact_line(spec.command)
        if not spec.required or status.state in OK_STATES:
            continue
        if status.state is GateState.UNTRUSTED:
            fix = f"{trust_fix(repo)}; then cockpit gates --run {name}   (runs: {command})"
        elif spec.kind is GateKind.COMMAND:
            fix = f"cockpit gates --run {name}   (runs: {command})"
        elif spec.report == "vibe":
            fix = "cockpit vibe --staged   (or commit with cockpit gate pre-commit --run in the hook)"
        elif spec.report == "pre-mortem":
            fix = "cockpit premortem   (for the issue in progress)"
        else:
            fix = f"write a new {exact_line(spec.report)} report (ao /{exact_line(spec.report)})"
        if status.state is GateState.EXTERNAL:
            fix += "; or accept the report in the cockpit (its gate screen, A)"
        state = {GateState.UNKNOWN: "has never run", GateState.STALE: "is stale for the staged tree",
                 GateState.FAIL: "failed on the staged tree", GateState.RUNNING: "is still running",
                 GateState.UNTRUSTED: "has no result from a trusted configuration",
                 GateState.EXTERNAL: "rests on a report cockpit did not write"}.get(status.state, "")
        reason = f" ({exact_line(status.reason)})" if status.reason else ""
        reasons.append(f"gate '{name}' {state}{reason}.\n    fix: {fix}")
    return reasons


def check_staged(conn: sqlite3.Connection, repo: str, *, run: bool, accept_external: bool,
                 say: Callable[[str], None]) -> GateBoard:
    """The gate board of the staged tree, after running what `run` allows. `accept_external` comes from the
    user's own settings, never from the repository."""
    board = read_board(conn, repo, staged=True, accept_external=accept_external)
    if not board.root or not run:
        return board
    if not board.trusted:
        why = exact_line(untrusted_line(board.config.source, repo))
        say(f"cockpit gate pre-commit --run: not running gate commands: {why}")
        return board
    if not blocking(board):
        return board
    from cockpit.services.gate_runs import run_and_record
    from cockpit.sources.git import tree_id

    working, _ = tree_id(board.root)
    if working != board.tree:
        say("cockpit gate pre-commit --run: the working tree has unstaged changes, so a run would not judge"
            " the staged tree; stash them or let the pre-commit framework do it")
    else:
        for status in board.statuses:
            if status.spec.required and status.spec.kind is GateKind.COMMAND and status.state not in OK_STATES:
                say(f"cockpit: running {exact_line(status.spec.name)}: {exact_line(status.spec.command)}")
                run_and_record(conn, board.root, board.tree, status.spec)
        board = read_board(conn, repo, staged=True, accept_external=accept_external)
    # Vibe judges the staged diff itself, so it can run whatever the working tree holds.
    vibe = next((x for x in board.statuses if x.spec.report == "vibe" and x.spec.kind is GateKind.VERDICT
                 and x.spec.required and x.state not in OK_STATES), None)
    if vibe is not None:
        run_staged_vibe(conn, board.root, say)
        board = read_board(conn, repo, staged=True, accept_external=accept_external)
    return board


def run_staged_vibe(conn: sqlite3.Connection, root: str, say: Callable[[str], None]) -> None:
    """Vibe on the staged change, with Claude when a key is set; what it found goes to `say`."""
    from cockpit.services.llm_setup import configured_llm
    from cockpit.services.vibe import run_vibe

    llm, vibe, _ = configured_llm(root)
    say(f"cockpit: running vibe on the staged change ({'with Claude' if llm.available else 'offline'})")
    try:
        result = run_vibe(conn, root, llm, staged=True, max_lines=vibe.max_lines, fail_lines=vibe.fail_lines)
    except RuntimeError as exc:
        say(f"cockpit: vibe could not run: {exact_line(exc)}")
        return
    say(f"  vibe {result.verdict}: {exact_line(result.path)}")
    for finding in result.findings:
        if finding.severity != "info":
            say(f"    {finding.severity} {finding.check}: {one_line(finding.message, 300)}")


def install_entry(repo: str, *, uninstall: bool = False) -> str:
    """Put the pre-commit entry into the repository's git hooks (or take it out); what was done, in words.
    RuntimeError with the reason when it cannot."""
    from cockpit.hooks.githook import install_pre_commit, uninstall_pre_commit

    return uninstall_pre_commit(repo) if uninstall else install_pre_commit(repo)


def untrusted_config(open_store: Callable[[], sqlite3.Connection], repo: str) -> GateConfig | None:
    """The repository's gate configuration when the user has not trusted it (None: trusted, or no repository).
    The store is opened only when there is a configuration to look up."""
    from cockpit.config.gates import load_gate_config
    from cockpit.sources.git import repo_root
    from cockpit.store.trust_records import is_trusted

    root, _ = repo_root(repo)
    config = load_gate_config(root) if root else None
    return config if config is not None and not is_trusted(open_store(), root, config) else None
