"""`cockpit doctor`: every root, file and session count, the database, and what to fix."""

from __future__ import annotations

import os
from typing import Any

from cockpit.store.queries import file_problems, skipped_by_reason


def doctor_report(ctx: Any) -> dict[str, Any]:
    ingestor = ctx.ingestor()
    files = ingestor.discover()
    ingestor.ingest_all(files)
    db = ctx.db
    roots = []
    for root in [*ctx.claude_roots, *ctx.codex_roots]:
        count = sum(1 for f in files if f.path.startswith(root.path.rstrip("/") + "/") or f.path.startswith(root.path))
        roots.append({"agent": root.agent.value, "path": root.path, "exists": root.exists, "origin": root.origin,
                      "files": count if root.exists else 0})
    by_agent = dict(db.execute("SELECT agent, COUNT(*) FROM sessions GROUP BY agent").fetchall())
    subagent_files = sum(1 for f in files if f.subagent)
    db_path = str(ctx.db_path)
    size = sum(os.path.getsize(p) for p in (db_path, db_path + "-wal") if os.path.exists(p))
    problems: list[str] = []
    fixes: list[str] = []
    if not any(r["exists"] for r in roots if r["agent"] == "claude"):
        problems.append("no Claude Code directory found")
        fixes.append("start Claude Code once, or pass --claude-dir DIR (or set CLAUDE_CONFIG_DIR)")
    if not any(r["exists"] for r in roots if r["agent"] == "codex"):
        problems.append("no Codex directory found")
        fixes.append("pass --codex-dir DIR or set CODEX_HOME if you use Codex")
    for path, error in file_problems(db):
        problems.append(f"{path}: {error}")
    for error in ingestor.discovery_errors:
        problems.append(error)
    pending = db.execute("SELECT path, pending_bytes FROM files WHERE pending_bytes > 0").fetchall()
    for path, n in pending:
        problems.append(f"{path}: incomplete last line ({n} bytes), waiting for the agent to finish it")
    if ctx.settings.errors:
        problems.extend(ctx.settings.errors)
        fixes.append(f"fix the settings file {ctx.config_path}")
    from cockpit.hooks.install import installed_hooks

    try:
        hooks = installed_hooks(None)
    except Exception as exc:  # noqa: BLE001 - doctor reports, it never fails
        hooks = []
        problems.append(f"cannot read hook settings: {exc}")
    if not any(row.get("events") for row in hooks):
        fixes.append("run `cockpit hooks install` in your project to approve critical steps from the cockpit")
    return {
        "hooks": hooks,
        "roots": roots,
        "files": len(files),
        "subagent_files": subagent_files,
        "sessions": {"claude": by_agent.get("claude", 0), "codex": by_agent.get("codex", 0)},
        "database": {"path": db_path, "bytes": size},
        "config": {"path": str(ctx.config_path), "exists": ctx.config_path.exists()},
        "skipped_lines": skipped_by_reason(db),
        "problems": problems,
        "fixes": fixes,
    }


def render_doctor(report: dict[str, Any]) -> str:
    lines = ["cockpit doctor", ""]
    lines.append("roots:")
    for r in report["roots"]:
        mark = "ok " if r["exists"] else "-- "
        extra = f"{r['files']} files" if r["exists"] else "not found"
        lines.append(f"  {mark}{r['agent']:<6} {r['path']}  ({r['origin']}, {extra})")
    s = report["sessions"]
    lines.append(f"files: {report['files']} ({report['subagent_files']} subagent files)")
    lines.append(f"sessions: {s['claude']} claude, {s['codex']} codex")
    db = report["database"]
    lines.append(f"database: {db['path']} ({db['bytes'] / 1e6:.1f} MB)")
    cfg = report["config"]
    lines.append(f"settings: {cfg['path']}" + ("" if cfg["exists"] else " (not present; defaults in use)"))
    skipped = report["skipped_lines"]
    if skipped:
        lines.append("skipped lines: " + ", ".join(f"{k} {v}" for k, v in sorted(skipped.items())))
    else:
        lines.append("skipped lines: none")
    lines.append("hooks:")
    for row in report.get("hooks", []):
        if not row.get("exists"):
            continue
        events = ", ".join(row.get("events") or []) or "none of cockpit's"
        lines.append(f"  {row['agent']:<6} {row['scope']:<7} {row['path']}: {events}")
        if row.get("command") and not row.get("command_exists"):
            lines.append(f"    ! the hook command {row['command']} does not exist")
    if not any(row.get("exists") for row in report.get("hooks", [])):
        lines.append("  none installed")
    if report["problems"]:
        lines.append("")
        lines.append("problems:")
        lines.extend(f"  - {p}" for p in report["problems"])
    if report["fixes"]:
        lines.append("")
        lines.append("how to fix:")
        lines.extend(f"  - {f}" for f in report["fixes"])
    return "\n".join(lines) + "\n"
