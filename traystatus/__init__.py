"""traystatus: availability from your calendars, published to Slack and Matrix."""

__version__ = "0.1.0"
