"""All IO but the database's: transcripts, files, watchers, gate processes, and git (only through sources/git.py)."""
