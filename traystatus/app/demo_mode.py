"""``--demo`` for every command: the bundled demo (today's calendar, hours around now, the demo team) with
its own state, archive and cache directories, so a demo never reads or writes the user's real files.

``demo_session`` is entered once by ``cli.run`` around the command: it writes the demo's files, points
``args.config`` at the demo config and ``AppPaths`` at the demo's directories (``DEMO_HOME_ENV``), and
puts everything back afterwards (the CLI also runs inside tests and other processes). The variables that name
the user's own calendars and accounts (headless use) are hidden meanwhile: a demo reads no real calendar and
builds no real account, whichever command asks.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Iterator
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traystatus.adapters.secrets import ENV_MATRIX_HOMESERVER, ENV_MATRIX_TOKEN, ENV_MATRIX_USER, ENV_SLACK_TOKEN
from traystatus.app.options import ENV_CALENDARS
from traystatus.app.paths import DEMO_HOME_ENV, AppPaths, demo_root

#: the user's calendars and accounts from the environment
REAL_ENV = (
    ENV_CALENDARS,
    ENV_SLACK_TOKEN,
    ENV_MATRIX_HOMESERVER,
    ENV_MATRIX_USER,
    ENV_MATRIX_TOKEN,
    "TRAYSTATUS_CALDAV_PASSWORD",  # adapters.caldav_client.ENV_PASSWORD (an optional extra: not imported here)
)


@contextlib.contextmanager
def demo_session(args: argparse.Namespace) -> Iterator[None]:
    from traystatus.adapters.clock import SystemClock
    from traystatus.adapters.demo import prepare_demo
    from traystatus.adapters.system_zone import system_zone
    from traystatus.app.resources import demo_dir

    zone = system_zone()
    if getattr(args, "tz", None):
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError):  # load_settings reports a bad zone
            zone = ZoneInfo(args.tz)
    root = demo_root(AppPaths.resolve(getattr(args, "config", None)))
    files = prepare_demo(demo_dir(), root, SystemClock().now(), zone)
    before = os.environ.get(DEMO_HOME_ENV)
    hidden = {name: os.environ.pop(name) for name in REAL_ENV if name in os.environ}
    os.environ[DEMO_HOME_ENV] = str(root)
    args.config = str(files.config_file)
    for option in ("calendar", "hours"):  # the demo's calendar and hours, whatever else was asked
        if getattr(args, option, None):
            setattr(args, option, None if option == "hours" else [])
    try:
        yield
    finally:
        os.environ.update(hidden)
        if before is None:
            os.environ.pop(DEMO_HOME_ENV, None)
        else:
            os.environ[DEMO_HOME_ENV] = before
