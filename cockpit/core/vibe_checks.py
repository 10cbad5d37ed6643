"""The vibe check: deterministic findings on a change, their verdict, and the ao-style report.

Deterministic checks look at the parsed diff and the gate states: failing gates, the size of the change
(factor X, small iterations), secrets and debug leftovers in added lines, TODO markers, code changed
without tests, and files the stated intent does not mention. A semantic (LLM) review may add findings and
a verdict, but only ever makes the result worse: a deterministic FAIL stays FAIL whatever the review says,
so text in the diff that talks to the reviewer cannot talk its way to a PASS. Pure: stdlib only, no IO.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cockpit.core.diff import FileDiff, changed_lines
from cockpit.core.gate_rules import GateState, GateStatus
from cockpit.core.redact import redact
from cockpit.core.text import one_line, terminal_safe

Severity = Literal["info", "warn", "fail"]

VERDICTS = ("PASS", "WARN", "FAIL")
_RANK = {"PASS": 0, "WARN": 1, "FAIL": 2}
_SEVERITY_VERDICT = {"info": "PASS", "warn": "WARN", "fail": "FAIL"}
_SEVERITY_ORDER = {"fail": 0, "warn": 1, "info": 2}
TODO_WARN_ABOVE = 5
INTENT_LIST_MAX = 10


@dataclass(frozen=True, slots=True)
class Finding:
    severity: Severity
    check: str
    message: str
    file: str = ""
    line: int = 0
    source: str = "deterministic"  # "review" for the semantic (LLM) review

    @property
    def where(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


# ---- paths -------------------------------------------------------------------------------------

CODE_EXTENSIONS = frozenset({
    ".py", ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".rs", ".java", ".rb", ".kt", ".swift",
    ".c", ".cc", ".cpp", ".cs", ".h", ".hpp",
})
_TEST_DIRS = frozenset({"tests", "test", "__tests__", "spec", "specs", "testing"})
_TEST_FILE = re.compile(
    r"^(?:test_.+\.py|.+_test\.py|conftest\.py|.+_test\.go|.+\.(?:test|spec)\.[cm]?[jt]sx?"
    r"|.+Tests?\.(?:java|kt|swift|cs)|.+_spec\.rb|.+_test\.rb|test_.+\.rb)$"
)
_JS = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".vue", ".svelte")


def _parts(path: str) -> list[str]:
    return [p for p in path.replace("\\", "/").split("/") if p]


def _basename(path: str) -> str:
    parts = _parts(path)
    return parts[-1] if parts else path


def _ext(path: str) -> str:
    base = _basename(path)
    dot = base.rfind(".")
    return base[dot:].lower() if dot > 0 else ""


def is_test_path(path: str) -> bool:
    """A test file: under tests/, test/, __tests__/, spec/ …, or named test_x.py, x_test.go, x.spec.ts …"""
    parts = _parts(path)
    if any(p in _TEST_DIRS for p in parts[:-1]):
        return True
    return bool(parts) and _TEST_FILE.match(parts[-1]) is not None


def is_code_path(path: str) -> bool:
    return _ext(path) in CODE_EXTENSIONS


# ---- gates -------------------------------------------------------------------------------------


def _gate_findings(gates: Sequence[GateStatus]) -> list[Finding]:
    out: list[Finding] = []
    for status in gates:
        spec = status.spec
        if spec.name == "vibe" or spec.report == "vibe":
            continue  # vibe does not judge itself
        reason = f" ({one_line(status.reason, 120)})" if status.reason else ""
        if spec.required:
            if status.state is GateState.FAIL:
                out.append(Finding("fail", "gates", f"required gate {spec.name} is failing{reason}"))
            elif status.state is GateState.WARN:
                out.append(Finding("warn", "gates", f"required gate {spec.name} passed with warnings{reason}"))
            elif status.state in (GateState.STALE, GateState.UNKNOWN, GateState.RUNNING, GateState.UNTRUSTED,
                                  GateState.EXTERNAL):
                out.append(Finding("warn", "gates",
                                   f"required gate {spec.name} is {status.state.value}: no result for this tree{reason}"))
        elif status.state is GateState.FAIL:
            out.append(Finding("warn", "gates", f"gate {spec.name} is failing (not required){reason}"))
    return out


# ---- added lines -------------------------------------------------------------------------------

_PY_PRINT = re.compile(r"(?<![\w.])print\(")
_DEBUG_ANY_PY = (
    (re.compile(r"(?<![\w.])breakpoint\(\)"), "breakpoint()"),
    (re.compile(r"\bi?pdb\.set_trace\("), "pdb.set_trace()"),
    (re.compile(r"^\s*(?:import\s+i?pdb\b|from\s+i?pdb\s+import\b)"), "import pdb"),
)
_DEBUG_BY_EXT: dict[str, tuple[tuple[re.Pattern[str], str], ...]] = {
    **{ext: ((re.compile(r"\bconsole\.log\("), "console.log()"),
             (re.compile(r"(?<![\w.$])debugger\s*;"), "debugger;")) for ext in _JS},
    ".rs": ((re.compile(r"(?<![\w])dbg!\("), "dbg!()"),),
    ".rb": ((re.compile(r"\bbinding\.pry\b"), "binding.pry"),),
    ".erb": ((re.compile(r"\bbinding\.pry\b"), "binding.pry"),),
    ".php": ((re.compile(r"(?<![\w$])var_dump\("), "var_dump()"),),
}
_GO_PRINTLN = re.compile(r"\bfmt\.Println\(")
_TODO = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
_COMMENT_ONLY = re.compile(r"^\s*(?:#|//)")


def _debug_leftovers(f: FileDiff) -> list[Finding]:
    ext, parts = _ext(f.path), _parts(f.path)
    test = is_test_path(f.path)
    out: list[Finding] = []
    for number, text in f.added:
        hits: list[str] = []
        if ext == ".py":
            if not _COMMENT_ONLY.match(text):
                if not test and "scripts" not in parts[:-1] and _PY_PRINT.search(text):
                    hits.append("print()")
                hits += [name for pattern, name in _DEBUG_ANY_PY if pattern.search(text)]
        elif ext == ".go":
            if not f.path.endswith("_test.go") and not _COMMENT_ONLY.match(text) and _GO_PRINTLN.search(text):
                hits.append("fmt.Println()")
        else:
            hits += [name for pattern, name in _DEBUG_BY_EXT.get(ext, ()) if pattern.search(text)]
        if hits:
            out.append(Finding("warn", "debug", f"debug leftover added: {', '.join(dict.fromkeys(hits))}",
                               f.path, number))
    return out


def _is_env_file(path: str) -> bool:
    base = _basename(path).lower()
    return (base == ".env" or base.startswith(".env.") or base.endswith(".env")) and not base.endswith(
        (".example", ".sample", ".template", ".dist"))


def _secret_findings(f: FileDiff) -> list[Finding]:
    out: list[Finding] = []
    env_file = _is_env_file(f.path)
    for number, text in f.added:
        found = redact(text, env_file=env_file)
        if found.total:
            kinds = ", ".join(f"{n} {kind}" if n > 1 else kind for kind, n in sorted(found.counts.items()))
            out.append(Finding("fail", "secrets", f"secret added ({kinds}); the value is not shown", f.path, number))
    return out


def _todo_findings(files: Sequence[FileDiff]) -> list[Finding]:
    hits = [(f.path, number, match.group(1)) for f in files for number, text in f.added
            if (match := _TODO.search(text))]
    if not hits:
        return []
    if len(hits) <= TODO_WARN_ABOVE:
        return [Finding("info", "todo", f"{word} marker added", path, number) for path, number, word in hits]
    where = ", ".join(f"{path}:{number}" for path, number, _ in hits[:INTENT_LIST_MAX])
    more = f" and {len(hits) - INTENT_LIST_MAX} more" if len(hits) > INTENT_LIST_MAX else ""
    return [Finding("warn", "todo", f"{len(hits)} TODO/FIXME/XXX/HACK markers added: {where}{more}")]


def _tests_finding(files: Sequence[FileDiff]) -> list[Finding]:
    code = [f.path for f in files
            if f.status in ("added", "modified", "renamed") and is_code_path(f.path) and not is_test_path(f.path)
            and (f.added or f.removed_count or f.status == "added")]
    if not code or any(is_test_path(f.path) or (f.old_path and is_test_path(f.old_path)) for f in files):
        return []
    listed = ", ".join(code[:INTENT_LIST_MAX]) + (f" and {len(code) - INTENT_LIST_MAX} more"
                                                  if len(code) > INTENT_LIST_MAX else "")
    return [Finding("warn", "tests", f"code changed without any test change: {listed}")]


def _mentioned(path: str, intent: str) -> bool:
    parts = _parts(path)
    if not parts:
        return True
    base = parts[-1].lower()
    stem = base.split(".", 1)[0] if not base.startswith(".") else base
    names = {path.lower(), base, stem, stem.replace("_", " ").replace("-", " ")}
    if len(parts) > 1:
        names.add(parts[-2].lower())
    for name in names:
        if name and re.search(r"(?<![\w])" + re.escape(name) + r"(?![\w])", intent):
            return True
    return False


def _intent_findings(files: Sequence[FileDiff], intent: str) -> list[Finding]:
    text = intent.strip().lower()
    if not text or not files:
        return []
    missing = [f.path for f in files if not _mentioned(f.path, text)]
    if not missing:
        return []
    severity: Severity = "warn" if len(missing) > INTENT_LIST_MAX and len(missing) * 2 > len(files) else "info"
    listed = ", ".join(missing[:INTENT_LIST_MAX])
    more = f" and {len(missing) - INTENT_LIST_MAX} more" if len(missing) > INTENT_LIST_MAX else ""
    return [Finding(severity, "intent",
                    f"{len(missing)} of {len(files)} changed files are not mentioned by the intent: {listed}{more}")]


def deterministic_checks(files: Sequence[FileDiff], gates: Sequence[GateStatus], intent: str, *,
                         max_lines: int = 400, fail_lines: int = 1500) -> list[Finding]:
    """Every rule that needs no model: gates, size, secrets, debug leftovers, TODOs, tests, intent."""
    findings = _gate_findings(gates)
    size = changed_lines(files)
    if size > fail_lines:
        findings.append(Finding("fail", "size", f"{size:,} lines changed (more than {fail_lines:,}): split it up"))
    elif size > max_lines:
        findings.append(Finding("warn", "size", f"{size:,} lines changed (more than {max_lines:,}): "
                                                "small iterations are easier to validate"))
    for f in files:
        findings += _secret_findings(f)
    for f in files:
        findings += _debug_leftovers(f)
    findings += _todo_findings(files)
    findings += _tests_finding(files)
    findings += _intent_findings(files, intent)
    return findings


# ---- verdict -----------------------------------------------------------------------------------


def verdict_of(findings: Sequence[Finding]) -> str:
    """FAIL if any finding fails, WARN if any warns, else PASS (info never counts)."""
    return _worst(_SEVERITY_VERDICT.get(f.severity, "PASS") for f in findings)


def _worst(verdicts) -> str:
    worst = "PASS"
    for v in verdicts:
        if _RANK.get(v, 0) > _RANK[worst]:
            worst = v
    return worst


def combine(deterministic: Sequence[Finding], review: Sequence[Finding], review_verdict: str | None) -> str:
    """The worst of the deterministic verdict, the review findings' verdict and the review's own verdict.

    The review can only add severity: a deterministic FAIL stays FAIL even if the review says PASS."""
    said = (review_verdict or "").strip().upper()
    return _worst((verdict_of(deterministic), verdict_of(review), said if said in _RANK else "PASS"))


# ---- report ------------------------------------------------------------------------------------


def slugify(text: str) -> str:
    """`Fix the login bug!` -> `fix-the-login-bug`: lowercase ascii and dashes, at most 40, never empty."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:40].strip("-")
    return slug or "change"


def _cell(text: str) -> str:
    return one_line(text, 300).replace("\\", "\\\\").replace("|", "\\|") or " "


def _prose(text: str) -> str:
    """Free text made inert in Markdown structure: no controls, no line that reads as a heading or a
    frontmatter fence (so nothing in it can pose as the verdict line)."""
    lines = terminal_safe(text).strip().splitlines()
    return "\n".join("\\" + line if line.lstrip().startswith(("#", "---")) else line for line in lines)


def _fenced(text: str) -> str:
    """`text` in a fence longer than any backtick run inside it; heading-like lines indented by a space."""
    body = terminal_safe(text).strip("\n")
    body = "\n".join(" " + line if line.startswith(("#", "---")) else line for line in body.splitlines())
    longest = max((len(run) for run in re.findall(r"`+", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{body}\n{fence}"


def render_report(*, title: str, date: str, slug: str, tree: str, verdict: str, intent: str, intent_source: str,
                  change: str, findings: Sequence[Finding], review_note: str, redaction: str, trimming: str,
                  model: str = "") -> str:
    """The vibe report as ao writes council reports: frontmatter, `## Council Verdict: X`, sections."""
    verdict = verdict.upper() if verdict.upper() in _RANK else "FAIL"
    slug = slugify(slug)
    front = [
        "---",
        f"id: vibe-{one_line(date, 40)}-{slug}",
        "type: council",
        f"date: '{one_line(date, 40)}'",
        f"tree: {one_line(tree, 80)}",
        f"verdict: {verdict}",
        f"intent_source: {one_line(intent_source, 80) or 'none'}",
    ]
    if model:
        front.append(f"model: {one_line(model, 80)}")
    front.append("---")
    out = [
        "\n".join(front),
        "",
        f"# Vibe Report: {one_line(title, 120) or 'change'}",
        "",
        f"## Council Verdict: {verdict}",
        "",
        "## Intent",
        "",
        f"Source: {_cell(intent_source or 'none')}",
        "",
        _fenced(intent) if intent.strip() else "_no intent stated_",
        "",
        "## Change",
        "",
        _prose(change) or "_no change description_",
        "",
        "## Findings",
        "",
    ]
    ordered = sorted(findings, key=lambda f: _SEVERITY_ORDER.get(f.severity, 3))
    if ordered:
        out += ["| Severity | Check | Where | Message |", "| --- | --- | --- | --- |"]
        for f in ordered:
            check = f.check if f.source == "deterministic" else f"{f.check} ({f.source})"
            out.append(f"| {_cell(f.severity.upper())} | {_cell(check)} | {_cell(f.where)} | {_cell(f.message)} |")
    else:
        out.append("_no findings_")
    out += [
        "",
        "## Semantic review",
        "",
        _prose(review_note) or "_none_",
        "",
        "## Redaction",
        "",
        _prose(redaction) or "_none_",
        "",
        "## Prompt budget",
        "",
        _prose(trimming) or "_none_",
        "",
    ]
    return "\n".join(out)
