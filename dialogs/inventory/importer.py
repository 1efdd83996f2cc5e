"""Import one inventory file: parse, validate, merge, evaluate gaps, write in chunks.

Each chunk is its own transaction, so a 100,000-row import never holds the database (or the
SQLite write lock) for long and chat requests keep being answered in between. A row that
fails validation is reported by number and reason; the good rows are imported. The task
sync (`dialogs.inventory.tasks_sync`) runs after the last chunk, over the whole inventory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from dialogs.inventory.replies import ImportReport, RejectedRow
from knowledge.inventory.detect import parse_bytes
from knowledge.inventory.gaps import Coverage, evaluate
from knowledge.inventory.model import IdentityRecord, ParsedRow
from knowledge.inventory.rules import GapRules, load_rules
from storage.clock import as_utc, utcnow
from storage.db import session_scope
from storage.inventory import insert_identities, key_index, rows_by_id, update_identities

CHUNK = 1000
MAX_REJECTED = 1000  # rows listed in a report; the count beyond is summarised


def merge(stored: Mapping[str, Any] | None, new: IdentityRecord) -> IdentityRecord:
    """What the export says wins; what it leaves out keeps the stored value.

    So a GCP key listing after the account listing fills in rotation dates without wiping
    the owner, and re-importing a narrower export never erases what another one said.
    """
    if stored is None:
        return new
    out = IdentityRecord(platform=new.platform, name=new.name, type=new.type,
                         native_id=new.native_id)
    for field in ("owner", "environment", "created", "last_rotated", "last_used", "expires",
                  "used_by_humans", "has_secret"):
        value = getattr(new, field)
        setattr(out, field, value if value is not None else stored.get(field))
    for field in ("privileges", "shared_with"):
        value = getattr(new, field)
        setattr(out, field, list(value) if value else list(stored.get(field) or []))
    out.never_used = new.never_used and out.last_used is None
    for field in ("created", "last_rotated", "last_used", "expires"):
        value = getattr(out, field)
        if value is not None:
            setattr(out, field, as_utc(value))
    return out


def to_row(record: IdentityRecord, gaps: list[str], source_format: str) -> dict[str, Any]:
    return {"platform": record.platform, "native_key": record.key, "name": record.name,
            "type": record.type, "owner": record.owner, "environment": record.environment,
            "created": record.created, "last_rotated": record.last_rotated,
            "last_used": record.last_used, "expires": record.expires,
            "privileges": record.privileges, "used_by_humans": record.used_by_humans,
            "shared_with": record.shared_with, "has_secret": record.has_secret,
            "source_format": source_format, "gaps": gaps, "never_used": record.never_used}


def _chunks(rows: Iterator[ParsedRow], size: int) -> Iterator[list[ParsedRow]]:
    chunk: list[ParsedRow] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Run:
    def __init__(self, engine: Engine, *, workspace: str, actor: str, dry_run: bool,
                 rules: GapRules, now: datetime, fmt: str) -> None:
        self.engine, self.workspace, self.actor = engine, workspace, actor
        self.dry_run, self.rules, self.now, self.fmt = dry_run, rules, now, fmt
        self.report = ImportReport(format=fmt, dry_run=dry_run)
        self.coverage = Coverage(unused_days=rules.thresholds.unused_days)
        self.seen: dict[tuple[str, str], int] = {}
        with Session(engine) as session:
            self.index = key_index(session, workspace)
        self.rejected_total = 0

    def reject(self, row: int, error: str) -> None:
        self.rejected_total += 1
        if len(self.report.rejected) < MAX_REJECTED:
            self.report.rejected.append(RejectedRow(row=row, error=error))

    def chunk(self, rows: list[ParsedRow]) -> None:
        good: list[tuple[int, IdentityRecord]] = []
        for parsed in rows:
            if parsed.record is None and parsed.error is None:
                self.report.skipped += 1
                continue
            if parsed.record is None:
                self.reject(parsed.row, parsed.error or "refused")
                continue
            key = (parsed.record.platform, parsed.record.key)
            if key in self.seen:
                self.reject(parsed.row, f"duplicate of row {self.seen[key]} (same platform "
                            "and id or name)")
                continue
            self.seen[key] = parsed.row
            good.append((parsed.row, parsed.record))
        if not good:
            return
        if self.dry_run:
            with Session(self.engine) as session:
                self._apply(session, good)
                session.rollback()
        else:
            with session_scope(self.engine) as session:
                self._apply(session, good)

    def _apply(self, session: Session, good: list[tuple[int, IdentityRecord]]) -> None:
        ids = {k: i for _, r in good if (i := self.index.get(k := (r.platform, r.key)))}
        stored = rows_by_id(session, ids.values()) if ids else {}
        inserts: list[dict[str, Any]] = []
        updates: list[dict[str, Any]] = []
        for _, record in good:
            known = ids.get((record.platform, record.key))
            before = stored.get(known) if known is not None else None
            merged = merge(before, record)
            gaps = evaluate(merged, self.rules, self.now)
            self.coverage.add(merged, gaps, self.rules, self.now)
            row = to_row(merged, gaps, self.fmt)
            if before is None:
                inserts.append(row)
            else:
                updates.append({"id": known, **row})
        self.report.imported += len(inserts)
        self.report.updated += len(updates)
        if not self.dry_run:
            insert_identities(session, self.workspace, inserts, actor=self.actor, now=self.now)
            update_identities(session, updates, actor=self.actor, now=self.now, stored=stored)


def import_rows(
    engine: Engine, data: bytes, filename: str, *, workspace: str, actor: str,
    dry_run: bool = False, rules: GapRules | None = None, now: datetime | None = None,
    chunk_size: int = CHUNK,
) -> ImportReport:
    """Parse and store the identities of one file (no task sync). InventoryFileError if the
    file as a whole is refused (nothing is written then)."""
    parsed = parse_bytes(data, filename)
    run = _Run(engine, workspace=workspace, actor=actor, dry_run=dry_run,
               rules=rules or load_rules(), now=as_utc(now or utcnow()), fmt=parsed.format)
    for rows in _chunks(parsed.rows, chunk_size):
        run.chunk(rows)
    if run.rejected_total > len(run.report.rejected):
        run.report.rejected.append(RejectedRow(
            row=0, error=f"{run.rejected_total - len(run.report.rejected)} more rows refused"))
    run.report.gaps = dict(run.coverage.gaps)
    run.report.coverage = run.coverage.as_dict()
    return run.report
