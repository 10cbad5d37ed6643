"""Transcripts into the store: parse a line, the durable pipeline, the live watcher."""
