"""`cockpit doctor`'s checks: every root, file and session count, the database, the repository's gates and
hooks, the approval policy, and what to fix. cockpit/cli/doctor.py prints the report.

Doctor reports, it never fails: a check that cannot run is a problem line, not an exception.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cockpit.config.settings import Settings
from cockpit.core.format import plural
from cockpit.sources.discovery import Root
from cockpit.store.queries import (
    file_problems,
    gone_files,
    incomplete_files,
    sessions_per_agent,
    skipped_by_reason,
)


def doctor_report(db: Any, db_path: Path, ingestor: Any, roots: Sequence[Root], settings: Settings,
                  config_path: Path, repo_path: str) -> dict[str, Any]:
    """The whole report: `ingestor` brings the index up to date first; `repo_path` is the repository to check."""
    files = ingestor.discover()
    ingestor.ingest_all(files)
    found_roots = []
    for root in roots:
        count = sum(1 for f in files if f.path.startswith(root.path.rstrip("/") + "/") or f.path.startswith(root.path))
        found_roots.append({"agent": root.agent.value, "path": root.path, "exists": root.exists, "origin": root.origin,
                            "files": count if root.exists else 0})
    by_agent = sessions_per_agent(db)
    subagent_files = sum(1 for f in files if f.subagent)
    path = str(db_path)
    size = sum(os.path.getsize(p) for p in (path, path + "-wal") if os.path.exists(p))
    database = {"path": path, "bytes": size, **database_report(db.conn, path)}
    problems: list[str] = []
    fixes: list[str] = []
    if not any(r["exists"] for r in found_roots if r["agent"] == "claude"):
        problems.append("no Claude Code directory found")
        fixes.append("start Claude Code once, or pass --claude-dir DIR (or set CLAUDE_CONFIG_DIR)")
    if not any(r["exists"] for r in found_roots if r["agent"] == "codex"):
        problems.append("no Codex directory found")
        fixes.append("pass --codex-dir DIR or set CODEX_HOME if you use Codex")
    for file, error in file_problems(db):
        problems.append(f"{file}: {error}")
    for error in ingestor.discovery_errors:
        problems.append(error)
    for file, n in incomplete_files(db):
        problems.append(f"{file}: incomplete last line ({plural(n, 'byte')}), waiting for the agent to finish it")
    if settings.errors:
        problems.extend(settings.errors)
        fixes.append(f"fix the settings file {config_path}")
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
    repo = repo_report(repo_path, path)
    problems.extend(repo["problems"])
    fixes.extend(repo["fixes"])
    policy = approvals_report(repo_path, config_path)
    problems.extend(policy["errors"])
    return {
        "repo": {k: v for k, v in repo.items() if k not in ("problems", "fixes")},
        "approvals": policy,
        "llm": llm,
        "hooks": hooks,
        "roots": found_roots,
        "files": len(files),
        "subagent_files": subagent_files,
        "sessions": {"claude": by_agent.get("claude", 0), "codex": by_agent.get("codex", 0)},
        "database": database,
        "retention": retention_report(db.conn, settings.retention),
        "config": {"path": str(config_path), "exists": config_path.exists()},
        "skipped_lines": skipped_by_reason(db),
        "problems": problems,
        "fixes": fixes,
    }


def database_report(conn: Any, db_path: str) -> dict[str, Any]:
    """The file and its WAL, the space free inside, and each table's rows and approximate size."""
    from cockpit.store.pruning import auto_vacuum_mode, free_bytes, table_sizes

    tables, sizes = table_sizes(conn)
    return {"file_bytes": os.path.getsize(db_path) if os.path.exists(db_path) else 0,
            "wal_bytes": os.path.getsize(db_path + "-wal") if os.path.exists(db_path + "-wal") else 0,
            "free_bytes": free_bytes(conn), "auto_vacuum": auto_vacuum_mode(conn), "sizes": sizes,
            "tables": tables, "gone_transcripts": gone_files(conn)}


def retention_report(conn: Any, retention: Any) -> dict[str, Any]:
    """The retention in force (defaults where the settings file said nothing or something invalid), and the last prune."""
    from cockpit.core.retention_rules import TABLE_SETTINGS
    from cockpit.store.pruning import last_prune

    return {"settings": retention.as_dict(), "tables": {t: list(keys) for t, keys in TABLE_SETTINGS.items()},
            "last_prune": last_prune(conn)}


def approvals_report(path: str, user_config: Any) -> dict[str, Any]:
    """The critical-step policy a hook in `path` would apply: where it comes from and what was refused."""
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
    from cockpit.config.gates import load_gate_config
    from cockpit.hooks.githook import MARKER
    from cockpit.sources.beads_files import find_beads
    from cockpit.sources.git import hooks_dir, repo_root

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
