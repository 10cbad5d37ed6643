"""Validation gates (factor IV): what they are, how they are declared or detected, and their state.

A gate is either a `command` (pass/fail by exit code) or a `verdict` (the latest ao council report's
`## Council Verdict:` line). A result belongs to the content of the working tree it ran on (a git tree
id): when the tree changes the result is stale, and valid again if the tree returns to that content.

The repository is written by the agent, so neither its gate configuration nor its reports are taken on
its word: command gates of a configuration the user has not trusted (core.trust) never run by
themselves, and a verdict counts only from a report cockpit wrote or the user accepted (Evidence).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class GateKind(StrEnum):
    COMMAND = "command"
    VERDICT = "verdict"


class GateState(StrEnum):
    UNKNOWN = "unknown"
    RUNNING = "running"
    PASS = "pass"
    WARN = "warn"
    FAIL = "fail"
    STALE = "stale"
    # A command gate of a configuration the user has not trusted: it runs only on a key press.
    UNTRUSTED = "untrusted"
    # A verdict from a report cockpit did not write and nobody accepted: it does not count.
    EXTERNAL = "external"


class Evidence(StrEnum):
    """Where a verdict report came from: only cockpit's own or a human-accepted one counts by default."""

    COCKPIT = "cockpit"  # written by cockpit, the file still has the hash cockpit recorded
    ACCEPTED = "accepted"  # accepted by the user in the cockpit, with the hash of what they saw
    EXTERNAL = "external"  # anything else: ao, another tool, the agent, or a cockpit report edited since


DEFAULT_TIMEOUT = 600.0
VERDICT_GATES = ("pre-mortem", "vibe")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$")


@dataclass(frozen=True, slots=True)
class GateSpec:
    name: str
    kind: GateKind
    command: str = ""
    cwd: str = "."  # relative to the repository root
    timeout: float = DEFAULT_TIMEOUT
    required: bool = False
    auto: bool = False
    report: str = ""  # verdict gates: the report name in `.agents/council/*-<report>-*.md`
    why: str = ""  # detected gates: what made us think so


@dataclass(frozen=True, slots=True)
class GateConfig:
    gates: tuple[GateSpec, ...]
    source: str  # where the gates came from: a file, or "detected"
    errors: tuple[str, ...] = field(default=())
    debounce: float = 2.0  # seconds of quiet before auto gates rerun
    fingerprint: str = ""  # SHA-256 of what the gates came from, which `cockpit trust` records (core.trust)
    inputs: tuple[str, ...] = field(default=())  # what the fingerprint covers, for `cockpit trust --show`

    @property
    def detected(self) -> bool:
        return self.source == "detected"

    def get(self, name: str) -> GateSpec | None:
        return next((g for g in self.gates if g.name == name), None)


@dataclass(frozen=True, slots=True)
class GateRun:
    gate: str
    tree: str
    started_at: str  # ISO-8601 UTC
    duration_s: float
    outcome: str  # pass | warn | fail | timeout | error | cancelled
    exit_code: int | None = None
    command: str = ""
    output_tail: str = ""
    output_bytes: int = 0
    note: str = ""  # why it failed when the exit code alone does not say (not found, killed, timed out)
    id: int = 0
    tree_after: str = ""  # the tree when the run ended ("" if not measured): a gate writing files changes it


@dataclass(frozen=True, slots=True)
class GateStatus:
    spec: GateSpec
    state: GateState
    run: GateRun | None = None  # the run the state comes from (or the last one, when stale)
    reason: str = ""
    evidence: str = ""  # verdict gates: the Evidence of the report the state comes from
    external: CouncilReport | None = None  # verdict gates: the newest report that does not count (A accepts)


_OUTCOME_STATE = {"pass": GateState.PASS, "warn": GateState.WARN}


def gate_status(spec: GateSpec, runs: Sequence[GateRun], tree: str, *, running: bool = False,
                trusted: bool = True) -> GateStatus:
    """The state of a command gate for `tree`, from its runs (newest first). Cancelled runs say nothing.

    In a configuration the user has not trusted, a gate with no result for this tree is "untrusted":
    nothing runs it by itself, and a key press asks first."""
    finished = [r for r in runs if r.outcome != "cancelled"]
    if running:
        return GateStatus(spec, GateState.RUNNING, finished[0] if finished else None, "running now")
    for run in finished:
        if tree and run.tree == tree:
            return GateStatus(spec, _OUTCOME_STATE.get(run.outcome, GateState.FAIL), run, "")
    last = finished[0] if finished else None
    if not trusted:
        return GateStatus(spec, GateState.UNTRUSTED, last,
                          "its configuration is not trusted: it runs only when you ask (r asks first)")
    if last is None:
        return GateStatus(spec, GateState.UNKNOWN, None, "never run")
    if left_by_own_run(last, tree):
        return GateStatus(spec, GateState.STALE, last,
                          "its own last run changed the tree (it writes files git does not ignore)")
    return GateStatus(spec, GateState.STALE, last, "the tree changed since the last run")


def left_by_own_run(run: GateRun | None, tree: str) -> bool:
    """True when `tree` is what the gate's own run left behind: rerunning on it would feed itself."""
    return run is not None and bool(run.tree_after) and run.tree_after != run.tree and run.tree_after == tree


def wants_auto_run(status: GateStatus, tree: str) -> bool:
    """An auto gate runs by itself only when its configuration is trusted, it has no result for this tree,
    it is not running, and this tree is not one its own last run produced."""
    if not status.spec.auto or status.spec.kind is not GateKind.COMMAND:
        return False
    if status.state not in (GateState.UNKNOWN, GateState.STALE):
        return False
    return not left_by_own_run(status.run, tree)


# ---- verdict reports -------------------------------------------------------------------------

_COUNCIL = re.compile(r"^#{1,6}\s*Council Verdict\s*:?\s*[*_`]*\s*(PASS|WARN|FAIL)\b", re.I | re.M)
_BARE_HEADING = re.compile(r"^#{1,6}\s*Verdict\s*:?\s*[*_`]*\s*(PASS|WARN|FAIL)?\b", re.I | re.M)
_WORD = re.compile(r"\b(PASS|WARN|FAIL)\b")
_DATE_IN_NAME = re.compile(r"^(\d{4})-?(\d{2})-?(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z?)?")


def parse_verdict(text: str) -> str | None:
    """PASS / WARN / FAIL from an ao report: `## Council Verdict: X`, or a bare `## Verdict` heading
    followed by the word within the next three non-empty lines (older pre-mortems)."""
    match = _COUNCIL.search(text)
    if match:
        return match.group(1).upper()
    for heading in _BARE_HEADING.finditer(text):
        if heading.group(1):
            return heading.group(1).upper()
        following = [line for line in text[heading.end():].splitlines() if line.strip()][:3]
        for line in following:
            if line.lstrip().startswith("#"):
                break
            word = _WORD.search(line.upper())
            if word:
                return word.group(1)
    return None


def parse_frontmatter(text: str) -> dict[str, str]:
    """Top-level `key: value` pairs of a leading `---` block (enough for ids, dates and tree ids)."""
    if not text.startswith("---"):
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines()[1:200]:
        if line.strip() == "---":
            return out
        if ":" in line and not line.startswith((" ", "\t", "-")):
            key, value = line.split(":", 1)
            out[key.strip()] = value.strip().strip("'\"")
    return {}


def report_sort_key(filename: str, mtime: float) -> tuple[str, float, str]:
    """Newest report last: the date in the name (both ao namings), then the file time, then the name."""
    match = _DATE_IN_NAME.match(filename)
    stamp = "".join(g or "00" for g in match.groups()) if match else ""
    return stamp, mtime, filename


def report_matches(filename: str, report: str) -> bool:
    """`2026-02-15-pre-mortem-x.md` is a pre-mortem report; `…-post-mortem-…` and
    `…-post-mortem-vibe-fixes.md` are not: the kind is the word right after the date."""
    if not filename.endswith(".md"):
        return False
    stem = filename[:-3]
    match = _DATE_IN_NAME.match(stem)
    if match:
        rest = stem[match.end():].lstrip("-")
        return rest == report or rest.startswith(f"{report}-")
    return f"-{report}-" in f"-{stem}-"


@dataclass(frozen=True, slots=True)
class CouncilReport:
    path: str
    verdict: str | None
    tree: str  # the tree id the report was written for, when its writer recorded one
    mtime: float
    scope: str = ""  # "issue": about a plan, not a tree (cockpit's pre-mortems)
    issue: str = ""  # with scope "issue": which one
    sha256: str = ""  # of the file's bytes ("" when it could not be read whole)


EXTERNAL_FIX = ("accept it with A on the gate's screen in the cockpit, or set [gates]"
                " accept_external_verdicts = true in your own config file")


def verdict_status(spec: GateSpec, report: CouncilReport | None, tree: str, head_time: float | None,
                   in_progress: frozenset[str] | None = None, *, evidence: Evidence | str,
                   accept_external: bool = False, note: str = "",
                   external: CouncilReport | None = None) -> GateStatus:
    """A verdict gate's state. A report that names its tree is valid for that tree only; one scoped to
    an issue is valid while that issue is in progress (when that is known); one that names neither
    (written by ao) is taken as valid until a commit newer than the report.

    `evidence` says where `report` came from: an external one (not written by cockpit, not accepted by
    the user) gives the state "external" instead of its verdict unless the user's own config accepts
    external verdicts. `note` is added to the reason; `external` is the report the user could accept."""
    def status(state: GateState, run: GateRun | None, reason: str) -> GateStatus:
        reason = "; ".join(part for part in (reason, note) if part)
        return GateStatus(spec, state, run, reason, Evidence(evidence).value if report else "", external)

    if report is None:
        return status(GateState.UNKNOWN, None, f"no .agents/council/*-{spec.report}-*.md report")
    run = GateRun(spec.name, report.tree, "", 0.0, (report.verdict or "").lower(), command=report.path)
    if report.verdict is None:
        return status(GateState.UNKNOWN, run, f"{report.path} has no Council Verdict line")
    state = _OUTCOME_STATE.get(run.outcome, GateState.FAIL)
    reason = ""
    if report.scope == "issue":
        if in_progress is not None and report.issue and report.issue not in in_progress:
            return status(GateState.STALE, run, f"written for {report.issue}, which is not in progress")
        reason = f"judges the plan of {report.issue or 'an issue'}, not the tree"
    elif report.tree:
        if report.tree != tree:
            return status(GateState.STALE, run, "the tree changed since the report")
    elif head_time is not None and head_time > report.mtime:
        return status(GateState.STALE, run, "commits since the report (it records no tree)")
    else:
        reason = "report records no tree; valid until the next commit"
    if evidence == Evidence.EXTERNAL and not accept_external:
        why = f"{report.verdict} in a report cockpit did not write, so it does not count: {EXTERNAL_FIX}"
        return status(GateState.EXTERNAL, run, why)
    return status(state, run, reason)


# ---- configuration ---------------------------------------------------------------------------


def _number(value: Any) -> float | None:
    """A finite number (TOML allows nan and inf; neither is a timeout)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def parse_gates(table: Mapping[str, Any], source: str) -> GateConfig:
    """Gates from a `[gates.<name>]` table set (cockpit.toml, or [tool.cockpit] in pyproject.toml).

    Every mistake is a message naming the gate and key; a bad gate is left out, the others stay."""
    errors: list[str] = []
    gates: list[GateSpec] = []
    raw = table.get("gates", {})
    debounce = 2.0
    settings = table.get("gate_settings", {})
    if isinstance(settings, dict) and "debounce" in settings:
        value = _number(settings["debounce"])
        if value is not None and 0 <= value <= 600:
            debounce = value
        else:
            errors.append(f"{source}: gate_settings.debounce must be seconds between 0 and 600")
    if not isinstance(raw, dict):
        return GateConfig((), source, (f"{source}: `gates` must be a table of [gates.<name>] tables",), debounce)
    for name, body in raw.items():
        where = f"{source}: gates.{name}"
        if not _NAME.fullmatch(name):
            errors.append(f"{where}: a gate name is letters, digits, '-', '_' or '.', at most 40")
            continue
        if not isinstance(body, dict):
            errors.append(f"{where} must be a table")
            continue
        unknown = sorted(set(body) - {"kind", "command", "cwd", "timeout", "required", "auto", "report"})
        if unknown:
            errors.append(f"{where}: unknown key(s) {', '.join(unknown)} (ignored)")
        kind_text = body.get("kind", "verdict" if name in VERDICT_GATES and "command" not in body else "command")
        if kind_text not in ("command", "verdict"):
            errors.append(f"{where}.kind must be \"command\" or \"verdict\"")
            continue
        kind = GateKind(kind_text)
        command = body.get("command", "")
        if kind is GateKind.COMMAND and (not isinstance(command, str) or not command.strip()):
            errors.append(f"{where}.command must be a non-empty string")
            continue
        timeout = _number(body.get("timeout", DEFAULT_TIMEOUT))
        if timeout is None or timeout <= 0:
            errors.append(f"{where}.timeout must be a positive number of seconds")
            continue
        cwd = body.get("cwd", ".")
        if not isinstance(cwd, str) or cwd.startswith("/") or ".." in cwd.replace("\\", "/").split("/"):
            errors.append(f"{where}.cwd must be a path inside the repository")
            continue
        flags = {}
        for key in ("required", "auto"):
            value = body.get(key, False)
            if not isinstance(value, bool):
                errors.append(f"{where}.{key} must be true or false")
                value = False
            flags[key] = value
        report = body.get("report", name)
        if not isinstance(report, str) or not report:
            errors.append(f"{where}.report must be a report name such as \"vibe\"")
            report = name
        gates.append(GateSpec(name, kind, command.strip() if isinstance(command, str) else "", cwd, timeout,
                              flags["required"], flags["auto"] and kind is GateKind.COMMAND, report))
    return GateConfig(tuple(gates), source, tuple(errors), debounce)


@dataclass(frozen=True, slots=True)
class RepoFacts:
    """What detection looks at, gathered by the source layer."""

    files: frozenset[str]  # names at the repository root (directories end with "/")
    pyproject: Mapping[str, Any] = field(default_factory=dict)
    package_json: Mapping[str, Any] = field(default_factory=dict)
    makefile_targets: frozenset[str] = frozenset()
    python: str = "python3"  # the interpreter to run Python tools with (a repo venv when there is one)
    makefile_sha256: str = ""  # of the Makefile's bytes: `make test` runs its recipe


def detect_gates(facts: RepoFacts) -> GateConfig:
    """Sensible gates for a repository with no configuration; each says why it was chosen."""
    gates: list[GateSpec] = []
    files, py = facts.files, facts.python
    tool = facts.pyproject.get("tool", {}) if isinstance(facts.pyproject.get("tool"), dict) else {}
    if "pytest" in tool or "pytest.ini" in files or ("tests/" in files and ("pyproject.toml" in files or "setup.py" in files)):
        why = "[tool.pytest] in pyproject.toml" if "pytest" in tool else "pytest.ini" if "pytest.ini" in files else "tests/"
        gates.append(GateSpec("tests", GateKind.COMMAND, f"{py} -m pytest -q -x", required=True, why=why))
    if "ruff" in tool or "ruff.toml" in files or ".ruff.toml" in files:
        gates.append(GateSpec("lint", GateKind.COMMAND, f"{py} -m ruff check .", timeout=120,
                              why="[tool.ruff] in pyproject.toml" if "ruff" in tool else "ruff.toml"))
    scripts = facts.package_json.get("scripts", {})
    if isinstance(scripts, dict):
        test_script = scripts.get("test", "")
        if isinstance(test_script, str) and test_script and "no test specified" not in test_script:
            gates.append(GateSpec("npm-test", GateKind.COMMAND, "npm test --silent", required=True,
                                  why="package.json scripts.test"))
        if isinstance(scripts.get("lint"), str):
            gates.append(GateSpec("npm-lint", GateKind.COMMAND, "npm run lint --silent", timeout=120,
                                  why="package.json scripts.lint"))
    if "go.mod" in files:
        gates.append(GateSpec("go-test", GateKind.COMMAND, "go test ./...", required=True, why="go.mod"))
    if "Cargo.toml" in files:
        gates.append(GateSpec("cargo-test", GateKind.COMMAND, "cargo test --quiet", required=True, why="Cargo.toml"))
    if "test" in facts.makefile_targets and not any(g.required for g in gates):
        gates.append(GateSpec("make-test", GateKind.COMMAND, "make test", required=True, why="Makefile target test"))
    for name in VERDICT_GATES:
        gates.append(GateSpec(name, GateKind.VERDICT, report=name, why="ao council reports"))
    return GateConfig(tuple(gates), "detected")
