"""Layering: the import contract in pyproject.toml holds (lint-imports); every package below the UI works
without Textual; core is pure stdlib; the fast paths load nothing heavy; git runs from one module; no cycle."""

from __future__ import annotations

import ast
import json
import pkgutil
import re
import subprocess
import sys
from collections.abc import Iterable
from itertools import pairwise
from pathlib import Path

from git_repo import git

import cockpit

PACKAGE_ROOT = Path(cockpit.__file__).parent
REPO_ROOT = PACKAGE_ROOT.parent
# Every package below the UI (the CLI imports the UI only to start the dashboard).
LOWER_LAYERS = ("cockpit.core", "cockpit.sources", "cockpit.config", "cockpit.store", "cockpit.llm", "cockpit.hooks",
                "cockpit.ingest", "cockpit.services", "cockpit.demo")
HEAVY = ("textual", "rich", "anthropic", "tiktoken", "git", "sqlite_utils", "watchfiles")


def test_the_import_contract_in_pyproject_holds():
    """The layers, the fast hooks, Textual only in the ui, the SDK only in llm: `lint-imports` says which
    import breaks which contract."""
    lint = Path(sys.executable).with_name("lint-imports")
    proc = subprocess.run([str(lint), "--no-cache"], capture_output=True, text=True, timeout=120, cwd=REPO_ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout and "layers" not in proc.stderr


def _modules(package: str) -> list[str]:
    path = PACKAGE_ROOT.joinpath(*package.split(".")[1:])
    names = [package]
    for info in pkgutil.walk_packages([str(path)], prefix=f"{package}."):
        names.append(info.name)
    return names


def test_lower_layers_exist_and_are_walked():
    modules = [m for pkg in LOWER_LAYERS for m in _modules(pkg)]
    for expected in ("cockpit.core.claude", "cockpit.sources.tailer", "cockpit.ingest.pipeline", "cockpit.services.vibe",
                     "cockpit.config.settings", "cockpit.hooks.run"):
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


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _runtime_imports(tree: ast.AST, module: str, is_package: bool, known: set[str]) -> list[tuple[int, str]]:
    """Every import that can run, at module level or inside a function (a lazy import is still a dependency);
    an `if TYPE_CHECKING:` block never runs and is left out."""
    found: list[tuple[int, str]] = []
    package = module.split(".") if is_package else module.split(".")[:-1]

    def visit(nodes: Iterable[ast.AST]) -> None:
        for child in nodes:
            if isinstance(child, ast.If) and _is_type_checking(child.test):
                visit(child.orelse)
                continue
            if isinstance(child, ast.Import):
                found.extend((child.lineno, alias.name) for alias in child.names)
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    parent = package[:len(package) - child.level + 1]
                    base = ".".join([*parent, child.module] if child.module else parent)
                for alias in child.names:
                    # `from cockpit.ui import app` depends on the module cockpit.ui.app, not only the package.
                    name = f"{base}.{alias.name}"
                    found.append((child.lineno, name if name in known else base))
            visit(ast.iter_child_nodes(child))

    visit(ast.iter_child_nodes(tree))
    return found


def _import_graph(sources: dict[str, tuple[str, bool]]) -> dict[str, dict[str, int]]:
    """module -> {module it imports: line of its first such import}; `sources`: name -> (text, is package)."""
    known = set(sources)
    graph: dict[str, dict[str, int]] = {}
    for module, (text, is_package) in sources.items():
        edges = graph.setdefault(module, {})
        for lineno, target in _runtime_imports(ast.parse(text), module, is_package, known):
            if target in known and target != module:
                edges.setdefault(target, lineno)
    return graph


def _cycles(graph: dict[str, dict[str, int]]) -> list[str]:
    """Each import that closes a loop (a back edge of a depth-first walk), named as the loop it closes:
    `a:line -> b:line -> a`. No back edge means no loop at all."""
    found: list[str] = []
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> None:
        path.append(module)
        for target in graph[module]:
            if target in path:
                loop = path[path.index(target):] + [target]
                found.append(" -> ".join(f"{a}:{graph[a][b]}" for a, b in pairwise(loop)) + f" -> {target}")
            elif target not in done:
                visit(target)
        path.pop()
        done.add(module)

    for module in sorted(graph):
        if module not in done:
            visit(module)
    return found


def _cockpit_sources() -> dict[str, tuple[str, bool]]:
    sources = {}
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        parts = path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts
        is_package = parts[-1] == "__init__"
        name = ".".join(parts[:-1] if is_package else parts)
        sources[name] = (path.read_text(encoding="utf-8"), is_package)
    return sources


def test_no_cockpit_module_imports_itself_through_others():
    sources = _cockpit_sources()
    assert {"cockpit.cli.commands", "cockpit.ui.app", "cockpit.services.vibe"} <= set(sources)
    assert _cycles(_import_graph(sources)) == []


def test_the_cycle_check_counts_lazy_imports_and_names_the_cycle():
    sources = {
        "pkg": ("", True),
        "pkg.cli": ("from pkg.ui import app\n", False),
        "pkg.ui": ("", True),
        "pkg.ui.app": ("from pkg.ui import screen\n\n\ndef bench():\n    from ..cli import main\n", False),
        # A typing-only import runs nowhere: app -> screen -> app is no loop.
        "pkg.ui.screen": ("from typing import TYPE_CHECKING\n"
                          "if TYPE_CHECKING:\n    from pkg.ui.app import App\n", False),
    }
    assert _cycles(_import_graph(sources)) == ["pkg.cli:1 -> pkg.ui.app:5 -> pkg.cli"]


def _fast_path(argv: list[str], stdin: str, cwd: Path, *, before: str = "") -> list[str]:
    """The heavy packages `cockpit ARGV` loaded, run in a fresh interpreter as the console script runs it
    (after the code `before`)."""
    code = ("import atexit, json, sys\n"
            f"atexit.register(lambda: sys.stderr.write('LOADED ' + json.dumps(sorted({{m.split('.')[0] for m in sys.modules}}"
            f" & set({list(HEAVY)!r}))) + '\\n'))\n"
            f"{before}\n"
            "from cockpit.cli import main\n"
            f"sys.exit(main({argv!r}))\n")
    proc = subprocess.run([sys.executable, "-c", code], input=stdin, capture_output=True, text=True, timeout=60,
                          cwd=cwd)
    lines = [line for line in proc.stderr.splitlines() if line.startswith("LOADED ")]
    assert lines, proc.stderr
    return json.loads(lines[-1][len("LOADED "):])


def test_the_hooks_and_the_pre_commit_entry_load_no_heavy_package(tmp_path: Path):
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    (repo / "cockpit.toml").write_text('[gates.check]\ncommand = "true"\nrequired = true\n')
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "gates")
    db = str(tmp_path / "c.db")
    call = {"session_id": "s", "cwd": str(repo), "hook_event_name": "PreToolUse", "tool_name": "Bash",
            "tool_use_id": "t"}
    for argv, payload in [
        (["hook", "claude", "pre-tool-use", "--db", db], {**call, "tool_input": {"command": "pytest -q"}}),
        (["hook", "claude", "event", "--db", db], {**call, "hook_event_name": "PostToolUse"}),
        (["statusline", "--db", db], {"session_id": "s", "context_window": {"context_window_size": 200000}}),
        (["gate", "pre-commit", "--db", db], {}),
    ]:
        assert _fast_path(argv, json.dumps(payload), repo) == [], argv


def test_index_and_the_headless_listings_load_no_heavy_package(tmp_path: Path):
    """`cockpit index` and `cockpit sessions --json` run on every refresh of a script or a status bar: plain
    sqlite3, no wrapper library, no Textual."""
    flags = ["--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path), "--codex-dir", str(tmp_path)]
    for argv in (["index"], ["sessions", "--json", "--all"], ["context", "--json"], ["--help"]):
        assert _fast_path([*argv, *flags], "", tmp_path) == [], argv


def test_the_fast_path_check_sees_a_heavy_import(tmp_path: Path):
    # A regression as it would come: a function on the command's path importing a heavy package when called.
    regression = ("import cockpit.store.queries as q\n"
                  "real = q.list_sessions\n"
                  "def list_sessions(*a, **k):\n"
                  "    import textual\n"
                  "    return real(*a, **k)\n"
                  "q.list_sessions = list_sessions\n")
    flags = ["--db", str(tmp_path / "c.db"), "--claude-dir", str(tmp_path), "--codex-dir", str(tmp_path)]
    assert "textual" in _fast_path(["sessions", "--json", *flags], "", tmp_path, before=regression)


def _runs_git(tree: ast.AST) -> list[int]:
    """Lines building a command line that starts with "git": a list or tuple whose first item is that string."""
    return sorted(node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.List | ast.Tuple) and node.elts
            and isinstance(node.elts[0], ast.Constant) and node.elts[0].value == "git")


def test_only_sources_git_runs_git():
    offenders = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        if path == PACKAGE_ROOT / "sources" / "git.py":
            continue
        offenders += [f"{path.relative_to(REPO_ROOT)}:{n}" for n in _runs_git(ast.parse(path.read_text(encoding="utf-8")))]
    assert offenders == []
    assert _runs_git(ast.parse((PACKAGE_ROOT / "sources" / "git.py").read_text(encoding="utf-8")))


def test_the_git_check_finds_a_command_line():
    assert _runs_git(ast.parse('import subprocess\nsubprocess.run(["git", "status"])\nx = ("git",)\ny = ["gh"]\n')) == [2, 3]


def test_architecture_md_names_only_files_and_names_that_exist():
    """ARCHITECTURE.md is the newcomer's map: every file it names exists, every module of the tree it lists is a
    package here, and every class it names for a module (`path.py` (`Class`…) is defined there."""
    text = (PACKAGE_ROOT.parent / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted(set(re.findall(r"`([a-z_/]+\.py)`", text))):
        candidates = [PACKAGE_ROOT.parent / path, PACKAGE_ROOT / path, PACKAGE_ROOT / "ui" / path]
        if not any(c.is_file() for c in candidates):
            missing.append(path)
    for package in re.findall(r"^  ([a-z]+)/ ", text, flags=re.MULTILINE):
        if not (PACKAGE_ROOT / package / "__init__.py").is_file():
            missing.append(f"{package}/")
    for path, name in re.findall(r"`([a-z_/]+\.py)` \(`([A-Z]\w+)`", text):
        source = next((c for c in (PACKAGE_ROOT / path, PACKAGE_ROOT / "ui" / path) if c.is_file()), None)
        if source is not None and not re.search(rf"^class {name}\b", source.read_text(encoding="utf-8"), re.MULTILINE):
            missing.append(f"{name} in {path}")
    assert missing == []


def test_the_app_is_wiring_only():
    """ui/app.py stays a small file of wiring, and CockpitApp has no mixins: one base, Textual's App."""
    from textual.app import App

    from cockpit.ui.app import CockpitApp

    lines = (PACKAGE_ROOT / "ui" / "app.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 300, f"ui/app.py has {lines} lines: move what is not wiring to a screen, a pane or ui/workers/"
    assert CockpitApp.__bases__ == (App,)
