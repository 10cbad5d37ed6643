"""What reading shell commands costs the hook.

    .venv/bin/python scripts/bench_shell.py [--runs 20]

1. Reading: `split_commands` over a mixed corpus (the disguised and harmless commands of
   tests/test_shell_corpus.py plus generated command lines) against tree-sitter-bash parsing the same
   text, as a ratio. tree-sitter only parses; the reader also follows wrappers, scripts and variables.
2. Start-up: `import cockpit.core.policy` in a fresh interpreter against `python -c pass`, medians of
   --runs runs each, interleaved.
3. A pathological rule, `Bash(*a*a*a*a*a*a*a*a*c)`: a backtracking `re.fullmatch` (how `*` rules were
   matched before) on a 26-character command, against the star matcher on a 60-character one.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchlib import median_time

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from cockpit.core.policy import _fits, _star_parts, policy_from_config  # noqa: E402
from cockpit.core.shellwords import split_commands  # noqa: E402

PATHOLOGICAL = "*a*a*a*a*a*a*a*a*c"


def corpus() -> list[str]:
    from test_shell_corpus import CRITICAL, HARMLESS
    from test_shellwords import generated_command

    rng = random.Random(1)
    return [c for _, c, _ in CRITICAL] + [c for _, c in HARMLESS] + [generated_command(rng, 2) for _ in range(60)]


def reading(commands: list[str], runs: int) -> None:
    import tree_sitter
    import tree_sitter_bash

    parser = tree_sitter.Parser(tree_sitter.Language(tree_sitter_bash.language()))
    encoded = [c.encode() for c in commands]

    def ours() -> None:
        for command in commands:
            split_commands(command)

    def reference() -> None:
        for text in encoded:
            parser.parse(text)

    size = sum(map(len, commands))
    t_ours, t_ref = median_time(ours, runs), median_time(reference, runs)
    print(f"corpus: {len(commands)} command lines, {size / 1000:.0f} kB")
    print(f"split_commands          median {t_ours * 1000:7.2f} ms   {t_ours / len(commands) * 1e6:6.0f} µs/line")
    print(f"tree-sitter-bash parse  median {t_ref * 1000:7.2f} ms   {t_ref / len(commands) * 1e6:6.0f} µs/line")
    print(f"ratio split_commands / tree-sitter parse: {t_ours / t_ref:.2f}x")


def startup(runs: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-c", "import cockpit.core.policy"], env=env, check=True)  # fresh .pyc files

    def timed(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], env=env, check=True)
        return time.perf_counter() - started

    bare, policy = [], []
    for _ in range(runs):
        bare.append(timed("pass"))
        policy.append(timed("import cockpit.core.policy"))
    b, p = statistics.median(bare), statistics.median(policy)
    print(f"python -c pass                     median {b * 1000:6.1f} ms")
    print(f"python -c 'import cockpit.core.policy' median {p * 1000:6.1f} ms   (+{(p - b) * 1000:.1f} ms, {p / b:.2f}x)")


def pathological(runs: int) -> None:
    old = re.compile(".*".join(re.escape(part) for part in PATHOLOGICAL.split("*")), re.S)
    short, long = "a" * 26, "a" * 60
    t_old = median_time(lambda: old.fullmatch(short), max(3, runs // 4))
    parts = _star_parts(PATHOLOGICAL)
    t_new = median_time(lambda: _fits(parts, long), runs * 50)
    policy = policy_from_config({"mode": "replace", "rules": [f"Bash({PATHOLOGICAL})"]})
    t_match = median_time(lambda: policy.match("Bash", {"command": long}, "/r", "/r"), runs * 10)
    print(f"rule Bash({PATHOLOGICAL}), no match:")
    print(f"  backtracking re.fullmatch, 26 chars  median {t_old * 1000:9.3f} ms  (grows ~n^8: 60 chars takes minutes)")
    print(f"  star matcher, 60 chars               median {t_new * 1e6:9.1f} µs")
    print(f"  Policy.match with the rule, 60 chars median {t_match * 1e6:9.1f} µs")
    print(f"  ratio (old on 26 chars / new on 60): {t_old / t_new:,.0f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    reading(corpus(), args.runs)
    print()
    startup(args.runs)
    print()
    pathological(args.runs)


if __name__ == "__main__":
    main()
