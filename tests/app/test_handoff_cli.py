"""`traystatus handoff --text-file` with sign-off through the real sync (Slack emulator + real Synapse), and the
`notes` commands: list, search, show, export md/json --since, archive/unarchive (never deleted)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.slack import ManualClock, login_scopes_only
from tests.fixtures.synapse import MatrixUser, SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.archive_sqlite import SqliteNoteArchive
from traystatus.app.cli import run
from traystatus.core.handoff import HandoffNote, NoteSection

pytestmark = pytest.mark.synapse

CONFIG = 'timezone = "Europe/Berlin"\nworking_hours = "mon-fri 09:00-17:00"\n'
NOTE = "# Done\nMigrated the archive & fixed <ticket-12>\n# Next / handed over to\nPriya: release 2.1\n"


@pytest.fixture
def slack_emulator(slack_emulator: SlackEmulator) -> SlackEmulator:
    return login_scopes_only(slack_emulator)  # exactly the scopes login asks for


@pytest.fixture
def accounts(monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, synapse: SynapseServer) -> MatrixUser:
    user = synapse.new_user("eod")
    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_HOMESERVER", synapse.base_url)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_USER", user.user_id)
    monkeypatch.setenv("TRAYSTATUS_MATRIX_TOKEN", user.token)
    return user


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    config, note = tmp_path / "config.toml", tmp_path / "note.md"
    config.write_text(CONFIG, encoding="utf-8")
    note.write_text(NOTE, encoding="utf-8")
    return config, note


def test_post_to_both_services_and_sign_off(
    accounts: MatrixUser,
    synapse: SynapseServer,
    slack_emulator: SlackEmulator,
    files: tuple[Path, Path],
    slack_clock: ManualClock,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config, note = files
    room = synapse.create_room(accounts.token, name="handoffs")
    before = datetime.now(UTC)
    assert (
        run(
            [
                "--config",
                str(config),
                "handoff",
                "--text-file",
                str(note),
                "--to",
                "slack:#handoffs",
                "--to",
                f"matrix:{room}",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert "slack:#handoffs: sent" in out and f"matrix:{room}: sent" in out
    assert "Signed off until" in out
    (message,) = slack_emulator.messages
    assert "Migrated the archive &amp; fixed &lt;ticket-12&gt;" in message.text
    (event,) = synapse.room_messages(accounts.token, room)
    assert "&amp; fixed &lt;ticket-12&gt;" in event["content"]["formatted_body"]
    # signed off: Do Not Disturb on Slack until the next working start (09:00 Berlin on a weekday)
    snooze_end = slack_emulator.snooze_end()
    assert snooze_end is not None
    start = next_working_start(before)
    if start - before <= SLACK_DND_MAX:
        # whole minutes from the app's clock, counted by the emulator's (set when the test began)
        back = datetime.fromtimestamp(snooze_end, UTC)
        assert start - timedelta(minutes=5) < back < start + timedelta(minutes=2), back
        assert "Do Not Disturb until" not in out, out
    else:  # a Friday evening or a weekend: Slack grants a day at most; a running traystatus asserts it again
        assert snooze_end == int(slack_clock()) + SLACK_DND_MAX.total_seconds()
        assert dnd_said(out, before, start)[0].startswith("slack:"), out
    presence = synapse_presence(synapse, accounts)
    assert presence["presence"] == "unavailable", presence


def test_a_sign_off_longer_than_slack_grants_says_when_dnd_ends(
    accounts: MatrixUser,
    slack_emulator: SlackEmulator,
    slack_clock: ManualClock,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # the only working day is three days ahead, whatever day this runs: the sign-off lasts 2–3 days
    date = datetime.now(BERLIN).date() + timedelta(days=3)
    start, day = datetime(date.year, date.month, date.day, 9, tzinfo=BERLIN), f"{date:%a}".lower()
    config, note = tmp_path / "config.toml", tmp_path / "note.md"
    config.write_text(f'timezone = "Europe/Berlin"\nworking_hours = "{day} 09:00-17:00"\n', encoding="utf-8")
    note.write_text(NOTE, encoding="utf-8")
    before = datetime.now(UTC)
    assert run(["--config", str(config), "handoff", "--text-file", str(note), "--to", "slack:#handoffs"]) == 0
    out = capsys.readouterr().out
    assert slack_emulator.snooze_end() == int(slack_clock()) + SLACK_DND_MAX.total_seconds()  # a day, not 2–3
    (said,) = dnd_said(out, before, start)  # Matrix's rule has no end: nothing to say there
    assert said.startswith("slack:") and "traystatus run --headless" in said, said


def dnd_said(out: str, before: datetime, start: datetime) -> list[str]:
    """The lines saying Do Not Disturb ends a day after the sign-off, not at ``start``; asserts there is one."""
    said = re.findall(r"^.*Do Not Disturb until (\w{3} \d\d:\d\d), not (\w{3} \d\d:\d\d).*$", out, re.MULTILINE)
    assert said, out
    minutes = {
        (before + SLACK_DND_MAX + timedelta(minutes=m)).astimezone(BERLIN).strftime("%a %H:%M")
        for m in range(int((datetime.now(UTC) - before).total_seconds() // 60) + 2)
    }
    assert all(until in minutes and end == start.strftime("%a %H:%M") for until, end in said), (said, minutes)
    return [line for line in out.splitlines() if "Do Not Disturb until" in line]


BERLIN = ZoneInfo("Europe/Berlin")
SLACK_DND_MAX = timedelta(hours=24)  # the longest snooze traystatus asks Slack for in one call


def next_working_start(after: datetime) -> datetime:
    """The first 09:00 Berlin on a weekday after ``after`` (CONFIG's hours), whatever day the tests run on."""
    day = after.astimezone(BERLIN).date()
    while True:
        at = datetime(day.year, day.month, day.day, 9, tzinfo=BERLIN)
        if day.weekday() < 5 and at > after:
            return at
        day += timedelta(days=1)


def synapse_presence(synapse: SynapseServer, user: MatrixUser) -> dict[str, object]:
    import requests

    r = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/presence/{user.user_id}/status",
        headers=synapse.auth(user.token),
        timeout=10,
    )
    r.raise_for_status()
    return dict(r.json())


def test_no_sign_off_touches_no_status(
    accounts: MatrixUser, slack_emulator: SlackEmulator, files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    config, note = files
    assert (
        run(["--config", str(config), "handoff", "--text-file", str(note), "--to", "slack:#handoffs", "--no-sign-off"])
        == 0
    )
    assert "Signed off" not in capsys.readouterr().out
    assert slack_emulator.calls_to("users.profile.set") == [] and slack_emulator.calls_to("dnd.setSnooze") == []
    assert len(slack_emulator.messages) == 1


def test_bad_destination_and_empty_note_are_refused(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, note = files
    assert run(["--config", str(config), "handoff", "--text-file", str(note), "--to", "teams:#x"]) == 2
    assert "unknown service" in capsys.readouterr().err
    empty = tmp_path / "empty.md"
    empty.write_text("# Done\n\n# Notes\n", encoding="utf-8")
    assert run(["--config", str(config), "handoff", "--text-file", str(empty), "--no-sign-off"]) != 0
    assert "every section is empty" in capsys.readouterr().err


def seed(data_dir: Path) -> None:
    archive = SqliteNoteArchive.in_dir(data_dir)
    texts = [
        ("old", datetime(2026, 10, 30, 16, tzinfo=UTC), "Alte Übergabe an Jürgen"),
        ("mid", datetime(2026, 11, 10, 16, tzinfo=UTC), "Décision : café réseau déployé"),
        ("new", datetime(2026, 11, 20, 16, tzinfo=UTC), "東京チームに引き継ぎ & <ticket-7>"),
    ]
    for nid, created, text in texts:
        archive.store(HandoffNote(id=nid, created=created, sections=(NoteSection(title="Done", text=text),)), created)
    archive.edit(
        "mid",
        (NoteSection(title="Done", text="Décision : café réseau déployé à Orléans"),),
        datetime(2026, 11, 11, 9, tzinfo=UTC),
    )
    archive.close()


def out_json(capsys: pytest.CaptureFixture[str], *argv: str) -> object:
    capsys.readouterr()
    assert run(list(argv)) == 0
    return json.loads(capsys.readouterr().out)


def test_notes_commands(isolated_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    seed(isolated_home / "data" / "traystatus")
    listed = out_json(capsys, "notes", "list", "--json")
    assert [n["id"] for n in listed] == ["new", "mid", "old"]  # type: ignore[union-attr, index]
    for query, ids in (("jurgen", ["old"]), ("ORLEANS", ["mid"]), ("引き継ぎ", ["new"]), ("ticket", ["new"])):
        assert [n["id"] for n in out_json(capsys, "notes", "search", query, "--json")] == ids  # type: ignore[union-attr, index]
    assert run(["notes", "search", "nothing-like-this"]) == 1
    assert "No note matches" in capsys.readouterr().err

    shown = out_json(capsys, "notes", "show", "mi", "--json")  # an id prefix is enough
    assert isinstance(shown, dict) and shown["revision"] == 2
    texts = [r["sections"][0]["text"] for r in shown["revisions"]]
    assert texts[0] == "Décision : café réseau déployé"  # the first revision is kept after the edit
    assert shown["sections"][0]["text"] == "Décision : café réseau déployé à Orléans"

    exported = out_json(capsys, "notes", "export", "--format", "json", "--since", "2026-11-01")
    assert [n["id"] for n in exported] == ["mid", "new"]  # type: ignore[union-attr, index]  # oldest first
    capsys.readouterr()
    assert run(["notes", "export", "--format", "md"]) == 0
    md = capsys.readouterr().out
    assert md.index("# Handoff 2026-10-30") < md.index("# Handoff 2026-11-10") < md.index("# Handoff 2026-11-20")
    assert "東京チームに引き継ぎ & <ticket-7>" in md and "à Orléans" in md

    assert run(["notes", "archive", "old"]) == 0
    assert [n["id"] for n in out_json(capsys, "notes", "list", "--json")] == ["new", "mid"]  # type: ignore[union-attr, index]
    assert [n["id"] for n in out_json(capsys, "notes", "list", "--all", "--json")] == ["new", "mid", "old"]  # type: ignore[union-attr, index]
    assert run(["notes", "search", "jurgen", "--no-archived", "--json"]) == 1  # no hit: exit 1, an empty list
    assert json.loads(capsys.readouterr().out) == []
    assert [n["archived"] for n in out_json(capsys, "notes", "search", "jurgen", "--json")] == [True]  # type: ignore[union-attr, index]
    assert run(["notes", "unarchive", "old"]) == 0
    assert len(out_json(capsys, "notes", "list", "--json")) == 3  # type: ignore[arg-type]

    edited = isolated_home / "edited.md"
    edited.write_text("# Done\nTokyo handoff & <ticket-7>, rewritten\n", encoding="utf-8")
    assert run(["notes", "edit", "new", "--text-file", str(edited)]) == 0
    assert "revision 2" in capsys.readouterr().out
    shown = out_json(capsys, "notes", "show", "new", "--json")
    assert isinstance(shown, dict)
    assert [r["sections"][0]["text"] for r in shown["revisions"]] == [
        "東京チームに引き継ぎ & <ticket-7>",
        "Tokyo handoff & <ticket-7>, rewritten",
    ]
    assert [n["id"] for n in out_json(capsys, "notes", "search", "rewritten", "--json")] == ["new"]  # type: ignore[union-attr, index]
    # The text that was posted (revision 1) is still found after the edit.
    assert [n["id"] for n in out_json(capsys, "notes", "search", "引き継ぎ", "--json")] == ["new"]  # type: ignore[union-attr, index]
    edited.write_text("# Done\n\n", encoding="utf-8")
    assert run(["notes", "edit", "new", "--text-file", str(edited)]) == 2
    assert "never emptied" in capsys.readouterr().err

    assert run(["notes", "export", "--since", "last week"]) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_text_file_honours_sign_off_false_and_shows_the_heading_mapping(
    accounts: MatrixUser, slack_emulator: SlackEmulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, note = tmp_path / "config.toml", tmp_path / "note.md"
    config.write_text(CONFIG + "[handoff]\nsign_off = false\n", encoding="utf-8")
    note.write_text("## NEXT\nPriya: release 2.1\n## Blockers\nCI is red\n", encoding="utf-8")
    assert run(["--config", str(config), "handoff", "--text-file", str(note), "--to", "slack:#handoffs"]) == 0
    captured = capsys.readouterr()
    out, err = captured.out, captured.err
    assert "'NEXT' → section 'Next / handed over to'" in err and "'Blockers' → section 'Blocked" in err
    assert "Signed off" not in out
    assert slack_emulator.calls_to("users.profile.set") == [] and slack_emulator.calls_to("dnd.setSnooze") == []
    (message,) = slack_emulator.messages
    assert "*Next / handed over to*" in message.text and "*Blocked — and who can unblock*" in message.text


def test_every_handoff_setting_reaches_the_cli_and_the_next_note(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """[handoff] destinations, sections, sign_off and room_mentions all apply to `handoff --text-file`;
    its headings land in the template's sections (case and punctuation ignored, the mapping shown), so the
    next note carries its "Next" over; `notes edit` keeps the posted text findable."""
    from traystatus.adapters.archive_sqlite import SqliteNoteArchive
    from traystatus.app.cli import build_parser
    from traystatus.app.handoff_service import HandoffService
    from traystatus.app.options import load_settings
    from traystatus.app.paths import AppPaths

    monkeypatch.setenv("TRAYSTATUS_SLACK_TOKEN", slack_emulator.token)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    for var in ("TRAYSTATUS_MATRIX_HOMESERVER", "TRAYSTATUS_MATRIX_USER", "TRAYSTATUS_MATRIX_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    config, note = tmp_path / "config.toml", tmp_path / "note.md"
    config.write_text(
        CONFIG + '[handoff]\ndestinations = ["slack:#general"]\nsections = ["Shipped", "Doing", "Up next", '
        '"Stuck on"]\nsign_off = false\nroom_mentions = true\n',
        encoding="utf-8",
    )
    note.write_text(
        "### shipped!\n**Parser** merged, @channel please pull\n## UP NEXT:\nReview PR 42\n"
        "## stuck-on\nCI runners\n## Random thoughts\nlunch\n",
        encoding="utf-8",
    )
    assert run(["--config", str(config), "handoff", "--text-file", str(note)]) == 0
    err = capsys.readouterr().err
    for heading, section in (("shipped!", "Shipped"), ("UP NEXT:", "Up next"), ("stuck-on", "Stuck on")):
        assert f"Heading {heading!r} → section {section!r}" in err
    assert "'Random thoughts' → a section of its own" in err
    (message,) = slack_emulator.messages
    assert message.channel == "C0GENERAL"  # the configured destination, no --to
    assert "*Shipped*\n*Parser* merged, <!channel> please pull" in message.text  # opted in: a broadcast
    assert slack_emulator.calls_to("users.profile.set") == [] and slack_emulator.calls_to("dnd.setSnooze") == []

    args = build_parser().parse_args(["--config", str(config), "handoff"])
    settings = load_settings(args)
    service = HandoffService(AppPaths.resolve(str(config)), settings, senders={})
    try:
        draft = service.current_draft()
    finally:
        service.close()
    assert [s.title for s in draft.sections] == ["Shipped", "Doing", "Up next", "Stuck on"]
    texts = {s.title: s.text for s in draft.sections}
    assert texts["Doing"] == "Review PR 42" and texts["Stuck on"] == "CI runners"  # carried over
    assert draft.destinations == ("slack:#general",) and draft.sign_off is False

    archive = SqliteNoteArchive.in_dir(AppPaths.resolve(str(config)).data_dir, read_only=True)
    note_id = archive.latest().id  # type: ignore[union-attr]
    archive.close()
    edited = tmp_path / "edited.md"
    edited.write_text("# Shipped\nThe tokenizer instead\n", encoding="utf-8")
    assert run(["--config", str(config), "notes", "edit", note_id, "--text-file", str(edited)]) == 0
    capsys.readouterr()
    for query in ("Parser", "tokenizer"):  # what was posted, and what the note says now
        assert run(["--config", str(config), "notes", "search", query, "--json"]) == 0
        assert [n["id"] for n in json.loads(capsys.readouterr().out)] == [note_id], query
