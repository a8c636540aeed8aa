"""`traystatus login slack|matrix` and `traystatus logout`: tokens to the OS keyring, account entries to config.toml."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from traystatus.app.paths import AppPaths
from traystatus.core.accounts import AccountsSettings, MatrixAccount, SlackAccount
from traystatus.core.errors import ConfigError, SecretStoreError, TrayStatusError

# Scope -> what stops working without it (issue 3, "Accounts and secrets").
SLACK_SCOPES = {
    "users.profile:write": "setting your status text and emoji",
    "dnd:write": "Do Not Disturb (snooze) during meetings, focus and off hours",
    "users:write": "setting your presence to away",
    "chat:write": "posting end-of-day handoff notes",
    "users:read": "the team clock (teammates' time zones)",
    "users.profile:read": "noticing a status you set by hand (so it is left alone)",
    "dnd:read": "reading the current Do Not Disturb state",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = subparsers.add_parser("login", help="connect a Slack workspace or a Matrix account",
                                  description="Connect an account. The token goes to the OS keyring "
                                  "(service 'traystatus'); config.toml only records which account it is.")
    services = login.add_subparsers(dest="service", metavar="SERVICE", required=True)
    slack = services.add_parser("slack", help="a Slack user token (xoxp-…), checked with auth.test",
                                description="Paste a Slack user token (xoxp-…). It is checked with auth.test; "
                                "missing scopes are named.")
    slack.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    slack.add_argument("--name", help="what to call this workspace (default: its name on Slack)")
    slack.set_defaults(func=login_slack)
    matrix = services.add_parser("matrix", help="a Matrix account (password login, .well-known discovery)")
    matrix.add_argument("--user", required=True, metavar="@me:example.org", help="your Matrix user id")
    matrix.add_argument("--homeserver", metavar="URL", help="the homeserver URL (default: discovered from the "
                        "user id's server via .well-known)")
    matrix.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    matrix.add_argument("--device-name", default="traystatus", help="the device name others see (default: "
                        "traystatus)")
    matrix.add_argument("--name", help="a short name for this account (optional)")
    matrix.set_defaults(func=login_matrix)
    logout = subparsers.add_parser("logout", help="forget an account: its token and its config entry",
                                   description="Remove an account's token from the keyring and its entry from "
                                   "config.toml (a Matrix device is also logged out on the server).")
    logout.add_argument("service", choices=("slack", "matrix"))
    logout.add_argument("account", nargs="?", help="name, team id or Matrix user id (needed when there are "
                        "several)")
    logout.set_defaults(func=run_logout)


def _config_path(args: argparse.Namespace) -> Path:
    return AppPaths.resolve(getattr(args, "config", None)).config_file


def _accounts(path: Path) -> AccountsSettings:
    if not path.exists():
        return AccountsSettings()
    from zoneinfo import ZoneInfo

    from traystatus.adapters.config_toml import load_config_file

    return load_config_file(path, default_tz=ZoneInfo("UTC")).accounts


def _read_secret(from_stdin: bool, prompt: str, option: str) -> str:
    if from_stdin:
        value = sys.stdin.read().strip()
    elif sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(prompt).strip()
    else:
        raise ConfigError("No terminal to ask on", f"standard input is not a terminal; pipe the secret in "
                          f"and add {option}.")
    if not value:
        raise ConfigError("Nothing entered", "no secret was given; nothing was changed.")
    return value


def login_slack(args: argparse.Namespace) -> int:
    from traystatus.adapters.config_write import add_account
    from traystatus.adapters.secrets import KeyringSecretStore
    from traystatus.adapters.slack_api import SlackClient

    store = KeyringSecretStore()  # fail before asking for the token when there is no safe place for it
    token = _read_secret(args.token_stdin, "Slack user token (xoxp-…): ", "--token-stdin")
    if token.startswith("xoxb-"):
        raise ConfigError("Not a user token", "this is a bot token (xoxb-…); traystatus acts as you and needs "
                          "a user token (xoxp-…) from your Slack app's \"User OAuth Token\".")
    if not token.startswith(("xoxp-", "xoxe.xoxp-")):
        raise ConfigError("Not a Slack user token", "Slack user tokens start with xoxp-; copy the \"User OAuth "
                          "Token\" from your Slack app's OAuth & Permissions page.")
    client = SlackClient(token, max_wait=10.0)
    try:
        ident = client.auth_test()
    finally:
        client.close()
    store.set(SlackAccount(name="", team_id=ident.team_id, user_id=ident.user_id).secret_key, token)
    path = _config_path(args)
    name = args.name or ident.team or ident.team_id
    added = add_account(path, "slack", {"name": name, "team_id": ident.team_id, "user_id": ident.user_id})
    print(f"Signed in to Slack workspace {ident.team!r} ({ident.team_id}) as {ident.user} ({ident.user_id}).")
    print(f"Token stored in the OS keyring ({store.backend_name}); "
          f"{'added to' if added else 'updated in'} {path} as {name!r}.")
    if not ident.scopes:
        print("warning: Slack did not report the token's scopes; features may fail if some are missing.",
              file=sys.stderr)
    missing = [scope for scope in SLACK_SCOPES if scope not in ident.scopes] if ident.scopes else []
    for scope in missing:
        print(f"warning: the token lacks {scope}: no {SLACK_SCOPES[scope]}.", file=sys.stderr)
    if missing:
        print("Add the missing user token scopes to your Slack app, reinstall it, then run "
              "`traystatus login slack` again.", file=sys.stderr)
    return 0


def login_matrix(args: argparse.Namespace) -> int:
    from traystatus.adapters import matrix_api
    from traystatus.adapters.config_write import add_account
    from traystatus.adapters.secrets import KeyringSecretStore, matrix_secret

    user = args.user.strip()
    if not user.startswith("@") or ":" not in user:
        raise ConfigError("Not a Matrix user id", f"{user!r}: use the full id, like @me:example.org.")
    store = KeyringSecretStore()
    path = _config_path(args)
    known = _accounts(path).find_matrix(user)
    base_url = matrix_api.discover(args.homeserver or user)
    password = _read_secret(args.password_stdin, f"Matrix password for {user}: ", "--password-stdin")
    session = matrix_api.login_password(base_url, user, password, device_name=args.device_name,
                                        device_id=known.device_id if known and known.device_id else None)
    store.set(MatrixAccount(user_id=session.user_id, homeserver=session.homeserver).secret_key,
              matrix_secret(session.access_token, session.refresh_token, session.device_id))
    entry = {"user_id": session.user_id, "homeserver": session.homeserver, "device_id": session.device_id}
    if args.name:
        entry["name"] = args.name
    added = add_account(path, "matrix", entry)
    print(f"Signed in to Matrix as {session.user_id} on {session.homeserver} (device {session.device_id}"
          f"{', refresh token kept' if session.refresh_token else ''}).")
    print(f"Token stored in the OS keyring ({store.backend_name}); "
          f"{'added to' if added else 'updated in'} {path}.")
    return 0


def _pick(service: str, ref: str | None, accounts: AccountsSettings) -> SlackAccount | MatrixAccount:
    listed: tuple[SlackAccount | MatrixAccount, ...] = accounts.slack if service == "slack" else accounts.matrix
    names = ", ".join(a.name if isinstance(a, SlackAccount) else a.user_id for a in listed)
    if ref:
        found = accounts.find_slack(ref) if service == "slack" else accounts.find_matrix(ref)
        if found is None:
            raise ConfigError("No such account", f"no {service} account {ref!r} in the config"
                              f"{f'; configured: {names}' if names else ''}.")
        return found
    if not listed:
        env = "TRAYSTATUS_SLACK_TOKEN" if service == "slack" else "TRAYSTATUS_MATRIX_TOKEN"
        raise ConfigError("Nothing to log out", f"no {service} account is configured (an account given by {env} "
                          "is removed by unsetting that variable).")
    if len(listed) > 1:
        raise ConfigError("Which account?", f"several {service} accounts are configured ({names}); name one: "
                          f"traystatus logout {service} NAME.")
    return listed[0]


def run_logout(args: argparse.Namespace) -> int:
    from traystatus.adapters.config_write import remove_account
    from traystatus.adapters.secrets import KeyringSecretStore

    path = _config_path(args)
    account = _pick(args.service, args.account, _accounts(path))
    problem: TrayStatusError | None = None
    try:
        store = KeyringSecretStore()
        secret = store.get(account.secret_key)
        if isinstance(account, MatrixAccount) and secret:
            _matrix_logout(account, secret)
        store.delete(account.secret_key)
    except SecretStoreError as e:
        problem = e
    if isinstance(account, SlackAccount):
        remove_account(path, "slack", {"team_id": account.team_id, "user_id": account.user_id})
        label = f"Slack workspace {account.name!r} ({account.team_id})"
    else:
        remove_account(path, "matrix", {"user_id": account.user_id})
        label = f"Matrix account {account.user_id}"
    print(f"Removed {label} from {path}.")
    if problem is not None:
        print(f"warning: {problem.title}: {problem.message} The token may still be in the keyring.",
              file=sys.stderr)
        return 1
    print("Its token was deleted from the OS keyring.")
    return 0


def _matrix_logout(account: MatrixAccount, secret: str) -> None:
    """Best effort: end the device's session on the server so the token stops working."""
    from traystatus.adapters import matrix_api
    from traystatus.adapters.secrets import parse_matrix_secret

    creds = parse_matrix_secret(secret)
    session = matrix_api.MatrixSession(homeserver=account.homeserver, user_id=account.user_id,
                                       access_token=str(creds["access_token"]),
                                       device_id=str(creds["device_id"] or account.device_id),
                                       refresh_token=creds["refresh_token"])
    try:
        matrix_api.logout(session, timeout=10.0)
    except TrayStatusError as e:
        print(f"warning: could not log the device out on {account.homeserver} ({e.title}); "
              "remove it in your Matrix client's session list.", file=sys.stderr)
