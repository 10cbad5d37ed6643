"""Cost of the repository line and the gate board on a large repository, against walking the tree.

    .venv/bin/python scripts/bench_repo.py [--files 100000] [--runs 5]

Builds a throwaway repo with --files files in 100 folders, commits them, edits one, then prints
medians of: `read_repo` (git status + diff --shortstat + log), the 1 s change poll (`change_marks`),
the working-tree id the gates are tied to (`tree_id`, a git add -A into a copied index + write-tree),
the staged tree id `cockpit gate pre-commit` computes, and, as the baseline in the same process, a
plain os.walk + stat of the working tree.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from benchlib import median_time

from cockpit.sources.git import tree_id
from cockpit.sources.repo import change_marks, read_repo

ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@x"}




def walk(root: Path) -> int:
    count = 0
    for folder, dirs, files in os.walk(root):
        if ".git" in dirs:
            dirs.remove(".git")
        for name in files:
            os.stat(os.path.join(folder, name))
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for i in range(args.files):
            folder = root / f"d{i % 100:02d}"
            folder.mkdir(exist_ok=True)
            (folder / f"f{i}.txt").write_text(f"{i}\n")
        subprocess.run(["git", "init", "-q"], cwd=root, check=True, env=ENV)
        subprocess.run(["git", "add", "-A"], cwd=root, check=True, env=ENV)
        subprocess.run(["git", "commit", "-q", "-m", "all"], cwd=root, check=True, env=ENV)
        (root / "d00" / "f0.txt").write_text("changed\n")
        state = read_repo(root)
        assert state.ok and state.unstaged == 1, state
        status = median_time(lambda: read_repo(root), args.runs)
        poll = median_time(lambda: change_marks(str(root)), args.runs * 20)
        working = median_time(lambda: tree_id(str(root)), args.runs)
        staged = median_time(lambda: tree_id(str(root), staged=True), args.runs)
        tree = median_time(lambda: walk(root), args.runs)
    print(f"repository with {args.files:,} files")
    print(f"read_repo (git status, diff, log)  median {status * 1000:8.1f} ms   {status / tree:.2f}x a tree walk")
    print(f"change poll (4 stats, every 1 s)   median {poll * 1000:8.3f} ms   {poll / tree:.5f}x a tree walk")
    print(f"tree id of the working tree        median {working * 1000:8.1f} ms   {working / tree:.2f}x a tree walk")
    print(f"tree id of the staged tree         median {staged * 1000:8.1f} ms   {staged / tree:.2f}x a tree walk")
    print(f"os.walk + stat of the tree         median {tree * 1000:8.1f} ms   (baseline)")


if __name__ == "__main__":
    main()
