"""The context every sub-command starts from, apart from `cockpit.cli.commands` so that the sub-command
modules it registers can use it without importing it back."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


class Context:
    """What every command needs: settings, roots and the database, resolved from flags."""

    def __init__(self, args: argparse.Namespace) -> None:
        from cockpit.sources.discovery import claude_roots, codex_roots

        self.args = args
        self._config_path: Path | None = Path(args.config) if getattr(args, "config", None) else None
        self._settings: Any = None
        self.claude_roots = claude_roots(getattr(args, "claude_dir", []) or [])
        self.codex_roots = codex_roots(getattr(args, "codex_dir", []) or [])
        self._db: Any = None

    @property
    def config_path(self) -> Path:
        if self._config_path is None:
            self._config_path = default_config_path()
        return self._config_path

    @property
    def settings(self) -> Any:
        """The settings file read (and --live-minutes applied) when a command first asks: `cockpit index`
        reads it only on the day it prunes."""
        if self._settings is None:
            from cockpit.config.settings import load_settings

            settings = load_settings(self.config_path)
            if getattr(self.args, "live_minutes", None):
                from dataclasses import replace

                settings = replace(settings, live_minutes=self.args.live_minutes)
            self._settings = settings
        return self._settings

    @settings.setter
    def settings(self, value: Any) -> None:
        self._settings = value

    @property
    def explicit_roots(self) -> tuple[str, ...]:
        """With a folder given by a flag, listings are limited to the folders in use (the database may hold
        others): the flagged ones, and the discovered ones of the agent no flag named."""
        roots = [*self.claude_roots, *self.codex_roots]
        if not any(r.origin == "flag" for r in roots):
            return ()
        return tuple(r.path for r in roots)

    @property
    def db_path(self) -> Path:
        from cockpit.store.db import default_db_path

        return Path(self.args.db) if getattr(self.args, "db", None) else default_db_path()

    @property
    def db(self) -> Any:
        """The store, opened once; StoreError (one line: the file, what is wrong, the fix) if it cannot be used."""
        if self._db is None:
            from cockpit.store.db import open_db

            self._db = open_db(self.db_path)
        return self._db

    def close(self) -> None:
        """Close the store if it was opened. A connection is only freed by the cycle collector (its statement
        cache refers back to it), so a command that ends without this may leave it open, and its -wal and -shm
        files in place, for as long as the process runs (the tests run many commands in one)."""
        if self._db is not None:
            db, self._db = self._db, None
            db.close()

    def ingestor(self) -> Any:
        from cockpit.ingest.pipeline import Ingestor

        return Ingestor(self.db, self.claude_roots, self.codex_roots)


def default_config_path() -> Path:
    from cockpit.config.user import user_config_path

    return user_config_path()
