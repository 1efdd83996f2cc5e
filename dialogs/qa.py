"""Q&A with feedback: answer from the knowledge base and store the answer so Helpful
yes/no can be recorded against it (one path for every surface).

Temporary composition over the existing knowledge/qa modules; the floors change moves the
database parts into storage/ behind these same signatures.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine

from dialogs.replies import AnswerReply
from storage.db import session_scope


def answer(engine: Engine, *, workspace: str, user_ref: str, question: str,
           only_if_confident: bool = False) -> AnswerReply | None:
    """The answer card for `question` (None: not confident enough to speak unasked)."""
    from knowledge.qa import ask
    from knowledge.qa.feedback import recorded_reply

    result = ask(question, engine=engine)
    if only_if_confident and not result.answered:
        return None
    return recorded_reply(engine, workspace=workspace, user_ref=user_ref, question=question,
                          result=result)


def answer_entry(engine: Engine, *, workspace: str, user_ref: str, entry_id: str) -> AnswerReply:
    """The answer card for a pressed "Did you mean…?" suggestion, stored for feedback."""
    from knowledge.qa.ask import answer_entry as entry_result
    from knowledge.qa.feedback import entry_question, recorded_reply

    result = entry_result(entry_id, engine=engine)
    return recorded_reply(engine, workspace=workspace, user_ref=user_ref,
                          question=entry_question(result, entry_id), result=result)


def vote(engine: Engine, *, workspace: str, user_ref: str, feedback_id: int,
         helpful: bool) -> bool:
    from knowledge.qa.feedback import record_vote

    with session_scope(engine) as session:
        return record_vote(session, feedback_id, helpful=helpful, voted_by=user_ref,
                           workspace=workspace)
