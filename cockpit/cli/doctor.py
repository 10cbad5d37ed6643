"""`cockpit doctor`: the report of services/doctor.py, printed: every root, file and session count, the
database, the repository, and what to fix."""

from __future__ import annotations

from typing import Any

from cockpit.cli.terminal import whole
from cockpit.core.format import plural
from cockpit.core.text import exact_line


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
            rows = "" if t["rows"] is None else plural(t["rows"], "row")
            rule = table_rule(t["name"], settings) if settings is not None else ""
            if t["name"] == "files" and db.get("gone_transcripts"):
                rule += (f"; {plural(db['gone_transcripts'], 'row')} of transcripts that no longer exist"
                         " (kept: indexed nowhere else)")
            size = "" if t["bytes"] is None else _size(t["bytes"])
            lines.append(f"  {exact_line(t['name']):<{width}} {rows:>13} {size:>9}  {rule}".rstrip())
    if db.get("sizes") and db["sizes"] != "dbstat":
        lines.append(f"  ({exact_line(db['sizes'])})")
    last = (retention or {}).get("last_prune")
    if retention is not None:
        when = (f"last pruned {last['at'][:16].replace('T', ' ')} UTC by {exact_line(str(last.get('by', '?')))}"
                f" ({plural(last.get('deleted', 0), 'row')} deleted, {last.get('trimmed', 0)} trimmed)" if last
                else "never pruned")
        lines.append(f"retention: {when}; `cockpit prune --dry-run` shows what would go")
    return lines


def render_doctor(report: dict[str, Any]) -> str:
    """The report as text; every path, name and message from outside goes through `exact_line`."""
    lines = ["cockpit doctor", ""]
    lines.append("roots:")
    for r in report["roots"]:
        mark = "ok " if r["exists"] else "-- "
        extra = plural(r["files"], "file") if r["exists"] else "not found"
        lines.append(f"  {mark}{r['agent']:<6} {exact_line(r['path'])}  ({r['origin']}, {extra})")
    s = report["sessions"]
    lines.append(f"files: {report['files']} ({plural(report['subagent_files'], 'subagent file')})")
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
        lines.append(f"repository: none at {exact_line(repo['path'])}:")
        lines.append(f"    {whole(repo.get('error', ''))}")
    policy = report.get("approvals")
    if policy:
        lines.append(f"critical steps: {plural(policy['rules'], 'rule')} ({len(policy['added'])} added,"
                     f" {plural(len(policy['excluded']), 'default')} excluded by you);"
                     f" nobody to answer -> {policy['on_no_cockpit']}")
    if "llm" in report:
        lines.append("llm: " + ("ANTHROPIC_API_KEY set: vibe, pre-mortem and retro ask Claude" if report["llm"]["api_key"]
                                else "no ANTHROPIC_API_KEY: vibe, pre-mortem and retro run offline"))
    if report["problems"]:
        lines.append("")
        lines.append("problems:")
        lines.extend(f"  - {whole(p)}" for p in report["problems"])
    if report["fixes"]:
        lines.append("")
        lines.append("how to fix:")
        lines.extend(f"  - {exact_line(f)}" for f in report["fixes"])
    return "\n".join(lines) + "\n"
