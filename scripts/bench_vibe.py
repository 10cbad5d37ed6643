"""Cost of the offline validation path, against baselines run in the same process.

    .venv/bin/python scripts/bench_vibe.py [--files 2000] [--changed 300] [--runs 5]

1. `run_vibe` offline (diff read, tree id, gate board, intent, deterministic checks; no report written)
   on a repository of --files files with --changed files edited, against `git diff HEAD` alone (the
   one step no vibe can skip): the ratio says what cockpit adds on top of git.
2. Secret redaction of 5 MB of mixed text (transcripts, diffs, prose, secrets sprinkled in; see
   bench_redact.py) against the landed redact.py (HEAD) and one `\\w+` regex scan of the same text.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
from pathlib import Path

from bench_redact import baseline_module, mixed_text
from benchlib import median_time

from cockpit.core.redact import redact
from cockpit.llm.client import Llm
from cockpit.services.vibe import run_vibe
from cockpit.store.db import connect

ENV = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b",
       "GIT_COMMITTER_EMAIL": "b@x", "GIT_CONFIG_GLOBAL": "/dev/null"}




def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=300)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.pop("ANTHROPIC_API_KEY", None)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        for i in range(args.files):
            folder = root / "src" / f"m{i % 50:02d}"
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"f{i}.py").write_text("".join(f"def f{i}_{n}(x):\n    return x + {n}\n" for n in range(20)))
        (root / "cockpit.toml").write_text('[gates.vibe]\nkind = "verdict"\n')
        for git_args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "all"]):
            subprocess.run(["git", *git_args], cwd=root, env=ENV, check=True)
        for i in range(args.changed):
            path = root / "src" / f"m{i % 50:02d}" / f"f{i}.py"
            path.write_text(path.read_text().replace("return x + 1\n", "return x + 1  # TODO check\n"))
        conn = connect(Path(tmp) / "c.db")
        llm = Llm()
        result = run_vibe(conn, str(root), llm, intent_text="bench", write=False)
        assert result.findings, "the bench change should produce findings"
        vibe = median_time(lambda: run_vibe(conn, str(root), llm, intent_text="bench", write=False), args.runs)
        diff = median_time(lambda: subprocess.run(["git", "diff", "HEAD"], cwd=root, capture_output=True, check=True),
                           args.runs)
    text = mixed_text(5_000_000)
    found = redact(text)
    old = baseline_module("HEAD")
    red = median_time(lambda: redact(text), max(3, args.runs // 2))
    landed = median_time(lambda: old.redact(text), max(3, args.runs // 2))
    scan = median_time(lambda: re.findall(r"\w+", text), max(3, args.runs // 2))
    mb = len(text.encode()) / 1e6
    print(f"repository with {args.files:,} files, {args.changed} edited ({len(result.findings)} findings, {result.verdict})")
    print(f"vibe offline (no report)     median {vibe * 1000:8.1f} ms   {vibe / diff:.2f}x git diff HEAD")
    print(f"git diff HEAD                median {diff * 1000:8.1f} ms   (baseline)")
    print(f"redact {mb:.1f} MB ({found.total} secrets) median {red * 1000:8.1f} ms   {red / scan:.2f}x one \\w+ scan"
          f"   ({mb / red:.1f} MB/s)")
    print(f"redact as landed (HEAD)      median {landed * 1000:8.1f} ms   ({mb / landed:.1f} MB/s)")
    print(f"one \\w+ regex scan           median {scan * 1000:8.1f} ms   (baseline)")


if __name__ == "__main__":
    main()
