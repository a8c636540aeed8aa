"""Every command has a description, and every example in the README and in `--help` runs as written.

The README's examples are extracted from its ``sh`` blocks (and the commands quoted in their comments);
the placeholders a reader replaces — the calendar URL with "…", ``work.ics``, ``QUERY``, ``ID`` — are
replaced by a real HTTP feed, a real file, a word and a real note. Commands that open a window, ask for a
secret or run until stopped are parsed exactly as written instead (listed in ``PARSED_ONLY``).
"""

from __future__ import annotations

import argparse
import re
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.app.cli import build_parser, run

README = Path(__file__).resolve().parents[2] / "README.md"
ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//traystatus tests//EN
BEGIN:VEVENT
UID:review@t
DTSTAMP:20261101T000000Z
DTSTART:20261124T093000Z
DTEND:20261124T100000Z
SUMMARY:Design review
END:VEVENT
END:VCALENDAR
"""
#: open a window, ask for a password/token, or run until stopped: parsed as written, not run
PARSED_ONLY = (
    ("login",),
    ("calendar", "add"),
    ("run",),
    ("handoff",),
    ("notes", "browse"),
    ("settings",),
    (),  # the tray app
)


def readme_examples() -> list[str]:
    text = README.read_text(encoding="utf-8")
    out: list[str] = []
    for block in re.findall(r"```sh\n(.*?)```", text, flags=re.S):
        joined = block.replace("\\\n", " ")
        for line in joined.splitlines():
            code, _, comment = line.partition("  #")
            if code.strip().startswith("traystatus"):
                out.append(" ".join(code.split()))
            out.extend(re.findall(r"`(traystatus [^`]+)`", comment))
    return out


def subparsers(
    parser: argparse.ArgumentParser, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], argparse.ArgumentParser]]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield (*path, name), sub
                yield from subparsers(sub, (*path, name))


def test_every_command_and_subcommand_has_a_description() -> None:
    missing = [" ".join(p) for p, sub in subparsers(build_parser()) if not (sub.description or "").strip()]
    assert missing == []


def test_the_readme_has_examples_to_check() -> None:
    examples = readme_examples()
    assert len(examples) >= 17, examples
    assert "traystatus notes edit ID" in examples and "traystatus team overlap" in examples


@pytest.fixture
def world(
    tmp_path: Path,
    feed_server: FeedServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    os_keyring: KeyringBackend,
) -> dict[str, str]:
    """A temp config (Berlin, the README's hours), a local feed for the URL (also the keyring's secret address
    ``keyring:work``, as `calendar add` leaves it), work.ics in the cwd, one note."""
    feed_server.routes["/examples/basic.ics"] = Route(body=ICS)
    os_keyring.set_password("traystatus", "calendar:work", feed_server.url("/examples/basic.ics"))
    (tmp_path / "work.ics").write_bytes(ICS)
    config = tmp_path / "config.toml"
    config.write_text(
        'timezone = "Europe/Berlin"\nworking_hours = "mon-fri 09:00-12:30,13:30-17:30"\n\n'
        f'[[calendars]]\nname = "Work"\nurl = "{(tmp_path / "work.ics").as_uri()}"\n\n'
        '[[team.people]]\nname = "Ana"\ntimezone = "America/New_York"\nhours = "mon-fri 09:00-17:00"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(config))
    note = tmp_path / "note.md"
    note.write_text("# Done\nShipped the release\n", encoding="utf-8")
    assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 0
    note_id = re.findall(r"Stored note (\w+)", capsys.readouterr().out)[0]
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/Shipped/Shipped and tagged/" "$1"\n', encoding="utf-8")
    editor.chmod(0o755)
    monkeypatch.setenv("EDITOR", str(editor))
    return {"url": feed_server.url("/examples/basic.ics"), "id": note_id}


def as_written(example: str, world: dict[str, str]) -> list[str]:
    argv = shlex.split(example)[1:]
    return [
        world["url"]
        if a.startswith("https://calendar.google.com/")
        else {"QUERY": "release", "ID": world["id"]}.get(a, a)
        for a in argv
    ]


def test_every_readme_example_runs_as_written(world: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    ran = []
    for example in readme_examples():
        argv = as_written(example, world)
        words = tuple(a for a in argv if not a.startswith("-"))
        if any(words[: len(p)] == p for p in PARSED_ONLY if p) or not words:
            build_parser().parse_args(argv)  # a usage error exits 2 here
            continue
        code = run(argv)
        out, err = capsys.readouterr()
        if words[:2] == ("team", "import"):  # needs a Slack workspace or a Matrix room: it says how to set one
            assert code == 2 and "Nothing to import" in err and "[team]" in err, err
            continue
        assert code in (0, 1), f"{example}: exit {code}\n{out}\n{err}"
        assert "usage:" not in err and "Traceback" not in err, f"{example}\n{err}"
        assert out.strip() or err.strip(), f"{example} printed nothing"
        ran.append(example)
    assert "traystatus notes edit ID" in ran and "traystatus plan" in " ".join(ran)
    run(["notes", "show", world["id"]])
    assert "Shipped and tagged" in capsys.readouterr().out  # the editor's change is the new revision


@pytest.mark.parametrize("when", ["15:00", "15:00 today", "tomorrow 09:30", "fri 15:00", "2026-03-10T15:00"])
def test_the_team_at_examples_of_the_help_run(
    when: str, world: dict[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    help_text = " ".join(build_parser().parse_args(["team"]).__dict__ and [])  # parser built: help below
    parser = build_parser()
    team = dict(subparsers(parser))[("team",)]
    help_text = " ".join(team.format_help().split())
    assert when in help_text
    assert run(["team", "--at", when]) == 0
    assert "Ana" in capsys.readouterr().out


def test_a_bad_team_at_says_what_works(world: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["team", "--at", "25:00 today"]) == 2
    assert "15:00 today" in capsys.readouterr().err


def test_empty_results_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    monkeypatch.setenv("TRAYSTATUS_CONFIG", str(config))
    assert run(["notes", "list"]) == 0
    assert "No handoff note yet" in capsys.readouterr().out
    note = tmp_path / "note.md"
    note.write_text("# Done\nA thing\n", encoding="utf-8")
    assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 0
    out = capsys.readouterr().out
    assert "Posted nowhere" in out
    assert run(["notes", "archive", re.findall(r"Stored note (\w+)", out)[0]]) == 0
    capsys.readouterr()
    assert run(["notes", "list"]) == 0
    assert "--all" in capsys.readouterr().out


def test_one_shot_commands_do_not_promise_a_retry() -> None:
    """`login`, Settings' Test and `doctor` run once: an unreachable service says "try again", not that
    traystatus keeps retrying (the sync, which does retry, still says so)."""
    import socket

    from traystatus.adapters.matrix_login import discover
    from traystatus.adapters.slack_api import SlackClient
    from traystatus.core.errors import ServiceError

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"127.0.0.1:{s.getsockname()[1]}"
    for one_shot, said in ((True, "then try again"), (False, "traystatus keeps retrying")):
        client = SlackClient("xoxp-1", api_url=f"http://{dead}/api/", retries=0, max_wait=0, one_shot=one_shot)
        with pytest.raises(ServiceError) as e:
            client.call("auth.test")
        assert said in e.value.message and ("keeps retrying" in e.value.message) is not one_shot
    with pytest.raises(ServiceError) as e:
        discover(f"http://{dead}", timeout=2)
    assert "then try again" in e.value.message and "retries later" not in e.value.message
