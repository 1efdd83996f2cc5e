"""`idgov data delete WORKSPACE --yes`: erase everything idgov keeps for one workspace.

For an organisation that asks for its data to be deleted (README "Data"): tasks and their
history, nudge deliveries, assessments, conversations, feedback, channel settings, stored
conversation references and user profiles of ``slack:T123`` or ``teams:TENANT``. Other
workspaces are untouched. Without ``--yes`` it only counts what would go.
"""

from __future__ import annotations

import argparse
from typing import Any

from bot.cli.errors import CliError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("data", help="delete one workspace's data on request")
    sub = parser.add_subparsers(dest="data_command", metavar="ACTION")
    sub.required = True
    delete = sub.add_parser("delete", help="delete every row of a workspace (slack:T123, "
                                           "teams:TENANT)")
    delete.add_argument("workspace")
    delete.add_argument("--yes", action="store_true", help="really delete (else: dry run)")
    delete.set_defaults(func=run_delete)


def run_delete(args: argparse.Namespace) -> int:
    from storage.db import get_engine, session_scope
    from storage.workspaces import delete_workspace

    engine = get_engine()
    with session_scope(engine) as session:
        try:
            counts = delete_workspace(session, str(args.workspace))
        except ValueError as exc:
            raise CliError(str(exc)) from exc
        if not args.yes:
            session.rollback()
    total = sum(counts.values())
    detail = ", ".join(f"{n} {table}" for table, n in counts.items() if n) or "nothing"
    verb = "deleted" if args.yes else "would delete (pass --yes)"
    print(f"{verb} {total} row(s) of {args.workspace}: {detail}")
    return 0
