"""Set-up and entry for developers: creates .venv, installs cockpit with its test extras, then runs.

    python3 scripts/dev.py demo    # open cockpit on its demo workspace
    python3 scripts/dev.py test    # run the whole test suite
    python3 scripts/dev.py cockpit ARGS...  # any cockpit command

Only Python 3.11+ and git are needed; the install is redone when pyproject.toml changes.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
STAMP = VENV / ".cockpit-installed"


def _fingerprint() -> str:
    return hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()


def ensure_venv() -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py runs on whatever python3 the user has
        sys.exit(f"cockpit needs Python 3.11 or newer; this is {sys.version.split()[0]}")
    if STAMP.exists() and STAMP.read_text() == _fingerprint():
        return
    if not (BIN / "python").exists():
        print("creating .venv …", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    print("installing cockpit and its test tools into .venv …", flush=True)
    pip = [str(BIN / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "install", "-e", f"{ROOT}[test]"], check=True)
    STAMP.write_text(_fingerprint())


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "demo"
    ensure_venv()
    env = dict(os.environ)
    if command == "test":
        args = [str(BIN / "python"), "-m", "pytest", *argv[1:]]
    elif command == "demo":
        args = [str(BIN / "cockpit"), "demo", *argv[1:]]
    elif command == "cockpit":
        args = [str(BIN / "cockpit"), *argv[1:]]
    else:
        print(__doc__)
        return 2
    return subprocess.run(args, cwd=ROOT, env=env).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
