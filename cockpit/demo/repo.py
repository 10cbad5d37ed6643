"""The demo's git repo: "tidepool", a small tide-table CLI with a few days of history by two
authors, tests, and a beads issue export (spec agentops-formats §3). All content is invented."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cockpit.sources.git import run_git

AUTHORS = (("Mara Lindqvist", "mara@example.com"), ("Dev Okafor", "dev.okafor@example.com"))
BRANCH = "fix/csv-2026-layout"
BRANCH_AT = 13  # commits from this index on are on BRANCH

# (hours before now, author, message)
COMMITS: tuple[tuple[float, int, str], ...] = (
    (98.0, 0, "Initial skeleton: package layout, README, pyproject"),
    (97.2, 0, "Add CSV parser for station exports"),
    (95.5, 1, "Track work in beads"),
    (74.1, 1, "Parse heights as Decimal to avoid float drift"),
    (72.3, 0, "Add station registry"),
    (70.6, 1, "tests: cover BOM-prefixed files and blank rows"),
    (69.0, 0, "report: render a tide table with high/low markers"),
    (66.2, 1, "report: print station names literally, never as markup"),
    (49.4, 0, "cli: add --days option"),
    (47.0, 1, "Fix off-by-one when picking the next high water"),
    (46.1, 1, "beads: close tp-2m9 and tp-c4e, file the 2026 layout epic"),
    (26.3, 0, "docs: usage section in README"),
    (25.1, 1, "tests: station lookup against the remote API"),
    (3.2, 0, "parser: accept the 2026 column layout header"),
    (2.1, 0, "fixtures: sample export in the 2026 layout"),
)

PARSER = '''"""Parse tide-station CSV exports into readings."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path


@dataclass(frozen=True)
class Reading:
    at: datetime
    height_m: float
    kind: str  # "H" high water, "L" low water


def parse_file(path: Path) -> list[Reading]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [_row(row) for row in csv.DictReader(handle) if row.get("Date")]


def _row(row: dict[str, str]) -> Reading:
    at = datetime.strptime(f"{row['Date']} {row['Time']}", "%Y/%m/%d %H:%M")
    return Reading(at, float(row["Pred"]), row["High/Low"].strip())
'''
REPORT = '''"""Render readings as a tide table."""

from __future__ import annotations

from tidepool.parser import Reading

MARKS = {"H": "\\u25b2", "L": "\\u25bc"}


def render(readings: list[Reading], station: str = "") -> str:
    lines = [station]
    for r in readings:
        lines.append(f"{r.at:%a %d %b %H:%M}  {MARKS.get(r.kind, ' ')} {r.height_m:>5} m")
    return "\\n".join(lines)


def next_high(readings: list[Reading], i: int) -> Reading | None:
    return next((r for r in readings[i + 1:] if r.kind == "H"), None)
'''
CLI = '''"""tidepool command line."""

from __future__ import annotations

import argparse
from pathlib import Path

from tidepool.parser import parse_file
from tidepool.report import render


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tidepool")
    parser.add_argument("csv", type=Path)
    args = parser.parse_args(argv)
    readings = parse_file(args.csv)
    print(render(readings))
    return 0
'''
STATIONS = '''"""Known NOAA stations (a small bundled table; fetch_remote asks the API)."""

from __future__ import annotations

import json
import urllib.request

STATIONS = {
    "9414290": "San Francisco",
    "9410170": "San Diego",
    "8518750": "The Battery",
    "8443970": "Boston",
    "9447130": "Seattle",
}


def name_of(station_id: str) -> str:
    return STATIONS[station_id]


def fetch_remote(station_id: str) -> dict:
    url = f"https://api.tidesandcurrents.example/stations/{station_id}.json"
    with urllib.request.urlopen(url, timeout=15) as response:
        return json.load(response)
'''
TEST_PARSER = '''from pathlib import Path

from tidepool.parser import parse_file

FIXTURES = Path(__file__).parent / "fixtures"


def test_parses_sample():
    readings = parse_file(FIXTURES / "sample.csv")
    assert len(readings) == 4
    assert readings[0].kind == "H"
'''
SAMPLE_CSV = "Date,Day,Time,Pred,High/Low\n2026/02/01,Sun,03:12,1.84,H\n2026/02/01,Sun,09:40,0.21,L\n" \
    "2026/02/01,Sun,15:55,1.62,H\n2026/02/01,Sun,21:48,0.44,L\n"
CSV_2026 = "Date Time,Prediction,Type,Datum\n2026-02-01 03:12,1.84,H,MLLW ft\n2026-02-01 09:40,0.21,L,MLLW ft\n"
README = "# tidepool\n\nTide tables from NOAA station exports, in your terminal.\n\n## Install\n\n    pip install -e .\n"
PYPROJECT = '''[project]
name = "tidepool"
version = "0.3.0"
requires-python = ">=3.11"

[project.scripts]
tidepool = "tidepool.cli:main"
'''

# (commit index, path, edit): a str is appended (the file is created if new); a pair replaces text.
EDITS: tuple[tuple[int, str, str | tuple[str, str]], ...] = (
    (0, "README.md", README),
    (0, "pyproject.toml", PYPROJECT),
    (0, ".gitignore", "__pycache__/\n*.egg-info/\n.venv/\n"),
    (0, "src/tidepool/__init__.py", '__version__ = "0.3.0"\n'),
    (1, "src/tidepool/parser.py", PARSER),
    (1, "tests/test_parser.py", TEST_PARSER),
    (1, "tests/fixtures/sample.csv", SAMPLE_CSV),
    (2, ".beads/metadata.json", '{"database": "beads.db", "jsonl_export": "issues.jsonl"}\n'),
    (3, "src/tidepool/parser.py", ("from datetime import datetime\n", "from datetime import datetime\nfrom decimal import Decimal\n")),
    (3, "src/tidepool/parser.py", ("height_m: float", "height_m: Decimal")),
    (3, "src/tidepool/parser.py", ('float(row["Pred"])', 'Decimal(row["Pred"])')),
    (4, "src/tidepool/stations.py", STATIONS),
    (5, "tests/test_parser.py", "\n\ndef test_bom_and_blank_rows(tmp_path):\n    f = tmp_path / \"bom.csv\"\n"
        "    f.write_text(\"\\ufeff\" + (FIXTURES / \"sample.csv\").read_text() + \",,,,\\n\")\n"
        "    assert len(parse_file(f)) == 4\n"),
    (6, "src/tidepool/report.py", REPORT),
    (6, "tests/test_report.py", "from tidepool.report import MARKS\n\n\ndef test_marks_high_and_low():\n"
        "    assert set(MARKS) == {\"H\", \"L\"}\n"),
    (7, "src/tidepool/report.py", ("lines = [station]", "lines = [station.replace(\"[\", \"\\\\[\")]")),
    (8, "src/tidepool/cli.py", CLI),
    (8, "src/tidepool/cli.py", ('parser.add_argument("csv", type=Path)\n',
                                'parser.add_argument("csv", type=Path)\n    parser.add_argument("--days", type=int, default=1)\n')),
    (9, "src/tidepool/report.py", ("readings[i + 1:]", "readings[i:]")),
    (11, "README.md", "\n## Usage\n\n    tidepool station-export.csv --days 3\n"),
    (12, "tests/test_stations.py", "from tidepool.stations import fetch_remote, name_of\n\n\n"
         "def test_name_of():\n    assert name_of(\"9414290\") == \"San Francisco\"\n\n\n"
         "def test_lookup_remote():\n    assert fetch_remote(\"9414290\")[\"id\"] == \"9414290\"\n\n\n"
         "def test_station_metadata_remote():\n    assert \"name\" in fetch_remote(\"9410170\")\n"),
    (13, "src/tidepool/parser.py", ("def _row(", "def _is_2026(header: list[str]) -> bool:\n"
                                    "    return \"Date Time\" in header\n\n\ndef _row(")),
    (14, "tests/fixtures/noaa_2026.csv", CSV_2026),
)

def gates_toml(python: str) -> str:
    """The demo's gates: its tests (failing: one test calls the network), a compile check, a TODO check,
    and the two ao verdicts. `python` is the interpreter cockpit runs under, which has pytest."""
    exe = shlex.quote(python).replace("\\", "\\\\").replace('"', '\\"')
    return f'''# Gates for cockpit (factor IV). `r` reruns the selected one, `R` all of them.
[gates.tests]
command = "{exe} -m pytest -q -p no:cacheprovider tests"
required = true
timeout = 120

[gates.compile]
command = "{exe} -m compileall -q src"
auto = true
timeout = 60

[gates.no-todo]
command = "! git grep -n TODO -- src"
timeout = 30

[gates.pre-mortem]
kind = "verdict"

[gates.vibe]
kind = "verdict"
required = true
'''


PYTEST_PATHS = "\n[tool.pytest.ini_options]\npythonpath = [\"src\"]\n"

PRE_MORTEM = """---
id: council-pre-mortem-2026-layout
type: council
date: '{date}'
epic: tp-7kq (Support the 2026 NOAA CSV layout)
---
# Pre-mortem: 2026 NOAA CSV layout

## Council Verdict: PASS

| Judge | Verdict | Key Finding |
|-------|---------|-------------|
| Missing-Requirements | PASS | Datum column handling is scoped in tp-7kq.2 |
| Feasibility | PASS | Header sniffing keeps the old layout working |
"""

VIBE = """---
id: council-vibe-parser-2026
type: council
date: '{date}'
---
# Vibe Report: parser accepts the 2026 header

## Council Verdict: WARN

### Judge 1 (Correctness)
**Verdict:** WARN
The 2026 header is detected but `_row` still reads the old column names.
"""


def write_agents_files(repo: Path, now: datetime) -> None:
    """ao council reports: a pre-mortem older than the last commits (stale) and a recent vibe (WARN).
    They are excluded from git like a local ao checkout would keep them."""
    council = repo / ".agents" / "council"
    council.mkdir(parents=True, exist_ok=True)
    for hours, name, body in ((46.0, "pre-mortem-2026-layout", PRE_MORTEM), (1.0, "vibe-parser-2026", VIBE)):
        when = now - timedelta(hours=hours)
        path = council / f"{when:%Y-%m-%d}-{name}.md"
        path.write_text(body.format(date=f"{when:%Y-%m-%d}"), encoding="utf-8")
        os.utime(path, (when.timestamp(), when.timestamp()))
    with (repo / ".git" / "info" / "exclude").open("a", encoding="utf-8") as handle:
        handle.write(".agents/\n")


# Uncommitted work in progress, left in the working tree.
DIRTY = ("src/tidepool/parser.py", "\n\n# TODO(datum): keep the Datum column of the 2026 layout\n")


def _issue(now: datetime, iid: str, title: str, status: str, priority: int, kind: str, hours: float,
           **extra: Any) -> dict[str, Any]:
    created = (now - timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    issue: dict[str, Any] = {"id": iid, "title": title, "description": extra.pop("description", ""),
                             "status": status, "priority": priority, "issue_type": kind,
                             "created_at": created, "created_by": "mara", "updated_at": created}
    if status == "closed":
        issue["closed_at"] = (now - timedelta(hours=46.2)).strftime("%Y-%m-%dT%H:%M:%SZ")
        issue["updated_at"] = issue["closed_at"]
        issue["close_reason"] = extra.pop("close_reason", "Done")
    deps = [{"issue_id": iid, "depends_on_id": target, "type": dtype, "created_at": created,
             "created_by": "mara", "metadata": "{}"} for dtype, target in extra.pop("deps", [])]
    if deps:
        issue["dependencies"] = deps
    issue.update(extra)
    issue.update(dependency_count=len(deps), dependent_count=0, comment_count=0)
    return issue


def beads_issues(now: datetime, final: bool) -> str:
    """`.beads/issues.jsonl` (Dolt-era export shape): five issues at first, nine later."""
    done = "closed" if final else "open"
    issues = [
        _issue(now, "tp-2m9", "Station names with brackets render as markup", done, 1, "bug", 95,
               labels=["report"], close_reason="Names are escaped before printing (66a1f0e)"),
        _issue(now, "tp-c4e", "Decimal heights drift in report totals", done, 2, "bug", 95, labels=["parser"]),
        _issue(now, "tp-5xr", "Test suite takes ~40 s", "open", 2, "task", 94, labels=["tests"]),
        _issue(now, "tp-9fd", "CSV export of tide tables", "open", 3, "feature", 94),
        _issue(now, "tp-h2w", "Document the --days option", "open", 4, "chore", 93, assignee="dev"),
    ]
    if final:
        epic = "tp-7kq"
        issues += [
            _issue(now, epic, "Support the 2026 NOAA CSV layout", "open", 1, "epic", 46,
                   description="NOAA moved the header and added a Datum column in its 2026 exports."),
            _issue(now, f"{epic}.1", "Parse the 2026 header and Datum column", "in_progress", 1, "task", 46,
                   assignee="claude", parent=epic, deps=[("parent-child", epic)]),
            _issue(now, f"{epic}.2", "Show the datum in the report header", "open", 2, "task", 46,
                   parent=epic, deps=[("parent-child", epic), ("blocks", f"{epic}.1")]),
            _issue(now, f"{epic}.3", "Fixture in the 2026 layout", "closed", 2, "task", 46,
                   parent=epic, deps=[("parent-child", epic)], close_reason="tests/fixtures/noaa_2026.csv"),
        ]
    return "".join(json.dumps(i, separators=(",", ":")) + "\n" for i in issues)


def _git(repo: Path, *args: str, when: datetime | None = None, author: int = 0) -> str:
    name, email = AUTHORS[author]
    env = dict(os.environ, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1", GIT_TERMINAL_PROMPT="0",
               GIT_AUTHOR_NAME=name, GIT_AUTHOR_EMAIL=email, GIT_COMMITTER_NAME=name, GIT_COMMITTER_EMAIL=email)
    if when is not None:
        stamp = f"{int(when.timestamp())} +0000"
        env.update(GIT_AUTHOR_DATE=stamp, GIT_COMMITTER_DATE=stamp)
    done = run_git(repo, "-c", "commit.gpgsign=false", "-c", "core.hooksPath=/dev/null", *args, env=env)
    if not done.ok:
        raise RuntimeError(f"git {' '.join(args)} failed in {repo}: {done.error}")
    return done.text


def _apply(repo: Path, rel: str, edit: str | tuple[str, str]) -> None:
    path = repo / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(edit, str):
        with path.open("a", encoding="utf-8") as handle:
            handle.write(edit)
        return
    old, new = edit
    text = path.read_text(encoding="utf-8")
    if old not in text:
        raise ValueError(f"demo repo edit does not apply to {rel}: {old!r}")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def build_repo(repo: Path, now: datetime, python: str = sys.executable) -> tuple[str, str]:
    """Create the repo with its history ending shortly before `now`. Returns (branch, HEAD commit)."""
    if shutil.which("git") is None:
        raise RuntimeError("the demo workspace needs the git command line tool")
    repo.mkdir(parents=True, exist_ok=True)
    _git(repo, "init", "-q", "-b", "main")
    for index, (hours, author, message) in enumerate(COMMITS):
        if index == BRANCH_AT:
            _git(repo, "checkout", "-q", "-b", BRANCH)
        for _, rel, edit in (e for e in EDITS if e[0] == index):
            _apply(repo, rel, edit)
        if index == 1:
            _apply(repo, "pyproject.toml", PYTEST_PATHS)
            _apply(repo, "cockpit.toml", gates_toml(python))
        if index in (2, 10):
            (repo / ".beads").mkdir(exist_ok=True)
            (repo / ".beads" / "issues.jsonl").write_text(beads_issues(now, index == 10), encoding="utf-8")
        _git(repo, "add", "-A")
        _git(repo, "commit", "-q", "-m", message, when=now - timedelta(hours=hours), author=author)
    _apply(repo, *DIRTY)
    write_agents_files(repo, now)
    return BRANCH, _git(repo, "rev-parse", "HEAD")
