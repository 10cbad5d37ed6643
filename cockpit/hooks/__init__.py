"""cockpit.hooks."""
