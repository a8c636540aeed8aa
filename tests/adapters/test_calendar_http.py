"""ICS feeds over a real HTTP server: conditional GET, cache, stale copies, and every way a feed breaks."""

from __future__ import annotations

import ipaddress
import itertools
import logging
import ssl
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fixtures.http_feeds import FeedServer, Route
from traystatus.adapters.calendar_http import normalize_url
from traystatus.adapters.calendar_ics import IcsCalendarSource
from traystatus.core.calendar_secret import redact_url
from traystatus.core.ports import CalendarResult

BERLIN = ZoneInfo("Europe/Berlin")
START = datetime(2026, 11, 23, tzinfo=BERLIN)
END = datetime(2026, 11, 30, tzinfo=BERLIN)
_ids = itertools.count()


def ics(*titles: str) -> bytes:
    events = "".join(
        f"BEGIN:VEVENT\r\nUID:ev{i}@test\r\nDTSTAMP:20261101T000000Z\r\n"
        f"DTSTART;TZID=Europe/Berlin:2026112{4 + i}T100000\r\n"
        f"DTEND;TZID=Europe/Berlin:2026112{4 + i}T110000\r\nSUMMARY:{t}\r\nEND:VEVENT\r\n"
        for i, t in enumerate(titles)
    )
    return f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n".encode()


def route(server: FeedServer, r: Route, secret: bool = True) -> tuple[str, str]:
    """A unique secret-looking path for this test; returns (path, url)."""
    path = f"/calendar/ical/{next(_ids)}/private-5ecr3tt0ken/basic.ics" if secret else f"/feed{next(_ids)}.ics"
    server.routes[path] = r
    return path, server.url(path)


def source(url: str, cache: Path, **kw: object) -> IcsCalendarSource:
    return IcsCalendarSource("Work", url, zone=BERLIN, cache_dir=cache, **kw)  # type: ignore[arg-type]


def titles(result: CalendarResult) -> list[str]:
    return [e.title for e in result.events]


def assert_clean(result: CalendarResult, secret: str = "5ecr3tt0ken") -> None:
    """No secret path anywhere the user or a log could see it."""
    for text in (repr(result), str(result.error) if result.error else ""):
        assert secret not in text


def test_etag_304_reuses_the_cached_body(feed_server: FeedServer, tmp_path: Path) -> None:
    path, url = route(feed_server, Route(body=ics("Standup"), etag='"v1"'))
    src = source(url, tmp_path)
    first = src.load(START, END)
    assert titles(first) == ["Standup"] and first.error is None and not first.stale
    second = src.load(START, END)
    assert titles(second) == ["Standup"] and not second.stale
    hits = feed_server.hits(path)
    assert len(hits) == 2 and "if-none-match" not in hits[0] and hits[1]["if-none-match"] == '"v1"'
    assert second.fetched_at is not None and first.fetched_at is not None and second.fetched_at >= first.fetched_at
    # a new process (new source object) sends the stored ETag too: the disk cache is used
    third = source(url, tmp_path).load(START, END)
    assert titles(third) == ["Standup"] and feed_server.hits(path)[2]["if-none-match"] == '"v1"'


def test_changed_feed_is_reparsed(feed_server: FeedServer, tmp_path: Path) -> None:
    path, url = route(feed_server, Route(body=ics("Old"), etag='"a"'))
    src = source(url, tmp_path)
    assert titles(src.load(START, END)) == ["Old"]
    feed_server.routes[path] = Route(body=ics("New", "Second"), etag='"b"')
    assert titles(src.load(START, END)) == ["New", "Second"]


def test_last_modified(feed_server: FeedServer, tmp_path: Path) -> None:
    stamp = "Tue, 24 Nov 2026 08:00:00 GMT"
    path, url = route(feed_server, Route(body=ics("Review"), last_modified=stamp))
    src = source(url, tmp_path)
    assert titles(src.load(START, END)) == ["Review"]
    assert titles(src.load(START, END)) == ["Review"]
    assert feed_server.hits(path)[1]["if-modified-since"] == stamp


def test_redirect_is_followed(feed_server: FeedServer, tmp_path: Path) -> None:
    _, target = route(feed_server, Route(body=ics("Moved")))
    _, url = route(feed_server, Route(status=302, location=target))
    assert titles(source(url, tmp_path).load(START, END)) == ["Moved"]


def test_webcal_is_https() -> None:
    assert (
        normalize_url("webcal://p01-caldav.icloud.com/published/2/abc")
        == "https://p01-caldav.icloud.com/published/2/abc"
    )
    assert (
        redact_url("https://calendar.google.com/calendar/ical/me%40x/private-abc/basic.ics")
        == "https://calendar.google.com/…"
    )
    assert redact_url("https://example.org") == "https://example.org"


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda s: Route(status=401, body=b"no"), "refused access (HTTP 401)"),
        (lambda s: Route(status=403, body=b"no"), "refused access (HTTP 403)"),
        (lambda s: Route(status=404, body=b"gone"), "no calendar at this address (HTTP 404)"),
        (lambda s: Route(status=500, body=b"oops"), "the server failed (HTTP 500)"),
        (
            lambda s: Route(body=b"<!doctype html><html><body>Sign in</body></html>", content_type="text/html"),
            "returned a web page (HTML)",
        ),
        (lambda s: Route(body=b"hello, not a calendar", content_type="text/plain"), "did not return an iCalendar"),
    ],
)
def test_broken_feed_gives_a_clear_error(
    feed_server: FeedServer, tmp_path: Path, make, expected: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, url = route(feed_server, make(feed_server))
    result = source(url, tmp_path).load(START, END)
    assert result.error is not None and result.events == () and not result.stale
    assert result.error.title == "Calendar 'Work' could not be fetched"
    assert expected in result.error.message
    assert "127.0.0.1" in result.error.message  # where: the host, not the secret path
    assert_clean(result)
    assert "5ecr3tt0ken" not in caplog.text


def test_redirect_loop(feed_server: FeedServer, tmp_path: Path) -> None:
    path = f"/loop{next(_ids)}/private-5ecr3tt0ken"
    feed_server.routes[path] = Route(status=302, location=feed_server.url(path))
    result = source(feed_server.url(path), tmp_path).load(START, END)
    assert result.error is not None and "redirects in a loop" in result.error.message
    assert 2 <= len(feed_server.hits(path)) <= 12
    assert_clean(result)


def test_hang_times_out(feed_server: FeedServer, tmp_path: Path) -> None:
    _, url = route(feed_server, Route(hang=True))
    result = source(url, tmp_path, timeout=0.5).load(START, END)
    assert result.error is not None and "no complete answer within 0.5 s" in result.error.message
    assert_clean(result)


@pytest.mark.parametrize("send_length", [True, False])
def test_fifty_megabyte_feed_is_refused(feed_server: FeedServer, tmp_path: Path, send_length: bool) -> None:
    head = ics("Huge").replace(b"END:VCALENDAR\r\n", b"")
    _, url = route(feed_server, Route(body=head, stream_bytes=50 * 1024 * 1024, send_length=send_length))
    result = source(url, tmp_path, max_bytes=5 * 1024 * 1024).load(START, END)
    assert result.error is not None and "larger than 5 MB" in result.error.message
    assert_clean(result)


def test_fifty_megabyte_feed_is_refused_by_the_default_cap_and_the_good_copy_serves(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    path, url = route(feed_server, Route(body=ics("Before")))
    assert titles(source(url, tmp_path).load(START, END)) == ["Before"]
    head = ics("Huge").replace(b"END:VCALENDAR\r\n", b"")
    feed_server.routes[path] = Route(body=head, stream_bytes=50 * 1024 * 1024)  # announced by Content-Length
    result = source(url, tmp_path).load(START, END)
    assert result.error is not None and "larger than 20 MB" in result.error.message
    assert titles(result) == ["Before"] and result.stale
    assert_clean(result)


def test_last_good_copy_serves_stale_with_its_age(feed_server: FeedServer, tmp_path: Path) -> None:
    path, url = route(feed_server, Route(body=ics("Planning"), etag='"1"'))
    good = source(url, tmp_path).load(START, END)
    feed_server.routes[path] = Route(status=500, body=b"down")
    # a fresh process: the last good copy comes from the disk cache
    result = source(url, tmp_path).load(START, END)
    assert titles(result) == ["Planning"]
    assert result.stale and result.error is not None and "HTTP 500" in result.error.message
    assert result.fetched_at == good.fetched_at
    feed_server.routes[path] = Route(body=b"<html>login</html>", content_type="text/html")
    html = source(url, tmp_path).load(START, END)
    assert titles(html) == ["Planning"] and html.stale  # an HTML page never replaces the good copy
    feed_server.routes[path] = Route(body=ics("Planning", "Retro"), etag='"2"')
    fresh = source(url, tmp_path).load(START, END)
    assert titles(fresh) == ["Planning", "Retro"] and not fresh.stale and fresh.error is None


def test_unchanged_feed_is_not_parsed_again(
    feed_server: FeedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _, url = route(feed_server, Route(body=ics("Sync"), etag='"x"'))
    src = source(url, tmp_path)
    assert titles(src.load(START, END)) == ["Sync"]
    import traystatus.adapters.calendar_ics as mod

    def boom(*a: object, **k: object) -> None:
        raise AssertionError("parsed again")

    monkeypatch.setattr(mod, "expand_document", boom)
    again = src.load(START, datetime(2026, 11, 30, 12, tzinfo=BERLIN))  # a window sliding forward
    assert titles(again) == ["Sync"] and again.error is None


def test_malformed_feed_keeps_serving_last_good(feed_server: FeedServer, tmp_path: Path) -> None:
    path, url = route(feed_server, Route(body=ics("Kept")))
    src = source(url, tmp_path)
    assert titles(src.load(START, END)) == ["Kept"]
    # a period icalendar cannot parse (ical4j's boeing.ics): the whole file is unreadable. (A VEVENT with an
    # unreadable DTSTART is no longer that: it costs only itself, test_calendar_quirks.)
    broken = (
        b"BEGIN:VCALENDAR\r\nBEGIN:VFREEBUSY\r\nFREEBUSY:2026112T100000Z/PT30M\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n"
    )
    feed_server.routes[path] = Route(body=broken)
    result = src.load(START, END)
    assert result.error is not None and "'Work'" in result.error.title and "malformed" in result.error.message
    assert titles(result) == ["Kept"] and result.stale


@pytest.fixture(scope="module")
def tls_feed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A real HTTPS server on 127.0.0.1 with a self-signed certificate; yields (host:port, CA file)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    root = tmp_path_factory.mktemp("tls")
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(ZoneInfo("UTC"))
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=2))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    body = ics("Over TLS")

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(root / "cert.pem", root / "key.pem")
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{httpd.server_address[1]}", root / "cert.pem"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(10)


def test_webcal_link_is_fetched_over_https(
    tls_feed: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, ca = tls_feed
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(ca))
    result = source(f"webcal://{host}/published/2/private-5ecr3tt0ken", tmp_path).load(START, END)
    assert result.error is None and titles(result) == ["Over TLS"]


def test_untrusted_certificate_is_a_clear_error(
    tls_feed: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    host, _ = tls_feed
    monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    result = source(f"webcal://{host}/published/2/private-5ecr3tt0ken", tmp_path).load(START, END)
    assert result.error is not None and "certificate is not trusted" in result.error.message
    assert f"https://{host}/…" in result.error.message
    assert_clean(result)
