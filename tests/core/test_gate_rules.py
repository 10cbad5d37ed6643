"""Validation gates, the pure part: gate state from runs, ao council verdicts, report names,
the [gates.<name>] configuration and detection. Literals only, no files or processes."""

from __future__ import annotations

import math

import pytest

from cockpit.core.gate_rules import (
    CouncilReport,
    Evidence,
    GateKind,
    GateRun,
    GateSpec,
    GateState,
    GateStatus,
    RepoFacts,
    detect_gates,
    gate_status,
    parse_frontmatter,
    parse_gates,
    parse_verdict,
    report_matches,
    report_sort_key,
    verdict_status,
    wants_auto_run,
)

TESTS = GateSpec("tests", GateKind.COMMAND, "pytest -q")
VIBE = GateSpec("vibe", GateKind.VERDICT, report="vibe")


def run(tree: str, outcome: str, gate: str = "tests", id: int = 0) -> GateRun:
    return GateRun(gate, tree, "2026-03-01T09:00:00.000000Z", 1.0, outcome, id=id)


# ---- gate_status -----------------------------------------------------------------------------


def test_a_gate_never_run_is_unknown() -> None:
    status = gate_status(TESTS, [], "A")
    assert status.state is GateState.UNKNOWN and status.run is None and status.reason == "never run"


@pytest.mark.parametrize(("outcome", "state"), [
    ("pass", GateState.PASS), ("warn", GateState.WARN), ("fail", GateState.FAIL),
    ("timeout", GateState.FAIL), ("error", GateState.FAIL),
])
def test_a_run_on_this_tree_gives_its_outcome_and_timeouts_or_errors_fail(outcome: str, state: GateState) -> None:
    last = run("A", outcome)
    status = gate_status(TESTS, [last], "A")
    assert status.state is state and status.run is last


def test_a_run_on_another_tree_is_stale_and_keeps_the_last_run_attached() -> None:
    newest, older = run("B", "fail", id=2), run("C", "pass", id=1)
    status = gate_status(TESTS, [newest, older], "A")
    assert status.state is GateState.STALE and status.run is newest
    assert "changed" in status.reason


def test_a_tree_returning_to_earlier_content_takes_the_state_of_the_run_on_that_content() -> None:
    on_b, on_a = run("B", "fail", id=2), run("A", "pass", id=1)
    status = gate_status(TESTS, [on_b, on_a], "A")
    assert status.state is GateState.PASS and status.run is on_a


def test_the_newest_run_on_the_same_tree_wins() -> None:
    newest, older = run("A", "fail", id=2), run("A", "pass", id=1)
    assert gate_status(TESTS, [newest, older], "A").run is newest


def test_cancelled_runs_say_nothing_about_the_gate() -> None:
    assert gate_status(TESTS, [run("A", "cancelled")], "A").state is GateState.UNKNOWN
    passed = run("A", "pass", id=1)
    status = gate_status(TESTS, [run("A", "cancelled", id=2), passed], "A")
    assert status.state is GateState.PASS and status.run is passed


def test_an_unknown_current_tree_never_matches_a_run_and_is_stale() -> None:
    """tree_id failing gives ""; a run recorded with "" must not count as a run on it."""
    assert gate_status(TESTS, [run("", "pass")], "").state is GateState.STALE


def test_running_overrides_every_other_state_and_attaches_the_last_finished_run() -> None:
    status = gate_status(TESTS, [], "A", running=True)
    assert status.state is GateState.RUNNING and status.run is None
    last = run("A", "pass", id=2)
    status = gate_status(TESTS, [run("A", "cancelled", id=3), last], "A", running=True)
    assert status.state is GateState.RUNNING and status.run is last


# ---- parse_verdict ---------------------------------------------------------------------------

# The vibe sample of agentops-formats.md §2.8, with a judge verdict put before the council one.
VIBE_REPORT = """---
id: council-2026-02-15-20260215t182800z-vibe-recent
type: council
date: '2026-02-15'
---
# Vibe Report: v3 Docs Rewrite (recent)
**Mode:** quick (single-agent)
### Verdict: PASS
## Council Verdict: WARN
### Judge 1 (Content Quality)
**Verdict:** PASS
## Recommendation
[x] SHIP - Content quality solid
"""


def test_the_council_verdict_heading_wins_over_judge_verdicts() -> None:
    assert parse_verdict(VIBE_REPORT) == "WARN"


@pytest.mark.parametrize(("text", "verdict"), [
    ("## Council Verdict: FAIL\n", "FAIL"),
    ("## Council Verdict: **PASS**\n", "PASS"),
    ("## Council Verdict: `WARN`\n", "WARN"),
    ("## council verdict: pass\n", "PASS"),
    ("# Council Verdict FAIL\n", "FAIL"),
])
def test_the_council_verdict_heading_in_its_spellings(text: str, verdict: str) -> None:
    assert parse_verdict(text) == verdict


def test_an_older_pre_mortem_bare_verdict_heading_with_the_word_backticked_below() -> None:
    text = "# Pre-mortem\n\n## Verdict\n\n`WARN`\n\nProceed with care.\n"
    assert parse_verdict(text) == "WARN"


def test_a_bare_verdict_heading_with_the_word_in_a_sentence_within_three_lines() -> None:
    text = "## Verdict\n\nThe plan is sound.\nNo blockers.\nOverall: **pass**\n"
    assert parse_verdict(text) == "PASS"


def test_a_bare_verdict_heading_with_the_word_on_the_same_line() -> None:
    assert parse_verdict("## Verdict: FAIL\n") == "FAIL"
    assert parse_verdict("## Verdict **WARN**\n") == "WARN"


def test_no_verdict_anywhere_is_none() -> None:
    assert parse_verdict("# Notes\n\nWe should PASS on this later? No heading says so.\n") is None
    assert parse_verdict("") is None


def test_a_bare_verdict_heading_followed_by_another_heading_is_none() -> None:
    assert parse_verdict("## Verdict\n\n## Findings\nAll tests PASS\n") is None
    assert parse_verdict("## Verdict\n## Findings\nPASS\n") is None


def test_a_verdict_word_more_than_three_lines_below_the_bare_heading_is_not_taken() -> None:
    assert parse_verdict("## Verdict\none\ntwo\nthree\nPASS\n") is None


def test_words_that_only_contain_a_verdict_are_not_verdicts() -> None:
    assert parse_verdict("## Verdict\nPASSING grade, FAILED once\n") is None


# ---- parse_frontmatter -----------------------------------------------------------------------


def test_frontmatter_gives_top_level_keys_with_quotes_stripped() -> None:
    text = "---\nid: council-x\ntree: 'abc123'\ndate: \"2026-02-15\"\nnested:\n  tree: no\n- item: no\n---\n# Body\ntree: body\n"
    assert parse_frontmatter(text) == {"id": "council-x", "tree": "abc123", "date": "2026-02-15", "nested": ""}


def test_text_without_frontmatter_has_none() -> None:
    assert parse_frontmatter("# Title\n---\ntree: x\n---\n") == {}


def test_an_unterminated_frontmatter_block_is_ignored() -> None:
    assert parse_frontmatter("---\ntree: abc\nid: x\n# no closing line\n") == {}


def test_frontmatter_with_windows_line_endings() -> None:
    assert parse_frontmatter("---\r\ntree: abc\r\n---\r\nbody") == {"tree": "abc"}


# ---- report names ----------------------------------------------------------------------------


def test_a_pre_mortem_report_name_matches_and_a_post_mortem_does_not() -> None:
    assert report_matches("2026-02-15-pre-mortem-x.md", "pre-mortem")
    assert report_matches("2026-02-15-pre-mortem.md", "pre-mortem")
    assert not report_matches("2026-02-15-post-mortem-x.md", "pre-mortem")
    assert not report_matches("2026-02-15-pre-mortem-x.txt", "pre-mortem")
    assert not report_matches("2026-02-15-pre-mortems-x.md", "pre-mortem")


def test_the_older_timestamped_naming_matches_vibe() -> None:
    assert report_matches("20260215T182800Z-vibe-recent.md", "vibe")
    assert not report_matches("20260215T182800Z-vibe-recent.md", "pre-mortem")


def test_report_sort_key_orders_both_naming_styles_by_the_date_in_the_name() -> None:
    names = [
        "2026-02-16-vibe-a.md",          # newest day
        "20260215T182800Z-vibe-b.md",    # same day as the next, later in it
        "2026-02-15-vibe-c.md",          # a day with no time sorts at 00:00:00
        "20260214T235959Z-vibe-d.md",
        "vibe-undated.md",               # no date: oldest
    ]
    # File times in the opposite order, to show the name's date comes first.
    keyed = sorted(names, key=lambda n: report_sort_key(n, mtime=float(names.index(n))))
    assert keyed == list(reversed(names))


def test_report_sort_key_falls_back_to_the_file_time_for_the_same_date() -> None:
    older = report_sort_key("2026-02-15-vibe-z.md", 100.0)
    newer = report_sort_key("2026-02-15-vibe-a.md", 200.0)
    assert newer > older


# ---- verdict_status --------------------------------------------------------------------------


def report(verdict: str | None, tree: str = "", mtime: float = 1000.0) -> CouncilReport:
    return CouncilReport(".agents/council/2026-02-15-vibe-x.md", verdict, tree, mtime)


def judge(*args: object, evidence: Evidence = Evidence.COCKPIT, **kwargs: object) -> GateStatus:
    """verdict_status of a report cockpit wrote (its provenance is tested below)."""
    return verdict_status(*args, evidence=evidence, **kwargs)


def test_no_report_is_unknown_and_names_the_report_it_looked_for() -> None:
    status = judge(VIBE, None, "A", None)
    assert status.state is GateState.UNKNOWN and status.run is None
    assert "-vibe-" in status.reason


def test_a_report_without_a_verdict_line_is_unknown() -> None:
    status = judge(VIBE, report(None), "A", None)
    assert status.state is GateState.UNKNOWN
    assert status.run is not None and status.run.command == ".agents/council/2026-02-15-vibe-x.md"


@pytest.mark.parametrize(("verdict", "state"), [
    ("PASS", GateState.PASS), ("WARN", GateState.WARN), ("FAIL", GateState.FAIL),
])
def test_a_report_for_this_tree_gives_its_verdict(verdict: str, state: GateState) -> None:
    status = judge(VIBE, report(verdict, tree="A"), "A", head_time=5000.0)
    assert status.state is state and status.run is not None and status.run.tree == "A"


def test_a_report_for_another_tree_is_stale_whatever_the_commit_times() -> None:
    assert judge(VIBE, report("PASS", tree="B"), "A", head_time=None).state is GateState.STALE


def test_a_report_without_a_tree_is_stale_once_a_commit_is_newer() -> None:
    status = judge(VIBE, report("PASS", mtime=1000.0), "A", head_time=1001.0)
    assert status.state is GateState.STALE and "commits since" in status.reason


@pytest.mark.parametrize("head", [999.0, 1000.0, None])
def test_a_report_without_a_tree_keeps_its_verdict_until_a_newer_commit(head: float | None) -> None:
    assert judge(VIBE, report("WARN", mtime=1000.0), "A", head_time=head).state is GateState.WARN


# ---- provenance: external reports, untrusted configurations, gates that feed themselves ------


@pytest.mark.parametrize("verdict", ["PASS", "WARN", "FAIL"])
def test_an_external_report_for_this_tree_is_external_whatever_its_verdict(verdict: str) -> None:
    status = verdict_status(VIBE, report(verdict, tree="A"), "A", None, evidence=Evidence.EXTERNAL)
    assert status.state is GateState.EXTERNAL and status.evidence == "external"
    assert f"{verdict} in a report cockpit did not write" in status.reason and "accept" in status.reason


def test_an_external_report_counts_only_when_the_user_accepts_external_verdicts() -> None:
    status = verdict_status(VIBE, report("PASS", tree="A"), "A", None, evidence=Evidence.EXTERNAL,
                            accept_external=True)
    assert status.state is GateState.PASS and status.evidence == "external"


@pytest.mark.parametrize("evidence", [Evidence.COCKPIT, Evidence.ACCEPTED])
def test_cockpits_own_or_an_accepted_report_gives_its_verdict(evidence: Evidence) -> None:
    status = verdict_status(VIBE, report("PASS", tree="A"), "A", None, evidence=evidence, note="by X")
    assert status.state is GateState.PASS and status.evidence == evidence.value
    assert "by X" in status.reason


def test_an_external_report_for_another_tree_is_stale_not_external() -> None:
    status = verdict_status(VIBE, report("PASS", tree="B"), "A", None, evidence=Evidence.EXTERNAL)
    assert status.state is GateState.STALE


def test_no_report_keeps_the_note_saying_why_cockpits_own_does_not_count() -> None:
    status = verdict_status(VIBE, None, "A", None, evidence=Evidence.EXTERNAL, note="x.md was edited since")
    assert status.state is GateState.UNKNOWN and status.evidence == "" and "edited since" in status.reason


def test_a_command_gate_of_an_untrusted_configuration_without_a_result_here_is_untrusted() -> None:
    assert gate_status(TESTS, [], "A", trusted=False).state is GateState.UNTRUSTED
    stale = gate_status(TESTS, [run("B", "pass")], "A", trusted=False)
    assert stale.state is GateState.UNTRUSTED and stale.run is not None and "not trusted" in stale.reason
    # A run the user asked for on this tree still says what happened.
    assert gate_status(TESTS, [run("A", "fail")], "A", trusted=False).state is GateState.FAIL


def test_an_untrusted_auto_gate_never_wants_to_run_by_itself() -> None:
    auto = GateSpec("t", GateKind.COMMAND, "touch x", auto=True)
    assert wants_auto_run(gate_status(auto, [], "A"), "A")
    assert not wants_auto_run(gate_status(auto, [], "A", trusted=False), "A")


def test_a_tree_left_behind_by_the_gates_own_run_is_stale_and_not_rerun() -> None:
    auto = GateSpec("t", GateKind.COMMAND, "date > stamp", auto=True)
    fed = GateRun("t", "A", "2026-03-01T09:00:00.000000Z", 0.1, "pass", 0, tree_after="B")
    status = gate_status(auto, [fed], "B")
    assert status.state is GateState.STALE and "its own last run changed the tree" in status.reason
    assert not wants_auto_run(status, "B")
    # Someone else's edit after that is new content: it reruns.
    assert wants_auto_run(gate_status(auto, [fed], "C"), "C")
    # A run that left the tree as it found it says nothing about later trees.
    clean = GateRun("t", "A", "2026-03-01T09:00:00.000000Z", 0.1, "pass", 0, tree_after="A")
    assert wants_auto_run(gate_status(auto, [clean], "B"), "B")


# ---- parse_gates -----------------------------------------------------------------------------


def test_a_full_valid_gate_table() -> None:
    config = parse_gates({
        "gate_settings": {"debounce": 0.5},
        "gates": {
            "tests": {"command": "  pytest -q  ", "required": True, "auto": True, "timeout": 300, "cwd": "py"},
            "lint": {"kind": "command", "command": "ruff check .", "timeout": 30.5},
            "pre-mortem": {"required": True},
            "review": {"kind": "verdict", "report": "vibe"},
        },
    }, "cockpit.toml")
    assert config.errors == () and config.source == "cockpit.toml" and not config.detected
    assert config.debounce == 0.5
    assert config.get("tests") == GateSpec("tests", GateKind.COMMAND, "pytest -q", "py", 300.0, True, True, "tests")
    assert config.get("lint") == GateSpec("lint", GateKind.COMMAND, "ruff check .", ".", 30.5, False, False, "lint")
    assert config.get("pre-mortem") == GateSpec("pre-mortem", GateKind.VERDICT, "", ".", 600.0, True, False,
                                                 "pre-mortem")
    assert config.get("review") == GateSpec("review", GateKind.VERDICT, report="vibe")
    assert [g.name for g in config.gates] == ["tests", "lint", "pre-mortem", "review"]
    assert config.get("missing") is None


def only_error(body: object, name: str = "g") -> tuple[tuple[str, ...], str]:
    config = parse_gates({"gates": {name: body}}, "cockpit.toml")
    assert len(config.errors) == 1, config.errors
    return tuple(g.name for g in config.gates), config.errors[0]


@pytest.mark.parametrize("name", ["-lead", "has space", "a/b", "x" * 41, "", "é"])
def test_a_bad_gate_name_is_an_error_and_the_gate_is_left_out(name: str) -> None:
    kept, error = only_error({"command": "true"}, name)
    assert kept == () and "gate name" in error


def test_a_forty_character_name_is_allowed() -> None:
    assert parse_gates({"gates": {"x" * 40: {"command": "true"}}}, "s").errors == ()


def test_a_gate_name_ending_in_a_newline_is_rejected() -> None:
    kept, error = only_error({"command": "true"}, "lint\n")
    assert kept == () and "gate name" in error


def test_a_gate_that_is_not_a_table_is_an_error() -> None:
    kept, error = only_error("pytest -q")
    assert kept == () and error == "cockpit.toml: gates.g must be a table"


def test_a_bad_kind_is_an_error() -> None:
    kept, error = only_error({"kind": "script", "command": "true"})
    assert kept == () and "kind" in error


@pytest.mark.parametrize("body", [{}, {"command": ""}, {"command": "   "}, {"command": ["pytest"]}])
def test_a_command_gate_needs_a_non_empty_command(body: dict[str, object]) -> None:
    kept, error = only_error(body)
    assert kept == () and "command must be a non-empty string" in error


@pytest.mark.parametrize("timeout", [0, -1, "60", True])
def test_a_timeout_must_be_a_positive_number(timeout: object) -> None:
    kept, error = only_error({"command": "true", "timeout": timeout})
    assert kept == () and "timeout" in error


def test_a_nan_timeout_is_rejected() -> None:
    kept, error = only_error({"command": "true", "timeout": math.nan})
    assert kept == () and "timeout" in error


@pytest.mark.parametrize("cwd", ["/tmp", "..", "sub/../..", "./..", "sub\\..\\..", 3])
def test_a_cwd_outside_the_repository_is_an_error(cwd: object) -> None:
    kept, error = only_error({"command": "true", "cwd": cwd})
    assert kept == () and "cwd must be a path inside the repository" in error


def test_a_cwd_with_dots_in_a_name_is_fine() -> None:
    assert parse_gates({"gates": {"g": {"command": "true", "cwd": "a..b/.x"}}}, "s").errors == ()


@pytest.mark.parametrize("key", ["required", "auto"])
def test_a_non_boolean_flag_is_an_error_but_the_gate_stays_with_the_flag_off(key: str) -> None:
    config = parse_gates({"gates": {"g": {"command": "true", key: "yes"}}}, "cockpit.toml")
    assert config.errors == (f"cockpit.toml: gates.g.{key} must be true or false",)
    gate = config.get("g")
    assert gate is not None and getattr(gate, key) is False


def test_unknown_keys_are_reported_and_the_gate_kept() -> None:
    config = parse_gates({"gates": {"g": {"command": "true", "timout": 5, "env": {}}}}, "cockpit.toml")
    assert config.errors == ("cockpit.toml: gates.g: unknown key(s) env, timout (ignored)",)
    assert config.get("g") == GateSpec("g", GateKind.COMMAND, "true", report="g")


def test_a_bad_report_name_is_an_error_and_falls_back_to_the_gate_name() -> None:
    config = parse_gates({"gates": {"review": {"kind": "verdict", "report": ""}}}, "s")
    assert len(config.errors) == 1 and "report" in config.errors[0]
    assert config.get("review") == GateSpec("review", GateKind.VERDICT, report="review")


def test_vibe_and_pre_mortem_without_a_command_are_verdict_gates() -> None:
    config = parse_gates({"gates": {"vibe": {}, "pre-mortem": {"required": True}}}, "s")
    assert config.errors == ()
    assert [(g.name, g.kind, g.report) for g in config.gates] == [
        ("vibe", GateKind.VERDICT, "vibe"), ("pre-mortem", GateKind.VERDICT, "pre-mortem")]


def test_vibe_with_a_command_is_a_command_gate() -> None:
    gate = parse_gates({"gates": {"vibe": {"command": "ao vibe"}}}, "s").get("vibe")
    assert gate is not None and gate.kind is GateKind.COMMAND and gate.command == "ao vibe"


def test_auto_is_ignored_on_verdict_gates() -> None:
    config = parse_gates({"gates": {"vibe": {"auto": True}, "t": {"command": "true", "auto": True}}}, "s")
    assert config.errors == ()
    assert [(g.name, g.auto) for g in config.gates] == [("vibe", False), ("t", True)]


@pytest.mark.parametrize("value", [0, 0.25, 600])
def test_a_valid_debounce_is_kept(value: float) -> None:
    config = parse_gates({"gate_settings": {"debounce": value}, "gates": {}}, "s")
    assert config.errors == () and config.debounce == value


@pytest.mark.parametrize("value", [-1, 601, "2", True, math.nan])
def test_an_invalid_debounce_is_an_error_and_the_default_is_kept(value: object) -> None:
    config = parse_gates({"gate_settings": {"debounce": value}, "gates": {"t": {"command": "true"}}}, "s")
    assert config.errors == ("s: gate_settings.debounce must be seconds between 0 and 600",)
    assert config.debounce == 2.0 and [g.name for g in config.gates] == ["t"]


def test_gates_that_is_not_a_table_is_one_error_and_no_gates() -> None:
    config = parse_gates({"gates": ["tests"], "gate_settings": {"debounce": 1}}, "pyproject.toml [tool.cockpit]")
    assert config.gates == () and config.debounce == 1
    assert config.errors == ("pyproject.toml [tool.cockpit]: `gates` must be a table of [gates.<name>] tables",)


def test_one_bad_gate_leaves_the_others() -> None:
    config = parse_gates({"gates": {"a": {"command": "true"}, "b": {"kind": "nope"}, "c": {"command": "x"}}}, "s")
    assert [g.name for g in config.gates] == ["a", "c"] and len(config.errors) == 1
    assert config.errors[0].startswith("s: gates.b")


# ---- detect_gates ----------------------------------------------------------------------------


def names(facts: RepoFacts) -> list[str]:
    return [g.name for g in detect_gates(facts).gates]


def test_pyproject_with_pytest_options_gives_a_required_tests_gate_run_with_the_repo_python() -> None:
    facts = RepoFacts(frozenset({"pyproject.toml"}), {"tool": {"pytest": {"ini_options": {"testpaths": ["t"]}}}},
                      python=".venv/bin/python")
    config = detect_gates(facts)
    assert config.detected and config.source == "detected" and config.errors == ()
    tests = config.get("tests")
    assert tests is not None and tests.required and tests.kind is GateKind.COMMAND
    assert tests.command == ".venv/bin/python -m pytest -q -x"
    assert tests.why == "[tool.pytest] in pyproject.toml"


@pytest.mark.parametrize(("files", "why"), [
    ({"pytest.ini"}, "pytest.ini"), ({"tests/", "setup.py"}, "tests/"), ({"tests/", "pyproject.toml"}, "tests/"),
])
def test_other_signs_of_pytest_give_a_tests_gate(files: set[str], why: str) -> None:
    tests = detect_gates(RepoFacts(frozenset(files))).get("tests")
    assert tests is not None and tests.why == why and tests.command == "python3 -m pytest -q -x"


def test_a_tests_directory_alone_is_not_a_python_project() -> None:
    assert "tests" not in names(RepoFacts(frozenset({"tests/"})))


def test_ruff_configuration_gives_an_optional_lint_gate() -> None:
    lint = detect_gates(RepoFacts(frozenset({"pyproject.toml"}), {"tool": {"ruff": {}}}, python="venv/bin/python")).get("lint")
    assert lint is not None and not lint.required and lint.command == "venv/bin/python -m ruff check ."
    assert lint.timeout == 120
    assert "lint" in names(RepoFacts(frozenset({"ruff.toml"})))
    assert "lint" in names(RepoFacts(frozenset({".ruff.toml"})))


def test_a_package_json_test_script_gives_npm_test_but_npms_placeholder_does_not() -> None:
    real = RepoFacts(frozenset({"package.json"}), package_json={"scripts": {"test": "vitest run", "lint": "eslint ."}})
    assert names(real) == ["npm-test", "npm-lint", "pre-mortem", "vibe"]
    placeholder = RepoFacts(frozenset({"package.json"}), package_json={
        "scripts": {"test": 'echo "Error: no test specified" && exit 1'}})
    assert names(placeholder) == ["pre-mortem", "vibe"]
    assert names(RepoFacts(frozenset({"package.json"}), package_json={"scripts": ["test"]})) == ["pre-mortem", "vibe"]


def test_go_and_cargo_projects_get_their_test_gates() -> None:
    config = detect_gates(RepoFacts(frozenset({"go.mod", "Cargo.toml"})))
    assert config.get("go-test") == GateSpec("go-test", GateKind.COMMAND, "go test ./...", required=True, why="go.mod")
    cargo = config.get("cargo-test")
    assert cargo is not None and cargo.command == "cargo test --quiet" and cargo.required


def test_make_test_only_when_no_other_gate_is_required() -> None:
    alone = RepoFacts(frozenset({"Makefile"}), makefile_targets=frozenset({"test", "build"}))
    assert names(alone) == ["make-test", "pre-mortem", "vibe"]
    with_lint = RepoFacts(frozenset({"Makefile", "ruff.toml"}), makefile_targets=frozenset({"test"}))
    assert "make-test" in names(with_lint)  # lint is not required
    with_go = RepoFacts(frozenset({"Makefile", "go.mod"}), makefile_targets=frozenset({"test"}))
    assert "make-test" not in names(with_go)
    no_target = RepoFacts(frozenset({"Makefile"}), makefile_targets=frozenset({"build"}))
    assert "make-test" not in names(no_target)


def test_the_verdict_gates_are_always_detected() -> None:
    config = detect_gates(RepoFacts(frozenset()))
    assert [(g.name, g.kind, g.report, g.required) for g in config.gates] == [
        ("pre-mortem", GateKind.VERDICT, "pre-mortem", False), ("vibe", GateKind.VERDICT, "vibe", False)]


def test_a_pyproject_whose_tool_is_not_a_table_detects_nothing_from_it() -> None:
    assert names(RepoFacts(frozenset({"pyproject.toml"}), {"tool": "pytest"})) == ["pre-mortem", "vibe"]


def test_every_detected_gate_says_why() -> None:
    facts = RepoFacts(
        frozenset({"pyproject.toml", "package.json", "go.mod", "Cargo.toml", "Makefile", "ruff.toml"}),
        {"tool": {"pytest": {}, "ruff": {}}}, {"scripts": {"test": "jest", "lint": "eslint"}}, frozenset({"test"}))
    config = detect_gates(facts)
    assert len(config.gates) == 8
    assert all(g.why.strip() for g in config.gates), [g.name for g in config.gates if not g.why.strip()]


def test_a_post_mortem_about_vibe_is_not_a_vibe_report() -> None:
    assert not report_matches("2026-03-01-post-mortem-vibe-fixes.md", "vibe")
    assert report_matches("2026-03-01-vibe-parser.md", "vibe")
    assert report_matches("notes-vibe-x.md", "vibe")  # no date: the kind may be anywhere
