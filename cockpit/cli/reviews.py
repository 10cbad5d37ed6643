"""`cockpit vibe` (exit 0 PASS, 1 WARN, 2 FAIL), `cockpit premortem`, `cockpit retro`, `cockpit learnings`.

With `--dry-run` the first three print the request they would send to Claude, redacted as it would be,
and send and write nothing; with a key or without one."""

from __future__ import annotations

import argparse
from typing import Any

from cockpit.cli.terminal import out, out_json, whole
from cockpit.core.format import plural
from cockpit.core.text import exact_line, one_line

EXIT = {"PASS": 0, "FAIL": 2}


def print_dry_run(dry: Any, as_json: bool) -> int:
    """`--dry-run`: the exact Messages API request plus `redacted` counts and `would_send`, as one JSON object."""
    if as_json:
        out_json(dry.to_json())
        return 0
    from cockpit.core.redact import summarize

    if dry.request is None:
        out(f"nothing would be sent: {one_line(dry.reason, 1000)}")
        return 0
    request = dry.request
    out(f"would send: {'yes' if dry.would_send else 'no'}{' (' + one_line(dry.reason, 1000) + ')' if dry.reason else ''}")
    out(f"model {exact_line(request['model'])}, max_tokens {request['max_tokens']}, tool {request['tool_choice']['name']}")
    out(f"redaction: {summarize(dry.redacted)}")
    out("--- system ---")
    out(request["system"])
    out("--- user ---")
    out(request["messages"][0]["content"])
    return 0


def render_text(result: Any) -> str:
    lines = [f"vibe: {result.verdict}   tree {result.tree[:10]}   {one_line(result.change, 300)}",
             f"intent ({one_line(result.intent.source, 200)}): {one_line(result.intent.title) or '-'}"]
    for f in result.findings:
        where = exact_line(f"{f.file}:{f.line}" if f.file and f.line else f.file)
        lines.append(f"  {f.severity:<4} {f.check:<18} {where + '  ' if where else ''}{one_line(f.message, 1000)}")
    lines.append(f"semantic review: {one_line(result.review_note, 1000)}")
    lines.append(f"redaction: {one_line(result.redaction, 1000)}")
    lines.append(f"prompt budget: {one_line(result.trimming, 1000)}")
    if result.path:
        lines.append(f"report: {exact_line(result.path)}")
    return "\n".join(lines) + "\n"


def cmd_vibe(args: argparse.Namespace) -> int:
    from cockpit.services.vibe import run_vibe

    setup = _setup(args, "vibe", "deterministic checks only (offline)")
    if setup is None:
        return 2
    ctx, llm, vibe_settings, root = setup
    if args.dry_run:
        from cockpit.services.vibe import vibe_request

        try:
            dry = vibe_request(ctx.db.conn, root, llm, intent_text=args.intent, staged=args.staged,
                               commit_range=args.commit_range, max_lines=vibe_settings.max_lines,
                               fail_lines=vibe_settings.fail_lines)
        except RuntimeError as exc:
            out(f"cockpit vibe: {exc}", err=True)
            return 2
        return print_dry_run(dry, args.json)
    try:
        result = run_vibe(ctx.db.conn, root, llm, intent_text=args.intent, staged=args.staged,
                          commit_range=args.commit_range, max_lines=vibe_settings.max_lines,
                          fail_lines=vibe_settings.fail_lines, write=not args.no_write)
    except RuntimeError as exc:
        out(f"cockpit vibe: {exc}", err=True)
        return 2
    if args.json:
        out_json(result.to_json())
    else:
        out(render_text(result), end="")
    return EXIT.get(result.verdict, vibe_settings.warn_exit)


def _setup(args: argparse.Namespace, what: str, offline: str = "offline") -> tuple[Any, Any, Any, str] | None:
    """(context, llm, the repository's vibe settings, repository root) or None after saying why not."""
    from cockpit.cli.context import Context
    from cockpit.services.llm_setup import configured_llm
    from cockpit.sources.git import repo_root

    repo = getattr(args, "repo", None) or "."
    root, error = repo_root(repo)
    if not root:
        out(f"cockpit {what}: {whole(error)}", err=True)
        return None
    llm, vibe, problems = configured_llm(root, model=getattr(args, "model", None))
    for problem in problems:
        out(f"cockpit {what}: {problem}", err=True)
    if not llm.available:
        out(f"cockpit {what}: no ANTHROPIC_API_KEY: {offline}", err=True)
    return Context(args), llm, vibe, root


def cmd_premortem(args: argparse.Namespace) -> int:
    from cockpit.services.premortem import run_premortem

    setup = _setup(args, "premortem")
    if setup is None:
        return 2
    ctx, llm, _, root = setup
    if args.dry_run:
        from cockpit.services.premortem import premortem_request

        try:
            dry = premortem_request(ctx.db.conn, root, llm, issue=args.issue, plan_file=args.plan)
        except RuntimeError as exc:
            out(f"cockpit premortem: {exc}", err=True)
            return 2
        return print_dry_run(dry, args.json)
    try:
        result = run_premortem(ctx.db.conn, root, llm, issue=args.issue, plan_file=args.plan)
    except RuntimeError as exc:
        out(f"cockpit premortem: {exc}", err=True)
        return 2
    if args.json:
        out_json({"verdict": result.verdict, "subject": result.subject, "issue": result.issue_id or None,
                   "report": result.path, "online": result.online, "note": result.note,
                   "learnings": [list(x) for x in result.learnings], "failures": [list(x) for x in result.failures],
                   "checklist": list(result.checklist), "review": result.data})
    else:
        out(f"pre-mortem: {result.verdict}   {one_line(result.subject, 200)}")
        for line in result.checklist:
            out(f"  [ ] {one_line(line, 400)}")
        out(f"{one_line(result.note, 1000)}\nreport: {exact_line(result.path)}")
    return EXIT.get(result.verdict, 1)


def cmd_retro(args: argparse.Namespace) -> int:
    from cockpit.services.retro import run_retro

    setup = _setup(args, "retro")
    if setup is None:
        return 2
    ctx, llm, _, root = setup
    ctx.ingestor().ingest_all()  # the index of transcripts, as every reading command brings it up to date
    if args.dry_run:
        from cockpit.services.retro import retro_request

        try:
            dry = retro_request(ctx.db.conn, root, llm, session=args.session)
        except RuntimeError as exc:
            out(f"cockpit retro: {exc}", err=True)
            return 2
        return print_dry_run(dry, args.json)
    try:
        result = run_retro(ctx.db.conn, root, llm, session=args.session)
    except RuntimeError as exc:
        out(f"cockpit retro: {exc}", err=True)
        return 2
    if args.json:
        out_json({"session": result.session_id, "title": result.title, "facts": result.facts,
                   "learnings": [{"title": x.title, "category": x.category, "confidence": x.confidence,
                                  "evidence": x.evidence, "source": x.source} for x in result.learnings],
                   "retro": result.retro_path, "files": list(result.learning_paths), "online": result.online,
                   "note": result.note}, default=str)
    else:
        f = result.facts
        out(f"retro of {one_line(result.session_id[:8])} {one_line(result.title)}")
        counts = ", ".join(plural(n, noun) if isinstance(n, int) else f"{n} {noun}s" for n, noun in (
            (f.get("compactions"), "compaction"), (f.get("tool_errors"), "tool error"), (f.get("commits"), "commit")))
        out(f"  {f.get('duration_minutes')} min, peak {f.get('peak_pct')}%, {f.get('minutes_above_40')} min above 40%,"
            f" {counts}")
        for x in result.learnings:
            out(f"  - [{one_line(x.category, 40)}/{one_line(x.confidence, 40)}] {one_line(x.title)}")
        out(f"{one_line(result.note, 1000)}\nretro: {exact_line(result.retro_path)}")
    return 0


def cmd_learnings(args: argparse.Namespace) -> int:
    from cockpit.cli.context import Context
    from cockpit.store.learnings import search_learnings

    rows = search_learnings(Context(args).db.conn, args.query, limit=args.limit)
    if args.json:
        out_json(rows)
        return 0
    if not rows:
        out("no learnings yet: `cockpit retro` writes them" if not args.query else f"no learning matches {args.query!r}")
    for row in rows:
        out(f"L{row['id']:<5} {one_line(row['created_at'][:10])}  [{one_line(row['category'], 40)}/"
            f"{one_line(row['confidence'], 40)}] {one_line(row['title'])}  ({exact_line(row['path'])})")
    return 0
