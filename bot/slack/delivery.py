"""Neutral replies -> Slack messages: post, update in place, or whisper (ephemeral).

A question is posted and its ``ts`` recorded under (conversation key, step); when the
advisor later says that step was answered (by a button or by a typed reply), the same
message is updated to show the answer without buttons, so it cannot be pressed twice.
A failed Web API call is logged with its context (method, team, channel, Slack error) and
never raised into the listener: one lost message must not abort the rest of the turn.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine

from bot.metrics import count_api_error, observe_replies
from dialogs.engine import STALE_TEXT
from dialogs.keys import ConversationKey
from dialogs.replies import AnsweredReply, QuestionReply, Reply, TextReply
from dialogs.service import FOREIGN_BUTTON, NO_ASSESSMENT
from storage.clock import utcnow
from storage.slack_models import SlackQuestionMessage

log = logging.getLogger(__name__)

#: Advisor notes meant only for the person who pressed or typed (a stale button in a team
#: thread must not make noise for everyone).
PRIVATE_TEXTS = frozenset({STALE_TEXT, NO_ASSESSMENT, FOREIGN_BUTTON,
                           "There is no assessment in progress."})


def _private(reply: Reply) -> bool:
    return isinstance(reply, TextReply) and (reply.text in PRIVATE_TEXTS
                                             or reply.tone == "error")


def render(reply: Reply) -> dict[str, Any]:
    """Block Kit for one reply: ``{"text": fallback, "blocks": [...]}``."""
    from bot.cards import render as render_card

    return dict(render_card(reply, "slack"))


#: Read-style methods slack_sdk sends as GET query strings; sent as POST forms instead,
#: which Slack accepts for every method (and proxies and the test stand-in handle alike).
FORM_METHODS = frozenset({"conversations.info", "users.info", "conversations.open",
                          "conversations.history"})


async def call(client: AsyncWebClient, method: str, **kwargs: Any) -> dict[str, Any] | None:
    """One Web API call; errors are logged with context and turned into None."""
    args = {k: v for k, v in kwargs.items() if v is not None}
    try:
        if method in FORM_METHODS:
            response = await client.api_call(method, data=args)
        else:
            response = await getattr(client, method.replace(".", "_"))(**args)
    except SlackApiError as exc:
        count_api_error("slack", exc.response.status_code)
        data = exc.response.data
        error = data.get("error") if isinstance(data, dict) else f"HTTP {exc.response.status_code}"
        log.error("slack %s failed: %s (team=%s channel=%s)", method, error, _team(client),
                  kwargs.get("channel"))
        return None
    except Exception as exc:  # network errors after the retry handlers gave up
        count_api_error("slack", None)
        log.error("slack %s failed: %s: %s (team=%s channel=%s)", method, type(exc).__name__,
                  exc, _team(client), kwargs.get("channel"))
        return None
    return dict(response.data) if isinstance(response.data, dict) else None


def _team(client: AsyncWebClient) -> str | None:
    params = getattr(client, "default_params", None) or {}
    return params.get("team_id")


_TABLE: Table = SlackQuestionMessage.__table__  # type: ignore[attr-defined]


def _lookup(engine: Engine, key: ConversationKey, steps: Sequence[int]
            ) -> dict[int, tuple[str, str]]:
    """(channel, ts) of the recorded question messages for these steps: one plain read."""
    table = _TABLE
    with engine.connect() as conn:
        rows = conn.execute(
            select(table.c.step, table.c.channel, table.c.ts)
            .where(table.c.conversation_key == str(key), table.c.step.in_(list(steps)))
        ).all()
    return {int(step): (str(channel), str(ts)) for step, channel, ts in rows}


def _remember(engine: Engine, key: ConversationKey, posted: Sequence[tuple[int, str, str]]
              ) -> None:
    """Record (step, channel, ts) of the questions just posted: one upsert, one commit."""
    table = _TABLE
    insert = pg_insert if engine.dialect.name == "postgresql" else sqlite_insert
    now = utcnow()
    # PostgreSQL refuses one statement that upserts the same key twice: keep the last.
    latest = {step: (channel, ts) for step, channel, ts in posted}
    stmt = insert(table).values([
        {"conversation_key": str(key), "step": step, "workspace": f"slack:{key.workspace}",
         "channel": channel, "ts": ts, "created_at": now}
        for step, (channel, ts) in latest.items()])
    stmt = stmt.on_conflict_do_update(
        index_elements=[table.c.conversation_key, table.c.step],
        set_={"channel": stmt.excluded.channel, "ts": stmt.excluded.ts})
    with engine.begin() as conn:
        conn.execute(stmt)


async def send_replies(
    client: AsyncWebClient,
    engine: Engine,
    key: ConversationKey | None,
    channel: str,
    replies: Sequence[Reply],
    *,
    thread_ts: str | None = None,
    whisper_to: str | None = None,
) -> None:
    """Deliver replies in order. `whisper_to`: private notes go ephemeral to that user.

    The database is touched at most twice per call (issue 7: per-message transactions were
    a fifth of the server's time): one read for every answered step's message before
    sending, one upsert for every question posted after.
    """
    observe_replies("slack", replies)
    answered = [r.step for r in replies if isinstance(r, AnsweredReply)]
    found = (await asyncio.to_thread(_lookup, engine, key, answered)
             if answered and key is not None else {})
    posted: list[tuple[int, str, str]] = []
    for reply in replies:
        if isinstance(reply, AnsweredReply) and key is not None:
            where = found.get(reply.step)
            if where is None:
                log.warning("no question message recorded for %s step %s", key, reply.step)
                continue
            await call(client, "chat.update", channel=where[0], ts=where[1], **render(reply))
            continue
        body = render(reply)
        if whisper_to and _private(reply):
            await call(client, "chat.postEphemeral", channel=channel, user=whisper_to,
                       thread_ts=thread_ts, **body)
            continue
        if thread_ts:
            body["thread_ts"] = thread_ts
        sent = await call(client, "chat.postMessage", channel=channel, **body)
        if sent and isinstance(reply, QuestionReply) and key is not None:
            posted.append((reply.step, str(sent.get("channel") or channel), str(sent["ts"])))
    if posted and key is not None:
        await asyncio.to_thread(_remember, engine, key, posted)


async def whisper(client: AsyncWebClient, channel: str, user: str, text: str,
                  thread_ts: str | None = None) -> None:
    """A short ephemeral note to one user (stale button, permission refused, where it went)."""
    await call(client, "chat.postEphemeral", channel=channel, user=user, text=text,
               thread_ts=thread_ts)


async def open_dm(client: AsyncWebClient, user: str) -> str | None:
    opened = await call(client, "conversations.open", users=user)
    if not opened:
        return None
    return str(opened.get("channel", {}).get("id") or "") or None
