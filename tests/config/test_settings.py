"""The user's config file, read once (config/user.py) and interpreted per table: every bad key is named."""

from __future__ import annotations

import os
from pathlib import Path

from cockpit.config.policy import load_policy
from cockpit.config.settings import Settings, load_settings
from cockpit.config.user import read_user_config, user_config_path


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_gives_the_defaults_without_a_problem(tmp_path: Path) -> None:
    assert load_settings(None) == Settings()
    assert load_settings(tmp_path / "missing.toml") == Settings()


def test_every_table_is_read_and_keys_belongs_to_the_keymap(tmp_path: Path) -> None:
    path = config(tmp_path, '[dashboard]\nlive_minutes = 90\nbands = [30, 50, 70, 90]\ntheme = "cockpit-light"\n'
                            '[gates]\naccept_external_verdicts = true\n[retention]\nllm_calls_days = 30\n'
                            '[approvals]\non_no_cockpit = "deny"\n[keys]\nrun-vibe = "V"\n')
    settings = load_settings(path)
    assert settings.errors == ()
    assert (settings.live_minutes, settings.bands, settings.theme) == (90, (30, 50, 70, 90), "cockpit-light")
    assert settings.accept_external_verdicts and settings.retention.llm_calls_days == 30
    assert read_user_config(path).table("keys") == {"run-vibe": "V"}


def test_unknown_tables_and_keys_are_named_and_the_rest_still_applies(tmp_path: Path) -> None:
    path = config(tmp_path, '[dashbord]\nlive_minutes = 5\n[dashboard]\nlive_minutes = 45\ncolour = "red"\n'
                            'theme = 3\n[gates]\naccept_external = true\n')
    settings = load_settings(path)
    assert settings.live_minutes == 45 and settings.theme == "cockpit-dark"
    assert list(settings.errors) == [
        f"{path}: [dashbord] is not a settings table (known: approvals, budget, dashboard, gates, health, keys, notify, quota, retention)",
        f"{path}: gates.accept_external is not a setting (known: accept_external_verdicts)",
        f"{path}: dashboard.colour is not a setting (known: bands, live_minutes, theme)",
        f"{path}: dashboard.theme must be the name of a theme, not 3",
    ]


def test_a_syntax_error_names_the_line_and_every_setting_keeps_its_default(tmp_path: Path) -> None:
    path = config(tmp_path, "[dashboard]\nlive_minutes = = 3\n")
    settings = load_settings(path)
    assert settings.live_minutes == Settings().live_minutes
    [error] = settings.errors
    assert error.startswith(f"{path}: not valid TOML (") and "line 2" in error


def test_a_fifo_as_the_config_file_is_named_and_never_blocks_the_hook(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    os.mkfifo(path)
    assert load_settings(path).errors == (f"{path}: not a readable regular file of at most 4 MiB",)
    policy, _ = load_policy(str(tmp_path), user_config=path)  # would hang for ever on a blocking open
    assert policy.errors == (f"{path}: not a readable regular file of at most 4 MiB; its approval settings are"
                             " not applied",)


def test_the_hook_and_the_cli_agree_on_where_the_file_is(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("COCKPIT_CONFIG", str(tmp_path / "mine.toml"))
    assert user_config_path() == tmp_path / "mine.toml"
    assert read_user_config().path == tmp_path / "mine.toml"
