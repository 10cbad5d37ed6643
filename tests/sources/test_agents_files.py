"""Council reports under `.agents/council/`: the newest by the date in its name, its verdict and tree, its hash."""

from __future__ import annotations

import os
from pathlib import Path

from cockpit.sources.agents_files import find_report, list_reports, read_report


def write_report(root: Path, name: str, body: str, mtime: float) -> Path:
    council = root / ".agents" / "council"
    council.mkdir(parents=True, exist_ok=True)
    path = council / name
    path.write_text(body)
    os.utime(path, (mtime, mtime))
    return path


def test_the_newest_report_by_the_date_in_its_name_is_chosen(tmp_path: Path) -> None:
    # File times run the other way, so only the name can put the right one last.
    write_report(tmp_path, "20260214T120000Z-vibe-old.md", "## Council Verdict: FAIL\n", 3000)
    write_report(tmp_path, "2026-02-16-vibe-newest.md", "## Council Verdict: PASS\n", 1000)
    write_report(tmp_path, "2026-02-15-vibe-middle.md", "## Council Verdict: WARN\n", 2000)
    found = find_report(tmp_path, "vibe")
    assert found is not None
    assert (found.path, found.verdict, found.tree, found.mtime) == (
        ".agents/council/2026-02-16-vibe-newest.md", "PASS", "", 1000.0)


def test_the_tree_recorded_in_the_frontmatter_is_read(tmp_path: Path) -> None:
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md",
                 "---\nid: council-x\ntree: 0123abcd\n---\n## Verdict\n\n`WARN`\n", 1000)
    found = find_report(tmp_path, "pre-mortem")
    assert found is not None and found.tree == "0123abcd" and found.verdict == "WARN"


def test_a_post_mortem_is_not_a_pre_mortem(tmp_path: Path) -> None:
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md", "## Council Verdict: PASS\n", 1000)
    write_report(tmp_path, "2026-02-20-post-mortem-x.md", "## Council Verdict: FAIL\n", 2000)
    (tmp_path / ".agents" / "council" / "2026-02-21-pre-mortem-dir.md").mkdir()
    found = find_report(tmp_path, "pre-mortem")
    assert found is not None and found.path.endswith("2026-02-15-pre-mortem-x.md") and found.verdict == "PASS"


def test_no_council_directory_or_no_matching_report_is_none(tmp_path: Path) -> None:
    assert find_report(tmp_path, "vibe") is None
    write_report(tmp_path, "2026-02-15-pre-mortem-x.md", "## Council Verdict: PASS\n", 1000)
    assert find_report(tmp_path, "vibe") is None



def test_a_report_is_hashed_whole_and_newest_first_by_name(tmp_path: Path) -> None:
    import hashlib

    body = "## Council Verdict: PASS\n" + "x" * 300_000  # past the part parsed for the verdict
    write_report(tmp_path, "2026-02-16-vibe-b.md", body, 1000)
    write_report(tmp_path, "2026-02-15-vibe-a.md", "## Council Verdict: FAIL\n", 2000)
    assert list_reports(tmp_path, "vibe") == [".agents/council/2026-02-16-vibe-b.md",
                                              ".agents/council/2026-02-15-vibe-a.md"]
    found = read_report(tmp_path, ".agents/council/2026-02-16-vibe-b.md")
    assert found is not None and found.verdict == "PASS"
    assert found.sha256 == hashlib.sha256(body.encode()).hexdigest()
    assert read_report(tmp_path, ".agents/council/gone.md") is None

