"""Connect Slack guides a user with no token: where to click, Slack's new-app page, the scopes and why, and the
manifest to paste (the one built from the scopes login checks)."""

from __future__ import annotations

import json

from PySide6.QtCore import QObject, QUrl, Slot
from PySide6.QtGui import QColor, QDesktopServices, QGuiApplication, QPalette
from pytestqt.qtbot import QtBot

from traystatus.core.slack_app import NEW_APP_URL, SLACK_SCOPES
from traystatus.qt.settings.account_dialogs import SlackTokenDialog


class Browser(QObject):
    """Stands in for the desktop's browser: Qt hands it every https URL the app opens."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_the_guide_opens_slacks_new_app_page_and_copies_the_manifest(qtbot: QtBot) -> None:
    dialog = SlackTokenDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    guide = dialog.guide
    assert guide.isVisible() and f'href="{NEW_APP_URL}"' in guide.steps.text()
    assert "From a manifest" in guide.steps.text() and "User OAuth Token" in guide.steps.text()
    # the guide sits above the field it leads to
    assert guide.geometry().bottom() < dialog.token.mapTo(dialog, dialog.token.rect().topLeft()).y()
    browser = Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        guide.open_button.click()
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert browser.opened == [NEW_APP_URL]
    QGuiApplication.clipboard().clear()
    guide.copy_button.click()
    pasted = json.loads(QGuiApplication.clipboard().text())
    assert pasted["oauth_config"]["scopes"]["user"] == list(SLACK_SCOPES)
    assert guide.copied.isVisible() and "copied" in guide.copied.text()


def test_the_details_name_every_scope_and_why_and_show_the_manifest(qtbot: QtBot) -> None:
    dialog = SlackTokenDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    guide = dialog.guide
    assert not guide.scopes.isVisible() and not guide.manifest.isVisible()  # short until asked
    guide.show_button.click()
    assert guide.scopes.isVisible() and guide.manifest.isVisible()
    for scope, why in SLACK_SCOPES.items():
        assert scope in guide.scopes.text() and why in guide.scopes.text()
    assert json.loads(guide.manifest.toPlainText())["oauth_config"]["scopes"]["user"] == list(SLACK_SCOPES)
    assert guide.manifest.isReadOnly()
    guide.show_button.click()
    assert not guide.manifest.isVisible()


def test_the_link_reads_on_a_dark_theme_that_sets_no_link_colour(qtbot: QtBot) -> None:
    from tests.qt.test_settings_theme import DARK, contrast

    dialog = SlackTokenDialog()
    qtbot.addWidget(dialog)
    dark = QPalette()
    for role, colour in DARK.items():
        dark.setColor(role, QColor(colour))
    dialog.setPalette(dark)  # a theme change reaches the dialog
    dialog.show()
    guide = dialog.guide
    link, window = QColor(guide.link_colour), guide.palette().color(QPalette.ColorRole.Window)
    assert contrast(link, window) >= 4.5, (link.name(), window.name())
    assert f"color:{guide.link_colour}" in guide.steps.text()  # in the text itself: what Qt paints links with
