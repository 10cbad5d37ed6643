"""The one door out: every text the llm layer sends to Claude or writes under `.agents/` is redacted here.

A flow makes one `Outbound`, passes every piece of data through `clean` (or `clean_data` for facts) before
it goes into a prompt, a report, a file name or a record, and reports `counts`. What is written is built
from the same cleaned pieces as what is sent: no raw copy is kept for the file. `write` redacts once more
(idempotent: clean text stays as it is) and slugs file names from redacted text only.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from cockpit.core.redact import redact, summarize
from cockpit.sources.agents_files import write_agents_file


class Outbound:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def clean(self, text: str) -> str:
        if not text:
            return text
        result = redact(text)
        self.counts.update(result.counts)
        return result.text

    def clean_data(self, value: Any) -> Any:
        """`value` with every string inside it (dict values, list items) redacted; other values as they are."""
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, dict):
            return {k: self.clean_data(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return type(value)(self.clean_data(v) for v in value)
        return value

    def slug(self, text: str, slugger: Callable[[str], str]) -> str:
        """A file-name slug of `text` made after redaction: a token never reaches a file name, even cut short."""
        return slugger(self.clean(text))

    def summary(self) -> str:
        return summarize(self.counts)

    def write(self, root: str, folder: str, stem: str, text: str) -> tuple[str, str]:
        """Write `.agents/<folder>/<stem>.md` with `text` redacted (and the stem checked):
        (the path relative to `root`, the text written)."""
        if redact(stem).total:  # stems are slugs of redacted text already; this guards a careless caller
            stem = re.sub(r"[^A-Za-z0-9._\-]+", "-", self.clean(stem)).strip("-")
        written = self.clean(text)
        return write_agents_file(root, folder, stem, written), written


@dataclass(frozen=True, slots=True)
class DryRun:
    """What a flow would send, and why it would or would not: printed by `--dry-run --json`."""

    request: dict[str, Any] | None  # the Messages API request, exactly as `Llm.structured` sends it first
    redacted: dict[str, int] = field(default_factory=dict)
    would_send: bool = False
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.request or {})
        out["redacted"] = dict(sorted(self.redacted.items()))
        out["would_send"] = self.would_send
        if self.reason:
            out["reason"] = self.reason
        return out
