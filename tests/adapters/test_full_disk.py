"""A full disk (a real 512 KiB tmpfs, filled to the last block: ENOSPC): the state store keeps the newest
state in memory and writes it once there is room; the log says so once and drops no app behaviour; a config
edit is refused with the path and the fix, kept in the editor and saved later; a login keeps no token."""

from __future__ import annotations

import io
import logging
import logging.handlers
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import requests
from keyring.backend import KeyringBackend

from tests.adapters.test_state_store import APPLIED, RETRY
from tests.app.test_status_sync import Clock, tray_sync, view
from tests.fixtures.storage import fill
from tests.fixtures.synapse import MatrixUser, SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.config_document import TomlConfigDocument
from traystatus.adapters.memory_publisher import RecordingStatusPublisher
from traystatus.adapters.state_store import FILE_NAME, StateStore
from traystatus.app.cli import run
from traystatus.app.logging_setup import log_file, setup_logging
from traystatus.core.errors import StorageError
from traystatus.core.model import State
from traystatus.core.overrides import Choice
from traystatus.core.publishing import Applied, RetryState, Service


def room_again(mount: Path) -> None:
    (mount / ".filler").unlink()


def test_the_state_store_keeps_the_newest_state_in_memory_and_writes_it_later(
    small_tmpfs: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = StateStore(small_tmpfs / "state")
    store.save_account("slack:T1:U1", Applied(), RetryState())
    before = (small_tmpfs / "state" / FILE_NAME).read_bytes()
    fill(small_tmpfs)
    with caplog.at_level(logging.INFO, logger="traystatus.adapters.state_store"):
        for _ in range(3):  # three passes on the full disk
            store.save_account("slack:T1:U1", APPLIED, RETRY)
            assert store.account("slack:T1:U1") == (APPLIED, RETRY)  # what the next pass reads
        problem = store.problem
        assert isinstance(problem, StorageError)
        assert problem.message.startswith(f"{small_tmpfs / 'state' / FILE_NAME}: the disk is full. To fix: free")
        assert f"`df -h {small_tmpfs / 'state'}`" in problem.message
        assert (small_tmpfs / "state" / FILE_NAME).read_bytes() == before  # the file as it was, whole
        assert [r.levelno for r in caplog.records] == [logging.WARNING]  # said once, not once a pass
        room_again(small_tmpfs)
        store.save_account("slack:T1:U1", APPLIED, RETRY)
    assert store.problem is None
    assert StateStore(small_tmpfs / "state").account("slack:T1:U1") == (APPLIED, RETRY)  # a new process reads it
    assert "written again" in caplog.records[-1].getMessage()
    assert list((small_tmpfs / "state").iterdir()) == [small_tmpfs / "state" / FILE_NAME]  # no temp file left


@pytest.fixture
def root_logging() -> Iterator[None]:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level)  # pytest's own handlers come back afterwards
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in saved[0]:
        root.addHandler(h)
    root.setLevel(saved[1])


def test_the_log_on_a_full_disk_says_it_once_and_writes_again_when_there_is_room(
    small_tmpfs: Path, root_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    setup_logging(small_tmpfs / "log")
    log = logging.getLogger("traystatus.test")
    log.info("before")
    fill(small_tmpfs)
    for i in range(200):
        log.info("line %d with some text to fill a buffer %s", i, "x" * 200)
    err = capsys.readouterr().err
    assert err.count("Cannot write the log") == 1, err
    assert f"{log_file(small_tmpfs / 'log')}: the disk is full. To fix: free some space there" in err
    assert "Logging error" not in err and "Traceback" not in err
    room_again(small_tmpfs)
    log.info("after the disk has room")
    for h in logging.getLogger().handlers:
        h.flush()
    text = log_file(small_tmpfs / "log").read_text(encoding="utf-8")
    assert "before" in text and "after the disk has room" in text
    log.info("and the next line")
    assert "Cannot write the log" not in capsys.readouterr().err


def test_a_config_edit_on_a_full_disk_is_kept_and_saved_later(small_tmpfs: Path) -> None:
    path = small_tmpfs / "config.toml"
    path.write_text('# mine\ntimezone = "Europe/Berlin"\n')
    doc = TomlConfigDocument(path, default_tz=ZoneInfo("UTC"))
    doc.set("general.share_titles", True)
    fill(small_tmpfs)
    with pytest.raises(StorageError) as e:
        doc.save()
    assert e.value.title == "Cannot write the config file"
    assert e.value.message.startswith(f"{path}: the disk is full. To fix: free some space there")
    assert e.value.message.endswith("Your changes are still here, unsaved.")
    assert path.read_text() == '# mine\ntimezone = "Europe/Berlin"\n'
    room_again(small_tmpfs)
    assert doc.save().general.share_titles is True
    assert path.read_text().startswith("# mine\n") and "share_titles = true" in path.read_text()


def test_login_on_a_full_disk_keeps_no_token(
    small_tmpfs: Path,
    slack_emulator: SlackEmulator,
    os_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = small_tmpfs / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n')
    fill(small_tmpfs)
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    monkeypatch.setattr("sys.stdin", io.StringIO(slack_emulator.token + "\n"))
    assert run(["--config", str(config), "login", "slack", "--token-stdin"]) == 2
    err = capsys.readouterr().err
    assert f"Cannot write the config file: {config}: the disk is full." in err
    assert "The file is as it was before." in err
    assert config.read_text() == 'timezone = "Europe/Berlin"\n'
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []
    assert [p.name for p in small_tmpfs.iterdir() if p.name.startswith(".config")] == []  # no temp file left


def devices(synapse: SynapseServer, user: MatrixUser) -> set[str]:
    got = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/devices", headers={"Authorization": f"Bearer {user.token}"}, timeout=10
    )
    got.raise_for_status()
    return {d["device_id"] for d in got.json()["devices"]}


@pytest.mark.synapse
def test_matrix_login_on_a_full_disk_logs_the_new_device_out_again(
    small_tmpfs: Path,
    synapse: SynapseServer,
    os_keyring: KeyringBackend,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The server made a device before the config turned out unwritable: nothing would ever use or remove
    it, so it is logged out at once (seen from the user's own devices list) and no token is kept."""
    user = synapse.new_user("fulldisk")
    before = devices(synapse, user)
    config = small_tmpfs / "config.toml"
    config.write_text('timezone = "Europe/Berlin"\n')
    fill(small_tmpfs)
    monkeypatch.setattr("sys.stdin", io.StringIO(user.password + "\n"))
    argv = ["--config", str(config), "login", "matrix", "--user", user.user_id, "--homeserver", synapse.base_url]
    assert run([*argv, "--password-stdin"]) == 2
    err = capsys.readouterr().err
    assert f"Cannot write the config file: {config}: the disk is full." in err
    assert user.password not in err
    assert devices(synapse, user) == before
    assert config.read_text() == 'timezone = "Europe/Berlin"\n'
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []


def test_the_tray_shows_a_state_that_is_not_saved_and_a_choice_still_holds(small_tmpfs: Path) -> None:
    """The tray's pipeline on a full state dir: the menu says the state file is not saved (the fix in its
    detail); a menu choice (Do not disturb) still takes effect and holds for the next pass; with room again the
    line goes and the choice is in the file for the next start."""
    slack = RecordingStatusPublisher(service_kind=Service.SLACK, account_id="slack:T1")
    clock = Clock()
    sync = tray_sync(small_tmpfs / "state", slack, clock)
    assert view(sync.run()).state is State.AVAILABLE
    fill(small_tmpfs)
    shown = view(sync.choose(Choice.DND_1H))
    assert shown.state is State.FOCUS
    (line,) = [h for h in shown.health if h.name == "State file"]
    assert not line.ok and "not saved" in line.text
    assert line.detail.startswith("State file: Cannot write the state file — ")
    assert "the disk is full. To fix: free some space there" in line.detail
    assert view(sync.run()).state is State.FOCUS  # the next pass reads the choice from memory
    room_again(small_tmpfs)
    after = view(sync.run())
    assert after.state is State.FOCUS and not [h for h in after.health if h.name == "State file"]
    assert view(tray_sync(small_tmpfs / "state", slack, clock).run()).state is State.FOCUS  # a restart keeps it


def test_doctor_says_when_the_disk_is_full_and_writes_nothing(
    small_tmpfs: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(small_tmpfs / "state"))
    (small_tmpfs / "state").mkdir()
    fill(small_tmpfs)
    before = sorted(p.name for p in small_tmpfs.rglob("*"))
    run(["doctor"])
    out = capsys.readouterr().out
    state = small_tmpfs / "state" / "traystatus"
    assert f"[WARN] storage state: {state}: the disk is full" in out
    assert f"`df -h {small_tmpfs / 'state'}`" in out
    assert "storage log" in out and "storage cache" not in out  # the cache dir is elsewhere, with room
    assert sorted(p.name for p in small_tmpfs.rglob("*")) == before
