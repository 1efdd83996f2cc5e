"""The organisation's own knowledge entries (`idgov kb add`) as rows: read, count, replace.

Repository functions: each takes the caller's ``Session`` and the caller owns the transaction
(docs/architecture.md, "floors"). Parsing and validating an entry is knowledge's job
(`knowledge.qa.orgfaq`); putting the two together is `dialogs.org_faq` and `dialogs.qa`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from storage.models import OrgKnowledgeEntry


def fingerprint(session: Session) -> tuple[int, str]:
    """(row count, latest `added_at`): changes whenever entries are added, replaced or removed
    (one aggregate query, so a cache can check it cheaply before re-reading every row)."""
    count, latest = session.exec(
        select(func.count(), func.max(OrgKnowledgeEntry.added_at))
    ).one()
    return (int(count), str(latest))


def all_entries(session: Session) -> list[OrgKnowledgeEntry]:
    """Every stored entry, ordered by id."""
    return list(session.exec(select(OrgKnowledgeEntry).order_by(col(OrgKnowledgeEntry.id))).all())


def with_ids(session: Session, ids: Sequence[str]) -> list[OrgKnowledgeEntry]:
    """The stored entries among `ids` (the ones an import would clash with)."""
    query = select(OrgKnowledgeEntry).where(col(OrgKnowledgeEntry.id).in_(list(ids)))
    return list(session.exec(query).all())


def replace(
    session: Session, old: Iterable[OrgKnowledgeEntry], new: Iterable[tuple[str, dict[str, Any]]],
    *, source_file: str, now: datetime,
) -> None:
    """Delete `old` rows, then insert `new` (id, entry data) from one imported file."""
    for row in old:
        session.delete(row)
    session.flush()
    for entry_id, data in new:
        session.add(OrgKnowledgeEntry(id=entry_id, data=data, source_file=source_file,
                                      added_at=now))


def count(session: Session) -> int:
    return len(session.exec(select(OrgKnowledgeEntry.id)).all())
