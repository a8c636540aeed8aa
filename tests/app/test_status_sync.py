"""The shared sync pipeline (``StatusSync``) as the tray runs it, across a restart: a menu choice is stored
with the state (a new process on the same state dir shows and keeps it, sending nothing again), and it ends
by itself at its time, after which the calendar rules again; a pause holds every call back until it ends;
accounts are reconciled at once, so a slow service holds no other back."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic, sleep
from zoneinfo import ZoneInfo

from tests.slack_emulator import SlackEmulator
from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.core.model import State
from traystatus.core.overrides import Choice
from traystatus.core.ports import CalendarResult
from traystatus.core.publishing import Operation, Service, StatusPublisher
from traystatus.core.settings import settings_from_mapping
from traystatus.core.status_sync import StatusSync, SyncReport
from traystatus.core.sync_view import ChangeNotices, tray_view_for
from traystatus.core.tray_view import TrayView

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)  # a Tuesday, 11:00 in Berlin: working hours
SETTINGS = settings_from_mapping(
    {"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"}, source="test", default_tz=ZoneInfo("UTC")
)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def no_calendars(start: datetime, end: datetime) -> list[CalendarResult]:
    return []


def tray_sync(state_dir: Path, publisher: StatusPublisher, clock: Clock) -> StatusSync:
    return StatusSync(
        settings=SETTINGS, calendars=no_calendars, publishers=[publisher], store=StateStore(state_dir), clock=clock
    )


def view(report: SyncReport) -> TrayView:
    return tray_view_for(report, SETTINGS.timezone)


def test_a_choice_survives_a_restart_and_expires_by_itself(tmp_path: Path) -> None:
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    first = tray_sync(tmp_path, slack, clock)
    assert view(first.run()).state is State.AVAILABLE
    result = first.choose(Choice.DND_1H)
    assert view(result).state is State.FOCUS and "Do not disturb" in view(result).override_line
    assert result.wake_at is not None and result.wake_at <= NOW + timedelta(hours=1), "woken when the override ends"
    writes = len(slack.writes())

    clock.now = NOW + timedelta(minutes=20)  # quit and start again on the same state dir
    second = tray_sync(tmp_path, slack, clock)
    again = second.run()
    assert view(again).state is State.FOCUS and view(again).overridden
    assert len(slack.writes()) == writes, "nothing is sent again after a restart"

    clock.now = NOW + timedelta(hours=1, seconds=1)
    after = second.run()
    assert view(after).state is State.AVAILABLE and not view(after).overridden
    assert not slack.shown.dnd_until or slack.shown.dnd_until <= clock.now


def test_pause_holds_every_call_until_it_ends(tmp_path: Path) -> None:
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    p = tray_sync(tmp_path, slack, clock)
    p.run()
    p.choose(Choice.PAUSE_1H)
    writes = len(slack.writes())
    clock.now = NOW + timedelta(minutes=30)
    p.choose(Choice.DND_2H)  # chosen while paused: stored, not sent
    assert len(slack.writes()) == writes
    clock.now = NOW + timedelta(hours=1, minutes=1)
    resumed = tray_sync(tmp_path, slack, clock).run()
    assert not view(resumed).paused
    assert view(resumed).state is State.FOCUS
    assert len(slack.writes()) > writes and slack.shown.dnd_until, "the pause ended: the services are brought in step"


def test_a_capability_the_account_lacks_stays_in_the_menu_after_it_was_told(
    tmp_path: Path, slack_emulator: SlackEmulator
) -> None:
    """A token without users:write (real Slack publisher, Slack emulator): the first pass alerts; the next ones
    keep a plain health line saying presence cannot be set (it used to go back to "Slack ✓" while presence
    stayed unsynced); a restart checks once more, then keeps the line the same way."""
    from tests.slack_emulator.workspace import ALL_USER_SCOPES
    from traystatus.adapters.slack_api import SlackClient
    from traystatus.adapters.slack_publisher import SlackStatusPublisher

    token = "xoxp-5555-no-presence"
    slack_emulator.add_token(token, scopes=tuple(s for s in ALL_USER_SCOPES if s != "users:write"))
    clock = Clock()
    # a Tuesday to come (the emulator expires statuses by the real clock), 18:30 in Berlin: off hours, "away"
    day = date.today() + timedelta(days=7)
    clock.now = datetime.combine(day + timedelta(days=(1 - day.weekday()) % 7), time(17, 30), tzinfo=UTC)

    def start() -> StatusSync:
        slack = SlackStatusPublisher(SlackClient(token, api_url=slack_emulator.base_url, retries=0), account="slack:T1")
        return tray_sync(tmp_path, slack, clock)

    first = start()
    told = view(first.run())
    assert told.health[0].needs_action and "users:write" in told.health[0].detail
    assert told.health[0].text == "Slack: permission missing — Reconnect…"
    notices = ChangeNotices(notify_on_change=True).after(told, told.state, user_caused=False)
    assert any("users:write" in message for _title, message in notices)
    clock.now += timedelta(minutes=20)
    later = view(first.run()).health[0]
    assert not later.ok and not later.needs_action and "presence cannot be set" in later.text, later
    assert slack_emulator.status()[0].startswith("Off for the day"), "the status still follows the calendar"

    clock.now += timedelta(minutes=20)
    restarted = start()  # a new process checks once more (a fixed token clears it), then keeps the plain line
    presence_calls = len(slack_emulator.calls_to("users.setPresence"))
    assert "users:write" in view(restarted.run()).health[0].detail
    assert len(slack_emulator.calls_to("users.setPresence")) == presence_calls + 1
    clock.now += timedelta(minutes=20)
    kept = view(restarted.run()).health[0]
    assert not kept.ok and not kept.needs_action and "presence cannot be set" in kept.text, kept
    assert len(slack_emulator.calls_to("users.setPresence")) == presence_calls + 1


class HangingPublisher(RecordingStatusPublisher):
    """A service that answers only once the other account's new state is saved (or gives up after 10 s)."""

    def __init__(self, store: StateStore, other: str) -> None:
        super().__init__(service_kind=Service.SLACK, account_id="slack:slow")
        self.store, self.other = store, other
        self.saw_other_saved: bool | None = None

    def send(self, op: Operation, now: datetime) -> None:
        if self.saw_other_saved is None:
            deadline = monotonic() + 10.0
            while monotonic() < deadline and not self.store.account(self.other)[0].status_known:
                sleep(0.01)
            self.saw_other_saved = self.store.account(self.other)[0].status_known
        super().send(op, now)


def test_a_slow_service_delays_neither_the_other_account_nor_its_saved_state(tmp_path: Path) -> None:
    """Issue 16: one pass reconciles the accounts at once, each saving its own state; the slow one listed
    first (a sequential pass would hold the other back until it answered)."""
    clock = Clock()
    clock.now = datetime(2026, 11, 24, 17, 30, tzinfo=UTC)  # 18:30 in Berlin: off hours, a status to set
    store = StateStore(tmp_path)
    fast = RecordingStatusPublisher(service_kind=Service.MATRIX, account_id="matrix:fast")
    slow = HangingPublisher(store, fast.account)
    sync = StatusSync(settings=SETTINGS, calendars=no_calendars, publishers=[slow, fast], store=store, clock=clock)
    report = sync.run()
    assert slow.saw_other_saved is True, "the fast account's state was saved while the slow one still waited"
    assert report.ok and [a.account for a in report.accounts] == ["slack:slow", "matrix:fast"]
    assert all(a.sent for a in report.accounts) and store.account("slack:slow")[0].status_known


def test_a_slow_calendar_read_never_sends_a_status_that_already_ended(tmp_path: Path) -> None:
    """The read starts at 11:29 inside "Review" (until 11:30) and returns at 11:31: the pass plans with
    11:31, so "In a meeting until 11:30" is never sent; what is sent holds at 11:31."""
    from traystatus.core.model import CalendarEvent

    clock = Clock()
    clock.now = datetime(2026, 11, 24, 10, 29, tzinfo=UTC)  # 11:29 in Berlin
    review = CalendarEvent(uid="r", start=clock.now - timedelta(minutes=29), end=clock.now + timedelta(minutes=1))

    def slow_read(start: datetime, end: datetime) -> list[CalendarResult]:
        clock.now += timedelta(minutes=2)  # the fetch took two minutes
        return [CalendarResult(source="Work", events=(review,))]

    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    sync = StatusSync(
        settings=SETTINGS, calendars=slow_read, publishers=[slack], store=StateStore(tmp_path), clock=clock
    )
    report = sync.run(refresh=True)
    assert report.at == datetime(2026, 11, 24, 10, 31, tzinfo=UTC) and report.interval.state is State.AVAILABLE
    for when, _kind, op in slack.writes():
        assert op is not None and (op.expires_at is None or op.expires_at > clock.now), (when, op)
    assert slack.shown.text != "In a meeting"


def test_status_lists_the_calls_a_dry_run_lists_whatever_is_known_of_the_account(tmp_path: Path) -> None:
    """`status` (no service called) and `apply --dry-run` (reads the service) plan through one pipeline: the same
    calls with nothing applied yet, when in step, when the calendar moved on, and after a status expired."""
    matrix = RecordingStatusPublisher(service_kind=Service.MATRIX, account_id="matrix:@me:x")
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    sync = StatusSync(
        settings=SETTINGS,
        calendars=no_calendars,
        publishers=[slack, matrix],
        store=StateStore(tmp_path),
        clock=clock,
    )

    def planned(report: SyncReport) -> dict[str, list[str]]:
        return {a.account: [op.describe() for op in a.planned] for a in report.accounts}

    def agree(at: datetime) -> dict[str, list[str]]:
        status, dry = sync.run(at, send=False), sync.run(at, dry_run=True, force=True)
        assert planned(status) == planned(dry), (status.accounts, dry.accounts)
        return planned(dry)

    unknown = agree(NOW)  # nothing applied yet: the record is unknown
    assert unknown["slack:T1"] and unknown["matrix:@me:x"]
    sync.run(NOW)
    assert agree(NOW) == {"slack:T1": [], "matrix:@me:x": []}  # in step
    evening = NOW.replace(hour=17, minute=30)  # after the day's end: a new status for both
    moved = agree(evening)
    assert all(moved.values()) and any("Off" in c for c in moved["slack:T1"]), moved
    sync.run(evening)
    assert agree(evening + timedelta(minutes=5)) == {"slack:T1": [], "matrix:@me:x": []}
