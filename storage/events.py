"""Process each inbound platform event once, across retries and replicas.

Slack re-sends an event when it did not see our 200 in time; Teams redelivers activities;
several replicas may receive copies. The first caller to insert ``(platform, event_id)``
into `ProcessedEvent` wins (primary key) and every later copy is dropped. Old ids are pruned
now and then, because platforms stop retrying within hours.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from storage.clock import utcnow
from storage.db import session_scope
from storage.models import ProcessedEvent

#: Neither Slack nor Teams retries after this long, so older ids cannot come back.
KEEP = timedelta(days=2)
PRUNE_EVERY = 500  # claims between two clean-ups of old ids, per process
MAX_ID = 255
_claims = itertools.count(1)


def claim_event(engine: Engine, platform: str, event_id: str) -> bool:
    """True for the first caller with this event id on this platform, False for the rest."""
    try:
        with session_scope(engine) as session:
            session.add(ProcessedEvent(platform=platform, event_id=event_id[:MAX_ID]))
    except IntegrityError:
        return False
    if next(_claims) % PRUNE_EVERY == 0:
        prune_events(engine)
    return True


def release_event(engine: Engine, platform: str, event_id: str) -> None:
    """Forget a claim whose processing failed, so the platform's redelivery is handled."""
    with session_scope(engine) as session:
        row = session.get(ProcessedEvent, (platform, event_id[:MAX_ID]))
        if row is not None:
            session.delete(row)


def prune_events(engine: Engine, now: datetime | None = None,
                 platform: str | None = None) -> int:
    """Delete ids older than `KEEP` (all platforms unless one is named); returns the count."""
    query = delete(ProcessedEvent).where(col(ProcessedEvent.received_at) < (now or utcnow()) - KEEP)
    if platform is not None:
        query = query.where(col(ProcessedEvent.platform) == platform)
    with session_scope(engine) as session:
        return int(session.connection().execute(query).rowcount or 0)
