"""The `[keys]` section of the user's config file: binding id = key(s), applied through Textual's keymap.

    [keys]
    run-vibe = "V"                    # one key
    approve-step = "ctrl+a,f2"        # several, comma-separated (or a list: ["ctrl+a", "f2"])

Keys are written as Textual writes them: modifiers joined by `+` (ctrl, shift, alt, meta, super, hyper), then one
printable character or a key name (escape, enter, f5, question_mark …). An unknown binding id or a malformed key
is reported, naming it, and left out; the rest still applies. Standard library only: the config layer never
imports the UI, so the ids the UI declares are listed here (tests/config/test_keys.py checks the list against
every BINDINGS in cockpit.ui, both ways).
"""

from __future__ import annotations

import difflib
import tomllib
import unicodedata
from functools import cache
from pathlib import Path

# Every binding id cockpit declares, by where it works.
BINDING_IDS: dict[str, tuple[str, ...]] = {
    "everywhere": ("quit", "help", "command-palette", "command-palette-ctrl-p", "pause-live", "toggle-theme",
                   "approve-step", "rerun-gate", "rerun-all-gates", "cancel-gate", "run-vibe", "run-premortem",
                   "run-retro", "draft-handoff", "learnings", "metrics", "approval-history"),
    "dashboard": ("pane-context", "pane-sessions", "pane-issues", "pane-gates", "pane-approvals", "filter-sessions",
                  "clear-filter", "toggle-zoom", "raise-budget"),
    "sessions pane": ("open-session",),
    "issues pane": ("open-issue", "issues-next-page", "issues-previous-page", "issues-queue"),
    "gates pane": ("open-gate",),
    "approvals pane": ("open-approval",),
    "session screen": ("back", "previous-tab", "next-tab", "scroll-table-left", "scroll-table-right"),
    "gate screen": ("back-from-gate", "accept-external-report"),
    "issue screen": ("back-from-issue",),
    "report screen": ("back-from-report",),
    "learnings screen": ("back-from-learnings", "search-learnings"),
    "metrics screen": ("back-from-metrics", "metrics-period"),
    "approvals log": ("back-from-history", "filter-history"),
    "help": ("close-help",),
    "approval dialog": ("cancel-approval", "allow-step", "deny-step", "allow-rule-session"),
    "confirm dialog": ("cancel-confirm",),
    "budget dialog": ("cancel-budget",),
}

MODIFIERS = frozenset({"ctrl", "shift", "alt", "meta", "super", "hyper"})
NAMED_KEYS = frozenset({
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
    "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)),
})
# Textual's short names for some characters' Unicode names.
RENAMED = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at", "hyphen_minus": "minus",
           "plus_sign": "plus", "low_line": "underscore"}


def binding_ids() -> list[str]:
    """Every binding id a `[keys]` entry may name, sorted."""
    return sorted({binding for ids in BINDING_IDS.values() for binding in ids})


def load_keymap(path: Path | None) -> tuple[dict[str, str], list[str]]:
    """The `[keys]` of the config file at `path` as a keymap (binding id -> comma-separated keys), and the problems
    found, each naming the key. No file, an empty one or no section: ({}, [])."""
    if path is None or not path.exists():
        return {}, []
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return {}, [f"{path}: [keys] not read: {exc}"]
    return parse_keymap(data.get("keys", {}), str(path))


def parse_keymap(table: object, source: str) -> tuple[dict[str, str], list[str]]:
    """A `[keys]` table already read from `source`: the valid entries as a keymap, and a problem for each other."""
    if not isinstance(table, dict):
        return {}, [f"{source}: [keys] must be a table of binding id = key"]
    known = set(binding_ids())
    keymap: dict[str, str] = {}
    problems: list[str] = []
    for binding, value in table.items():
        where = f"{source}: keys.{binding}"
        if binding not in known:
            close = difflib.get_close_matches(binding, sorted(known), n=1)
            hint = f"; did you mean {close[0]!r}?" if close else "; the README lists the binding ids"
            problems.append(f"{where}: no binding has this id{hint}")
            continue
        keys = value.split(",") if isinstance(value, str) else value
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) for k in keys):
            problems.append(f'{where}: must be a key or a list of keys, like "ctrl+s" or ["f2", "ctrl+s"]')
            continue
        bad = [k for k in keys if not is_key(k.strip())]
        if bad:
            problems.append(f"{where}: not a key: {', '.join(repr(k) for k in bad)}"
                            " (modifiers joined by +, then one character or a key name such as escape or f5)")
            continue
        keymap[binding] = ",".join(k.strip() for k in keys)
    return keymap, problems


def is_key(key: str) -> bool:
    """True for a key as Textual writes it: `ctrl+shift+f5`, `?`, `question_mark`, `A`."""
    *modifiers, name = key.split("+")
    if len(set(modifiers)) != len(modifiers) or not MODIFIERS.issuperset(modifiers):
        return False
    if len(name) == 1:
        return name.isprintable() and not name.isspace()
    if name in NAMED_KEYS or name in _ascii_names():
        return True
    try:
        char = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return False
    return _name_of(char) == name


def _name_of(char: str) -> str:
    """Textual's key name for the key that types `char`."""
    if char.isalnum():
        return char
    name = unicodedata.name(char, char).lower().replace("-", "_").replace(" ", "_")
    return RENAMED.get(name, name)


@cache
def _ascii_names() -> frozenset[str]:
    """The names of the printable ASCII characters (some, like minus, are not their Unicode name)."""
    return frozenset(_name_of(chr(code)) for code in range(33, 127))
