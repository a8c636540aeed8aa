"""End to end: a realistic working day (tests/data/sync/workday.ics, read by the real ICS source) replayed with a
fast-forwarded clock through the real sync service and reconcile, against the Slack emulator and a REAL Synapse.
Each pass runs when the previous one asked (as the scheduler would), plus duplicate and late triggers; the
calls on both services are exactly the expected ones, nothing redundant."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests

from tests.fixtures.slack import ManualClock
from tests.fixtures.synapse import SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.calendar_sources import build_sources
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.adapters.matrix_publisher import MatrixStatusPublisher
from traystatus.adapters.slack_api import SlackClient
from traystatus.adapters.slack_publisher import SlackStatusPublisher
from traystatus.adapters.state_store import StateStore
from traystatus.app.container import SourcesReader
from traystatus.core.hours import parse_hours
from traystatus.core.settings import CalendarSourceConfig, Settings
from traystatus.core.status_sync import StatusSync

pytestmark = pytest.mark.synapse

BERLIN = ZoneInfo("Europe/Berlin")
WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"


def local(hhmm: str, day: int = 24) -> datetime:
    h, m = map(int, hhmm.split(":"))
    return datetime(2026, 11, day, h, m, tzinfo=BERLIN).astimezone(UTC)


class RecordingHttp(requests.Session):
    """The Matrix client's HTTP session, recording (clock time, verb, path, body) of every request."""

    def __init__(self, clock: ManualClock) -> None:
        super().__init__()
        self.clock = clock
        self.log: list[tuple[str, str, str, Any]] = []

    def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any) -> requests.Response:
        path = str(url).split("/_matrix/client/v3", 1)[-1]
        hhmm = f"{datetime.fromtimestamp(self.clock.t, UTC).astimezone(BERLIN):%H:%M}"
        self.log.append((hhmm, str(method), path, kwargs.get("json")))
        return super().request(method, url, *args, **kwargs)  # type: ignore[arg-type]


def test_a_working_day_on_both_services(
    tmp_path: Path, slack_emulator: SlackEmulator, slack_clock: ManualClock, synapse: SynapseServer
) -> None:
    settings = Settings(
        timezone=BERLIN,
        hours=parse_hours("mon-fri 09:00-17:00"),
        calendars=(CalendarSourceConfig(name="work", location=str(WORKDAY)),),
    )
    user = synapse.new_user("day")  # rate limits lifted: the day is replayed in seconds
    http = RecordingHttp(slack_clock)
    matrix = MatrixClient(
        MatrixSession(homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id="TRAY"),
        http=http,
        max_wait=0.0,
        retries=0,
    )
    slack = SlackClient(slack_emulator.token, api_url=slack_emulator.base_url, max_wait=0.0, retries=0)
    service = StatusSync(
        settings=settings,
        calendars=SourcesReader(build_sources(settings, cache_dir=tmp_path / "cache")),
        publishers=[
            SlackStatusPublisher(slack, account="slack:day", monotonic=slack_clock),
            MatrixStatusPublisher(matrix),
        ],
        store=StateStore(tmp_path / "state"),
        clock=lambda: datetime.fromtimestamp(slack_clock.t, UTC),
    )

    t = local("07:00")
    passes: list[str] = []
    while t < local("20:00"):
        if t == local("13:00"):
            t = local("13:02")  # a late trigger (the laptop was busy): only delays the right status
        slack_clock.set(t.timestamp())
        report = service.run(t)
        assert report.ok, report
        again = service.run(t)  # a duplicate trigger sends nothing, reads nothing
        assert all(a.sent == () for a in again.accounts)
        passes.append(f"{t.astimezone(BERLIN):%H:%M}")
        assert report.wake_at is not None
        t = report.wake_at
    # every pass at a transition (15-minute safety net in between) and nothing else
    assert passes[:6] == ["07:00", "07:15", "07:30", "07:45", "08:00", "08:15"]
    assert {
        "09:00",
        "09:30",
        "09:45",
        "10:00",
        "11:00",
        "11:30",
        "13:02",
        "15:00",
        "15:30",
        "16:00",
        "16:30",
        "17:00",
    } <= set(passes)

    def when(call_at: float) -> str:
        return f"{datetime.fromtimestamp(call_at, UTC).astimezone(BERLIN):%H:%M}"

    slack_calls = [(when(c.at), c.method, _slack_args(c.params)) for c in slack_emulator.calls]
    wed9 = int(local("09:00", 25).timestamp())
    assert slack_calls == [
        ("07:00", "users.profile.get", ""),
        (
            "07:00",
            "users.profile.set",
            f"Off for the day — back 09:00 CET|:crescent_moon:|{int(local('09:00').timestamp())}",
        ),
        ("07:00", "users.setPresence", "away"),
        ("07:00", "dnd.setSnooze", "120"),
        ("09:00", "users.setPresence", "auto"),  # the status and the snooze ended by themselves
        ("09:30", "users.profile.get", ""),
        ("09:30", "users.profile.set", f"In a meeting|:spiral_calendar_pad:|{int(local('09:45').timestamp())}"),
        ("10:00", "users.profile.get", ""),
        ("10:00", "users.profile.set", f"In a meeting|:spiral_calendar_pad:|{int(local('11:30').timestamp())}"),
        ("13:02", "users.profile.get", ""),
        ("13:02", "users.profile.set", f"Focusing|:headphones:|{int(local('15:00').timestamp())}"),
        ("13:02", "dnd.setSnooze", "118"),
        ("15:30", "users.profile.get", ""),
        ("15:30", "users.profile.set", f"In a meeting|:spiral_calendar_pad:|{int(local('16:30').timestamp())}"),
        ("17:00", "users.profile.get", ""),
        ("17:00", "users.profile.set", f"Off for the day — back 09:00 CET|:crescent_moon:|{wed9}"),
        ("17:00", "users.setPresence", "away"),
        ("17:00", "dnd.setSnooze", "960"),
    ]
    assert all(c.ok for c in slack_emulator.calls)

    master = "/pushrules/global/override/.m.rule.master/enabled"
    presence = f"/presence/{requests.utils.quote(user.user_id, safe='')}/status"
    writes = [(hhmm, path, body) for hhmm, verb, path, body in http.log if verb == "PUT"]
    off = "🌙 Off for the day — back 09:00 CET"
    assert writes == [
        ("07:00", master, {"enabled": True}),
        ("07:00", presence, {"presence": "unavailable", "status_msg": off}),
        ("09:00", master, {"enabled": False}),
        ("09:00", presence, {"presence": "online"}),
        ("09:30", presence, {"presence": "unavailable", "status_msg": "🗓 In a meeting"}),
        ("09:45", presence, {"presence": "online"}),
        ("10:00", presence, {"presence": "unavailable", "status_msg": "🗓 In a meeting"}),
        ("11:30", presence, {"presence": "online"}),
        ("13:02", master, {"enabled": True}),
        ("13:02", presence, {"presence": "unavailable", "status_msg": "🎧 Focusing"}),
        ("15:00", master, {"enabled": False}),
        ("15:00", presence, {"presence": "online"}),
        ("15:30", presence, {"presence": "unavailable", "status_msg": "🗓 In a meeting"}),
        ("16:30", presence, {"presence": "online"}),
        ("17:00", master, {"enabled": True}),
        ("17:00", presence, {"presence": "unavailable", "status_msg": off}),
    ]
    reads_at = sorted({hhmm for hhmm, verb, _p, _b in http.log if verb == "GET"})
    assert reads_at == sorted({hhmm for hhmm, _p, _b in writes})  # reads only where something changed
    final = matrix.get_presence()
    assert final["status_msg"] == off and matrix.dnd_enabled() is True
    assert "Doctor" not in repr(slack_calls) and "Doctor" not in repr(http.log)  # private titles never leave


def _slack_args(params: dict[str, object]) -> str:
    profile = params.get("profile")
    if isinstance(profile, dict):
        return f"{profile['status_text']}|{profile['status_emoji']}|{profile['status_expiration']}"
    for key in ("presence", "num_minutes"):
        if key in params:
            return str(params[key])
    return ""
