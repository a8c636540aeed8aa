"""The outbox worker against a real Synapse and the Slack emulator: exactly one message per note."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.fixtures.slack import login_scopes_only
from tests.fixtures.synapse import SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.adapters.handoff_delivery import HandoffDelivery, MatrixSender, SlackSender
from traystatus.adapters.matrix_api import MatrixClient, MatrixSession
from traystatus.core.handoff import HandoffNote, NoteSection, parse_destination, slack_text
from traystatus.core.outbox import LEASE, Delivery, DeliveryStatus, begin, leased


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2026, 11, 24, 16, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.t


def mk(nid: str, *dests: str) -> HandoffNote:
    return HandoffNote(
        id=nid,
        created=datetime(2026, 11, 24, 16, tzinfo=UTC),
        sections=(
            NoteSection(title="Done", text='Fixed <b>bold</b> & "quotes" for Jürgen'),
            NoteSection(title="Next", text="東京 review"),
        ),
        destinations=tuple(parse_destination(d) for d in dests),
    )


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[SqliteNoteArchive]:
    a = SqliteNoteArchive.in_dir(tmp_path)
    yield a
    a.close()


@pytest.fixture
def matrix(synapse: SynapseServer) -> tuple[MatrixClient, str, str]:
    user = synapse.new_user("handoff")
    room = synapse.create_room(user.token, name="handoffs")
    session = MatrixSession(
        homeserver=synapse.base_url, user_id=user.user_id, access_token=user.token, device_id=user.device_id or ""
    )
    return MatrixClient(session, retries=0, max_wait=0), room, user.token


def messages(synapse: SynapseServer, token: str, room: str) -> list[dict[str, object]]:
    return synapse.room_messages(token, room)


def test_matrix_body_and_html_one_message(
    archive: SqliteNoteArchive, synapse: SynapseServer, matrix: tuple[MatrixClient, str, str]
) -> None:
    client, room, token = matrix
    clock = Clock()
    archive.store(mk("m1", f"matrix:{room}"), clock())
    worker = HandoffDelivery(archive, {"matrix": MatrixSender(client)}, clock)
    (d,) = worker.run_due()
    assert d.status is DeliveryStatus.SENT and d.remote_id.startswith("$")
    (msg,) = messages(synapse, token, room)
    content = msg["content"]
    assert isinstance(content, dict)
    assert 'Fixed <b>bold</b> & "quotes" for Jürgen' in content["body"]
    assert "Fixed &lt;b&gt;bold&lt;/b&gt; &amp; &quot;quotes&quot;" in content["formatted_body"]
    assert content["format"] == "org.matrix.custom.html"
    assert worker.run_due() == []  # nothing left to do


def test_matrix_room_alias_is_resolved_and_an_unknown_one_refused(
    archive: SqliteNoteArchive, synapse: SynapseServer, matrix: tuple[MatrixClient, str, str]
) -> None:
    client, _room, token = matrix
    name = f"handoffs-{id(archive)}"
    room = synapse.create_room(token, name="aliased", room_alias_name=name)
    clock = Clock()
    archive.store(mk("a1", f"matrix:#{name}:localhost", "matrix:#nobody-here:localhost"), clock())
    worker = HandoffDelivery(archive, {"matrix": MatrixSender(client)}, clock)
    by_dest = {d.destination: d for d in worker.run_due()}
    assert by_dest[f"matrix:#{name}:localhost"].status is DeliveryStatus.SENT
    unknown = by_dest["matrix:#nobody-here:localhost"]
    assert unknown.status is DeliveryStatus.FAILED and "no room is called" in unknown.last_error
    assert unknown.next_attempt is None  # permanent: retried only when the user asks
    assert len(messages(synapse, token, room)) == 1


def test_matrix_server_killed_mid_delivery_then_restart(
    tmp_path: Path, synapse: SynapseServer, matrix: tuple[MatrixClient, str, str]
) -> None:
    client, room, token = matrix
    clock = Clock()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("m2", f"matrix:{room}"), clock())
    # The message landed, but the app died before recording it (the record says "in flight").
    (d,) = archive.deliveries("m2")
    archive.save_delivery(begin(d, clock()))
    client.send_message(room, "first attempt that landed", txn_id=d.txn_id)
    synapse.kill()  # and the homeserver dies too
    archive.close()

    archive = SqliteNoteArchive.in_dir(tmp_path)  # the app restarts
    worker = HandoffDelivery(archive, {"matrix": MatrixSender(client)}, clock)
    (failed,) = worker.run_due()
    assert failed.status is DeliveryStatus.FAILED and failed.next_attempt is not None
    assert "unreachable" in failed.last_error
    synapse.start()
    clock.t = failed.next_attempt
    (sent,) = worker.run_due()
    assert sent.status is DeliveryStatus.SENT and sent.attempts == 3
    bodies = [m["content"]["body"] for m in messages(synapse, token, room)]  # type: ignore[index]
    assert bodies == ["first attempt that landed"]  # the same txn id: the homeserver kept one event
    archive.close()


def test_matrix_down_for_an_hour_then_both_notes_arrive_once_in_order(tmp_path: Path, synapse: SynapseServer) -> None:
    """The homeserver is down for more than an hour: every pass fails fast, the waits grow to the hour's cap
    and no later note overtakes the first; when it is back, both arrive once, in order, as a second user
    reads the room."""
    author, reader = synapse.new_user("night"), synapse.new_user("colleague")
    room = synapse.create_room(author.token, name="handoffs", invite=[reader.user_id])
    synapse.join(reader.token, room)
    session = MatrixSession(
        homeserver=synapse.base_url, user_id=author.user_id, access_token=author.token, device_id=""
    )
    clock = Clock()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    try:
        for i in range(2):
            note = mk(f"h{i}", f"matrix:{room}")
            archive.store(
                HandoffNote(
                    **{
                        **{f: getattr(note, f) for f in note.__dataclass_fields__},
                        "created": clock() + timedelta(seconds=i),
                        "sections": (NoteSection(title="Done", text=f"night note {i}"),),
                    }
                ),
                clock(),
            )
        worker = HandoffDelivery(archive, {"matrix": MatrixSender(MatrixClient(session, retries=0, max_wait=0))}, clock)
        synapse.kill()
        down_since, waits = clock(), []
        while clock() - down_since < timedelta(minutes=65):
            states = worker.run_due()
            assert [d.note_id for d in states] == ["h0"]  # h1 waits behind it
            assert states[0].status is DeliveryStatus.FAILED
            wake = worker.next_wake()
            assert wake is not None
            waits.append(wake - clock())
            clock.t = wake
        assert waits == sorted(waits) and max(waits) <= timedelta(hours=1) and len(waits) >= 8
        synapse.start()
        sent = worker.run_due()
        assert [(d.note_id, d.status) for d in sent] == [("h0", DeliveryStatus.SENT), ("h1", DeliveryStatus.SENT)]
        bodies = [m["content"]["body"] for m in reversed(synapse.room_messages(reader.token, room))]
        assert [b.splitlines()[-1] for b in bodies] == ["night note 0", "night note 1"]
        assert archive.deliveries("h1")[0].attempts == 1
    finally:
        if not synapse.running:
            synapse.start()
        archive.close()


@pytest.fixture
def slack(slack_emulator: SlackEmulator) -> SlackSender:
    return SlackSender({"": slack_emulator.token}, api_url=slack_emulator.base_url, timeout=0.5)


def posted(emu: SlackEmulator) -> list[str]:
    return [m.text for m in emu.messages]


def test_slack_escaped_once(archive: SqliteNoteArchive, slack_emulator: SlackEmulator, slack: SlackSender) -> None:
    clock = Clock()
    archive.store(mk("s1", "slack:#handoffs"), clock())
    (d,) = HandoffDelivery(archive, {"slack": slack}, clock).run_due()
    assert d.status is DeliveryStatus.SENT and d.remote_id
    (text,) = posted(slack_emulator)
    assert 'Fixed &lt;b&gt;bold&lt;/b&gt; &amp; "quotes" for Jürgen' in text
    assert slack_emulator.messages[0].channel == "C0HANDOFF"


def test_slack_rate_limit_and_refusal(
    archive: SqliteNoteArchive, slack_emulator: SlackEmulator, slack: SlackSender
) -> None:
    clock = Clock()
    archive.store(mk("s2", "slack:#handoffs", "slack:#nope"), clock())
    slack_emulator.inject("chat.postMessage", status=429, retry_after=90)
    worker = HandoffDelivery(archive, {"slack": slack}, clock)
    states = {d.destination: d for d in worker.run_due()}
    limited, missing = states["slack:#handoffs"], states["slack:#nope"]
    # A 429 is no failed attempt: it waits exactly what Slack asked, no backoff, attempts unchanged.
    assert limited.status is DeliveryStatus.PENDING and limited.next_attempt == clock() + timedelta(seconds=90)
    assert limited.attempts == 0 and "rate limited" in limited.last_error
    assert missing.status is DeliveryStatus.FAILED and "channel_not_found" in missing.last_error
    clock.t += timedelta(seconds=90)
    assert [d.status for d in worker.run_due() if d.destination == "slack:#handoffs"] == [DeliveryStatus.SENT]
    assert len(posted(slack_emulator)) == 1


def test_slack_timeout_is_never_blindly_resent(
    tmp_path: Path, slack_emulator: SlackEmulator, slack: SlackSender
) -> None:
    clock = Clock()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    archive.store(mk("s3", "slack:#handoffs"), clock())
    slack_emulator.inject("chat.postMessage", status=500, delay=1.5)  # the answer never comes in time
    worker = HandoffDelivery(archive, {"slack": slack}, clock)
    (d,) = worker.run_due()
    assert d.status is DeliveryStatus.CHECKING
    (d,) = worker.run_due()  # the emulator has no conversations.history: it cannot be known
    assert d.status is DeliveryStatus.UNCERTAIN and "may have been posted" in d.last_error
    archive.close()
    archive = SqliteNoteArchive.in_dir(tmp_path)  # restart, days later: still not resent
    worker = HandoffDelivery(archive, {"slack": slack}, clock)
    clock.t += timedelta(days=3)
    assert worker.run_due() == []
    assert posted(slack_emulator) == []
    worker.retry("s3", "slack:#handoffs")  # the user looked and it is not there
    (d,) = worker.run_due()
    assert d.status is DeliveryStatus.SENT and len(posted(slack_emulator)) == 1
    archive.close()


def test_slack_crash_after_post_is_not_repeated(
    tmp_path: Path, slack_emulator: SlackEmulator, slack: SlackSender
) -> None:
    clock = Clock()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    note = mk("s4", "slack:#handoffs")
    (d,) = archive.store(note, clock())
    d = begin(d, clock())
    archive.save_delivery(d)
    slack.send(note, d)  # the post lands; the app dies before recording it
    archive.close()
    archive = SqliteNoteArchive.in_dir(tmp_path)
    worker = HandoffDelivery(archive, {"slack": slack}, clock)
    states = [x.status for x in worker.run_due()]
    clock.t += timedelta(hours=2)
    states += [x.status for x in worker.run_due()]
    assert states == [DeliveryStatus.UNCERTAIN]
    assert posted(slack_emulator) == [slack_text(note)]
    archive.close()


def test_slack_unreachable_is_retried(archive: SqliteNoteArchive) -> None:
    clock = Clock()
    archive.store(mk("s5", "slack:#handoffs"), clock())
    dead = SlackSender({"": "xoxp-test"}, api_url="http://127.0.0.1:9/api/", timeout=0.5)
    (d,) = HandoffDelivery(archive, {"slack": dead}, clock).run_due()
    assert d.status is DeliveryStatus.FAILED and d.next_attempt is not None  # refused: certainly not sent


class CountingSender:
    """Counts sends per delivery; each send takes a little while, as a real request does."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def send(self, note: HandoffNote, delivery: Delivery) -> str:
        time.sleep(0.005)
        with self.lock:
            self.sent.append((delivery.note_id, delivery.destination))
        return "ts"

    def find(self, note: HandoffNote, delivery: Delivery) -> str | None:
        return None


def test_two_processes_never_send_the_same_delivery(tmp_path: Path) -> None:
    """The tray app and the CLI share the archive: each delivery is claimed in one transaction."""
    first, second = SqliteNoteArchive.in_dir(tmp_path), SqliteNoteArchive.in_dir(tmp_path)
    try:
        for i in range(20):
            first.store(mk(f"n{i:02d}", "slack:#handoffs", "slack:#general"), Clock()())
        sender = CountingSender()
        workers = [HandoffDelivery(a, {"slack": sender}, Clock()) for a in (first, second)]
        barrier = threading.Barrier(2)

        def run(worker: HandoffDelivery) -> None:
            barrier.wait()
            worker.run_due()

        threads = [threading.Thread(target=run, args=(w,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert sorted(sender.sent) == sorted(set(sender.sent)) and len(sender.sent) == 40
        assert {d.status for d in first.deliveries()} == {DeliveryStatus.SENT}
    finally:
        first.close()
        second.close()


def test_claim_refuses_a_stale_view(archive: SqliteNoteArchive) -> None:
    (d,) = archive.store(mk("n1", "slack:#handoffs"), Clock()())
    claimed = begin(d, Clock()())
    assert archive.claim_delivery(d, claimed)
    assert not archive.claim_delivery(d, claimed)  # someone else saw the same pending row: refused
    assert archive.deliveries("n1")[0].status is DeliveryStatus.IN_FLIGHT


def test_a_live_slow_send_is_never_taken_over(tmp_path: Path, slack_emulator: SlackEmulator) -> None:
    """`traystatus handoff` sends slowly; `notes deliver` starts meanwhile: it leaves the live send alone
    (the lease runs, its owner is alive), so Slack gets the note once."""
    slow_sender = SlackSender({"": slack_emulator.token}, api_url=slack_emulator.base_url, timeout=10)
    first, second = SqliteNoteArchive.in_dir(tmp_path), SqliteNoteArchive.in_dir(tmp_path)
    try:
        first.store(mk("live", "slack:#handoffs"), Clock()())
        slack_emulator.slow("chat.postMessage", delay=2.0)
        sending = threading.Thread(target=HandoffDelivery(first, {"slack": slow_sender}, Clock()).run_due)
        sending.start()
        deadline = time.monotonic() + 10
        while second.deliveries("live")[0].status is not DeliveryStatus.IN_FLIGHT and time.monotonic() < deadline:
            time.sleep(0.02)
        other = HandoffDelivery(
            second, {"slack": SlackSender({"": slack_emulator.token}, api_url=slack_emulator.base_url)}, Clock()
        )
        assert other.run_due() == []  # in flight elsewhere: untouched
        assert second.deliveries("live")[0].status is DeliveryStatus.IN_FLIGHT
        # `notes deliver` waits for the live send to finish, so it reports the note's true state
        assert other.deliver() == [] and second.deliveries("live")[0].status is DeliveryStatus.SENT
        sending.join(timeout=30)
        assert len(posted(slack_emulator)) == 1
    finally:
        first.close()
        second.close()


def test_a_dead_owners_send_is_resolved_at_once_and_a_foreign_one_after_its_lease(
    archive: SqliteNoteArchive, slack_emulator: SlackEmulator, slack: SlackSender
) -> None:
    clock = Clock()
    (dead,) = archive.store(mk("dead", "slack:#handoffs"), clock())
    (far,) = archive.store(mk("far", "slack:#general"), clock())
    gone = subprocess.Popen(["true"])
    gone.wait()
    archive.save_delivery(leased(begin(dead, clock()), f"{socket.gethostname()}:{gone.pid}:x", clock()))
    archive.save_delivery(leased(begin(far, clock()), "another-host:4242:y", clock()))
    worker = HandoffDelivery(archive, {"slack": slack}, clock)
    worker.recover()
    states = {d.note_id: d.status for d in archive.deliveries()}
    # The killed process's Slack send may have landed: checked first, never blindly resent.
    assert states == {"dead": DeliveryStatus.CHECKING, "far": DeliveryStatus.IN_FLIGHT}
    clock.t += LEASE
    worker.recover()
    assert archive.deliveries("far")[0].status is DeliveryStatus.CHECKING
    assert posted(slack_emulator) == []


def test_a_note_the_cli_reserved_is_left_to_it_while_it_lives_and_finished_once_when_it_dies(
    archive: SqliteNoteArchive,
) -> None:
    """`traystatus handoff` reserves its note's deliveries and tells the running service, which leaves them
    alone (no race with the CLI) and looks again at the lease's end; once the CLI is gone (kill -9), the
    service sends what it had not sent and resends the Matrix message it was sending (same txn id)."""
    clock = Clock()
    deliveries = archive.store(mk("cli", "matrix:!room:x", "slack:#handoffs"), clock())
    cli_sender, service_sender = CountingSender(), CountingSender()
    cli = HandoffDelivery(archive, {"slack": cli_sender, "matrix": cli_sender}, clock)
    service = HandoffDelivery(archive, {"slack": service_sender, "matrix": service_sender}, clock)
    cli.reserve(deliveries)
    assert service.run_due() == [] and service_sender.sent == []
    assert service.next_wake() == clock() + LEASE
    # The CLI began the Matrix send, then died by SIGKILL: its pid is gone, its lease still runs.
    (matrix, slack) = archive.deliveries("cli")
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = f"{socket.gethostname()}:{gone.pid}:cli"
    archive.save_delivery(leased(begin(matrix, clock()), dead, clock()))
    archive.save_delivery(replace(slack, lease_owner=dead))
    states = service.run_due()
    assert sorted(service_sender.sent) == [("cli", "matrix:!room:x"), ("cli", "slack:#handoffs")]
    assert {d.status for d in states} == {DeliveryStatus.SENT} and cli_sender.sent == []
    # the listed order survives the updates (the history window and the popup show them so)
    assert [d.destination for d in archive.deliveries("cli")] == ["matrix:!room:x", "slack:#handoffs"]
    assert archive.deliveries("cli")[0].txn_id == matrix.txn_id
    assert service.run_due() == [] and len(service_sender.sent) == 2  # and never again


def test_429_storm_is_waited_out_in_order_and_not_counted(
    archive: SqliteNoteArchive, slack_emulator: SlackEmulator, slack: SlackSender
) -> None:
    """Five 429s asking 3 s each: the CLI waits them out (it gave up at the first), no attempt is counted,
    and the three notes arrive in the order they were written."""
    clock = Clock()
    for i in range(3):
        note = mk(f"n{i}", "slack:#handoffs")
        archive.store(
            HandoffNote(
                **{
                    **{f: getattr(note, f) for f in note.__dataclass_fields__},
                    "created": clock() + timedelta(seconds=i),
                    "sections": (NoteSection(title="Done", text=f"note {i}"),),
                }
            ),
            clock(),
        )
    slack_emulator.inject("chat.postMessage", status=429, retry_after=3, times=5)
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        clock.t += timedelta(seconds=seconds)

    left = HandoffDelivery(archive, {"slack": slack}, clock).deliver(sleep=sleep)
    assert left == [] and waits == [3.0] * 5
    assert [t.splitlines()[-1] for t in posted(slack_emulator)] == ["note 0", "note 1", "note 2"]
    assert [d.attempts for d in archive.deliveries()] == [1, 1, 1]


def _notifications(synapse: SynapseServer, token: str) -> list[dict[str, object]]:
    r = requests.get(f"{synapse.base_url}/_matrix/client/v3/notifications", headers=synapse.auth(token), timeout=10)
    r.raise_for_status()
    return list(r.json()["notifications"])


def test_matrix_markdown_html_and_mentions_seen_by_a_second_user(
    archive: SqliteNoteArchive, synapse: SynapseServer
) -> None:
    """A second user reads the room: the markdown arrives as the spec's HTML, the body stays plain, and
    "@room" pings nobody (m.mentions is always sent) until the user opts in; a named person is mentioned."""
    author, reader = synapse.new_user("author"), synapse.new_user("reader")
    room = synapse.create_room(author.token, name="handoffs", invite=[reader.user_id])
    synapse.join(reader.token, room)
    session = MatrixSession(
        homeserver=synapse.base_url, user_id=author.user_id, access_token=author.token, device_id=""
    )
    client = MatrixClient(session, retries=0, max_wait=0)
    clock = Clock()
    text = f"**Merged** [PR 42](https://example.org/42) and `make test`\n- @room heads up\n- ask {reader.user_id}"
    note = HandoffNote(
        id="md1",
        created=clock(),
        sections=(NoteSection(title="Done", text=text), NoteSection(title="Next", text="<script>x</script>")),
        destinations=(parse_destination(f"matrix:{room}"),),
    )
    archive.store(note, clock())
    (d,) = HandoffDelivery(archive, {"matrix": MatrixSender(client)}, clock).run_due()
    assert d.status is DeliveryStatus.SENT
    (msg,) = synapse.room_messages(reader.token, room)
    content = msg["content"]
    html_body = content["formatted_body"]
    assert content["format"] == "org.matrix.custom.html"
    assert '<strong>Merged</strong> <a href="https://example.org/42">PR 42</a> and <code>make test</code>' in html_body
    assert "<ul>" in html_body and "**" not in html_body and "<script>" not in html_body
    assert "**Merged** [PR 42](https://example.org/42)" in content["body"]  # the plain body is the markdown
    assert content["m.mentions"] == {"user_ids": [reader.user_id]}
    seen = {n["event"]["event_id"]: n for n in _notifications(synapse, reader.token)}  # type: ignore[index]
    assert seen[d.remote_id]["actions"] and any(  # the named person is highlighted…
        isinstance(a, dict) and a.get("set_tweak") == "highlight"
        for a in seen[d.remote_id]["actions"]  # type: ignore[union-attr]
    )
    # …but "@room" alone highlights nobody; with [handoff] room_mentions = true it does.
    for nid, opted in (("md2", False), ("md3", True)):
        only_room = HandoffNote(
            id=nid,
            created=clock() + timedelta(minutes=1 if opted else 0, seconds=1),
            sections=(NoteSection(title="Done", text="@room release is out"),),
            destinations=(parse_destination(f"matrix:{room}"),),
        )
        archive.store(only_room, clock())
        (d,) = HandoffDelivery(archive, {"matrix": MatrixSender(client, room_mentions=opted)}, clock).run_due()
        (msg, *_) = synapse.room_messages(reader.token, room)
        assert msg["content"]["m.mentions"] == ({"room": True} if opted else {})
        actions = next(
            n["actions"]
            for n in _notifications(synapse, reader.token)
            if n["event"]["event_id"] == d.remote_id  # type: ignore[index]
        )
        highlighted = any(
            isinstance(a, dict) and a.get("set_tweak") == "highlight" and a.get("value", True) for a in actions
        )  # type: ignore[union-attr]
        assert highlighted is opted


def test_slack_gets_mrkdwn_and_broadcasts_only_when_opted_in(
    archive: SqliteNoteArchive, slack_emulator: SlackEmulator
) -> None:
    clock = Clock()
    text = "**Merged** [PR 42](https://example.org/42?a=1&b=2) and `a<b`\n- _soon_ @channel <!here>"
    for nid, opted in (("sl1", False), ("sl2", True)):
        note = HandoffNote(
            id=nid,
            created=clock() + timedelta(seconds=1 if opted else 0),
            sections=(NoteSection(title="Done", text=text),),
            destinations=(parse_destination("slack:#handoffs"),),
        )
        archive.store(note, clock())
        sender = SlackSender({"": slack_emulator.token}, api_url=slack_emulator.base_url, room_mentions=opted)
        (d,) = HandoffDelivery(archive, {"slack": sender}, clock).run_due()
        assert d.status is DeliveryStatus.SENT
    plain, opted_in = posted(slack_emulator)
    assert "*Merged* <https://example.org/42?a=1&amp;b=2|PR 42> and `a&lt;b`" in plain
    assert "• _soon_ @channel &lt;!here&gt;" in plain and "**" not in plain and "](" not in plain
    assert "• _soon_ <!channel> &lt;!here&gt;" in opted_in  # a typed <!here> never becomes one
