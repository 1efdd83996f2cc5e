"""``app_uninstalled`` and ``tokens_revoked``: forget the workspace's tokens, stop its nudges.

With OAuth installs, Bolt's own token-revocation listeners delete the installation and bot
token from slack_sdk's installation store (`AsyncTokenRevocationListeners`). For every mode
(one workspace too) the workspace's nudge schedule and digests stop
(`storage.workspaces.stop_workspace`), with one history entry per stopped task, and the
removal is logged. A ``tokens_revoked`` that names only user tokens changes nothing we keep
(the install is bot-only), so it stops nothing.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.listener.async_builtins import AsyncTokenRevocationListeners

from bot.logsafe import safe
from bot.slack.deps import SlackDeps
from dialogs.keys import workspace_ref
from storage.clock import utcnow
from storage.db import session_scope
from storage.workspaces import stop_workspace

log = logging.getLogger(__name__)


def _stop(deps: SlackDeps, team_id: str, reason: str) -> int:
    with session_scope(deps.engine) as session:
        return stop_workspace(session, "slack", workspace_ref("slack", team_id), reason=reason,
                              actor=f"slack:{team_id}", now=utcnow())


async def _forget(deps: SlackDeps, context: AsyncBoltContext, reason: str) -> None:
    team_id = str(context.team_id or context.enterprise_id or "")
    if not team_id:
        return
    stopped = await asyncio.to_thread(_stop, deps, team_id, reason)
    log.warning("slack: %s for team %s: tokens deleted, %d task(s) no longer nudged", reason,
                safe(team_id), stopped)


def register(app: AsyncApp, deps: SlackDeps) -> None:
    store = app.installation_store
    builtin = AsyncTokenRevocationListeners(store) if store is not None else None

    @app.event("app_uninstalled")
    async def uninstalled(ack: Any, context: AsyncBoltContext) -> None:
        await ack()
        if builtin is not None:
            await builtin.handle_app_uninstalled_events(context)
        await _forget(deps, context, "app uninstalled")

    @app.event("tokens_revoked")
    async def revoked(ack: Any, event: dict[str, Any], context: AsyncBoltContext) -> None:
        await ack()
        if builtin is not None:
            await builtin.handle_tokens_revoked_events(event, context)
        raw = event.get("tokens")
        tokens: dict[str, Any] = raw if isinstance(raw, dict) else {}
        if tokens.get("bot"):
            await _forget(deps, context, "bot token revoked")
