"""Secret calendar addresses: which URLs are credentials, how to show one, and the keyring references
(``keyring:NAME``) that stand for them in the config and on the command line (docs/configuration.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlsplit

#: a calendar location that names a keyring entry instead of holding the address
REF_PREFIX = "keyring:"
#: the keyring key (service ``traystatus``) of reference ``keyring:NAME`` is ``calendar:NAME``
KEY_PREFIX = "calendar:"
_SCHEMES = ("http", "https", "webcal", "webcals")
_TOKENISH = re.compile(r"(?=[^/]*\d)(?=[^/]*[A-Za-z])[A-Za-z0-9_\-]{16,}")
_SECRET_WORDS = frozenset(
    ("token", "key", "secret", "auth", "sig", "signature", "pass", "password", "pwd", "code", "session", "hash")
)
_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def holds_secret_address(location: str) -> bool:
    """A calendar URL that is a credential: userinfo (user:password@), a query secret (``?token=…``, or a value
    that looks like a token), or a path segment that looks like a token (Google's "secret address", Outlook's
    published link). A plain ``?export`` (Nextcloud) or ``?x=1`` is not one."""
    parts = urlsplit(location.strip())
    if parts.scheme.lower() not in _SCHEMES:
        return False
    if parts.username or parts.password:
        return True
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if _secret_param(key) or _TOKENISH.fullmatch(value) or _TOKENISH.fullmatch(key):
            return True
    return any(
        _TOKENISH.fullmatch(seg) or seg.lower().startswith(("private-", "secret")) for seg in parts.path.split("/")
    )


def _secret_param(key: str) -> bool:
    """``token``, ``access_token``, ``apiKey``, ``X-Amz-Signature``: a parameter named for a credential."""
    lower = key.lower()
    return bool(_SECRET_WORDS.intersection(re.split(r"[^a-z0-9]+", lower))) or lower.endswith(
        ("token", "key", "secret", "password", "signature")
    )


def redact_url(url: str) -> str:
    """Scheme and host only: the path, query and userinfo of a calendar link are often its password."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:  # a port that is not a number: say nothing about it
        port = None
    host = parts.hostname or "?"
    if port:
        host = f"{host}:{port}"
    hidden = parts.path not in ("", "/") or parts.query or parts.fragment
    return f"{parts.scheme}://{host}/…" if hidden else f"{parts.scheme}://{host}"


def address_name(url: str) -> str:
    """A name for a calendar at ``url`` that reveals no secret: its host (and port), never ``user:password@``."""
    parts = urlsplit(url.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "calendar"
    return f"{host}:{port}" if port else host


def shown_location(location: str) -> str:
    """What a window or a report may show of a location: a secret address redacted, anything else as is."""
    return redact_url(location) if holds_secret_address(location) else location


def is_reference(location: str) -> bool:
    return location.strip().lower().startswith(REF_PREFIX) and bool(reference_name(location))


def reference_name(location: str) -> str:
    """``keyring:work`` → ``work``."""
    return location.strip()[len(REF_PREFIX) :].strip()


def reference(name: str) -> str:
    return f"{REF_PREFIX}{name}"


def secret_key(location: str) -> str:
    """The keyring key a reference names: ``keyring:work`` → ``calendar:work``."""
    return f"{KEY_PREFIX}{reference_name(location)}"


def new_reference_name(display_name: str, taken: Iterable[str]) -> str:
    """A short, stable name for a new keyring entry ("Work calendar" → ``work-calendar``), not in ``taken``."""
    used = set(taken)
    base = _SLUG_DROP.sub("-", display_name.lower()).strip("-")[:40] or "calendar"
    candidate, n = base, 2
    while candidate in used:
        candidate, n = f"{base}-{n}", n + 1
    return candidate
