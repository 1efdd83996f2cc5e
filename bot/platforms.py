"""Which chat platforms this process serves: one rule for `idgov serve` and the scheduler.

Its own module so that the server (which opens the endpoints) and the scheduler (which
builds a sender per platform) both import it without importing each other.
"""

from __future__ import annotations

import os

from bot.slack.settings import SlackSettings


def teams_wanted(slack: SlackSettings | None) -> bool:
    """Teams runs when configured, or alone for local development when Slack is not set.

    Alongside Slack without MICROSOFT_APP_ID it stays off: an unauthenticated endpoint
    would accept activities from anyone.
    """
    if os.environ.get("MICROSOFT_APP_ID"):
        return True
    return slack is None
