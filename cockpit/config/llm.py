"""`[llm]` and `[vibe]` from cockpit.toml (or [tool.cockpit] in pyproject.toml); flags win over files."""

from __future__ import annotations

import math
import tomllib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from cockpit.llm.client import LlmSettings


@dataclass(frozen=True, slots=True)
class VibeSettings:
    warn_exit: int = 1  # exit code of `cockpit vibe` on WARN (0 lets a WARN through a pre-commit gate)
    max_lines: int = 400  # changed lines above which a change is not a small iteration (warn)
    fail_lines: int = 1500


def _tables(root: Path) -> tuple[dict[str, Any], list[str]]:
    own = root / "cockpit.toml"
    errors: list[str] = []
    for path, pick in ((own, lambda d: d), (root / "pyproject.toml", lambda d: d.get("tool", {}).get("cockpit", {}))):
        if not path.is_file():
            continue
        try:
            data = pick(tomllib.loads(path.read_text(encoding="utf-8")))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            errors.append(f"{path.name}: {exc}")
            continue
        if isinstance(data, dict) and ("llm" in data or "vibe" in data):
            return data, errors
    return {}, errors


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


def load_llm_config(root: str | Path, *, model: str | None = None) -> tuple[LlmSettings, VibeSettings, list[str]]:
    data, errors = _tables(Path(root))
    llm, vibe = LlmSettings(), VibeSettings()
    table = data.get("llm", {})
    if isinstance(table, dict):
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
