"""Widgets of the cockpit UI."""
