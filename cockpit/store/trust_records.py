"""Which gate configurations the user trusted: a primary record per (repository, fingerprint).

The repository key is the realpath of its top level. Several fingerprints of one repository may be
trusted at once (switching between two branches you reviewed does not ask again); `cockpit trust
--revoke` forgets them all. A changed configuration has another fingerprint, so it is untrusted.
"""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime

from cockpit.core.gate_rules import GateConfig
from cockpit.core.trust_rules import spec_json


@dataclass(frozen=True, slots=True)
class TrustRecord:
    repo: str
    sha256: str
    source: str
    trusted_at: str
    trusted_by: str


def repo_key(root: str) -> str:
    return os.path.realpath(root)


def who(where: str) -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"{user} ({where})"


def find_trust(conn: sqlite3.Connection, root: str, sha256: str) -> TrustRecord | None:
    if not sha256:
        return None
    row = conn.execute("SELECT repo, sha256, source, trusted_at, trusted_by FROM trust"
                       " WHERE repo = ? AND sha256 = ?", (repo_key(root), sha256)).fetchone()
    return TrustRecord(*row) if row else None


def is_trusted(conn: sqlite3.Connection, root: str, config: GateConfig) -> bool:
    return find_trust(conn, root, config.fingerprint) is not None


def trust_config(conn: sqlite3.Connection, root: str, config: GateConfig, by: str,
                 now: datetime | None = None) -> TrustRecord:
    """Trust exactly `config` (its fingerprint) for `root`; the gates as shown are kept for the record."""
    if not config.fingerprint:
        raise ValueError("a gate configuration without a fingerprint cannot be trusted")
    at = (now or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    gates = json.dumps([spec_json(g) for g in config.gates], ensure_ascii=False)
    conn.execute("INSERT INTO trust (repo, sha256, source, gates, trusted_at, trusted_by)"
                 " VALUES (?, ?, ?, ?, ?, ?)"
                 " ON CONFLICT (repo, sha256) DO UPDATE SET source = excluded.source, gates = excluded.gates,"
                 " trusted_at = excluded.trusted_at, trusted_by = excluded.trusted_by",
                 (repo_key(root), config.fingerprint, config.source, gates, at, by))
    return TrustRecord(repo_key(root), config.fingerprint, config.source, at, by)


def revoke_trust(conn: sqlite3.Connection, root: str) -> int:
    """Forget every trusted configuration of `root`; how many there were."""
    return conn.execute("DELETE FROM trust WHERE repo = ?", (repo_key(root),)).rowcount
