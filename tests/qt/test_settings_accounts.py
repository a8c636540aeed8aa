"""The Accounts page with the real accounts manager: Slack emulator, real Synapse, real Secret Service.

Connect (scopes / presence capability shown), test, disconnect; refusals appear under the field, never
with the secret; tokens only in the keyring, never in config.toml; a hand-written comment survives.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from keyring.backend import KeyringBackend
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from tests.fixtures.synapse import SynapseServer, WellKnownServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.live_presence_file import LiveNoteFile
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.matrix_sync import MatrixPresenceLoop
from traystatus.app.account_login import SLACK_SCOPES
from traystatus.app.accounts_service import ServiceAccountsManager
from traystatus.qt.runner import ThreadRunner
from traystatus.qt.settings.account_dialogs import ConnectDialog
from traystatus.qt.settings.pages_io import AccountsPage
from traystatus.qt.settings.window import SAVE_DELAY_MS, SettingsWindow

HAND = '# written by hand: keep me\ntimezone = "Europe/Berlin"\n\n[general]\n# and me\nshare_titles = false\n'
SLACK_KEY = "slack:T0TRAYST:U0ME00001"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(HAND)
    return path


@pytest.fixture
def slack(slack_emulator: SlackEmulator, monkeypatch: pytest.MonkeyPatch) -> SlackEmulator:
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    return slack_emulator


def open_window(qtbot: QtBot, config: Path, state_dir: Path | None = None) -> SettingsWindow:
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        accounts=ServiceAccountsManager(config, state_dir=state_dir),
    )
    qtbot.addWidget(window)
    window.show()
    window.show_page("Accounts")
    page = accounts_page(window)
    qtbot.waitUntil(lambda: page.list.count() > 0, timeout=5000)
    return window


def ask_to_disconnect(qtbot: QtBot, page: AccountsPage) -> QMessageBox:
    """Disconnect asks first, naming the account; the box is returned open, for the test to answer."""
    qtbot.mouseClick(page.buttons["disconnect"], Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box is not None
    qtbot.waitUntil(box.isVisible, timeout=5000)
    assert box.windowTitle() == "Disconnect account"
    return box


def accounts_page(window: SettingsWindow) -> AccountsPage:
    page = window.page("Accounts")
    assert isinstance(page, AccountsPage)
    return page


def rows(page: AccountsPage) -> list[str]:
    return [page.list.item(i).text() for i in range(page.list.count())]


def shown_text(*roots: QWidget) -> str:
    """Everything a person can read in these windows (password fields show only bullets)."""
    out = []
    for root in roots:
        for label in root.findChildren(QLabel):
            out.append(label.text())
        for edit in root.findChildren(QLineEdit):
            if edit.echoMode() == QLineEdit.EchoMode.Normal:
                out.append(edit.text())
    return "\n".join(out)


def open_dialog(qtbot: QtBot, page: AccountsPage, button: str) -> ConnectDialog:
    qtbot.mouseClick(page.buttons[button], Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert dialog is not None
    qtbot.waitUntil(dialog.isVisible, timeout=3000)
    return dialog


def submit_and_wait(qtbot: QtBot, dialog: ConnectDialog) -> None:
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.ok.isEnabled() or not dialog.isVisible(), timeout=20000)


def connect_slack(qtbot: QtBot, page: AccountsPage, token: str) -> ConnectDialog:
    dialog = open_dialog(qtbot, page, "slack")
    qtbot.keyClicks(dialog.fields["token"], token)
    submit_and_wait(qtbot, dialog)
    return dialog


def connect_matrix(qtbot: QtBot, page: AccountsPage, user_id: str, password: str, homeserver: str) -> ConnectDialog:
    dialog = open_dialog(qtbot, page, "matrix")
    qtbot.keyClicks(dialog.fields["user"], user_id)
    qtbot.keyClicks(dialog.fields["password"], password)
    qtbot.keyClicks(dialog.fields["homeserver"], homeserver)
    submit_and_wait(qtbot, dialog)
    return dialog


def test_connect_slack_test_revoked_then_disconnect(
    qtbot: QtBot, slack: SlackEmulator, config: Path, os_keyring: KeyringBackend
) -> None:
    w = open_window(qtbot, config)
    page = accounts_page(w)
    assert rows(page) == ["No account connected yet."]
    with qtbot.waitSignal(w.saved, timeout=20000) as saved:  # the running app takes the account at once
        dialog = connect_slack(qtbot, page, slack.token)
    assert not dialog.isVisible()
    assert len(saved.args[0].accounts.slack) == 1
    qtbot.waitUntil(lambda: "Traystatus Test" in "".join(rows(page)), timeout=5000)
    [row] = rows(page)
    assert row.startswith("✓ Slack: Traystatus Test") and f"all {len(SLACK_SCOPES)} scopes found" in row, row
    assert os_keyring.get_password("traystatus", SLACK_KEY) == slack.token
    text = config.read_text()
    assert '[[accounts.slack]]\nname = "Traystatus Test"\nteam_id = "T0TRAYST"\nuser_id = "U0ME00001"' in text
    assert "# written by hand: keep me" in text and "# and me" in text
    assert slack.token not in text and slack.token not in shown_text(w, dialog)

    # an edit made in the window afterwards keeps the account (the window took the new entries over)
    box = w.page("General").findChildren(QCheckBox)[2]
    box.setChecked(True)
    qtbot.waitUntil(lambda: "share_titles = true" in config.read_text(), timeout=5000)
    assert "[[accounts.slack]]" in config.read_text()

    slack.revoke()
    page.list.setCurrentRow(0)
    qtbot.mouseClick(page.buttons["test"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "revoked" in page.result.text(), timeout=10000)
    assert "Connect Slack… on the Accounts page" in page.result.text()  # the fix, in the window's words
    qtbot.waitUntil(lambda: rows(page)[0].startswith("⚠"), timeout=5000)

    box = ask_to_disconnect(qtbot, page)
    assert "Traystatus Test" in box.text() and box.defaultButton() is box.button(QMessageBox.StandardButton.No)
    qtbot.keyClick(box, Qt.Key.Key_Escape)  # changed my mind: nothing happens
    qtbot.waitUntil(lambda: "stays connected" in page.result.text(), timeout=5000)
    assert os_keyring.get_password("traystatus", SLACK_KEY) == slack.token
    assert "[[accounts.slack]]" in config.read_text() and rows(page)[0].startswith("⚠")
    with qtbot.waitSignal(w.saved, timeout=10000):
        box = ask_to_disconnect(qtbot, page)
        qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rows(page) == ["No account connected yet."], timeout=5000)
    assert "Disconnected" in page.result.text()
    assert os_keyring.get_password("traystatus", SLACK_KEY) is None
    text = config.read_text()
    assert "accounts" not in text and "# written by hand: keep me" in text and "share_titles = true" in text


def test_missing_scopes_are_named(qtbot: QtBot, slack: SlackEmulator, config: Path, os_keyring: KeyringBackend) -> None:
    slack.add_token("xoxp-partial-0003", scopes=("users.profile:write", "users:read", "chat:write"))
    w = open_window(qtbot, config)
    page = accounts_page(w)
    connect_slack(qtbot, page, "xoxp-partial-0003")
    qtbot.waitUntil(lambda: "Slack" in rows(page)[0], timeout=5000)
    row = rows(page)[0]
    assert row.startswith("⚠ Slack: Traystatus Test"), row
    missing = row.split("missing scopes:")[1].split("Found:")[0]
    for scope in ("dnd:write", "users:write", "users.profile:read"):
        assert scope in missing
    assert "dnd:read" not in missing  # nothing calls dnd.info: not asked for
    for scope in ("users.profile:write", "users:read", "chat:write"):
        assert f"{scope} (" not in missing
    assert "Do Not Disturb" in missing and "Found: users.profile:write, users:read, chat:write" in row
    assert os_keyring.get_password("traystatus", SLACK_KEY) == "xoxp-partial-0003"


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("xoxp-unknown-0004", 'Slack did not accept this token (invalid_auth). Copy the "User OAuth Token" again'),
        ("xoxb-bot-0005", "needs a user token"),
        ("hello-not-a-token", "start with xoxp-"),
    ],
)
def test_a_bad_token_is_refused_under_the_field(
    qtbot: QtBot, slack: SlackEmulator, config: Path, os_keyring: KeyringBackend, token: str, fragment: str
) -> None:
    w = open_window(qtbot, config)
    page = accounts_page(w)
    dialog = connect_slack(qtbot, page, token)
    assert dialog.isVisible()  # still open: fix the token and try again
    error = dialog.errors["token"]
    assert not error.isHidden() and fragment in error.text(), error.text()
    assert token not in shown_text(w, dialog)
    assert config.read_text() == HAND
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []
    dialog.reject()
    assert dialog.fields["token"].text() == ""  # the secret does not linger in the closed dialog


@pytest.mark.synapse
def test_connect_matrix_presence_test_and_disconnect(
    qtbot: QtBot, synapse: SynapseServer, matrix_well_known: WellKnownServer, config: Path, os_keyring: KeyringBackend
) -> None:
    user = synapse.new_user("gui")
    w = open_window(qtbot, config)
    page = accounts_page(w)
    dialog = connect_matrix(qtbot, page, user.user_id, user.password, matrix_well_known.url)  # via .well-known
    assert not dialog.isVisible(), dialog.errors["password"].text() + dialog.errors["homeserver"].text()
    assert "/.well-known/matrix/client" in matrix_well_known.requests
    qtbot.waitUntil(lambda: "Matrix" in rows(page)[0], timeout=5000)
    secret = json.loads(os_keyring.get_password("traystatus", f"matrix:{user.user_id}") or "")
    row = rows(page)[0]
    assert row.startswith(f"✓ Matrix: {user.user_id} on {synapse.base_url}"), row
    assert f"device {secret['device_id']}" in row and "refresh token kept" in row and "presence works" in row
    text = config.read_text()
    assert f'device_id = "{secret["device_id"]}"' in text and "# and me" in text
    for value in (secret["access_token"], user.password):
        assert value not in text and value not in shown_text(w, dialog)

    page.list.setCurrentRow(0)
    qtbot.mouseClick(page.buttons["test"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "presence works" in page.result.text(), timeout=20000)
    assert page.result.text().startswith("✓")

    box = ask_to_disconnect(qtbot, page)
    assert user.user_id in box.text()
    qtbot.mouseClick(box.button(QMessageBox.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: rows(page) == ["No account connected yet."], timeout=10000)
    assert os_keyring.get_password("traystatus", f"matrix:{user.user_id}") is None
    assert "accounts" not in config.read_text()
    who = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/account/whoami",
        timeout=10,
        headers={"Authorization": f"Bearer {secret['access_token']}"},
    )
    assert who.status_code == 401  # the device was logged out on the server


@pytest.mark.synapse
def test_another_session_keeping_you_online_is_said_in_the_accounts_page(
    qtbot: QtBot, synapse: SynapseServer, config: Path, os_keyring: KeyringBackend, tmp_path: Path
) -> None:
    """The running app's presence loop holds "unavailable" while a phone of the same user syncs as online:
    the Accounts page says what teammates see and why."""
    user = synapse.new_user("phone")
    login = synapse.password_login(user)
    state_dir = tmp_path / "state"
    notes = LiveNoteFile(state_dir)
    session = MatrixSession(homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="")
    loop = MatrixPresenceLoop(MatrixClient(session), on_change=lambda live: notes.save(f"matrix:{user.user_id}", live))
    loop.set_desired("unavailable")
    try:
        requests.get(
            f"{synapse.base_url}/_matrix/client/v3/sync",
            params={"set_presence": "online", "timeout": "0"},
            headers=synapse.auth(login["access_token"]),
            timeout=10,
        ).raise_for_status()
        qtbot.waitUntil(lambda: loop.live().other_session_active, timeout=30000)
        w = open_window(qtbot, config, state_dir)
        page = accounts_page(w)
        dialog = connect_matrix(qtbot, page, user.user_id, user.password, synapse.base_url)
        assert not dialog.isVisible()
        qtbot.waitUntil(lambda: "Matrix" in rows(page)[0], timeout=5000)
        assert "Matrix shows you online: another session is active" in rows(page)[0]
    finally:
        loop.stop()


def test_matrix_wrong_password_is_shown_under_the_password(
    qtbot: QtBot, synapse: SynapseServer, config: Path, os_keyring: KeyringBackend
) -> None:
    user = synapse.new_user("wrongpw")
    w = open_window(qtbot, config)
    dialog = connect_matrix(qtbot, accounts_page(w), user.user_id, "not-the-password", synapse.base_url)
    assert dialog.isVisible()
    error = dialog.errors["password"].text()
    assert "refused" in error and "password" in error.lower(), error
    assert dialog.errors["user"].isHidden() and dialog.errors["homeserver"].isHidden()
    assert "not-the-password" not in shown_text(w, dialog)
    assert config.read_text() == HAND
    dialog.fields["user"].setText("me-without-server")
    submit_and_wait(qtbot, dialog)
    assert "@me:example.org" in dialog.errors["user"].text()


@pytest.mark.synapse
def test_presence_disabled_on_the_server_is_named(
    qtbot: QtBot, synapse_no_presence: SynapseServer, config: Path, os_keyring: KeyringBackend
) -> None:
    user = synapse_no_presence.new_user("nopres")
    w = open_window(qtbot, config)
    page = accounts_page(w)
    dialog = connect_matrix(qtbot, page, user.user_id, user.password, synapse_no_presence.base_url)
    assert not dialog.isVisible()
    qtbot.waitUntil(lambda: "Matrix" in rows(page)[0], timeout=5000)
    assert "presence disabled on this server" in rows(page)[0]
    assert "presence disabled on this server" in page.result.text()


def test_an_edit_made_while_connecting_waits_and_keeps_the_account(
    qtbot: QtBot, slack: SlackEmulator, config: Path, os_keyring: KeyringBackend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Slack's answer comes long after the save delay: the "held" check below is not a race on a loaded machine
    slack.slow("auth.test", delay=5.0)
    w = open_window(qtbot, config)
    page = accounts_page(w)
    dialog = open_dialog(qtbot, page, "slack")
    qtbot.keyClicks(dialog.fields["token"], slack.token)
    qtbot.mouseClick(dialog.ok, Qt.MouseButton.LeftButton)
    assert not dialog.ok.isEnabled() and page.changing == 1
    w.page("General").findChildren(QCheckBox)[2].setChecked(True)  # typed while Slack is being asked
    qtbot.wait(SAVE_DELAY_MS + 300)
    # held: saving the window's copy now could race the account entry being written to the same file
    assert "share_titles = false" in config.read_text()
    qtbot.waitUntil(lambda: "share_titles = true" in config.read_text(), timeout=20000)
    text = config.read_text()
    assert "[[accounts.slack]]" in text and "# written by hand: keep me" in text and page.changing == 0
    assert slack.token not in caplog.text


def test_connect_dialogs_are_labelled_and_keyboard_reachable(qtbot: QtBot, config: Path) -> None:
    w = open_window(qtbot, config)
    page = accounts_page(w)
    for button in ("slack", "matrix"):
        dialog = open_dialog(qtbot, page, button)
        edits = dialog.findChildren(QLineEdit)
        assert edits and all(e.accessibleName() and e.focusPolicy() & Qt.FocusPolicy.TabFocus for e in edits)
        buddies = {label.buddy() for label in dialog.findChildren(QLabel) if label.buddy() is not None}
        assert set(edits) <= buddies  # each field has a visible label with an Alt+letter shortcut
        first = dialog.fields[next(iter(dialog.fields))]
        qtbot.waitUntil(first.hasFocus, timeout=3000)  # typing starts in the first field
        dialog.reject()


def test_a_token_revoked_since_the_last_test_shows_in_settings_as_the_sync_found_it(
    qtbot: QtBot, slack: SlackEmulator, config: Path, os_keyring: KeyringBackend, tmp_path: Path
) -> None:
    """The tray's fix opens Settings: it must not still say "✓ Slack" until Test is pressed. The sync records
    each account's last error in the state store; the Accounts page reads it, so both tell the same."""
    from datetime import UTC, datetime

    from traystatus.adapters.slack_api import SlackClient
    from traystatus.adapters.slack_publisher import SlackStatusPublisher
    from traystatus.adapters.state_store import StateStore
    from traystatus.core.settings import Settings
    from traystatus.core.status_sync import StatusSync
    from traystatus.core.sync_view import tray_view_for

    state = tmp_path / "state"
    state.mkdir()
    window = SettingsWindow(
        TomlConfigDocument(config, default_tz=ZoneInfo("UTC")),
        default_zone="UTC",
        runner=ThreadRunner(),
        accounts=ServiceAccountsManager(config, state_dir=state),
    )
    qtbot.addWidget(window)
    window.show()
    window.show_page("Accounts")
    page = accounts_page(window)
    qtbot.waitUntil(lambda: page.list.count() > 0, timeout=5000)
    with qtbot.waitSignal(window.saved, timeout=20000):
        connect_slack(qtbot, page, slack.token)
    qtbot.waitUntil(lambda: rows(page)[0].startswith("✓ Slack: Traystatus Test"), timeout=5000)
    assert page.result.text().startswith("✓")
    window.show_page("General")  # the window stays open on another page meanwhile

    slack.revoke()
    publisher = SlackStatusPublisher(SlackClient(slack.token, api_url=slack.base_url, retries=0), account=SLACK_KEY)
    now = datetime.now(UTC)
    sync = StatusSync(
        settings=Settings(),
        calendars=lambda a, b: [],
        publishers=[publisher],
        store=StateStore(state),
        clock=lambda: now,
    )
    (health,) = tray_view_for(sync.run(), ZoneInfo("UTC")).health
    assert health.text == "Slack: token revoked — Reconnect…"

    window.show_account(health.name)  # the health line's fix (Desktop.open_entry("fix:Slack"))
    assert window.nav.currentItem().text() == "Accounts"
    qtbot.waitUntil(lambda: rows(page)[0].startswith("⚠"), timeout=5000)
    assert "revoked" in rows(page)[0] and "Connect Slack…" in rows(page)[0], rows(page)
    assert page.list.currentRow() == 0  # selected: Test and Disconnect act on it
    assert "✓" not in page.result.text()  # the earlier Test's "✓" is gone: the sync proved it wrong
    assert slack.token not in rows(page)[0]
    fresh = ServiceAccountsManager(config, state_dir=state)  # a new window (or process) knows it too
    (summary,) = fresh.list()
    assert not summary.ok and "revoked" in summary.detail
