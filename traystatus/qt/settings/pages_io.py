"""Settings pages that talk to the outside through injected ports: calendars and accounts."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from traystatus.core.errors import TrayStatusError
from traystatus.core.settings import CalendarSourceConfig
from traystatus.core.settings_editing import AccountsManager, AccountSummary, Runner, SettingsDocument
from traystatus.qt.settings.form import ErrorLabel, FormPage
from traystatus.qt.settings.items_table import ItemsTable

#: Fetches one calendar now and says how it went: "42 events, fetched 10:02" or raises TrayStatusError.
CalendarTester = Callable[[CalendarSourceConfig], str]


def _describe(result: object) -> str:
    if isinstance(result, TrayStatusError):
        return f"{result.title}: {result.message}"
    if isinstance(result, Exception):
        return f"Failed: {result}"
    return str(result)


class CalendarsPage(FormPage):
    title = "Calendars"

    def __init__(self, doc: SettingsDocument, tester: CalendarTester | None, runner: Runner,
                 parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.tester, self.runner = tester, runner
        self.table = ItemsTable(doc, "calendars", [("name", "Name"), ("kind", "Kind"), ("url", "URL"),
                                                   ("path", "File"), ("username", "CalDAV user"),
                                                   ("refresh_minutes", "Refresh (min)")],
                                "Calendars", self, add_text="Add URL…")
        self.table.add_button.clicked.disconnect()
        self.table.add_button.clicked.connect(self.add_url)
        self.table.edited.connect(self.edited)
        add_file = QPushButton("Add file…", self)
        add_file.clicked.connect(self.add_file)
        self.test_button = QPushButton("&Test selected", self)
        self.test_button.clicked.connect(self.test_selected)
        self.result = QLabel("", self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Calendar test result")
        row = QHBoxLayout()
        row.addWidget(add_file)
        row.addWidget(self.test_button)
        row.addStretch(1)
        box = QGroupBox("ICS files and URLs (Google's secret address, Outlook, Nextcloud, iCloud) and CalDAV", self)
        lay = QVBoxLayout(box)
        lay.addWidget(self.table)
        lay.addLayout(row)
        lay.addWidget(self.result)
        self.errors["calendars"] = ErrorLabel(box)
        lay.addWidget(self.errors["calendars"])
        self.outer.addWidget(box)
        self.outer.addStretch(1)

    def load(self) -> None:
        super().load()
        self.table.load()

    def add_url(self) -> None:
        url, ok = QInputDialog.getText(self, "Add a calendar", "ICS or CalDAV address (https://, webcal://):")
        if ok and url.strip():
            kind = "caldav" if "/dav" in url.lower() or "caldav" in url.lower() else "ics"
            name = url.split("://", 1)[-1].split("/", 1)[0]
            self.table.append({"name": name, "kind": kind, "url": url.strip()})

    def add_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Add a calendar file", "", "Calendars (*.ics);;All files (*)")
        if path:
            self.table.append({"name": path.rsplit("/", 1)[-1], "kind": "ics", "path": path})

    def test_selected(self) -> None:
        row = self.table.table.currentRow()
        rows = self.table.rows()
        if self.tester is None or not (0 <= row < len(rows)):
            self.result.setText("Select a calendar to test.")
            return
        item = rows[row]
        config = CalendarSourceConfig(name=str(item.get("name", "calendar")),
                                      location=str(item.get("url") or item.get("path") or ""),
                                      kind=str(item.get("kind", "ics")), username=str(item.get("username", "")))
        self.result.setText(f"Testing {config.name}…")
        tester = self.tester
        self.runner(lambda: tester(config), lambda r: self.result.setText(f"{config.name}: {_describe(r)}"))


class MatrixLoginDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Connect a Matrix account")
        self.user = QLineEdit(self)
        self.user.setPlaceholderText("@me:example.org")
        self.password = QLineEdit(self)
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.homeserver = QLineEdit(self)
        self.homeserver.setPlaceholderText("(found from your user id)")
        form = QFormLayout(self)
        form.addRow("&User id", self.user)
        form.addRow("&Password", self.password)
        form.addRow("&Homeserver", self.homeserver)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class AccountsPage(FormPage):
    title = "Accounts"

    def __init__(self, doc: SettingsDocument, accounts: AccountsManager | None, runner: Runner,
                 parent: QWidget | None = None) -> None:
        super().__init__(doc, parent)
        self.accounts, self.runner = accounts, runner
        self.list = QListWidget(self)
        self.list.setAccessibleName("Connected accounts")
        self.result = QLabel("", self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Account status")
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for key, text, slot in (("slack", "Connect &Slack…", self.connect_slack),
                                ("matrix", "Connect &Matrix…", self.connect_matrix),
                                ("test", "&Test", self.test_selected),
                                ("disconnect", "&Disconnect", self.disconnect_selected)):
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            b.setEnabled(accounts is not None)
            buttons.addWidget(b)
            self.buttons[key] = b
        buttons.addStretch(1)
        box = QGroupBox("Slack workspaces and Matrix accounts (tokens are kept in the system keyring)", self)
        lay = QVBoxLayout(box)
        lay.addWidget(self.list)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        self.outer.addWidget(box)
        self.outer.addStretch(1)
        self.summaries: list[AccountSummary] = []

    def load(self) -> None:
        super().load()
        if self.accounts is None:
            self.result.setText("Accounts are managed with `traystatus login` in this mode.")
            return
        accounts = self.accounts
        self.runner(accounts.list, self._show)

    def _show(self, result: object) -> None:
        if isinstance(result, Exception):
            self.result.setText(_describe(result))
            return
        assert isinstance(result, list)
        self.summaries = result
        self.list.clear()
        for s in result:
            mark = "✓" if s.ok else "⚠"
            self.list.addItem(f"{mark} {s.service.capitalize()}: {s.label}" + (f" — {s.detail}" if s.detail else ""))
        if not result:
            self.list.addItem("No account connected yet.")

    def _after(self, result: object) -> None:
        if isinstance(result, AccountSummary):
            self.result.setText(f"{result.label}: {result.detail or 'connected'}")
        elif result is None:
            self.result.setText("Done.")
        else:
            self.result.setText(_describe(result))
        if self.accounts is not None:
            self.runner(self.accounts.list, self._show)

    def connect_slack(self) -> None:
        token, ok = QInputDialog.getText(self, "Connect Slack", "User token (xoxp-…):", QLineEdit.EchoMode.Password)
        if ok and token.strip() and self.accounts is not None:
            accounts, token = self.accounts, token.strip()
            self.result.setText("Checking the token with Slack…")
            self.runner(lambda: accounts.connect_slack(token), self._after)

    def connect_matrix(self) -> None:
        dialog = MatrixLoginDialog(self)
        if dialog.exec() == QDialog.DialogCode.Accepted and self.accounts is not None:
            accounts = self.accounts
            user, password, hs = dialog.user.text().strip(), dialog.password.text(), dialog.homeserver.text().strip()
            self.result.setText("Logging in to Matrix…")
            self.runner(lambda: accounts.connect_matrix(user, password, homeserver=hs), self._after)

    def _selected(self) -> AccountSummary | None:
        row = self.list.currentRow()
        return self.summaries[row] if 0 <= row < len(self.summaries) else None

    def test_selected(self) -> None:
        s = self._selected()
        if s is not None and self.accounts is not None:
            accounts = self.accounts
            self.runner(lambda: accounts.test(s.account_id), self._after)

    def disconnect_selected(self) -> None:
        s = self._selected()
        if s is not None and self.accounts is not None:
            accounts = self.accounts
            self.runner(lambda: accounts.disconnect(s.account_id), self._after)
