"""Read-only config, state, data and cache dirs, as a process that really cannot write them: the read-only
commands work and change nothing; the writing ones name the path and the fix, keep what they did (a status
sent to the Slack emulator) and lose nothing; a login that cannot write its config keeps no token."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from keyring.backend import KeyringBackend

from tests.adapters.test_full_disk import devices
from tests.app.test_plan_cli import ICS
from tests.fixtures.secret_service import SecretServiceBus
from tests.fixtures.storage import ROOT, cli, read_only, snapshot, unprivileged, writable_again
from tests.fixtures.synapse import SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.wake_socket import poke
from traystatus.app.cli import run

NOTE = "# Done\nMoved the backups\n# Next / handed over to\nPriya: the release\n"


@pytest.fixture
def home(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A used home: a config with a calendar, a note in the archive, a calendar fetch recorded, a state file."""
    calendar = tmp_path / "work.ics"
    calendar.write_text(ICS.replace("\n", "\r\n"))
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        f'timezone = "Europe/Berlin"\nworking_hours = "mon-sun 00:00-24:00"\n'
        f'[[calendars]]\nname = "Work"\npath = "{calendar}"\n'
    )
    note = tmp_path / "note.md"
    note.write_text(NOTE)
    assert run(["handoff", "--text-file", str(note), "--no-sign-off"]) == 0
    assert run(["plan", "--days", "1"]) == 0
    return isolated_home


def _dirs(home: Path) -> list[Path]:
    return [home / d for d in ("config", "state", "data", "cache")]


def test_read_only_commands_work_on_read_only_dirs_and_change_nothing(home: Path) -> None:
    before = snapshot(*_dirs(home))
    assert any(p.endswith("handoff.sqlite3") for p in before)
    read_only(*_dirs(home))
    try:
        for argv, says in (
            (["status"], "At "),
            (["plan", "--days", "1"], "Availability in Europe/Berlin"),
            (["doctor"], "[ OK ] config"),
            (["notes", "list"], "Done: Moved the backups"),
            (["notes", "search", "backups"], "Done: Moved the backups"),
            (["team"], "Europe/Berlin"),
        ):
            done = cli(*argv)
            assert done.returncode in (0, 1), (argv, done.stderr)  # doctor: 1 when a check fails (no keyring)
            assert says in done.stdout, (argv, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr, (argv, done.stderr)
            for line in done.stderr.splitlines():  # what could not be written is said with the path and the fix
                if "Cannot write" in line:
                    assert str(home) in line and "To fix: make" in line and "writable by you" in line, line
        doctor = cli("doctor").stdout  # says where writing will fail, before anything does
        state = home / "state" / "traystatus"
        assert f"[WARN] storage state: {state}: permission denied" in doctor
        assert f"→ make {state} writable by you" in doctor
        assert "[WARN] storage data (handoff archive)" in doctor
        assert snapshot(*_dirs(home)) == before
    finally:
        writable_again(*_dirs(home))
    assert "[ OK ] storage: config, state, data, cache and log dirs writable" in cli("doctor").stdout


def test_a_note_on_a_read_only_archive_says_where_and_nothing_is_lost(home: Path, tmp_path: Path) -> None:
    read_only(*_dirs(home))
    try:
        note = tmp_path / "second.md"
        note.write_text("# Done\nThe second note\n")
        done = cli("handoff", "--text-file", str(note), "--no-sign-off")
        assert done.returncode == 2
        assert "Traceback" not in done.stderr
        assert str(home / "data" / "traystatus") in done.stderr and "writable by you" in done.stderr
        listed = cli("notes", "list")
        assert "Moved the backups" in listed.stdout and "second note" not in listed.stdout
    finally:
        writable_again(*_dirs(home))
    assert note.read_text() == "# Done\nThe second note\n"  # the text is still the user's, to store later


def _meeting_now(path: Path) -> None:
    start, end = datetime.now(UTC) - timedelta(hours=1), datetime.now(UTC) + timedelta(hours=1)
    f = "%Y%m%dT%H%M%SZ"
    path.write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:now@t\r\n"
        f"DTSTAMP:{start:{f}}\r\nDTSTART:{start:{f}}\r\nDTEND:{end:{f}}\r\nSUMMARY:Review\r\n"
        "END:VEVENT\r\nEND:VCALENDAR\r\n"
    )


def test_apply_on_a_read_only_state_dir_still_sets_the_status_and_says_once(
    home: Path, slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    _meeting_now(tmp_path / "work.ics")
    env = {**os.environ, "TRAYSTATUS_SLACK_TOKEN": slack_emulator.token}
    env["TRAYSTATUS_SLACK_API_URL"] = slack_emulator.base_url
    state = home / "state" / "traystatus"
    state.mkdir(parents=True, exist_ok=True)
    read_only(state)
    try:
        done = cli("apply", env=env)
    finally:
        writable_again(state)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("Cannot write the state file") == 1
    assert f"{state / 'sync_state.json'}: permission denied. To fix: make {state} writable by you" in done.stderr
    assert "kept in memory" in done.stderr
    # from the other side: the status was set all the same; the file was never written
    assert slack_emulator.status()[0] == "In a meeting"
    assert not (state / "sync_state.json").exists()


def test_login_with_an_unwritable_config_keeps_no_token(
    isolated_home: Path,
    slack_emulator: SlackEmulator,
    secret_service: SecretServiceBus,
    os_keyring: KeyringBackend,
) -> None:
    config_dir = isolated_home / "config" / "traystatus"
    config_dir.mkdir(parents=True)
    config = config_dir / "config.toml"
    config.write_text('timezone = "Europe/Berlin"  # mine\n')
    env = {
        **os.environ,
        "TRAYSTATUS_SLACK_API_URL": slack_emulator.base_url,
        "DBUS_SESSION_BUS_ADDRESS": secret_service.address,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    read_only(config_dir)
    try:
        done = cli("login", "slack", "--token-stdin", env=env, stdin=slack_emulator.token + "\n")
    finally:
        writable_again(config_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert f"Cannot write the config file: {config}: permission denied. To fix: make {config_dir}" in done.stderr
    assert slack_emulator.token not in done.stdout + done.stderr
    # from the keyring's side: nothing of traystatus's there; the config is byte for byte the user's
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []
    assert config.read_text() == 'timezone = "Europe/Berlin"  # mine\n'
    # once the dir is writable the same login completes (config entry, then the token)
    done = cli("login", "slack", "--token-stdin", env=env, stdin=slack_emulator.token + "\n")
    assert done.returncode == 0, done.stderr
    assert "[[accounts.slack]]" in config.read_text() and "# mine" in config.read_text()
    assert len(list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"}))) == 1


def test_headless_on_a_read_only_state_dir_says_it_once_and_keeps_in_step(
    home: Path, slack_emulator: SlackEmulator, tmp_path: Path
) -> None:
    """Four passes (the start, then three wake-ups from another process): the problem is said once, with no
    traceback, and the state kept in memory means the later passes send nothing again."""
    _meeting_now(tmp_path / "work.ics")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TRAYSTATUS_SLACK_TOKEN": slack_emulator.token}
    env["TRAYSTATUS_SLACK_API_URL"] = slack_emulator.base_url
    state = home / "state" / "traystatus"
    read_only(state)
    lines: list[str] = []
    proc = subprocess.Popen(
        unprivileged([sys.executable, "-m", "traystatus", "-v", "run", "--headless"]),
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr or ()), daemon=True)
    reader.start()

    def passes() -> int:
        return sum("Pass (" in line for line in list(lines))

    def wait_for(count: int) -> None:
        deadline = time.monotonic() + 60
        while passes() < count and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        assert passes() >= count, "".join(lines)

    try:
        wait_for(1)
        for n in (2, 3, 4):
            poke(state, "test")
            wait_for(n)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        writable_again(state)
    reader.join(timeout=10)
    err = "".join(lines)
    assert "Traceback" not in err and "--- Logging error ---" not in err
    assert err.count("Cannot write the state file") == 1, err
    assert err.count("Cannot write the log") == 1  # the log dir is in the state dir: stderr only, said once
    assert slack_emulator.status()[0] == "In a meeting"
    assert len(slack_emulator.calls_to("users.profile.set")) == 1  # what was applied was remembered
    assert not (state / "sync_state.json").exists()


@pytest.mark.synapse
def test_matrix_login_with_an_unwritable_config_asks_no_server(
    isolated_home: Path, synapse: SynapseServer, secret_service: SecretServiceBus, os_keyring: KeyringBackend
) -> None:
    """The config is checked before the password goes to the server: no device is made there at all."""
    user = synapse.new_user("rologin")
    before = devices(synapse, user)
    config_dir = isolated_home / "config" / "traystatus"
    config_dir.mkdir(parents=True)
    env = {
        **os.environ,
        "DBUS_SESSION_BUS_ADDRESS": secret_service.address,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    read_only(config_dir)
    try:
        argv = ["login", "matrix", "--user", user.user_id, "--homeserver", synapse.base_url, "--password-stdin"]
        done = cli(*argv, env=env, stdin=user.password + "\n")
    finally:
        writable_again(config_dir)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"Cannot write the config file: {config_dir}: permission denied. To fix: make {config_dir}" in done.stderr
    assert "Nothing was changed." in done.stderr and "Traceback" not in done.stderr
    assert devices(synapse, user) == before
    assert not (config_dir / "config.toml").exists()
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []


def test_any_other_unwritable_path_is_named_with_the_fix(isolated_home: Path) -> None:
    """The CLI's last line of defence: the demo makes its files in the state dir; a read-only one is said with
    the path and the fix, not a traceback."""
    state = isolated_home / "state" / "traystatus"
    state.mkdir(parents=True)
    read_only(state)
    try:
        done = cli("--demo", "status")
    finally:
        writable_again(state)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"traystatus: {state / 'demo'}: permission denied. To fix: make {state} writable by you "
        f"(`ls -ld {state}` shows its owner and mode; `chmod u+w {state}`, or `chown` it back to you)."
    )


def test_a_keyring_that_refuses_takes_the_new_config_entry_back(
    isolated_home: Path, slack_emulator: SlackEmulator, refusing_secret_service: SecretServiceBus
) -> None:
    """The config entry is written first; a real keyring that then refuses the token (gnome-keyring with no
    collection: its prompt is dismissed) leaves the config listing no account without a token."""
    config = isolated_home / "config" / "traystatus" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text('timezone = "Europe/Berlin"  # mine\n')
    env = {
        **os.environ,
        "TRAYSTATUS_SLACK_API_URL": slack_emulator.base_url,
        "DBUS_SESSION_BUS_ADDRESS": refusing_secret_service.address,
        "PYTHON_KEYRING_BACKEND": "keyring.backends.SecretService.Keyring",
    }
    done = cli("login", "slack", "--token-stdin", env=env, stdin=slack_emulator.token + "\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and slack_emulator.token not in done.stdout + done.stderr
    assert slack_emulator.calls_to("auth.test")  # it got as far as Slack and the config
    assert "accounts" not in config.read_text() and "# mine" in config.read_text()


def test_a_piped_note_that_cannot_be_stored_is_given_back(home: Path) -> None:
    """`… | traystatus handoff --text-file -`: the pipe was the only copy; refused, the text comes back."""
    read_only(*_dirs(home))
    try:
        done = cli("handoff", "--text-file", "-", "--no-sign-off", stdin="# Done\nOnly in the pipe\n")
    finally:
        writable_again(*_dirs(home))
    assert done.returncode == 2
    assert done.stdout == "# Done\nOnly in the pipe\n"
    assert "The note was not stored: its text is printed above, to keep." in done.stderr
