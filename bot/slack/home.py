"""The App Home tab: my open tasks (with buttons), my last assessment, a Start button.

Re-published on `app_home_opened` and after a task button pressed on the Home tab itself,
so what a user sees there is never older than their last action.
"""

from __future__ import annotations

import asyncio

from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.delivery import call
from bot.slack.deps import SlackDeps
from bot.slack.translate import actor
from dialogs import assessments
from dialogs import tasks as task_service


async def publish_home(client: AsyncWebClient, deps: SlackDeps, team_id: str,
                       user_id: str) -> None:
    from bot.cards import render_slack_home

    who = actor(team_id, user_id)
    user_tasks = await asyncio.to_thread(task_service.open_tasks, deps.engine, who)
    last = await asyncio.to_thread(assessments.last_card, deps.engine, who.workspace, who.ref)
    view = render_slack_home(user_tasks, last)
    await call(client, "views.publish", user_id=user_id, view=view)
