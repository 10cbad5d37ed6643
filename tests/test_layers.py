"""Layering: core, sources and store never pull in the UI toolkit; core is pure stdlib."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import cockpit

PACKAGE_ROOT = Path(cockpit.__file__).parent
LOWER_LAYERS = ("cockpit.core", "cockpit.sources", "cockpit.store")


def _modules(package: str) -> list[str]:
    path = PACKAGE_ROOT.joinpath(*package.split(".")[1:])
    names = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
        names.append(info.name)
    return names


def test_lower_layers_exist_and_are_walked():
    modules = [m for pkg in LOWER_LAYERS for m in _modules(pkg)]
    for expected in ("cockpit.core.claude", "cockpit.sources.tailer", "cockpit.store.ingest"):
        assert expected in modules


def test_importing_every_lower_layer_module_loads_neither_textual_nor_rich():
    modules = [m for pkg in LOWER_LAYERS for m in _modules(pkg)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "leaked = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "assert all(sys.modules[n].__file__.startswith(sys.argv[1]) for n in sys.modules if n.startswith('cockpit.'))\n"
        "assert not leaked, leaked\n"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(PACKAGE_ROOT)], capture_output=True, text=True, timeout=60,
                          cwd=PACKAGE_ROOT.parent)
    assert proc.returncode == 0, proc.stderr


def _imports(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: only within cockpit.core itself
                found.append((node.lineno, "cockpit.core" if node.level == 1 else "." * node.level + (node.module or "")))
            else:
                found.append((node.lineno, node.module or ""))
    return found


def _allowed_in_core(module: str) -> bool:
    top = module.split(".")[0]
    return top in sys.stdlib_module_names or module == "cockpit.core" or module.startswith("cockpit.core.")


def test_core_imports_only_the_stdlib_and_itself():
    offenders = []
    files = sorted((PACKAGE_ROOT / "core").rglob("*.py"))
    assert files
    for path in files:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for lineno, module in _imports(tree):
            if not _allowed_in_core(module):
                offenders.append(f"{path.relative_to(PACKAGE_ROOT.parent)}:{lineno} imports {module}")
    assert offenders == []


def test_the_static_check_catches_a_third_party_import():
    tree = ast.parse("import json\nfrom cockpit.core import text\ndef f():\n    import rich\nfrom ..ui import x\n")
    bad = [m for _, m in _imports(tree) if not _allowed_in_core(m)]
    assert sorted(bad) == ["..ui", "rich"]
