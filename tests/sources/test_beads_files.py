"""Beads: parsing the three file shapes, and `bd ready` / blocked recomputed exactly per spec §3.3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from cockpit.core.beads import (
    EXCLUDED_READY_TYPES,
    Issue,
    Queue,
    Skip,
    compute_queue,
    parse_issue_line,
)
from cockpit.sources.beads_files import beads_key, find_beads, load_queue, parse_lines, read_beads, read_issue

REAL_EXPORT = Path(__file__).resolve().parents[1] / "data" / "beads" / "beads-dolt-export.jsonl"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIVE = {"open", "in_progress", "blocked", "deferred", "hooked"}


def issue(issue_id: str, **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"id": issue_id, "title": issue_id, "status": "open", "priority": 2,
                            "issue_type": "task", "created_at": "2026-02-01T00:00:00Z"}
    base.update(fields)
    return base


def dep(target: str, kind: str = "blocks", **extra: Any) -> dict[str, Any]:
    return {"depends_on_id": target, "type": kind, **extra}


def queue(*objs: dict[str, Any], now: datetime = NOW) -> Queue:
    parsed = [parse_issue_line(o) for o in objs]
    return compute_queue([p for p in parsed if isinstance(p, Issue)], now)


def blocked_map(q: Queue) -> dict[str, tuple[str, ...]]:
    return {b.id: b.blocked_by for b in q.blocked}


def write_jsonl(path: Path, objs: list[Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(o) + "\n" for o in objs), encoding="utf-8")
    return path


# --- the real 704-issue Dolt-era export -------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[dict[str, Any]], Any, Queue]:
    root = tmp_path_factory.mktemp("real")
    target = root / ".beads" / "issues.jsonl"
    target.parent.mkdir()
    shutil.copyfile(REAL_EXPORT, target)
    raw = [json.loads(line) for line in REAL_EXPORT.read_text(encoding="utf-8").splitlines() if line.strip()]
    beads = read_beads(root)
    return raw, beads, compute_queue(beads.issues, NOW)


def test_real_export_is_read_whole_with_counts_by_status(real):
    raw, beads, q = real
    assert beads.layout == "export" and beads.skipped_total == 0 and len(beads.issues) == len(raw) == 704
    assert dict(q.counts) == dict(Counter(o["status"] for o in raw))
    assert q.counts["closed"] == 403 and q.counts["open"] == 291 and q.counts["hooked"] == 4


def test_real_export_ready_issues_are_open_unblocked_and_not_excluded(real):
    raw, _, q = real
    by_id = {o["id"]: o for o in raw}
    assert len(q.ready) == 13  # the spec's own recomputation on this file (§3.5)
    for rid in q.ready:
        o = by_id[rid]
        assert o["status"] == "open" and not o.get("ephemeral") and not o.get("pinned")
        assert o["issue_type"] not in EXCLUDED_READY_TYPES
        for d in o.get("dependencies") or []:
            target = by_id.get(d["depends_on_id"])
            if d["type"] in ("blocks", "conditional-blocks") and target is not None:
                assert target["status"] in ("closed", "pinned"), (rid, d)
            if d["type"] == "parent-child":
                assert d["depends_on_id"] not in blocked_map(q)


def test_real_export_ready_order_is_priority_then_newest_then_id(real):
    raw, _, q = real
    by_id = {o["id"]: o for o in raw}
    stamps = [(by_id[i]["priority"], -datetime.fromisoformat(by_id[i]["created_at"]).timestamp(), i) for i in q.ready]
    assert stamps == sorted(stamps)


def test_real_export_blocked_and_in_progress_are_consistent(real):
    raw, _, q = real
    by_id = {o["id"]: o for o in raw}
    assert set(q.in_progress) == {o["id"] for o in raw if o["status"] == "in_progress"}
    assert q.blocked and not set(blocked_map(q)) & set(q.ready)
    for b in q.blocked:
        assert by_id[b.id]["status"] in LIVE and b.blocked_by
        assert all(by_id[x]["status"] not in ("closed", "pinned") for x in b.blocked_by)


# --- parsing the three shapes -----------------------------------------------------------------------


def test_pre_dolt_line_with_int_comment_id_and_offset_times():
    line = issue("bd-03z45", status="closed", created_at="2026-01-11T18:14:20.034175-08:00",
                 closed_at="2026-01-11T18:17:39.763095-08:00",
                 comments=[{"id": 1, "issue_id": "bd-03z45", "author": "giles", "text": "hi",
                            "created_at": "2026-01-12T02:16:51Z"}])
    parsed = parse_issue_line(line)
    assert isinstance(parsed, Issue)
    assert parsed.comments[0].id == "1" and parsed.created_at == datetime(2026, 1, 12, 2, 14, 20, 34175, tzinfo=UTC)


def test_dolt_lines_with_and_without_type_and_memory_lines_skipped():
    assert isinstance(parse_issue_line({"_type": "issue", **issue("a")}), Issue)
    assert isinstance(parse_issue_line(issue("a")), Issue)
    assert parse_issue_line({"_type": "memory", "key": "k", "value": "v"}) == Skip("memory")


def test_tombstones_are_skipped_and_do_not_block():
    assert parse_issue_line(issue("gone", status="tombstone", deleted_at="2026-01-01T00:00:00Z")) == Skip("tombstone")
    issues, skipped = parse_lines(b"\n".join(json.dumps(o).encode() for o in [
        issue("gone", status="tombstone"), issue("a", dependencies=[dep("gone")])]))
    assert skipped["tombstone"] == 1 and compute_queue(issues, NOW).ready == ("a",)


def test_unknown_fields_statuses_types_and_nanosecond_times_are_tolerated():
    parsed = parse_issue_line(issue("x", status="review", issue_type="rig-thing", future_field={"a": 1},
                                    created_at="2026-02-01T00:00:00.123456789Z", priority="P1"))
    assert isinstance(parsed, Issue) and parsed.status == "review" and parsed.priority == 1
    q = compute_queue([parsed], NOW)
    assert q.ready == () and q.counts == {"review": 1}


def test_not_an_issue_is_none():
    for obj in ([], "x", 3, None, {"title": "no id"}, {"id": 7}, {"id": ""}):
        assert parse_issue_line(obj) is None


def test_backup_table_dump_reads_flags_as_ints_and_dependencies_from_their_table(tmp_path):
    backup = tmp_path / ".beads" / "backup"
    write_jsonl(backup / "issues.jsonl", [
        issue("hq-1", pinned=0, ephemeral=0, is_template=0, metadata="{}", defer_until=None),
        issue("hq-2", pinned=0, ephemeral=0),
        issue("hq-3", pinned=0, ephemeral=1),
        issue("hq-4", pinned=1, ephemeral=0),
    ])
    write_jsonl(backup / "dependencies.jsonl", [
        {"issue_id": "hq-1", "depends_on_id": "hq-2", "type": "blocks", "created_at": "2026-02-01T00:00:00Z"},
        {"issue_id": "hq-2", "depends_on_id": "external:rig:x-1", "type": "tracks"},
        "junk",
    ])
    write_jsonl(backup / "labels.jsonl", [{"issue_id": "hq-2", "label": "human"}])
    write_jsonl(backup / "events.jsonl", [{"id": 1, "issue_id": "hq-1", "event_type": "created"}])
    beads = read_beads(tmp_path)
    assert beads.layout == "backup" and beads.skipped["invalid"] == 1
    q = compute_queue(beads.issues, NOW)
    assert q.ready == ("hq-2",) and blocked_map(q) == {"hq-1": ("hq-2",)}
    assert q.issues["hq-2"].labels == ("human",)


# --- §3.3 rules, one each ---------------------------------------------------------------------------


def test_rule_only_status_open_is_ready():
    statuses = ["open", "in_progress", "blocked", "deferred", "closed", "pinned", "hooked", "custom-wip"]
    q = queue(*(issue(s, status=s) for s in statuses))
    assert q.ready == ("open",) and q.in_progress == ("in_progress",)


def test_rule_pinned_flag_is_never_ready():
    assert queue(issue("a", pinned=True), issue("b", pinned=False)).ready == ("b",)


def test_rule_ephemeral_is_never_ready():
    assert queue(issue("wisp", ephemeral=True), issue("b")).ready == ("b",)


@pytest.mark.parametrize("kind", sorted(EXCLUDED_READY_TYPES))
def test_rule_excluded_types_are_never_ready(kind):
    assert queue(issue("x", issue_type=kind), issue("epic", issue_type="epic")).ready == ("epic",)


def test_rule_defer_until_in_the_future_hides_until_then():
    q = queue(issue("later", defer_until="2026-03-02T00:00:00Z"), issue("past", defer_until="2026-02-28T00:00:00Z"),
              issue("garbled", defer_until="soon"))
    assert set(q.ready) == {"past", "garbled"}
    assert "later" in queue(issue("later", defer_until="2026-03-02T00:00:00Z"),
                            now=datetime(2026, 3, 3, tzinfo=UTC)).ready


def test_rule_children_of_a_deferred_parent_are_not_ready():
    q = queue(issue("epic", issue_type="epic", defer_until="2026-04-01T00:00:00+02:00"),
              issue("child", dependencies=[dep("epic", "parent-child")]),
              issue("grandchild", dependencies=[dep("child", "parent-child")]))
    assert q.ready == ("grandchild",)  # bd looks one level down (getChildrenOfDeferredParentsInTx)


def test_rule_blocks_dependency_on_an_unfinished_issue_blocks():
    q = queue(issue("a", dependencies=[dep("open")]), issue("b", dependencies=[dep("wip")]),
              issue("c", dependencies=[dep("done")]), issue("d", dependencies=[dep("pin")]),
              issue("open"), issue("wip", status="in_progress"), issue("done", status="closed"),
              issue("pin", status="pinned"))
    assert blocked_map(q) == {"a": ("open",), "b": ("wip",)}
    assert set(q.ready) == {"c", "d", "open"}


def test_rule_conditional_blocks_blocks_like_blocks():
    q = queue(issue("a", dependencies=[dep("t", "conditional-blocks")]), issue("t"))
    assert blocked_map(q) == {"a": ("t",)} and q.ready == ("t",)


def test_rule_non_workflow_dependencies_never_block():
    kinds = ["related", "discovered-from", "tracks", "relates-to", "duplicates", "supersedes", "", "made-up"]
    q = queue(issue("a", dependencies=[dep("t", k) for k in kinds]), issue("t"))
    assert q.blocked == () and set(q.ready) == {"a", "t"}


def test_rule_open_epic_with_open_children_blocks_no_one():
    q = queue(issue("epic", issue_type="epic"), issue("child", dependencies=[dep("epic", "parent-child")]))
    assert q.blocked == () and set(q.ready) == {"epic", "child"}


def test_rule_blocked_parent_blocks_children_transitively():
    q = queue(issue("gate0"), issue("epic", issue_type="epic", dependencies=[dep("gate0")]),
              issue("child", dependencies=[dep("epic", "parent-child")]),
              issue("grandchild", dependencies=[dep("child", "parent-child")]),
              issue("closed-child", status="closed", dependencies=[dep("epic", "parent-child")]))
    assert blocked_map(q) == {"epic": ("gate0",), "child": ("epic",), "grandchild": ("child",)}
    assert q.ready == ("gate0",)


def test_rule_waits_for_gate_blocks_until_all_spawner_children_close():
    spawner = issue("spawner", issue_type="molecule")
    kids_open = [issue("k1", dependencies=[dep("spawner", "parent-child")]),
                 issue("k2", status="closed", dependencies=[dep("spawner", "parent-child")])]
    waiter = issue("waiter", dependencies=[dep("spawner", "waits-for", metadata='{"gate":"all-children"}')])
    assert blocked_map(queue(spawner, *kids_open, waiter)) == {"waiter": ("spawner",)}
    kids_done = [{**k, "status": "closed"} for k in kids_open]
    assert "waiter" in queue(spawner, *kids_done, waiter).ready


def test_rule_waits_for_any_children_passes_once_one_child_closed():
    kids = [issue("k1", dependencies=[dep("s", "parent-child")]),
            issue("k2", status="closed", dependencies=[dep("s", "parent-child")])]
    waiter = issue("waiter", dependencies=[dep("s", "waits-for", metadata='{"gate":"any-children"}')])
    assert "waiter" in queue(issue("s"), *kids, waiter).ready
    none_closed = [{**k, "status": "open"} for k in kids]
    assert "waiter" in blocked_map(queue(issue("s"), *none_closed, waiter))


def test_rule_waits_for_a_spawner_without_children_does_not_block():
    assert "w" in queue(issue("s"), issue("w", dependencies=[dep("s", "waits-for")])).ready


def test_rule_closed_and_pinned_issues_are_never_blocked():
    q = queue(issue("t"), issue("c", status="closed", dependencies=[dep("t")]),
              issue("p", status="pinned", dependencies=[dep("t")]))
    assert q.blocked == ()


def test_rule_blocked_list_includes_wisps_and_excluded_types_like_bd_blocked():
    q = queue(issue("t"), issue("w", ephemeral=True, dependencies=[dep("t")]),
              issue("m", issue_type="message", dependencies=[dep("t")]))
    assert set(blocked_map(q)) == {"w", "m"}


def test_rule_sort_is_priority_then_newest_then_id_across_time_zones():
    q = queue(issue("p2-old", created_at="2026-01-01T00:00:00Z"),
              issue("p2-new", created_at="2026-01-01T00:30:00+01:00"),  # 23:30Z the day before: older
              issue("p2-newest", created_at="2026-01-02T00:00:00Z"),
              issue("p1", priority=1, created_at="2025-01-01T00:00:00Z"),
              issue("b-tie", created_at="2026-01-02T00:00:00Z"), issue("p0", priority=0),
              issue("undated", created_at=None))
    assert q.ready == ("p0", "p1", "b-tie", "p2-newest", "p2-old", "p2-new", "undated")


def test_rule_in_progress_uses_the_same_order():
    q = queue(issue("b", status="in_progress"), issue("a", status="in_progress", priority=0))
    assert q.in_progress == ("a", "b")


# --- bad input --------------------------------------------------------------------------------------


def test_junk_lines_are_counted_not_raised(tmp_path):
    path = tmp_path / ".beads" / "issues.jsonl"
    path.parent.mkdir()
    path.write_bytes(b'{"id":"a","status":"open"}\nnot json\n[1,2]\n{"no":"id"}\n\xff\xfe\n' + b"[" * 100_000
                     + b'\n{"_type":"memory","k":1}\n\n{"id":"b"}\n')
    beads = read_beads(tmp_path)
    assert [i.id for i in beads.issues] == ["a", "b"]
    assert beads.skipped == {"invalid": 5, "partial": 0, "memory": 1, "tombstone": 0}


def test_dependency_cycles_terminate_and_block_everyone_in_them():
    q = queue(issue("a", dependencies=[dep("b")]), issue("b", dependencies=[dep("a")]),
              issue("self", dependencies=[dep("self")]))
    assert blocked_map(q) == {"a": ("b",), "b": ("a",), "self": ("self",)} and q.ready == ()


def test_parent_child_cycle_is_blocked_only_if_something_real_blocks_it():
    ring = [issue("x", dependencies=[dep("y", "parent-child")]), issue("y", dependencies=[dep("x", "parent-child")])]
    assert queue(*ring).blocked == ()
    q = queue(*ring, issue("z", dependencies=[dep("x", "parent-child"), dep("t")]), issue("t"),
              issue("x2", dependencies=[dep("z", "parent-child")]))
    assert set(blocked_map(q)) == {"z", "x2"}


def test_dependency_on_a_missing_issue_blocks_nothing():
    # bd joins the target row, so a dangling or external id blocks nothing (the real export has 30 of them).
    q = queue(issue("a", dependencies=[dep("nowhere"), dep("external:rig:x-1"), dep("ghost", "parent-child"),
                                       dep("ghost2", "waits-for")]))
    assert q.ready == ("a",) and q.blocked == ()


def test_duplicate_ids_keep_the_later_line():
    q = queue(issue("a", status="open"), issue("a", status="closed"))
    assert q.counts == {"closed": 1} and q.ready == ()


def test_ten_thousand_issues_with_a_deep_chain_compute_linearly():
    objs = [issue("root", status="open")]
    objs += [issue(f"n{i}", dependencies=[dep("root" if i == 0 else f"n{i - 1}", "parent-child")])
             for i in range(5000)]
    objs += [issue(f"b{i}", priority=i % 5, created_at=f"2026-01-{1 + i % 28:02d}T00:00:00Z",
                   dependencies=[dep(f"b{i + 1}")] if i < 4998 else []) for i in range(4999)]
    objs[0]["dependencies"] = [dep("b4998")]
    q = queue(*objs)
    assert len(q.blocked) == 5001 + 4998 and q.ready == ("b4998",)
    assert blocked_map(q)["n4999"] == ("n4998",)


def test_a_torn_last_line_of_a_file_being_rewritten_is_skipped(tmp_path):
    path = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue("a"), issue("b")])
    whole = path.read_bytes()
    path.write_bytes(whole[:-10])
    beads = read_beads(tmp_path)
    assert [i.id for i in beads.issues] == ["a"] and beads.skipped["partial"] == 1
    path.write_bytes(whole.rstrip(b"\n"))  # a complete final object without its newline is kept
    assert [i.id for i in read_beads(tmp_path).issues] == ["a", "b"]


def test_reading_while_another_process_rewrites_the_file_never_raises(tmp_path):
    path = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue(f"i{n}") for n in range(300)])
    payload = path.read_bytes()
    stop = threading.Event()

    def rewrite() -> None:
        while not stop.is_set():
            with open(path, "wb") as fh:  # truncate and rewrite in place, in chunks, like a naive exporter
                for start in range(0, len(payload), 4096):
                    fh.write(payload[start:start + 4096])
                    fh.flush()

    writer = threading.Thread(target=rewrite, daemon=True)
    writer.start()
    try:
        seen = [read_beads(tmp_path) for _ in range(200)]
    finally:
        stop.set()
        writer.join(timeout=5)
    for beads in seen:
        assert beads.error is None and len(beads.issues) <= 300 and beads.skipped["invalid"] == 0
        assert [i.id for i in beads.issues] == [f"i{n}" for n in range(len(beads.issues))]


# --- finding the file -------------------------------------------------------------------------------


def test_find_walks_up_to_the_repository_root_and_no_further(tmp_path):
    outer = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue("outer")])
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "src" / "pkg").mkdir(parents=True)
    assert find_beads(repo / "src" / "pkg") is None
    inner = write_jsonl(repo / ".beads" / "issues.jsonl", [issue("inner")])
    assert find_beads(repo / "src" / "pkg") == (inner.resolve(), "export")
    (tmp_path / "notes").mkdir()
    assert find_beads(tmp_path / "notes") == (outer.resolve(), "export")


def test_find_prefers_the_newer_of_export_and_backup(tmp_path):
    export = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue("old")])
    backup = write_jsonl(tmp_path / ".beads" / "backup" / "issues.jsonl", [issue("new")])
    os.utime(export, (1_000_000, 1_000_000))
    assert find_beads(tmp_path) == (backup.resolve(), "backup")
    os.utime(backup, (900_000, 900_000))
    assert find_beads(tmp_path) == (export.resolve(), "export")


def test_no_beads_is_a_clear_state_not_an_error(tmp_path):
    (tmp_path / ".git").mkdir()
    assert read_beads(tmp_path).layout == "missing" and read_beads(tmp_path).error is None
    (tmp_path / ".beads").mkdir()
    assert "no issues.jsonl" in (read_beads(tmp_path).error or "")


# --- the command ------------------------------------------------------------------------------------


def _cockpit(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    return subprocess.run([sys.executable, "-m", "cockpit", *args], capture_output=True, text=True, timeout=60,
                          cwd=cwd, env=env)


def test_cli_issues_json(tmp_path):
    write_jsonl(tmp_path / ".beads" / "issues.jsonl", [
        issue("a", priority=1), issue("b", dependencies=[dep("a")]), issue("c", status="in_progress"),
        {"_type": "memory", "k": "v"}])
    with open(tmp_path / ".beads" / "issues.jsonl", "a", encoding="utf-8") as fh:
        fh.write("junk\n")
    proc = _cockpit("issues", "--json", "--repo", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert [i["id"] for i in out["ready"]] == ["a"] and [i["id"] for i in out["in_progress"]] == ["c"]
    assert [(i["id"], i["blocked_by"]) for i in out["blocked"]] == [("b", ["a"])]
    assert out["counts"] == {"open": 2, "in_progress": 1}
    assert out["skipped_lines"] == {"invalid": 1, "partial": 0, "memory": 1, "tombstone": 0}
    assert out["source"] == str((tmp_path / ".beads" / "issues.jsonl").resolve())


def test_cli_issues_text_shows_control_sequences_inert(tmp_path):
    write_jsonl(tmp_path / ".beads" / "issues.jsonl", [
        issue("a", priority=0, title="evil \x1b]52;c;aGk=\x07title\x1b[31m red"),
        issue("b", status="in_progress", assignee="bob\x1b[2J"),
        issue("c", dependencies=[dep("a")])])
    proc = _cockpit("issues", "--repo", str(tmp_path), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "\x1b" not in proc.stdout and "evil \\x1b]52;c;aGk=\\x07title\\x1b[31m red" in proc.stdout
    text = proc.stdout
    assert text.index("Ready (1)") < text.index("P0 task") < text.index("In progress (1)") < text.index("@bob")
    assert text.index("Blocked (1)") < text.index("<- a")


# --- at scale: linear, summaries, reading again only on change ---------------------------------------


def _shallow_stack(extra: int = 60) -> int:
    """A recursion limit just above the current depth: any recursion over 10k issues would hit it."""
    depth, frame = 0, sys._getframe()
    while frame is not None:
        depth, frame = depth + 1, frame.f_back
    return depth + extra


def queue_on_a_shallow_stack(objs: list[dict]) -> Queue:
    """The queue of `objs`, computed with the recursion limit just above the current depth: any
    recursion per dependency would raise."""
    parsed = [parse_issue_line(o) for o in objs]
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(_shallow_stack())
    try:
        return compute_queue([p for p in parsed if isinstance(p, Issue)], NOW)
    finally:
        sys.setrecursionlimit(limit)


def test_a_ten_thousand_long_chain_of_each_kind_is_computed_without_recursion():
    objs = [issue("b0", status="in_progress")]
    objs += [issue(f"b{i}", dependencies=[dep(f"b{i - 1}")]) for i in range(1, 10_000)]
    objs += [issue("p0", dependencies=[dep("b0")])]
    objs += [issue(f"p{i}", dependencies=[dep(f"p{i - 1}", "parent-child")]) for i in range(1, 10_000)]
    q = queue_on_a_shallow_stack(objs)
    blocked = blocked_map(q)
    assert len(blocked) == 9_999 + 10_000 and q.ready == () and q.cycles == ()
    assert blocked["b9999"] == ("b9998",) and blocked["p0"] == ("b0",) and blocked["p9999"] == ("p9998",)


def test_a_cycle_is_reported_once_not_walked_forever():
    ring = [issue(f"r{i}", dependencies=[dep(f"r{(i + 1) % 10_000}")]) for i in range(10_000)]
    q = queue_on_a_shallow_stack(ring)
    assert len(q.blocked) == 10_000 and q.cycles == (tuple(sorted(f"r{i}" for i in range(10_000))),)
    # An epic that waits on its own child: each blocks the other, a loop through a `blocks` edge.
    q = queue(issue("epic", issue_type="epic", dependencies=[dep("kid")]),
              issue("kid", dependencies=[dep("epic", "parent-child")]), issue("free"))
    assert q.cycles == (("epic", "kid"),) and q.ready == ("free",)
    assert q.to_json()["cycles"] == [["epic", "kid"]]
    # A ring of parent-child edges alone blocks no one and is not a cycle to report; nor is a closed loop.
    assert queue(issue("x", dependencies=[dep("y", "parent-child")]),
                 issue("y", dependencies=[dep("x", "parent-child")])).cycles == ()
    assert queue(issue("c1", status="closed", dependencies=[dep("c2")]),
                 issue("c2", status="closed", dependencies=[dep("c1")])).cycles == ()


def test_summaries_give_the_same_queue_and_fields_as_whole_issues(real, tmp_path):
    _, beads, q = real
    summary = read_beads(beads.path.parents[1], summary=True)
    assert summary.skipped == beads.skipped and len(summary.issues) == len(beads.issues)
    kept = ("id", "title", "status", "priority", "issue_type", "assignee", "created_at", "defer_until", "pinned",
            "ephemeral", "is_template", "parent", "closed_by_session", "labels", "offset")
    for lean, whole in zip(summary.issues, beads.issues, strict=True):
        assert lean.summary and not whole.summary
        assert [getattr(lean, f) for f in kept] == [getattr(whole, f) for f in kept]
        assert [(d.issue_id, d.depends_on_id, d.type, d.gate) for d in lean.dependencies] == \
            [(d.issue_id, d.depends_on_id, d.type, d.gate) for d in whole.dependencies]
        assert lean.description == "" and lean.comments == () and lean.closed_at is None
    lean_q = compute_queue(summary.issues, NOW)
    assert lean_q.to_json() == q.to_json()


def test_read_issue_gives_the_whole_issue_back_from_its_offset(tmp_path):
    path = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [
        issue("a", description="alpha story", comments=[{"id": 1, "author": "ann", "text": "hi",
                                                          "created_at": "2026-02-01T00:00:00Z"}]),
        issue("b", description="béta story", notes="n", closed_at="2026-02-02T00:00:00Z", status="closed")])
    whole = {i.id: i for i in read_beads(tmp_path).issues}
    lean = {i.id: i for i in read_beads(tmp_path, summary=True).issues}
    for issue_id in ("a", "b"):
        assert read_issue(path, lean[issue_id]) == whole[issue_id]
    assert read_issue(path, lean["b"]).description == "béta story" and lean["b"].offset > 0
    # The file changed under the summary: another issue sits at its offset now, so the summary comes back.
    write_jsonl(path, [issue("zzz-long-enough-to-move-b", description="x" * 50), issue("b")])
    assert read_issue(path, lean["a"]) == lean["a"]
    path.unlink()
    assert read_issue(path, lean["b"]) == lean["b"]


def test_beads_key_changes_with_the_file_and_only_then(tmp_path):
    path = write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue("a")])
    first = beads_key(tmp_path)
    assert beads_key(tmp_path) == first == read_beads(tmp_path).key
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(issue("b")) + "\n")
    appended = beads_key(tmp_path)
    assert appended != first
    os.utime(path, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    touched = beads_key(tmp_path)
    assert touched != appended
    replacement = path.with_name("issues.jsonl.new")
    replacement.write_bytes(path.read_bytes())
    os.utime(replacement, ns=(1_000_000_000_000_000_000, 1_000_000_000_000_000_000))
    os.replace(replacement, path)  # same bytes, same mtime, another inode: an export written by rename
    assert beads_key(tmp_path) != touched
    path.unlink()
    assert beads_key(tmp_path) == ("missing", True)


def test_a_backup_side_table_changing_changes_the_key(tmp_path):
    issues = write_jsonl(tmp_path / ".beads" / "backup" / "issues.jsonl", [issue("a"), issue("b")])
    before = beads_key(tmp_path)
    write_jsonl(issues.parent / "dependencies.jsonl", [{"issue_id": "b", "depends_on_id": "a", "type": "blocks"}])
    assert beads_key(tmp_path) != before
    beads, q = load_queue(tmp_path, NOW)
    assert beads.layout == "backup" and blocked_map(q) == {"b": ("a",)}


def test_reading_leaves_the_garbage_collector_as_it_was(tmp_path):
    import gc

    write_jsonl(tmp_path / ".beads" / "issues.jsonl", [issue(f"i{n}") for n in range(50)])
    assert gc.isenabled()
    load_queue(tmp_path, NOW)
    assert gc.isenabled()
    gc.disable()
    try:
        read_beads(tmp_path)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_lines_orjson_refuses_are_read_as_the_standard_library_reads_them(tmp_path):
    path = tmp_path / ".beads" / "issues.jsonl"
    path.parent.mkdir()
    path.write_bytes(b'\xef\xbb\xbf{"id":"bom","title":"first line after a BOM"}\r\n'
                     b'{"id":"bad-utf8","title":"caf\xe9"}\n'
                     b'{"id":"surrogate","title":"\\ud800"}\n'
                     b'{"id":"nan","priority":NaN}\n')
    beads = read_beads(tmp_path)
    assert [i.id for i in beads.issues] == ["bom", "bad-utf8", "surrogate", "nan"] and beads.skipped_total == 0
    titles = {i.id: i.title for i in beads.issues}
    assert titles["bad-utf8"] == "caf\ufffd" and titles["surrogate"] == "\ud800"
    assert [i.offset for i in beads.issues][:2] == [0, path.read_bytes().index(b'{"id":"bad-utf8"')]
    lean = read_beads(tmp_path, summary=True).issues
    assert [read_issue(path, i) for i in lean] == list(beads.issues)
