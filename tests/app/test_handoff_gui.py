"""The popup wired to the real service (pytest-qt, Slack emulator): submit stores, posts, and only then signs off
on a background thread (a message sent after the sign-off would mark a Matrix user online again); the popup
shows both outcomes without blocking."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from tests.fixtures.slack import login_scopes_only
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.handoff_delivery import SlackSender
from traystatus.app.handoff_service import HandoffService
from traystatus.app.paths import AppPaths
from traystatus.core.errors import TrayStatusError
from traystatus.core.model import Override, State
from traystatus.core.settings import settings_from_mapping
from traystatus.qt.handoff_popup import HandoffPopup
from traystatus.qt.handoff_windows import connect_popup


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


def service_for(tmp_path: Path, slack: SlackEmulator, sign_off: object) -> HandoffService:
    paths = AppPaths(
        config_file=tmp_path / "config.toml",
        state_dir=tmp_path / "state",
        data_dir=tmp_path / "data",
        cache_dir=tmp_path / "cache",
        log_dir=tmp_path / "log",
    )
    settings = settings_from_mapping(
        {
            "timezone": "Europe/Berlin",
            "working_hours": "mon-fri 09:00-17:00",
            "handoff": {"destinations": ["slack:#handoffs"]},
        },
        source="test",
        default_tz=ZoneInfo("UTC"),
    )
    return HandoffService(
        paths, settings, senders={"slack": SlackSender({"": slack.token}, api_url=slack.base_url)}, sign_off=sign_off
    )  # type: ignore[arg-type]


def test_submit_posts_first_then_signs_off(qtbot: QtBot, tmp_path: Path, slack_emulator: SlackEmulator) -> None:
    seen: list[tuple[Override, int]] = []
    service = service_for(tmp_path, slack_emulator, lambda o: seen.append((o, len(slack_emulator.messages))))
    try:
        popup = HandoffPopup(service.current_draft(), save_draft=service.drafts.save)
        qtbot.addWidget(popup)
        connect_popup(service, popup)
        service.worker.start()
        popup.show()
        qtbot.keyClicks(popup.focus_section(0), "Fixed <ticket-3> & more")
        qtbot.mouseClick(popup.submit_button, Qt.MouseButton.LeftButton)
        assert popup.submit_button.text() == "Submitted"
        qtbot.waitUntil(lambda: popup.sign_off_label.text().startswith("✔ Signed off until"), timeout=10_000)
        ((override, messages_then),) = seen
        assert messages_then == 1, "the note was posted before the sign-off"
        assert override.state is State.OFF_HOURS
        qtbot.waitUntil(lambda: "✔ slack:#handoffs: sent" in popup.delivery_labels["slack:#handoffs"].text())
        assert "&lt;ticket-3&gt; &amp; more" in slack_emulator.messages[0].text
    finally:
        service.close()


def test_a_failed_sign_off_is_shown(qtbot: QtBot, tmp_path: Path, slack_emulator: SlackEmulator) -> None:
    def refuse(_o: Override) -> None:
        raise TrayStatusError("Sign off", "Slack said no")

    service = service_for(tmp_path, slack_emulator, refuse)
    try:
        popup = HandoffPopup(service.current_draft(), save_draft=service.drafts.save)
        qtbot.addWidget(popup)
        connect_popup(service, popup)
        popup.show()
        qtbot.keyClicks(popup.focus_section(0), "done")
        qtbot.mouseClick(popup.submit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: popup.sign_off_label.text() == "✖ Not signed off: Sign off: Slack said no", timeout=10_000
        )
        assert len(slack_emulator.messages) == 1
    finally:
        service.close()


def test_closing_a_popup_and_submitting_from_a_new_one_still_delivers(
    qtbot: QtBot, tmp_path: Path, slack_emulator: SlackEmulator
) -> None:
    """The first popup is closed and deleted; its listener hits a deleted Qt object. That must not stop the
    second popup's note: it was stuck "waiting to send" with `Signal source has been deleted`."""
    from PySide6.QtCore import QCoreApplication, QEvent

    service = service_for(tmp_path, slack_emulator, lambda o: None)
    try:
        first = HandoffPopup(service.current_draft(), save_draft=service.drafts.save)
        connect_popup(service, first)
        service.worker.start()
        first.show()
        first.close()
        first.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        second = HandoffPopup(service.current_draft(), save_draft=service.drafts.save)
        qtbot.addWidget(second)
        connect_popup(service, second)
        second.show()
        qtbot.keyClicks(second.focus_section(0), "After a reopen")
        qtbot.mouseClick(second.submit_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(
            lambda: "✔ slack:#handoffs: sent" in second.delivery_labels["slack:#handoffs"].text(), timeout=10_000
        )
        assert len(slack_emulator.messages) == 1 and "After a reopen" in slack_emulator.messages[0].text
        assert {d.status.value for d in service.archive.deliveries()} == {"sent"}
    finally:
        service.close()
