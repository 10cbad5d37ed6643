"""Screens of the cockpit UI."""
