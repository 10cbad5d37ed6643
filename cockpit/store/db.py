"""The cockpit database: one SQLite file, WAL, busy timeout, versioned schema.

Derived tables can be rebuilt from transcripts (`cockpit index --rebuild`); primary tables hold
records nothing else can reproduce and are never dropped by a rebuild.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 9
BUSY_TIMEOUT_MS = 5000
# The order "newest session first" means everywhere: the rows a catch-up stores are in no particular order (the
# newest files first), so sessions last active at the same moment (the demo's live agents) are ordered by when
# they started, then by id: the sessions pane, the session `v` reads the intent of and `cockpit context` agree.
NEWEST_FIRST = "last_activity_at DESC, started_at, session_id"

DERIVED_TABLES = (
    "files", "skipped", "sessions", "api_calls", "compactions", "tool_calls", "tool_files", "prompts", "interrupts",
)
PRIMARY_TABLES = ("statusline", "approvals", "session_allows", "hook_events", "heartbeat", "maintenance",
                  "budget_raises")

# Each entry moves the schema from version i to i+1.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE IF NOT EXISTS files (
        path TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        session_id TEXT NOT NULL DEFAULT '',
        subagent INTEGER NOT NULL DEFAULT 0,
        agent_id TEXT NOT NULL DEFAULT '',
        inode INTEGER NOT NULL DEFAULT 0,
        offset INTEGER NOT NULL DEFAULT 0,
        pending_bytes INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        mtime REAL NOT NULL DEFAULT 0,
        parser_state TEXT,
        error TEXT,
        gone INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS files_session ON files(session_id);
    CREATE TABLE IF NOT EXISTS skipped (
        path TEXT NOT NULL,
        reason TEXT NOT NULL,
        count INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (path, reason)
    );
    CREATE TABLE IF NOT EXISTS sessions (
        session_id TEXT PRIMARY KEY,
        agent TEXT NOT NULL,
        path TEXT NOT NULL DEFAULT '',
        project TEXT NOT NULL DEFAULT '',
        branch TEXT NOT NULL DEFAULT '',
        version TEXT NOT NULL DEFAULT '',
        model TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL DEFAULT '',
        title_rank INTEGER NOT NULL DEFAULT 0,
        last_prompt TEXT NOT NULL DEFAULT '',
        first_prompt TEXT NOT NULL DEFAULT '',
        started_at TEXT,
        last_activity_at TEXT,
        state TEXT NOT NULL DEFAULT 'idle',
        state_at TEXT,
        ended INTEGER NOT NULL DEFAULT 0,
        -- roll-up, recomputed from the tables below after each ingest batch
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
        cache_read_input_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        prompt_tokens INTEGER,
        context_tokens INTEGER,
        context_at TEXT,
        window INTEGER,
        window_source TEXT,
        peak_tokens INTEGER NOT NULL DEFAULT 0,
        compaction_count INTEGER NOT NULL DEFAULT 0,
        subagents INTEGER NOT NULL DEFAULT 0,
        skipped_lines INTEGER NOT NULL DEFAULT 0,
        calls INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX IF NOT EXISTS sessions_activity ON sessions(last_activity_at);
    CREATE TABLE IF NOT EXISTS api_calls (
        session_id TEXT NOT NULL,
        key TEXT NOT NULL,
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts TEXT NOT NULL,
        model TEXT NOT NULL,
        input_tokens INTEGER NOT NULL,
        output_tokens INTEGER NOT NULL,
        cache_creation_input_tokens INTEGER NOT NULL,
        cache_creation_1h_tokens INTEGER NOT NULL,
        cache_read_input_tokens INTEGER NOT NULL,
        context_tokens INTEGER NOT NULL,
        window INTEGER,
        is_sidechain INTEGER NOT NULL,
        agent_id TEXT NOT NULL,
        -- Claude's (message.id, requestId) is unique across sessions: a request replayed into a resumed
        -- session's file is counted once. Codex keys are prefixed with their session id.
        PRIMARY KEY (key)
    );
    CREATE INDEX IF NOT EXISTS api_calls_session ON api_calls(session_id, seq);
    CREATE TABLE IF NOT EXISTS compactions (
        session_id TEXT NOT NULL,
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        ts TEXT NOT NULL,
        trigger TEXT NOT NULL,
        pre_tokens INTEGER,
        post_tokens INTEGER,
        PRIMARY KEY (path, seq)
    );
    CREATE INDEX IF NOT EXISTS compactions_session ON compactions(session_id);
    CREATE TABLE IF NOT EXISTS tool_calls (
        session_id TEXT NOT NULL,
        tool_use_id TEXT NOT NULL,
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        name TEXT NOT NULL,
        summary TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        is_error INTEGER,
        agent_id TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (session_id, tool_use_id)
    );
    CREATE TABLE IF NOT EXISTS prompts (
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        text TEXT NOT NULL,
        PRIMARY KEY (path, seq)
    );
    CREATE INDEX IF NOT EXISTS prompts_session ON prompts(session_id);
    CREATE VIRTUAL TABLE IF NOT EXISTS prompts_fts USING fts5(text, content='prompts', content_rowid='rowid');
    CREATE TRIGGER IF NOT EXISTS prompts_ai AFTER INSERT ON prompts BEGIN
        INSERT INTO prompts_fts(rowid, text) VALUES (new.rowid, new.text);
    END;
    CREATE TRIGGER IF NOT EXISTS prompts_ad AFTER DELETE ON prompts BEGIN
        INSERT INTO prompts_fts(prompts_fts, rowid, text) VALUES ('delete', old.rowid, old.text);
    END;
    CREATE VIRTUAL TABLE IF NOT EXISTS titles_fts USING fts5(title, content='sessions', content_rowid='rowid');
    CREATE TRIGGER IF NOT EXISTS sessions_ai AFTER INSERT ON sessions BEGIN
        INSERT INTO titles_fts(rowid, title) VALUES (new.rowid, new.title);
    END;
    CREATE TRIGGER IF NOT EXISTS sessions_ad AFTER DELETE ON sessions BEGIN
        INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
    END;
    CREATE TRIGGER IF NOT EXISTS sessions_au AFTER UPDATE OF title ON sessions BEGIN
        INSERT INTO titles_fts(titles_fts, rowid, title) VALUES ('delete', old.rowid, old.title);
        INSERT INTO titles_fts(rowid, title) VALUES (new.rowid, new.title);
    END;
    CREATE TABLE IF NOT EXISTS statusline (
        session_id TEXT PRIMARY KEY,
        received_at TEXT NOT NULL,
        model_id TEXT,
        window INTEGER,
        used_percentage REAL,
        payload TEXT
    );
    """,
    # 2: approvals (factor VIII): requests from hooks, decisions from the cockpit, and the events around them.
    """
    CREATE TABLE IF NOT EXISTS approvals (
        id INTEGER PRIMARY KEY,
        agent TEXT NOT NULL,
        event TEXT NOT NULL,
        session_id TEXT NOT NULL DEFAULT '',
        cwd TEXT NOT NULL DEFAULT '',
        transcript_path TEXT NOT NULL DEFAULT '',
        tool_name TEXT NOT NULL DEFAULT '',
        tool_input TEXT NOT NULL DEFAULT '{}',
        input_hash TEXT NOT NULL,
        tool_use_id TEXT NOT NULL DEFAULT '',
        summary TEXT NOT NULL DEFAULT '',
        policy TEXT NOT NULL DEFAULT '',
        policy_reason TEXT NOT NULL DEFAULT '',
        suggestions TEXT,
        hook_pid INTEGER,
        received_at TEXT NOT NULL,
        deadline_at TEXT,
        status TEXT NOT NULL DEFAULT 'pending',
        decision TEXT,
        reason TEXT NOT NULL DEFAULT '',
        decided_by TEXT,
        decided_at TEXT,
        latency_ms INTEGER,
        delivered_at TEXT
    );
    CREATE INDEX IF NOT EXISTS approvals_status ON approvals(status, id);
    CREATE INDEX IF NOT EXISTS approvals_session ON approvals(session_id, id);
    CREATE TABLE IF NOT EXISTS session_allows (
        session_id TEXT NOT NULL,
        rule TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (session_id, rule)
    );
    CREATE TABLE IF NOT EXISTS hook_events (
        id INTEGER PRIMARY KEY,
        agent TEXT NOT NULL,
        session_id TEXT NOT NULL DEFAULT '',
        event TEXT NOT NULL,
        received_at TEXT NOT NULL,
        tool_name TEXT NOT NULL DEFAULT '',
        tool_use_id TEXT NOT NULL DEFAULT '',
        input_hash TEXT NOT NULL DEFAULT '',
        transcript_path TEXT NOT NULL DEFAULT '',
        payload TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX IF NOT EXISTS hook_events_session ON hook_events(session_id, id);
    CREATE TABLE IF NOT EXISTS interrupts (
        path TEXT NOT NULL,
        seq INTEGER NOT NULL,
        session_id TEXT NOT NULL,
        ts TEXT NOT NULL,
        PRIMARY KEY (path, seq)
    );
    CREATE INDEX IF NOT EXISTS interrupts_session ON interrupts(session_id);
    CREATE TABLE IF NOT EXISTS heartbeat (
        name TEXT PRIMARY KEY,
        pid INTEGER NOT NULL,
        beat_at REAL NOT NULL,
        read_only INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 3: gate runs (factor IV): every run of a gate, tied to the tree it judged.
    """
    CREATE TABLE IF NOT EXISTS gate_runs (
        id INTEGER PRIMARY KEY,
        repo TEXT NOT NULL,
        gate TEXT NOT NULL,
        tree TEXT NOT NULL,
        started_at TEXT NOT NULL,
        duration_s REAL NOT NULL,
        outcome TEXT NOT NULL,
        exit_code INTEGER,
        command TEXT NOT NULL DEFAULT '',
        output_tail TEXT NOT NULL DEFAULT '',
        output_bytes INTEGER NOT NULL DEFAULT 0,
        note TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS gate_runs_gate ON gate_runs(repo, gate, id);
    CREATE INDEX IF NOT EXISTS gate_runs_tree ON gate_runs(repo, tree);
    """,
    # 4: validation and learning (factors IV, VII): LLM calls, vibe / pre-mortem / retro results, learnings.
    """
    CREATE TABLE IF NOT EXISTS llm_calls (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        purpose TEXT NOT NULL,
        model TEXT NOT NULL,
        ok INTEGER NOT NULL,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cost_usd REAL,
        attempts INTEGER NOT NULL DEFAULT 0,
        duration_s REAL NOT NULL DEFAULT 0,
        error TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE IF NOT EXISTS reports (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        repo TEXT NOT NULL,
        tree TEXT NOT NULL DEFAULT '',
        subject TEXT NOT NULL DEFAULT '',
        verdict TEXT NOT NULL DEFAULT '',
        path TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        online INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX IF NOT EXISTS reports_kind ON reports(repo, kind, id);
    CREATE TABLE IF NOT EXISTS learnings (
        id INTEGER PRIMARY KEY,
        repo TEXT NOT NULL,
        path TEXT NOT NULL DEFAULT '',
        title TEXT NOT NULL,
        body TEXT NOT NULL DEFAULT '',
        category TEXT NOT NULL DEFAULT '',
        confidence TEXT NOT NULL DEFAULT '',
        session_id TEXT NOT NULL DEFAULT '',
        evidence TEXT NOT NULL DEFAULT '',
        source TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE VIRTUAL TABLE IF NOT EXISTS learnings_fts USING fts5(title, body, content='learnings', content_rowid='id');
    CREATE TRIGGER IF NOT EXISTS learnings_ai AFTER INSERT ON learnings BEGIN
        INSERT INTO learnings_fts(rowid, title, body) VALUES (new.id, new.title, new.body);
    END;
    CREATE TRIGGER IF NOT EXISTS learnings_ad AFTER DELETE ON learnings BEGIN
        INSERT INTO learnings_fts(learnings_fts, rowid, title, body) VALUES ('delete', old.id, old.title, old.body);
    END;
    """,
    # 5: trust and evidence (factor IV against a hostile repository): the gate configurations the user
    # trusted (by hash), the hash of each report cockpit wrote, the external reports the user accepted,
    # and the tree a gate run left behind (a gate that writes files must not rerun itself).
    """
    CREATE TABLE IF NOT EXISTS trust (
        repo TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        source TEXT NOT NULL,
        gates TEXT NOT NULL DEFAULT '[]',
        trusted_at TEXT NOT NULL,
        trusted_by TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (repo, sha256)
    );
    ALTER TABLE reports ADD COLUMN sha256 TEXT NOT NULL DEFAULT '';
    CREATE INDEX IF NOT EXISTS reports_sha256 ON reports(repo, kind, sha256);
    CREATE TABLE IF NOT EXISTS accepted_reports (
        id INTEGER PRIMARY KEY,
        repo TEXT NOT NULL,
        kind TEXT NOT NULL,
        path TEXT NOT NULL,
        sha256 TEXT NOT NULL,
        verdict TEXT NOT NULL DEFAULT '',
        tree TEXT NOT NULL DEFAULT '',
        accepted_at TEXT NOT NULL,
        accepted_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS accepted_reports_kind ON accepted_reports(repo, kind, id);
    ALTER TABLE gate_runs ADD COLUMN tree_after TEXT NOT NULL DEFAULT '';
    """,
    # 6: a transcript is an identity (device, inode and real path, which names may reach it), with a
    # fingerprint of the bytes before its cursor (a rewrite in place changes them) and whether the
    # roll-up of its session is still to be recomputed after its rows were stored.
    """
    ALTER TABLE files ADD COLUMN dev INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN realpath BLOB;
    ALTER TABLE files ADD COLUMN mtime_ns INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE files ADD COLUMN window_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE files ADD COLUMN stale INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX IF NOT EXISTS files_identity ON files(dev, inode);
    """,
    # 7: housekeeping: when each periodic job (retention's prune) last ran, and what it did.
    """
    CREATE TABLE IF NOT EXISTS maintenance (
        name TEXT PRIMARY KEY,
        at TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '{}'
    );
    """,
    # 8: the fleet's health (issue 14): which call repeats (a hash of its input), what a failed call said, which
    # files each edit changed (two sessions editing one file), and a Codex sub-thread's parent session.
    """
    ALTER TABLE tool_calls ADD COLUMN input_hash TEXT NOT NULL DEFAULT '';
    ALTER TABLE tool_calls ADD COLUMN error TEXT NOT NULL DEFAULT '';
    ALTER TABLE sessions ADD COLUMN parent_session_id TEXT NOT NULL DEFAULT '';
    CREATE TABLE IF NOT EXISTS tool_files (
        session_id TEXT NOT NULL,
        tool_use_id TEXT NOT NULL,
        path TEXT NOT NULL,
        ts TEXT NOT NULL,
        agent_id TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (session_id, tool_use_id, path)
    );
    CREATE INDEX IF NOT EXISTS tool_files_path ON tool_files(path, ts);
    """,
    # 9: budgets a human raised from the dashboard (issue 14): a session's (key: its id) or a UTC day's (key:
    # YYYY-MM-DD) new limit in USD. The PreToolUse hook reads the highest one for its session and for today.
    """
    CREATE TABLE IF NOT EXISTS budget_raises (
        scope TEXT NOT NULL,
        key TEXT NOT NULL,
        limit_usd REAL NOT NULL,
        raised_at TEXT NOT NULL,
        raised_by TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX IF NOT EXISTS budget_raises_key ON budget_raises(scope, key, limit_usd);
    """,
]


def default_db_path() -> Path:
    """$COCKPIT_DB, else the per-user data directory (the dashboard and the hooks must agree)."""
    if os.environ.get("COCKPIT_DB"):
        return Path(os.environ["COCKPIT_DB"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("cockpit", appauthor=False)) / "cockpit.db"


def connect(path: str | os.PathLike[str] | None = None, *, busy_timeout: float | None = None) -> sqlite3.Connection:
    """A plain connection (created, private to the user, migrated): what short-lived hooks use.

    `busy_timeout` (seconds, default BUSY_TIMEOUT_MS) is how long a statement waits for another
    writer's lock before raising "database is locked"; a hook passes what is left of its budget."""
    target = Path(path) if path else default_db_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = not target.exists()
    busy_ms = BUSY_TIMEOUT_MS if busy_timeout is None else max(1, int(busy_timeout * 1000))
    conn = sqlite3.connect(str(target), timeout=busy_ms / 1000, check_same_thread=False, isolation_level=None)
    try:
        if created:
            # Approvals and decisions are in here: readable by the user only (WAL files inherit the mode).
            os.chmod(target, 0o600)
            # Only possible before the first table: lets a prune give the freed pages back to the disk.
            conn.execute("PRAGMA auto_vacuum = INCREMENTAL")
        conn.execute(f"PRAGMA busy_timeout = {busy_ms}")
        _use_wal(conn, busy_ms / 1000)
        conn.execute("PRAGMA synchronous = NORMAL")
        # Inserts land at random places in the request-key index; a larger page cache keeps them in memory.
        conn.execute("PRAGMA cache_size = -16384")
        migrate(conn)
    except BaseException:
        # A corrupt, locked or unreadable store: no half-open connection left behind.
        conn.close()
        raise
    return conn


def _use_wal(conn: sqlite3.Connection, busy_seconds: float) -> None:
    """WAL mode. Switching to it takes an exclusive lock that SQLite does not wait for (no busy
    handler), so two processes opening a new store at once retry here instead of failing."""
    deadline = time.monotonic() + busy_seconds
    while True:
        try:
            if str(conn.execute("PRAGMA journal_mode").fetchone()[0]).lower() == "wal":
                return
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError:
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.02)


Params = Sequence[Any] | Mapping[str, Any]


class Database:
    """The store as the app and the CLI hold it: the sqlite3 connection (`conn`) and the three calls made on
    it. Plain sqlite3, no wrapper library: every process start (`cockpit index`, `cockpit sessions`, the
    dashboard) imports this module."""

    __slots__ = ("conn",)

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn

    def execute(self, sql: str, parameters: Params = ()) -> sqlite3.Cursor:
        return self.conn.execute(sql, parameters)

    def executemany(self, sql: str, rows: Iterable[Params]) -> sqlite3.Cursor:
        return self.conn.executemany(sql, rows)

    def query(self, sql: str, parameters: Params = ()) -> Iterator[dict[str, Any]]:
        """Each row of `sql` as a dict keyed by column name."""
        cursor = self.conn.execute(sql, parameters)
        names = [column[0] for column in cursor.description or ()]
        for row in cursor:
            yield dict(zip(names, row, strict=True))

    def close(self) -> None:
        self.conn.close()


def open_db(path: str | os.PathLike[str] | None = None) -> Database:
    """Open (creating and migrating) the database at `path`, or the per-user default.

    Raises StoreError, whose one-line message names the file and the fix, when it cannot be used."""
    target = Path(path) if path else default_db_path()
    try:
        conn = connect(target)
        # As the app has always run (sqlite_utils turned it on): a REPLACE that deletes a row fires its delete
        # triggers, so the full-text indexes kept by triggers never hold a replaced row.
        conn.execute("PRAGMA recursive_triggers = ON")
        return Database(conn)
    except (sqlite3.Error, OSError) as exc:
        raise store_error(exc, target) from exc


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> None:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            database_file(conn), "newer", f"schema {current}, this cockpit knows {SCHEMA_VERSION}"
        )
    for version in range(current, SCHEMA_VERSION):
        try:
            # Another process may have migrated meanwhile: the version check and the migration run in
            # one write transaction, so two processes opening an old store at once never both run it
            # (an ALTER TABLE run twice fails). Statement by statement: executescript would commit first.
            conn.execute("BEGIN IMMEDIATE")
            if schema_version(conn) == version:
                for statement in _statements(MIGRATIONS[version]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {version + 1}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def _statements(script: str) -> list[str]:
    """The SQL statements of a migration script (trigger bodies kept whole)."""
    statements, pending = [], ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            if pending.strip().strip(";").strip():
                statements.append(pending.strip())
            pending = ""
    if pending.strip():
        statements.append(pending.strip())
    return statements


def drop_derived(db: Database) -> None:
    """Forget everything that can be re-read from transcripts; keep primary records."""
    conn = db.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        for table in DERIVED_TABLES:
            conn.execute(f"DELETE FROM {table}")
        conn.execute("INSERT INTO prompts_fts(prompts_fts) VALUES ('rebuild')")
        conn.execute("INSERT INTO titles_fts(titles_fts) VALUES ('rebuild')")
        conn.execute("COMMIT")
    except BaseException:
        # A failed COMMIT (disk full) may have rolled back already: the first error is the one to report.
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


# ---- a store you can always get out of ----------------------------------------------------------

_FIXES = {
    "corrupt": "the transcripts are the source of truth: `cockpit index --rebuild` moves it aside to"
               " {path}.corrupt-<timestamp> and rebuilds the index (its approvals, gate runs and other primary"
               " records cannot be recovered)",
    "read-only": "make it and its folder writable by you (chmod u+w), or pass --db PATH / set COCKPIT_DB",
    "locked": "another process holds its write lock; wait for it to finish and run this again",
    "newer": "upgrade cockpit, or pass --db PATH / set COCKPIT_DB to keep a separate store for this version",
    "unwritable": "make {parent} a folder you can write to, or pass --db PATH / set COCKPIT_DB",
    "full": "free disk space and run this again; nothing already stored is lost",
    "io": "check the disk and the file's permissions, or pass --db PATH / set COCKPIT_DB",
}
_WHAT = {
    "corrupt": "is damaged",
    "read-only": "cannot be written",
    "locked": "is locked",
    "newer": "was written by a newer cockpit",
    "unwritable": "cannot be created",
    "full": "cannot grow: the disk is full",
    "io": "cannot be used",
}
_KINDS_BY_CODE = (
    ("SQLITE_CORRUPT", "corrupt"),
    ("SQLITE_NOTADB", "corrupt"),
    ("SQLITE_READONLY", "read-only"),
    ("SQLITE_PERM", "read-only"),
    ("SQLITE_BUSY", "locked"),
    ("SQLITE_LOCKED", "locked"),
    ("SQLITE_FULL", "full"),
    ("SQLITE_CANTOPEN", "unwritable"),
)


class StoreError(RuntimeError):
    """The store cannot be used: one line naming the file, what is wrong and the fix."""

    def __init__(self, path: str | os.PathLike[str], kind: str, detail: str = "") -> None:
        self.path = str(path)
        self.kind = kind
        self.detail = detail
        what = _WHAT.get(kind, _WHAT["io"]) + (f" ({detail})" if detail else "")
        fix = _FIXES.get(kind, _FIXES["io"]).format(path=self.path, parent=os.path.dirname(self.path) or ".")
        super().__init__(f"the store {self.path} {what}: {fix}")


def store_error(exc: BaseException, path: str | os.PathLike[str]) -> StoreError:
    """The StoreError that `exc`, raised while using the store at `path`, amounts to."""
    if isinstance(exc, StoreError):
        return exc
    if isinstance(exc, OSError):
        return StoreError(path, "unwritable", exc.strerror or str(exc))
    code = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    kind = next((k for prefix, k in _KINDS_BY_CODE if code.startswith(prefix)), "")
    if not kind:
        lower = text.lower()
        kind = ("corrupt" if "malformed" in lower or "not a database" in lower
                else "read-only" if "readonly" in lower or "read-only" in lower
                else "locked" if "locked" in lower
                else "full" if "is full" in lower
                else "io")
    return StoreError(path, kind, text)


def database_file(conn: sqlite3.Connection) -> str:
    """The file behind `conn` ("" for an in-memory database)."""
    try:
        row = conn.execute("PRAGMA database_list").fetchone()
    except sqlite3.Error:
        return ""
    return str(row[2]) if row else ""


def move_aside(path: str | os.PathLike[str]) -> Path:
    """Rename a damaged store (and its -wal / -shm) to <name>.corrupt-<timestamp>; the new name."""
    import time

    target = Path(path)
    aside = target.with_name(f"{target.name}.corrupt-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(target, aside)
    for suffix in ("-wal", "-shm"):
        extra = Path(f"{target}{suffix}")
        if extra.exists():
            os.replace(extra, Path(f"{aside}{suffix}"))
    return aside


def open_for_rebuild(path: str | os.PathLike[str]) -> tuple[Database, Path | None]:
    """The store at `path` with its derived tables emptied, ready to be re-read from the transcripts.

    A damaged store is moved aside first and a new one created: (database, where the old one went)."""
    target = Path(path)
    try:
        db = open_db(target)
    except StoreError as exc:
        if exc.kind != "corrupt":
            raise
        aside = move_aside(target)
        return open_db(target), aside
    try:
        # A rebuild reads everything anyway: a full check finds damage the open did not touch.
        problems = [row[0] for row in db.execute("PRAGMA quick_check").fetchall()]
        if problems != ["ok"]:
            raise sqlite3.DatabaseError(f"database disk image is malformed: {problems[0]}")
        drop_derived(db)
    except sqlite3.Error as exc:
        db.conn.close()
        error = store_error(exc, target)
        if error.kind != "corrupt":
            raise error from exc
        aside = move_aside(target)
        return open_db(target), aside
    return db, None
