"""vibe-check git metrics on literal commits: one test per rule of cockpit.core.gitmetrics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cockpit.core.gitmetrics import (
    CommitInfo,
    compute_metrics,
    is_fix,
    render_metrics_lines,
    render_metrics_markdown,
    scope_of,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def graded(commits: list[CommitInfo]) -> dict:
    """The metrics with every sample graded, however small: the rating rules, apart from the grading minimum."""
    return compute_metrics(commits, min_commits=1, min_hours=0)


def commit(minute: float, subject: str, files: tuple[str, ...] = ("src/a.py",), plus: int = 5,
           minus: int = 0) -> CommitInfo:
    return CommitInfo(f"sha{minute}", T0 + timedelta(minutes=minute), subject, files, plus, minus)


@pytest.mark.parametrize("subject", ["fix: crash on empty input", "fix(ui): wrong colour", "FIX!: urgent",
                                     "Fixes #3", "squash a bug", "Patch the parser", 'Revert "feat: x"',
                                     "hotfix for login", "fixed the thing"])
def test_fix_subjects_are_detected(subject: str) -> None:
    assert is_fix(subject)


@pytest.mark.parametrize("subject", ["feat: add prefix option", "add debugger support", "feat(api): suffix",
                                     "refactor: fixture cleanup", "docs: bugle call", ""])
def test_words_merely_containing_fix_or_bug_are_not_fixes(subject: str) -> None:
    assert not is_fix(subject)


def test_scope_is_the_conventional_scope_lower_cased() -> None:
    assert scope_of(commit(0, "feat(UI): new pane", files=("src/x.py",))) == "ui"


def test_scope_falls_back_to_the_most_touched_top_level_directory() -> None:
    files = ("docs/a.md", "src/a.py", "src/b.py", "README.md")
    assert scope_of(commit(0, "feat: stuff", files=files)) == "src"


def test_scope_of_root_files_or_no_files_is_root() -> None:
    assert scope_of(commit(0, "tweak", files=("README.md",))) == "(root)"
    assert scope_of(commit(0, "Merge branch 'x'", files=())) == "(root)"


def test_scope_ties_go_to_the_alphabetically_first_directory() -> None:
    assert scope_of(commit(0, "chore", files=("zeta/a", "alpha/b"))) == "alpha"


def test_zero_commits_gives_none_and_na_everywhere_without_dividing_by_zero() -> None:
    metrics = compute_metrics([])
    assert metrics["commits"] == 0 and metrics["active_hours"] == 0.0
    for key in ("velocity", "rework_ratio", "trust_pass_rate"):
        assert metrics[key]["value"] is None and metrics[key]["rating"] == "n/a"
    assert metrics["debug_spirals"] == {"count": 0, "avg_minutes": None, "rating": "n/a", "spirals": []}
    assert metrics["commit_size"]["median_lines"] is None and metrics["commit_size"]["p90_lines"] is None
    assert render_metrics_lines(metrics) == ["git: no commits in range"]
    assert render_metrics_markdown(metrics)[-1] == "No commits in range."


def test_rework_ratio_is_fix_commits_over_all_commits_in_percent() -> None:
    commits = [commit(i * 60, "feat: x") for i in range(3)] + [commit(300, "fix: y")]
    rework = graded(commits)["rework_ratio"]
    assert rework == {"value": 25.0, "rating": "ELITE", "fixes": 1}


def test_rework_ratings_follow_the_thresholds() -> None:
    def rating(fixes: int) -> str:
        commits = [commit(i, "fix: a" if i < fixes else "feat: b") for i in range(10)]
        return graded(commits)["rework_ratio"]["rating"]

    assert [rating(n) for n in (2, 3, 5, 7)] == ["ELITE", "HIGH", "MEDIUM", "LOW"]


def test_a_fix_9_minutes_after_a_feat_on_the_same_scope_fails_trust() -> None:
    commits = [commit(0, "feat(api): a"), commit(9, "fix(api): b"), commit(100, "feat(ui): c")]
    trust = graded(commits)["trust_pass_rate"]
    assert trust == {"value": 50.0, "rating": "LOW", "failed": 1, "non_fix": 2}


def test_a_fix_11_minutes_after_a_feat_does_not_fail_trust() -> None:
    commits = [commit(0, "feat(api): a"), commit(11, "fix(api): b")]
    assert compute_metrics(commits)["trust_pass_rate"]["value"] == 100.0


def test_a_quick_fix_on_a_different_scope_does_not_fail_trust() -> None:
    commits = [commit(0, "feat(api): a"), commit(5, "fix(ui): b")]
    assert compute_metrics(commits)["trust_pass_rate"]["value"] == 100.0


def test_trust_scope_falls_back_to_directories() -> None:
    commits = [commit(0, "add parser", files=("lib/p.py",)), commit(3, "fix parser", files=("lib/p.py",))]
    assert compute_metrics(commits)["trust_pass_rate"]["failed"] == 1


def test_trust_with_only_fix_commits_is_na() -> None:
    trust = compute_metrics([commit(0, "fix: a")])["trust_pass_rate"]
    assert trust["value"] is None and trust["rating"] == "n/a"


def test_three_fixes_within_30_minutes_on_one_scope_are_one_spiral() -> None:
    commits = [commit(0, "fix(db): a"), commit(10, "fix(db): b"), commit(30, "fix(db): c")]
    spirals = graded(commits)["debug_spirals"]
    assert spirals["count"] == 1 and spirals["avg_minutes"] == 30.0 and spirals["rating"] == "MEDIUM"
    assert spirals["spirals"] == [{"scope": "db", "start": T0.isoformat(),
                                   "end": (T0 + timedelta(minutes=30)).isoformat(),
                                   "commits": 3, "duration_minutes": 30.0}]


def test_three_fixes_spanning_31_minutes_are_no_spiral() -> None:
    commits = [commit(0, "fix(db): a"), commit(15, "fix(db): b"), commit(31, "fix(db): c")]
    spirals = graded(commits)["debug_spirals"]
    assert spirals["count"] == 0 and spirals["avg_minutes"] is None and spirals["rating"] == "ELITE"


def test_five_fixes_in_one_window_are_one_spiral_of_five() -> None:
    commits = [commit(m, f"fix(db): {m}") for m in (0, 2, 4, 6, 8)]
    spirals = graded(commits)["debug_spirals"]
    assert spirals["count"] == 1 and spirals["spirals"][0]["commits"] == 5
    assert spirals["avg_minutes"] == 8.0 and spirals["rating"] == "ELITE"


def test_fixes_on_different_scopes_do_not_form_a_spiral() -> None:
    commits = [commit(0, "fix(a): x"), commit(1, "fix(b): x"), commit(2, "fix(c): x")]
    assert compute_metrics(commits)["debug_spirals"]["count"] == 0


def test_a_lone_commit_counts_as_a_quarter_hour_session() -> None:
    metrics = graded([commit(0, "feat: a")])
    assert metrics["active_hours"] == 0.25 and metrics["velocity"] == {"value": 4.0, "rating": "HIGH"}


def test_a_lone_commit_is_measured_but_not_graded_and_says_why() -> None:
    metrics = compute_metrics([commit(0, "feat: a")])
    assert metrics["velocity"] == {"value": 4.0, "rating": "n/a"}
    assert (metrics["graded"], metrics["ungraded_reason"]) == (False, "too few commits to grade: 1 (needs 5)")
    ratings = [metrics[k]["rating"] for k in ("velocity", "rework_ratio", "trust_pass_rate", "debug_spirals")]
    assert ratings == ["n/a"] * 4
    text = render_metrics_lines(metrics)
    assert text[:2] == ["git: 1 commit over 0.25 active h", "  no grades: too few commits to grade: 1 (needs 5)"]
    assert not any(word in line for line in text for word in ("ELITE", "HIGH", "MEDIUM", "LOW"))
    markdown = render_metrics_markdown(metrics)
    assert "No grades: too few commits to grade: 1 (needs 5)." in markdown and "| Metric | Value |" in markdown
    assert not any("Rating" in line or "HIGH" in line or "ELITE" in line for line in markdown)


def test_five_commits_in_under_an_hour_are_not_graded_either() -> None:
    metrics = compute_metrics([commit(m, "feat: a") for m in (0, 10, 20, 30, 40)])
    assert metrics["ungraded_reason"] == "too little active time to grade: 0.67 h (needs 1 h)"
    assert metrics["velocity"]["rating"] == "n/a"


def test_five_commits_over_an_hour_are_graded() -> None:
    metrics = compute_metrics([commit(m, "feat: a") for m in (0, 15, 30, 45, 60)])
    assert (metrics["graded"], metrics["ungraded_reason"]) == (True, None)
    assert metrics["velocity"] == {"value": 5.0, "rating": "HIGH"} and metrics["rework_ratio"]["rating"] == "ELITE"
    assert "velocity 5.0 commits/h  HIGH" in render_metrics_lines(metrics)


def test_a_gap_over_two_hours_splits_sessions_and_is_not_active_time() -> None:
    first = [commit(m, "feat: a") for m in (0, 30, 60)]
    second = [commit(60 + 121 + m, "feat: b") for m in (0, 30)]
    metrics = compute_metrics(first + second)
    assert metrics["active_hours"] == 1.5 and metrics["velocity"]["value"] == round(5 / 1.5, 2)
    assert metrics["velocity"]["rating"] == "HIGH"


def test_a_gap_of_exactly_two_hours_stays_in_the_session() -> None:
    assert compute_metrics([commit(0, "a"), commit(120, "b")])["active_hours"] == 2.0


def test_commits_in_any_order_give_the_same_metrics() -> None:
    commits = [commit(0, "feat(x): a"), commit(5, "fix(x): b"), commit(10, "fix(x): c"), commit(12, "fix(x): d")]
    assert compute_metrics(commits) == compute_metrics(list(reversed(commits)))


def test_size_buckets_and_percentiles_skip_merge_commits() -> None:
    sizes = [1, 10, 11, 50, 51, 200, 201, 500, 501, 3000]
    commits = [commit(i, "feat: s", files=("a", "b")[: 1 + i % 2], plus=n - n // 3, minus=n // 3)
               for i, n in enumerate(sizes)]
    commits.append(commit(20, "Merge branch 'x'", files=(), plus=0, minus=0))
    metrics = compute_metrics(commits)
    size = metrics["commit_size"]
    assert metrics["commits"] == 11 and size["commits"] == 10
    assert [b["count"] for b in size["buckets"]] == [2, 2, 2, 2, 2]
    assert [b["range"] for b in size["buckets"]] == ["0-10", "11-50", "51-200", "201-500", "501+"]
    assert size["median_lines"] == 125.5 and size["p90_lines"] == 501 and size["median_files"] == 1.5


def test_binary_only_commit_lands_in_the_smallest_bucket() -> None:
    size = compute_metrics([commit(0, "add logo", files=("logo.png",), plus=0)])["commit_size"]
    assert size["buckets"][0]["count"] == 1 and size["median_lines"] == 0.0


def test_metrics_are_json_serialisable_and_render_as_text_and_markdown() -> None:
    commits = [commit(0, "feat(db): a"), commit(4, "fix(db): b"), commit(8, "fix(db): c"), commit(9, "fix(db): d")]
    metrics = graded(commits)
    assert json.loads(json.dumps(metrics)) == metrics
    text = render_metrics_lines(metrics)
    assert text[0] == "git: 4 commits over 0.25 active h" and any("rework 75.0%" in line for line in text)
    markdown = render_metrics_markdown(metrics)
    assert markdown[0].startswith("## Git metrics (factor X")
    assert "| Rework ratio | 75.0% | LOW |" in markdown and "| 0-10 | 4 |" in markdown
    assert any(line.startswith("- `db`: 3 fixes in 5.0 min") for line in markdown)
