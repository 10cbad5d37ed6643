"""Whose settings may change the critical-step policy, and how far.

Two layers meet in every hook: the user's own config file (`[approvals]` in
`~/.config/cockpit/config.toml`) and the repository's (`[approvals]` in `cockpit.toml`, or
`[tool.cockpit.approvals]` in `pyproject.toml`). The agent can write the repository, so the
repository's layer may only tighten: it adds rules and may choose `on_no_cockpit = "deny"` or a
shorter wait; it can never drop a default rule or one of the user's (`exclude`, `mode = "replace"`)
nor relax `deny` to `ask`. Loosening is the user's alone. What a layer tried and was not allowed to
do is an error line naming the file, so the user sees it in `cockpit doctor` and the hook's stderr.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from cockpit.core.policy import CONFIG_KEYS, Policy, default_policy, policy_from_config, rule_entries

# Keys a repository may set; the others loosen and belong to the user's own config.
REPO_KEYS = ("rules", "on_no_cockpit", "timeout_seconds")
USER_ONLY_HINT = "only your own config file may loosen the policy"


def approvals_table(data: Mapping[str, Any], filename: str) -> Any:
    """The `[approvals]` table of a parsed config file (`[tool.cockpit.approvals]` in pyproject.toml)."""
    if filename == "pyproject.toml":
        tool = data.get("tool")
        cockpit = tool.get("cockpit") if isinstance(tool, Mapping) else None
        return cockpit.get("approvals") if isinstance(cockpit, Mapping) else None
    return data.get("approvals")


def layered_policy(user_table: Any = None, repo_table: Any = None, *, user_source: str = "[approvals]",
                   repo_source: str = "cockpit.toml [approvals]", errors: tuple[str, ...] = ()) -> Policy:
    """The user's policy (defaults changed as the user likes), then the repository's additions."""
    base = policy_from_config(user_table, user_source) if user_table is not None else default_policy()
    policy = tighten(base, repo_table, repo_source)
    return replace(policy, errors=(*errors, *policy.errors)) if errors else policy


def tighten(base: Policy, table: Any, source: str) -> Policy:
    """`base` with what a repository table may add: rules, `deny` when nobody answers, a shorter wait."""
    if table is None:
        return base
    if not isinstance(table, Mapping):
        return replace(base, errors=(*base.errors, f"{source}: must be a table, not {type(table).__name__}"))
    errors: list[str] = list(base.errors)
    for key in table:
        if key not in CONFIG_KEYS:
            errors.append(f"{source}: unknown key {key!r} (known: {', '.join(REPO_KEYS)})")
        elif key not in REPO_KEYS:
            errors.append(f"{source}: {key} ignored: a repository can only add rules; {USER_ONLY_HINT}")

    on_no_cockpit = base.on_no_cockpit
    wanted = table.get("on_no_cockpit")
    if wanted == "deny":
        on_no_cockpit = "deny"
    elif wanted == "ask" and base.on_no_cockpit == "deny":
        errors.append(f"{source}: on_no_cockpit = \"ask\" ignored: your config says \"deny\"; {USER_ONLY_HINT}")
    elif wanted is not None and wanted != "ask":
        errors.append(f"{source}: on_no_cockpit must be \"ask\" or \"deny\", not {wanted!r}")

    timeout = base.timeout_seconds
    wanted_timeout: Any = table.get("timeout_seconds")
    if wanted_timeout is not None:
        probe = policy_from_config({"timeout_seconds": wanted_timeout}, source)
        if probe.errors:
            errors.extend(probe.errors)
        elif probe.timeout_seconds > timeout:
            errors.append(f"{source}: timeout_seconds = {wanted_timeout!r} ignored: longer than"
                          f" {timeout:g}; {USER_ONLY_HINT}")
        else:
            timeout = probe.timeout_seconds

    rules = list(base.rules)
    known = {rule.text for rule in rules}
    for rule, _entry in rule_entries(table, source, errors):
        # A rule already present keeps the name and reason its owner gave it.
        if rule.text not in known:
            rules.append(rule)
            known.add(rule.text)
    return replace(base, rules=tuple(rules), on_no_cockpit=on_no_cockpit, timeout_seconds=timeout,
                   errors=tuple(errors))
