"""The shared pipeline and a presence keeper (the Matrix sync loop's port): every sending pass tells it what
to hold, what it sees reaches the report, the tray's health line and `status`; the runtime's duty closes it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.core.live_presence import OTHER_SESSION, LiveState, PresenceDuty, PresenceSighting
from traystatus.core.ports import CalendarResult
from traystatus.core.publishing import Service
from traystatus.core.settings import settings_from_mapping
from traystatus.core.status_map import DesiredStatus
from traystatus.core.status_sync import StatusSync
from traystatus.core.sync_view import report_health

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # a Tuesday, 19:00 in Berlin: off hours → unavailable
SETTINGS = settings_from_mapping(
    {"timezone": "Europe/Berlin", "working_hours": "mon-fri 09:00-17:00"}, source="test", default_tz=ZoneInfo("UTC")
)


class KeepingPublisher(RecordingStatusPublisher):
    """A recording Matrix publisher that also keeps presence, seeing itself online (a phone of the user)."""

    def __init__(self) -> None:
        super().__init__(service_kind=Service.MATRIX, account_id="matrix:@me:x")
        self.held: list[DesiredStatus] = []
        self.closed = False

    def hold(self, desired: DesiredStatus) -> None:
        self.held.append(desired)

    def live(self) -> LiveState:
        desired = "unavailable" if self.held and self.held[-1].matrix_unavailable else "online"
        seen = PresenceSighting(user_id="@me:x", presence="online", seen_at=NOW + timedelta(seconds=1))
        return LiveState(desired=desired, desired_since=NOW, own=seen)

    def close(self) -> None:
        self.closed = True


def no_calendars(start: datetime, end: datetime) -> list[CalendarResult]:
    return []


def test_keepers_hold_each_pass_and_their_news_is_told(tmp_path: Path) -> None:
    keeper = KeepingPublisher()
    sync = StatusSync(
        settings=SETTINGS, calendars=no_calendars, publishers=[keeper], store=StateStore(tmp_path), clock=lambda: NOW
    )
    report = sync.run()
    assert [d.matrix_unavailable for d in keeper.held] == [True]
    (line,) = report.accounts
    assert line.presence_note.startswith(OTHER_SESSION) and line.presence_note in line.notes
    (health,) = report_health(report)
    assert not health.ok and health.detail.startswith(OTHER_SESSION) and not health.needs_action
    sync.run()  # in step: nothing sent, still held (the loop needs the desired presence every pass)
    assert len(keeper.held) == 2
    assert sync.run(dry_run=True) and len(keeper.held) == 2  # a dry run holds nothing
    status = sync.run(send=False)  # `status`: no service called, the keeper's note still shown
    assert status.accounts[0].notes[0].startswith(OTHER_SESSION)
    PresenceDuty(lambda: sync.publishers).stop()
    assert keeper.closed
