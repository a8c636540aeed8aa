"""The emulated Web API methods: each checks its arguments the way Slack documents and updates the workspace."""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass

from tests.slack_emulator.workspace import Channel, Message, User, Workspace

STATUS_TEXT_MAX = 100
EMOJI_RE = re.compile(r"^(:[a-z0-9_+'-]+:)(:skin-tone-[2-6]:)?$")
MESSAGE_MAX = 40_000


class SlackFault(Exception):
    def __init__(self, error: str, **extra: object) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra


@dataclass
class Context:
    ws: Workspace
    me: User
    now: float
    next_ts: Callable[[], str]


def _user_arg(ctx: Context, params: dict[str, object]) -> User:
    uid = params.get("user")
    if not uid:
        return ctx.me
    user = ctx.ws.users.get(str(uid))
    if user is None:
        raise SlackFault("user_not_found")
    return user


def auth_test(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    return {
        "url": ctx.ws.url,
        "team": ctx.ws.team,
        "user": ctx.me.name,
        "team_id": ctx.ws.team_id,
        "user_id": ctx.me.id,
        "is_enterprise_install": False,
    }


def users_profile_get(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    return {"profile": _user_arg(ctx, params).profile(ctx.ws.team_id)}


def _parse_profile(params: dict[str, object]) -> dict[str, object]:
    raw = params.get("profile")
    if raw is None:
        name, value = params.get("name"), params.get("value")
        if not name:
            raise SlackFault("invalid_profile")
        return {str(name): value if value is not None else ""}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise SlackFault("invalid_profile") from None
    if not isinstance(raw, dict):
        raise SlackFault("invalid_profile")
    if len(raw) > 50:
        raise SlackFault("invalid_profile")
    return raw


def users_profile_set(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    if params.get("user") and params["user"] != ctx.me.id:
        raise SlackFault("not_admin")
    profile = _parse_profile(params)
    for key in ("status_text", "status_emoji", "status_expiration"):
        if key in profile and profile[key] is None:
            raise SlackFault("invalid_arguments", response_metadata={"messages": [f"[ERROR] {key} is null"]})
    text, emoji = profile.get("status_text"), profile.get("status_emoji")
    expiration = profile.get("status_expiration")
    if text is not None and not isinstance(text, str):
        raise SlackFault("invalid_arguments", response_metadata={"messages": ["[ERROR] status_text must be a string"]})
    if emoji is not None and not isinstance(emoji, str):
        raise SlackFault("invalid_arguments", response_metadata={"messages": ["[ERROR] status_emoji must be a string"]})
    if expiration is not None and (isinstance(expiration, bool) or not isinstance(expiration, int) or expiration < 0):
        raise SlackFault(
            "invalid_arguments",
            response_metadata={"messages": ["[ERROR] status_expiration must be a non-negative integer (Unix seconds)"]},
        )
    if text is not None and len(text) > STATUS_TEXT_MAX:
        raise SlackFault("too_long")
    if emoji and not EMOJI_RE.match(emoji):
        raise SlackFault("profile_status_set_failed_not_valid_emoji")
    # "Clearing the status requires setting both status_text and status_emoji to ''" (users.profile.set errors)
    if (text == "" and emoji is None) or (emoji == "" and text is None):
        raise SlackFault("must_clear_both_status_text_and_status_emoji")
    user = ctx.me
    if text is not None:
        user.status_text = text
    if emoji is not None:
        user.status_emoji = emoji
    if expiration is not None:
        user.status_expiration = expiration
    if text == "" and emoji == "":
        user.status_expiration = 0
    for key, value in profile.items():
        if key not in ("status_text", "status_emoji", "status_expiration"):
            user.extra_profile[key] = value
    ctx.ws.expire(ctx.now)  # an expiration already in the past clears at once
    return {"username": user.name, "profile": user.profile(ctx.ws.team_id)}


def _dnd_state(ctx: Context, user: User) -> dict[str, object]:
    out: dict[str, object] = {"dnd_enabled": False, "next_dnd_start_ts": 1, "next_dnd_end_ts": 1}
    if user is ctx.me:
        snoozing = user.snooze_endtime is not None
        out["snooze_enabled"] = snoozing
        if snoozing:
            assert user.snooze_endtime is not None
            out["snooze_endtime"] = user.snooze_endtime
            out["snooze_remaining"] = max(0, int(user.snooze_endtime - ctx.now))
            out["snooze_is_indefinite"] = False
    return out


def dnd_info(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    return _dnd_state(ctx, _user_arg(ctx, params))


def dnd_set_snooze(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    minutes = params.get("num_minutes")
    if minutes is None or minutes == "":
        raise SlackFault("missing_duration")
    if isinstance(minutes, str):
        if not minutes.strip().isdigit():
            raise SlackFault(
                "invalid_arguments",
                response_metadata={"messages": ["[ERROR] num_minutes must be a positive whole number"]},
            )
        minutes = int(minutes)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes <= 0:
        raise SlackFault(
            "invalid_arguments", response_metadata={"messages": ["[ERROR] num_minutes must be a positive whole number"]}
        )
    if minutes > 366 * 24 * 60:
        raise SlackFault("too_long")
    ctx.me.snooze_endtime = int(ctx.now) + minutes * 60
    return {
        "snooze_enabled": True,
        "snooze_endtime": ctx.me.snooze_endtime,
        "snooze_remaining": minutes * 60,
        "snooze_is_indefinite": False,
    }


def dnd_end_snooze(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    if ctx.me.snooze_endtime is None:
        raise SlackFault("snooze_not_active")
    ctx.me.snooze_endtime = None
    return {**_dnd_state(ctx, ctx.me)}


def dnd_end_dnd(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    ctx.me.snooze_endtime = None
    return {}


def users_set_presence(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    presence = params.get("presence")
    if presence not in ("auto", "away"):
        raise SlackFault("invalid_presence")
    ctx.me.presence = str(presence)
    return {}


def users_get_presence(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    user = _user_arg(ctx, params)
    active = user.presence == "auto" and user.connected
    out: dict[str, object] = {"presence": "active" if active else "away"}
    if user is ctx.me:
        out.update(
            online=user.connected,
            auto_away=False,
            manual_away=user.presence == "away",
            connection_count=1 if user.connected else 0,
            last_activity=int(ctx.now),
        )
    return out


def users_info(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    return {"user": _user_arg(ctx, params).as_member(ctx.ws.team_id, ctx.now)}


def _page(items: list[dict[str, object]], params: dict[str, object], kind: str) -> tuple[list[dict[str, object]], str]:
    start = 0
    cursor = params.get("cursor")
    if cursor:
        try:
            prefix, _, key = base64.b64decode(str(cursor), validate=True).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise SlackFault("invalid_cursor") from None
        ids = [str(i["id"]) for i in items]
        if prefix != kind or key not in ids:
            raise SlackFault("invalid_cursor")
        start = ids.index(key)
    limit = params.get("limit") or 0
    assert isinstance(limit, int)
    if limit < 0:
        raise SlackFault("invalid_limit" if kind == "channel" else "invalid_arguments")
    limit = min(limit, 1000) if limit else len(items)
    page = items[start : start + limit]
    rest = items[start + limit :]
    next_cursor = base64.b64encode(f"{kind}:{rest[0]['id']}".encode()).decode() if rest else ""
    return page, next_cursor


def users_list(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    members = [u.as_member(ctx.ws.team_id, ctx.now) for u in sorted(ctx.ws.users.values(), key=lambda u: u.id)]
    page, next_cursor = _page(members, params, "user")
    return {"members": page, "cache_ts": int(ctx.now), "response_metadata": {"next_cursor": next_cursor}}


def conversations_list(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    types = str(params.get("types") or "public_channel").split(",")
    known = {"public_channel", "private_channel", "mpim", "im"}
    if any(t.strip() not in known for t in types):
        raise SlackFault("invalid_types")
    chans: list[Channel] = []
    for ch in sorted(ctx.ws.channels.values(), key=lambda c: c.id):
        kind = "im" if ch.is_im else "private_channel" if ch.is_private else "public_channel"
        if kind not in types or (ch.is_private and ctx.me.id not in ch.members):
            continue
        if params.get("exclude_archived") is True and ch.is_archived:
            continue
        chans.append(ch)
    page, next_cursor = _page([c.as_dict(ctx.me.id) for c in chans], params, "channel")
    return {"channels": page, "response_metadata": {"next_cursor": next_cursor}}


def chat_post_message(ctx: Context, params: dict[str, object]) -> dict[str, object]:
    ref = str(params.get("channel") or "")
    text = params.get("text")
    if not text and not params.get("blocks") and not params.get("attachments"):
        raise SlackFault("no_text")
    if text is not None and not isinstance(text, str):
        raise SlackFault("invalid_arguments", response_metadata={"messages": ["[ERROR] text must be a string"]})
    if isinstance(text, str) and len(text) > MESSAGE_MAX:
        raise SlackFault("msg_too_long")
    user = ctx.ws.users.get(ref)
    if user is not None and not user.deleted:  # a user id: the direct-message channel with them
        ch = ctx.ws.channels.setdefault(
            f"D{ref[1:]}", Channel(id=f"D{ref[1:]}", name=ref, is_im=True, members={ctx.me.id, ref})
        )
    else:
        found = ctx.ws.find_channel(ref)
        if found is None or (found.is_private and ctx.me.id not in found.members):
            raise SlackFault("channel_not_found")
        ch = found
    if ch.is_archived:
        raise SlackFault("is_archived")
    if ctx.me.id not in ch.members:
        raise SlackFault("not_in_channel")
    ts = ctx.next_ts()
    thread_ts = params.get("thread_ts")
    msg = Message(
        channel=ch.id,
        user=ctx.me.id,
        text=str(text or ""),
        ts=ts,
        thread_ts=str(thread_ts) if thread_ts else None,
        blocks=params.get("blocks"),
    )
    ctx.ws.messages.append(msg)
    message: dict[str, object] = {"type": "message", "user": ctx.me.id, "text": msg.text, "ts": ts}
    if msg.thread_ts:
        message["thread_ts"] = msg.thread_ts
    return {"channel": ch.id, "ts": ts, "message": message}


METHODS: dict[str, Callable[[Context, dict[str, object]], dict[str, object]]] = {
    "auth.test": auth_test,
    "users.profile.get": users_profile_get,
    "users.profile.set": users_profile_set,
    "dnd.info": dnd_info,
    "dnd.setSnooze": dnd_set_snooze,
    "dnd.endSnooze": dnd_end_snooze,
    "dnd.endDnd": dnd_end_dnd,
    "users.setPresence": users_set_presence,
    "users.getPresence": users_get_presence,
    "users.info": users_info,
    "users.list": users_list,
    "conversations.list": conversations_list,
    "chat.postMessage": chat_post_message,
}
