"""Store helpers the approval tests share: a writer holding the lock, a request read back."""

from __future__ import annotations

import os
import sqlite3
import threading
import time

from cockpit.store import approvals
from cockpit.store.db import connect


def hold_write_lock(db: str | os.PathLike[str], seconds: float) -> threading.Thread:
    """Another connection holds the store's write lock for `seconds` (a long ingest, a backup, another tool)."""
    taken = threading.Event()

    def hold() -> None:
        conn = sqlite3.connect(str(db), isolation_level=None, check_same_thread=False)
        conn.execute("BEGIN IMMEDIATE")
        taken.set()
        time.sleep(seconds)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    assert taken.wait(5)
    return thread


def record(db: str | os.PathLike[str], request_id: int) -> approvals.Request:
    """The approval request as the store holds it now."""
    conn = connect(db)
    try:
        found = approvals.get(conn, request_id)
        assert found is not None
        return found
    finally:
        conn.close()
