"""Helpers shared by the renderers: stable JSON text and schema access."""

from __future__ import annotations

from typing import Any

from cgotrap.render.jsontext import dumps
from cgotrap.render.untrusted import json_document


def json_text(document: dict[str, Any]) -> str:
    """A machine-format document as stable, diffable JSON text (2-space indent, newline)."""
    if "version" not in document:
        raise ValueError("machine output documents carry a 'version' field")
    # Names from the scanned tree may hold controls and bytes that are not UTF-8: escaped
    # the one way every format escapes them (`untrusted`), so the text is valid UTF-8 JSON.
    # (`dumps`: json.dumps's text with indent=2, ensure_ascii=False, written faster)
    return json_document(dumps(document)) + "\n"
