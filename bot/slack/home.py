"""The App Home tab: my open tasks (with buttons), my last assessment, a Start button.

Re-published on `app_home_opened` and after a task button pressed on the Home tab itself,
so what a user sees there is never older than their last action.
"""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack import tasks
from bot.slack.assessments import last_card
from bot.slack.delivery import call
from bot.slack.deps import SlackDeps

log = logging.getLogger(__name__)


async def publish_home(client: AsyncWebClient, deps: SlackDeps, team_id: str,
                       user_id: str) -> None:
    from bot.cards import render_slack_home

    user_tasks = await tasks.open_tasks(deps.engine, team_id, user_id)
    last = await asyncio.to_thread(last_card, deps.engine, team_id, user_id)
    view = render_slack_home(user_tasks, last)
    await call(client, "views.publish", user_id=user_id, view=view)
