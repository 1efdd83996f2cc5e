"""`idgov tasks list|add|import|history|done|snooze|reassign|na|cancel` from a shell.

Everything goes through `dialogs.task_ops`, so a change made here is recorded in the task history
exactly like a button press in Slack or Teams (source ``cli``, actor ``--actor`` or ``$USER``).
"""

from __future__ import annotations

import argparse
import csv
import getpass
import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from bot.cli.errors import CliError, OneLineParser
from dialogs.task_ops import (
    PRIORITIES,
    STATUSES,
    TASK_KINDS,
    TaskError,
    cancel,
    create_task,
    get_task,
    history,
    list_tasks,
    mark_done,
    mark_not_applicable,
    parse_owner_ref,
    reassign,
    snooze,
)
from storage.clock import utcnow
from storage.db import get_engine, session_scope
from storage.models import Task

CLI_WORKSPACE = "cli:local"
CSV_REQUIRED = ("kind", "title", "owner", "due")
CSV_OPTIONAL = ("why",)


def parse_due(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CliError(f"due date {text!r} is not a date in the form YYYY-MM-DD") from None


def _actor(args: argparse.Namespace) -> str:
    name = args.actor or os.environ.get("USER") or getpass.getuser() or "unknown"
    return name if ":" in name else f"cli:local:{name}"


def _as_row(task: Task) -> dict[str, Any]:
    return {"id": task.id, "owner": task.owner, "kind": task.kind, "title": task.title,
            "due": task.due.isoformat(), "status": task.status, "priority": task.priority,
            "workspace": task.workspace, "recurrence_days": task.recurrence_days,
            "status_reason": task.status_reason, "unreachable_note": task.unreachable_note,
            "delivery_problem": task.last_error}


def cmd_list(args: argparse.Namespace) -> int:
    if args.owner:
        parse_owner_ref(args.owner)
    with session_scope(get_engine()) as session:
        rows = [_as_row(t) for t in list_tasks(session, workspace=args.workspace,
                                               owner=args.owner, status=args.status)]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return 0
    if not rows:
        print("No tasks.")
        return 0
    for r in rows:
        print(f"#{r['id']:<5} {r['status']:<15} due {r['due']}  {r['kind']:<16} "
              f"{r['owner']:<30} {r['title']}")
        if r["delivery_problem"]:  # the last reminder did not reach anyone: say why
            print(f"       last reminder not delivered: {r['delivery_problem']}")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    with session_scope(get_engine()) as session:
        task = create_task(
            session, workspace=args.workspace or CLI_WORKSPACE, kind=args.kind, title=args.title,
            owner=args.owner, created_by=_actor(args), due=parse_due(args.due), why=args.why,
            priority=args.priority, recurrence_days=args.every, channel_ref=args.channel,
            source="cli", now=utcnow(),
        )
    print(f"Added task #{task.id}: {task.title} (owner {task.owner}, due {task.due})")
    return 0


def _read_csv(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.DictReader(fh)
            header = [h.strip() for h in reader.fieldnames or []]
            missing = [c for c in CSV_REQUIRED if c not in header]
            if missing:
                raise CliError(f"{path}: missing column(s) {', '.join(missing)}; "
                               f"expected {','.join(CSV_REQUIRED)}[,why]")
            return [{(k or "").strip(): (v or "").strip() for k, v in row.items()}
                    for row in reader]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise CliError(f"cannot read {path}: {exc}") from None


def cmd_import(args: argparse.Namespace) -> int:
    rows = _read_csv(Path(args.file))
    if not rows:
        raise CliError(f"{args.file}: no rows to import")
    errors: list[str] = []
    imported: list[int] = []
    actor, now = _actor(args), utcnow()
    with session_scope(get_engine()) as session:
        for number, row in enumerate(rows, start=2):  # row 1 is the header
            try:  # create_task validates before it writes, so a bad row leaves nothing behind
                task = create_task(
                    session, workspace=args.workspace or CLI_WORKSPACE, kind=row["kind"],
                    title=row["title"], owner=row["owner"], created_by=actor,
                    due=parse_due(row["due"]), why=row.get("why", ""), source="import", now=now)
                imported.append(int(task.id or 0))
            except (TaskError, CliError) as exc:
                errors.append(f"row {number}: {exc}")
        if errors and args.all_or_nothing:
            session.rollback()
            imported = []
    for line in errors:
        print(f"idgov: {line}", file=sys.stderr)
    if errors and args.all_or_nothing:
        raise CliError(f"{len(errors)} bad row(s); nothing imported (--all-or-nothing)")
    print(f"Imported {len(imported)} task(s); {len(errors)} bad row(s) skipped.")
    return 2 if errors else 0


def _change(args: argparse.Namespace) -> int:
    with session_scope(get_engine()) as session:
        common: dict[str, Any] = {"actor": _actor(args), "source": "cli", "now": utcnow(),
                                  "workspace": args.workspace}
        if args.action == "done":
            task = mark_done(session, args.id, **common)
        elif args.action == "snooze":
            task = snooze(session, args.id, days=args.days, **common)
        elif args.action == "reassign":
            task = reassign(session, args.id, new_owner=args.owner, **common)
        elif args.action == "na":
            task = mark_not_applicable(session, args.id, reason=args.reason, **common)
        else:
            task = cancel(session, args.id, reason=args.reason, **common)
    print(f"Task #{task.id} is now {task.status.replace('_', ' ')}"
          + (f", owner {task.owner}" if args.action == "reassign" else "")
          + (f", until {task.snoozed_until:%Y-%m-%d %H:%M} UTC" if task.snoozed_until else ""))
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    """The task's audit trail: every change with who, when and from where (evidence)."""
    with session_scope(get_engine()) as session:
        task = get_task(session, args.id, workspace=args.workspace)
        events: list[dict[str, Any]] = [
            {"at": e.at.isoformat(), "actor": e.actor, "source": e.source,
             "action": e.action, "detail": e.detail}
            for e in history(session, args.id)
        ]
    if args.format == "json":
        print(json.dumps({"task": _as_row(task), "history": events}, indent=2))
        return 0
    print(f"#{task.id} {task.title} ({task.kind}, {task.status}, owner {task.owner})")
    for e in events:
        detail = ", ".join(f"{k}={v}" for k, v in sorted(e["detail"].items()))
        print(f"  {e['at']}  {e['action']:<15} by {e['actor']} via {e['source']}"
              + (f"  [{detail}]" if detail else ""))
    return 0


def _guard(func: Any) -> Any:
    """TaskError (bad owner, unknown id, closed task) -> CliError: one line, exit 2."""
    def run(args: argparse.Namespace) -> int:
        try:
            return int(func(args))
        except TaskError as exc:
            raise CliError(str(exc)) from None
    return run


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser("tasks", help="list, add, import and update follow-up tasks")
    sub = parser.add_subparsers(dest="tasks_command", metavar="ACTION", required=True,
                                parser_class=OneLineParser)
    common = OneLineParser(add_help=False)
    common.add_argument("--workspace", help="workspace (default: all for list, cli:local else)")
    common.add_argument("--actor", help="who is making the change (default: $USER)")

    p = sub.add_parser("list", parents=[common], help="stored tasks")
    p.add_argument("--owner", help="owner ref, e.g. slack:T123:U456")
    p.add_argument("--status", choices=STATUSES)
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_guard(cmd_list))

    p = sub.add_parser("add", parents=[common], help="add one task")
    p.add_argument("--kind", required=True, choices=TASK_KINDS)
    p.add_argument("--title", required=True)
    p.add_argument("--owner", required=True, help="slack:TEAM:USER | teams:TENANT:USER | "
                                                  "email:ADDRESS | cli:local:NAME")
    p.add_argument("--due", required=True, help="YYYY-MM-DD")
    p.add_argument("--why", default="")
    p.add_argument("--priority", choices=PRIORITIES, default="medium")
    p.add_argument("--every", type=_positive, metavar="DAYS", help="recurs every DAYS days")
    p.add_argument("--channel", help="escalation channel ref, e.g. slack:T123:#C456")
    p.set_defaults(func=_guard(cmd_add))

    p = sub.add_parser("import", parents=[common], help="import tasks from CSV "
                       "(kind,title,owner,due[,why])")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--all-or-nothing", action="store_true",
                   help="import nothing if any row is bad (default: import the good rows)")
    p.set_defaults(func=_guard(cmd_import))

    p = sub.add_parser("history", parents=[common],
                       help="audit trail of one task: who changed what, when, from where")
    p.add_argument("id", type=_positive, metavar="ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.set_defaults(func=_guard(cmd_history))

    for action, help_text in (("done", "mark done (recurring tasks get their next occurrence)"),
                              ("snooze", "no reminders for N days"),
                              ("reassign", "give the task to someone else"),
                              ("na", "not applicable, with a reason"),
                              ("cancel", "cancel the task")):
        p = sub.add_parser(action, parents=[common], help=help_text)
        p.add_argument("id", type=_positive, metavar="ID")
        if action == "snooze":
            p.add_argument("--days", type=_positive, required=True)
        if action == "reassign":
            p.add_argument("--owner", required=True)
        if action == "na":
            p.add_argument("--reason", required=True)
        if action == "cancel":
            p.add_argument("--reason")
        p.set_defaults(func=_guard(_change), action=action)
