"""Numbers read from settings files: what a TOML value means as a number, before a range is checked."""

from __future__ import annotations

import math


def as_number(value: object) -> float | None:
    """`value` as a float when it is an int or a float (not a bool); an int too large for a float is inf.
    None for anything else, so the caller's message can name the key and show the value as written."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf
