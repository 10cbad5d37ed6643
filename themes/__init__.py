"""Themes shipped with cockpit (packaged as cockpit.themes)."""
