"""The config document edits config.toml in place: comments and layout survive; saves are atomic."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.core.errors import ConfigError

HAND_WRITTEN = """\
# My traystatus config — written by hand
timezone = "Asia/Kolkata"  # I live here

# my hours
working_hours = "mon-fri 10:00-18:30"

[general]
# keep titles private!
share_titles = false

[[calendars]]
name = "Work"   # from Outlook
path = "/tmp/work.ics"
"""


def test_round_trip_keeps_comments_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN)
    doc = TomlConfigDocument(path, default_tz=ZoneInfo("UTC"))
    doc.set("general.notify_on_change", False)
    doc.set("calendars[1].refresh_minutes", 30)
    settings = doc.save()
    text = path.read_text()
    for comment in (
        "# My traystatus config — written by hand",
        "# I live here",
        "# my hours",
        "# keep titles private!",
        "# from Outlook",
    ):
        assert comment in text
    assert "notify_on_change = false" in text and "refresh_minutes = 30" in text
    assert settings.general.notify_on_change is False
    assert settings.calendars[0].refresh_minutes == 30
    assert str(settings.timezone) == "Asia/Kolkata"


def test_invalid_edit_is_not_saved_and_names_the_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(HAND_WRITTEN)
    doc = TomlConfigDocument(path, default_tz=ZoneInfo("UTC"))
    doc.set("working_hours", "mon-fri 9-5")
    with pytest.raises(ConfigError) as e:
        doc.save()
    assert e.value.key == "working_hours"
    assert "9-5" in e.value.message
    assert path.read_text() == HAND_WRITTEN  # nothing written
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".config-")]  # no temp file left


def test_new_file_gets_a_header_and_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "config.toml"
    doc = TomlConfigDocument(path, default_tz=ZoneInfo("Europe/Berlin"))
    doc.set_items("exceptions", [{"first": "2026-12-24", "last": "2026-12-26", "label": "Christmas"}])
    settings = doc.save()
    text = path.read_text()
    assert text.startswith("# traystatus configuration")
    assert "schema_version = 1" in text and "[[exceptions]]" in text
    assert settings.exceptions[0].label == "Christmas"
    assert str(settings.timezone) == "Europe/Berlin"


def test_broken_toml_is_reported_with_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("timezone = \n")
    with pytest.raises(ConfigError) as e:
        TomlConfigDocument(path, default_tz=ZoneInfo("UTC"))
    assert str(path) in e.value.message
