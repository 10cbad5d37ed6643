"""The terminal UI, the only package that imports Textual: app.py (wiring and app-wide state), screens/,
widgets/ (the dashboard's panes among them), workers/ (background work, reporting through messages.py),
gates.py and jobs.py (what the gate and validation keys drive)."""
