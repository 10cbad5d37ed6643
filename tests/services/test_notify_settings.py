"""`[notify]` and `[budget]` in the user's config file, as the dashboard reads them."""

from __future__ import annotations

from pathlib import Path

from cockpit.config.notify import NotifySettings
from cockpit.config.settings import load_settings
from cockpit.core.budget_rules import BudgetLimits


def settings(tmp_path: Path, text: str):
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_the_defaults(tmp_path) -> None:
    loaded = settings(tmp_path, "")
    assert loaded.notify == NotifySettings(enabled=True, desktop=True, terminal="auto", command=(),
                                           escalate_after=300.0, debounce=30.0)
    assert loaded.budget == BudgetLimits(None, None, 80.0) and loaded.errors == ()


def test_every_key_is_read(tmp_path) -> None:
    loaded = settings(tmp_path, """
[notify]
enabled = true
desktop = false
terminal = "osc777"
command = "ntfy publish --title 'cockpit alert' mytopic"
escalate_after = 120
debounce = 5

[budget]
session_usd = 20
day_usd = 75.5
warn_pct = 90
""")
    assert loaded.errors == ()
    assert loaded.notify == NotifySettings(True, False, "osc777", ("ntfy", "publish", "--title", "cockpit alert", "mytopic"),
                                           120.0, 5.0)
    assert loaded.budget == BudgetLimits(20.0, 75.5, 90.0)
    assert settings(tmp_path, "[notify]\nterminal = false\ncommand = ['a b', 'c']\n").notify.terminal == "off"
    assert settings(tmp_path, "[notify]\ncommand = ['a b', 'c']\n").notify.command == ("a b", "c")


def test_each_bad_value_is_named_and_keeps_its_default(tmp_path) -> None:
    loaded = settings(tmp_path, """
[notify]
enabled = "yes"
terminal = "bell"
command = "unclosed 'quote"
escalate_after = -1
debounce = "soon"
volume = 11

[budget]
day_usd = "a lot"
""")
    assert loaded.notify == NotifySettings()
    assert loaded.budget == BudgetLimits()
    text = "\n".join(loaded.errors)
    for key in ("notify.enabled", "notify.terminal", "notify.command", "notify.escalate_after", "notify.debounce",
                "notify.volume is not a setting", "budget.day_usd"):
        assert key in text, key
    assert all(str(tmp_path / "config.toml") in e for e in loaded.errors)
