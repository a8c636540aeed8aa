"""`traystatus login slack|matrix` and `traystatus logout`: tokens to the OS keyring, account entries to config.toml."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

from traystatus.app.account_login import read_accounts
from traystatus.app.paths import AppPaths
from traystatus.core.accounts import AccountsSettings, MatrixAccount, SlackAccount
from traystatus.core.errors import ConfigError
from traystatus.core.slack_app import SLACK_SCOPES

__all__ = ["SLACK_SCOPES", "register"]


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    login = subparsers.add_parser(
        "login",
        help="connect a Slack workspace or a Matrix account",
        description="Connect an account. The token goes to the OS keyring "
        "(service 'traystatus'); config.toml only records which account it is.",
    )
    services = login.add_subparsers(dest="service", metavar="SERVICE", required=True)
    slack = services.add_parser(
        "slack",
        help="a Slack user token (xoxp-…), checked with auth.test",
        description="Paste a Slack user token (xoxp-…). It is checked with auth.test; missing scopes are named. "
        "No Slack app yet? `--manifest` prints one that asks for exactly the scopes traystatus uses.",
    )
    slack.add_argument("--token-stdin", action="store_true", help="read the token from standard input")
    slack.add_argument(
        "--manifest",
        action="store_true",
        help="print a Slack app manifest (JSON) with exactly the user token scopes traystatus uses, and exit",
    )
    slack.add_argument("--name", help="what to call this workspace (default: its name on Slack)")
    slack.set_defaults(func=login_slack)
    matrix = services.add_parser("matrix", help="a Matrix account (password login, .well-known discovery)")
    matrix.add_argument("--user", required=True, metavar="@me:example.org", help="your Matrix user id")
    matrix.add_argument(
        "--homeserver",
        metavar="URL",
        help="the homeserver URL (default: discovered from the user id's server via .well-known)",
    )
    matrix.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    matrix.add_argument("--device-name", default="traystatus", help="the device name others see (default: traystatus)")
    matrix.add_argument("--name", help="a short name for this account (optional)")
    matrix.set_defaults(func=login_matrix)
    logout = subparsers.add_parser(
        "logout",
        help="forget an account: its token and its config entry",
        description="Remove an account's token from the keyring and its entry from "
        "config.toml (a Matrix device is also logged out on the server).",
    )
    logout.add_argument("service", choices=("slack", "matrix"))
    logout.add_argument("account", nargs="?", help="name, team id or Matrix user id (needed when there are several)")
    logout.set_defaults(func=run_logout)


def _config_path(args: argparse.Namespace) -> Path:
    return AppPaths.resolve(getattr(args, "config", None)).config_file


def _accounts(path: Path) -> AccountsSettings:
    return read_accounts(path)


def _read_secret(from_stdin: bool, prompt: str, option: str) -> str:
    if from_stdin:
        value = sys.stdin.read().strip()
    elif sys.stdin is not None and sys.stdin.isatty():
        value = getpass.getpass(prompt).strip()
    else:
        raise ConfigError(
            "No terminal to ask on", f"standard input is not a terminal; pipe the secret in and add {option}."
        )
    if not value:
        raise ConfigError("Nothing entered", "no secret was given; nothing was changed.")
    return value


def login_slack(args: argparse.Namespace) -> int:
    from traystatus.adapters.secrets import KeyringSecretStore
    from traystatus.app import account_login

    if args.manifest:  # nothing to store: paste it at api.slack.com/apps → Create New App → From a manifest
        import json

        from traystatus.adapters.slack_scopes import app_manifest

        print(json.dumps(app_manifest(), indent=2))
        return 0
    store = KeyringSecretStore()  # fail before asking for the token when there is no safe place for it
    token = _read_secret(args.token_stdin, "Slack user token (xoxp-…): ", "--token-stdin")
    path = _config_path(args)
    done = account_login.login_slack(path, token, store=store, name=args.name or "")
    account = done.account
    print(f"Signed in to Slack workspace {done.team!r} ({account.team_id}) as {done.user} ({account.user_id}).")
    print(
        f"Token stored in the OS keyring ({store.backend_name}); "
        f"{'added to' if done.added else 'updated in'} {path} as {account.name!r}."
    )
    if not done.scopes:
        print(
            "warning: Slack did not report the token's scopes; features may fail if some are missing.", file=sys.stderr
        )
    for scope in done.missing:
        print(f"warning: the token lacks {scope}: no {SLACK_SCOPES[scope]}.", file=sys.stderr)
    if done.missing:
        print(
            "Add the missing user token scopes to your Slack app (`traystatus login slack --manifest` "
            "lists them as a manifest), reinstall it, then run `traystatus login slack` again.",
            file=sys.stderr,
        )
    return 0


def login_matrix(args: argparse.Namespace) -> int:
    from traystatus.adapters import matrix_api
    from traystatus.adapters.secrets import KeyringSecretStore
    from traystatus.app import account_login

    user = account_login.check_matrix_user(args.user)
    store = KeyringSecretStore()
    path = _config_path(args)
    base_url = matrix_api.discover(args.homeserver or user)
    password = _read_secret(args.password_stdin, f"Matrix password for {user}: ", "--password-stdin")
    done = account_login.login_matrix(
        path, user, password, store=store, base_url=base_url, device_name=args.device_name, name=args.name or ""
    )
    account = done.account
    print(
        f"Signed in to Matrix as {account.user_id} on {account.homeserver} (device {account.device_id}"
        f"{', refresh token kept' if done.refresh_token else ''})."
    )
    print(
        f"Token stored in the OS keyring ({store.backend_name}); {'added to' if done.added else 'updated in'} {path}."
    )
    return 0


def _pick(service: str, ref: str | None, accounts: AccountsSettings) -> SlackAccount | MatrixAccount:
    listed: tuple[SlackAccount | MatrixAccount, ...] = accounts.slack if service == "slack" else accounts.matrix
    names = ", ".join(a.name if isinstance(a, SlackAccount) else a.user_id for a in listed)
    if ref:
        found = accounts.find_slack(ref) if service == "slack" else accounts.find_matrix(ref)
        if found is None:
            raise ConfigError(
                "No such account",
                f"no {service} account {ref!r} in the config{f'; configured: {names}' if names else ''}.",
            )
        return found
    if not listed:
        env = "TRAYSTATUS_SLACK_TOKEN" if service == "slack" else "TRAYSTATUS_MATRIX_TOKEN"
        raise ConfigError(
            "Nothing to log out",
            f"no {service} account is configured (an account given by {env} is removed by unsetting that variable).",
        )
    if len(listed) > 1:
        raise ConfigError(
            "Which account?",
            f"several {service} accounts are configured ({names}); name one: traystatus logout {service} NAME.",
        )
    return listed[0]


def run_logout(args: argparse.Namespace) -> int:
    from traystatus.adapters.secrets import KeyringSecretStore
    from traystatus.app.account_login import forget_account

    path = _config_path(args)
    account = _pick(args.service, args.account, _accounts(path))
    done = forget_account(path, account, KeyringSecretStore)
    if done.warning:
        print(f"warning: {done.warning}", file=sys.stderr)
    print(f"Removed {done.label} from {path}.")
    if done.problem is not None:
        print(
            f"warning: {done.problem.title}: {done.problem.message} The token may still be in the keyring.",
            file=sys.stderr,
        )
        return 1
    print("Its token was deleted from the OS keyring.")
    return 0
