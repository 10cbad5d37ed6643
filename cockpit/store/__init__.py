"""cockpit.store."""
