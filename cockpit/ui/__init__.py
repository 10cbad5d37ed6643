"""cockpit.ui."""
