"""Teammates' pictures: https URLs from a real HTTP server, mxc:// through the real Synapse's authenticated
thumbnail API, a week's cache, and refusals (not an image, too big, unknown scheme) that fall back to initials."""

from __future__ import annotations

import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.fixtures.http_feeds import FeedServer, Route
from tests.fixtures.synapse import SynapseServer
from traystatus.adapters.avatar_cache import MAX_BYTES, AvatarCache, MatrixMedia

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)


def png(width: int = 8, height: int = 8, rgb: tuple[int, int, int] = (200, 40, 40)) -> bytes:
    """A real PNG file (solid colour), built with the standard library."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def test_https_pictures_cached_for_a_week(tmp_path: Path, feed_server: FeedServer) -> None:
    good, html, big = "/avatars/a-72.png", "/avatars/not-an-image", "/avatars/huge.png"
    feed_server.routes[good] = Route(body=png(), content_type="image/png")
    feed_server.routes[html] = Route(body=b"<html></html>", content_type="text/html")
    feed_server.routes[big] = Route(body=png(), content_type="image/png", stream_bytes=MAX_BYTES + 1)
    urls = [feed_server.url(p) for p in (good, html, big)] + ["ftp://x/y.png", "", feed_server.url("/missing")]
    cache = AvatarCache(tmp_path)
    assert cache.fetch(urls, NOW) == 1
    assert cache.cached(urls) == {feed_server.url(good): png()}
    hits = len(feed_server.hits(good))
    assert cache.fetch(urls, NOW) == 1 and len(feed_server.hits(good)) == hits  # cached: not fetched again
    assert AvatarCache(tmp_path).fetch(urls, NOW + timedelta(days=8)) == 1
    assert len(feed_server.hits(good)) == hits + 1  # a week later it is fetched again


def test_a_failing_picture_is_asked_for_once_a_day(tmp_path: Path, feed_server: FeedServer) -> None:
    gone = feed_server.url("/avatars/gone-72.png")  # 404
    cache = AvatarCache(tmp_path)
    assert cache.fetch([gone], NOW) == 0
    assert cache.fetch([gone], NOW + timedelta(hours=2)) == 0
    assert len(feed_server.hits("/avatars/gone-72.png")) == 1
    feed_server.routes["/avatars/gone-72.png"] = Route(body=png(), content_type="image/png")
    assert cache.fetch([gone], NOW + timedelta(hours=25)) == 1  # the next day: there now
    assert len(feed_server.hits("/avatars/gone-72.png")) == 2


def test_matrix_mxc_pictures_through_the_homeserver(tmp_path: Path, synapse: SynapseServer) -> None:
    user = synapse.new_user("pic")
    r = requests.post(
        f"{synapse.base_url}/_matrix/media/v3/upload",
        data=png(64, 64),
        headers={**synapse.auth(user.token), "Content-Type": "image/png"},
        timeout=10,
    )
    r.raise_for_status()
    mxc = r.json()["content_uri"]
    assert mxc.startswith("mxc://")
    assert AvatarCache(tmp_path / "anon").fetch([mxc], NOW) == 0  # no Matrix account: initials
    cache = AvatarCache(tmp_path, matrix=MatrixMedia(homeserver=synapse.base_url, access_token=user.token))
    assert user.token not in repr(MatrixMedia(homeserver=synapse.base_url, access_token=user.token))
    assert cache.fetch([mxc], NOW) == 1
    data = cache.cached([mxc])[mxc]
    assert data.startswith((b"\x89PNG", b"\xff\xd8"))  # a thumbnail: PNG or JPEG
    wrong = AvatarCache(tmp_path / "bad", matrix=MatrixMedia(homeserver=synapse.base_url, access_token="nope"))
    assert wrong.fetch([mxc], NOW) == 0  # refused (401): skipped, no exception


@pytest.mark.parametrize("url", ["mxc://", "mxc://server-only", "javascript:alert(1)"])
def test_malformed_urls_are_skipped(tmp_path: Path, url: str) -> None:
    assert (
        AvatarCache(tmp_path, matrix=MatrixMedia(homeserver="http://127.0.0.1:9", access_token="t")).fetch([url], NOW)
        == 0
    )
