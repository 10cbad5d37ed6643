"""`[keys]` in the user's config: binding ids remapped through Textual's keymap, bad entries named, never a crash."""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.keys import Keys

import cockpit.ui
from cockpit.config.keys import BINDING_IDS, binding_ids, is_key, load_keymap


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_file_an_empty_file_or_no_section_is_an_empty_keymap(tmp_path: Path) -> None:
    assert load_keymap(None) == ({}, [])
    assert load_keymap(tmp_path / "missing.toml") == ({}, [])
    assert load_keymap(config(tmp_path, "")) == ({}, [])
    assert load_keymap(config(tmp_path, '[dashboard]\ntheme = "cockpit-light"\n')) == ({}, [])
    assert load_keymap(config(tmp_path, "[keys]\n")) == ({}, [])


def test_a_key_a_comma_list_or_a_toml_list_becomes_the_keymap(tmp_path: Path) -> None:
    path = config(tmp_path, '[keys]\nrun-vibe = "V"\napprove-step = "ctrl+a, f2"\nhelp = ["f1", "question_mark"]\n')
    assert load_keymap(path) == ({"run-vibe": "V", "approve-step": "ctrl+a,f2", "help": "f1,question_mark"}, [])


def test_an_unknown_binding_id_is_named_with_the_closest_id_and_the_rest_still_applies(tmp_path: Path) -> None:
    keymap, problems = load_keymap(config(tmp_path, '[keys]\nrun-vibes = "V"\nquit = "ctrl+q"\n'))
    assert keymap == {"quit": "ctrl+q"}
    assert problems == [f"{tmp_path / 'config.toml'}: keys.run-vibes: no binding has this id; did you mean 'run-vibe'?"]


@pytest.mark.parametrize("value", ['"ctrl+"', '"Escape"', '"ctrl+ctrl+a"', '"super+hyper+"', '"two words"',
                                   '"no_such_key"', '""', '"f2,"', '"+"', "5", "[]", '["f2", 3]', "{ key = 'x' }"])
def test_a_malformed_key_is_reported_naming_the_binding_and_left_out(tmp_path: Path, value: str) -> None:
    keymap, problems = load_keymap(config(tmp_path, f'[keys]\nrun-vibe = {value}\nquit = "ctrl+q"\n'))
    assert keymap == {"quit": "ctrl+q"}
    assert len(problems) == 1 and "keys.run-vibe:" in problems[0]


def test_a_broken_file_or_a_keys_value_that_is_not_a_table_is_reported(tmp_path: Path) -> None:
    keymap, problems = load_keymap(config(tmp_path, "[keys\nquit = 'q'\n"))
    assert keymap == {} and len(problems) == 1 and "[keys] not read" in problems[0]
    keymap, problems = load_keymap(config(tmp_path, 'keys = "q"\n'))
    assert keymap == {} and problems == [f"{tmp_path / 'config.toml'}: [keys] must be a table of binding id = key"]


def ui_bindings() -> dict[str, list[Binding]]:
    """Every Binding with an id declared by a class in cockpit.ui, by class."""
    found: dict[str, list[Binding]] = {}
    for info in pkgutil.walk_packages(cockpit.ui.__path__, prefix="cockpit.ui."):
        module = importlib.import_module(info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and "BINDINGS" in vars(cls):
                found[name] = [b for b in vars(cls)["BINDINGS"] if isinstance(b, Binding) and b.id]
    return found


def test_the_known_ids_are_exactly_the_ids_cockpits_bindings_declare() -> None:
    declared = {binding.id for bindings in ui_bindings().values() for binding in bindings}
    assert "run-vibe" in declared and "open-session" in declared and "allow-step" in declared
    listed = set(binding_ids())
    assert sorted(declared - listed) == [], "declared in cockpit.ui, missing from cockpit/config/keys.py"
    assert sorted(listed - declared) == [], "listed in cockpit/config/keys.py, declared nowhere"
    assert sum(len(ids) for ids in BINDING_IDS.values()) == len(listed), "an id is listed twice"


def test_every_key_cockpit_binds_by_default_is_a_valid_key() -> None:
    for bindings in ui_bindings().values():
        for binding in bindings:
            for key in binding.key.split(","):
                assert is_key(key.strip()), (binding.id, key)


async def test_key_names_agree_with_textuals() -> None:
    # Textual's pseudo keys (<any>, <scroll-up> …), its legacy "return" (Enter arrives as "enter") and its
    # "ctrl-at" spelling are never what a terminal key press is called.
    pseudo = {"return", "ctrl-at"}
    for key in Keys:
        if not key.value.startswith("<") and key.value not in pseudo:
            assert is_key(key.value), key.value
    assert is_key("question_mark") and is_key("ctrl+shift+f5") and is_key("é") and not is_key("Question_Mark")

    class Recorder(App[None]):
        pressed: list[str] = []

        def on_key(self, event: events.Key) -> None:
            self.pressed.append(event.key)

    app = Recorder()
    typed = [chr(code) for code in range(33, 127) if not chr(code).isalnum()]
    async with app.run_test() as pilot:
        await pilot.press(*typed)
        await pilot.pause()
    assert len(app.pressed) == len(typed) and "question_mark" in app.pressed
    assert [name for name in app.pressed if not is_key(name)] == [], "the names typed characters arrive under"
    assert not is_key("plus_sign") and not is_key("solidus"), "Unicode's names where Textual uses its own"


async def test_the_cockpit_applies_the_keys_of_its_config_and_logs_what_it_left_out(tmp_path: Path) -> None:
    from cockpit.cli.context import Context
    from cockpit.ui.app import make_app
    from cockpit.ui.screens.help import HelpScreen
    from cockpit.ui.screens.learnings import LearningsScreen
    from cockpit.ui.widgets.log_pane import LogPane

    path = config(tmp_path, '[keys]\nlearnings = "f6"\nhelp = "f1"\nrun-vibes = "V"\n')
    ctx = Context(argparse.Namespace(config=str(path), db=str(tmp_path / "cockpit.db"), claude_dir=[str(tmp_path)],
                                     codex_dir=[str(tmp_path)], repo="/nonexistent/cockpit-keys-repo", read_only=False))
    app = make_app(ctx, live=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert any("keys.run-vibes: no binding has this id" in line for line in app.screen.query_one(LogPane).entries)
        await pilot.press("L")  # the default key no longer opens it
        await pilot.pause()
        assert not isinstance(app.screen, LearningsScreen)
        await pilot.press("f6")
        await pilot.pause()
        assert isinstance(app.screen, LearningsScreen)
        await pilot.press("escape")
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        shown = str(app.screen.query_one("#help-body Static").render())
        assert "f6" in shown.lower() and "Learnings" in shown


def test_the_readme_lists_every_binding_id() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("[keys]"):]
    assert [binding for binding in binding_ids() if f"`{binding}`" not in section] == []
