"""Validation and learning jobs: vibe, pre-mortem, retro and the handoff note, each writing a report.

A job is a function (conn, root, llm, cancel) -> JobOutcome; `run_job` gives it the store, the
repository's root and the LLM client, and posts one JobFinished whatever happens.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cockpit.ui.messages import JobFinished, JobOutcome
from cockpit.ui.workers import Post, failure

Job = Callable[[Any, str, Any, threading.Event], JobOutcome]
VERDICT_STYLE = {"PASS": "$success", "WARN": "$warning", "FAIL": "$error"}


def run_job(kind: str, job: Job, repo: str, db_path: str, cancel: threading.Event, post: Post) -> None:
    """Run `job` and post its JobFinished: the outcome, "cancelled", or the error as one line."""
    from cockpit.config.llm import load_llm_config
    from cockpit.llm.client import Cancelled, Llm
    from cockpit.sources.git import repo_root
    from cockpit.store.db import connect

    try:
        root = repo_root(repo)[0] or str(Path(repo).resolve())
        settings, _, _ = load_llm_config(root)
        conn = connect(db_path)
        try:
            message = JobFinished(kind, cancel, job(conn, root, Llm(settings), cancel))
        finally:
            conn.close()
    except Cancelled:
        message = JobFinished(kind, cancel, error="cancelled")
    except RuntimeError as exc:  # the services' own words for what is missing (no session, no such issue)
        message = JobFinished(kind, cancel, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - any failure is a line in the log, never a crash
        message = JobFinished(kind, cancel, error=failure(exc))
    post(message)


def vibe(session: str) -> Job:
    """The vibe of the working tree, its intent read from `session` first ("" for the repository's latest)."""

    def job(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
        from cockpit.config.llm import load_llm_config
        from cockpit.services.vibe import run_vibe

        _, settings, _ = load_llm_config(root)
        r = run_vibe(conn, root, llm, cancel=cancel, max_lines=settings.max_lines, fail_lines=settings.fail_lines,
                     session=session)
        how = "reviewed by Claude" if r.online else "offline: deterministic checks"
        return JobOutcome(f"vibe {r.verdict}", r.path, root,
                          f"vibe: {r.verdict} — {r.path} ({len(r.findings)} findings; {how}; intent: {r.intent.source})",
                          VERDICT_STYLE.get(r.verdict, "$error"))

    return job


def premortem(issue: str) -> Job:
    """The pre-mortem of `issue` ("" for the issue in progress)."""

    def job(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
        from cockpit.services.premortem import run_premortem

        r = run_premortem(conn, root, llm, issue=issue, cancel=cancel)
        how = "reviewed by Claude" if r.online else "offline checklist"
        return JobOutcome(f"pre-mortem {r.verdict}", r.path, root,
                          f"pre-mortem: {r.verdict} — {r.subject} — {r.path} ({how})", VERDICT_STYLE.get(r.verdict, "$error"))

    return job


def retro(session: str) -> Job:
    """The retro of `session` ("" for the latest)."""

    def job(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
        from cockpit.services.retro import run_retro

        r = run_retro(conn, root, llm, session=session, cancel=cancel)
        return JobOutcome(f"retro {r.session_id[:8]}", r.retro_path, root,
                          f"retro: {r.session_id[:8]} — {len(r.learnings)} learnings — {r.retro_path}"
                          f" ({'Claude' if r.online else 'mechanical, offline'})", "$success")

    return job


def handoff(session: str) -> Job:
    """A handoff note for `session` ("" for the latest)."""

    def job(conn: Any, root: str, llm: Any, cancel: threading.Event) -> JobOutcome:
        from cockpit.services.handoff import write_handoff

        path, lines = write_handoff(conn, root, session, datetime.now(UTC))
        return JobOutcome("handoff note", path, root, f"handoff: {lines} lines — {path}", "$success")

    return job
