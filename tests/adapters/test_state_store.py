"""The sync state file: what was applied survives a restart exactly, a damaged file is set aside (not fatal),
two stores on one file (tray + CLI) keep each other's accounts, overrides replace overlapping ones and expire."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from traystatus.adapters.state_store import FILE_NAME, StateStore
from traystatus.core.model import Override, State
from traystatus.core.publishing import Applied, KnownLimits, RetryState

T = datetime(2026, 11, 24, 9, 30, tzinfo=UTC)
APPLIED = Applied(
    text="In a meeting",
    emoji=":spiral_calendar_pad:",
    message="🗓 In a meeting",
    expires_at=T + timedelta(minutes=45),
    status_known=True,
    away=False,
    dnd_until=T + timedelta(hours=1),
    dnd_effective=T + timedelta(minutes=50),
    hands_off="",
    updated_at=T,
)
RETRY = RetryState(
    failures=2, retry_at=T + timedelta(minutes=1), last_error="Slack rate limit: later", needs_action=False
)


def test_applied_and_retry_survive_a_restart_exactly(tmp_path: Path) -> None:
    StateStore(tmp_path).save_account("slack:T1:U1", APPLIED, RETRY)
    applied, retry = StateStore(tmp_path).account("slack:T1:U1")  # a new process reads the file
    assert applied == APPLIED and retry == RETRY
    assert applied.expires_at is not None and applied.expires_at.tzinfo is not None
    assert StateStore(tmp_path).account("matrix:@new:example.org") == (Applied(), RetryState())


def test_known_limits_survive_saves_that_do_not_mention_them_and_go_when_cleared(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    assert store.limits("matrix:@a:x") == KnownLimits()
    found = KnownLimits(presence=False, why_not="presence is disabled", found_at=T)
    store.save_account("matrix:@a:x", Applied(), RetryState(), found)
    store.save_account("matrix:@a:x", Applied(text="x"), RetryState())  # None: keep what was known
    assert StateStore(tmp_path).limits("matrix:@a:x") == found
    store.save_account("matrix:@a:x", Applied(), RetryState(), KnownLimits())  # a call worked: cleared
    assert store.limits("matrix:@a:x") == KnownLimits()
    assert "limits" not in json.loads((tmp_path / FILE_NAME).read_text())["accounts"]["matrix:@a:x"]


def test_a_damaged_file_is_set_aside_and_sync_starts_afresh(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    (tmp_path / FILE_NAME).write_text('{"accounts": {"slack:T1:U1": ', encoding="utf-8")  # cut off mid-write
    with caplog.at_level(logging.WARNING):
        assert StateStore(tmp_path).account("slack:T1:U1") == (Applied(), RetryState())
    assert (tmp_path / "sync_state.corrupt").exists() and "unreadable" in caplog.text
    StateStore(tmp_path).save_account("slack:T1:U1", APPLIED, RETRY)
    assert (
        json.loads((tmp_path / FILE_NAME).read_text())["accounts"]["slack:T1:U1"]["applied"]["text"] == "In a meeting"
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".sync_state.")]  # no temporary file left


def test_two_stores_on_one_file_keep_each_others_accounts(tmp_path: Path) -> None:
    tray, cli = StateStore(tmp_path), StateStore(tmp_path)
    tray.save_account("slack:T1:U1", APPLIED, RetryState())
    cli.save_account("matrix:@me:example.org", Applied(message="x", status_known=True), RetryState())
    tray.save_account("slack:T1:U1", APPLIED, RETRY)
    assert StateStore(tmp_path).accounts() == ["matrix:@me:example.org", "slack:T1:U1"]
    cli.clear_retry()
    assert tray.account("slack:T1:U1") == (APPLIED, RetryState())
    tray.forget_account("slack:T1:U1")
    assert cli.accounts() == ["matrix:@me:example.org"]


def test_overrides_replace_overlapping_ones_and_expire(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    dnd = Override(state=State.FOCUS, start=T, end=T + timedelta(hours=1), reason="DND 1 h")
    store.add_override(dnd)
    longer = Override(state=State.FOCUS, start=T + timedelta(minutes=10), end=T + timedelta(hours=2))
    store.add_override(longer)  # overlaps the first: replaces it
    pause = Override(state=State.AVAILABLE, start=T, end=T + timedelta(minutes=30), paused=True)
    store.add_override(pause)  # a pause is another kind: both stand
    assert StateStore(tmp_path).overrides(T + timedelta(minutes=15)) == [longer, pause]
    assert store.overrides(T + timedelta(minutes=45)) == [longer]  # the pause ended and left the file
    assert len(json.loads((tmp_path / FILE_NAME).read_text())["overrides"]) == 1
    store.remove_override(longer)
    assert store.overrides(T) == []


def test_exclusive_serialises_passes_across_stores(tmp_path: Path) -> None:
    """Two stores on one dir (as two processes would have): the second pass starts only after the first ends."""
    import threading

    order: list[str] = []
    first_in, release = threading.Event(), threading.Event()

    def first() -> None:
        with StateStore(tmp_path).exclusive():
            order.append("first in")
            first_in.set()
            release.wait(10)
            order.append("first out")

    def second() -> None:
        first_in.wait(10)
        with StateStore(tmp_path).exclusive():
            order.append("second in")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    first_in.wait(10)
    threads[1].join(0.3)  # the second is waiting for the lock, not inside
    assert order == ["first in"]
    release.set()
    for t in threads:
        t.join(10)
    assert order == ["first in", "first out", "second in"]


def test_a_damaged_override_entry_is_dropped_not_fatal(tmp_path: Path) -> None:
    store = StateStore(tmp_path)
    ok = Override(state=State.FOCUS, start=T, end=T + timedelta(hours=1))
    store.add_override(ok)
    data = json.loads((tmp_path / FILE_NAME).read_text())
    data["overrides"] += ["garbage", {"state": "focus"}, {"state": "nope", "start": "x", "end": "y"}]
    (tmp_path / FILE_NAME).write_text(json.dumps(data))
    assert store.overrides(T) == [ok]
    later = Override(state=State.OOO, start=T + timedelta(hours=2), end=T + timedelta(hours=3))
    store.add_override(later)
    assert store.overrides(T) == [ok, later]
