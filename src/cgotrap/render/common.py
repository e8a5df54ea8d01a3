"""Helpers shared by the renderers: stable JSON text and schema access."""

from __future__ import annotations

import json
from typing import Any


def json_text(document: dict[str, Any]) -> str:
    """A machine-format document as stable, diffable JSON text (2-space indent, newline)."""
    if "version" not in document:
        raise ValueError("machine output documents carry a 'version' field")
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
