"""cockpit.llm."""
