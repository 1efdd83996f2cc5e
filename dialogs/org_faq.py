"""`idgov kb add|list|check` put together: knowledge parses and validates, storage keeps rows.

A page's entries are stored in one transaction, so a file that clashes changes nothing; the
Q&A cache of this process is told at once (`dialogs.qa.forget_org_fingerprint`).
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.engine import Engine

from dialogs.qa import forget_org_fingerprint
from knowledge.qa import check
from knowledge.qa.loader import org_record
from knowledge.qa.orgfaq import Page, check_not_shipped, clash_error, parse_file, stored_data
from storage import org_knowledge
from storage.clock import utcnow
from storage.db import session_scope


def store(engine: Engine, page: Page, *, replace: bool = False) -> list[str]:
    """Insert a parsed page in one transaction; ids that clash are refused unless `replace`."""
    check_not_shipped(page)
    ids = [e.id for e in page.entries]
    with session_scope(engine) as session:
        existing = org_knowledge.with_ids(session, ids)
        if existing and not replace:
            raise clash_error(page, existing[0].id, existing[0].source_file)
        org_knowledge.replace(session, existing, [(e.id, stored_data(e)) for e in page.entries],
                              source_file=page.source_file, now=utcnow())
    forget_org_fingerprint(engine)  # this process's next question sees the new entries at once
    return ids


def add_file(
    engine: Engine, path: Path, *, source_url: str | None = None, replace: bool = False
) -> list[str]:
    """Parse, validate and store one FAQ file; returns the ids added."""
    return store(engine, parse_file(path, source_url=source_url), replace=replace)


def org_count(engine: Engine) -> int:
    with session_scope(engine) as session:
        return org_knowledge.count(session)


def check_all(engine: Engine | None) -> tuple[int, list[check.Problem]]:
    """`idgov kb check`: the shipped pack and (with a database) every stored organisation
    record, valid or not."""
    if engine is None:
        return check.check_all(None)
    with session_scope(engine) as session:
        records = [org_record(r.data, r.source_file) for r in org_knowledge.all_entries(session)]
    return check.check_all(records)
