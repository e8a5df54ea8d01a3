"""Rules of the source area (see the ID ranges in `cgotrap.judge.rules`)."""

from __future__ import annotations
