"""The emulated workspace's state: users and their profiles, DND, presence, tokens, channels, messages, calls."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

ALL_USER_SCOPES = (
    "users.profile:write",
    "users.profile:read",
    "dnd:write",
    "dnd:read",
    "users:write",
    "users:read",
    "chat:write",
    "channels:read",
    "groups:read",
    "im:read",
    "mpim:read",
)


@dataclass
class User:
    id: str
    name: str
    real_name: str
    tz: str = "UTC"
    deleted: bool = False
    is_bot: bool = False
    is_admin: bool = False
    status_text: str = ""
    status_emoji: str = ""
    status_expiration: int = 0
    presence: str = "auto"  # what users.setPresence last set: "auto" or "away"
    connected: bool = True  # a Slack client is open (auto presence then reads "active")
    snooze_endtime: int | None = None
    extra_profile: dict[str, object] = field(default_factory=dict)

    def tz_fields(self, now: float) -> dict[str, object]:
        moment = datetime.fromtimestamp(now, tz=UTC).astimezone(ZoneInfo(self.tz))
        offset = moment.utcoffset()
        return {
            "tz": self.tz,
            "tz_label": moment.tzname() or self.tz,
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
        }

    def profile(self, team_id: str) -> dict[str, object]:
        avatar = hashlib.sha256(self.id.encode()).hexdigest()[:12]
        image = f"https://avatars.slack-edge.example/{avatar}"
        return {
            "real_name": self.real_name,
            "real_name_normalized": self.real_name,
            "display_name": self.name,
            "display_name_normalized": self.name,
            "first_name": self.real_name.split(" ")[0],
            "last_name": " ".join(self.real_name.split(" ")[1:]),
            "status_text": self.status_text,
            "status_emoji": self.status_emoji,
            "status_expiration": self.status_expiration,
            "avatar_hash": avatar,
            "image_24": f"{image}-24.png",
            "image_32": f"{image}-32.png",
            "image_48": f"{image}-48.png",
            "image_72": f"{image}-72.png",
            "image_192": f"{image}-192.png",
            "image_512": f"{image}-512.png",
            "team": team_id,
            **self.extra_profile,
        }

    def as_member(self, team_id: str, now: float) -> dict[str, object]:
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "deleted": self.deleted,
            "real_name": self.real_name,
            **self.tz_fields(now),
            "profile": self.profile(team_id),
            "is_admin": self.is_admin,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": self.is_bot,
            "is_app_user": False,
            "updated": int(now),
        }


@dataclass
class Token:
    value: str
    user_id: str
    scopes: tuple[str, ...] = ALL_USER_SCOPES
    kind: str = "user"  # "user" (xoxp) or "bot" (xoxb)
    revoked: bool = False
    inactive: bool = False  # account deactivated

    def __repr__(self) -> str:  # keep test output free of token values
        return f"Token(user_id={self.user_id!r}, kind={self.kind!r}, revoked={self.revoked})"


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_archived: bool = False
    is_im: bool = False
    members: set[str] = field(default_factory=set)

    def as_dict(self, me: str) -> dict[str, object]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "is_member": me in self.members,
            "num_members": len(self.members),
        }


@dataclass(frozen=True)
class Message:
    channel: str
    user: str
    text: str
    ts: str
    thread_ts: str | None = None
    blocks: object = None


@dataclass(frozen=True)
class Call:
    """One request as the emulator saw it (the token itself is left out)."""

    method: str
    params: dict[str, object]
    http_status: int
    response: dict[str, object]
    at: float
    user_id: str | None = None
    content_type: str = ""
    http_verb: str = "POST"

    @property
    def ok(self) -> bool:
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        err = self.response.get("error")
        return str(err) if err is not None else None


@dataclass
class Workspace:
    team_id: str = "T0TRAYST"
    team: str = "Traystatus Test"
    url: str = "https://traystatus-test.slack.com/"
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, Token] = field(default_factory=dict)
    channels: dict[str, Channel] = field(default_factory=dict)
    messages: list[Message] = field(default_factory=list)

    def expire(self, now: float) -> None:
        """Slack clears a status at its expiration and ends a snooze at its end time."""
        for user in self.users.values():
            if user.status_expiration and now >= user.status_expiration:
                user.status_text, user.status_emoji, user.status_expiration = "", "", 0
            if user.snooze_endtime is not None and now >= user.snooze_endtime:
                user.snooze_endtime = None

    def find_channel(self, ref: str) -> Channel | None:
        if ref in self.channels:
            return self.channels[ref]
        name = ref[1:] if ref.startswith("#") else ref
        for ch in self.channels.values():
            if ch.name == name and not ch.is_im:
                return ch
        return None


DEFAULT_TEAMMATES = (
    # id, handle, real name, zone: odd offsets and DST on purpose (DESIGN "Tests")
    ("U0PRIYA01", "priya", "Priya Raman", "Asia/Kolkata"),
    ("U0BIKASH1", "bikash", "Bikash Thapa", "Asia/Kathmandu"),
    ("U0SAMNY01", "sam", "Sam Rivera", "America/New_York"),
    ("U0OLIVIA1", "olivia", "Olivia Hart", "Europe/London"),
    ("U0HEMI001", "hemi", "Hemi Tane", "Pacific/Chatham"),
    ("U0LORDH01", "lord", "Lorde Howe", "Australia/Lord_Howe"),
)


def default_workspace(me_token: str) -> Workspace:
    """A small team: the user, six teammates across odd zones, a deactivated user, a bot, three channels."""
    ws = Workspace()
    ws.users["U0ME00001"] = User(id="U0ME00001", name="alex", real_name="Alex Example", tz="Europe/Berlin")
    for uid, handle, real, tz in DEFAULT_TEAMMATES:
        ws.users[uid] = User(id=uid, name=handle, real_name=real, tz=tz, connected=False)
    ws.users["U0GONE001"] = User(
        id="U0GONE001", name="gone", real_name="Former Colleague", tz="Europe/Paris", deleted=True, connected=False
    )
    ws.users["U0BOT0001"] = User(
        id="U0BOT0001", name="deploybot", real_name="Deploy Bot", tz="America/Los_Angeles", is_bot=True
    )
    ws.tokens[me_token] = Token(value=me_token, user_id="U0ME00001")
    everyone = {u for u in ws.users if not ws.users[u].deleted}
    ws.channels["C0GENERAL"] = Channel(id="C0GENERAL", name="general", members=set(everyone))
    ws.channels["C0HANDOFF"] = Channel(id="C0HANDOFF", name="handoffs", members=set(everyone))
    ws.channels["C0RANDOM1"] = Channel(id="C0RANDOM1", name="random", members={"U0PRIYA01"})
    ws.channels["G0PRIVATE"] = Channel(id="G0PRIVATE", name="secret-plans", is_private=True, members={"U0PRIYA01"})
    return ws
