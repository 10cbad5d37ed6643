"""The cockpit database: one SQLite file, WAL, busy timeout, versioned schema.

Derived tables can be rebuilt from transcripts (`cockpit index --rebuild`); primary tables hold
records nothing else can reproduce and are never dropped by a rebuild.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite_utils

SCHEMA_VERSION = 4
BUSY_TIMEOUT_MS = 5000

DERIVED_TABLES = ("files", "skipped", "sessions", "api_calls", "compactions", "tool_calls", "prompts", "interrupts")
PRIMARY_TABLES = ("statusline", "approvals", "session_allows", "hook_events", "heartbeat")

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
]


def default_db_path() -> Path:
    """$COCKPIT_DB, else the per-user data directory (the dashboard and the hooks must agree)."""
    if os.environ.get("COCKPIT_DB"):
        return Path(os.environ["COCKPIT_DB"]).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("cockpit", appauthor=False)) / "cockpit.db"


def connect(path: str | os.PathLike[str] | None = None) -> sqlite3.Connection:
    """A plain connection (created, private to the user, migrated): what short-lived hooks use."""
    target = Path(path) if path else default_db_path()
    target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    created = not target.exists()
    conn = sqlite3.connect(str(target), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False, isolation_level=None)
    if created:
        # Approvals and decisions are in here: readable by the user only (WAL files inherit the mode).
        os.chmod(target, 0o600)
    conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    # Inserts land at random places in the request-key index; a larger page cache keeps them in memory.
    conn.execute("PRAGMA cache_size = -16384")
    migrate(conn)
    return conn


def open_db(path: str | os.PathLike[str] | None = None) -> sqlite_utils.Database:
    """Open (creating and migrating) the database at `path`, or the per-user default."""
    import sqlite_utils

    return sqlite_utils.Database(connect(path))


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection) -> None:
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"the database was written by a newer cockpit (schema {current}, this one knows {SCHEMA_VERSION})"
        )
    for version in range(current, SCHEMA_VERSION):
        try:
            # Another process may have migrated meanwhile: the version check runs inside the lock.
            conn.execute("BEGIN IMMEDIATE")
            if schema_version(conn) != version:
                conn.execute("COMMIT")
                continue
            conn.execute("COMMIT")
            conn.executescript(f"BEGIN IMMEDIATE; {MIGRATIONS[version]}; PRAGMA user_version = {version + 1}; COMMIT;")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise


def drop_derived(db: sqlite_utils.Database) -> None:
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
        conn.execute("ROLLBACK")
        raise
