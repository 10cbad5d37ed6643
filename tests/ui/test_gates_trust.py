"""The dashboard in a repository whose gates are untrusted, and verdict evidence from the keyboard.

An untrusted clone runs nothing by itself, whatever the tree does; `r` asks (Cancel focused) and shows
the exact command; Trust records the configuration like `cockpit trust`. A gate that writes files
runs once, not for ever. `A` on a verdict gate's screen accepts an external report by its hash.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Button

from cockpit.cli import main
from cockpit.config.gates import load_gate_config
from cockpit.core.gate_rules import GateState
from cockpit.sources.git import tree_id
from cockpit.store.db import connect
from cockpit.store.gate_runs import runs_for
from cockpit.store.trust_records import find_trust
from cockpit.ui.screens.confirm import ConfirmModal
from cockpit.ui.screens.gate import GateScreen
from cockpit.ui.widgets.gates_table import GatesTable

from .conftest import Workspace, wait_for
from .test_gates_pane import log_text, make_repo, state_of

FEEDER = '[gate_settings]\ndebounce = 0.1\n[gates.feeder]\ncommand = "{command}"\nauto = true\n'
TOUCH = '[gate_settings]\ndebounce = 0.1\n[gates.touchy]\ncommand = "touch {marker}"\nauto = true\n'


def modal_text(app) -> str:  # type: ignore[no-untyped-def]
    return str(app.screen.query_one("#question-text").render())


async def open_modal(pilot, app) -> None:  # type: ignore[no-untyped-def]
    assert await wait_for(lambda: isinstance(app.screen, ConfirmModal))
    await pilot.pause(0.35)  # keys typed before the modal was seen do not choose


async def test_an_untrusted_clone_runs_no_auto_gate_and_says_so_once(workspace: Workspace) -> None:
    marker = workspace.root / "marker"
    repo = make_repo(workspace.root, TOUCH.format(marker=marker), trusted=False)
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "touchy") is GateState.UNTRUSTED)
        first_tree = app.gate_board.tree  # type: ignore[union-attr]
        # The agent keeps editing: every new tree would start an auto gate of a trusted configuration.
        for n in range(3):
            (repo / "ok.txt").write_text(f"edit {n}\n")
            app.gates.refresh()
            assert await wait_for(lambda: app.gate_board.tree != first_tree)  # type: ignore[union-attr]
            await pilot.pause(0.6)  # several debounce periods
        assert not marker.exists() and runs_for(connect(workspace.db), str(repo), "touchy") == []
        assert log_text(app).count("are not trusted") == 1 and "cockpit trust --show" in log_text(app)
        table = app.screen.query_one(GatesTable)
        assert "⊘ untrusted" in table.get_row_at(0)[1].plain and "NOT trusted" in str(table.border_subtitle)


async def test_r_on_an_untrusted_gate_asks_with_cancel_focused(workspace: Workspace) -> None:
    marker = workspace.root / "marker"
    repo = make_repo(workspace.root, TOUCH.format(marker=marker), trusted=False)
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "touchy") is GateState.UNTRUSTED)
        await pilot.press("4", "r")
        await open_modal(pilot, app)
        text = modal_text(app)
        assert f"$ touch {marker}" in text and "the gates in cockpit.toml" in text
        assert isinstance(app.focused, Button) and app.focused.id == "cancel"
        await pilot.press("enter")
        assert await wait_for(lambda: not isinstance(app.screen, ConfirmModal))
        await pilot.pause(0.3)
        assert not marker.exists() and "not run (untrusted)" in log_text(app)
        # Run once: the command runs, the configuration stays untrusted.
        await pilot.press("r")
        await open_modal(pilot, app)
        await pilot.press("o")
        assert await wait_for(lambda: marker.exists())
        assert await wait_for(lambda: state_of(app, "touchy") is GateState.PASS)
        assert app.gate_board is not None and not app.gate_board.trusted
        assert find_trust(connect(workspace.db), str(repo), load_gate_config(repo).fingerprint) is None


async def test_trust_in_the_modal_is_cockpit_trust_and_auto_gates_then_run(workspace: Workspace) -> None:
    marker = workspace.root / "marker"
    repo = make_repo(workspace.root, TOUCH.format(marker=marker), trusted=False)
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "touchy") is GateState.UNTRUSTED)
        await pilot.press("4", "R")
        await open_modal(pilot, app)
        await pilot.press("t")
        assert await wait_for(lambda: marker.exists())
        assert find_trust(connect(workspace.db), str(repo), load_gate_config(repo).fingerprint) is not None
        assert await wait_for(lambda: app.gate_board is not None and app.gate_board.trusted)
        marker.unlink()
        (repo / "ok.txt").write_text("the agent edits\n")
        app.gates.refresh()
        assert await wait_for(lambda: marker.exists())
        assert "auto (tree changed)" in log_text(app)


async def test_a_trusted_auto_gate_that_writes_an_untracked_file_runs_once(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, FEEDER.format(command="sleep 0.3; date +%s%N > stamp.txt"))
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: (repo / "stamp.txt").exists())
        await pilot.pause(3.0)  # without the rule: a run every 0.4 s, for ever
        runs = runs_for(connect(workspace.db), str(repo), "feeder")
        assert [r.outcome for r in runs] == ["pass"] and runs[0].tree_after != runs[0].tree
        status = app.gate_board.get("feeder")  # type: ignore[union-attr]
        assert status is not None and status.state is GateState.STALE and "its own last run" in status.reason


async def test_an_auto_gate_writing_while_it_runs_is_cancelled_once(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, FEEDER.format(command="date +%s%N > stamp.txt; sleep 0.5"))
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)) as pilot:
        for _ in range(40):  # what the working-tree watcher does: re-read the board on every write
            app.gates.refresh()
            await pilot.pause(0.1)
        outcomes = [r.outcome for r in runs_for(connect(workspace.db), str(repo), "feeder")]
        assert outcomes in (["pass"], ["pass", "cancelled"]), outcomes


async def test_A_on_the_gate_screen_accepts_an_external_report_by_its_hash(workspace: Workspace) -> None:
    repo = make_repo(workspace.root, '[gates.vibe]\nkind = "verdict"\nrequired = true\n')
    tree, _ = tree_id(str(repo))
    forged = repo / ".agents" / "council" / "2099-12-31-vibe-x.md"
    forged.parent.mkdir(parents=True)
    forged.write_text(f"---\ntree: {tree}\n---\n## Council Verdict: PASS\n")
    pre_commit = ["gate", "pre-commit", "--repo", str(repo), "--db", str(workspace.db),
                  "--config", str(workspace.root / "none.toml")]
    assert main(pre_commit) == 1
    app = workspace.app(repo=str(repo))
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "vibe") is GateState.EXTERNAL)
        await pilot.press("4", "enter")
        assert await wait_for(lambda: isinstance(app.screen, GateScreen))
        summary = str(app.screen.query_one("#gate-summary").render())
        assert "external report .agents/council/2099-12-31-vibe-x.md" in summary
        await pilot.press("A")
        await open_modal(pilot, app)
        assert "sha256" in modal_text(app) and "## Council Verdict: PASS" in modal_text(app)
        await pilot.press("y")
        assert await wait_for(lambda: state_of(app, "vibe") is GateState.PASS)
        status = app.gate_board.get("vibe")  # type: ignore[union-attr]
        assert status is not None and status.evidence == "accepted" and "accepted by" in status.reason
    assert main(pre_commit) == 0
    # The accepted hash is what counts: an edit makes the file external again.
    forged.write_text(forged.read_text() + "\none more line\n")
    assert main(pre_commit) == 1


async def test_read_only_cannot_accept_reports_or_answer_untrusted_runs(workspace: Workspace) -> None:
    marker: Path = workspace.root / "marker"
    repo = make_repo(workspace.root, TOUCH.format(marker=marker), trusted=False)
    app = workspace.app(repo=str(repo), read_only=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: state_of(app, "touchy") is GateState.UNTRUSTED)
        await pilot.press("4", "r", "R")
        await pilot.pause(0.4)
        assert not isinstance(app.screen, ConfirmModal) and not marker.exists()


async def test_a_clone_that_loosens_its_approvals_is_named_in_the_log_and_loosens_nothing(
    workspace: Workspace,
) -> None:
    """The untrusted clone of the issue: an auto gate and `[approvals] mode = "replace"`, `rules = []`."""
    marker = workspace.root / "marker"
    loosening = TOUCH.format(marker=marker) + '[approvals]\nmode = "replace"\nrules = []\n'
    repo = make_repo(workspace.root, loosening, trusted=False)
    app = workspace.app(repo=str(repo), auto_gates=True)
    async with app.run_test(size=(150, 50)) as pilot:
        assert await wait_for(lambda: "approvals:" in log_text(app))
        await pilot.pause(0.6)
        assert log_text(app).count("mode ignored: a repository can only add rules") == 1
        assert not marker.exists()
    from cockpit.config.policy import load_policy

    policy, _root = load_policy(str(repo))
    assert policy.match("Bash", {"command": "git push origin main"}, str(repo), str(repo)) is not None
