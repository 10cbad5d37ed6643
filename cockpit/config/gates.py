"""The gates a repository declares (`[gates]` of its configuration, see config/repo.py), else the ones it
suggests: pytest, ruff, npm, go, cargo or make detected from its files, plus the verdict gates.

Each file is read once, so the gates and the fingerprint `cockpit trust` records (core/trust_rules.py)
always describe the same bytes. A file with a syntax error keeps its message (with tomllib's line and
column) and the gates fall back to detection, so the pane can say what is wrong and still be useful.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from cockpit.config.repo import OWN, TOOL_SOURCE, RepoConfig
from cockpit.config.toml_file import CONFIG_READ_LIMIT
from cockpit.core.gate_rules import GateConfig, RepoFacts, detect_gates, parse_gates
from cockpit.core.trust_rules import detected_fingerprint, sha256_hex, table_fingerprint
from cockpit.sources.files import read_regular


def load_gate_config(root: str | os.PathLike[str]) -> GateConfig:
    """cockpit.toml's gates, else [tool.cockpit] in pyproject.toml, else detected ones, with their fingerprint."""
    files = RepoConfig(root)
    own = files.own
    errors = files.errors(own)
    if own.data is not None and "gates" in own.data:
        config = parse_gates(own.data, OWN)
        return replace(config, fingerprint=sha256_hex(own.raw or b""), inputs=("cockpit.toml (the file's bytes)",))
    errors += files.errors(files.pyproject)
    section = files.tool_cockpit()
    if isinstance(section, dict) and "gates" in section:
        config = parse_gates(section, TOOL_SOURCE)
        return replace(config, errors=(*errors, *config.errors), fingerprint=table_fingerprint(section),
                       inputs=("pyproject.toml [tool.cockpit] (that table only)",))
    facts = repo_facts(Path(root), files.pyproject.data or {})
    detected = detect_gates(facts)
    scripts = facts.package_json.get("scripts") if facts.package_json else None
    inputs = ["the detected gate list"]
    if scripts is not None:
        inputs.append("package.json scripts")
    if facts.makefile_sha256:
        inputs.append("Makefile (the file's bytes)")
    return GateConfig(detected.gates, detected.source, tuple(errors),
                      fingerprint=detected_fingerprint(detected.gates, scripts, facts.makefile_sha256),
                      inputs=tuple(inputs))


def repo_facts(top: Path, pyproject: dict[str, Any] | None = None) -> RepoFacts:
    """What detection looks at: the top-level names, pyproject.toml, package.json, the Makefile's targets."""
    try:
        files = frozenset(e.name + ("/" if e.is_dir() else "") for e in os.scandir(top))
    except OSError:
        files = frozenset()
    package: dict[str, Any] = {}
    if "package.json" in files:
        raw = read_regular(top / "package.json", CONFIG_READ_LIMIT)
        try:
            loaded = json.loads(raw.decode("utf-8")) if raw is not None else {}
            package = loaded if isinstance(loaded, dict) else {}
        except ValueError:
            package = {}
    targets: set[str] = set()
    makefile_sha256 = ""
    if "Makefile" in files:
        raw = read_regular(top / "Makefile", CONFIG_READ_LIMIT)
        if raw is not None:
            makefile_sha256 = sha256_hex(raw)
            for line in raw.decode("utf-8", "replace").splitlines():
                if ":" in line and not line.startswith(("\t", " ", "#", ".")) and "=" not in line:
                    targets.update(line.split(":", 1)[0].split())
    python = "python3"
    for venv in (".venv", "venv"):
        candidate = top / venv / "bin" / "python"
        if candidate.exists():
            python = f"{venv}/bin/python"
            break
    if pyproject is None:
        pyproject = RepoConfig(top).pyproject.data or {}
    return RepoFacts(files, pyproject, package, frozenset(targets), python, makefile_sha256)
