"""The HTTP side of a CalDAV collection: authenticated requests (Basic, or Digest when the server asks) inside
the load's deadline, size-capped answers, and every failure said for people (what, where, what to do).

Used by :class:`~traystatus.adapters.calendar_caldav.CaldavCalendarSource`; any other reader of the same
collection (free/busy, availability) can reuse it. The password comes from the keyring (key
``caldav:<name>``) or ``TRAYSTATUS_CALDAV_PASSWORD``, read at every request.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET

import requests
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth

from traystatus.adapters.bounded_http import BoundedSession, RedirectRefused, fired, header_problem, read_timeout
from traystatus.adapters.calendar_http import DEFAULT_MAX_BYTES, USER_AGENT, install_urllib3_redaction
from traystatus.core.calendar_secret import redact_url
from traystatus.core.errors import CalendarError, TrayStatusError
from traystatus.core.ports import SecretStore

ENV_PASSWORD = "TRAYSTATUS_CALDAV_PASSWORD"  # noqa: S105 - the variable's name, not a password
_DAV = "DAV:"


def secret_key(name: str) -> str:
    """Where a CalDAV source's password lives in the keyring."""
    return f"caldav:{name}"


class CaldavClient:
    """Requests to one collection URL for the calendar named ``name``; ``timeout`` is the load's deadline."""

    def __init__(
        self,
        name: str,
        url: str,
        *,
        username: str,
        secrets: SecretStore | None,
        timeout: float,
        session: requests.Session | None = None,
    ) -> None:
        self.name, self.url, self.username = name, url, username
        self._secrets = secrets
        self.timeout = timeout
        self.session = session or BoundedSession()
        self._digest = False  # the server asked for Digest instead of Basic
        install_urllib3_redaction()

    def _password(self) -> str:
        key = secret_key(self.name)
        try:
            if self._secrets is not None:
                return self._secrets.get(key) or ""
            if os.environ.get(ENV_PASSWORD):
                return os.environ[ENV_PASSWORD]
            from traystatus.adapters.secrets import KeyringSecretStore

            return KeyringSecretStore().get(key) or ""
        except TrayStatusError as e:
            raise CalendarError(
                f"Calendar '{self.name}': no password", f"{e.title}: {e.message} Or set {ENV_PASSWORD}."
            ) from None

    def request(
        self, method: str, body: str, depth: str, *, check: bool = True, url: str | None = None
    ) -> requests.Response:
        """One request inside the load's deadline, its answer read whole (at most ``DEFAULT_MAX_BYTES``);
        ``url``: another resource of the same server (the principal, the scheduling inbox)."""
        headers = {"User-Agent": USER_AGENT, "Depth": depth, "Content-Type": "application/xml; charset=utf-8"}
        target = url or self.url
        try:
            resp = self._send(method, body, headers, target)
            if (
                resp.status_code == 401
                and self.username
                and resp.headers.get("WWW-Authenticate", "").lower().startswith("digest")
                and not self._digest
            ):
                self._digest = True
                resp = self._send(method, body, headers, target)
        except requests.exceptions.RequestException as e:
            raise self._failure(e) from None
        if fired():  # the answer's end was the deadline shutting the socket
            raise self._failure(requests.exceptions.ReadTimeout())
        if check:
            self.check(resp)
        return resp

    def _send(self, method: str, body: str, headers: dict[str, str], url: str) -> requests.Response:
        auth: AuthBase | None = None
        if self.username:  # read at every refresh: a password changed in the keyring is picked up
            auth = (HTTPDigestAuth if self._digest else HTTPBasicAuth)(self.username, self._password())
        resp = self.session.request(
            method,
            url,
            data=body.encode(),
            headers=headers,
            auth=auth,
            timeout=read_timeout(self.timeout),
            stream=True,
        )
        with resp:
            chunks, size = [], 0
            for chunk in resp.iter_content(chunk_size=256 * 1024):
                size += len(chunk)
                if size > DEFAULT_MAX_BYTES:
                    raise self.error(
                        f"the server's answer is larger than {DEFAULT_MAX_BYTES // (1024 * 1024)} MB",
                        "Is this a CalDAV calendar address?",
                    )
                chunks.append(chunk)
            resp._content = b"".join(chunks)  # read under our cap: .content/.text use it
        return resp

    def _failure(self, e: requests.exceptions.RequestException) -> CalendarError:
        meanwhile = "It is retried at the next refresh; the last good copy is used meanwhile."
        reason = fired()
        if reason == "stopping":
            return self.error("the fetch was stopped because traystatus is quitting", meanwhile)
        if reason:
            return self.error(
                f"no complete answer within {self.timeout:g} s (the server stopped answering or is too slow)",
                meanwhile,
            )
        if isinstance(e, RedirectRefused):
            return self.error(
                f"the server redirects to {e.target}, which is neither https nor the same server and port",
                "Redirects are followed only to https or within the same server: "
                "put the calendar's final address in the settings.",
            )
        if isinstance(e, requests.exceptions.TooManyRedirects):
            return self.error("the server redirects in a loop", "Check the calendar's address.")
        if isinstance(e, requests.exceptions.Timeout):
            return self.error("the server did not answer in time", meanwhile)
        oversized = header_problem(e)
        if oversized:
            return self.error(oversized, "Is this a CalDAV calendar address?")
        return self.error(
            "the server could not be reached",
            "Check your connection and the address; the last good copy is used meanwhile.",
        )

    def error(self, what: str, todo: str) -> CalendarError:
        return CalendarError(f"Calendar '{self.name}' could not be fetched", f"{what} ({redact_url(self.url)}). {todo}")

    def check(self, resp: requests.Response) -> None:
        status = resp.status_code
        if status in (401, 403):
            who = f"user '{self.username}'" if self.username else "no user name configured"
            raise self.error(
                f"the server refused the login (HTTP {status}, {who})",
                f"Check the user name in the config and the password in the keyring "
                f"(`keyring set traystatus {secret_key(self.name)}`).",
            )
        if status == 404:
            raise self.error(
                "no calendar at this address (HTTP 404)",
                "Use the URL of the calendar collection (ask your server, e.g. Nextcloud: "
                "calendar settings → 'Copy primary CalDAV address' + the calendar's name).",
            )
        if status in (405, 501) or status == 200:
            raise self.error(
                f"this address does not speak CalDAV (HTTP {status})",
                'If it is an .ics link, set kind = "ics" for this calendar.',
            )
        if status >= 500:
            raise self.error(
                f"the server failed (HTTP {status})",
                "It is retried at the next refresh; the last good copy is used meanwhile.",
            )
        if status != 207:
            raise self.error(f"unexpected answer HTTP {status}", "Is this a CalDAV calendar address?")

    def multistatus(self, resp: requests.Response) -> ET.Element:
        try:
            root = ET.fromstring(resp.content)  # noqa: S314 - no entity expansion in the stdlib parser
        except ET.ParseError:
            raise self.error("the server's answer is not valid XML", "Is this a CalDAV calendar address?") from None
        if root.tag != f"{{{_DAV}}}multistatus":
            raise self.error("the server's answer is not a WebDAV multistatus", "Is this a CalDAV calendar address?")
        return root
