"""Several accounts as a user configures them (config.toml + the real Secret Service keyring): two Slack
workspaces and two Matrix accounts, one of them on a homeserver whose access tokens expire after a second, so
every apply refreshes and the rotated tokens must reach the keyring. One revoked account never blocks the rest."""

from __future__ import annotations

import json
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
import requests
from keyring.backend import KeyringBackend

from tests.fixtures.synapse import SynapseFactory, SynapseServer
from tests.slack_emulator import SlackEmulator
from traystatus.adapters.matrix_api import MatrixSession
from traystatus.adapters.matrix_login import login_password
from traystatus.adapters.secrets import KeyringSecretStore, matrix_secret, parse_matrix_secret
from traystatus.app.cli import run

pytestmark = pytest.mark.synapse

WORKDAY = Path(__file__).resolve().parents[1] / "data" / "sync" / "workday.ics"
ARGS = ["--calendar", str(WORKDAY), "--tz", "Europe/Berlin", "--hours", "mon-fri 09:00-17:00"]
SIDE_TOKEN = "xoxp-3333-4444-side-priya"


def tuesday(hhmm: str) -> str:
    day = date.today() + timedelta(days=7)
    day += timedelta(days=(1 - day.weekday()) % 7)
    return f"{day.isoformat()}T{hhmm}"


def wait_until_expired(session: MatrixSession) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r = requests.get(
            f"{session.homeserver}/_matrix/client/v3/account/whoami",
            headers={"Authorization": f"Bearer {session.access_token}"},
            timeout=10,
        )
        if r.status_code == 401:
            return
        time.sleep(0.2)
    raise AssertionError("the short-lived access token never expired")


def test_two_workspaces_two_matrix_accounts_refresh_kept_and_one_revoked(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    slack_emulator: SlackEmulator,
    synapse: SynapseServer,
    synapse_factory: SynapseFactory,
    os_keyring: KeyringBackend,
    capsys: pytest.CaptureFixture[str],
) -> None:
    short = synapse_factory.get("short_tokens", {"refreshable_access_token_lifetime": "1s"})
    plain = synapse.new_user("multi")
    expiring = short.new_user("expiring")
    session = login_password(short.base_url, expiring.user_id, expiring.password)
    assert session.refresh_token, "the homeserver offers refresh tokens"
    slack_emulator.add_token(SIDE_TOKEN, user_id="U0PRIYA01")  # a second workspace through the same API URL
    monkeypatch.setenv("TRAYSTATUS_SLACK_API_URL", slack_emulator.base_url)
    for var in ("TRAYSTATUS_SLACK_TOKEN", "TRAYSTATUS_MATRIX_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    store = KeyringSecretStore(os_keyring)
    store.set("slack:T0TRAYST:U0ME00001", slack_emulator.token)
    store.set("slack:T0SIDE001:U0PRIYA01", SIDE_TOKEN)
    store.set(f"matrix:{plain.user_id}", matrix_secret(plain.token, None, "PLAINDEV"))
    store.set(
        f"matrix:{expiring.user_id}", matrix_secret(session.access_token, session.refresh_token, session.device_id)
    )
    config = tmp_path / "config.toml"
    config.write_text(f"""\
timezone = "Europe/Berlin"  # kept as written

[[accounts.slack]]
name = "Work"
team_id = "T0TRAYST"
user_id = "U0ME00001"

[[accounts.slack]]
name = "Side"
team_id = "T0SIDE001"
user_id = "U0PRIYA01"

[[accounts.matrix]]
user_id = "{plain.user_id}"
homeserver = "{synapse.base_url}"
device_id = "PLAINDEV"

[[accounts.matrix]]
user_id = "{expiring.user_id}"
homeserver = "{short.base_url}"
device_id = "{session.device_id}"
""")
    wait_until_expired(session)

    assert run(["--config", str(config), "apply", "--at", tuesday("09:35"), "--json", *ARGS]) == 0
    data = json.loads(capsys.readouterr().out)
    sent = {a["account"]: [c["call"] for c in a["sent"]] for a in data["accounts"]}
    assert sent == {
        "slack:T0TRAYST:U0ME00001": ["set_status", "set_presence"],
        "slack:T0SIDE001:U0PRIYA01": ["set_status", "set_presence"],
        f"matrix:{plain.user_id}": ["set_presence"],
        f"matrix:{expiring.user_id}": ["set_presence"],
    }
    for user_id in ("U0ME00001", "U0PRIYA01"):
        assert slack_emulator.status(user_id)[:2] == ("In a meeting", ":spiral_calendar_pad:")
    refreshed = parse_matrix_secret(store.get(f"matrix:{expiring.user_id}") or "")
    assert refreshed["access_token"] != session.access_token  # the refreshed session went back to the keyring
    assert refreshed["refresh_token"] not in (None, session.refresh_token)
    assert refreshed["device_id"] == session.device_id
    # Read back with the account's own non-expiring token: the refreshed one lives a second from the refresh
    # inside the apply, and on a loaded machine it may be gone (401) before this request.
    presence = requests.get(
        f"{short.base_url}/_matrix/client/v3/presence/{expiring.user_id}/status",
        headers={"Authorization": f"Bearer {expiring.token}"},
        timeout=10,
    )
    assert presence.json().get("status_msg") == "🗓 In a meeting"

    # Later: the rotated refresh token (only in the keyring) must work again; the side workspace was revoked.
    wait_until_expired(
        MatrixSession(
            homeserver=short.base_url,
            user_id=expiring.user_id,
            access_token=str(refreshed["access_token"]),
            device_id=session.device_id,
        )
    )
    slack_emulator.revoke(SIDE_TOKEN)
    assert run(["--config", str(config), "apply", "--at", tuesday("17:05"), "--json", *ARGS]) == 1
    data = json.loads(capsys.readouterr().out)
    lines = {a["account"]: a for a in data["accounts"]}
    side = lines["slack:T0SIDE001:U0PRIYA01"]
    assert side["errors"] and side["needs_action"] and side["sent"] == []
    assert [c["call"] for c in lines["slack:T0TRAYST:U0ME00001"]["sent"]] == ["set_status", "set_presence", "set_dnd"]
    for user in (plain, expiring):
        assert [c["call"] for c in lines[f"matrix:{user.user_id}"]["sent"]] == ["set_dnd", "set_presence"]
    assert slack_emulator.status("U0ME00001")[:2] == ("Off for the day — back 09:00 CET", ":crescent_moon:")
    assert slack_emulator.status("U0PRIYA01")[:2] == ("In a meeting", ":spiral_calendar_pad:")  # untouched
    again = parse_matrix_secret(store.get(f"matrix:{expiring.user_id}") or "")
    assert again["refresh_token"] not in (None, refreshed["refresh_token"], session.refresh_token)
    text = json.dumps(data) + config.read_text()
    for secret in (
        SIDE_TOKEN,
        slack_emulator.token,
        plain.token,
        session.access_token,
        str(again["access_token"]),
        str(again["refresh_token"]),
    ):
        assert secret not in text
    assert "# kept as written" in config.read_text()
