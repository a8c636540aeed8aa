"""A local Slack Web API emulator that enforces Slack's documented contract (tests/data/slack-specs) and records calls.

Use the ``slack_emulator`` fixture (tests/fixtures/slack.py) or ``with SlackEmulator(now=clock) as slack:``.
"""

from __future__ import annotations

from tests.slack_emulator.server import DEFAULT_TOKEN, Fault, SlackEmulator
from tests.slack_emulator.workspace import ALL_USER_SCOPES, Call, Channel, Message, Token, User, Workspace

__all__ = [
    "ALL_USER_SCOPES",
    "DEFAULT_TOKEN",
    "Call",
    "Channel",
    "Fault",
    "Message",
    "SlackEmulator",
    "Token",
    "User",
    "Workspace",
]
