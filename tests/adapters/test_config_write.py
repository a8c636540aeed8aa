"""Account entries in config.toml: parsed into AccountsSettings, added and removed with the user's comments kept."""

from __future__ import annotations

import os
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from traystatus.adapters.config_toml import load_config_file
from traystatus.adapters.config_write import add_account, remove_account
from traystatus.core.accounts import MatrixAccount, SlackAccount
from traystatus.core.errors import ConfigError
from traystatus.core.settings import Settings

USER_FILE = """\
# My traystatus settings — hand-written, please keep my notes.
timezone = "Europe/Berlin"  # home

[general]
share_titles = false  # never share meeting titles

[[accounts.slack]]
# the day job
name = "Acme"
team_id = "T0ACME001"
user_id = "U0ME00001"
"""


def load(path: Path) -> Settings:
    return load_config_file(path, default_tz=ZoneInfo("UTC"))


def test_accounts_are_parsed(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        USER_FILE
        + """
[[accounts.slack]]
team_id = "T0SIDE001"
user_id = "U0ME00002"

[[accounts.matrix]]
user_id = "@me:example.org"
homeserver = "https://matrix.example.org/"
device_id = "ABCDEF"
"""
    )
    accounts = load(path).accounts
    assert accounts.slack == (
        SlackAccount(name="Acme", team_id="T0ACME001", user_id="U0ME00001"),
        SlackAccount(name="T0SIDE001", team_id="T0SIDE001", user_id="U0ME00002"),
    )
    assert accounts.matrix == (
        MatrixAccount(user_id="@me:example.org", homeserver="https://matrix.example.org", device_id="ABCDEF"),
    )
    assert accounts.slack[0].secret_key == "slack:T0ACME001:U0ME00001"
    assert accounts.matrix[0].secret_key == "matrix:@me:example.org"
    assert accounts.find_slack("Acme") == accounts.slack[0] and accounts.find_slack("T0SIDE001") == accounts.slack[1]
    assert accounts.find_matrix("@me:example.org") == accounts.matrix[0] and accounts.find_slack("nope") is None


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (
            '[[accounts.slack]]\nteam_id = "T1X"\nuser_id = "U1X"\ntoken = "xoxp-1-2"\n',
            "secrets never go in the config",
        ),
        ('[[accounts.slack]]\nteam_id = "acme"\nuser_id = "U1"\n', "expected a Slack id"),
        ('[[accounts.slack]]\nname = "Again"\nteam_id = "T0ACME001"\nuser_id = "U0ME00001"\n', "listed twice"),
        ('[[accounts.matrix]]\nuser_id = "me@example.org"\nhomeserver = "https://m.org"\n', "@me:example.org"),
        ('[[accounts.matrix]]\nuser_id = "@me:example.org"\nhomeserver = "matrix.org"\n', "homeserver"),
        (
            '[[accounts.matrix]]\nuser_id = "@me:m.org"\nhomeserver = "https://m.org"\naccess_token = "syt_x"\n',
            "secrets never go",
        ),
        ('[[accounts.teams]]\nname = "x"\n', "unknown key"),
    ],
)
def test_bad_account_entries_are_explained(tmp_path: Path, extra: str, fragment: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE + "\n" + extra)
    with pytest.raises(ConfigError) as e:
        load(path)
    assert fragment in e.value.message and str(path) in e.value.message
    assert "xoxp-1-2" not in e.value.message and "syt_x" not in e.value.message


def test_add_keeps_comments_and_updates_same_account(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    path.chmod(0o600)
    assert add_account(path, "slack", {"name": "Side", "team_id": "T0SIDE001", "user_id": "U0ME00002"}) is True
    assert (
        add_account(
            path, "matrix", {"user_id": "@me:example.org", "homeserver": "https://m.example.org", "device_id": "DEV1"}
        )
        is True
    )
    assert add_account(path, "slack", {"name": "Acme Corp", "team_id": "T0ACME001", "user_id": "U0ME00001"}) is False
    text = path.read_text()
    for comment in (
        "# My traystatus settings — hand-written",
        "# home",
        "# never share meeting titles",
        "# the day job",
    ):
        assert comment in text
    accounts = load(path).accounts
    assert [a.name for a in accounts.slack] == ["Acme Corp", "Side"]
    assert accounts.matrix[0].device_id == "DEV1"
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert [p.name for p in tmp_path.iterdir()] == ["config.toml"]  # no temporary file left behind


def test_add_to_a_missing_file_creates_it(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.toml"
    add_account(path, "slack", {"name": "Acme", "team_id": "T0ACME001", "user_id": "U0ME00001"})
    assert load(path).accounts.slack[0].team_id == "T0ACME001"


def test_remove_keeps_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(USER_FILE)
    add_account(path, "slack", {"name": "Side", "team_id": "T0SIDE001", "user_id": "U0ME00002"})
    assert remove_account(path, "slack", {"team_id": "T0ACME001", "user_id": "U0ME00001"}) is True
    assert [a.name for a in load(path).accounts.slack] == ["Side"]
    assert remove_account(path, "slack", {"team_id": "T0ACME001", "user_id": "U0ME00001"}) is False
    assert remove_account(path, "slack", {"team_id": "T0SIDE001", "user_id": "U0ME00002"}) is True
    text = path.read_text()
    assert "accounts" not in text and "# never share meeting titles" in text
    assert load(path).accounts.slack == ()
    assert remove_account(tmp_path / "absent.toml", "matrix", {"user_id": "@x:y"}) is False


def test_broken_toml_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("timezone = \n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        add_account(path, "slack", {"name": "A", "team_id": "T0A", "user_id": "U0A"})
    assert path.read_text() == "timezone = \n"
    assert os.listdir(tmp_path) == ["config.toml"]
