"""Column widths that fit a pane: every column as wide as its content, one flexible column takes the rest."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import DataTable

MIN_FLEX = 12
MIN_READABLE = 28


def content_widths(names: Sequence[str], rows: Sequence[Sequence[Text]]) -> list[int]:
    return [max([len(name), *(cells[i].cell_len for cells in rows)]) for i, name in enumerate(names)]


def fit_widths(widths: Sequence[int], flex: int, available: int, padding: int = 2,
               caps: dict[int, int] | None = None) -> list[int]:
    """Shrink column `flex` so the row fits `available` cells (each column also takes `padding`).
    When that leaves it narrower than its content and MIN_READABLE, columns in `caps` give up room first."""
    fitted = list(widths)
    for index, cap in (caps or {}).items():
        others = sum(w + padding for i, w in enumerate(fitted) if i != flex)
        if available - others - padding >= min(widths[flex], MIN_READABLE):
            break
        fitted[index] = min(fitted[index], cap)
    others = sum(w + padding for i, w in enumerate(fitted) if i != flex)
    fitted[flex] = max(MIN_FLEX, min(widths[flex], available - others - padding))
    return fitted


def fill_table(table: DataTable[Text], names: Sequence[str], rows: Sequence[tuple[str, Sequence[Text]]],
               flex: int, caps: dict[int, int] | None = None) -> None:
    """Replace columns and rows; the header is re-measured with the rows so it never lags them."""
    widths = content_widths(names, [cells for _, cells in rows])
    # Leave room for the vertical scrollbar when the rows overflow.
    available = table.size.width - (2 if len(rows) + 1 > table.size.height else 0)
    if available > 0:
        widths = fit_widths(widths, flex, available, caps=caps)
    table.clear(columns=True)
    for name, width in zip(names, widths, strict=True):
        table.add_column(name, key=name or "flags", width=width)
    for key, cells in rows:
        table.add_row(*cells, key=key)
