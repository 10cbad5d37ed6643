"""Use cases: one module each. The CLI and the UI call these; these call llm, store, sources and core."""
