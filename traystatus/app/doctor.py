"""`traystatus doctor`: config, calendars, keyring, tokens and scopes, Matrix presence, tray — each with a fix."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any

from traystatus.adapters.clock import utc_now
from traystatus.core.errors import TrayStatusError
from traystatus.core.slack_app import SLACK_SCOPES

_TRAY_PROBE = (
    "from PySide6.QtWidgets import QApplication, QSystemTrayIcon\n"
    "app = QApplication([])\nprint(QSystemTrayIcon.isSystemTrayAvailable())\n"
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Check:
    name: str
    level: str  # "OK" | "WARN" | "FAIL"
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def run_checks(args: argparse.Namespace, *, environ: dict[str, str] | None = None) -> list[Check]:
    from traystatus.app.options import load_settings

    env = dict(os.environ if environ is None else environ)
    checks: list[Check] = []
    try:
        settings = load_settings(args)
    except TrayStatusError as e:
        return [Check(name="config", level="FAIL", detail=f"{e.title}: {e.message}", fix="fix the file, then rerun")]
    checks.append(
        Check(
            name="config",
            level="OK",
            detail=f"time zone {settings.timezone.key}, working hours "
            f"{settings.hours}, {len(settings.calendars)} calendar(s)",
        )
    )
    checks.extend(
        Check(name="config", level="WARN", detail=w, fix="if that is not what you meant, swap the two times there")
        for w in settings.warnings
    )
    checks.extend(_calendars(args, settings))
    checks.extend(_storage(args))
    checks.append(_keyring())
    checks.extend(_accounts(settings, env, _state_store(args)))
    checks.append(_tray(env))
    return checks


def _storage(args: argparse.Namespace) -> list[Check]:
    """Where traystatus writes: writable by the user, with room (read, not written: doctor changes nothing)."""
    from traystatus.adapters.storage_problems import dir_problem
    from traystatus.app.paths import AppPaths

    paths = AppPaths.resolve(getattr(args, "config", None))
    dirs = {
        "config": paths.config_file.parent,
        "state": paths.state_dir,
        "data (handoff archive)": paths.data_dir,
        "cache": paths.cache_dir,
        "log": paths.log_dir,
    }
    out = []
    for name, d in dirs.items():
        problem = dir_problem(d)
        if problem is not None:
            cause, fix = problem
            out.append(Check(name=f"storage {name}", level="WARN", detail=f"{d}: {cause}", fix=fix))
    return out or [Check(name="storage", level="OK", detail="config, state, data, cache and log dirs writable")]


def _calendars(args: argparse.Namespace, settings: Any) -> list[Check]:
    from traystatus.adapters.calendar_sources import build_sources, load_all
    from traystatus.app.paths import AppPaths

    if not settings.calendars:
        return [
            Check(
                name="calendars",
                level="WARN",
                detail="no calendar configured",
                fix="add [[calendars]] to config.toml or pass --calendar FILE|URL",
            )
        ]
    from traystatus.core.calendar_secret import holds_secret_address

    cache = AppPaths.resolve(getattr(args, "config", None)).cache_dir
    now = utc_now()
    sources = build_sources(settings, cache_dir=cache, user_emails=settings.rules.user_emails)
    out = [
        Check(
            name=f"calendar {c.name}",
            level="WARN",
            detail="its secret address is written in the config file",
            fix="run `traystatus calendar migrate` to move it into the OS keyring",
        )
        for c in settings.calendars
        if holds_secret_address(c.location) and not getattr(args, "calendar_locations", None)  # not the file's
    ]
    for r in load_all(sources, now - timedelta(days=1), now + timedelta(days=7)):
        if r.error is not None:
            out.append(
                Check(
                    name=f"calendar {r.source}",
                    level="WARN" if r.stale else "FAIL",
                    detail=r.error.title,
                    fix=r.error.message,
                )
            )
        else:
            out.append(Check(name=f"calendar {r.source}", level="OK", detail=f"{len(r.events)} event(s) this week"))
    return out


def _keyring() -> Check:
    try:
        from traystatus.adapters.secrets import KeyringSecretStore

        store = KeyringSecretStore()
    except TrayStatusError as e:
        return Check(name="keyring", level="WARN", detail=e.title, fix=e.message)
    except Exception as e:  # keyring's own import-time or backend errors
        return Check(
            name="keyring",
            level="WARN",
            detail=f"unusable ({type(e).__name__})",
            fix="install gnome-keyring or KeePassXC, or use TRAYSTATUS_* variables headless",
        )
    return Check(name="keyring", level="OK", detail=store.backend_name)


def _state_store(args: argparse.Namespace) -> Any:
    """What traystatus last set (read only), to compare with what the services show."""
    from traystatus.adapters.state_store import StateStore
    from traystatus.app.paths import AppPaths

    state_dir = AppPaths.resolve(getattr(args, "config", None)).state_dir
    return StateStore(state_dir) if state_dir.exists() else None


def _accounts(settings: Any, env: dict[str, str], store: Any = None) -> list[Check]:
    from traystatus.adapters.secrets import configured_accounts, parse_matrix_secret, secret_for

    accounts = configured_accounts(settings.accounts, env)
    if not accounts:
        return [
            Check(
                name="accounts",
                level="WARN",
                detail="no Slack or Matrix account",
                fix="`traystatus login slack` / `traystatus login matrix`, or TRAYSTATUS_SLACK_TOKEN",
            )
        ]
    out = []
    for account in accounts:
        name = f"{account.service} {account.name}"
        try:
            secret = secret_for(account, None, env)
            if account.service == "slack":
                out.append(_slack(name, secret, env))
            else:
                out.extend(_matrix(name, account, parse_matrix_secret(secret), store))
        except TrayStatusError as e:
            out.append(Check(name=name, level="FAIL", detail=e.title, fix=e.message))
    return out


def _slack(name: str, token: str, env: dict[str, str]) -> Check:
    from traystatus.adapters.service_clients import Purpose, slack_client

    client = slack_client(token, Purpose.INTERACTIVE, environ=env)
    ident = client.auth_test()
    if not ident.scopes:
        return Check(
            name=name,
            level="WARN",
            detail=f"token works ({ident.team}, {ident.user}) but Slack did not report its scopes",
            fix=f"make sure the Slack app's user token scopes include {', '.join(SLACK_SCOPES)}",
        )
    # SLACK_SCOPES holds exactly the scopes of the methods traystatus calls (core/slack_app.py)
    missing = [s for s in SLACK_SCOPES if s not in ident.scopes]
    if missing:
        lacks = "; ".join(f"{s} (no {SLACK_SCOPES[s]})" for s in missing)
        return Check(
            name=name,
            level="WARN",
            detail=f"token works ({ident.team}, {ident.user}) but lacks {lacks}",
            fix="add these user token scopes to the Slack app, reinstall it, then `traystatus login slack`",
        )
    return Check(
        name=name,
        level="OK",
        detail=f"{ident.team} as {ident.user}; all scopes traystatus uses are present ({', '.join(SLACK_SCOPES)})",
    )


def _matrix(name: str, account: Any, secret: dict[str, str | None], store: Any = None) -> list[Check]:
    """Read-only: the token, whether presence is kept, and whether another session outshines what we set."""
    from traystatus.adapters.matrix_probe import probe_presence
    from traystatus.adapters.service_clients import Purpose, matrix_client, matrix_session
    from traystatus.core.live_presence import OTHER_SESSION

    if not account.homeserver:
        return [Check(name=name, level="FAIL", detail="no homeserver URL", fix="set TRAYSTATUS_MATRIX_HOMESERVER")]
    client = matrix_client(matrix_session(account, secret), Purpose.INTERACTIVE)
    who = client.whoami()
    out = [Check(name=name, level="OK", detail=f"token works for {who.get('user_id')}")]
    probe = probe_presence(client)  # reads only: a presence write would cost the next real update a 429
    if probe.enabled is None:
        out.append(
            Check(
                name=f"{name} presence",
                level="WARN",
                detail="presence reads offline with no status message: either presence is disabled on the "
                "homeserver or nothing has set it yet (doctor does not write it)",
                fix="run `traystatus apply`: it reads its first presence write back and says which; if presence "
                "is off, ask the admin for `presence: enabled: true` (Do Not Disturb still works)",
            )
        )
    else:
        out.append(
            Check(name=f"{name} presence", level="OK", detail=f"the homeserver keeps presence ({probe.presence})")
        )
        applied, _retry = store.account(f"matrix:{account.user_id}") if store is not None else (None, None)
        if applied is not None and applied.away and probe.presence == "online":
            out.append(
                Check(
                    name=f"{name} other session",
                    level="WARN",
                    detail=f"{OTHER_SESSION}: traystatus set you unavailable, but a device of yours that syncs "
                    "as online (Element on a phone, a browser tab) wins; teammates still read your status "
                    f"message{f' ({probe.status_msg!r})' if probe.status_msg else ''}",
                    fix="close that session or set it to 'away' / 'offline'; or leave it: it is only a dot",
                )
            )
    return out


def _tray(env: dict[str, str]) -> Check:
    if not (env.get("DISPLAY") or env.get("WAYLAND_DISPLAY")):
        return Check(
            name="tray",
            level="WARN",
            detail="no graphical session (DISPLAY/WAYLAND_DISPLAY unset)",
            fix="on a server use `traystatus run --headless` (packaging/linux/traystatus-headless.service)",
        )
    probe_env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"}
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TRAY_PROBE], capture_output=True, text=True, timeout=20, env=probe_env, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as e:
        return Check(name="tray", level="WARN", detail=f"could not probe the tray ({type(e).__name__})")
    if done.returncode != 0:
        return Check(
            name="tray",
            level="WARN",
            detail="Qt could not start on this display",
            fix="run with QT_DEBUG_PLUGINS=1 to see which system library is missing",
        )
    if done.stdout.strip().endswith("True"):
        return Check(name="tray", level="OK", detail="a system tray is available")
    return Check(
        name="tray",
        level="WARN",
        detail="no system tray on this desktop (GNOME needs the AppIndicator extension)",
        fix="install the AppIndicator extension, or use the window/notifications only",
    )
