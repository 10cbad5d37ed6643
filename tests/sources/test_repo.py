"""The repository state, read through git, for every kind of repository a user may point cockpit at."""

from __future__ import annotations

from pathlib import Path

import pytest
from git_repo import git

from cockpit.sources.repo import parse_shortstat, parse_status, read_repo
from cockpit.ui.widgets.repo_pane import render_repo


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    path = tmp_path / "repo"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    for i in range(3):
        (path / f"f{i}.txt").write_text(f"line {i}\n")
        git(path, "add", ".")
        git(path, "commit", "-q", "-m", f"commit {i}")
    return path


def test_counts_staged_unstaged_untracked_and_the_diff(repo: Path) -> None:
    (repo / "f0.txt").write_text("changed\nmore\n")
    (repo / "f1.txt").write_text("staged\n")
    git(repo, "add", "f1.txt")
    (repo / "new.txt").write_text("x\n")
    state = read_repo(repo)
    assert state.ok and state.branch == "main" and not state.detached
    assert (state.staged, state.unstaged, state.untracked) == (1, 1, 1)
    assert (state.files_changed, state.insertions, state.deletions) == (2, 3, 2)
    assert [c.subject for c in state.commits] == ["commit 2", "commit 1", "commit 0"]


def test_a_subdirectory_finds_its_repository(repo: Path) -> None:
    (repo / "sub").mkdir()
    assert read_repo(repo / "sub").path == str(repo)


def test_no_commits_yet(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    (tmp_path / "a.txt").write_text("a")
    state = read_repo(tmp_path)
    assert state.ok and state.no_commits and state.untracked == 1 and state.commits == ()
    assert "no commits yet" in state.message


def test_detached_head(repo: Path) -> None:
    git(repo, "checkout", "-q", "HEAD~1")
    state = read_repo(repo)
    assert state.ok and state.detached and state.branch == "" and "detached HEAD" in state.message
    assert "(detached)" in render_repo(state).plain


def test_upstream_ahead_and_behind(repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(repo), str(clone))
    (clone / "mine.txt").write_text("m")
    git(clone, "add", ".")
    git(clone, "commit", "-q", "-m", "mine")
    (repo / "theirs.txt").write_text("t")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "theirs")
    git(clone, "fetch", "-q")
    state = read_repo(clone)
    assert state.upstream == "origin/main" and (state.ahead, state.behind) == (1, 1)


def test_linked_worktree_and_shallow_clone(repo: Path, tmp_path: Path) -> None:
    git(repo, "worktree", "add", "-q", str(tmp_path / "wt"), "-b", "feature")
    state = read_repo(tmp_path / "wt")
    assert state.ok and state.worktree and state.branch == "feature"
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    state = read_repo(shallow)
    assert state.ok and state.shallow and len(state.commits) == 1 and "shallow clone" in state.message


def test_bare_missing_and_plain_folders_say_what_they_are(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    assert "bare repository" in read_repo(tmp_path / "bare.git").message
    assert "does not exist" in read_repo(tmp_path / "nowhere").message
    plain = tmp_path / "plain"
    plain.mkdir()
    state = read_repo(plain)
    assert not state.ok and "is not a git repository" in state.message
    assert render_repo(state).plain.startswith("repo: ")


def test_porcelain_and_shortstat_parsing() -> None:
    text = "\n".join([
        "# branch.oid (initial)", "# branch.head (detached)", "# branch.upstream origin/x", "# branch.ab +2 -5",
        "1 M. N... 100644 100644 100644 a b f", "1 .M N... 100644 100644 100644 a b g", "1 MM N... 1 1 1 a b h",
        "2 R. N... 100644 100644 100644 a b R100 new\told", "u UU N... 1 1 1 1 a b c conflict", "? new.txt",
    ])
    parsed = parse_status(text)
    assert parsed["no_commits"] and parsed["detached"] and (parsed["ahead"], parsed["behind"]) == (2, 5)
    assert (parsed["staged"], parsed["unstaged"], parsed["conflicts"], parsed["untracked"]) == (3, 2, 1, 1)
    assert parse_shortstat(" 1 file changed, 2 insertions(+)") == (1, 2, 0)
    assert parse_shortstat(" 3 files changed, 1 deletion(-)") == (3, 0, 1)
    assert parse_shortstat("") == (0, 0, 0)


def test_without_git_the_pane_says_so(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    state = read_repo(repo)
    assert not state.ok and state.message.startswith("git is not available")

