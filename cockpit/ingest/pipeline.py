"""Ingest: transcript bytes -> facts -> rows. The single writer of the derived tables.

Every row is keyed by where it came from (file, byte offset or request key), so reading a
range twice changes nothing; a file that was truncated, replaced or rewritten has its rows
dropped and is read again from 0. Work per call is proportional to the bytes appended.

Durability: a file's cursor is stored in the same transaction as the rows read up to it, and
the in-memory record moves only after that transaction commits. A failed write is retried with
backoff, then raised as a StoreError; nothing read is lost, and the next attempt starts from
the committed cursor. A file is known by its identity (device, inode), so every name that
reaches it (two roots, a symlink, a relative path) reads it once.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from itertools import islice
from typing import TYPE_CHECKING, Any

from cockpit.core.kinds import BINARY_ERROR, Agent
from cockpit.core.text import one_line
from cockpit.sources.discovery import (
    Root,
    TranscriptFile,
    classify,
    discover_claude,
    discover_codex,
    printable,
)
from cockpit.sources.tailer import Cursor, window_matches
from cockpit.store.db import StoreError, database_file, store_error

if TYPE_CHECKING:
    from concurrent.futures import Future

    from cockpit.ingest.parse import Batch, FileJob, Parsed
    from cockpit.store.db import Database

__all__ = ["BINARY_ERROR", "FileRecord", "IngestResult", "Ingestor", "StoreError"]


class _Log:
    """logging.getLogger(__name__), imported on the first message: an unchanged history logs nothing, and
    importing logging cost ~4 ms of every `cockpit index`."""

    def __getattr__(self, level: str) -> Any:
        import logging

        return getattr(logging.getLogger(__name__), level)


log = _Log()


def _parsing() -> Any:
    """cockpit.ingest.parse (the parsers, orjson, the policy's patch reader: ~15 ms to import), loaded the first
    time a file has changed: an unchanged history is a stat walk and never needs it."""
    from cockpit.ingest import parse

    return parse


def pool_workers() -> int:
    """How many processes a large catch-up may parse on: 0 where the pool does not pay (fewer than POOL_MIN_CPUS
    cores: on 2 it was 1.8x slower than one process)."""
    workers = min(os.cpu_count() or 1, 8)
    return workers if workers >= max(2, POOL_MIN_CPUS) else 0


def __getattr__(name: str) -> Any:
    # The process pool's modules (multiprocessing, ~15 ms) load only when a catch-up uses a pool.
    if name == "ProcessPoolExecutor":
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

# Above this much unread data a catch-up parses on every core; below it a pool costs more than it saves.
POOL_MIN_BYTES = 48 * 1024 * 1024
# ... and only with this many cores. Measured on 2 shared cores (scripts/bench_ingest.py corpora, interleaved):
# the pool spent 2.6x the CPU of one process (spawned interpreters, results pickled back to the one writer)
# and took 1.8x as long (1.2 GB: 20-23 s against 11.2-11.6 s; 114 MB: 2.3-3.0 s against 1.3-1.7 s).
POOL_MIN_CPUS = 4
# A catch-up stores about this much transcript per transaction: short lock holds, little lost on a crash.
COMMIT_EVERY_BYTES = 32 * 1024 * 1024
# A catch-up someone watches (the dashboard's, on a new or long-unread store) reads the newest sessions first and
# commits them after this much, so they are on screen in a fraction of a second instead of after the whole history;
# each commit re-totals its sessions in the same transaction (a row is never seen without its totals), and the
# watcher is told at most once per NOTICE_SECONDS.
FIRST_COMMIT_BYTES = 1024 * 1024
NOTICE_SECONDS = 1.0
# A write that fails (lock held past the busy timeout, disk full) is tried this often, waiting longer each time.
WRITE_ATTEMPTS = 3
RETRY_FIRST_SECONDS = 0.5
RETRY_MAX_SECONDS = 8.0
_TRANSIENT = ("locked", "full", "io")
_FILE_COLUMNS = (
    "path, agent, session_id, subagent, agent_id, inode, offset, pending_bytes, parser_state, error, gone,"
    " dev, realpath, mtime_ns, window_hash"
)


_AGENTS = {agent.value: agent for agent in Agent}  # a dict lookup: Agent(value) costs ~1 µs a row


@dataclass
class FileRecord:
    path: str  # the name its rows carry: the first path it was found by, printable
    agent: Agent
    session_id: str
    subagent: bool
    agent_id: str
    cursor: Cursor = field(default_factory=Cursor)
    parser_state: dict[str, Any] | None = None
    error: str | None = None
    gone: bool = False
    realpath: str = ""  # where it is read from (a file-system path); "" means `path`
    stored: bool = False  # its files row exists, as of the last commit

    @property
    def location(self) -> str:
        return self.realpath or self.path


@dataclass
class IngestResult:
    sessions: set[str] = field(default_factory=set)
    lines: int = 0
    bytes: int = 0
    more: bool = False  # a byte budget stopped the read before the end of the file
    files: int = 0  # transcript files looked at (every file found, when the call discovered them)

    def add(self, other: IngestResult) -> None:
        self.sessions |= other.sessions
        self.lines += other.lines
        self.bytes += other.bytes
        self.more = self.more or other.more
        self.files += other.files


@dataclass
class _Transaction:
    """What one write transaction did; applied to the in-memory records only once it committed."""

    result: IngestResult = field(default_factory=IngestResult)
    adopted: list[tuple[FileRecord, FileRecord]] = field(default_factory=list)
    conflicts: list[FileRecord] = field(default_factory=list)
    after: list[Callable[[], None]] = field(default_factory=list)


def _rollback(conn: sqlite3.Connection) -> None:
    # A failed COMMIT (disk full) may have rolled back already; the error that caused it is the one to report.
    if conn.in_transaction:
        try:
            conn.execute("ROLLBACK")
        except sqlite3.Error:
            pass


def _adopt(record: FileRecord, new: FileRecord) -> None:
    for f in fields(FileRecord):
        setattr(record, f.name, getattr(new, f.name))


def _newest_first(todo: list[FileRecord], stats: dict[str, os.stat_result]) -> tuple[list[FileRecord], int]:
    """`todo` with the sessions written to last first — a session is as new as its newest file; its main file
    before its subagents', which need its row — files whose session is not known yet (legacy flat subagent
    files) last; and the bytes they hold unread."""
    unread: dict[int, int] = {}
    mtime: dict[int, int] = {}
    for record in todo:
        st = stats.get(record.location)
        if st is None:
            try:
                st = os.stat(record.location)
            except OSError:
                st = None
        unread[id(record)] = max(0, st.st_size - record.cursor.offset) if st is not None else 0
        mtime[id(record)] = st.st_mtime_ns if st is not None else 0
    newest: dict[str, int] = {}
    for record in todo:
        if record.session_id:
            newest[record.session_id] = max(newest.get(record.session_id, 0), mtime[id(record)])
    ordered = sorted(todo, key=lambda r: (not r.session_id, -newest.get(r.session_id, mtime[id(r)]), r.session_id,
                                          r.subagent, r.path))
    return ordered, sum(unread.values())


class Ingestor:
    def __init__(
        self,
        db: Database,
        claude_roots: Sequence[Root] = (),
        codex_roots: Sequence[Root] = (),
    ) -> None:
        self.db = db
        self.db_file = database_file(db.conn)
        self.claude_roots = list(claude_roots)
        self.codex_roots = list(codex_roots)
        self.discovery_errors: list[str] = []
        self.notes: list[str] = []  # what the user should know about how the last catch-up ran
        self.records: dict[str, FileRecord] = {}
        self.write_attempts = WRITE_ATTEMPTS
        self._by_location: dict[str, FileRecord] = {}
        self._by_identity: dict[tuple[int, int], FileRecord] = {}
        # The stat each file got from the last discovery, by location; only the catch-up that ran that discovery
        # itself uses them (moments later), instead of stating every file a second time.
        self._discovery_stats: dict[str, os.stat_result] = {}
        with self._store_errors():
            self._load_records()

    @contextmanager
    def _store_errors(self) -> Iterator[None]:
        try:
            yield
        except sqlite3.Error as exc:
            raise store_error(exc, self.db_file) from exc

    # ---- discovery and identity ---------------------------------------------------------------

    def _load_records(self) -> None:
        for row in self.db.execute(f"SELECT {_FILE_COLUMNS} FROM files").fetchall():
            record = self._record_from_row(row)
            self.records[record.path] = record
            self._by_location[record.location] = record
            ident = (record.cursor.dev, record.cursor.inode)
            if not record.cursor.dev:
                # Never read (an unreadable or odd file) or stored before identities: ask the file.
                try:
                    st = os.stat(record.location)
                except OSError:
                    continue
                ident = (st.st_dev, st.st_ino)
            self._by_identity.setdefault(ident, record)

    @staticmethod
    def _record_from_row(row: Sequence[Any]) -> FileRecord:
        path, agent, sid, sub, aid, inode, offset, pending, state, error, gone, dev, real, mtime_ns, window = row
        return FileRecord(
            path, _AGENTS.get(agent) or Agent(agent), sid, bool(sub), aid, Cursor(inode, offset, pending, dev, mtime_ns, window),
            json.loads(state) if state else None, error, bool(gone),
            realpath=os.fsdecode(real) if real else "", stored=True,
        )

    def discover(self) -> list[FileRecord]:
        """All transcript files under the roots, each once, main session files before subagent files."""
        errors: list[str] = []
        found: list[TranscriptFile] = discover_claude(self.claude_roots, errors) + discover_codex(self.codex_roots, errors)
        self.discovery_errors = errors
        self._discovery_stats = {}
        with self._store_errors():
            for tf in found:
                # Found by joining names to absolute, normalised root folders: already what abspath would give.
                self.track(tf, absolute=True)
        return sorted(
            (r for r in self.records.values() if not r.gone or os.path.exists(r.location)),
            key=lambda r: (r.subagent, r.path),
        )

    def lookup(self, path: str, agent: Agent | None = None) -> FileRecord | None:
        """The record a changed path belongs to; with `agent`, a new transcript is tracked."""
        location = os.path.abspath(path)
        record = self._by_location.get(location) or self.records.get(printable(location))
        if record is not None or agent is None:
            return record
        tf = classify(agent, location)
        return self.track(tf) if tf is not None else None

    def track(self, tf: TranscriptFile, *, absolute: bool = False) -> FileRecord | None:
        """The record of the file `tf` names: the one already known by this name or by the file's
        identity, else a new one (None when the file vanished before it was ever seen). `absolute`: `tf.path` is
        absolute and normalised already."""
        location = tf.path if absolute else os.path.abspath(tf.path)
        try:
            st: os.stat_result | None = os.stat(location)
        except OSError:
            st = None
        record = self._by_location.get(location) or self.records.get(printable(location))
        ident = (st.st_dev, st.st_ino) if st is not None else None
        known = self._by_identity.get(ident) if ident is not None else None
        relation = self._relation(known, location, ident) if known is not None and known is not record else ""
        if record is None and relation:
            record = known
            if relation == "moved":
                record.realpath = os.path.realpath(location)  # type: ignore[union-attr]
        elif record is None:
            if st is None:
                return None
            record = FileRecord(printable(location), tf.agent, tf.session_id, tf.subagent, tf.agent_id,
                                realpath=os.path.realpath(location))
            self.records[record.path] = record
        elif relation and known is not None:
            # One file stored under two names (a store from before identities): keep one, read it again.
            self._merge(keep=known, drop=record)
            record = known
        assert record is not None
        self._by_location[location] = record
        if st is not None and location == record.location:
            self._discovery_stats[location] = st
        if ident is not None:
            self._by_identity[ident] = record
        return record

    def _relation(self, record: FileRecord, location: str, ident: tuple[int, int] | None) -> str:
        """"alias" if `location` is another name of `record`'s file, "moved" if the file moved there
        (its old name is gone, the bytes before its cursor are the same), else ""."""
        try:
            here = os.stat(record.location)
            if (here.st_dev, here.st_ino) == ident:
                return "alias"
        except OSError:
            pass
        # The inode may have been reused by an unrelated file: only the same content proves a move.
        if record.cursor.offset > 0 and window_matches(location, record.cursor):
            return "moved"
        return ""

    def _merge(self, *, keep: FileRecord, drop: FileRecord) -> None:
        def stage(tx: _Transaction) -> None:
            for record in (keep, drop):
                self._delete_rows(record, {record.session_id})
            self.db.conn.execute("DELETE FROM files WHERE path = ?", (drop.path,))
            fresh = replace(keep, cursor=Cursor(), parser_state=None, error=None, gone=False)
            self._save_file_state(fresh, stale=True)
            tx.adopted.append((keep, fresh))
            tx.after.append(lambda: self._forget(drop, keep))

        log.info("%s and %s are one file: reading it once, from the start", keep.path, drop.path)
        self._transact(stage)

    def _forget(self, drop: FileRecord, keep: FileRecord) -> None:
        self.records.pop(drop.path, None)
        for table in (self._by_location, self._by_identity):
            for key, value in list(table.items()):
                if value is drop:
                    table[key] = keep  # type: ignore[index]

    # ---- ingest ----------------------------------------------------------------------------

    def _stale_sessions(self) -> set[str]:
        """Sessions whose rows were stored but whose roll-up was not (a crash or failure in between)."""
        return {sid for (sid,) in self.db.execute("SELECT DISTINCT session_id FROM files WHERE stale = 1").fetchall()}

    def ingest_all(
        self,
        records: Iterable[FileRecord] | None = None,
        progress: Callable[[int, int], None] | None = None,
        on_commit: Callable[[set[str], int, int], None] | None = None,
    ) -> IngestResult:
        """Everything new in `records` (default: every transcript found now). `progress(files done, files)` after
        each file parsed. `on_commit(sessions, bytes read, bytes to read)`: the newest sessions are read first and
        stored early, and each notice says which sessions are re-totalled and on screen so far."""
        # A file whose identity, size and (trusted) mtime are those of its cursor has nothing new: a stat, no open,
        # no transaction, no roll-up. An unchanged history costs about a walk of its folders.
        if records is None:
            records = self.discover()
            stats, self._discovery_stats = self._discovery_stats, {}
        else:
            stats = {}  # found earlier: stat them now, so a write since then is read
        records = list(records)
        todo = [r for r in records if not self._quiet(r, stats.get(r.location))]
        total = IngestResult(files=len(records))
        ready: list[tuple[FileRecord, Parsed]] = []
        conflicts: list[FileRecord] = []
        pending = 0
        to_read = 0
        if on_commit is not None and todo:
            todo, to_read = _newest_first(todo, stats)
        # With `on_commit`: sessions to re-total at the next commit (stale ones); re-totalled and not written since;
        # re-totalled but not told yet.
        dirty: set[str] = set()
        clean: set[str] = set()
        unseen: set[str] = set()
        noticed_at: float | None = None
        limit = FIRST_COMMIT_BYTES if on_commit is not None else COMMIT_EVERY_BYTES

        def write(group: list[tuple[FileRecord, Parsed]], *, last: bool = False) -> None:
            # Parsing happens outside the write lock; only storing holds it, so hooks and the
            # dashboard's heartbeat never wait long behind a catch-up. Storing in a thread while the next group
            # is parsed does not pay: sqlite3 hands the GIL back and forth at every row (measured on 2 cores:
            # more CPU, no less wall time).
            nonlocal noticed_at
            if not group:
                return

            def stage(tx: _Transaction) -> None:
                for record, parsed in group:
                    self._stage(tx, record, parsed)
                if on_commit is not None:
                    # Totals of what is stored so far; a session whose files straddle two groups (its main file and
                    # its subagents' are read one after another) is re-totalled again with the next.
                    self._refresh_rollups(tx.result.sessions | dirty)

            tx = self._transact(stage)
            total.add(tx.result)
            conflicts.extend(tx.conflicts)
            if on_commit is None:
                return
            clean.update(tx.result.sessions | dirty)
            dirty.clear()
            unseen.update(tx.result.sessions)
            # The last group is told by the caller's own result: a catch-up of one group sends no notice.
            if not last and (noticed_at is None or time.monotonic() - noticed_at >= NOTICE_SECONDS):
                noticed_at = time.monotonic()
                on_commit({sid for sid in unseen if sid}, total.bytes, max(to_read, total.bytes))
                unseen.clear()

        with self._store_errors():
            conn = self.db.conn
            total.sessions |= self._stale_sessions()
            dirty.update(total.sessions)
            # One checkpoint at the end instead of one per commit: a catch-up rewrites the same pages often.
            conn.execute("PRAGMA wal_autocheckpoint = 0")
            try:
                for done, (record, parsed) in enumerate(self._parse_all(todo), 1):
                    ready.append((record, parsed))
                    pending += parsed.bytes
                    if pending >= limit:
                        write(ready)
                        ready, pending, limit = [], 0, COMMIT_EVERY_BYTES
                    if progress:
                        progress(done, len(todo))
                write(ready, last=True)
                for record in conflicts:
                    # Another writer stored this file meanwhile: continue from what it stored.
                    again = self.ingest_file(record, refresh=False)
                    total.add(again)
                    clean.difference_update(again.sessions)
                total.sessions.discard("")
                self.refresh(total.sessions - clean)
            finally:
                try:
                    conn.execute("PRAGMA wal_autocheckpoint = 1000")
                except sqlite3.Error:
                    pass
            if total.bytes > COMMIT_EVERY_BYTES:
                conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        return total

    @staticmethod
    def _quiet(record: FileRecord, st: os.stat_result | None = None) -> bool:
        """Whether `record`'s file is as its stored cursor left it (the tailer would read nothing from it). `st`:
        a stat taken by this same catch-up's discovery; else one is taken now (a write since an older discovery
        must be read)."""
        c = record.cursor
        if not record.stored or record.gone or not c.mtime_ns or not c.inode or record.error not in (None, BINARY_ERROR):
            return False
        if st is None:
            try:
                st = os.stat(record.location)
            except OSError:
                return False
        return (st.st_ino == c.inode and st.st_dev == c.dev and st.st_mtime_ns == c.mtime_ns
                and st.st_size == c.offset + c.scanned)

    def _parse_all(self, todo: list[FileRecord]) -> Iterator[tuple[FileRecord, Parsed]]:
        """Parsed files in order; on a large backlog and POOL_MIN_CPUS cores or more, in a process per core."""
        if not todo:
            return
        workers = pool_workers()
        parse = _parsing()
        read_and_parse = parse.read_and_parse
        unread = 0
        if workers and len(todo) >= 4:  # else no pool: no stat of every file for it
            for record in todo:
                try:
                    unread += max(0, os.path.getsize(record.location) - record.cursor.offset)
                except OSError:
                    pass
        if unread < POOL_MIN_BYTES or not workers or len(todo) < 4:
            for record in todo:
                yield record, read_and_parse(self._job(record))
            return
        done = 0
        try:
            # spawn: the dashboard calls this from a thread, and forking a threaded process is unsafe.
            # Each worker exits when this process dies, even by kill -9.
            from multiprocessing import get_context

            pool_class = globals().get("ProcessPoolExecutor") or __getattr__("ProcessPoolExecutor")
            with pool_class(max_workers=workers, mp_context=get_context("spawn"),
                            initializer=parse.exit_with_parent, initargs=(os.getpid(),)) as pool:
                # A bounded window of files in flight: parsed batches wait for the single writer, so an
                # unbounded map would hold the whole backlog in memory.
                window: deque[Future[Parsed]] = deque()
                try:
                    queued = iter(todo)
                    for record in islice(queued, workers * 32):
                        window.append(pool.submit(read_and_parse, self._job(record)))
                    while window:
                        parsed = window.popleft().result()
                        record = todo[done]
                        nxt = next(queued, None)
                        if nxt is not None:
                            window.append(pool.submit(read_and_parse, self._job(nxt)))
                        yield record, parsed
                        done += 1
                finally:
                    # Stopped early (a failed write): do not parse the rest of the window for nothing.
                    pool.shutdown(wait=False, cancel_futures=True)
        except (OSError, ValueError, RuntimeError) as exc:  # a BrokenProcessPool is a RuntimeError
            if isinstance(exc, StoreError):
                raise
            # Seen inside the dashboard: spawning fails with "bad value(s) in fds_to_keep" once Textual
            # owns the terminal. Parsing in this process is slower but loses nothing.
            log.warning("parallel parsing failed (%s); continuing in this process", exc)
            self.notes.append(f"parallel parsing unavailable ({exc}); parsed in one process instead")
            for record in todo[done:]:
                yield record, read_and_parse(self._job(record))

    def refresh(self, session_ids: Iterable[str]) -> None:
        ids = sorted({s for s in session_ids if s})
        if ids:
            with self._store_errors():
                self._transact(lambda tx: self._refresh_rollups(ids))

    def _refresh_rollups(self, ids: Iterable[str]) -> None:
        ids = sorted({s for s in ids if s})
        if ids:
            # Imported here: the prices and the models are not needed by an unchanged history.
            from cockpit.store.rollup import refresh_rollups

            refresh_rollups(self.db, ids)
            self.db.conn.execute(
                "UPDATE files SET stale = 0 WHERE stale = 1 AND session_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )

    def _job(self, record: FileRecord, max_bytes: int | None = None) -> FileJob:
        return _parsing().FileJob(
            record.path, record.agent, record.subagent, record.agent_id, record.session_id, record.cursor,
            record.parser_state, record.error, max_bytes, record.location,
        )

    def ingest_file(self, record: FileRecord, *, max_bytes: int | None = None, refresh: bool = True) -> IngestResult:
        total = IngestResult()
        with self._store_errors():
            for _attempt in range(3):
                parsed = _parsing().read_and_parse(self._job(record, max_bytes))

                def stage(tx: _Transaction, parsed: Parsed = parsed) -> None:
                    self._stage(tx, record, parsed)
                    if refresh and not tx.conflicts:
                        # Rows and roll-up in one transaction: the gauge never shows half an update.
                        self._refresh_rollups(tx.result.sessions)

                tx = self._transact(stage)
                total.add(tx.result)
                if not tx.conflicts:
                    break
        return total

    # ---- writing ---------------------------------------------------------------------------

    def _transact(self, stage: Callable[[_Transaction], Any]) -> _Transaction:
        """Run `stage` in one write transaction; retried with backoff while the store is locked or full."""
        conn = self.db.conn
        delay = RETRY_FIRST_SECONDS
        attempt = 0
        while True:
            attempt += 1
            tx = _Transaction()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    stage(tx)
                    conn.execute("COMMIT")
                except BaseException:
                    _rollback(conn)
                    raise
            except sqlite3.Error as exc:
                error = store_error(exc, self.db_file)
                if attempt >= self.write_attempts or error.kind not in _TRANSIENT:
                    log.error("store write failed for good after %d attempt(s): %s", attempt, error)
                    raise error from exc
                log.warning("store write failed (%s); attempt %d of %d in %.1f s; nothing is lost",
                            exc, attempt + 1, self.write_attempts, delay)
                time.sleep(delay)
                delay = min(delay * 2, RETRY_MAX_SECONDS)
                continue
            for record, new in tx.adopted:
                _adopt(record, new)
            for action in tx.after:
                action()
            return tx

    def _stored(self, record: FileRecord) -> FileRecord:
        """`record` as its files row says now (another writer may have moved it), or fresh if it has none."""
        row = self.db.conn.execute(f"SELECT {_FILE_COLUMNS} FROM files WHERE path = ?", (record.path,)).fetchone()
        if row is None:
            return replace(record, cursor=Cursor(), parser_state=None, error=None, gone=False, stored=False)
        stored = self._record_from_row(row)
        return replace(stored, realpath=record.realpath or stored.realpath)

    def _unchanged(self, record: FileRecord) -> bool:
        """Whether the files row still holds the cursor this process last committed (no other writer moved it)."""
        row = self.db.conn.execute(
            "SELECT inode, offset, pending_bytes, window_hash, dev FROM files WHERE path = ?", (record.path,)
        ).fetchone()
        if row is None:
            return not record.stored
        c = record.cursor
        return record.stored and tuple(row) == (c.inode, c.offset, c.scanned, c.window, c.dev)

    def _stale(self, record: FileRecord) -> bool:
        row = self.db.conn.execute("SELECT stale FROM files WHERE path = ?", (record.path,)).fetchone()
        return bool(row and row[0])

    def _stage(self, tx: _Transaction, record: FileRecord, parsed: Parsed) -> None:
        """Store what `parsed` read from `record` (inside the open transaction); the new state is adopted on commit."""
        if not self._unchanged(record):
            tx.conflicts.append(record)
            tx.adopted.append((record, self._stored(record)))
            return
        new = replace(record)
        if parsed.status == "gone":
            if not record.gone:
                new.gone = True
                self._save_file_state(new, ended=True, stale=True)
                tx.result.sessions.add(new.session_id)
            tx.adopted.append((record, new))
            return
        if parsed.status == "error":
            if record.error != parsed.error:
                new.error = parsed.error
                self._save_file_state(new, stale=True)
                tx.result.sessions.add(new.session_id)
            tx.adopted.append((record, new))
            return
        new.gone = False
        new.error = parsed.error
        new.session_id = parsed.session_id
        new.cursor = parsed.cursor
        new.parser_state = parsed.parser_state
        unchanged = (
            record.stored and not parsed.reset and not parsed.lines and not parsed.batch.skipped
            and (record.gone, record.error, record.session_id, record.cursor, record.parser_state)
            == (new.gone, new.error, new.session_id, new.cursor, new.parser_state)
        )
        if not unchanged:
            self._write(record, new, parsed.batch, reset=parsed.reset)
        tx.adopted.append((record, new))
        tx.result.lines += parsed.lines
        tx.result.bytes += parsed.bytes
        tx.result.more = tx.result.more or parsed.more
        if new.session_id and (not unchanged or self._stale(record)):
            # Nothing stored: its session's roll-up stands as it is, unless it was never made (a failure after
            # the rows were stored).
            tx.result.sessions.add(new.session_id)

    def _delete_rows(self, record: FileRecord, session_ids: Iterable[str]) -> None:
        """Forget every row read from `record`'s file (it is read again from 0)."""
        conn = self.db.conn
        for sid in sorted(set(session_ids)):
            # api_calls and tool_calls are indexed by session, the others by path; a call's changed files go with it.
            conn.execute(
                "DELETE FROM tool_files WHERE session_id = ? AND tool_use_id IN"
                " (SELECT tool_use_id FROM tool_calls WHERE session_id = ? AND path = ?)",
                (sid, sid, record.path),
            )
            for table in ("api_calls", "tool_calls"):
                conn.execute(f"DELETE FROM {table} WHERE session_id = ? AND path = ?", (sid, record.path))
            if not record.subagent:
                # Title, first prompt and state are rebuilt from the new content, read from 0.
                conn.execute("DELETE FROM sessions WHERE session_id = ? AND path = ?", (sid, record.path))
        for table in ("compactions", "prompts", "skipped", "interrupts"):
            conn.execute(f"DELETE FROM {table} WHERE path = ?", (record.path,))

    def _write(self, record: FileRecord, new: FileRecord, batch: Batch, *, reset: bool) -> None:
        conn = self.db.conn
        if reset:
            self._delete_rows(record, {record.session_id, new.session_id})
        if batch.calls:
            conn.executemany(
                """INSERT INTO api_calls VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
                ON CONFLICT(key) DO UPDATE SET
                    output_tokens = excluded.output_tokens, input_tokens = excluded.input_tokens,
                    cache_creation_input_tokens = excluded.cache_creation_input_tokens,
                    cache_creation_1h_tokens = excluded.cache_creation_1h_tokens,
                    cache_read_input_tokens = excluded.cache_read_input_tokens,
                    is_sidechain = excluded.is_sidechain
                WHERE (excluded.input_tokens + excluded.output_tokens + excluded.cache_creation_input_tokens
                       + excluded.cache_read_input_tokens)
                    > (api_calls.input_tokens + api_calls.output_tokens + api_calls.cache_creation_input_tokens
                       + api_calls.cache_read_input_tokens)
                   OR (api_calls.is_sidechain = 1 AND excluded.is_sidechain = 0)""",
                batch.calls,
            )
        if batch.compactions:
            conn.executemany("INSERT OR IGNORE INTO compactions VALUES (?,?,?,?,?,?,?)", batch.compactions)
        if batch.tools_started:
            conn.executemany(
                "INSERT OR IGNORE INTO tool_calls (session_id, tool_use_id, path, seq, name, summary, started_at, agent_id,"
                " finished_at, is_error, input_hash, error) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                batch.tools_started,
            )
        if batch.tool_files:
            conn.executemany("INSERT OR IGNORE INTO tool_files VALUES (?,?,?,?,?)", batch.tool_files)
        if batch.tools_finished:
            conn.executemany(
                "UPDATE tool_calls SET finished_at = ?, is_error = ?, error = ? WHERE session_id = ? AND tool_use_id = ?",
                batch.tools_finished,
            )
        if batch.prompts:
            conn.executemany("INSERT OR IGNORE INTO prompts VALUES (?,?,?,?,?)", batch.prompts)
        if batch.interrupts:
            conn.executemany("INSERT OR IGNORE INTO interrupts VALUES (?,?,?,?)", batch.interrupts)
        for reason, count in batch.skipped.items():
            conn.execute(
                "INSERT INTO skipped VALUES (?,?,?) ON CONFLICT(path, reason) DO UPDATE SET count = count + excluded.count",
                (new.path, reason, count),
            )
        if not new.subagent and new.session_id:
            self._write_session(new, batch)
        self._save_file_state(new, stale=bool(new.session_id))

    def _write_session(self, record: FileRecord, batch: Batch) -> None:
        conn = self.db.conn
        row = conn.execute(
            "SELECT project, branch, version, model, title, title_rank, last_prompt, started_at, last_activity_at,"
            " state, state_at, parent_session_id FROM sessions WHERE session_id = ?",
            (record.session_id,),
        ).fetchone()
        m = batch.meta
        if row is None and not (m or batch.calls or batch.first_ts):
            return
        if row is None:
            project, branch, version, model, title, rank, last_prompt, started, last, state, state_at, parent = (
                "", "", "", "", "", 0, "", None, None, "idle", None, "",
            )
        else:
            project, branch, version, model, title, rank, last_prompt, started, last, state, state_at, parent = row
        # The project is the session's original cwd: the first one seen, never a later subdirectory.
        project = project or m.get("cwd") or ""
        branch = m.get("branch", branch)
        version = m.get("version", version)
        model = m.get("model", model)
        if m.get("title") and m.get("title_rank", 0) >= rank:
            title, rank = m["title"], m["title_rank"]
        last_prompt = m.get("last_prompt", last_prompt)
        parent = m.get("parent_session_id", parent)
        if batch.first_ts and (started is None or batch.first_ts < started):
            started = batch.first_ts
        if batch.last_ts and (last is None or batch.last_ts > last):
            last = batch.last_ts
        if batch.state and (state_at is None or batch.state[1] >= state_at):
            state, state_at = batch.state
        first_prompt = next((one_line(p[4], 200) for p in batch.prompts if not p[4].startswith("<")), "")
        conn.execute(
            """INSERT INTO sessions (session_id, agent, path, project, branch, version, model, title, title_rank,
                   last_prompt, started_at, last_activity_at, state, state_at, ended, first_prompt, parent_session_id)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,0,?,?)
               ON CONFLICT(session_id) DO UPDATE SET path = excluded.path, project = excluded.project,
                   branch = excluded.branch, version = excluded.version, model = excluded.model,
                   title = excluded.title, title_rank = excluded.title_rank, last_prompt = excluded.last_prompt,
                   started_at = excluded.started_at, last_activity_at = excluded.last_activity_at,
                   state = excluded.state, state_at = excluded.state_at, ended = 0,
                   parent_session_id = excluded.parent_session_id,
                   first_prompt = CASE WHEN sessions.first_prompt = '' THEN excluded.first_prompt
                                       ELSE sessions.first_prompt END""",
            (record.session_id, record.agent.value, record.path, project, branch, version, model, title, rank,
             last_prompt, started, last, state, state_at, first_prompt, parent),
        )

    def _save_file_state(self, record: FileRecord, *, ended: bool = False, stale: bool = False) -> None:
        """Upsert `record`'s files row (inside the open transaction) and mark it stored."""
        conn = self.db.conn
        try:
            st = os.stat(record.location)
            size, mtime = st.st_size, st.st_mtime
        except OSError:
            size, mtime = 0, 0.0
        c = record.cursor
        conn.execute(
            """INSERT INTO files (path, agent, session_id, subagent, agent_id, inode, offset, pending_bytes, size, mtime,
                   parser_state, error, gone, dev, realpath, mtime_ns, window_hash, stale)
               VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(path) DO UPDATE SET session_id = excluded.session_id, inode = excluded.inode,
                   offset = excluded.offset, pending_bytes = excluded.pending_bytes, size = excluded.size,
                   mtime = excluded.mtime, parser_state = excluded.parser_state, error = excluded.error,
                   gone = excluded.gone, dev = excluded.dev, realpath = excluded.realpath,
                   mtime_ns = excluded.mtime_ns, window_hash = excluded.window_hash,
                   stale = MAX(files.stale, excluded.stale)""",
            (record.path, record.agent.value, record.session_id, int(record.subagent), record.agent_id,
             c.inode, c.offset, c.scanned, size, mtime,
             json.dumps(record.parser_state) if record.parser_state else None, record.error, int(record.gone),
             c.dev, os.fsencode(record.location), c.mtime_ns, c.window, int(stale and bool(record.session_id))),
        )
        if ended and not record.subagent:
            conn.execute("UPDATE sessions SET ended = 1, state = 'ended' WHERE session_id = ?", (record.session_id,))
        record.stored = True
