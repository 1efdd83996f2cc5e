"""Q&A with feedback: organisation entries from the database, knowledge's `ask`, the vote.

Knowledge answers from entries it is given and never opens a database; storage keeps the
rows; this module puts them together for every front end (Slack, Teams, the CLI), so the
feedback log is the same everywhere (docs/architecture.md, "floors").

Speed (docs/benchmarks.md, "qa"): the shipped index is built once per process
(`knowledge.qa.ask.shipped_base`); organisation entries are re-read, and the merged index
rebuilt, only when their fingerprint (row count, latest `added_at`) changes, and that
fingerprint itself is trusted for `FINGERPRINT_TTL` seconds.

SQLModel and the storage modules are imported inside the functions that open a session, not
at the top: `idgov ask` with no database configured (`engine is None`) never needs them, and
importing them is about a quarter of its cold start.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Final

from dialogs.replies import AnswerReply
from knowledge.qa.ask import KnowledgeBase, OrgEntries
from knowledge.qa.ask import answer_entry as kb_answer_entry
from knowledge.qa.ask import ask as kb_ask
from knowledge.qa.ask import knowledge_base as kb_knowledge_base
from knowledge.qa.loader import load_org, org_record
from knowledge.qa.models import AskResult

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

#: How long (seconds) a database's organisation-entry fingerprint is trusted before it is read
#: again. Reading it scans the table (about 3 ms at 10,000 entries, most of an `ask`); entries
#: stored by this process are seen at once (`forget_org_fingerprint`), entries added by another
#: process (`idgov kb add` beside a running bot) within this time.
FINGERPRINT_TTL: Final = 1.0

_fingerprints: dict[str, tuple[float, tuple[object, ...]]] = {}
_entries: dict[str, OrgEntries] = {}
_lock = threading.Lock()


def _key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def forget_org_fingerprint(engine: Engine) -> None:
    """Make the next question re-read the organisation entries' fingerprint (called after
    storing entries)."""
    with _lock:
        _fingerprints.pop(_key(engine), None)


def _current_fingerprint(engine: Engine, key: str) -> tuple[object, ...]:
    now = time.monotonic()
    with _lock:
        known = _fingerprints.get(key)
    if known is not None and now - known[0] < FINGERPRINT_TTL:
        return known[1]
    from sqlmodel import Session

    from storage import org_knowledge

    with Session(engine) as session:  # a read: nothing to commit
        fingerprint: tuple[object, ...] = org_knowledge.fingerprint(session)
    with _lock:
        _fingerprints[key] = (now, fingerprint)
    return fingerprint


def org_entries(engine: Engine | None) -> OrgEntries | None:
    """This database's valid organisation entries (None: no database or no entries), read
    again only when their fingerprint changed."""
    if engine is None:
        return None
    from sqlmodel import Session

    from storage import org_knowledge

    key = _key(engine)
    fingerprint = _current_fingerprint(engine, key)
    if fingerprint[0] == 0:
        return None
    with _lock:
        cached = _entries.get(key)
        if cached is not None and cached.fingerprint == fingerprint:
            return cached
        with Session(engine) as session:
            rows = org_knowledge.all_entries(session)
            records = [org_record(r.data, r.source_file) for r in rows]
        org = OrgEntries(key=key, fingerprint=fingerprint, items=tuple(load_org(records)))
        _entries[key] = org
        return org


def knowledge_base(engine: Engine | None) -> KnowledgeBase:
    """The base to search: shipped only, or shipped plus this database's organisation entries."""
    return kb_knowledge_base(org_entries(engine))


def ask_result(engine: Engine | None, question: str) -> AskResult:
    """Knowledge's answer (or refusal) with this database's organisation entries, unrecorded."""
    return kb_ask(question, org=org_entries(engine))


def entry_result(engine: Engine | None, entry_id: str) -> AskResult:
    """One entry's answer (a pressed suggestion), unrecorded; a polite refusal if unknown."""
    return kb_answer_entry(entry_id, org=org_entries(engine))


def to_reply(result: AskResult, question: str, feedback_id: int | None) -> AnswerReply:
    """The neutral reply the card templates render (sources plus feedback buttons)."""
    return AnswerReply(
        question=question,
        answered=result.answered,
        answer=result.answer,
        sources=list(result.sources),
        score=result.score,
        feedback_id=feedback_id,
        suggestions=list(result.suggestions),
    )


def recorded_reply(engine: Engine, *, workspace: str, user_ref: str, question: str,
                   result: AskResult) -> AnswerReply:
    """Store the answer shown (for the Helpful yes/no vote) and build its card."""
    from storage import feedback
    from storage.db import session_scope

    with session_scope(engine) as session:
        feedback_id = feedback.record_answer(session, workspace=workspace, user_ref=user_ref,
                                             question=question, result=result)
    return to_reply(result, question, feedback_id)


def entry_question(result: AskResult, entry_id: str) -> str:
    """The question a pressed suggestion stands for: the entry's own question."""
    return result.titles[0] if result.titles else entry_id


def answer(engine: Engine, *, workspace: str, user_ref: str, question: str,
           only_if_confident: bool = False) -> AnswerReply | None:
    """The recorded answer card for `question` (None: not confident enough to speak unasked)."""
    result = ask_result(engine, question)
    if only_if_confident and not result.answered:
        return None
    return recorded_reply(engine, workspace=workspace, user_ref=user_ref, question=question,
                          result=result)


def answer_entry(engine: Engine, *, workspace: str, user_ref: str, entry_id: str) -> AnswerReply:
    """The recorded answer card of a pressed "Did you mean…?" suggestion (so Helpful yes/no
    works on it like on any answer)."""
    result = entry_result(engine, entry_id)
    return recorded_reply(engine, workspace=workspace, user_ref=user_ref,
                          question=entry_question(result, entry_id), result=result)


def vote(engine: Engine, *, workspace: str, user_ref: str, feedback_id: int,
         helpful: bool) -> bool:
    """Record a Helpful yes/no vote; False when the answer is unknown in this workspace."""
    from storage import feedback
    from storage.db import session_scope

    with session_scope(engine) as session:
        return feedback.record_vote(session, feedback_id, helpful=helpful, voted_by=user_ref,
                                    workspace=workspace)
