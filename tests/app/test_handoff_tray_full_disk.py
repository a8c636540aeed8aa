"""The tray's handoff windows on a full disk (a real filled tmpfs): the archive cannot be created, so "Write
handoff note…" says why in a notification instead of failing in a menu slot; with room again it opens."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from tests.app.test_handoff_tray import World
from tests.fixtures.storage import fill
from traystatus.adapters.draft_store import JsonPromptStore
from traystatus.app.handoff_service import HandoffService
from traystatus.qt.handoff_windows import HandoffWindows


def test_write_note_on_a_full_disk_says_why_and_opens_once_there_is_room(qtbot: QtBot, small_tmpfs: Path) -> None:
    world = World(small_tmpfs)
    for d in (world.paths.state_dir, world.paths.data_dir, world.paths.cache_dir, world.paths.log_dir):
        d.mkdir()
    fill(small_tmpfs)
    built: list[HandoffService] = []

    def service() -> HandoffService:
        built.append(HandoffService(world.paths, world.settings, senders={}, sign_off=world.signed_off.append))
        return built[-1]

    windows = HandoffWindows(
        world.settings,
        service=service,
        prompts=JsonPromptStore.in_dir(world.paths.state_dir),
        timeline=world.timeline,
        now=world.clock,
        announce=lambda title, message: world.told.append((title, message)),
    )
    try:
        assert windows.open_note() is None and windows.open_history() is None
        assert len(world.told) == 2
        title, message = world.told[0]
        assert title == "Handoff archive" and str(world.paths.data_dir) in message and "disk is not full" in message
        (small_tmpfs / ".filler").unlink()
        popup = windows.open_note()
        assert popup is not None
        qtbot.waitExposed(popup)
        assert windows.open_history() is not None
    finally:
        windows.close()
