"""A stand-in for beads' `bd` (1.0.5), written onto a PATH by the tests that need one.

It answers the two commands cockpit runs as the real bd does (cmd/bd/export.go, cmd/bd/ready.go):
`bd export [--all] -o FILE` writes one JSON object per issue, each line starting `{"_type":"issue"`,
to FILE by a temporary file and a rename, and says "Exported N issues to FILE" on stderr (the ephemeral
wisps only with --all); `bd ready --json [--limit N]` prints a JSON array, or `{"schema_version": 1,
"data": [...]}` when BD_JSON_ENVELOPE=1. Its "Dolt database" is the chunk journal of
`.beads/embeddeddolt/beads/.dolt/noms/`, one issue per line: a test writes an issue by appending there,
which changes the journal as a Dolt write does.

FAKE_BD_MODE makes it fail as a real one can: `fail` (exit 1 with bd's error), `garbage` (an export that is
not JSON lines), `nofile` (exit 0 without writing), `hang` (never answers; a child it started holds its
stderr, as a Dolt server bd starts would). FAKE_BD_LOG names a file where each run appends its arguments,
working directory and PATH.
"""

from __future__ import annotations

import sys
from pathlib import Path

JOURNAL = "v" * 32

SCRIPT = r'''
import json, os, subprocess, sys, time
from pathlib import Path

log = os.environ.get("FAKE_BD_LOG")
if log:
    with open(log, "a") as fh:
        fh.write(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd(), "path": os.environ.get("PATH", ""),
                             "exe": sys.argv[0]}) + "\n")
mode = os.environ.get("FAKE_BD_MODE", "")
if mode == "hang":
    child = subprocess.Popen(["sleep", "300"])
    pids = os.environ.get("FAKE_BD_PIDS")
    if pids:
        Path(pids).write_text(f"{os.getpid()} {child.pid}")
    time.sleep(300)
if mode == "fail":
    sys.stderr.write("Error: no beads database found\nHint: run 'bd init' to create a database\n")
    sys.exit(1)

folder = Path.cwd()
while not (folder / ".beads").is_dir() and folder.parent != folder:
    folder = folder.parent
journal = folder / ".beads" / "embeddeddolt" / "beads" / ".dolt" / "noms" / ("v" * 32)
issues = [json.loads(line) for line in journal.read_text().splitlines() if line.strip()] if journal.exists() else []
args = sys.argv[1:]
if args[:1] == ["export"]:
    everything = "--all" in args
    rows = [i for i in issues if everything or not i.get("ephemeral")]
    if mode == "nofile":
        sys.exit(0)
    out = Path(args[args.index("-o") + 1])
    data = "".join(json.dumps({"_type": "issue", **i}) + "\n" for i in rows).encode()
    if mode == "garbage":
        data = b"\xff\xfe not json at all\n" + data[: len(data) // 2]
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, out)
    sys.stderr.write(f"Exported {len(rows)} issues to {out}\n")
elif args[:1] == ["ready"]:
    by_id = {i["id"]: i for i in issues}
    def blocked(i):
        return any(d.get("type") == "blocks" and by_id.get(d["depends_on_id"], {}).get("status") != "closed"
                   for d in i.get("dependencies", []))
    ready = [{"id": i["id"], "title": i["title"], "status": i["status"]} for i in issues
             if i["status"] == "open" and not i.get("ephemeral") and not blocked(i)]
    payload = {"schema_version": 1, "data": ready} if os.environ.get("BD_JSON_ENVELOPE") == "1" else ready
    print(json.dumps(payload, indent=2))
else:
    sys.stderr.write(f'Error: unknown command "{args[0] if args else ""}" for "bd"\n')
    sys.exit(1)
'''


def install(folder: Path) -> Path:
    """The fake `bd` in `folder` (created), run by this Python; returns the folder, for PATH."""
    folder.mkdir(parents=True, exist_ok=True)
    exe = folder / "bd"
    exe.write_text(f"#!{sys.executable}\n{SCRIPT}")
    exe.chmod(0o755)
    return folder


def dolt_repo(repo: Path) -> Path:
    """A repository laid out as `bd init` (embedded Dolt, 1.0.5) leaves it: `.beads/` with its settings and
    one database under embeddeddolt/, and no issues.jsonl. Returns the journal that holds the issues."""
    beads = repo / ".beads"
    noms = beads / "embeddeddolt" / "beads" / ".dolt" / "noms"
    noms.mkdir(parents=True)
    (repo / ".git").mkdir(exist_ok=True)
    (beads / "metadata.json").write_text('{"database": "dolt", "backend": "dolt", "dolt_database": "beads"}\n')
    (beads / "config.yaml").write_text("issue-prefix: tp\n")
    (noms / "manifest").write_text("5:__DOLT__:0000:0000:0\n")
    journal = noms / JOURNAL
    journal.write_text("")
    return journal
