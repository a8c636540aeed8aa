"""The tray icon's states: one SVG per value (``resources/icons/<value>-<light|dark>.svg``).

Apart from :mod:`traystatus.core.tray_view` so that the icon can be put on screen at start-up before the
view model (and the models it imports) is loaded.
"""

from __future__ import annotations

import enum


class IconState(enum.StrEnum):
    """One icon per value (``resources/icons/<value>-<light|dark>.svg``)."""

    AVAILABLE = "available"
    MEETING = "meeting"
    FOCUS = "focus"
    OOO = "ooo"
    OFF_HOURS = "off_hours"
    BREAK = "break"
    PAUSED = "paused"
    ATTENTION = "attention"


__all__ = ["IconState"]
