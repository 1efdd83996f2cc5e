"""Files offered to a Teams user, waiting for their consent (`TeamsFileOffer`).

An offer is answered once: `claim` deletes the row in the same statement that reads it, so
two replicas receiving the same accept (Teams retries) cannot both upload, and a declined or
expired offer leaves no copy of the file behind: expired offers are purged by every save and
claim and by the scheduler's daily housekeeping (`purge_expired`).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from sqlalchemy import delete
from sqlalchemy.engine import Engine

from storage.clock import as_utc, utcnow
from storage.db import session_scope
from storage.teams_models import TeamsFileOffer

#: Teams asks the user to accept within the card's lifetime; a day is plenty.
OFFER_TTL: Final = timedelta(days=1)
#: A consent-card upload is one PUT of the whole file; packs are far smaller than this.
MAX_OFFER_BYTES: Final = 20 * 1024 * 1024

_TABLE = TeamsFileOffer.__table__  # type: ignore[attr-defined]


class OfferTooLarge(ValueError):
    """The file is larger than `MAX_OFFER_BYTES`."""


@dataclass(frozen=True)
class Offer:
    name: str
    data: bytes


def save(engine: Engine, *, workspace: str, user_ref: str, name: str, data: bytes,
         now: datetime | None = None) -> str:
    """Keep `data` for `user_ref` and return the offer id to put in the consent card. The
    user's earlier offers go (only the newest card can be accepted), as do expired ones."""
    if len(data) > MAX_OFFER_BYTES:
        raise OfferTooLarge(f"the file is {len(data):,} bytes; at most {MAX_OFFER_BYTES:,} "
                            "can be offered in Teams")
    at = now or utcnow()
    offer_id = secrets.token_urlsafe(24)
    with session_scope(engine) as session:
        session.execute(delete(_TABLE).where(
            (_TABLE.c.expires_at < at) | (_TABLE.c.user_ref == user_ref)))
        session.add(TeamsFileOffer(id=offer_id, workspace=workspace, user_ref=user_ref,
                                   name=name, data=data, created_at=at,
                                   expires_at=at + OFFER_TTL))
    return offer_id


def claim(engine: Engine, offer_id: str, user_ref: str, now: datetime | None = None
          ) -> Offer | None:
    """The offer for this user, deleted in the statement that reads it (``DELETE ...
    RETURNING``: of two replicas answering the same accept, one gets it); None when it is
    unknown, answered, expired, or someone else's (their accept must not upload another
    admin's pack). Expired offers of anyone are removed on the way."""
    at = now or utcnow()
    with session_scope(engine) as session:
        row = session.execute(
            delete(_TABLE).where(_TABLE.c.id == offer_id, _TABLE.c.user_ref == user_ref)
            .returning(_TABLE.c.name, _TABLE.c.data, _TABLE.c.expires_at)).first()
        session.execute(delete(_TABLE).where(_TABLE.c.expires_at < at))
    if row is None or as_utc(row.expires_at) < at:
        return None
    return Offer(name=row.name, data=bytes(row.data))


def purge_expired(engine: Engine, now: datetime | None = None) -> int:
    """Delete offers nobody answered in time (the scheduler calls this); how many went."""
    with session_scope(engine) as session:
        gone = session.connection().execute(
            delete(_TABLE).where(_TABLE.c.expires_at < (now or utcnow()))).rowcount
    return int(gone or 0)
