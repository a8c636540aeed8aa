"""Chat accounts (non-secret parts: workspace names, homeservers, user ids, device ids) and their keyring keys.

``[[accounts.slack]]`` name, team_id, user_id; ``[[accounts.matrix]]`` user_id, homeserver, device_id, name.
Tokens are never in the config: they live in the OS keyring under :func:`slack_secret_key` /
:func:`matrix_secret_key` (or, headless, in environment variables).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from traystatus.core.config_schema import Table

SLACK_ID = re.compile(r"^[A-Z0-9]{2,}$")
MATRIX_USER = re.compile(r"^@[^:\s]+:[^\s]+$")
_SECRET_KEYS = ("token", "access_token", "refresh_token", "password", "secret")


def slack_secret_key(team_id: str, user_id: str) -> str:
    return f"slack:{team_id}:{user_id}"


def matrix_secret_key(user_id: str) -> str:
    """The keyring entry holds JSON: access_token, refresh_token, device_id."""
    return f"matrix:{user_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class SlackAccount:
    name: str  # what the user calls this workspace (default: the workspace's name)
    team_id: str
    user_id: str

    @property
    def secret_key(self) -> str:
        return slack_secret_key(self.team_id, self.user_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class MatrixAccount:
    user_id: str  # @me:example.org
    homeserver: str  # base URL found by discovery, e.g. https://matrix.example.org
    device_id: str = ""
    name: str = ""

    @property
    def display_name(self) -> str:
        return self.name or self.user_id

    @property
    def secret_key(self) -> str:
        return matrix_secret_key(self.user_id)


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountsSettings:
    slack: tuple[SlackAccount, ...] = ()
    matrix: tuple[MatrixAccount, ...] = ()

    @classmethod
    def from_table(cls, table: Table) -> AccountsSettings:
        table.check_keys(("slack", "matrix"))
        slack: list[SlackAccount] = []
        for t in table.tables("slack"):
            _no_secrets(t, "slack")
            t.check_keys(("name", "team_id", "user_id"))
            team_id, user_id = t.text("team_id"), t.text("user_id")
            for key, value in (("team_id", team_id), ("user_id", user_id)):
                if not SLACK_ID.match(value):
                    raise t.error(
                        key,
                        f'expected a Slack id like "T0123ABCD", got {value!r}. `traystatus login slack` fills this in.',
                    )
            account = SlackAccount(name=t.text("name") or team_id, team_id=team_id, user_id=user_id)
            if any(a.secret_key == account.secret_key for a in slack):
                raise t.error("user_id", f"the same Slack account ({team_id}/{user_id}) is listed twice.")
            slack.append(account)
        matrix: list[MatrixAccount] = []
        for t in table.tables("matrix"):
            _no_secrets(t, "matrix")
            t.check_keys(("user_id", "homeserver", "device_id", "name"))
            user_id, homeserver = t.text("user_id"), t.text("homeserver")
            if not MATRIX_USER.match(user_id):
                raise t.error("user_id", f'expected a Matrix user id like "@me:example.org", got {user_id!r}.')
            if not homeserver.startswith(("https://", "http://")):
                raise t.error(
                    "homeserver",
                    f'expected the homeserver\'s URL like "https://matrix.example.org", got {homeserver!r}.',
                )
            if any(a.user_id == user_id for a in matrix):
                raise t.error("user_id", f"the Matrix account {user_id} is listed twice.")
            matrix.append(
                MatrixAccount(
                    user_id=user_id,
                    homeserver=homeserver.rstrip("/"),
                    device_id=t.text("device_id"),
                    name=t.text("name"),
                )
            )
        return cls(slack=tuple(slack), matrix=tuple(matrix))

    def find_slack(self, ref: str) -> SlackAccount | None:
        """By name, team id, or "team_id:user_id"."""
        for a in self.slack:
            if ref in (a.name, a.team_id, f"{a.team_id}:{a.user_id}"):
                return a
        return None

    def find_matrix(self, ref: str) -> MatrixAccount | None:
        for a in self.matrix:
            if ref in (a.user_id, a.name):
                return a
        return None


def _no_secrets(t: Table, service: str) -> None:
    for key in _SECRET_KEYS:
        if key in t.data:
            raise t.error(
                key,
                f"secrets never go in the config file. Remove this line and run "
                f"`traystatus login {service}`: the token is kept in the OS keyring.",
            )
