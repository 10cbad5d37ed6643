"""The repository's cockpit.toml and pyproject.toml [tool.cockpit]: read once, which file wins per table,
and the `[llm]` / `[vibe]` settings with every bad key named."""

from __future__ import annotations

from pathlib import Path

from cockpit.config.llm import VibeSettings, load_llm_config
from cockpit.config.policy import repo_config_path
from cockpit.config.repo import RepoConfig
from cockpit.core.llm_types import LlmSettings


def test_cockpit_toml_wins_per_table_and_tool_cockpit_fills_in(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[gates.t]\ncommand = "true"\n')
    (tmp_path / "pyproject.toml").write_text('[tool.cockpit.llm]\nmodel = "claude-haiku-5"\n[tool.cockpit.vibe]\n'
                                             'warn_exit = 0\n')
    files = RepoConfig(tmp_path)
    assert files.section("gates")[1] == "cockpit.toml"
    assert files.section("llm", "vibe")[1] == "pyproject.toml [tool.cockpit]"
    llm, vibe, problems = load_llm_config(tmp_path, model=None)
    assert (llm.model, vibe.warn_exit, problems) == ("claude-haiku-5", 0, [])
    assert load_llm_config(tmp_path, model="claude-opus-5")[0].model == "claude-opus-5"  # the flag wins


def test_bad_and_unknown_llm_keys_are_named_and_keep_their_defaults(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[llm]\ntimeout = -1\nmodle = "x"\n[vibe]\nwarn_exit = 5\nmax_lines = 50\n')
    llm, vibe, problems = load_llm_config(tmp_path)
    assert llm == LlmSettings() and vibe == VibeSettings(max_lines=50)
    assert problems == [
        "llm.modle is not a setting (known: model, timeout, max_retries, max_output_tokens, input_budget)",
        "llm.timeout must be a positive number", "vibe.warn_exit must be 0, 1 or 2"]


def test_a_broken_file_is_reported_only_where_it_was_needed(tmp_path: Path) -> None:
    (tmp_path / "cockpit.toml").write_text('[vibe]\nwarn_exit = 0\n')
    (tmp_path / "pyproject.toml").write_text("[tool.cockpit\n")
    assert load_llm_config(tmp_path)[2] == []  # cockpit.toml had the tables: pyproject.toml is never read
    (tmp_path / "cockpit.toml").write_text("[llm\n")
    problems = load_llm_config(tmp_path)[2]
    assert [p.split(":")[0] for p in problems] == ["cockpit.toml", "pyproject.toml"]


def test_the_approvals_come_from_cockpit_toml_whenever_it_exists(tmp_path: Path) -> None:
    assert repo_config_path(str(tmp_path)) is None
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert repo_config_path(str(tmp_path)) == tmp_path / "pyproject.toml"
    (tmp_path / "cockpit.toml").write_text("")
    assert repo_config_path(str(tmp_path)) == tmp_path / "cockpit.toml"
