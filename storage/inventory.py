"""Repository functions for the inventory tables. Each takes a Session; the caller commits.

Imports write in bulk (ORM bulk INSERT / UPDATE by primary key) because a real estate has
tens of thousands of identities and the server must keep answering while they load.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, update
from sqlmodel import Session, col, select

from storage.clock import as_utc
from storage.inventory_models import NhiIdentity, NhiTaskLink
from storage.models import Task, TaskEvent, UserProfile

ACTIVE = ("open", "snoozed")
#: Identity columns an import writes (everything but the id and bookkeeping set here).
FIELDS = ("platform", "native_key", "name", "type", "owner", "environment", "created",
          "last_rotated", "last_used", "expires", "privileges", "used_by_humans",
          "shared_with", "has_secret", "source_format", "gaps")


def existing_by_keys(
    session: Session, workspace: str, keys: Iterable[str],
) -> dict[tuple[str, str], dict[str, Any]]:
    """(platform, native_key) -> stored row (as a dict with ``id``) for the keys given."""
    wanted = sorted(set(keys))
    found: dict[tuple[str, str], dict[str, Any]] = {}
    columns = [col(NhiIdentity.id)] + [getattr(NhiIdentity, f) for f in FIELDS]
    for start in range(0, len(wanted), 500):
        batch = wanted[start:start + 500]
        query = select(*columns).where(NhiIdentity.workspace == workspace,
                                       col(NhiIdentity.native_key).in_(batch))
        for row in session.exec(query).all():
            data = dict(zip(("id", *FIELDS), row, strict=True))
            found[(data["platform"], data["native_key"])] = data
    return found


def insert_identities(session: Session, workspace: str, rows: Sequence[dict[str, Any]], *,
                      actor: str, now: datetime) -> None:
    if not rows:
        return
    now = as_utc(now)
    stamped = [{**r, "workspace": workspace, "imported_by": actor, "evaluated_at": now,
                "first_seen_at": now, "last_seen_at": now} for r in rows]
    session.execute(insert(NhiIdentity), stamped)


def update_identities(session: Session, rows: Sequence[dict[str, Any]], *, actor: str,
                      now: datetime) -> None:
    """Rows carry ``id`` plus the fields to write."""
    if not rows:
        return
    now = as_utc(now)
    session.execute(update(NhiIdentity), [{**r, "imported_by": actor, "evaluated_at": now,
                                           "last_seen_at": now} for r in rows])


def iter_identities(session: Session, workspace: str, *,
                    batch: int = 2000) -> Iterator[NhiIdentity]:
    """Every identity of the workspace in a stable order (platform, key), streamed."""
    last: tuple[str, str] | None = None
    while True:
        query = select(NhiIdentity).where(NhiIdentity.workspace == workspace)
        if last is not None:  # keyset pagination: constant memory, no long-lived cursor
            query = query.where(
                (col(NhiIdentity.platform) > last[0])
                | ((col(NhiIdentity.platform) == last[0])
                   & (col(NhiIdentity.native_key) > last[1])))
        query = query.order_by(col(NhiIdentity.platform), col(NhiIdentity.native_key)).limit(batch)
        rows = list(session.exec(query).all())
        if not rows:
            return
        for row in rows:
            session.expunge(row)
            yield row
        last = (rows[-1].platform, rows[-1].native_key)


def count_identities(session: Session, workspace: str) -> int:
    from sqlalchemy import func

    query = select(func.count()).select_from(NhiIdentity).where(NhiIdentity.workspace == workspace)
    return int(session.exec(query).one())


def refs_by_email(session: Session, emails: Iterable[str]) -> dict[str, str]:
    """lower-case email -> chat user ref, for owners an export names by email."""
    wanted = sorted({e.lower() for e in emails})
    found: dict[str, str] = {}
    for start in range(0, len(wanted), 500):
        query = select(UserProfile.ref, UserProfile.email).where(
            col(UserProfile.email).in_(wanted[start:start + 500]))
        for ref, email in session.exec(query).all():
            if email and not ref.startswith("email:"):
                found.setdefault(email.lower(), ref)
    return found


def links(session: Session, workspace: str, *, active_only: bool = True,
          ) -> list[tuple[NhiTaskLink, Task]]:
    """Task links of an inventory with their tasks, oldest first."""
    query = select(NhiTaskLink, Task).where(NhiTaskLink.workspace == workspace,
                                            NhiTaskLink.task_id == Task.id)
    if active_only:
        query = query.where(col(Task.status).in_(ACTIVE))
    return [(link, task) for link, task in
            session.exec(query.order_by(col(NhiTaskLink.id))).all()]


def add_link(session: Session, *, workspace: str, owner: str, gap_kind: str, task_id: int,
             identities: list[str], now: datetime) -> NhiTaskLink:
    link = NhiTaskLink(workspace=workspace, owner=owner, gap_kind=gap_kind, task_id=task_id,
                       identities=identities, updated_at=as_utc(now))
    session.add(link)
    return link


def relist_task(
    session: Session, link: NhiTaskLink, task: Task, *, identities: list[str], title: str,
    why: str, actor: str, now: datetime,
) -> None:
    """Replace the identities an open task lists; the change goes into the task's history."""
    now = as_utc(now)
    before, after = set(link.identities), set(identities)
    added, removed = sorted(after - before), sorted(before - after)
    link.identities = identities
    link.updated_at = now
    task.title = title[:500]
    task.why = why
    task.updated_at = now
    session.add(link)
    session.add(task)
    assert task.id is not None
    session.add(TaskEvent(task_id=task.id, at=now, actor=actor, source="import",
                          action="updated", detail={
                              "identities": len(identities), "added_count": len(added),
                              "removed_count": len(removed), "added": added[:20],
                              "removed": removed[:20]}))


def note_task(session: Session, task_id: int, *, action: str, actor: str, now: datetime,
              detail: dict[str, Any]) -> None:
    """An inventory-specific entry in a task's history (what the import listed or resolved)."""
    session.add(TaskEvent(task_id=task_id, at=as_utc(now), actor=actor, source="import",
                          action=action, detail=detail))
