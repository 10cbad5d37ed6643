"""cockpit.sources."""
