"""A first look at an inbound Slack payload's shape, before Bolt dispatches it.

Bolt's middleware assumes the documented shape (``event`` is an object, ``actions`` a list
of objects...) and answers 500 when it is not, which tells Slack to retry a request that
can never succeed. Checking the few fields idgov and Bolt rely on lets the server answer
400 with one line instead.
"""

from __future__ import annotations

from typing import Any


def _is_str(body: dict[str, Any], key: str) -> bool:
    return isinstance(body.get(key), str) and bool(body[key])


def problem(body: Any) -> str | None:
    """None when the payload has the shape its type promises, else what is wrong."""
    if not isinstance(body, dict):
        return "payload must be a JSON object"
    kind = body.get("type")
    if kind is None and "command" in body:
        missing = [k for k in ("command", "team_id", "user_id", "channel_id")
                   if not _is_str(body, k)]
        return f"slash command without {missing[0]}" if missing else None
    if not isinstance(kind, str):  # before any set lookup: a list is unhashable
        return "payload without a type"
    if "event" in body and not isinstance(body["event"], dict):
        # Bolt's self-event filter reads body.get("event", {}).get(...) for every type, so a
        # present but null or scalar event fails inside Bolt (found by the fuzz test).
        return "event must be an object"
    if kind == "url_verification":
        return None if _is_str(body, "challenge") else "url_verification without challenge"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "event_callback without an event object"
        return None if _is_str(body, "team_id") else "event_callback without team_id"
    if kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions or not all(
            isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions
        ):
            return "block_actions without actions"
        user = body.get("user")
        if not isinstance(user, dict) or not isinstance(user.get("id"), str):
            return "block_actions without user"
        team = body.get("team")
        if not (isinstance(team, dict) and isinstance(team.get("id"), str)) and not isinstance(
            user.get("team_id"), str
        ):
            return "block_actions without team"
        return None
    if kind in {"view_submission", "view_closed"} and not isinstance(body.get("view"), dict):
        return f"{kind} without view"
    return None
