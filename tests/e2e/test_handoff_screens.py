"""The real `traystatus handoff` and `traystatus notes browse` on a virtual screen: the popup pre-filled from
yesterday's note, typed into with the X keyboard, saved continuously, submitted with Ctrl+Enter and posted to
the Slack emulator (escaped once); the history window finds the note. Screenshots: handoff-*.png.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.fixtures.slack import login_scopes_only
from tests.fixtures.xvfb import ROOT, VirtualScreen, wait_until
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.draft_store import JsonDraftStore
from traystatus.core.handoff import DEFAULT_SECTIONS, HandoffNote, NoteSection
from traystatus.core.outbox import DeliveryStatus

pytestmark = pytest.mark.xvfb

CONFIG = """\
timezone = "Europe/Berlin"
working_hours = "mon-fri 09:00-17:30"
[handoff]
destinations = ["slack:#handoffs"]
sign_off = false
"""


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


class App:
    def __init__(self, screen: VirtualScreen, home: Path, slack: SlackEmulator) -> None:
        self.screen = screen
        self.config = home / "config.toml"
        self.config.write_text(CONFIG, encoding="utf-8")
        self.data_dir = home / "data" / "traystatus"
        self.state_dir = home / "state" / "traystatus"
        self.env = screen.env(
            {"PYTHONPATH": str(ROOT), "TRAYSTATUS_SLACK_TOKEN": slack.token, "TRAYSTATUS_SLACK_API_URL": slack.base_url}
        )
        self.procs: list[subprocess.Popen[bytes]] = []
        self.output = home / "app-output.txt"

    def launch(self, *args: str) -> subprocess.Popen[bytes]:
        with self.output.open("ab") as out:
            proc = subprocess.Popen(
                [sys.executable, "-m", "traystatus", "--config", str(self.config), *args],
                env=self.env,
                cwd=ROOT,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(proc)
        return proc

    def window(self, proc: subprocess.Popen[bytes]) -> str:
        """The X id of the process's main window, once it is mapped; focused for the keyboard."""

        def find() -> str:
            if proc.poll() is not None:
                pytest.fail(f"the app exited with {proc.returncode}: {self.output.read_text(errors='replace')}")
            best = ("", 0)
            for wid in self.screen.windows_of(proc.pid):
                top, viewable, (_x, _y, w, h) = self.screen._geometry(wid)
                if top and viewable and w * h > best[1]:
                    best = (wid, w * h)
            return best[0]

        wid = wait_until(find, timeout=60, what="the window to map")
        self.screen.run("xdotool", "windowfocus", wid)
        return wid


@pytest.fixture
def app(virtual_screen: VirtualScreen, isolated_home: Path, slack_emulator: SlackEmulator) -> Iterator[App]:
    running = App(virtual_screen, isolated_home, slack_emulator)
    try:
        yield running
    finally:
        for proc in running.procs:
            if proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=10)


def seed_yesterday(app: App) -> None:
    archive = SqliteNoteArchive.in_dir(app.data_dir)
    texts = {
        "Done": "Release notes for 2.0",
        "Blocked — and who can unblock": "CI runners: ask Priya",
        "Next / handed over to": "Review the migration PR",
    }
    created = datetime.now(UTC) - timedelta(days=1)
    archive.store(
        HandoffNote(
            id="yesterday01",
            created=created,
            sections=tuple(NoteSection(title=t, text=texts.get(t, "")) for t in DEFAULT_SECTIONS),
        ),
        created,
    )
    archive.close()


def test_handoff_popup_typed_submitted_posted_and_found_in_history(app: App, slack_emulator: SlackEmulator) -> None:
    seed_yesterday(app)
    popup = app.launch("handoff")
    app.window(popup)
    app.screen.screenshot("handoff-popup-prefilled")
    app.screen.run("xdotool", "type", "--delay", "15", "Shipped the parser & fixed <ticket-12>")
    draft = wait_until(
        lambda: (
            (d := JsonDraftStore.in_dir(app.state_dir).load()) is not None
            and d.sections[0].text.endswith("<ticket-12>")
            and d
        ),
        what="the draft to be saved",
    )
    assert draft.sections[1].text == "Review the migration PR"  # yesterday's Next is in progress today
    assert draft.sections[2].text == "CI runners: ask Priya"  # the open blocker is carried over
    assert draft.destinations == ("slack:#handoffs",) and not draft.sign_off
    app.screen.screenshot("handoff-popup-typed")

    app.screen.press("ctrl+Return")
    posted = wait_until(lambda: slack_emulator.messages, what="the note to reach Slack")
    assert len(posted) == 1
    assert "Shipped the parser &amp; fixed &lt;ticket-12&gt;" in posted[0].text

    def sent() -> bool:
        archive = SqliteNoteArchive.in_dir(app.data_dir)
        try:
            notes = [n for n in archive.notes() if n.id != "yesterday01"]
            return len(notes) == 1 and [d.status for d in archive.deliveries(notes[0].id)] == [DeliveryStatus.SENT]
        finally:
            archive.close()

    wait_until(sent, what="the delivery to be recorded")
    time.sleep(0.3)  # let the popup draw the state it was just given (for the picture only)
    app.screen.screenshot("handoff-popup-delivered")
    assert JsonDraftStore.in_dir(app.state_dir).load() is None  # submitted: the draft is gone
    popup.terminate()
    popup.wait(timeout=10)

    history = app.launch("notes", "browse")
    app.window(history)
    app.screen.run("xdotool", "type", "--delay", "15", "ticket")
    time.sleep(0.5)  # the search runs after a pause in typing (for the picture only)
    app.screen.screenshot("handoff-history-search")
    found = subprocess.run(
        [sys.executable, "-m", "traystatus", "--config", str(app.config), "notes", "search", "ticket", "--json"],
        env=app.env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert found.returncode == 0, found.stderr
    assert [n["destinations"] for n in json.loads(found.stdout)] == [["slack:#handoffs"]]
    assert len(slack_emulator.messages) == 1
