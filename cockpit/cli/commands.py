"""The sub-commands of `cockpit` (argument parsing and handlers). Headless commands never import Textual."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cockpit import __version__
from cockpit.cli.context import Context
from cockpit.cli.terminal import out, out_json

if TYPE_CHECKING:
    from cockpit.core.models import SessionView


def _common(parser: argparse.ArgumentParser, *, sub: bool = True) -> None:
    # On sub-commands the defaults are suppressed so they never overwrite flags given before the command.
    d = argparse.SUPPRESS if sub else None
    parser.add_argument("--claude-dir", action="append", default=d if sub else [], metavar="DIR",
                        help="Claude Code config dir or projects dir (repeatable; replaces Claude's discovery, not Codex's)")
    parser.add_argument("--codex-dir", action="append", default=d if sub else [], metavar="DIR",
                        help="CODEX_HOME or a folder of rollouts (repeatable; replaces Codex's discovery, not Claude's)")
    parser.add_argument("--db", metavar="PATH", default=d, help="database file (default: the user data directory)")
    parser.add_argument("--config", metavar="PATH", default=d, help="settings file (default: the user config directory)")
    parser.add_argument("--live-minutes", type=_live_minutes, metavar="N", default=d,
                        help="a session is live if active in the last N minutes")


def _live_minutes(text: str) -> float:
    """--live-minutes: a finite number of minutes in range; argparse names the flag in any error."""
    from cockpit.config.settings import MAX_LIVE_MINUTES, check_live_minutes

    try:
        return check_live_minutes(float(text), "--live-minutes")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number of minutes above 0 and at most {MAX_LIVE_MINUTES}, not {text!r}") from None


class _Sink:
    """Takes a sub-command's definition and keeps none of it (see `build_parser(only=...)`)."""

    def __getattr__(self, _name: str) -> Any:
        return lambda *args, **kwargs: self


class _OnlyOne:
    """The sub-parsers action, narrowed to one command: every other command's definition goes into a sink, so
    `cockpit index` does not build the 25 parsers it does not use. Records whether that command was defined."""

    def __init__(self, action: Any, name: str) -> None:
        self.action, self.name, self.found = action, name, False

    def add_parser(self, name: str, **kwargs: Any) -> Any:
        if name != self.name:
            return _Sink()
        self.found = True
        return self.action.add_parser(name, **kwargs)


def build_parser() -> argparse.ArgumentParser:
    """The `cockpit` parser: the global options and every sub-command."""
    parser = _build(None)
    assert parser is not None
    return parser


def _build(only: str | None) -> argparse.ArgumentParser | None:
    """With `only`, the global options and that one sub-command (None when no sub-command has that name): what
    it parses and prints for that command is what `build_parser()` does."""
    parser = argparse.ArgumentParser(prog="cockpit", description="A terminal cockpit for AI coding agents.")
    parser.add_argument("--version", action="version", version=f"cockpit {__version__}")
    _common(parser, sub=False)
    parser.add_argument("--theme", help=argparse.SUPPRESS)
    parser.add_argument("--read-only", action="store_true", help="no approving keys: watch only")
    parser.add_argument("--quiet", action="store_true", help="no notifications (desktop, terminal, [notify] command)")
    parser.add_argument("--repo", metavar="PATH", help="the repository whose beads queue is shown (default: cwd)")
    sub: Any = parser.add_subparsers(dest="cockpit_command", metavar="COMMAND")
    if only is not None:
        sub = _OnlyOne(sub, only)

    p = sub.add_parser("dashboard", help="open the dashboard (the default)")
    _common(p)
    p.add_argument("--read-only", action="store_true", default=argparse.SUPPRESS,
                   help="no approving keys: watch only")
    p.add_argument("--repo", default=argparse.SUPPRESS, metavar="PATH",
                   help="the repository whose beads queue is shown (default: the current directory)")
    p.add_argument("--theme", default=argparse.SUPPRESS, help="cockpit-dark, cockpit-light or any Textual theme")
    p.add_argument("--quiet", action="store_true", default=argparse.SUPPRESS,
                   help="no notifications (desktop, terminal, [notify] command); budgets still apply")

    p = sub.add_parser("demo", help="open the dashboard on a throwaway demo workspace with live agents")
    p.add_argument("--dir", metavar="PATH", help="create the workspace here instead of a temporary folder")
    p.add_argument("--speed", type=float, default=1.0, help="simulation speed factor (default 1)")
    p.add_argument("--theme", default=argparse.SUPPRESS, help="cockpit-dark, cockpit-light or any Textual theme")

    p = sub.add_parser("index", help="index every transcript found into the database")
    _common(p)
    p.add_argument("--rebuild", action="store_true", help="forget derived data and read everything again")

    p = sub.add_parser("sessions", help="list sessions")
    _common(p)
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.add_argument("--all", action="store_true", help="every session found, not only live ones")

    p = sub.add_parser("context", help="the context gauge of one session (default: the most recent)")
    _common(p)
    p.add_argument("session", nargs="?", help="session id or a prefix of it")
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("report", help="measured facts over a period: interventions, git metrics, issues")
    _common(p)
    p.add_argument("--since", default="7d", help="period: 24h, 7d, 2w … (default 7d)")
    p.add_argument("--repo", metavar="PATH", default=argparse.SUPPRESS,
                   help="repository for git metrics and issues (default: the current directory)")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--markdown", action="store_true")

    p = sub.add_parser("quota", help="the plan's quota windows: used %%, time to reset, warning band (Claude, Codex)")
    _common(p)
    p.add_argument("--json", action="store_true")

    p = sub.add_parser("approvals", help="every approval request and decision")
    _common(p)
    p.add_argument("--json", action="store_true", help="print a JSON array, newest first")
    p.add_argument("--session", help="only this session")
    p.add_argument("--limit", type=int, default=1000)

    # These run from cockpit.cli without argparse (start-up time counts); here only when global
    # options come first (`cockpit --db X hook …`), with their own arguments passed through untouched.
    p = sub.add_parser("hook", help="agent hook entry point: cockpit hook claude|codex permission-request|pre-tool-use|event")
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    p = sub.add_parser("statusline", help="Claude Code statusLine command: records the window, prints a gauge [--then CMD]")
    p.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)

    # Their arguments only: each handler's module is imported when that command runs.
    from cockpit.cli import parsers

    parsers.add_hooks_parser(sub)
    parsers.add_issues_parser(sub)
    parsers.add_gates_parsers(sub, _common)
    parsers.add_trust_parser(sub, _common)
    parsers.add_llm_parsers(sub, _common)
    parsers.add_prune_parser(sub, _common)

    p = sub.add_parser("doctor", help="what cockpit sees, what is missing and how to fix it")
    _common(p)
    p.add_argument("--json", action="store_true")
    if only is not None and not sub.found:
        return None
    return parser


def _progress(done: int, total: int) -> None:
    from cockpit.core.format import plural

    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write(f"\rindexing [{'#' * filled}{'.' * (width - filled)}] {done}/{plural(total, 'file')}")
    if done == total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cmd_index(ctx: Context) -> int:
    import time

    from cockpit.core.format import plural
    from cockpit.core.text import exact_line
    from cockpit.store.files import file_problems

    if ctx.args.rebuild:
        from cockpit.store.db import open_for_rebuild

        # The transcripts are the source of truth: even a damaged store is rebuilt (moved aside first).
        ctx._db, aside = open_for_rebuild(ctx.db_path)
        if aside is not None:
            out(f"cockpit: {ctx.db_path} was damaged: moved it aside to {aside} and rebuilding from the"
                " transcripts; its approvals, gate runs and other primary records cannot be recovered", err=True)
    ingestor = ctx.ingestor()
    started = time.perf_counter()
    result = ingestor.ingest_all(progress=_progress if sys.stderr.isatty() else None)
    elapsed = time.perf_counter() - started
    for error in ingestor.discovery_errors:
        out(f"warning: {exact_line(error)}", err=True)
    for path, error in file_problems(ctx.db):
        out(f"warning: {exact_line(path)}: {exact_line(error)}", err=True)
    sessions = ctx.db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0]
    out(
        f"indexed {plural(result.files, 'file')} ({result.bytes / 1e6:.1f} MB new, {plural(result.lines, 'line')})"
        f" in {elapsed:.2f} s; {plural(sessions, 'session')} in {ctx.db_path}"
    )
    from cockpit.cli.prune import prune_if_due
    from cockpit.store.db import StoreError

    try:
        pruned = prune_if_due(ctx, by="cockpit index")
    except StoreError as exc:
        # The index is written; what retention lets go can go next time.
        out(f"warning: retention: not pruned: {exc}", err=True)
        return 0
    if pruned is not None and (pruned.deleted or pruned.trimmed):
        out(f"retention: deleted {plural(pruned.deleted, 'row')} and trimmed {pruned.trimmed} in {pruned.seconds:.2f} s"
            " (`cockpit prune --dry-run` shows the rules)")
    return 0


def cmd_sessions(ctx: Context) -> int:
    """Live sessions (or --all), each with its health flags; Codex sub-threads nested under their parent."""

    from cockpit.core.health import health_json, marker
    from cockpit.core.serialize import session_json
    from cockpit.services.health import Nested, flatten, nest, session_health
    from cockpit.store.queries import list_sessions, utc_now

    ctx.ingestor().ingest_all()
    now = utc_now()
    views = list_sessions(
        ctx.db, now=now, live_minutes=ctx.settings.live_minutes, include_all=ctx.args.all, with_detail=True,
        roots=ctx.explicit_roots,
    )
    health = session_health(ctx.db, now, ctx.settings.live_minutes, ctx.settings.health, ctx.explicit_roots)
    tree = nest(views, lambda v: v.session_id, lambda v: v.parent_session_id)
    if ctx.args.json:
        def as_json(node: Nested[SessionView]) -> dict[str, Any]:
            view = node.item
            return {**session_json(view), "parent_session_id": view.parent_session_id,
                    "health": health_json(health.get(view.session_id, ())),
                    "threads": [as_json(t) for t in node.threads]}

        out_json([as_json(n) for n in tree])
        return 0
    from cockpit.core.format import session_line
    from cockpit.core.text import one_line

    if not views:
        out("no live sessions (use --all for every session found)" if not ctx.args.all else "no sessions found")
    for view, depth in flatten(tree):
        flags = health.get(view.session_id, ())
        indent = "  " * depth
        out(f"{indent}{'└ ' if depth else ''}{session_line(view)}" + (f"  ! {marker(flags)}" if flags else ""))
        for flag in flags:
            out(f"{indent}    ! {flag.kind} since {one_line(flag.since, 40)}: {flag.detail}")
    return 0


def _pick_session(ctx: Context) -> tuple[SessionView | None, str]:
    """The session `cockpit context` shows and why that one: the one named (or the newest whose id starts with
    the prefix given), else the newest live one, else the newest one found."""
    from cockpit.store.queries import get_session, list_sessions

    sid = ctx.args.session
    minutes = f"{ctx.settings.live_minutes:g} min"
    if sid is not None:
        found = get_session(ctx.db, sid)
        if found is None:
            return None, f"no session matches {sid!r}"
        named = found.session_id == sid
        return found, "the session named" if named else f"the newest session whose id starts with {sid!r}"
    live = list_sessions(ctx.db, include_all=False, live_minutes=ctx.settings.live_minutes, roots=ctx.explicit_roots)
    if live:
        others = f"; {len(live) - 1} other live, `cockpit sessions` lists them" if len(live) > 1 else ""
        return live[0], f"the newest live session (active in the last {minutes}{others})"
    recent = list_sessions(ctx.db, limit=1, live_minutes=ctx.settings.live_minutes, roots=ctx.explicit_roots)
    if not recent:
        return None, "no session found"
    return recent[0], f"the most recently active session (none is live: none active in the last {minutes})"


def cmd_context(ctx: Context) -> int:
    from cockpit.core.context import autocompact_tokens
    from cockpit.core.format import gauge_line
    from cockpit.core.text import one_line
    from cockpit.store.queries import get_session

    ingestor = ctx.ingestor()
    db = ctx.db
    if db.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0:
        ingestor.ingest_all()
    picked, why = _pick_session(ctx)
    if picked is None:
        out(why, err=True)
        return 1
    target = picked.session_id
    # Only the chosen session's files are read: fast enough for a statusLine.
    for record in list(ingestor.records.values()):
        if record.session_id == target:
            ingestor.ingest_file(record)
    view = get_session(db, target, live_minutes=ctx.settings.live_minutes)
    assert view is not None
    if ctx.args.json:
        from cockpit.core.serialize import session_json

        data = session_json(view)
        data["picked"] = why
        if view.context:
            data["autocompact_tokens"] = autocompact_tokens(view.context.window, view.agent)
        out_json(data)
    else:
        # The project's last folder is enough to recognise it here; `--json` has the whole path.
        project = os.path.basename(view.project.rstrip("/")) or view.project
        names = [one_line(view.session_id), view.agent.value] + [one_line(p, 50) for p in (project, view.title) if p]
        out(f"session {' · '.join(names)}")
        out(f"picked: {why}")
        out(gauge_line(view, ctx.settings.bands))
    return 0


def cmd_quota(ctx: Context) -> int:
    """Claude's newest statusLine quota observation and Codex's newest rollout one; null when none is usable."""
    from cockpit.services.quota import quota_json, quota_lines, read_quota
    from cockpit.store.queries import utc_now

    now = utc_now()
    report = read_quota(ctx.db, now, claude_roots=ctx.claude_roots, codex_roots=ctx.codex_roots)
    if ctx.args.json:
        for problem in report.problems:
            out(f"warning: {problem}", err=True)
        out_json(quota_json(report, now, ctx.settings.quota))
        return 0
    from cockpit.core.text import terminal_safe

    for line in quota_lines(report, now, ctx.settings.quota):
        out(terminal_safe(line, multiline=False))
    return 0


def cmd_approvals(ctx: Context) -> int:
    from dataclasses import asdict

    from cockpit.core.text import one_line
    from cockpit.store import approvals

    requests = approvals.history(ctx.db.conn, limit=ctx.args.limit, session_id=ctx.args.session)
    if ctx.args.json:
        out_json([asdict(r) for r in requests])
        return 0
    if not requests:
        out("no approval requests recorded")
    for r in requests:
        decision = r.decision or "-"
        out(f"{one_line(r.received_at[:19])}  {one_line(r.status, 40):<20} {one_line(decision, 20):<5}"
            f" {one_line(r.decided_by or '-', 60):<12} {one_line(r.session_id[:8])}"
            f"  {one_line(r.tool_name, 40):<8} {one_line(r.summary, 60)}")
    return 0


def cmd_report(ctx: Context) -> int:
    from cockpit.services.report import build_report, parse_since, render_markdown, render_text
    from cockpit.store.queries import utc_now

    try:
        since = parse_since(ctx.args.since, utc_now())
    except ValueError as exc:
        out(f"cockpit: {exc}", err=True)
        return 2
    ctx.ingestor().ingest_all()
    repo = getattr(ctx.args, "repo", None) or "."
    report = build_report(ctx.db, since, repo=str(Path(repo).resolve()))
    if ctx.args.json:
        out_json(report)
    elif ctx.args.markdown:
        out(render_markdown(report), end="")
    else:
        out(render_text(report), end="")
    return 0


def cmd_doctor(ctx: Context) -> int:
    from cockpit.cli.doctor import render_doctor
    from cockpit.services.doctor import doctor_report

    report = doctor_report(ctx.db, ctx.db_path, ctx.ingestor(), [*ctx.claude_roots, *ctx.codex_roots], ctx.settings,
                           ctx.config_path, getattr(ctx.args, "repo", None) or os.getcwd())
    if ctx.args.json:
        out_json(report)
    else:
        out(render_doctor(report), end="")
    return 0


def _cmd_prune(ctx: Context) -> int:
    from cockpit.cli.prune import cmd_prune

    return cmd_prune(ctx)


def _prepare_process_pool() -> None:
    """Start multiprocessing's resource tracker (a 13 MiB child) before Textual owns the terminal, only on a
    machine where the ingest's catch-up may use its process pool (cockpit/ingest/pipeline.py, _parse_all)."""
    from cockpit.ingest.pipeline import pool_workers

    if pool_workers():
        from cockpit.ui.workers.live import prepare_process_pool

        prepare_process_pool()


def cmd_dashboard(ctx: Context) -> int:
    from cockpit.ui.app import make_app

    _prepare_process_pool()
    if getattr(ctx.args, "quiet", False):
        from dataclasses import replace

        ctx.settings = replace(ctx.settings, notify=replace(ctx.settings.notify, enabled=False))
    app = make_app(ctx, theme=getattr(ctx.args, "theme", None))
    app.run()
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    import threading

    from cockpit.demo.workspace import Simulator, create_workspace, remove_workspace

    workspace = create_workspace(Path(args.dir) if args.dir else None)
    dashboard_args = build_parser().parse_args(
        ["dashboard", "--claude-dir", str(workspace.claude_dir), "--codex-dir", str(workspace.codex_dir),
         "--db", str(workspace.root / "cockpit.db"), "--live-minutes", "60", "--repo", str(workspace.repo)]
        + (["--theme", args.theme] if getattr(args, "theme", None) else [])
    )
    ctx = Context(dashboard_args)
    stop = threading.Event()
    simulator = Simulator(workspace, speed=args.speed)
    thread = threading.Thread(target=simulator.run, args=(stop,), name="demo-simulator", daemon=True)
    thread.start()
    from cockpit.demo.approvals import raise_requests

    asking = threading.Thread(
        target=raise_requests, args=(workspace.root / "cockpit.db", workspace.repo, stop),
        kwargs={"speed": args.speed}, name="demo-approvals", daemon=True,
    )
    asking.start()
    from cockpit.ui.app import make_app

    _prepare_process_pool()
    app = make_app(ctx, theme=getattr(args, "theme", None), subtitle=f"demo workspace {workspace.root}")
    try:
        app.run()
    finally:
        stop.set()
        thread.join(timeout=2)
        asking.join(timeout=2)
        removed = remove_workspace(workspace)  # a --dir workspace is kept
    out(f"demo workspace removed: {workspace.root}" if removed else f"demo workspace left in {workspace.root}")
    return 0


def _run_entry(command: str, args: argparse.Namespace) -> int:
    """`hook` / `statusline` after global options: the global --db applies unless given again after."""
    rest = list(args.rest)
    if args.db and "--db" not in rest:
        rest += ["--db", args.db]
    if command == "hook":
        from cockpit.hooks.run import main as hook_main

        return hook_main(rest)
    from cockpit.hooks.statusline import main as statusline_main

    return statusline_main(rest)


def run(raw: list[str]) -> int:
    from cockpit.store.db import StoreError

    # A command first (`cockpit index …`, as typed almost always): only its parser is built.
    parser = _build(raw[0]) if raw[:1] and not raw[0].startswith("-") else None
    args = (parser or build_parser()).parse_args(raw)
    command = args.cockpit_command or "dashboard"
    if command in ("hook", "statusline"):
        return _run_entry(command, args)
    try:
        if command == "demo":
            return cmd_demo(args)
        if command in ("hooks", "issues", "gates", "gate", "trust", "vibe", "premortem", "retro", "learnings"):
            return int(args.func(args))
        ctx = Context(args)
        handler = {
            "dashboard": cmd_dashboard,
            "index": cmd_index,
            "sessions": cmd_sessions,
            "context": cmd_context,
            "doctor": cmd_doctor,
            "approvals": cmd_approvals,
            "report": cmd_report,
            "prune": _cmd_prune,
            "quota": cmd_quota,
        }[command]
        try:
            return handler(ctx)
        finally:
            ctx.close()
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except StoreError as exc:
        out(f"cockpit: {exc}", err=True)
        return 1
    except RuntimeError as exc:
        out(f"cockpit: {exc}", err=True)
        return 1
