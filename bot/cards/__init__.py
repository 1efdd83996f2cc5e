"""Cards: every neutral reply rendered for Slack (Block Kit), Teams (Adaptive Card 1.5) and text.

The Slack and Teams adapters call `render(reply, target)`; the Slack App Home uses
`render_slack_home`. Shapes live in Jinja2 templates under ``templates/``.
"""

from bot.cards.render import (
    Target,
    reassign_input_id,
    render,
    render_slack,
    render_slack_home,
    render_teams,
    render_text,
)

__all__ = [
    "Target",
    "reassign_input_id",
    "render",
    "render_slack",
    "render_slack_home",
    "render_teams",
    "render_text",
]
