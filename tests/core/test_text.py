"""Untrusted transcript text made safe to show (cockpit/core/text.py)."""

from __future__ import annotations

import pytest

from cockpit.core.text import one_line, strip_controls


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\x1b[31mred\x1b[0m text", "red text"),  # SGR
        ("a\x1b[2J\x1b[Hb", "ab"),  # clear screen, cursor home
        ("x\x1b[?1049hy", "xy"),  # private-mode CSI (alternate screen)
        ("\x1b]0;evil title\x07after", "after"),  # OSC terminated by BEL
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink terminated by ST
        ("a\x1bMb", "ab"),  # two-byte escape (reverse index)
        ("a\x1bcb", "acb"),  # RIS: the ESC goes, the plain letter is harmless
        ("bell\x07 back\x08space del\x7f", "bell backspace del"),  # C0 + DEL
        ("c1\x9b31m\x85\x90x", "c131mx"),  # C1 controls removed (their parameters are plain text)
        ("carriage\rreturn", "carriagereturn"),
    ],
)
def test_strip_controls_removes_escape_sequences_and_controls(raw, clean):
    assert strip_controls(raw) == clean


def test_strip_controls_keeps_newlines_tabs_and_unicode():
    text = "line 1\n\tline 2 — ünïcödé ✓ 日本"
    assert strip_controls(text) == text


@pytest.mark.parametrize("markup", ["[bold red]x[/]", "[link=http://x]y[/link]", "[/]", "\\[escaped]"])
def test_rich_markup_looking_text_is_kept_verbatim(markup):
    assert strip_controls(markup) == markup
    assert one_line(markup) == markup


def test_strip_controls_removes_bidi_and_invisible_characters_too():
    assert strip_controls("a\u202eb\u200bc\ufeffd\U000e0041e\udc80f") == "abcdef"


def test_one_line_flattens_whitespace_and_shows_controls_as_escapes():
    assert one_line("  a\n\n b\t\x1b[1mc\x1b[0m  ") == "a b \\x1b[1mc\\x1b[0m"
    assert one_line("safe\rEVIL\r\nnext") == "safe\\rEVIL next"


def test_one_line_cuts_with_an_ellipsis_at_the_limit():
    assert one_line("x" * 10, 10) == "x" * 10
    cut = one_line("x" * 11, 10)
    assert cut == "x" * 9 + "…" and len(cut) == 10


def test_the_ascii_class_matches_exactly_what_the_full_pattern_matches_in_ascii() -> None:
    from cockpit.core import text as text_module

    every = "".join(chr(c) for c in range(128))
    assert text_module._ASCII_UNSAFE.findall(every) == text_module._UNSAFE_MULTILINE.findall(every)
    # and json_safe on ASCII escapes them as before: DEL and a raw C0 byte that is not a newline or a tab
    assert text_module.json_safe('{"a": "x\x7fy\x01"}\n\t') == '{"a": "x\\u007fy\\u0001"}\n\t'
