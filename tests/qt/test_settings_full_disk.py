"""The settings window on a full disk (a real filled tmpfs): a change is not saved, the window says why with the
path and the fix, the change stays in the window, and it is saved once there is room."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox
from pytestqt.qtbot import QtBot

from tests.fixtures.storage import fill
from tests.qt.test_settings_window import HAND, open_window, wait_saved


def test_a_change_on_a_full_disk_is_kept_and_saved_once_there_is_room(qtbot: QtBot, small_tmpfs: Path) -> None:
    config = small_tmpfs / "config.toml"
    config.write_text(HAND)
    w = open_window(qtbot, config, small_tmpfs)
    fill(small_tmpfs)
    box = w.page("General").findChildren(QCheckBox)[2]  # share titles
    assert box.accessibleName().startswith("Share meeting")
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_Space)
    qtbot.waitUntil(lambda: "Not saved" in w.status.text(), timeout=5000)
    status = w.status.text()
    assert f"Cannot write the config file: {config}: the disk is full. To fix: free some space there" in status
    assert "Your changes are still here, unsaved." in status
    assert config.read_text() == HAND and box.isChecked()
    (small_tmpfs / ".filler").unlink()
    w.save_now()  # the next save (another edit, or this) writes it
    text = wait_saved(qtbot, config, "share_titles = true")
    assert "# written by hand: keep me" in text and "Saved to" in w.status.text()
