"""git itself: the tree id gates are tied to (content only, the user's index untouched) and the head's time.
Repositories are built with the git CLI."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from git_repo import EMPTY_TREE, git, init_repo, tid

from cockpit.sources.git import (
    NOT_RUN,
    commit_tree,
    current_branch,
    find_repo,
    head_time,
    hooks_dir,
    not_ignored,
    read_change,
    run_git,
    tree_id,
)

pytestmark = pytest.mark.usefixtures("isolated_git")


# ---- tree_id ---------------------------------------------------------------------------------


def test_the_same_content_gives_the_same_id_whatever_the_history(repo: Path, tmp_path: Path) -> None:
    other = init_repo(tmp_path / "other", "elsewhere", "a different message")
    assert tid(repo) == tid(repo) == tid(other) == git(repo, "rev-parse", "HEAD^{tree}")


def test_editing_a_tracked_file_changes_the_id_and_reverting_restores_it(repo: Path) -> None:
    first = tid(repo)
    (repo / "a.txt").write_text("changed\n")
    edited = tid(repo)
    assert edited != first
    (repo / "a.txt").write_text("alpha\n")
    assert tid(repo) == first


def test_deleting_a_tracked_file_changes_the_id(repo: Path) -> None:
    first = tid(repo)
    (repo / "a.txt").unlink()
    assert tid(repo) != first


def test_a_new_untracked_file_changes_the_id_and_an_ignored_one_does_not(repo: Path) -> None:
    first = tid(repo)
    (repo / "debug.log").write_text("noise\n")
    (repo / "build").mkdir()
    (repo / "build" / "out.bin").write_bytes(b"\0" * 10)
    assert tid(repo) == first
    (repo / "new.txt").write_text("new\n")
    assert tid(repo) != first


def test_tree_id_leaves_the_real_index_untouched(repo: Path) -> None:
    (repo / "a.txt").write_text("changed\n")
    (repo / "new.txt").write_text("new\n")
    index = repo / ".git" / "index"
    before = index.read_bytes()
    tid(repo)
    tid(repo, staged=True)
    assert index.read_bytes() == before
    assert git(repo, "status", "--porcelain").splitlines() == ["M a.txt", "?? new.txt"]
    assert git(repo, "diff", "--cached", "--name-only") == ""


def test_staged_ignores_unstaged_edits_but_includes_staged_ones_and_untracked_files(repo: Path) -> None:
    head_tree = git(repo, "rev-parse", "HEAD^{tree}")
    (repo / "a.txt").write_text("unstaged edit\n")
    assert tid(repo, staged=True) == head_tree
    git(repo, "add", "a.txt")
    staged = tid(repo, staged=True)
    assert staged != head_tree and staged == tid(repo)
    (repo / "untracked.txt").write_text("on disk\n")
    with_untracked = tid(repo, staged=True)
    assert with_untracked not in (staged, head_tree) and with_untracked == tid(repo)


def test_staged_follows_the_index_git_passes_to_a_hook(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`git commit -a` hands the pre-commit hook another index in GIT_INDEX_FILE."""
    (repo / "a.txt").write_text("committed with -a\n")
    hook_index = repo / ".git" / "next-index.lock"
    shutil.copyfile(repo / ".git" / "index", hook_index)
    git(repo, "add", "a.txt", GIT_INDEX_FILE=str(hook_index))
    expected = git(repo, "write-tree", GIT_INDEX_FILE=str(hook_index))
    monkeypatch.setenv("GIT_INDEX_FILE", str(hook_index))
    assert tid(repo, staged=True) == expected != git(repo, "rev-parse", "HEAD^{tree}")


def test_staged_copes_with_an_untracked_name_starting_with_a_space(repo: Path) -> None:
    (repo / " notes.txt").write_text("x\n")
    assert tid(repo, staged=True) == tid(repo)


def test_staged_copes_with_an_untracked_non_utf8_name(repo: Path) -> None:
    with open(os.fsencode(repo) + b"/caf\xe9.txt", "wb") as handle:
        handle.write(b"x\n")
    assert tid(repo, staged=True) == tid(repo)


def test_a_repo_with_no_commits_has_a_tree_id(tmp_path: Path) -> None:
    path = tmp_path / "fresh"
    path.mkdir()
    git(path, "init", "-q", "-b", "main")
    assert not (path / ".git" / "index").exists()
    assert tid(path) == tid(path, staged=True) == EMPTY_TREE
    (path / "a.txt").write_text("a\n")
    untracked = tid(path)
    assert untracked != EMPTY_TREE and tid(path, staged=True) == untracked
    assert not (path / ".git" / "index").exists()


def test_a_plain_directory_has_no_tree_id_and_says_why(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    plain.mkdir()
    tree, error = tree_id(str(plain))
    assert tree == "" and "not a git repository" in error.lower()


def test_head_time_is_the_last_commit_time_or_none_without_commits(repo: Path, tmp_path: Path) -> None:
    (repo / "b.txt").write_text("b\n")
    git(repo, "add", "b.txt")
    git(repo, "commit", "-q", "-m", "dated", GIT_COMMITTER_DATE="2026-03-01T09:00:00+00:00")
    assert head_time(str(repo)) == 1772355600.0
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    git(fresh, "init", "-q")
    assert head_time(str(fresh)) is None



def test_reports_under_agents_do_not_change_the_tree_id(repo: Path) -> None:
    before = tid(repo)
    council = repo / ".agents" / "council"
    council.mkdir(parents=True)
    (council / "2026-11-25-vibe-x.md").write_text("## Council Verdict: PASS\n")
    assert tid(repo) == before and tid(repo, staged=True) == tid(repo, staged=True)
    (repo / "code.py").write_text("x = 1\n")
    assert tid(repo) != before



# ---- the runner and the small queries ----------------------------------------------------------


def test_git_that_cannot_run_is_an_exit_code_and_a_message(tmp_path: Path) -> None:
    missing = run_git(tmp_path / "nowhere", "status")
    assert missing.code == NOT_RUN and not missing.ok and missing.error
    no_git = run_git(tmp_path, "status", env={"PATH": str(tmp_path)})
    assert no_git.code == NOT_RUN and "git" in no_git.error


def test_find_repo_names_each_kind_of_place(repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (repo / "sub").mkdir()
    place, error = find_repo(repo / "sub" / ".." / "a.txt")  # a file stands for its folder
    assert error == "" and place is not None and place.top == str(repo) and not place.bare
    git(tmp_path, "init", "-q", "--bare", "bare.git")
    place, _ = find_repo(tmp_path / "bare.git")
    assert place is not None and place.bare and place.top == str(tmp_path / "bare.git")
    plain = tmp_path / "plain"
    plain.mkdir()
    assert find_repo(plain) == (None, f"{plain} is not a git repository")
    assert find_repo(tmp_path / "nowhere") == (None, f"{tmp_path / 'nowhere'} does not exist")
    monkeypatch.setenv("PATH", str(tmp_path))
    place, error = find_repo(repo)
    assert place is None and error.startswith("git is not available")


def test_the_branch_the_hooks_folder_and_what_git_ignores(repo: Path, tmp_path: Path) -> None:
    assert current_branch(str(repo)) == "main"
    git(repo, "checkout", "-q", "--detach")
    assert current_branch(str(repo)) == ""
    assert hooks_dir(str(repo)) == repo / ".git" / "hooks"
    git(repo, "config", "core.hooksPath", "githooks")
    assert hooks_dir(str(repo)) == repo / "githooks"
    with pytest.raises(RuntimeError, match="not a git repository"):
        hooks_dir(str(tmp_path))
    paths = {str(repo / "x.log"), str(repo / "build" / "out.o"), str(repo / "src.py")}
    assert not_ignored(str(repo), paths) == {str(repo / "src.py")}
    assert not_ignored(str(tmp_path), paths) == paths  # git cannot say: nothing is dropped


def test_the_change_vibe_judges(repo: Path) -> None:
    (repo / "a.txt").write_text("alpha\nbeta\n")
    (repo / "new.txt").write_text("fresh\n")
    diff, description, error = read_change(str(repo))
    assert error == "" and "+beta" in diff and "+fresh" in diff
    assert description == "working tree vs HEAD (1 untracked file included)"
    assert read_change(str(repo), staged=True)[:2] == ("", "staged changes")
    git(repo, "add", "a.txt")
    assert "+beta" in read_change(str(repo), staged=True)[0]
    git(repo, "commit", "-q", "-m", "second")
    diff, description, _ = read_change(str(repo), commit_range="HEAD~1..HEAD")
    assert "+beta" in diff and description == "commits HEAD~1..HEAD"
    assert commit_tree(str(repo), "HEAD") == git(repo, "rev-parse", "HEAD^{tree}")
    assert commit_tree(str(repo), "no-such-rev") == ""
    assert read_change(str(repo), commit_range="no..such")[2]
