"""The built wheel, installed outside the checkout, starts and finds its themes; its metadata states its
licences."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from email.parser import HeaderParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO / "tests" / "data"  # the real transcripts the tests carry
LICENCE_NAMES = ("LICENSE", "LICENCE", "COPYING", "NOTICE")


def copy_checkout(dest: Path) -> Path:
    """The working tree as a clone would hold it, with the uncommitted work: git's tracked and untracked files,
    without the ignored ones (.venv, build/, caches). Building from the copy writes nothing into the checkout,
    and no stale build/ folder there can slip deleted modules into the wheel."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=REPO, capture_output=True, check=True).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = REPO / name
        if source.is_file():  # a file deleted in the working tree is still in the index
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, dest / name)
    return dest


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel pip builds from a copy of the checkout, once for this module."""
    work = tmp_path_factory.mktemp("wheel")
    checkout = copy_checkout(work / "checkout")
    dist = work / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(dist),
         str(checkout)],
        check=True, cwd=work,
    )
    return next(dist.glob("*.whl"))

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


def test_wheel_installed_outside_checkout_runs_with_its_themes(tmp_path: Path, wheel: Path) -> None:
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


def test_wheel_metadata_states_the_mit_licence_and_carries_every_licence_file(wheel: Path) -> None:
    """PEP 639: an SPDX expression, no deprecated licence field or classifier, and each licence the code is
    under (cockpit's own, gitleaks' for the generated secret rules, any other notice under cockpit/ or themes/)
    listed and shipped byte for byte. tests/data, whose notices live beside it, is not in the wheel."""
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        metadata = HeaderParser().parsestr(archive.read(f"{info}/METADATA").decode())
        shipped = {n.removeprefix(f"{info}/licenses/"): archive.read(n) for n in names
                   if n.startswith(f"{info}/licenses/")}
    assert metadata["Metadata-Version"] in ("2.4", "2.5"), metadata["Metadata-Version"]
    assert metadata["License-Expression"] == "MIT"
    assert metadata["License"] is None, "the deprecated License field is set"
    assert not [c for c in metadata.get_all("Classifier") or [] if c.startswith("License ::")]
    notices = {p.relative_to(REPO).as_posix() for folder in ("cockpit", "themes") for p in (REPO / folder).rglob("*")
               if p.is_file() and p.name.upper().startswith(LICENCE_NAMES)}
    expected = {"LICENSE", "cockpit/core/GITLEAKS_LICENSE"} | notices
    assert sorted(metadata.get_all("License-File") or []) == sorted(expected)
    assert shipped == {name: (REPO / name).read_bytes() for name in expected}
    own = (REPO / "LICENSE").read_text()
    assert own.startswith("MIT License\n") and "Copyright (c) 2026 the cockpit authors" in own
    assert "Permission is hereby granted, free of charge" in own
    assert "Copyright (c) 2019 Zachary Rice" in (REPO / "cockpit/core/GITLEAKS_LICENSE").read_text()
    assert {n.split("/")[0] for n in names} == {"cockpit", info}, "the wheel ships more than the cockpit package"
