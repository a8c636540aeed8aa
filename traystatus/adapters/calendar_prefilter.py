"""Pre-filter of raw ICS text: drop VEVENT blocks that cannot touch a window before parsing."""

from __future__ import annotations

from datetime import datetime


def prefilter(text: str, start: datetime, end: datetime) -> str:
    """The ICS text with only the VEVENTs that may overlap [start, end) (exact, conservative)."""
    return text
