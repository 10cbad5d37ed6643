"""`cockpit doctor`: every root, file and session count, the database, and what to fix."""

from __future__ import annotations

import os
from typing import Any

from cockpit.core.text import exact_line
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
    database = {"path": db_path, "bytes": size, **database_report(db.conn, db_path)}
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
    llm = {"api_key": bool(os.environ.get("ANTHROPIC_API_KEY", "").strip())}
    if not llm["api_key"]:
        fixes.append("set ANTHROPIC_API_KEY for Claude's review in vibe, pre-mortem and retro (they run offline without it)")
    repo = repo_report(getattr(ctx.args, "repo", None) or os.getcwd(), str(ctx.db_path))
    problems.extend(repo["problems"])
    fixes.extend(repo["fixes"])
    policy = approvals_report(getattr(ctx.args, "repo", None) or os.getcwd(), ctx.config_path)
    problems.extend(policy["errors"])
    return {
        "repo": {k: v for k, v in repo.items() if k not in ("problems", "fixes")},
        "approvals": policy,
        "llm": llm,
        "hooks": hooks,
        "roots": roots,
        "files": len(files),
        "subagent_files": subagent_files,
        "sessions": {"claude": by_agent.get("claude", 0), "codex": by_agent.get("codex", 0)},
        "database": database,
        "retention": retention_report(db.conn, ctx.settings.retention),
        "config": {"path": str(ctx.config_path), "exists": ctx.config_path.exists()},
        "skipped_lines": skipped_by_reason(db),
        "problems": problems,
        "fixes": fixes,
    }


def database_report(conn: Any, db_path: str) -> dict[str, Any]:
    """The file and its WAL, the space free inside, and each table's rows and approximate size."""
    from cockpit.store.pruning import auto_vacuum_mode, free_bytes, table_sizes

    tables, sizes = table_sizes(conn)
    gone = conn.execute("SELECT COUNT(*) FROM files WHERE gone = 1").fetchone()[0]
    return {"file_bytes": os.path.getsize(db_path) if os.path.exists(db_path) else 0,
            "wal_bytes": os.path.getsize(db_path + "-wal") if os.path.exists(db_path + "-wal") else 0,
            "free_bytes": free_bytes(conn), "auto_vacuum": auto_vacuum_mode(conn), "sizes": sizes,
            "tables": tables, "gone_transcripts": gone}


def retention_report(conn: Any, retention: Any) -> dict[str, Any]:
    """The retention in force (defaults where the settings file said nothing or something invalid), and the last prune."""
    from cockpit.core.retention_rules import TABLE_SETTINGS
    from cockpit.store.pruning import last_prune

    return {"settings": retention.as_dict(), "tables": {t: list(keys) for t, keys in TABLE_SETTINGS.items()},
            "last_prune": last_prune(conn)}


def approvals_report(path: str, user_config: Any) -> dict[str, Any]:
    """The critical-step policy a hook in `path` would apply: where it comes from and what was refused."""
    from pathlib import Path

    from cockpit.config.policy import load_policy, repo_config_path
    from cockpit.core.policy import default_policy

    policy, root = load_policy(path, user_config=Path(user_config))
    defaults = {rule.text for rule in default_policy().rules}
    texts = [rule.text for rule in policy.rules]
    repo_config = repo_config_path(root)
    return {"user_config": str(user_config), "repo_config": str(repo_config) if repo_config else None,
            "rules": len(texts), "added": [t for t in texts if t not in defaults],
            "excluded": sorted(defaults - set(texts)), "on_no_cockpit": policy.on_no_cockpit,
            "timeout_seconds": policy.timeout_seconds, "errors": list(policy.errors)}


def repo_report(path: str, db_path: str | None = None) -> dict[str, Any]:
    """The repository side: where its gates come from, whether the pre-commit entry is in, its beads file."""
    from pathlib import Path

    from cockpit.hooks.githook import MARKER, hooks_dir
    from cockpit.sources.beads_files import find_beads
    from cockpit.sources.git import load_gate_config, repo_root

    root, error = repo_root(path)
    out: dict[str, Any] = {"path": path, "root": root or None, "problems": [], "fixes": []}
    if not root:
        out["error"] = error
        return out
    config = load_gate_config(root)
    out["gates"] = {"source": config.source, "names": [g.name for g in config.gates],
                    "required": [g.name for g in config.gates if g.required], "errors": list(config.errors)}
    out["problems"].extend(config.errors)
    out["gates"]["trusted"] = _gates_trusted(root, config, db_path)
    if config.gates and out["gates"]["trusted"] is False:
        from cockpit.core.trust_rules import trust_fix

        out["fixes"].append(f"the repository's gates are not trusted, so none runs without a key press: {trust_fix(None if os.path.abspath(path) == os.getcwd() else path)}")
    try:
        hook = hooks_dir(root) / "pre-commit"
        out["pre_commit"] = {"path": str(hook), "installed": hook.exists() and MARKER in hook.read_text(errors="replace")}
    except (RuntimeError, OSError) as exc:
        out["pre_commit"] = {"path": None, "installed": False, "error": str(exc)}
    if out["gates"]["required"] and not out["pre_commit"]["installed"]:
        out["fixes"].append("run `cockpit gate install` so a commit waits for the required gates")
    found = find_beads(Path(root))
    out["beads"] = str(found[0]) if found else None
    return out


def _gates_trusted(root: str, config: Any, db_path: str | None) -> bool | None:
    """Whether this gate configuration is trusted (None when the store cannot tell)."""
    try:
        from cockpit.store.db import connect
        from cockpit.store.trust_records import is_trusted

        conn = connect(db_path)
        try:
            return bool(is_trusted(conn, root, config))
        finally:
            conn.close()
    except Exception:  # noqa: BLE001 - doctor reports, it never fails
        return None


def _size(n: int | None) -> str:
    return "?" if n is None else f"{n / 1e6:.1f} MB" if n >= 100_000 else f"{n / 1e3:.0f} kB"


def _database_lines(db: dict[str, Any], retention: dict[str, Any] | None) -> list[str]:
    from cockpit.core.retention_rules import table_rule

    lines = [f"database: {exact_line(db['path'])} ({db['bytes'] / 1e6:.1f} MB: file {_size(db.get('file_bytes'))},"
             f" WAL {_size(db.get('wal_bytes'))}, {_size(db.get('free_bytes'))} free inside;"
             f" auto-vacuum {db.get('auto_vacuum', '?')})"]
    settings = (retention or {}).get("settings")
    tables = [t for t in db.get("tables", []) if t["rows"] or t["bytes"]]
    if tables:
        width = max(len(t["name"]) for t in tables)
        for t in tables:
            rows = "" if t["rows"] is None else f"{t['rows']} rows"
            rule = table_rule(t["name"], settings) if settings is not None else ""
            if t["name"] == "files" and db.get("gone_transcripts"):
                rule += f"; {db['gone_transcripts']} of transcripts that no longer exist (kept: indexed nowhere else)"
            size = "" if t["bytes"] is None else _size(t["bytes"])
            lines.append(f"  {exact_line(t['name']):<{width}} {rows:>13} {size:>9}  {rule}".rstrip())
    if db.get("sizes") and db["sizes"] != "dbstat":
        lines.append(f"  ({exact_line(db['sizes'])})")
    last = (retention or {}).get("last_prune")
    if retention is not None:
        when = (f"last pruned {last['at'][:16].replace('T', ' ')} UTC by {exact_line(str(last.get('by', '?')))}"
                f" ({last.get('deleted', 0)} rows deleted, {last.get('trimmed', 0)} trimmed)" if last else "never pruned")
        lines.append(f"retention: {when}; `cockpit prune --dry-run` shows what would go")
    return lines


def render_doctor(report: dict[str, Any]) -> str:
    """The report as text; every path, name and message from outside goes through `exact_line`."""
    lines = ["cockpit doctor", ""]
    lines.append("roots:")
    for r in report["roots"]:
        mark = "ok " if r["exists"] else "-- "
        extra = f"{r['files']} files" if r["exists"] else "not found"
        lines.append(f"  {mark}{r['agent']:<6} {exact_line(r['path'])}  ({r['origin']}, {extra})")
    s = report["sessions"]
    lines.append(f"files: {report['files']} ({report['subagent_files']} subagent files)")
    lines.append(f"sessions: {s['claude']} claude, {s['codex']} codex")
    lines.extend(_database_lines(report["database"], report.get("retention")))
    cfg = report["config"]
    lines.append(f"settings: {exact_line(cfg['path'])}" + ("" if cfg["exists"] else " (not present; defaults in use)"))
    skipped = report["skipped_lines"]
    if skipped:
        lines.append("skipped lines: " + ", ".join(f"{exact_line(k)} {v}" for k, v in sorted(skipped.items())))
    else:
        lines.append("skipped lines: none")
    lines.append("hooks:")
    for row in report.get("hooks", []):
        if not row.get("exists"):
            continue
        events = exact_line(", ".join(row.get("events") or [])) or "none of cockpit's"
        lines.append(f"  {row['agent']:<6} {row['scope']:<7} {exact_line(row['path'])}: {events}")
        if row.get("command") and not row.get("command_exists"):
            lines.append(f"    ! the hook command {exact_line(row['command'])} does not exist")
    if not any(row.get("exists") for row in report.get("hooks", [])):
        lines.append("  none installed")
    repo = report.get("repo", {})
    if repo.get("root"):
        gates = repo["gates"]
        lines.append(f"repository: {exact_line(repo['root'])}")
        trusted = {True: "trusted", False: "NOT trusted", None: "trust unknown"}[gates.get("trusted")]
        lines.append(f"  gates: {exact_line(', '.join(gates['names'])) or 'none'}"
                     f" (from {exact_line(gates['source'])}, {trusted};"
                     f" required: {exact_line(', '.join(gates['required'])) or 'none'})")
        hook = repo["pre_commit"]
        lines.append(f"  pre-commit entry: {'installed in ' + exact_line(hook['path']) if hook['installed'] else 'not installed'}")
        lines.append(f"  beads: {exact_line(repo['beads']) if repo['beads'] else 'no .beads/issues.jsonl'}")
    elif repo:
        lines.append(f"repository: none at {exact_line(repo['path'])} ({exact_line(repo.get('error', ''))})")
    policy = report.get("approvals")
    if policy:
        lines.append(f"critical steps: {policy['rules']} rules ({len(policy['added'])} added,"
                     f" {len(policy['excluded'])} defaults excluded by you); nobody to answer -> {policy['on_no_cockpit']}")
    if "llm" in report:
        lines.append("llm: " + ("ANTHROPIC_API_KEY set: vibe, pre-mortem and retro ask Claude" if report["llm"]["api_key"]
                                else "no ANTHROPIC_API_KEY: vibe, pre-mortem and retro run offline"))
    if report["problems"]:
        lines.append("")
        lines.append("problems:")
        lines.extend(f"  - {exact_line(p)}" for p in report["problems"])
    if report["fixes"]:
        lines.append("")
        lines.append("how to fix:")
        lines.extend(f"  - {exact_line(f)}" for f in report["fixes"])
    return "\n".join(lines) + "\n"
