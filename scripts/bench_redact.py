"""Throughput of secret redaction on 5 MB of mixed text: the landed implementation against this one, one run.

    .venv/bin/python scripts/bench_redact.py [--mb 5] [--runs 3] [--baseline REV]

The text: real Claude transcripts (../shared/data, when present), real diffs (`git log -p` of this
repository), prose, and one line with a secret of a different kind every ~2 KB. The baseline is
cockpit/core/redact.py as it is at REV (default HEAD), loaded from `git show` into a throwaway module;
a plain `\\w+` scan of the same text is the floor. Both redactors run on the same text in this process.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import types
from pathlib import Path

from benchlib import median_time

from cockpit.core.redact import redact

ROOT = Path(__file__).resolve().parents[1]
TRANSCRIPTS = ROOT.parent / "shared" / "data" / "claude" / "spotter"

# (line planted in the text, the secret in it), assembled from pieces so that this file holds nothing a
# secret scanner would flag.
_GH = "gh" + "p_" + "Q7w9" * 9
_ANT = "sk-ant-" + "api03-" + "Zx8Kq2Lm9Np4" * 8 + "AA"
_AWS = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
_NPM = "np" + "m_" + "a1B2c3D4e5" * 3 + "f6G7h8"
_SG = "S" + "G." + "a1B2c3D4e5F6g7H8i9J0kL" + "." + "m1N2o3P4q5R6s7T8u9V0w1X2y3Z4a5B6c7D8e9F0g1H"
_HOOK = "T0123ABCD/B0123ABCD/" + "a1B2c3D4e5F6g7H8i9J0kL1m"
SECRETS = (
    (f"GITHUB_TOKEN={_GH}", _GH),
    (f"key {_ANT}", _ANT),
    ("curl -u deploy:Pa55w0rd9x https://example.com", "Pa55w0rd9x"),
    (f"aws_secret_access_key = {_AWS}", _AWS),
    (f"npm config set //registry.npmjs.org/:_authToken {_NPM}", _NPM),
    (f"SENDGRID {_SG}", _SG),
    (f"webhook https://hooks.slack.com/services/{_HOOK}", _HOOK),
)


def baseline_module(rev: str) -> types.ModuleType:
    source = subprocess.run(["git", "show", f"{rev}:cockpit/core/redact.py"], cwd=ROOT, capture_output=True,
                            text=True, check=True).stdout
    module = types.ModuleType("redact_baseline")
    sys.modules[module.__name__] = module  # dataclasses look their module up
    exec(compile(source, f"{rev}:cockpit/core/redact.py", "exec"), module.__dict__)
    return module


def mixed_text(size: int) -> str:
    parts: list[str] = []
    if TRANSCRIPTS.is_dir():
        for path in sorted(TRANSCRIPTS.glob("*.jsonl")):
            parts.append(path.read_text(encoding="utf-8", errors="replace")[: size * 2 // 5])
    diffs = subprocess.run(["git", "log", "-p", "--no-color", "-n", "400"], cwd=ROOT, capture_output=True,
                           text=True, errors="replace").stdout
    parts.append(diffs[: size * 2 // 5])
    prose = ("The session ran the tests, found the parser bug and fixed it; the token budget is fine, "
             "commit 3f786850e387550fdab836ed7e6dc881de23001b is on main.\n")
    parts.append(prose * (size // 5 // len(prose)))
    text = "".join(parts)
    out: list[str] = []
    step = 2000
    for n, at in enumerate(range(0, len(text), step)):
        out += [text[at:at + step], "\n", SECRETS[n % len(SECRETS)][0], "\n"]
    return "".join(out)[:size].rpartition("\n")[0] + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--baseline", default="HEAD", help="git revision of the baseline redact.py")
    args = parser.parse_args()
    text = mixed_text(int(args.mb * 1_000_000))
    mb = len(text.encode()) / 1e6
    old = baseline_module(args.baseline)
    before, after = old.redact(text), redact(text)
    t_old = median_time(lambda: old.redact(text), args.runs)
    t_new = median_time(lambda: redact(text), args.runs)
    t_scan = median_time(lambda: re.findall(r"\w+", text), args.runs)
    leaked = [value for _, value in SECRETS if value in after.text]
    print(f"{mb:.1f} MB of mixed text (transcripts {'yes' if TRANSCRIPTS.is_dir() else 'absent'}, diffs, prose)")
    print(f"baseline {args.baseline:<8} median {t_old * 1000:8.1f} ms  {mb / t_old:6.1f} MB/s  "
          f"{before.total} secrets: {before.summary()}")
    print(f"this tree        median {t_new * 1000:8.1f} ms  {mb / t_new:6.1f} MB/s  "
          f"{after.total} secrets: {after.summary()}")
    print(f"one \\w+ scan     median {t_scan * 1000:8.1f} ms  {mb / t_scan:6.1f} MB/s  (floor)")
    print(f"this tree / baseline time: {t_new / t_old:.2f}x; planted secret values left in the output: {len(leaked)}")


if __name__ == "__main__":
    main()
