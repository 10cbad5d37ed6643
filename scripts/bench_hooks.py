"""Hook costs as the agent sees them.

    .venv/bin/python scripts/bench_hooks.py [--runs 20]

1. Start-up: a PreToolUse hook that finds nothing critical (the common case, on every tool call)
   against a bare `python -c pass` with the same interpreter, medians of --runs runs, as a ratio.
2. Decision latency: a PermissionRequest hook waits; the time from the cockpit's `decide` to the
   hook printing its answer and exiting, medians of --runs runs (target < 200 ms).
3. The git pre-commit entry (`cockpit gate pre-commit`) on a small repository with one required gate
   that passed: start-up, tree id of the staged tree, the gate board; against `python -c pass`.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from cockpit.store import approvals
from cockpit.store.db import connect

NOT_CRITICAL = {"session_id": "bench", "cwd": "/tmp", "hook_event_name": "PreToolUse", "tool_name": "Bash",
                "tool_input": {"command": "pytest -q"}, "tool_use_id": "toolu_bench"}
CRITICAL = {"session_id": "bench", "cwd": "/tmp", "hook_event_name": "PermissionRequest", "tool_name": "Bash",
            "tool_input": {"command": "git push origin main"}}


def timed(cmd: list[str], stdin: str = "") -> float:
    started = time.perf_counter()
    subprocess.run(cmd, input=stdin, capture_output=True, text=True, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    cockpit = [str(Path(sys.executable).with_name("cockpit"))]
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "bench.db")
        bare, hook = [], []
        for _ in range(args.runs):
            bare.append(timed([sys.executable, "-c", "pass"]))
            hook.append(timed([*cockpit, "hook", "claude", "pre-tool-use", "--db", db], json.dumps(NOT_CRITICAL)))
        b, h = statistics.median(bare), statistics.median(hook)
        print(f"python -c pass                      median {b * 1000:7.1f} ms")
        print(f"hook, nothing critical (PreToolUse) median {h * 1000:7.1f} ms   ratio {h / b:.2f}x")
        repo = Path(tmp) / "repo"
        repo.mkdir()
        env = {"GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x",
               "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1", "PATH": "/usr/bin:/bin"}
        (repo / "cockpit.toml").write_text('[gates.check]\ncommand = "true"\nrequired = true\n')
        for git_args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "x"]):
            subprocess.run(["git", *git_args], cwd=repo, env=env, check=True)
        subprocess.run([*cockpit, "trust", "--db", db], cwd=repo, capture_output=True, check=True)
        subprocess.run([*cockpit, "gates", "--run", "--db", db], cwd=repo, capture_output=True, check=True)
        gate = []
        for _ in range(args.runs):
            started = time.perf_counter()
            subprocess.run([*cockpit, "gate", "pre-commit", "--db", db], cwd=repo, capture_output=True, check=True)
            gate.append(time.perf_counter() - started)
        g = statistics.median(gate)
        print(f"git pre-commit entry (gates valid)  median {g * 1000:7.1f} ms   ratio {g / b:.2f}x")

        conn = connect(db)
        stop = threading.Event()

        def beat() -> None:
            own = connect(db)
            while not stop.is_set():
                approvals.beat(own)
                stop.wait(0.5)

        threading.Thread(target=beat, daemon=True).start()
        time.sleep(0.2)
        latencies = []
        for _ in range(args.runs):
            proc = subprocess.Popen([*cockpit, "hook", "claude", "permission-request", "--db", db],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            proc.stdin.write(json.dumps(CRITICAL))
            proc.stdin.close()
            while not (waiting := approvals.pending(conn)):
                time.sleep(0.005)
            time.sleep(0.1)  # let the hook settle into its wait
            started = time.perf_counter()
            approvals.decide(conn, waiting[0].id, waiting[0].input_hash, "allow")
            out = proc.stdout.read()
            proc.wait()
            latencies.append(time.perf_counter() - started)
            assert '"allow"' in out, out
        stop.set()
        lat = statistics.median(latencies)
        print(f"decision -> hook answered           median {lat * 1000:7.1f} ms   max {max(latencies) * 1000:.1f} ms"
              f"   target < 200 ms  {'PASS' if lat < 0.2 else 'MISS'}")


if __name__ == "__main__":
    main()
