"""Per-channel settings: auto-answer (answer questions without a mention, when confident).

Who may change it is decided by the router (`dialogs.router`): the channel's creator or a
workspace admin, as the surface reports them.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dialogs.turn import Actor, Place
from storage.clock import utcnow
from storage.db import session_scope
from storage.models import ChannelSetting


def autoanswer_enabled(engine: Engine, place: Place) -> bool:
    with session_scope(engine) as session:
        row = session.get(ChannelSetting, (place.platform, _workspace(place), place.channel))
        return bool(row and row.autoanswer)


def set_autoanswer(engine: Engine, place: Place, on: bool, by: Actor) -> None:
    with session_scope(engine) as session:
        key = (place.platform, _workspace(place), place.channel)
        row = session.get(ChannelSetting, key)
        if row is None:
            row = ChannelSetting(platform=place.platform, workspace=key[1], channel=place.channel)
        row.autoanswer, row.updated_by, row.updated_at = on, by.ref, utcnow()
        session.add(row)


def _workspace(place: Place) -> str:
    return f"{place.platform}:{place.workspace_id}"
