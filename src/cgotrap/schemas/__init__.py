"""JSON Schemas of the machine output formats (checked in, validated by the tests)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def load(name: str) -> dict[str, Any]:
    """The schema `name` ("scan", "inspect", "matrix") as a decoded JSON object."""
    text = resources.files(__name__).joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema
