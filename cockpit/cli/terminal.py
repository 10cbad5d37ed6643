"""What the headless commands print: through `terminal_safe`, so no text from a transcript, a diff, an
issue, a config file or a tool is ever obeyed by the terminal (see cockpit/core/text.py for the notation).

`out` is `print` for text, `out_json` the one form of every `--json`. Stdlib only: the hooks and the
statusLine import it and must start fast.
"""

from __future__ import annotations

import sys
from typing import Any

from cockpit.core.text import dumps, exact_line, terminal_safe


def out(text: object = "", *, err: bool = False, end: str = "\n", flush: bool = False) -> None:
    """`print` for text from outside: every control, escape, bidi and invisible character is shown escaped."""
    stream = sys.stderr if err else sys.stdout
    stream.write(terminal_safe(f"{text}{end}"))
    if flush:
        stream.flush()


def whole(message: str, indent: str = "    ") -> str:
    """A message from outside that may run over several lines (git's "dubious ownership" ends with the command
    that fixes it), kept whole: its first line as it is, each further line on its own, after `indent`; blank
    lines dropped, and every line one display line (`exact_line`)."""
    lines = [exact_line(line.strip()) for line in message.strip().splitlines() if line.strip()]
    return f"\n{indent}".join(lines)


def out_json(value: Any, *, indent: int | None = 2, default: Any = None) -> None:
    """`value` as JSON on stdout: exact for a parser, readable Unicode, unsafe code points as \\u escapes."""
    sys.stdout.write(dumps(value, indent=indent, default=default) + "\n")
