"""Untrusted text made safe to show: every character a terminal would obey is shown instead, bounded length.

Rendering as plain text (never markup) is the UI's job; this handles what plain text still lets
through. `terminal_safe` writes each control, escape, bidi, invisible or lone-surrogate code point
in Python's escape notation (`\\x1b`, `\\r`, `\\u202e`, `\\U000e0041`), so nothing is obeyed and
nothing vanishes: an ESC sequence (CSI, OSC 52 or 8, DCS, APC, PM, SOS) becomes inert printable
text with its ESC shown, and `safe\\rEVIL` stays visibly two parts. Backslashes already in the text
are left alone: the output is unchanged by a second pass, so text sanitised when parsed and again
when printed reads the same (a literal `\\x1b` typed by someone looks like an escaped ESC; it is
equally harmless).

Kept: newlines and tabs in multi-line text, CRLF as a newline, every printable character, emoji
joined by a zero-width joiner, and one variation selector after a visible character (emoji and
CJK presentation); a joiner or selector anywhere else, or a run of selectors (the
"emoji smuggling" carrier), is shown.

`dumps` is the one JSON form of every `--json`: exact values (a parser gets the text back as it was,
escape sequences included), readable Unicode (ensure_ascii=False), and the same unsafe code points
written as JSON `\\u` escapes, so the raw output is inert on a terminal too.
"""

from __future__ import annotations

import re
from typing import Any

# Everything shown as an escape, whatever surrounds it: C0 (bar \t and \n, handled per mode), DEL and C1;
# Unicode format characters (Cf: soft hyphen, Arabic and Syriac marks, the Mongolian vowel separator,
# zero-width space/non-joiner, LRM/RLM/ALM, embeddings and overrides, isolates, word joiner and invisible
# operators, BOM, interlinear annotation, tags); line/paragraph separators; invisible fillers; surrogates.
_ALWAYS = (
    "\x00-\x08\x0b-\x1f\x7f-\x9f"
    "\u00ad\u034f\u0600-\u0605\u061c\u06dd\u070f\u0890\u0891\u08e2\u115f\u1160\u17b4\u17b5\u180e"
    "\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ud800-\udfff\ufeff\uffa0\ufff9-\ufffb"
    "\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f"
)
_SELECTORS = "\ufe00-\ufe0f\U000e0100-\U000e01ef"
_EMOJI = "\u2300-\u23ff\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"


def _pattern(extra: str) -> re.Pattern[str]:
    always = _ALWAYS + extra
    return re.compile(
        f"[{always}]"
        # a zero-width joiner, unless it joins two emoji (after an emoji or its presentation selector)
        f"|(?<![{_EMOJI}\ufe0f])\u200d|\u200d(?![{_EMOJI}])"
        # a variation selector not directly after a visible character: at the start, after a space,
        # after another selector or after something shown as an escape
        f"|(?<![^\\s{_SELECTORS}{always}\u200d])[{_SELECTORS}]"
    )


_UNSAFE_MULTILINE = _pattern("")
_UNSAFE_ONE_LINE = _pattern("\t\n")
_ASCII_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")  # what _UNSAFE_MULTILINE matches in ASCII
_SHORT = {"\t": "\\t", "\n": "\\n", "\r": "\\r"}
# Select Graphic Rendition (colour and style) only: ESC [ digits ; : m.
_STYLE = re.compile(r"\x1b\[[0-9;:]*m")
# For `strip_controls`: whole CSI, OSC, DCS/SOS/PM/APC strings and two-byte escapes, then single code points.
_SEQUENCES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b[\]PX^_][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[@-_]"
)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _SHORT:
        return _SHORT[char]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def terminal_safe(text: str, *, multiline: bool = True, keep_styles: bool = False) -> str:
    """`text` with every code point a terminal would obey, or that would hide or reorder text, shown
    as an escape. `multiline` keeps newlines and tabs (CRLF becomes a newline); otherwise they are
    escaped too. `keep_styles` keeps SGR colour sequences, for output of a command the user chose."""
    if keep_styles:
        pieces = _STYLE.split(text)
        styles = _STYLE.findall(text)
        safe = [terminal_safe(p, multiline=multiline) for p in pieces]
        return "".join(s + (styles[i] if i < len(styles) else "") for i, s in enumerate(safe))
    if multiline:
        return _UNSAFE_MULTILINE.sub(_escape, text.replace("\r\n", "\n"))
    return _UNSAFE_ONE_LINE.sub(_escape, text)


def drop_styles(text: str) -> str:
    """Remove SGR colour and style sequences (what test runners print); every other escape stays for
    `terminal_safe` to show."""
    return _STYLE.sub("", text)


def strip_controls(text: str) -> str:
    """Remove escape sequences, control, bidi and invisible characters, keeping newlines and tabs: for
    names and matching (file slugs, path tokens), where an escape would be wrong. To show text, use
    `terminal_safe` or `one_line`."""
    return _UNSAFE_MULTILINE.sub("", _SEQUENCES.sub("", text))


def one_line(text: str, limit: int = 200) -> str:
    """A single display line: `terminal_safe`, whitespace runs collapsed, cut with an ellipsis."""
    flat = " ".join(terminal_safe(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def exact_line(value: object) -> str:
    """A path, command, name or message exactly as written, on one line: `terminal_safe` with newlines and
    tabs shown as escapes too, spaces kept (unlike `one_line`), nothing cut."""
    return terminal_safe(str(value), multiline=False)


def json_safe(text: str) -> str:
    """JSON text (as json.dumps with ensure_ascii=False writes it) with every unsafe code point inside its
    strings written as a \\u escape: the same value for a parser, inert on a terminal. Readable
    non-ASCII text stays as it is."""

    def escape(match: re.Match[str]) -> str:
        code = ord(match.group())
        if code < 0x10000:
            return f"\\u{code:04x}"
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"

    # ASCII text (most JSON: every --json of a big history) can only hold C0 and DEL: a plain class scans it ~50x
    # faster than the full pattern with its look-behinds (0.1 s of `cockpit sessions --json --all` on 2,000).
    return (_ASCII_UNSAFE if text.isascii() else _UNSAFE_MULTILINE).sub(escape, text)


def dumps(value: Any, *, indent: int | None = 2, default: Any = None) -> str:
    """The one JSON form every `--json` prints: exact values, readable Unicode, nothing a terminal obeys."""
    import json  # here: the hook's policy imports this module and must not load json

    return json_safe(json.dumps(value, indent=indent, ensure_ascii=False, default=default))
