"""Trust in a repository's gate configuration, as direnv and mise do it: nothing the repository declares
runs until the user has seen it and said yes to exactly that content.

What is hashed (the fingerprint `cockpit trust` records):
- `cockpit.toml`: the file's bytes.
- `[tool.cockpit]` in `pyproject.toml`: the canonical JSON of that table only, so editing the project's
  dependencies or version does not take the trust away.
- detected gates (no configuration): the canonical JSON of the detected gate list (every field,
  commands included) plus what detection read that decides what runs: package.json's `scripts` table
  (`npm test` runs scripts.test) and the Makefile's bytes (`make test` runs its recipe). Test code
  (conftest.py, the tests) is not hashed: a trusted test gate means "run this repository's tests".
"""

from __future__ import annotations

import hashlib
import json
import shlex
from collections.abc import Iterable, Mapping
from typing import Any

from cockpit.core.gate_rules import GateSpec

TRUST_FIX = "review with `cockpit trust --show`, then run `cockpit trust`"


def trust_fix(repo: str | None = None) -> str:
    """TRUST_FIX for a repository named on the command line (`--repo PATH`)."""
    if not repo or repo == ".":
        return TRUST_FIX
    flag = f" --repo {shlex.quote(repo)}"
    return f"review with `cockpit trust --show{flag}`, then run `cockpit trust{flag}`"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def canonical_json(value: Any) -> bytes:
    """One byte string per value whatever the key order or spacing of the file it came from."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str).encode()


def spec_json(spec: GateSpec) -> dict[str, Any]:
    return {"name": spec.name, "kind": spec.kind.value, "command": spec.command, "cwd": spec.cwd,
            "timeout": spec.timeout, "required": spec.required, "auto": spec.auto, "report": spec.report,
            "why": spec.why}


def table_fingerprint(table: Mapping[str, Any]) -> str:
    return sha256_hex(canonical_json(table))


def detected_fingerprint(gates: Iterable[GateSpec], scripts: Any, makefile_sha256: str) -> str:
    return sha256_hex(canonical_json({"gates": [spec_json(g) for g in gates], "package.json scripts": scripts,
                                      "Makefile sha256": makefile_sha256}))


def source_label(source: str) -> str:
    return "the detected gates (no cockpit.toml)" if source == "detected" else f"the gates in {source}"


def untrusted_line(source: str, repo: str | None = None) -> str:
    """The one line every surface prints for an untrusted configuration."""
    return f"{source_label(source)} are not trusted, so no gate command runs by itself: {trust_fix(repo)}"
