"""Slack's documented method contract (scopes, tiers, argument types, errors) read from tests/data/slack-specs."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

SPEC_DIR = Path(__file__).resolve().parent.parent / "data" / "slack-specs"

# Requests per window (default one minute) per method and token, from Slack's tier table
# (https://api.slack.com/apis/rate-limits). "t5" is what slack-api-ref calls the "special" tier:
# auth.test allows a lot; chat.postMessage is ~1 message per second per channel (docs/platform-notes.md).
TIER_LIMITS = {"t1": 1, "t2": 20, "t3": 50, "t4": 100, "t5": 600}
PROFILE_WRITES_PER_WINDOW = 10  # users.profile.set: at most 10 per minute per user
MESSAGES_PER_CHANNEL_PER_WINDOW = 60  # chat.postMessage: about one per second per channel

# Errors every method can answer (Slack's "common errors"; the OpenAPI v2 spec lists them on each method).
COMMON_ERRORS = frozenset(
    {
        "not_authed",
        "invalid_auth",
        "account_inactive",
        "token_revoked",
        "missing_scope",
        "not_allowed_token_type",
        "invalid_arguments",
        "invalid_arg_name",
        "invalid_json",
        "json_not_object",
        "invalid_post_type",
        "missing_post_type",
        "invalid_charset",
        "invalid_form_data",
        "ratelimited",
        "request_timeout",
        "fatal_error",
        "internal_error",
    }
)
# Errors the current reference omits but the OpenAPI v2 spec (or Slack's live API) documents.
EXTRA_ERRORS = {
    "dnd.endSnooze": {"snooze_not_active"},  # OpenAPI v2 error enum
    "users.profile.set": {"profile_status_set_failed_not_valid_emoji"},  # live API, emoji not ':name:'
    "users.info": {"user_not_found"},
    "chat.postMessage": {"msg_too_long"},  # OpenAPI v2 error enum
    "users.profile.get": {"user_not_found"},
    "users.getPresence": {"user_not_found"},
}


@dataclass(frozen=True, slots=True)
class MethodSpec:
    name: str
    http_method: str
    user_scopes: tuple[str, ...]  # the token needs at least one of these
    tier: str
    json_input: bool  # accepts application/json bodies
    user_scope_only: bool
    required: tuple[str, ...]  # besides the token
    arg_types: dict[str, str | None]  # name -> "string" | "boolean" | "number" | None (anything)
    errors: frozenset[str]

    @property
    def per_window(self) -> int:
        return TIER_LIMITS.get(self.tier, TIER_LIMITS["t3"])


def load_specs(directory: Path = SPEC_DIR) -> dict[str, MethodSpec]:
    specs: dict[str, MethodSpec] = {}
    for path in sorted(directory.glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        name = path.stem
        args = data.get("args", {})
        props = args.get("properties", {})
        specs[name] = MethodSpec(
            name=name,
            http_method=data.get("http_method", "POST"),
            user_scopes=tuple(data.get("scope", {}).get("user", [])),
            tier=data.get("rate_limits", "t3"),
            json_input=bool(data.get("json_input_supported", False)),
            user_scope_only=bool(data.get("user_scope_only", False)),
            required=tuple(r for r in args.get("required", []) if r != "token"),
            arg_types={k: v.get("type") for k, v in props.items() if k != "token"},
            errors=frozenset(data.get("errors", {})) | COMMON_ERRORS | EXTRA_ERRORS.get(name, set()),
        )
    return specs


_TRUE = {"true", "1"}
_FALSE = {"false", "0"}


def coerce_args(spec: MethodSpec, params: dict[str, object], *, from_json: bool) -> tuple[dict[str, object], list[str]]:
    """Check each documented argument's type; returns (coerced params, problems in Slack's wording)."""
    out = dict(params)
    problems: list[str] = []
    for name in spec.required:
        if name not in params or params[name] in ("", None):
            problems.append(f"[ERROR] missing required field: {name}")
    for name, value in params.items():
        kind = spec.arg_types.get(name)
        if kind is None or value is None:
            continue
        if kind == "boolean":
            if isinstance(value, bool):
                continue
            if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
                out[name] = value.lower() in _TRUE
                continue
            problems.append(f"[ERROR] expected a boolean [json-pointer:/{name}]")
        elif kind in ("number", "integer"):
            if isinstance(value, int) and not isinstance(value, bool):
                continue
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                out[name] = int(value)
                continue
            problems.append(f"[ERROR] expected a number [json-pointer:/{name}]")
        elif kind == "string":
            if isinstance(value, str):
                continue
            if from_json and isinstance(value, int) and not isinstance(value, bool):
                out[name] = str(value)  # Slack reads JSON numbers for string arguments
                continue
            if from_json and name == "profile" and isinstance(value, dict):
                continue  # user_profile subtype: an object in JSON bodies
            problems.append(f"[ERROR] expected a string [json-pointer:/{name}]")
    return out, problems
