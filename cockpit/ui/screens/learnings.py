"""Learnings: what retros extracted, newest first; `/` searches title and body (full text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input

from cockpit.core.text import one_line
from cockpit.store.learnings import search_learnings
from cockpit.ui.screens.report import ReportScreen

if TYPE_CHECKING:
    from cockpit.ui.app import CockpitApp


class LearningsScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="back-from-learnings"),
        Binding("slash", "search", "Search", id="search-learnings", tooltip="Full-text search in titles and bodies"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self.query_text = ""

    @property
    def cockpit(self) -> CockpitApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Input(placeholder="search learnings: words in the title or body — Enter keeps, Esc clears",
                    id="learnings-search")
        yield DataTable(id="learnings", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "learnings"
        table = self.query_one("#learnings", DataTable)
        table.add_columns("id", "date", "category", "confidence", "source", "title", "session")
        self.query_one("#learnings-search", Input).display = False
        self.reload()
        table.focus()

    def reload(self) -> None:
        self.rows = search_learnings(self.cockpit.db.conn, self.query_text, limit=500)
        table = self.query_one("#learnings", DataTable)
        table.clear()
        for row in self.rows:
            table.add_row(Text(f"L{row['id']}"), Text(row["created_at"][:10]), Text(row["category"]),
                          Text(row["confidence"]), Text(row["source"]), Text(one_line(row["title"], 90)),
                          Text(row["session_id"][:8]), key=str(row["id"]))
        what = f"matching {self.query_text!r}" if self.query_text else "newest first"
        self.sub_title = f"{len(self.rows)} learnings {what}" if self.rows else (
            "no learnings yet: t on a session writes a retro and its learnings" if not self.query_text
            else f"no learning matches {self.query_text!r}")

    def action_search(self) -> None:
        field = self.query_one("#learnings-search", Input)
        field.display = True
        field.focus()

    def action_back(self) -> None:
        field = self.query_one("#learnings-search", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.query_text = ""
            self.reload()
            self.query_one("#learnings", DataTable).focus()
            return
        self.app.pop_screen()

    def on_input_changed(self, event: Input.Changed) -> None:
        self.query_text = event.value.strip()
        self.reload()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one("#learnings", DataTable).focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        row = next((r for r in self.rows if str(r["id"]) == event.row_key.value), None)
        if row is None:
            return
        from pathlib import Path

        try:
            text = Path(row["repo"], row["path"]).read_text(encoding="utf-8")
        except OSError:
            text = f"# Learning: {row['title']}\n\n{row['body']}\n\n**Evidence**: {row['evidence']}\n"
        self.app.push_screen(ReportScreen(f"learning L{row['id']}", text))
