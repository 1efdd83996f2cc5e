"""People in cards: a Slack mention, a Teams mention entity, or a display name; never an id.

Owner references are ``slack:T1:U1`` / ``teams:TENANT:OBJECT_ID`` / ``cli:local:ana``. Slack
renders ``<@U1>`` as the member's current name, so a Slack owner is always a mention. Teams
needs the name in the card text *and* a ``msteams.entities`` mention naming the user id, so a
Teams owner is a mention when we know their display name and otherwise a plain name; the raw
object id is never shown. `Mentions` collects a card's mentions while its template renders
and attaches them to the card afterwards.
"""

from __future__ import annotations

import re
from typing import Any

from bot.cards import escaping as esc
from dialogs.wording import person_name, ref_parts

_UNSAFE_NAME = re.compile(r"[<>\[\]*_`~\\#|\n\r\t]+")


def slack_person(ref: str | None, display: str | None = None, unknown: str = "a teammate") -> str:
    """mrkdwn naming a person: ``<@U1>`` for a Slack user, else the escaped name."""
    user = esc.slack_user_id(ref)
    if user:
        return f"<@{user}>"
    return esc.slack_clip(person_name(ref, display, unknown), 200)


def _clean(name: str) -> str:
    return _UNSAFE_NAME.sub(" ", name).strip()[:100].strip()


class Mentions:
    """The Teams mentions of one card; `person` is called from the templates."""

    def __init__(self) -> None:
        self.entities: list[dict[str, Any]] = []

    def person(self, ref: str | None, display: str | None = None,
               unknown: str = "a teammate") -> str:
        """Markdown naming a person: ``<at>Name</at>`` (recorded as a mention entity) for a
        Teams user whose display name we know, else the escaped name."""
        parts = ref_parts(ref)
        name = _clean(display or "") if display and display != ref else ""
        if parts and parts[0] == "teams" and name:
            text = f"<at>{name}</at>"
            if not any(e["text"] == text for e in self.entities):
                self.entities.append({"type": "mention", "text": text,
                                      "mentioned": {"id": parts[2], "name": name}})
            return text
        return esc.md_escape(person_name(ref, display, unknown))

    def attach(self, card: dict[str, Any]) -> None:
        """Put the recorded mentions into ``card["msteams"]["entities"]`` (Teams reads them
        there; other Adaptive Card hosts ignore the property)."""
        if self.entities:
            card.setdefault("msteams", {})["entities"] = list(self.entities)
