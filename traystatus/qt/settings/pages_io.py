"""Settings pages that talk to the outside through injected ports: calendars and accounts."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QMessageBox,
    QPushButton,
    QWidget,
)

from traystatus.core.calendar_fetch import CalendarChecker, CalendarFetch, describe_fetch, location_key, unique_names
from traystatus.core.calendar_secret import shown_location
from traystatus.core.settings import CalendarSourceConfig
from traystatus.core.settings_editing import AccountsManager, AccountSummary, Runner, SettingsDocument
from traystatus.qt.settings.account_dialogs import ConnectDialog, MatrixLoginDialog, SlackTokenDialog
from traystatus.qt.settings.calendar_dialog import AddCalendarDialog
from traystatus.qt.settings.form import ErrorLabel, FormPage, describe_result, note_box
from traystatus.qt.settings.items_table import ItemsTable

#: Fetches one calendar now and says how it went ("42 events…" or raises TrayStatusError), and reads the fetch log.
CalendarTester = CalendarChecker
#: how often the page reads the fetch log again while shown (the running app refreshes calendars meanwhile)
FETCHES_REFRESH_MS = 30_000
#: how often the Accounts page lists again while shown: the running app's syncs record each account's last error
ACCOUNTS_REFRESH_MS = 30_000

log = logging.getLogger(__name__)


_describe = describe_result  # the first-run setup's name for it


class CalendarsPage(FormPage):
    """The calendars (add an address, a file or CalDAV; test one) and, per calendar, its latest fetch:
    when, how many events, whether the copy in use is stale and how old, and the last error."""

    title = "Calendars"

    def __init__(
        self, doc: SettingsDocument, tester: CalendarTester | None, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(doc, parent)
        self.tester, self.runner = tester, runner
        self.table = ItemsTable(
            doc,
            "calendars",
            [
                ("name", "Name"),
                ("kind", "Kind"),
                ("url", "URL"),
                ("path", "File"),
                ("username", "CalDAV user"),
                ("refresh_minutes", "Refresh (min)"),
            ],
            "Calendars",
            self,
            add_text="Add URL…",
            shown=lambda field, value: shown_location(value) if field == "url" else value,
        )
        self.table.add_button.clicked.disconnect()
        self.table.add_button.clicked.connect(self.add_url)
        self.table.edited.connect(self.edited)
        self.table.edited.connect(lambda _key, _rows: self._show_fetches())
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
        box, lay = note_box(
            "Calendars",
            "ICS files and addresses (Google's secret address, Outlook, Nextcloud, iCloud) and CalDAV. "
            'A secret address is kept in the OS keyring when saved; the file names it as "keyring:NAME".',
            self,
        )
        lay.addWidget(self.table)
        lay.addLayout(row)
        lay.addWidget(self.result)
        self.errors["calendars"] = ErrorLabel(box)
        lay.addWidget(self.errors["calendars"])
        self.outer.addWidget(box)
        fetch_box, fetch_lay = note_box(
            "Last fetch",
            "Each calendar's latest fetch, by traystatus or the Test "
            "button: a stale copy stays in use until the calendar answers again.",
            self,
        )
        self.fetches = QListWidget(fetch_box)
        self.fetches.setAccessibleName("Last fetch of each calendar")
        self.fetches.setWordWrap(True)  # errors carry their fix: long lines wrap instead of scrolling sideways
        self.fetches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.fetches.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.fetches.setMaximumHeight(self.fontMetrics().lineSpacing() * 10)
        fetch_lay.addWidget(self.fetches)
        self.outer.addWidget(fetch_box)
        fetch_box.setVisible(tester is not None)
        self.outer.addStretch(1)
        self.url_dialog: AddCalendarDialog | None = None
        self.last_fetches: dict[str, CalendarFetch] = {}
        self.fetch_timer = QTimer(self)
        self.fetch_timer.setInterval(FETCHES_REFRESH_MS)
        self.fetch_timer.timeout.connect(self._timer_refresh)
        self.fetch_timer.start()

    def load(self) -> None:
        super().load()
        self.table.load()
        self.refresh_fetches()

    def _timer_refresh(self) -> None:
        if self.isVisible():
            self.refresh_fetches()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the page (or reopening the window) shows the app's latest fetches at once."""
        super().showEvent(event)
        self.refresh_fetches()

    def refresh_fetches(self) -> None:
        """Read the fetch log again (off the GUI thread) and show each calendar's line."""
        tester = self.tester
        if tester is None:
            return
        self.runner(tester.last_fetches, self._fetches_read)

    def _fetches_read(self, result: object) -> None:
        if isinstance(result, dict):
            self.last_fetches = result
            self._show_fetches()
        else:
            self.fetches.clear()
            self.fetches.addItem(f"The fetch log could not be read: {describe_result(result)}")

    def fetch_lines(self, now: datetime | None = None) -> list[str]:
        """One line per calendar in the table: "Work — fetched 12:04 (3 min ago), 42 events", "… — never fetched"."""
        now = now or datetime.now().astimezone()  # shown in the desktop's local time
        rows = self.table.rows()
        names = unique_names(str(r.get("name") or f"calendar {i + 1}") for i, r in enumerate(rows))
        return [
            f"{name} — {describe_fetch(self.last_fetches.get(location_key(_location(row))), now)}"
            for name, row in zip(names, rows, strict=True)
        ]

    def _show_fetches(self) -> None:
        self.fetches.clear()
        self.fetches.addItems(self.fetch_lines() or ["No calendar yet."])

    def add_url(self) -> None:
        """Ask for an address and its kind (guessed from the address unless chosen) without blocking."""
        if self.url_dialog is not None:
            self.url_dialog.deleteLater()
        dialog = AddCalendarDialog(self)
        self.url_dialog = dialog
        dialog.accepted.connect(lambda: self._add_item(dialog.item()))
        dialog.open()

    def _add_item(self, item: dict[str, object] | None) -> None:
        if item is not None:
            self.table.append(item)

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
        config = CalendarSourceConfig(
            name=str(item.get("name", "calendar")),
            location=_location(item),
            kind=str(item.get("kind", "ics")),
            username=str(item.get("username", "")),
        )
        self.result.setText(f"Testing {config.name}…")
        tester = self.tester
        self.runner(lambda: tester(config), lambda r: self._tested(config, r))

    def _tested(self, config: CalendarSourceConfig, result: object) -> None:
        self.result.setText(f"{config.name}: {_describe(result)}")
        self.refresh_fetches()  # the test's fetch is in the log now: its line says so


def _location(item: dict[str, object]) -> str:
    return str(item.get("url") or item.get("path") or "")


class AccountsPage(FormPage):
    """Connected accounts with connect, test and disconnect; every call goes through the runner."""

    title = "Accounts"
    accounts_changed = Signal(object)  # the file's [[accounts.*]] entries after a connect or disconnect

    def __init__(
        self, doc: SettingsDocument, accounts: AccountsManager | None, runner: Runner, parent: QWidget | None = None
    ) -> None:
        super().__init__(doc, parent)
        self.accounts, self.runner = accounts, runner
        self.list = QListWidget(self)
        self.list.setAccessibleName("Connected accounts")
        self.list.setWordWrap(True)  # long details (scopes) wrap instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.list.setMaximumHeight(self.fontMetrics().lineSpacing() * 8)  # the buttons stay in view at 200 %
        self.result = QLabel("", self)
        self.result.setWordWrap(True)
        self.result.setAccessibleName("Account status")
        buttons = QGridLayout()  # two by two: fits a narrow window
        self.buttons: dict[str, QPushButton] = {}
        for i, (key, text, slot) in enumerate(
            (
                ("slack", "Connect &Slack…", self.connect_slack),
                ("matrix", "Connect &Matrix…", self.connect_matrix),
                ("test", "&Test", self.test_selected),
                ("disconnect", "&Disconnect", self.disconnect_selected),
            )
        ):
            b = QPushButton(text, self)
            b.clicked.connect(slot)
            b.setEnabled(accounts is not None)
            buttons.addWidget(b, i // 2, i % 2)
            self.buttons[key] = b
        buttons.setColumnStretch(2, 1)
        box, lay = note_box(
            "Slack and Matrix", "Tokens are kept in the system keyring, never in the config file.", self
        )
        lay.addWidget(self.list)
        lay.addLayout(buttons)
        lay.addWidget(self.result)
        self.outer.addWidget(box)
        self.outer.addStretch(1)
        self.summaries: list[AccountSummary] = []
        self.dialog: ConnectDialog | None = None
        self.confirm_box: QMessageBox | None = None  # "Disconnect …?", open while it waits for an answer
        #: account operations that may be writing config.toml right now; until their entries are handed
        #: over (``accounts_changed``) the editor holds its saves, which would write the old entries back
        self.changing = 0
        self.wanted = ""  # the tray's fix: the account ("Slack", "Slack Acme") to select once listed
        self.result_about: AccountSummary | None = None  # the account the result line speaks of
        self.list_timer = QTimer(self)  # while shown: the running app's syncs may have learnt something since
        self.list_timer.setInterval(ACCOUNTS_REFRESH_MS)
        self.list_timer.timeout.connect(self._timer_list)

    def load(self) -> None:
        super().load()
        if self.accounts is None:
            self.result.setText("Accounts are managed with `traystatus login` in this mode.")
            return
        self.list_again()

    def list_again(self) -> None:
        """List the accounts again (off the GUI thread): what the last sync of each found, else the keyring."""
        if self.accounts is not None:
            self.runner(self.accounts.list, self._show)

    def select(self, name: str) -> None:
        """Show ``name``'s account (a tray health line's name: "Slack", "Matrix", "Slack Acme") as it is known
        now, selected, so Test, Connect and Disconnect act on it."""
        self.wanted = name
        self.list_again()

    def showEvent(self, event: QShowEvent) -> None:
        """Coming back to the page (or reopening the window) lists what the app knows now, not what it knew."""
        super().showEvent(event)
        self.list_timer.start()
        if self.summaries:  # the first listing is load()'s
            self.list_again()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.list_timer.stop()

    def _timer_list(self) -> None:
        if self.isVisible() and not self.changing:
            self.list_again()

    def _row_for(self, name: str) -> int:
        service, _, account = name.partition(" ")
        for i, s in enumerate(self.summaries):
            if s.service == service.lower() and (not account or account in s.label):
                return i
        return -1

    def _show(self, result: object) -> None:
        if isinstance(result, Exception):
            self.result.setText(describe_result(result))
            return
        assert isinstance(result, list)
        row = self.list.currentRow()
        self.summaries = result
        self.list.clear()
        for s in result:
            mark = "✓" if s.ok else "⚠"
            self.list.addItem(f"{mark} {s.service.capitalize()}: {s.label}" + (f" — {s.detail}" if s.detail else ""))
        about = self.result_about
        if about is not None and about.ok and any(s.account_id == about.account_id and not s.ok for s in result):
            self.result.setText("")  # a "✓" from an earlier Test that a sync has since proved wrong
            self.result_about = None
        if self.wanted:
            row, self.wanted = self._row_for(self.wanted), ""
        if not result:
            self.list.addItem("No account connected yet.")
        elif 0 <= row < len(result):
            self.list.setCurrentRow(row)
        log.info("Accounts page: %s", " | ".join(self.list.item(i).text() for i in range(self.list.count())))

    def _refresh(self, changed: bool) -> None:
        """List again; after a connect or disconnect also hand the file's account entries to the editor."""
        accounts = self.accounts
        if accounts is None:
            return

        def job() -> object:
            return accounts.list(), (accounts.config_entries() if changed else None)

        self.runner(job, lambda r: self._refreshed(r, changed))

    def _refreshed(self, result: object, changed: bool) -> None:
        if changed:
            self.changing -= 1  # before the hand-over: the editor may save right away
        if not isinstance(result, tuple):
            self._show(result)
            return
        listed, entries = result
        self._show(listed)
        if entries is not None:
            self.accounts_changed.emit(entries)

    def _after(self, result: object, *, changed: bool) -> None:
        self.result_about = result if isinstance(result, AccountSummary) else None
        if isinstance(result, AccountSummary):
            self.result.setText(f"{'✓' if result.ok else '⚠'} {result.label}: {result.detail or 'connected'}")
        elif result is None:
            self.result.setText("Disconnected: token deleted from the keyring, entry removed from the config.")
        else:
            self.result.setText(describe_result(result))
        self._refresh(changed)

    # -- connecting --------------------------------------------------------------------------------------------
    def _open(
        self, dialog: ConnectDialog, start: Callable[[dict[str, str]], Callable[[], object]], default_key: str
    ) -> None:
        if self.dialog is not None:
            self.dialog.deleteLater()
        self.dialog = dialog

        def submitted() -> None:
            job = start(dialog.values())  # read on the GUI thread; the job only gets plain strings
            self.result.setText("Checking with the service…")
            self.changing += 1
            self.runner(job, lambda r: self._connected(dialog, r, default_key))

        dialog.submitted.connect(submitted)
        dialog.open()

    def _connected(self, dialog: ConnectDialog, result: object, default_key: str) -> None:
        if isinstance(result, AccountSummary):
            dialog.accept()
            self._after(result, changed=True)
        else:
            self.changing -= 1
            dialog.failed(result, default_key)
            self.result.setText("Not connected: see the message in the dialog.")

    def connect_slack(self) -> None:
        accounts = self.accounts
        if accounts is None:
            return
        self._open(
            SlackTokenDialog(self),
            lambda v: lambda: accounts.connect_slack(v["token"].strip(), name=v["name"].strip()),
            "token",
        )

    def connect_matrix(self) -> None:
        accounts = self.accounts
        if accounts is None:
            return
        self._open(
            MatrixLoginDialog(self),
            lambda v: (
                lambda: accounts.connect_matrix(v["user"].strip(), v["password"], homeserver=v["homeserver"].strip())
            ),
            "password",
        )

    # -- the selected account ------------------------------------------------------------------------------------
    def _selected(self) -> AccountSummary | None:
        row = self.list.currentRow()
        if 0 <= row < len(self.summaries):
            return self.summaries[row]
        return self.summaries[0] if len(self.summaries) == 1 else None

    def test_selected(self) -> None:
        s, accounts = self._selected(), self.accounts
        if accounts is None:
            return
        if s is None:
            self.result.setText("Select an account to test.")
            return
        self.result.setText(f"Testing {s.label}…")
        self.runner(lambda: accounts.test(s.account_id), lambda r: self._after(r, changed=False))

    def disconnect_selected(self) -> None:
        s, accounts = self._selected(), self.accounts
        if accounts is None:
            return
        if s is None:
            self.result.setText("Select an account to disconnect.")
            return
        if self.confirm_box is not None:
            self.confirm_box.deleteLater()
        yes, no = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Disconnect account",
            f"Disconnect the {s.service.capitalize()} account {s.label}?",
            yes | no,
            self,
        )
        box.setInformativeText(
            "Its token is deleted from the keyring and its entry removed from the config; "
            "traystatus stops setting your status there. You can connect it again later."
        )
        box.setDefaultButton(no)  # Enter on a stray key press keeps the account
        box.setEscapeButton(no)
        box.setAccessibleName("Disconnect account")
        self.confirm_box = box
        box.finished.connect(
            lambda _code: (
                self._confirmed(s)
                if box.clickedButton() is box.button(yes)
                else self.result.setText(f"{s.label} stays connected.")
            )
        )
        box.open()  # not exec(): no nested event loop, the window keeps painting

    def _confirmed(self, s: AccountSummary) -> None:
        accounts = self.accounts
        if accounts is None:
            return
        self.result.setText(f"Disconnecting {s.label}…")
        self.changing += 1
        self.runner(lambda: accounts.disconnect(s.account_id), lambda r: self._after(r, changed=True))


def merge_accounts(doc: SettingsDocument, entries: dict[str, list[dict[str, object]]]) -> bool:
    """Make the document's ``[[accounts.*]]`` match ``entries`` (the file's, after a connect); True if it changed.

    An open editor must not write back the accounts it loaded before: that would undo the connect.
    """
    changed = False
    for service in ("slack", "matrix"):
        wanted = entries.get(service, [])
        if doc.items(f"accounts.{service}") != wanted:
            doc.set_items(f"accounts.{service}", wanted)
            changed = True
    if not entries and doc.get("accounts") is not None:
        doc.remove("accounts")
        changed = True
    return changed
