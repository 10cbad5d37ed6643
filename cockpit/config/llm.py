"""`[llm]` and `[vibe]` of the repository's configuration (config/repo.py); flags win over files.

Every bad value and unknown key is a problem naming it (`llm.timeout`), and the setting keeps its default.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, fields, replace
from typing import Any

from cockpit.config.repo import RepoConfig
from cockpit.core.llm_types import LlmSettings


@dataclass(frozen=True, slots=True)
class VibeSettings:
    warn_exit: int = 1  # exit code of `cockpit vibe` on WARN (0 lets a WARN through a pre-commit gate)
    max_lines: int = 400  # changed lines above which a change is not a small iteration (warn)
    fail_lines: int = 1500


def _positive(table: dict[str, Any], key: str, kind: type, errors: list[str], where: str) -> Any:
    value = table.get(key)
    if value is None:
        return None
    ok = isinstance(value, kind) and not isinstance(value, bool) and value > 0
    if kind is float:
        ok = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value) and value > 0
    if not ok:
        errors.append(f"{where}.{key} must be a positive {'number' if kind is float else 'integer'}")
        return None
    return value


def _unknown(table: dict[str, Any], name: str, known: list[str], errors: list[str]) -> None:
    errors.extend(f"{name}.{key} is not a setting (known: {', '.join(known)})" for key in table if key not in known)


def load_llm_config(root: str | os.PathLike[str], *,
                    model: str | None = None) -> tuple[LlmSettings, VibeSettings, list[str]]:
    files = RepoConfig(root)
    errors = files.errors(files.own)
    data, _ = files.section("llm", "vibe")
    if not data:
        errors += files.errors(files.pyproject)
    llm, vibe = LlmSettings(), VibeSettings()
    table = data.get("llm", {})
    if isinstance(table, dict):
        _unknown(table, "llm", [f.name for f in fields(LlmSettings)], errors)
        if isinstance(table.get("model"), str) and table["model"].strip():
            llm = replace(llm, model=table["model"].strip())
        elif "model" in table:
            errors.append("llm.model must be a model name such as \"claude-sonnet-5\"")
        for key, kind in (("timeout", float), ("max_retries", int), ("input_budget", int), ("max_output_tokens", int)):
            value = _positive(table, key, kind, errors, "llm")
            if value is not None:
                llm = replace(llm, **{key: kind(value)})
    table = data.get("vibe", {})
    if isinstance(table, dict):
        _unknown(table, "vibe", [f.name for f in fields(VibeSettings)], errors)
        if "warn_exit" in table:
            if table["warn_exit"] in (0, 1, 2) and not isinstance(table["warn_exit"], bool):
                vibe = replace(vibe, warn_exit=table["warn_exit"])
            else:
                errors.append("vibe.warn_exit must be 0, 1 or 2")
        for key in ("max_lines", "fail_lines"):
            value = _positive(table, key, int, errors, "vibe")
            if value is not None:
                vibe = replace(vibe, **{key: value})
    if model:
        llm = replace(llm, model=model)
    return llm, vibe, errors
