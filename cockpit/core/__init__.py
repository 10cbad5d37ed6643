"""cockpit.core."""
