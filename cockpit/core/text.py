"""Untrusted text made safe to show: no terminal control sequences, bounded length.

Rendering as plain text (never markup) is the UI's job; this strips what plain text still
lets through: ANSI/OSC escape sequences and other C0/C1 control characters.
"""

from __future__ import annotations

import re

# CSI (ESC [ ... final), OSC (ESC ] ... BEL or ESC \), other two-byte ESC sequences, then lone controls.
_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]|[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Remove escape sequences and control characters, keeping newlines and tabs."""
    return _ESCAPES.sub("", text)


def one_line(text: str, limit: int = 200) -> str:
    """A single display line: controls removed, whitespace runs collapsed, cut with an ellipsis."""
    flat = " ".join(strip_controls(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
