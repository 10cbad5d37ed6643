"""The Claude a review talks to: the repository's `[llm]` settings (or `--model`) and ANTHROPIC_API_KEY.

Without a key the client is not `available` and every review takes its offline path.
"""

from __future__ import annotations

import os

from cockpit.config.llm import VibeSettings, load_llm_config
from cockpit.llm.client import Llm


def configured_llm(root: str | os.PathLike[str], *, model: str | None = None) -> tuple[Llm, VibeSettings, list[str]]:
    """(client, the repository's `[vibe]` settings, problems with its configuration, each naming the key)."""
    settings, vibe, problems = load_llm_config(root, model=model)
    return Llm(settings), vibe, problems
