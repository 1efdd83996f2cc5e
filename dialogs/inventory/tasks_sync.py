"""Keep one open task per owner per gap kind, listing exactly the identities with that gap.

Runs after an import over the whole inventory of the workspace (not just the file), so
importing the GCP export does not close the tasks the AWS export opened. A group with no
open task gets one (`dialogs.task_ops.create_tasks`, all of them in two statements); an open
task whose list changed is updated; an open task whose group is now empty is closed
(`dialogs.task_ops.mark_done`). Every step is written to the task's history with source
``import`` (``scheduler`` when the daily re-evaluation runs it: `dialogs.inventory.reevaluate`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from dialogs.inventory.owners import email_of, task_owner, workspace_of
from dialogs.reminders import NudgeSettings
from dialogs.task_ops import NewTask, create_tasks, mark_done
from knowledge.inventory.rules import GapRules
from storage.inventory import (
    OpenLink,
    add_links,
    gap_rows,
    links_by_id,
    note_task,
    note_tasks,
    refs_by_email,
    relist_task,
)
from storage.inventory import open_links as open_links_of

LISTED = 25  # identities named in a task's text; the full list is in the link and the pack


@dataclass
class SyncResult:
    created: int = 0
    updated: int = 0
    closed: int = 0


def _why(rules: GapRules, kind: str, identities: list[str]) -> tuple[str, str]:
    title, why = rules.texts(kind, len(identities))
    shown = ", ".join(identities[:LISTED])
    more = f" and {len(identities) - LISTED} more" if len(identities) > LISTED else ""
    return title, f"{why}\n\nIdentities ({len(identities)}): {shown}{more}."


def _groups(session: Session, workspace: str, importer: str) -> dict[tuple[str, str], list[str]]:
    owners: set[str] = set()
    rows: list[tuple[str, str | None, tuple[str, ...]]] = []
    for platform, name, owner, gaps in gap_rows(session, workspace):
        rows.append((f"{platform}:{name}", owner, gaps))
        if owner:
            owners.add(owner)
    by_email = refs_by_email(session, [e for o in owners if (e := email_of(o))])
    refs = {o: task_owner(o, importer, by_email) for o in {*owners, None}}  # once per owner
    groups: dict[tuple[str, str], list[str]] = {}
    for label, owner, gaps in rows:
        ref = refs[owner or None]
        for kind in gaps:
            groups.setdefault((ref, kind), []).append(label)
    for labels in groups.values():
        labels.sort()
    return groups


def sync_tasks(session: Session, *, workspace: str, importer: str, rules: GapRules,
               now: datetime, actor: str | None = None, source: str = "import") -> SyncResult:
    """`importer` owns the unowned identities' tasks and creates new tasks; `actor` and
    `source` are what the history records (the importer and ``import`` after an import;
    ``idgov`` and ``scheduler`` after a scheduled re-evaluation)."""
    actor = actor or importer
    result = SyncResult()
    settings = NudgeSettings()  # read once: building it per task cost more than the task
    groups = _groups(session, workspace, importer)
    new_tasks: list[NewTask] = []
    new_groups: list[tuple[str, str, list[str]]] = []
    # compared as plain rows; only the links that change are loaded as objects
    open_links = {(link.owner, link.gap_kind): link for link in open_links_of(session, workspace)}
    relists: list[tuple[OpenLink, list[str]]] = []
    for (owner, kind), identities in sorted(groups.items()):
        if (owner, kind) in open_links:
            row = open_links.pop((owner, kind))
            if row.identities != identities:
                relists.append((row, identities))
            continue
        title, why = _why(rules, kind, identities)
        rule = rules.gaps[kind]
        new_tasks.append(NewTask(
            workspace=workspace_of(owner, workspace), kind=rule.task_kind, title=title,
            owner=owner, created_by=importer, due=now.date() + timedelta(days=rule.due_days),
            why=why, controls=rule.control_ids(), priority=rule.priority))
        new_groups.append((owner, kind, identities))
    loaded = links_by_id(session, [row.id for row, _ in relists]
                         + [row.id for row in open_links.values()])
    for row, identities in relists:  # in group order, as they were compared
        link, task = loaded[row.id]
        title, why = _why(rules, row.gap_kind, identities)
        relist_task(session, link, task, identities=identities, title=title, why=why,
                    actor=actor, now=now, source=source)
        result.updated += 1
    # new tasks, their links and history notes in bulk: one ORM flush per task was most of
    # a large import's task sync (issue 13)
    session.flush()  # the relisted tasks first, as before
    ids = create_tasks(session, new_tasks, source=source, now=now, settings=settings)
    new_links: list[dict[str, object]] = []
    notes: list[tuple[int, str, dict[str, object]]] = []
    for task_id, (owner, kind, identities) in zip(ids, new_groups, strict=True):
        new_links.append({"owner": owner, "gap_kind": kind, "task_id": task_id,
                          "identities": identities})
        notes.append((task_id, "listed", {"gap_kind": kind, "inventory": workspace,
                                          "identities": len(identities),
                                          "first": identities[:20]}))
    result.created = len(ids)
    add_links(session, new_links, workspace=workspace, now=now)
    note_tasks(session, notes, actor=actor, now=now, source=source)
    for row in open_links.values():  # groups that are now empty: their gaps are gone
        link, task = loaded[row.id]
        assert task.id is not None
        mark_done(session, task.id, actor=actor, source=source, now=now)
        note_task(session, task.id, action="resolved", actor=actor, now=now, source=source,
                  detail={"gap_kind": link.gap_kind, "reason": "no identity in the inventory "
                          "has this gap any more", "previously": len(link.identities)})
        link.identities = []
        link.updated_at = now
        session.add(link)
        result.closed += 1
    return result
