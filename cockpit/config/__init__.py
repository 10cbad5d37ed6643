"""One reader per configuration file, each validated, each naming the bad key.

- the user's config.toml: config/user.py reads it; settings.py ([dashboard], [gates], [retention]),
  policy.py ([approvals]) and keys.py ([keys]) interpret its tables.
- the repository's cockpit.toml / pyproject.toml [tool.cockpit]: config/repo.py reads them; gates.py
  ([gates], else detection), llm.py ([llm], [vibe]) and policy.py ([approvals]) interpret them.
Every file is read by config/toml_file.py: a regular file of at most 4 MiB, never blocking.
"""
