"""vibe-check git metrics: semantic-free signals computed from commit times, subjects and sizes.

Rules (agentops-formats.md §2.7, factor X "small iterations"):

- Fix commit: conventional ``fix:`` / ``fix(scope):`` / ``fix!:`` prefix, or one of the whole words
  fix/fixes/fixed/fixing, bug/bugs, bugfix, hotfix, patch/patches/patched, revert/reverts/reverted
  in the subject, case-insensitive ("prefix" and "debugger" are not fixes, "Fixes #3" is).
- Scope: conventional-commit scope ``type(scope):`` (lower-cased) if present, else the top-level
  directory holding most of the commit's files (files at the top level count as "(root)"; ties go to
  the alphabetically first name), else "(root)".
- Velocity = commits per active hour. Sessions split where consecutive commits are more than 2 h
  apart; each session lasts from its first to its last commit but at least 0.25 h, so a lone commit
  never divides by zero. Ratings: ELITE > 5, HIGH > 3, MEDIUM > 1, else LOW.
- Rework ratio (percent) = fix commits / all commits. ELITE < 30, HIGH < 50, MEDIUM < 70, else LOW.
- Trust pass rate (percent) = 1 - failed / non-fix commits, where a non-fix commit fails when a fix
  commit on the same scope lands at most 10 min after it. Counting failed non-fix commits (not fixes)
  keeps the rate within 0-100. No non-fix commits gives None / "n/a". ELITE > 95, HIGH > 80,
  MEDIUM > 60, else LOW.
- Debug spiral = 3+ fix commits on one scope whose first and last are at most 30 min apart. Per
  scope, a window opens at each fix and takes every later fix within 30 min of it; windows of 3+
  become a spiral and the scan resumes after it, so spirals never overlap. Rating on the average
  duration in minutes: no spirals or ELITE < 15, HIGH < 30, MEDIUM < 60, else LOW.
- Commit size = insertions + deletions. Merge commits (no files) count as commits everywhere else
  but not in size statistics; commits that touch files without countable lines (binary, mode-only)
  fall into the "0-10" bucket. p90 uses the nearest-rank method.

With zero commits every value is None and every rating "n/a". Floats are rounded to 2 decimals.

Too small a sample is not graded: below MIN_GRADED_COMMITS commits or MIN_GRADED_HOURS active hours
(a lone commit is "4 commits/h"; two fixes in three commits are "67% rework") the values are still
given, every rating is "n/a", ``graded`` is false and ``ungraded_reason`` says why, e.g. "too few
commits to grade: 1 (needs 5)".
"""

from __future__ import annotations

import math
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cockpit.core.format import plural

SESSION_GAP = timedelta(hours=2)
MIN_SESSION_HOURS = 0.25
TRUST_WINDOW = timedelta(minutes=10)
SPIRAL_WINDOW = timedelta(minutes=30)
SPIRAL_MIN_FIXES = 3
MIN_GRADED_COMMITS = 5
MIN_GRADED_HOURS = 1.0
SIZE_BUCKETS: tuple[tuple[str, int, float], ...] = (
    ("0-10", 0, 10), ("11-50", 11, 50), ("51-200", 51, 200), ("201-500", 201, 500), ("501+", 501, math.inf),
)

_FIX_PREFIX = re.compile(r"^\s*fix(?:\([^)]*\))?!?:", re.IGNORECASE)
_FIX_WORD = re.compile(
    r"\b(?:fix(?:es|ed|ing)?|bugs?|bugfix|hotfix|patch(?:es|ed)?|revert(?:s|ed)?)\b", re.IGNORECASE
)
_CONVENTIONAL_SCOPE = re.compile(r"^\s*[A-Za-z]+\(([^)]+)\)!?:")


@dataclass(frozen=True, slots=True)
class CommitInfo:
    sha: str
    when: datetime  # tz-aware; a naive value is read as UTC
    subject: str
    files: tuple[str, ...]
    insertions: int
    deletions: int


def is_fix(subject: str) -> bool:
    return bool(_FIX_PREFIX.match(subject) or _FIX_WORD.search(subject))


def scope_of(commit: CommitInfo) -> str:
    match = _CONVENTIONAL_SCOPE.match(commit.subject)
    if match and match.group(1).strip():
        return match.group(1).strip().lower()
    tops = Counter(path.split("/", 1)[0] if "/" in path else "(root)" for path in commit.files)
    if not tops:
        return "(root)"
    return min(tops, key=lambda name: (-tops[name], name))


def _aware(when: datetime) -> datetime:
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def _rate(value: float | None, high_is_good: bool, elite: float, high: float, medium: float) -> str:
    if value is None:
        return "n/a"
    better = (lambda a, b: a > b) if high_is_good else (lambda a, b: a < b)
    for name, limit in (("ELITE", elite), ("HIGH", high), ("MEDIUM", medium)):
        if better(value, limit):
            return name
    return "LOW"


def _active_hours(times: list[datetime]) -> float:
    if not times:
        return 0.0
    hours, start, last = 0.0, times[0], times[0]
    for when in times[1:]:
        if when - last > SESSION_GAP:
            hours += max((last - start).total_seconds() / 3600, MIN_SESSION_HOURS)
            start = when
        last = when
    return hours + max((last - start).total_seconds() / 3600, MIN_SESSION_HOURS)


def _failed_trust(times: list[datetime], fix_flags: list[bool], scopes: list[str]) -> int:
    """Non-fix commits followed within the trust window by a fix on the same scope."""
    failed = 0
    for i, when in enumerate(times):
        if fix_flags[i]:
            continue
        j = i + 1
        while j < len(times) and times[j] - when <= TRUST_WINDOW:  # times are sorted, so stop past the window
            if fix_flags[j] and scopes[j] == scopes[i]:
                failed += 1
                break
            j += 1
    return failed


def _spirals(fixes_by_scope: dict[str, list[datetime]]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for scope, times in sorted(fixes_by_scope.items()):
        i = 0
        while i < len(times):
            j = i
            while j + 1 < len(times) and times[j + 1] - times[i] <= SPIRAL_WINDOW:
                j += 1
            if j - i + 1 >= SPIRAL_MIN_FIXES:
                found.append({"scope": scope, "start": times[i].isoformat(), "end": times[j].isoformat(),
                              "commits": j - i + 1,
                              "duration_minutes": round((times[j] - times[i]).total_seconds() / 60, 2)})
                i = j + 1
            else:
                i += 1
    return sorted(found, key=lambda spiral: spiral["start"])


def _commit_size(commits: Sequence[CommitInfo]) -> dict[str, Any]:
    sized = [c for c in commits if c.files]
    lines = sorted(c.insertions + c.deletions for c in sized)
    buckets = [{"range": label, "count": sum(low <= n <= high for n in lines)} for label, low, high in SIZE_BUCKETS]
    if not lines:
        return {"commits": 0, "buckets": buckets, "median_lines": None, "p90_lines": None, "median_files": None}
    return {"commits": len(sized), "buckets": buckets, "median_lines": round(float(statistics.median(lines)), 2),
            "p90_lines": lines[math.ceil(0.9 * len(lines)) - 1],
            "median_files": round(float(statistics.median(len(c.files) for c in sized)), 2)}


def ungraded_reason(commits: int, hours: float, *, min_commits: int = MIN_GRADED_COMMITS,
                    min_hours: float = MIN_GRADED_HOURS) -> str:
    """Why a sample of `commits` over `hours` active hours is too small to grade ("" when it is not)."""
    if not commits:
        return "no commits in range"
    if commits < min_commits:
        return f"too few commits to grade: {commits} (needs {min_commits})"
    if hours < min_hours:
        return f"too little active time to grade: {hours:g} h (needs {min_hours:g} h)"
    return ""


def compute_metrics(commits: Sequence[CommitInfo], *, min_commits: int = MIN_GRADED_COMMITS,
                    min_hours: float = MIN_GRADED_HOURS) -> dict[str, Any]:
    """Every metric of the module docstring, as a JSON-serialisable dict; ratings only for a sample of at
    least `min_commits` commits over `min_hours` active hours."""
    ordered = sorted(commits, key=lambda c: _aware(c.when))
    times = [_aware(c.when) for c in ordered]
    fix_flags = [is_fix(c.subject) for c in ordered]
    scopes = [scope_of(c) for c in ordered]
    total, fixes = len(ordered), sum(fix_flags)
    hours = _active_hours(times)
    velocity = round(total / hours, 2) if total else None
    rework = round(100 * fixes / total, 2) if total else None
    non_fix = total - fixes
    failed = _failed_trust(times, fix_flags, scopes)
    trust = round(100 * (1 - failed / non_fix), 2) if non_fix else None
    fixes_by_scope: dict[str, list[datetime]] = defaultdict(list)
    for when, flag, scope in zip(times, fix_flags, scopes, strict=True):
        if flag:
            fixes_by_scope[scope].append(when)
    spirals = _spirals(fixes_by_scope)
    avg = round(sum(s["duration_minutes"] for s in spirals) / len(spirals), 2) if spirals else None
    reason = ungraded_reason(total, round(hours, 2), min_commits=min_commits, min_hours=min_hours)

    def rate(value: float | None, high_is_good: bool, elite: float, high: float, medium: float) -> str:
        return "n/a" if reason else _rate(value, high_is_good, elite, high, medium)

    spiral_rating = "n/a" if reason else ("ELITE" if avg is None else _rate(avg, False, 15, 30, 60))
    return {
        "commits": total,
        "active_hours": round(hours, 2),
        "graded": not reason,
        "ungraded_reason": reason or None,
        "velocity": {"value": velocity, "rating": rate(velocity, True, 5, 3, 1)},
        "rework_ratio": {"value": rework, "rating": rate(rework, False, 30, 50, 70), "fixes": fixes},
        "trust_pass_rate": {"value": trust, "rating": rate(trust, True, 95, 80, 60),
                            "failed": failed, "non_fix": non_fix},
        "debug_spirals": {"count": len(spirals), "avg_minutes": avg, "rating": spiral_rating, "spirals": spirals},
        "commit_size": _commit_size(ordered),
    }


def _show(value: object, unit: str = "") -> str:
    return "n/a" if value is None else f"{value}{unit}"


def _ungraded(metrics: dict[str, Any]) -> str:
    """Why the metrics carry no ratings ("" when they do); metrics from before grading limits are graded."""
    return "" if metrics.get("graded", True) else str(metrics.get("ungraded_reason") or "not graded")


def render_metrics_lines(metrics: dict[str, Any]) -> list[str]:
    """Short plain-text lines for `cockpit report`: no rating when the sample is too small, and why."""
    if not metrics.get("commits"):
        return ["git: no commits in range"]
    spirals, size = metrics["debug_spirals"], metrics["commit_size"]
    why = _ungraded(metrics)

    def rated(text: str, rating: str) -> str:
        return text if why else f"{text}  {rating}"

    fixes = metrics["rework_ratio"]["fixes"]
    return [
        f"git: {plural(metrics['commits'], 'commit')} over {metrics['active_hours']} active h",
        *([f"  no grades: {why}"] if why else []),
        rated(f"velocity {_show(metrics['velocity']['value'])} commits/h", metrics["velocity"]["rating"]),
        rated(f"rework {_show(metrics['rework_ratio']['value'], '%')} ({plural(fixes, 'fix', 'fixes')})",
              metrics["rework_ratio"]["rating"]),
        rated(f"trust pass {_show(metrics['trust_pass_rate']['value'], '%')}", metrics["trust_pass_rate"]["rating"]),
        rated(f"debug spirals {spirals['count']} (avg {_show(spirals['avg_minutes'], ' min')})", spirals["rating"]),
        f"commit size median {_show(size['median_lines'])} lines, p90 {_show(size['p90_lines'])},"
        f" median {_show(size['median_files'])} files",
    ]


def render_metrics_markdown(metrics: dict[str, Any]) -> list[str]:
    """A markdown section: a metric table and a commit-size bucket table; no ratings on too small a sample."""
    lines = ["## Git metrics (factor X — small iterations)", ""]
    if not metrics.get("commits"):
        return [*lines, "No commits in range."]
    spirals, size = metrics["debug_spirals"], metrics["commit_size"]
    why = _ungraded(metrics)
    rows = [
        ("Commits", str(metrics["commits"]), ""),
        ("Active hours", str(metrics["active_hours"]), ""),
        ("Velocity (commits/h)", _show(metrics["velocity"]["value"]), metrics["velocity"]["rating"]),
        ("Rework ratio", _show(metrics["rework_ratio"]["value"], "%"), metrics["rework_ratio"]["rating"]),
        ("Trust pass rate", _show(metrics["trust_pass_rate"]["value"], "%"), metrics["trust_pass_rate"]["rating"]),
        ("Debug spirals (avg)", f"{spirals['count']} ({_show(spirals['avg_minutes'], ' min')})", spirals["rating"]),
        ("Median / p90 lines", f"{_show(size['median_lines'])} / {_show(size['p90_lines'])}", ""),
        ("Median files", _show(size["median_files"]), ""),
    ]
    if why:
        lines += [f"No grades: {why}.", "", "| Metric | Value |", "| --- | --- |"]
        lines += [f"| {name} | {value} |" for name, value, _rating in rows]
    else:
        lines += ["| Metric | Value | Rating |", "| --- | --- | --- |"]
        lines += [f"| {name} | {value} | {rating} |" for name, value, rating in rows]
    lines += ["", "| Lines changed | Commits |", "| --- | --- |"]
    lines += [f"| {bucket['range']} | {bucket['count']} |" for bucket in size["buckets"]]
    if spirals["spirals"]:
        lines += ["", "Debug spirals:"]
        for spiral in spirals["spirals"]:
            scope = str(spiral["scope"]).replace("`", "'")  # a backtick in a scope would break the code span
            lines.append(f"- `{scope}`: {plural(spiral['commits'], 'fix', 'fixes')} in {spiral['duration_minutes']} min"
                         f" from {spiral['start']}")
    return lines
