"""The demo's session scripts: three live sessions and four finished ones from earlier days.

Token plans are explicit so the story is the same for every seed: the live Claude session starts
near 30 %, crosses 40 % about half a minute in, auto-compacts at about 167k and carries on near
36k; the second Claude session hands work to a Haiku subagent; the Codex session stays small.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from cockpit.demo.script import (
    LIVE,
    ClaudeThread,
    CodexStep,
    CodexThread,
    Ctx,
    Pause,
    Script,
    SessionSpec,
    Tool,
    answer,
    ask,
    bash_tool,
    codex_turn,
    compact,
    edit_tool,
    finish,
    glob_tool,
    grep_tool,
    prompt,
    read_tool,
    session_start,
    spawn_subagent,
    work,
    write_tool,
)

OPUS, SONNET, HAIKU = "claude-opus-4-6", "claude-sonnet-4-5-20250929", "claude-haiku-4-5-20251001"
MARKUP_PROBE = "[bold red]not markup[/]"

PYTEST_FAIL = (
    "F......\n=================================== FAILURES ===================================\n"
    "_________________________ test_parses_2026_layout __________________________\n"
    "    assert readings[0].datum == 'MLLW'\nE   AssertionError: assert 'MLLW ft' == 'MLLW'\n"
    "1 failed, 6 passed in 0.44s"
)
PYTEST_OK = "........................                                           [100%]\n24 passed in 0.61s"
SLOW = (
    "slowest 5 durations\n18.02s call     tests/test_stations.py::test_lookup_remote\n"
    "17.64s call     tests/test_stations.py::test_station_metadata_remote\n"
    "0.05s call     tests/test_report.py::test_marks_high_and_low\n22 passed in 36.11s"
)


def claude_main(ctx: Ctx, spec: SessionSpec) -> Script:
    """Live session 1 (Opus, 200k): climbs from ~30 % through 40 %, auto-compacts, continues ~36k."""
    cwd = spec.cwd
    t = ClaudeThread(ctx, Path(spec.path), spec, OPUS, slug="brisk-tidal-heron")
    yield session_start(t)
    yield from prompt(t, "tp-7kq.1: the parser chokes on the new NOAA export in tests/fixtures/noaa_2026.csv: the header "
                         "moved and there is a Datum column now. Make parse_file handle both layouts and keep "
                         "the old tests green.")
    yield from work(t, [
        (26_447, 212, "Let me look at the parser and the new fixture first.", read_tool(cwd, "src/tidepool/parser.py")),
    ])
    yield t.meta("ai-title", "aiTitle", "Support the 2026 NOAA CSV layout in the parser")
    yield from work(t, [
        (31_280, 96, None, read_tool(cwd, "tests/fixtures/noaa_2026.csv")),
        (37_820, 140, None, grep_tool(cwd, "High/Low", ["src/tidepool/parser.py", "tests/test_parser.py"])),
        (44_610, 88, None, read_tool(cwd, "tests/test_parser.py")),
        (52_130, 640, "The 2026 header starts with `Date Time`; I'll detect the layout from the header row.",
         edit_tool(cwd, "src/tidepool/parser.py", "def _row(row", "def _layout(header: list[str]) -> str:\n"
                   "    return \"2026\" if \"Datum\" in header else \"classic\"\n\n\ndef _row(row")),
    ])
    pytest_fail = bash_tool("python -m pytest -q tests/test_parser.py", "Run the parser tests", PYTEST_FAIL, 1)
    tool_id = yield from ask(t, 58_940, 120, pytest_fail)
    yield LIVE
    yield from answer(t, pytest_fail, tool_id)
    yield from work(t, [
        (62_510, 310, "One failure: the datum values carry a unit suffix.", read_tool(cwd, "src/tidepool/parser.py", 18)),
        (66_330, 520, None, edit_tool(cwd, "src/tidepool/parser.py", "datum=row[\"Datum\"]",
                                      "datum=row[\"Datum\"].split()[0]")),
        (70_140, 95, None, bash_tool("python -m pytest -q tests/test_parser.py", "Run the parser tests",
                                     "7 passed in 0.41s")),
        (74_020, 130, "Parser tests pass. Checking who else reads the rows.", read_tool(cwd, "src/tidepool/report.py")),
        (77_910, 84, None, grep_tool(cwd, "height_m", ["src/tidepool/report.py", "src/tidepool/cli.py"])),
        (81_730, 102, None, bash_tool("python -m pytest -q", "Run the whole suite", PYTEST_OK)),
    ], split=2)
    yield from finish(t, 84_060, 420, "Both layouts parse now: the header row decides the layout, and the "
                                      "datum unit suffix is dropped. All 24 tests pass.")
    yield Pause(12.0)
    t.pace = 1.6  # larger prompts, slower answers
    yield from prompt(t, "Nice. Now show the datum in the report header, add a test for it, and run ruff "
                         "and the full suite.")
    report = "src/tidepool/report.py"
    yield from work(t, [
        (89_240, 160, None, read_tool(cwd, report)),
        (95_060, 96, None, read_tool(cwd, "tests/test_report.py")),
        (101_330, 700, "I'll thread the datum through to the table header.",
         edit_tool(cwd, report, "def render(", "def render_header(station: str, datum: str) -> str:\n"
                   "    return f\"{station} (datum {datum})\"\n\n\ndef render(")),
        (107_480, 380, None, edit_tool(cwd, report, "lines = [station]", "lines = [render_header(station, datum)]")),
        (113_020, 900, None, write_tool(cwd, "tests/test_report_datum.py",
                                        "from tidepool.report import render_header\n\n\ndef test_header_shows_datum():\n"
                                        "    assert render_header('Pier 7', 'MLLW') == 'Pier 7 (datum MLLW)'\n")),
        (119_370, 110, None, bash_tool("python -m pytest -q tests/test_report_datum.py tests/test_report.py",
                                       "Run the report tests", "E   NameError: name 'datum' is not defined\n"
                                       "1 failed, 4 passed in 0.22s", 1)),
        (126_210, 140, None, read_tool(cwd, report, 10)),
        (132_480, 420, "The renderer needs the datum passed in from the CLI.",
         edit_tool(cwd, report, "def render(readings", "def render(readings, datum: str = \"MLLW\"")),
        (138_650, 98, None, bash_tool("python -m pytest -q", "Run the whole suite", PYTEST_OK)),
        (145_120, 90, None, bash_tool("ruff check src tests", "Lint", "src/tidepool/report.py:4:1: I001 Import "
                                      "block is un-sorted\nFound 2 errors.\n[*] 2 fixable with `--fix`", 1)),
        (151_390, 70, None, bash_tool("ruff check --fix src tests", "Fix the lint findings", "Found 2 errors (2 fixed).")),
        (158_060, 150, None, read_tool(cwd, "src/tidepool/cli.py")),
        (164_870, 260, None, bash_tool("python -m pytest -q", "Run the whole suite", PYTEST_OK)),
    ])
    yield from compact(t, 167_240, "1. The user asked to parse the 2026 NOAA layout (done, tests pass).\n"
                                   "2. Then: show the datum in the report header, add a test, run ruff and the "
                                   "suite. Header and test are done; ruff is fixed; the CLI still has to pass the "
                                   "datum to render().")
    yield from work(t, [
        (36_081, 240, "Continuing: the CLI still has to pass the datum through.", read_tool(cwd, "src/tidepool/cli.py")),
        (38_920, 520, None, edit_tool(cwd, "src/tidepool/cli.py", "print(render(readings))",
                                      "print(render(readings, datum=readings[0].datum))")),
        (41_230, 100, None, bash_tool("python -m pytest -q", "Run the whole suite", PYTEST_OK)),
        (43_050, 80, None, bash_tool("ruff check src tests", "Lint", "All checks passed!")),
    ])
    yield from finish(t, 44_120, 380, "Done: the report header shows the datum, `test_report_datum.py` covers "
                                      "it, ruff is clean and all 25 tests pass.")
    yield Pause(15.0)
    t.pace = 1.0
    yield from prompt(t, "Commit it on this branch.")
    yield from work(t, [
        (45_310, 160, None, bash_tool("git add -A && git commit -m 'Show the datum in the report header'",
                                      "Commit", "[fix/csv-2026-layout 4c1d2e9] Show the datum in the report header\n"
                                      " 4 files changed, 31 insertions(+), 6 deletions(-)")),
    ])
    yield from finish(t, 45_720, 90, "Committed as 4c1d2e9 on fix/csv-2026-layout.")


def claude_task(ctx: Ctx, spec: SessionSpec) -> Script:
    """Live session 2 (Sonnet): hands the digging to a Haiku Explore subagent."""
    cwd = spec.cwd
    t = ClaudeThread(ctx, Path(spec.path), spec, SONNET, slug="quiet-amber-lantern")
    yield session_start(t)
    yield from prompt(t, "The test suite takes ~40 s now. Find out which tests are slow and why. Use an Explore "
                         "agent for the digging so this context stays small.")
    # A loop (the same call failing three times in a row), on screen when the demo opens; the Task's result,
    # a different call that succeeds, clears it.
    wrong = bash_tool("python -m pytest -q --durations=5 tests/test_station.py", "Time the station tests",
                      "ERROR: file or directory not found: tests/test_station.py\n\nno tests ran in 0.01s", 4)
    yield from work(t, [(24_180, 150, "Let me time the station tests first.", wrong),
                        (24_610, 90, None, wrong), (25_020, 90, None, wrong)])
    yield t.meta("ai-title", "aiTitle", "Find the slow tests")
    yield LIVE
    task_text = ("Two tests in tests/test_stations.py take ~18 s each. Find out what they do that is slow "
                 "(network? sleeps? fixtures?) and report file:line evidence. Do not change files.")
    sub, meta = spawn_subagent(t, HAIKU, "Find why station tests are slow", task_text)
    task = Tool("Task", {"description": "Find why station tests are slow", "prompt": task_text,
                         "subagent_type": "Explore"}, "", None)
    tool_id = yield from ask(t, 27_640, 310, task, "I'll hand the digging to an Explore agent.")
    yield meta
    yield sub.user(task_text)
    plan = [
        (13_620, 60, "Looking at the station tests.", glob_tool(cwd, "tests/**/*.py", [
            "tests/test_parser.py", "tests/test_report.py", "tests/test_stations.py", "tests/test_cli.py"])),
        (16_930, 80, None, read_tool(cwd, "tests/test_stations.py")),
        (20_410, 70, None, grep_tool(cwd, "urlopen|fetch_remote", ["src/tidepool/stations.py", "tests/test_stations.py"])),
        (24_770, 90, None, read_tool(cwd, "src/tidepool/stations.py")),
        (28_310, 110, None, bash_tool("python -m pytest -q tests/test_stations.py --durations=3",
                                      "Time the station tests", SLOW)),
    ]
    sub.cached = 0
    for prompt_tokens, output, say, tool in plan:
        sub_tool_id = yield from ask(sub, prompt_tokens, output, tool, say)
        yield t.agent_progress(sub, tool_id)
        yield from answer(sub, tool, sub_tool_id)
    report = ("Both slow tests call `fetch_remote()` (src/tidepool/stations.py:31), which does a real HTTPS "
              "request to the NOAA metadata API with a 15 s timeout; in CI the request times out and the test "
              "falls back to the bundled table. No sleeps, no slow fixtures.")
    yield from finish(sub, 30_940, 640, report)
    yield t.agent_progress(sub, tool_id)
    yield Pause(0.5)
    usage = sub.last_line["message"]["usage"]
    task = replace(task, result=report, meta={
        "status": "completed", "prompt": task_text, "agentId": sub.agent_id,
        "content": [{"type": "text", "text": report}], "totalDurationMs": 38_400, "totalTokens": sub.cached,
        "totalToolUseCount": len(plan), "usage": usage})
    yield t.tool_result(tool_id, task)
    yield from work(t, [(33_460, 120, None, read_tool(cwd, "tests/test_stations.py"))])
    yield from finish(t, 36_810, 520, "Two tests hit the real NOAA API through `fetch_remote()` and wait for "
                                      "its 15 s timeout in CI. Mark them as network tests and skip them by "
                                      "default, or stub `fetch_remote` with the bundled table.")
    yield Pause(45.0)
    t.pace = 1.3
    yield from prompt(t, "Mark those two with @pytest.mark.network and skip them unless --run-network is given.")
    yield from work(t, [
        (39_140, 420, None, edit_tool(cwd, "tests/test_stations.py", "def test_lookup_remote",
                                      "@pytest.mark.network\ndef test_lookup_remote")),
        (41_620, 610, None, write_tool(cwd, "tests/conftest.py", "import pytest\n\n\ndef pytest_addoption(parser):\n"
                                       "    parser.addoption('--run-network', action='store_true')\n")),
        (43_900, 90, None, bash_tool("python -m pytest -q", "Run the whole suite", "22 passed, 2 skipped in 1.93s")),
    ])
    yield from finish(t, 45_030, 300, "Done: both tests carry `@pytest.mark.network` and are skipped unless "
                                      "`--run-network` is given. The suite takes 1.9 s.")


def codex_live(ctx: Ctx, spec: SessionSpec) -> Script:
    """Live session 3 (Codex, gpt-5.3-codex, 258,400 window)."""
    c = CodexThread(ctx, spec)
    yield c.session_meta()
    yield c.item(type="message", role="developer", content=[{"type": "input_text", "text": "<permissions "
                 "instructions>Sandbox: workspace-write; approvals: on-request.</permissions instructions>"}])
    yield c.item(type="message", role="user", content=[{"type": "input_text", "text": "<environment_context>\n"
                 f"  <cwd>{spec.cwd}</cwd>\n  <shell>bash</shell>\n</environment_context>"}])
    yield from codex_turn(c, "Add a --json flag to `tidepool tides` that prints the readings as JSON lines.", [
        CodexStep(19_840, 230, "I'll look at the CLI entry point first.", "sed -n '1,80p' src/tidepool/cli.py",
                  "import argparse\n\nfrom tidepool.parser import parse_file\n...", live=True),
        CodexStep(23_110, 140, "Checking how readings are printed.", "rg -n 'def main|print' src/tidepool",
                  "src/tidepool/cli.py:14:def main(argv=None):\nsrc/tidepool/cli.py:27:    print(render(readings))"),
        # parser.py is the file the first Claude session is editing: a conflict on both, half a minute in.
        CodexStep(27_460, 610, "Adding the flag, a JSON-lines writer and a dict form of a reading.",
                  patch="*** Begin Patch\n*** Update File: src/tidepool/cli.py\n"
                        "+    parser.add_argument('--json', action='store_true')\n"
                        "*** Update File: src/tidepool/parser.py\n@@ class Reading:\n"
                        "+    def to_dict(self) -> dict[str, object]:\n+        return dataclasses.asdict(self)\n"
                        "*** End Patch"),
        CodexStep(31_020, 120, "Running the CLI tests.", "python -m pytest -q tests/test_cli.py",
                  "F..\nE   TypeError: Object of type Decimal is not JSON serializable\n1 failed, 2 passed", 1),
        CodexStep(34_380, 420, "Decimal heights need a string conversion.",
                  patch="*** Begin Patch\n*** Update File: src/tidepool/cli.py\n+            'height_m': str(r.height_m),\n"
                        "*** End Patch"),
        CodexStep(37_900, 110, "Re-running the tests.", "python -m pytest -q", "24 passed in 0.58s"),
        CodexStep(39_650, 260, "Added `--json` to `tidepool tides`: one JSON object per reading, heights as "
                  "strings to keep Decimal precision. Tests pass."),
    ])
    yield Pause(35.0)
    yield from codex_turn(c, "Also document it in the README.", [
        CodexStep(42_980, 120, "Finding the usage section.", "rg -n '^## ' README.md", "3:## Install\n11:## Usage"),
        CodexStep(46_310, 380, "Adding an example.",
                  patch="*** Begin Patch\n*** Update File: README.md\n+    tidepool tides 9414290 --json\n*** End Patch"),
        CodexStep(48_020, 150, "Documented `--json` in the README usage section with an example."),
    ])
    yield Pause(30.0)
    c.pace = 1.4
    yield from codex_turn(c, "Run the full suite once more and show me the diff stat.", [
        CodexStep(50_410, 90, "Running the suite.", "python -m pytest -q", "24 passed in 0.57s"),
        CodexStep(52_060, 80, "Collecting the diff stat.", "git diff --stat",
                  " README.md          |  4 ++++\n src/tidepool/cli.py | 19 +++++++++++++++++--\n"
                  " 2 files changed, 21 insertions(+), 2 deletions(-)"),
        CodexStep(53_200, 140, "All 24 tests pass; the change touches README.md and src/tidepool/cli.py."),
    ])


# ---- finished sessions from earlier days ---------------------------------------------------------


def history_markup(ctx: Ctx, spec: SessionSpec) -> Script:
    cwd = spec.cwd
    t = ClaudeThread(ctx, Path(spec.path), spec, OPUS, version="2.1.39")
    yield session_start(t)
    yield from prompt(t, "Station names like `Pier [A]` vanish from the report, and one user saw the literal text "
                         f"{MARKUP_PROBE} in their terminal. Make the report print names literally.")
    yield from work(t, [(25_310, 180, "Let me read the report module.", read_tool(cwd, "src/tidepool/report.py"))])
    yield t.meta("custom-title", "customTitle", "report: print station names literally")
    yield from work(t, [
        (27_940, 90, None, grep_tool(cwd, "console.print", ["src/tidepool/report.py"])),
        (31_220, 480, "The name goes through the markup parser; escape it.",
         edit_tool(cwd, "src/tidepool/report.py", "console.print(name)", "console.print(escape(name))")),
        (33_080, 100, None, bash_tool("python -m pytest -q", "Run the suite", "18 passed in 0.39s")),
    ])
    yield from finish(t, 34_200, 260, "Station names are escaped before printing, so brackets show literally.")


def history_compact(ctx: Ctx, spec: SessionSpec) -> Script:
    cwd = spec.cwd
    t = ClaudeThread(ctx, Path(spec.path), spec, OPUS, version="2.1.39", slug="steady-coral-finch")
    yield session_start(t)
    yield from prompt(t, "Add a --days N option to the CLI and fix the off-by-one when picking the next high "
                         "water; add tests for both.")
    files = ["src/tidepool/cli.py", "src/tidepool/report.py", "tests/test_report.py", "src/tidepool/parser.py"]
    plan = [(27_000 + 10_500 * i, 150 + 40 * (i % 4), None, read_tool(cwd, files[i % 4])) for i in range(13)]
    plan[3] = (plan[3][0], 380, None, edit_tool(cwd, "src/tidepool/cli.py", "parser.add_argument(",
                                                 "parser.add_argument('--days', type=int, default=1)\n    "
                                                 "parser.add_argument("))
    plan[9] = (plan[9][0], 120, None, bash_tool("python -m pytest -q", "Run the suite", PYTEST_OK))
    yield t.meta("ai-title", "aiTitle", "CLI --days option and next-high-water fix")
    yield from work(t, plan)
    yield from compact(t, 167_310, "1. --days is implemented in the CLI.\n2. The off-by-one is in "
                                   "next_high(): it skips the first reading after midnight.")
    yield from work(t, [
        (36_480, 300, "Continuing with the off-by-one.", read_tool(cwd, "src/tidepool/report.py")),
        (39_900, 420, None, edit_tool(cwd, "src/tidepool/report.py", "readings[i + 1:]", "readings[i:]")),
        (42_350, 90, None, bash_tool("python -m pytest -q", "Run the suite", PYTEST_OK)),
    ])
    yield from finish(t, 43_600, 310, "`--days N` works and next-high-water no longer skips the first reading.")


def history_errors(ctx: Ctx, spec: SessionSpec) -> Script:
    cwd = spec.cwd
    t = ClaudeThread(ctx, Path(spec.path), spec, SONNET)
    yield session_start(t)
    yield from prompt(t, "Why is `tidepool tides --station 9414290` failing on CI?")
    yield t.meta("ai-title", "aiTitle", "Debug CI failure for station 9414290")
    yield from work(t, [
        (22_930, 120, None, bash_tool("tidepool tides --station 9414290", "Reproduce",
                                      "KeyError: '9414290'", 1)),
        (25_410, 90, None, read_tool(cwd, "src/tidepool/stations.py")),
        (27_880, 130, None, bash_tool("python -c 'import tidepool.stations as s; print(len(s.STATIONS))'",
                                      "Count stations", "Traceback (most recent call last):\nSyntaxError", 2)),
        (30_120, 360, "Station ids are ints in the registry but strings from argparse.",
         edit_tool(cwd, "src/tidepool/stations.py", "STATIONS[station_id]", "STATIONS[str(station_id)]")),
        (32_300, 95, None, bash_tool("tidepool tides --station 9414290", "Re-run", "San Francisco  09:12 H 1.84 m")),
    ])
    yield from finish(t, 33_400, 240, "The registry was keyed by int while argparse passes strings; lookups "
                                      "now normalise the id.")


def history_codex(ctx: Ctx, spec: SessionSpec) -> Script:
    c = CodexThread(ctx, spec)
    yield c.session_meta()
    yield from codex_turn(c, "Write a docstring for every public function in src/tidepool/parser.py.", [
        CodexStep(18_200, 160, "Listing the public functions.", "rg -n '^def [a-z]' src/tidepool/parser.py",
                  "17:def parse_file(path: Path) -> list[Reading]:"),
        CodexStep(22_640, 520, "Adding docstrings.",
                  patch="*** Begin Patch\n*** Update File: src/tidepool/parser.py\n"
                        "+    \"\"\"Read one station export.\"\"\"\n*** End Patch"),
        CodexStep(26_900, 110, "Checking the tests.", "python -m pytest -q", "18 passed in 0.37s"),
        CodexStep(28_350, 200, "Every public function in parser.py has a docstring now."),
    ])


SCRIPTS: dict[str, Callable[[Ctx, SessionSpec], Script]] = {
    "claude_main": claude_main,
    "claude_task": claude_task,
    "codex_live": codex_live,
    "history_markup": history_markup,
    "history_compact": history_compact,
    "history_errors": history_errors,
    "history_codex": history_codex,
}
