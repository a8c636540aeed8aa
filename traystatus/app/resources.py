"""Where the bundled resources (icons, demo calendar and team) live: in a wheel or a source checkout.

Wheels carry ``resources/`` as ``traystatus/_resources`` (hatch force-include); editable installs
and checkouts do not, so fall back to the source tree's top-level ``resources/``.
"""

from __future__ import annotations

from pathlib import Path

from traystatus.core.errors import TrayStatusError

_PACKAGE = Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    """The resources directory; raises when neither location exists (a broken install)."""
    for candidate in (_PACKAGE / "_resources", _PACKAGE.parent / "resources"):
        if (candidate / "icons").is_dir():
            return candidate
    raise TrayStatusError(
        "Resources missing",
        f"neither {_PACKAGE / '_resources'} nor {_PACKAGE.parent / 'resources'} holds the icons; reinstall traystatus.",
    )


def icons_dir() -> Path:
    return resources_dir() / "icons"


def demo_dir() -> Path:
    return resources_dir() / "demo"
