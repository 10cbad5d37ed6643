"""Commit history read through `git log --numstat`, from real repositories built with the git CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from git_repo import git as git_cli

from cockpit.core.gitmetrics import compute_metrics
from cockpit.sources.gitlog import parse_log, read_commits, renamed_path

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def git(cwd: Path, *args: str, when: datetime | None = None) -> str:
    stamp = {} if when is None else {"GIT_AUTHOR_DATE": when.isoformat(), "GIT_COMMITTER_DATE": when.isoformat()}
    return git_cli(cwd, *args, **stamp)


def commit_all(repo: Path, subject: str, minute: float) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", subject, when=T0 + timedelta(minutes=minute))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    return path


def test_reads_every_commit_oldest_first_with_numstat_counts(repo: Path) -> None:
    (repo / "src").mkdir()
    (repo / "src" / "a.py").write_text("1\n2\n3\n")
    commit_all(repo, "feat(core): first", 0)
    (repo / "src" / "a.py").write_text("1\nTWO\n3\n4\n")
    (repo / "README.md").write_text("hi\n")
    commit_all(repo, "docs: second", 5)
    commits, error = read_commits(repo)
    assert error == "" and [c.subject for c in commits] == ["feat(core): first", "docs: second"]
    first, second = commits
    assert first.files == ("src/a.py",) and (first.insertions, first.deletions) == (3, 0)
    assert sorted(second.files) == ["README.md", "src/a.py"] and (second.insertions, second.deletions) == (3, 1)
    assert first.when == T0 and first.when.tzinfo is not None and len(first.sha) == 40


def test_a_binary_file_counts_as_zero_lines(repo: Path) -> None:
    (repo / "logo.png").write_bytes(b"\x89PNG\x00\x01\x02" * 50)
    commit_all(repo, "add logo", 0)
    commits, _ = read_commits(repo)
    assert commits[0].files == ("logo.png",) and (commits[0].insertions, commits[0].deletions) == (0, 0)


def test_a_rename_reports_the_new_path(repo: Path) -> None:
    (repo / "pkg").mkdir()
    (repo / "pkg" / "old.py").write_text("".join(f"line {i}\n" for i in range(20)))
    commit_all(repo, "add", 0)
    git(repo, "mv", "pkg/old.py", "pkg/new.py")
    commit_all(repo, "rename", 1)
    commits, _ = read_commits(repo)
    assert commits[1].files == ("pkg/new.py",) and (commits[1].insertions, commits[1].deletions) == (0, 0)


@pytest.mark.parametrize(("raw", "new"), [("a.py => b.py", "b.py"), ("src/{old => new}/x.py", "src/new/x.py"),
                                          ("src/{ => sub}/x.py", "src/sub/x.py"), ("{a => b}/x", "b/x"),
                                          ("plain/path.py", "plain/path.py")])
def test_rename_paths_resolve_to_the_new_name(raw: str, new: str) -> None:
    assert renamed_path(raw) == new


def test_merge_commits_are_kept_without_files(repo: Path) -> None:
    (repo / "a.txt").write_text("a\n")
    commit_all(repo, "base", 0)
    git(repo, "checkout", "-q", "-b", "side")
    (repo / "b.txt").write_text("b\n")
    commit_all(repo, "side work", 1)
    git(repo, "checkout", "-q", "main")
    (repo / "c.txt").write_text("c\n")
    commit_all(repo, "main work", 2)
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge branch 'side'", "side", when=T0 + timedelta(minutes=3))
    commits, _ = read_commits(repo)
    assert len(commits) == 4 and commits[-1].subject == "Merge branch 'side'" and commits[-1].files == ()


def test_since_until_and_limit_filter_the_history(repo: Path) -> None:
    for minute in (0, 60, 120):
        (repo / "f.txt").write_text(f"{minute}\n")
        commit_all(repo, f"at {minute}", minute)
    since, _ = read_commits(repo, since=T0 + timedelta(minutes=30))
    assert [c.subject for c in since] == ["at 60", "at 120"]
    until, _ = read_commits(repo, until=T0 + timedelta(minutes=90))
    assert [c.subject for c in until] == ["at 0", "at 60"]
    limited, _ = read_commits(repo, limit=1)
    assert [c.subject for c in limited] == ["at 120"]


def test_a_subject_with_an_ansi_escape_is_shown_inert(repo: Path) -> None:
    commit_all(repo, "fix: \x1b[31mred\x1b[0m alert \x07", 0)
    commits, _ = read_commits(repo)
    assert commits[0].subject == "fix: \\x1b[31mred\\x1b[0m alert \\x07"


def test_not_a_repository_is_a_message(tmp_path: Path) -> None:
    commits, error = read_commits(tmp_path)
    assert commits == [] and "is not a git repository" in error


def test_a_missing_path_is_a_message(tmp_path: Path) -> None:
    commits, error = read_commits(tmp_path / "nope")
    assert commits == [] and "does not exist" in error


def test_an_empty_repository_has_no_commits_yet(repo: Path) -> None:
    assert read_commits(repo) == ([], "no commits yet")


def test_a_subdirectory_finds_its_repository(repo: Path) -> None:
    (repo / "sub").mkdir()
    (repo / "sub" / "x").write_text("x\n")
    commit_all(repo, "x", 0)
    commits, error = read_commits(repo / "sub")
    assert error == "" and len(commits) == 1


def test_parse_log_ignores_garbage_lines_and_bad_dates() -> None:
    text = "junk\n\x1eabc\x1fnot-a-date\x1fbad\n\x1edef\x1f2026-03-01T09:00:00+00:00\x1fok\n\n-\t-\tbin\n2\t1\ta\n"
    [only] = parse_log(text)
    assert (only.sha, only.subject, only.files, only.insertions, only.deletions) == ("def", "ok", ("bin", "a"), 2, 1)


def test_metrics_end_to_end_on_a_crafted_history(repo: Path) -> None:
    history = [("feat(api): endpoint", 0), ("fix(api): typo", 4), ("docs: readme", 30),
               ("Fixes #3 in parser", 45), ("refactor: prefix names", 70)]
    for i, (subject, minute) in enumerate(history):
        (repo / f"f{i}.txt").write_text(f"{subject}\n")
        commit_all(repo, subject, minute)
    commits, error = read_commits(repo)
    metrics = compute_metrics(commits)
    assert error == "" and metrics["commits"] == 5
    assert metrics["rework_ratio"] == {"value": 40.0, "rating": "HIGH", "fixes": 2}
    assert metrics["trust_pass_rate"]["failed"] == 1 and metrics["trust_pass_rate"]["non_fix"] == 3


def test_without_git_the_history_says_so(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    commits, error = read_commits(repo)
    assert commits == [] and error.startswith("git is not available")
