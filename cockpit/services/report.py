"""`cockpit report`: measured facts over a period: interventions (factor VIII), git metrics (factor X),
and issues (factor I: completion rate, cost per issue from the sessions linked to it), and what
cockpit's own calls to Claude cost. The counting queries live in the store (store/interventions.py,
store/llm_calls.py); this module gathers the sections and renders them.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.core.format import noun_for, plural
from cockpit.core.text import exact_line, one_line
from cockpit.store.db import Database
from cockpit.store.interventions import interventions
from cockpit.store.llm_calls import call_totals

_SINCE = re.compile(r"^(\d+)([hdw])$")


def parse_since(text: str, now: datetime) -> datetime:
    """'7d', '24h', '2w' -> a moment before `now`; ValueError with the accepted forms otherwise."""
    match = _SINCE.match(text.strip())
    if not match:
        raise ValueError(f"--since {text!r}: use a number and h, d or w, e.g. 24h, 7d, 2w")
    amount, unit = int(match.group(1)), match.group(2)
    return now - timedelta(hours=amount * {"h": 1, "d": 24, "w": 168}[unit])


def _interventions(totals: dict[str, Any]) -> str:
    return (f"{plural(totals['requests'], 'approval request')}, {totals['denied']} denied,"
            f" {plural(totals['interrupts'], 'interrupt')}")


def render_markdown(report: dict[str, Any]) -> str:
    inter = report["interventions"]
    lines = [f"# cockpit report since {report['since'][:10]}", "", "## Interventions (factor VIII)", ""]
    totals = inter["totals"]
    lines.append(f"{_interventions(totals)}; {totals['interventions_per_session']} interventions per session.")
    lines += ["", "| day | requests | denied | interrupts |", "|---|---:|---:|---:|"]
    lines += [f"| {d['day']} | {d['requests']} | {d['denied']} | {d['interrupts']} |" for d in inter["days"]]
    lines += ["", "| session | title | requests | denied | interrupts |", "|---|---|---:|---:|---:|"]
    for s in inter["sessions"][:50]:
        title = one_line(s["title"] or "", 60).replace("|", "\\|")
        lines.append(f"| {one_line(s['session_id'][:8])} | {title} | {s['requests']} | {s['denied']} | {s['interrupts']} |")
    if "git" in report:
        from cockpit.core.gitmetrics import render_metrics_markdown

        lines += ["", *render_metrics_markdown(report["git"])]
        if report["git"].get("error"):
            lines.append(f"\n(git: {exact_line(report['git']['error'])})")
    if "issues" in report:
        lines += _issue_lines(report["issues"], markdown=True)
    if report.get("llm", {}).get("calls"):
        llm = report["llm"]
        lines += ["", "## cockpit's calls to Claude", "", "| purpose | calls | ok | tokens in | tokens out | cost |",
                  "|---|---:|---:|---:|---:|---:|"]
        for r in llm["by_purpose"]:
            cost = "$?" if r["cost_usd"] is None else f"${r['cost_usd']:.4f}"
            lines.append(f"| {r['purpose']} | {r['calls']} | {r['ok']} | {r['input_tokens']} | {r['output_tokens']} | {cost} |")
    return "\n".join(lines) + "\n"


def git_section(repo: str, since: datetime, until: datetime | None = None) -> dict[str, Any]:
    from cockpit.core.gitmetrics import compute_metrics
    from cockpit.sources.gitlog import read_commits

    commits, error = read_commits(repo, since=since, until=until)
    out = compute_metrics(commits)
    if error:
        out["error"] = error
    return out


def issues_section(db: Database, repo: str, since: datetime, now: datetime) -> dict[str, Any]:
    """Completion rate in the period and, per linked issue, its sessions, commits and their cost."""
    from cockpit.core.beads import compute_queue
    from cockpit.core.issue_refs import completion, cost_per_issue
    from cockpit.services.issue_links import repo_links
    from cockpit.sources.beads_files import read_beads
    from cockpit.sources.gitlog import read_commits

    beads = read_beads(Path(repo))
    if beads.path is None:
        return {"error": beads.error or f"no .beads/issues.jsonl in {repo}"}
    commits, _ = read_commits(repo, since=since, until=now)
    root = str(Path(beads.path).parents[1])
    issues = compute_queue(beads.issues, now).issues
    links, sessions = repo_links(db.conn, root, issues, commits)
    active = {s.session_id for s in sessions if s.ended_at is not None and s.ended_at >= since}
    costs = cost_per_issue(links, [s for s in sessions if s.session_id in active])
    rows = []
    for issue_id, linked in links.issue_sessions.items():
        in_period = [sid for sid in linked if sid in active]
        shas = links.issue_commits.get(issue_id, ())
        if not in_period and not shas:
            continue
        issue = issues[issue_id]
        rows.append({"id": issue_id, "title": issue.title, "status": issue.status, "sessions": len(in_period),
                     "commits": len(shas), "cost_usd": costs.get(issue_id) if in_period else 0.0})
    for issue_id, shas in links.issue_commits.items():
        if issue_id not in links.issue_sessions:
            issue = issues[issue_id]
            rows.append({"id": issue_id, "title": issue.title, "status": issue.status, "sessions": 0,
                         "commits": len(shas), "cost_usd": 0.0})
    rows.sort(key=lambda r: (-(r["cost_usd"] or 0.0), r["id"]))
    return {"source": str(beads.path), "completion": completion(issues.values(), since, now),
            "linked": rows}


def build_report(db: Database, since: datetime, repo: str | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    report: dict[str, Any] = {"since": since.astimezone(UTC).isoformat(),
                              "interventions": interventions(db.conn, since), "llm": call_totals(db.conn, since)}
    if repo is not None:
        report["repo"] = repo
        now = now or datetime.now(UTC)
        report["git"] = git_section(repo, since, now)
        report["issues"] = issues_section(db, repo, since, now)
    return report


def _issue_lines(issues: dict[str, Any], markdown: bool) -> list[str]:
    if "error" in issues:
        return [f"issues: {exact_line(issues['error'])}"]
    done = issues["completion"]
    rate = f"{done['rate_pct']}%" if done["rate_pct"] is not None else "n/a"
    head = f"{done['closed']} closed / {done['started']} started: completion {rate}"
    if not markdown:
        lines = [f"issues: {head}"]
        for row in issues["linked"][:15]:
            cost = "$?" if row["cost_usd"] is None else f"${row['cost_usd']:.2f}"
            lines.append(f"  {one_line(row['id'], 40):<14} {one_line(row['status'], 20):<11}"
                         f" {row['sessions']:>2} {noun_for(row['sessions'], 'session'):<8}"
                         f" {row['commits']:>3} {noun_for(row['commits'], 'commit'):<7}"
                         f" {cost:>9}  {one_line(row['title'], 50)}")
        return lines
    lines = ["", "## Issues (factor I)", "", head + ".", "", "| issue | status | sessions | commits | cost | title |",
             "|---|---|---:|---:|---:|---|"]
    for row in issues["linked"][:50]:
        cost = "$?" if row["cost_usd"] is None else f"${row['cost_usd']:.2f}"
        title = one_line(row["title"], 60).replace("|", "\\|")
        issue_id, status = (one_line(row[k], 40).replace("|", "\\|") for k in ("id", "status"))
        lines.append(f"| {issue_id} | {status} | {row['sessions']} | {row['commits']} | {cost} | {title} |")
    return lines


def render_text(report: dict[str, Any]) -> str:
    inter = report["interventions"]
    totals = inter["totals"]
    lines = [f"since {report['since'][:16]}",
             f"interventions: {_interventions(totals)} ({totals['interventions_per_session']} per session)"]
    for day in inter["days"]:
        lines.append(f"  {day['day']}  requests {day['requests']:>3}  denied {day['denied']:>3}  interrupts {day['interrupts']:>3}")
    if "git" in report:
        from cockpit.core.gitmetrics import render_metrics_lines

        lines += render_metrics_lines(report["git"])
        if report["git"].get("error"):
            lines.append(f"  ({exact_line(report['git']['error'])})")
    if "issues" in report:
        lines += _issue_lines(report["issues"], markdown=False)
    if report.get("llm", {}).get("calls"):
        llm = report["llm"]
        cost = "$?" if llm["cost_usd"] is None else f"${llm['cost_usd']:.2f}"
        parts = ", ".join(f"{r['purpose']} {r['calls']}" for r in llm["by_purpose"])
        lines.append(f"cockpit's calls to Claude: {llm['calls']} ({parts}), {cost}")
    return "\n".join(lines) + "\n"
