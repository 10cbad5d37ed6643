"""The repository's `.agents/` folder, in ao's layout: council reports read, and every file cockpit writes.

Reports are read with `read_regular` (the agent can put anything there) and hashed whole, so a verdict
gate can tell a report cockpit wrote from an edited copy. Files are written atomically and never over
an earlier one.
"""

from __future__ import annotations

import os
from pathlib import Path

from cockpit.core.gate_rules import (
    CouncilReport,
    parse_frontmatter,
    parse_verdict,
    report_matches,
    report_sort_key,
)
from cockpit.core.trust_rules import sha256_hex
from cockpit.sources.files import read_regular

REPORT_READ_LIMIT = 256 * 1024  # parsed for the verdict
REPORT_HASH_LIMIT = 4 * 1024 * 1024  # hashed whole; a larger file is not one cockpit wrote
REPORTS_LISTED = 50


def list_reports(root: str | os.PathLike[str], report: str, limit: int = REPORTS_LISTED) -> list[str]:
    """Paths (relative to `root`) of `.agents/council/*-<report>-*.md`, newest first: by the date in the
    name, then the file time, then the name."""
    council = Path(root, ".agents", "council")
    try:
        entries = list(os.scandir(council))
    except OSError:
        return []
    found: list[tuple[tuple[str, float, str], str]] = []
    for entry in entries:
        if not report_matches(entry.name, report):
            continue
        try:
            if not entry.is_file():
                continue
            mtime = entry.stat().st_mtime
        except OSError:
            continue
        found.append((report_sort_key(entry.name, mtime), str(Path(entry.path).relative_to(root))))
    found.sort(reverse=True)
    return [path for _, path in found[:limit]]


def read_report(root: str | os.PathLike[str], path: str) -> CouncilReport | None:
    """The report at `path` (relative to `root`): its verdict, recorded tree and the SHA-256 of its bytes.

    None when there is no such file; a file that cannot be read whole has no verdict and no hash."""
    full = Path(root, path)
    try:
        mtime = full.stat().st_mtime
    except OSError:
        return None
    return parse_report(path, read_regular(full, REPORT_HASH_LIMIT), mtime)


def parse_report(path: str, data: bytes | None, mtime: float) -> CouncilReport:
    """A report from its bytes (None: unreadable, so no verdict and no hash)."""
    if data is None:
        return CouncilReport(path, None, "", mtime)
    text = data[:REPORT_READ_LIMIT].decode("utf-8", "replace")
    front = parse_frontmatter(text)
    return CouncilReport(path, parse_verdict(text), front.get("tree", ""), mtime, front.get("scope", ""),
                         front.get("issue", "").strip("- "), sha256_hex(data))


def find_report(root: str | os.PathLike[str], report: str) -> CouncilReport | None:
    """The newest `.agents/council/*-<report>-*.md`, its verdict, recorded tree and hash."""
    newest = list_reports(root, report, 1)
    return read_report(root, newest[0]) if newest else None


def write_agents_file(root: str, folder: str, stem: str, text: str) -> str:
    """Write `.agents/<folder>/<stem>.md` atomically, never over an earlier file (-2, -3 … instead)."""
    target_dir = Path(root, ".agents", folder)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{stem}.md"
    n = 2
    while target.exists():
        target = target_dir / f"{stem}-{n}.md"
        n += 1
    scratch = target.with_name(target.name + ".tmp")
    scratch.write_text(text, encoding="utf-8")
    scratch.replace(target)
    return str(target.relative_to(root))
