"""The built wheel, installed outside the checkout, starts and finds its themes."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / "tests" / "data"  # the real transcripts the tests carry

APP_CHECK = """
import asyncio, sys
import cockpit
from cockpit.ui.themes import load_themes
from cockpit.config.settings import Settings
from cockpit.ui.app import make_app
assert "site-packages" in cockpit.__file__ and "{repo}" not in cockpit.__file__, cockpit.__file__
themes, errors = load_themes()
assert not errors, errors
names = sorted(t.name for t in themes)
assert names == ["cockpit-dark", "cockpit-light"], names

async def main():
    app = make_app(db_path=sys.argv[1], claude_roots=[], codex_roots=[], settings=Settings(), live=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert app.theme == "cockpit-dark"
        assert app.screen.query_one("#context-pane").border_title == "1 Context"
    print("ok", names)

asyncio.run(main())
"""


def test_wheel_installed_outside_checkout_runs_with_its_themes(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist), str(REPO)],
        check=True, cwd=tmp_path,
    )
    wheel = next(dist.glob("*.whl"))
    fresh = tmp_path / "fresh"
    venv.EnvBuilder(with_pip=False).create(fresh)
    site = Path(sysconfig.get_path("purelib", vars={"base": str(fresh), "platbase": str(fresh)}))
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(site), str(wheel)], check=True)
    # Dependencies come from the test environment as a plain path (its .pth files, like the editable
    # install of this checkout, are not processed), so only the wheel provides `cockpit`.
    deps = Path(sysconfig.get_path("purelib"))
    (site / "zz_test_deps.pth").write_text(str(deps) + "\n")
    python = fresh / "bin" / "python"
    out = subprocess.run(
        [str(python), "-c", APP_CHECK.format(repo=REPO), str(tmp_path / "c.db")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert "ok" in out.stdout
    listed = subprocess.run(
        [str(python), "-m", "cockpit", "sessions", "--json", "--all", "--claude-dir", str(SHARED / "claude" / "spotter"),
         "--codex-dir", str(tmp_path / "none"), "--db", str(tmp_path / "d.db"), "--config", str(tmp_path / "none.toml")],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
    )
    assert listed.returncode == 0, listed.stderr
    sessions = sorted(s["session_id"] for s in json.loads(listed.stdout))
    assert sessions == [  # the five spotter sessions under tests/data
        "258c7280-ae70-4798-800f-63464d01a85d", "4d5611e5-241a-462a-8d15-5122611a9569", "short", "subagent", "tool_heavy",
    ]


def test_every_package_folder_is_listed_for_the_wheel() -> None:
    import tomllib

    listed = set(tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {
        ".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "cockpit").rglob("__init__.py")
    }
    assert found <= listed, f"packages missing from pyproject.toml: {sorted(found - listed)}"
