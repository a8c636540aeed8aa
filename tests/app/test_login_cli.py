"""`traystatus login slack|matrix` and `logout` end to end: Slack emulator, real Synapse, real Secret Service."""

from __future__ import annotations

import io
import json
import logging
import os
import pty
import sys
from pathlib import Path

import keyring
import pytest
import requests
from keyring.backend import KeyringBackend
from keyrings.alt.file import PlaintextKeyring

from tests.fixtures.secret_service import SecretServiceBus
from tests.fixtures.synapse import SynapseServer, WellKnownServer
from tests.slack_emulator import SlackEmulator
from tests.slack_emulator.workspace import default_workspace
from traystatus.app.cli import run

USER_CONFIG = """\
# my settings, with comments I want to keep
timezone = "Europe/Berlin"  # home
"""


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(USER_CONFIG)
    return path


def stdin(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    stream = io.StringIO(text)
    monkeypatch.setattr("sys.stdin", stream)
    return stream


def login_slack(monkeypatch: pytest.MonkeyPatch, emu: SlackEmulator, config: Path, token: str, *extra: str) -> int:
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", emu.base_url)
    stdin(monkeypatch, token + "\n")
    return run(["--config", str(config), "login", "slack", "--token-stdin", *extra])


def test_login_slack_end_to_end(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
    isolated_home: Path,
) -> None:
    caplog.set_level(logging.DEBUG)
    token = slack_emulator.token
    assert login_slack(monkeypatch, slack_emulator, config, token) == 0
    out, err = capsys.readouterr()
    assert "Traystatus Test" in out and "U0ME00001" in out and err == ""
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == token
    text = config.read_text()
    assert "# my settings, with comments I want to keep" in text and "# home" in text
    assert '[[accounts.slack]]\nname = "Traystatus Test"\nteam_id = "T0TRAYST"\nuser_id = "U0ME00001"' in text
    assert [c.method for c in slack_emulator.calls] == ["auth.test"]
    logs = "".join(p.read_text(errors="replace") for p in isolated_home.rglob("*.log"))
    for place in (text, out, err, caplog.text, logs):
        assert token not in place and "emulator-me" not in place


def test_login_again_updates_and_name_option(
    monkeypatch: pytest.MonkeyPatch, slack_emulator: SlackEmulator, config: Path, os_keyring: KeyringBackend
) -> None:
    assert login_slack(monkeypatch, slack_emulator, config, slack_emulator.token) == 0
    slack_emulator.add_token("xoxp-rotated-0002")
    assert login_slack(monkeypatch, slack_emulator, config, "xoxp-rotated-0002", "--name", "Work") == 0
    assert config.read_text().count("[[accounts.slack]]") == 1 and 'name = "Work"' in config.read_text()
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == "xoxp-rotated-0002"


def test_missing_scopes_are_named_and_token_stored_anyway(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack_emulator.add_token("xoxp-partial-0003", scopes=("users.profile:write", "users:read", "chat:write"))
    assert login_slack(monkeypatch, slack_emulator, config, "xoxp-partial-0003") == 0
    err = capsys.readouterr().err
    assert "dnd:read" not in err  # nothing calls dnd.info: not asked for
    for scope in ("dnd:write", "users:write", "users.profile:read"):
        assert f"lacks {scope}" in err
    for scope in ("users.profile:write", "users:read", "chat:write"):
        assert f"lacks {scope}:" not in err
    assert "Do Not Disturb" in err and "xoxp-partial" not in err
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == "xoxp-partial-0003"


@pytest.mark.parametrize(
    ("token", "fragment"),
    [
        ("xoxp-unknown-0004", "reconnect with `traystatus login slack`"),
        ("xoxb-bot-0005", "needs a user token"),
        ("hello", "start with xoxp-"),
    ],
)
def test_bad_tokens_store_nothing(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
    token: str,
    fragment: str,
) -> None:
    assert login_slack(monkeypatch, slack_emulator, config, token) == 2
    err = capsys.readouterr().err
    assert fragment in err and token not in err
    assert config.read_text() == USER_CONFIG
    assert list(os_keyring.get_preferred_collection().search_items({"service": "traystatus"})) == []


def test_revoked_token(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    slack_emulator.revoke()
    assert login_slack(monkeypatch, slack_emulator, config, slack_emulator.token) == 2
    assert "token revoked" in capsys.readouterr().err.lower()
    assert config.read_text() == USER_CONFIG


def test_plaintext_keyring_is_refused_before_asking(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    config: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    plain = PlaintextKeyring()
    plain.file_path = str(tmp_path / "plain.cfg")  # type: ignore[misc]
    previous = keyring.get_keyring()
    keyring.set_keyring(plain)
    try:
        monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
        stream = stdin(monkeypatch, slack_emulator.token)
        assert run(["--config", str(config), "login", "slack", "--token-stdin"]) == 2
    finally:
        keyring.set_keyring(previous)
    assert "Insecure keyring refused" in capsys.readouterr().err
    assert stream.tell() == 0 and slack_emulator.calls == [] and not (tmp_path / "plain.cfg").exists()


def test_no_terminal_and_no_stdin_option(
    monkeypatch: pytest.MonkeyPatch, config: Path, os_keyring: KeyringBackend, capsys: pytest.CaptureFixture[str]
) -> None:
    stdin(monkeypatch, "xoxp-x")
    assert run(["--config", str(config), "login", "slack"]) == 2
    assert "--token-stdin" in capsys.readouterr().err


def test_two_workspaces_then_logout(
    monkeypatch: pytest.MonkeyPatch,
    slack_emulator: SlackEmulator,
    slack_emulator_factory: object,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    ws = default_workspace("xoxp-second-0006")
    ws.team_id, ws.team = "T0SECOND1", "Side Project"
    second = slack_emulator_factory(workspace=ws, token="xoxp-second-0006")  # type: ignore[operator]
    assert login_slack(monkeypatch, slack_emulator, config, slack_emulator.token) == 0
    assert login_slack(monkeypatch, second, config, "xoxp-second-0006") == 0
    assert config.read_text().count("[[accounts.slack]]") == 2
    capsys.readouterr()
    assert run(["--config", str(config), "logout", "slack"]) == 2
    assert "Traystatus Test, Side Project" in capsys.readouterr().err
    assert run(["--config", str(config), "logout", "slack", "Side Project"]) == 0
    assert os_keyring.get_password("traystatus", "slack:T0SECOND1:U0ME00001") is None
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == slack_emulator.token
    assert "T0SECOND1" not in config.read_text() and "# home" in config.read_text()
    assert run(["--config", str(config), "logout", "slack"]) == 0  # the only one left needs no name
    assert "accounts" not in config.read_text()
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") is None
    assert run(["--config", str(config), "logout", "slack"]) == 2
    assert "no slack account is configured" in capsys.readouterr().err


@pytest.mark.synapse
def test_login_matrix_discovery_device_kept_and_logout(
    monkeypatch: pytest.MonkeyPatch,
    synapse: SynapseServer,
    matrix_well_known: WellKnownServer,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = synapse.new_user("login")
    argv = [
        "--config",
        str(config),
        "login",
        "matrix",
        "--user",
        user.user_id,
        "--homeserver",
        matrix_well_known.url,
        "--password-stdin",
    ]
    stdin(monkeypatch, user.password + "\n")
    assert run(argv) == 0
    assert "/.well-known/matrix/client" in matrix_well_known.requests
    secret = json.loads(os_keyring.get_password("traystatus", f"matrix:{user.user_id}") or "")
    device = secret["device_id"]
    assert device and secret["access_token"]
    text = config.read_text()
    assert f'device_id = "{device}"' in text and f'homeserver = "{synapse.base_url}"' in text
    assert secret["access_token"] not in text and user.password not in text
    out, err = capsys.readouterr()
    assert secret["access_token"] not in out + err and user.password not in out + err
    stdin(monkeypatch, user.password + "\n")
    assert run(argv) == 0  # logging in again keeps the same device
    again = json.loads(os_keyring.get_password("traystatus", f"matrix:{user.user_id}") or "")
    assert again["device_id"] == device and config.read_text().count("[[accounts.matrix]]") == 1
    assert run(["--config", str(config), "logout", "matrix", user.user_id]) == 0
    assert os_keyring.get_password("traystatus", f"matrix:{user.user_id}") is None
    assert "accounts" not in config.read_text()
    who = requests.get(
        f"{synapse.base_url}/_matrix/client/v3/account/whoami",
        timeout=10,
        headers={"Authorization": f"Bearer {again['access_token']}"},
    )
    assert who.status_code == 401  # the device was logged out on the server


@pytest.mark.synapse
def test_login_matrix_wrong_password(
    monkeypatch: pytest.MonkeyPatch,
    synapse: SynapseServer,
    config: Path,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    user = synapse.new_user("wrongpw")
    stdin(monkeypatch, "not-the-password\n")
    assert (
        run(
            [
                "--config",
                str(config),
                "login",
                "matrix",
                "--user",
                user.user_id,
                "--homeserver",
                synapse.base_url,
                "--password-stdin",
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "password" in err.lower() and "not-the-password" not in err
    assert config.read_text() == USER_CONFIG


def test_interactive_login_prompts_without_echo(
    slack_emulator: SlackEmulator, config: Path, os_keyring: KeyringBackend, secret_service: SecretServiceBus
) -> None:
    """A real terminal (pty): getpass prompts, the pasted token is not echoed, keyring picks the Secret Service."""
    env = {
        **os.environ,
        "TRAYSTATUS_SLACK_API_URL": slack_emulator.base_url,
        "DBUS_SESSION_BUS_ADDRESS": secret_service.address,
    }
    env.pop("PYTHON_KEYRING_BACKEND", None)
    pid, fd = pty.fork()
    if pid == 0:  # the child: a new session whose controlling terminal is the pty
        os.execve(sys.executable, [sys.executable, "-m", "traystatus", "--config", str(config), "login", "slack"], env)
    output = b""
    try:
        while b"token" not in output:
            output += os.read(fd, 1024)
        os.write(fd, slack_emulator.token.encode() + b"\n")
        while True:
            try:
                chunk = os.read(fd, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
    finally:
        _, status = os.waitpid(pid, 0)
        os.close(fd)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "Slack user token (xoxp-…):" in text and "Signed in to Slack workspace 'Traystatus Test'" in text
    assert slack_emulator.token not in text  # not echoed, not printed
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") == slack_emulator.token


def test_the_manifest_asks_for_exactly_the_scopes_traystatus_uses(
    capsys: pytest.CaptureFixture[str], os_keyring: KeyringBackend
) -> None:
    """Login is a pasted token, so the scopes are asked for where the user creates the Slack app: a manifest
    with exactly the user scopes login and doctor check, no bot. Nothing is read or stored."""
    import json

    from traystatus.app.account_login import SLACK_SCOPES

    assert run(["login", "slack", "--manifest"]) == 0
    manifest = json.loads(capsys.readouterr().out)
    assert manifest["oauth_config"]["scopes"] == {"user": list(SLACK_SCOPES)}
    assert manifest["_metadata"]["major_version"] == 1 and manifest["display_information"]["name"] == "traystatus"
    assert "features" not in manifest  # no bot user
    assert os_keyring.get_password("traystatus", "slack:T0TRAYST:U0ME00001") is None
