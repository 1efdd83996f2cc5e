"""The pack's assessment section: the latest stored assessment, in one function.

Kept apart so the `idgov report` renderer can replace it: `latest_assessment` returns plain
data (answers, recommendation, rationale with its sources) that both the HTML and the
Markdown pages render.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from storage.models import Assessment


class RationaleLine(BaseModel):
    text: str
    sources: list[str] = Field(default_factory=list)  # source titles


class AssessmentSection(BaseModel):
    id: int
    created_at: str
    by: str
    recommendation: str
    label: str
    confidence: str
    summary: str
    answers: list[tuple[str, str]]
    rationale: list[RationaleLine]
    sources: list[tuple[str, str]]  # (title, url)


def latest_assessment(session: Session, workspaces: list[str]) -> AssessmentSection | None:
    query = (select(Assessment).where(col(Assessment.workspace).in_(workspaces))
             .order_by(col(Assessment.created_at).desc(), col(Assessment.id).desc()).limit(1))
    row = session.exec(query).first()
    if row is None or row.id is None:
        return None
    result: dict[str, Any] = dict(row.result or {})
    titles = {s.get("id"): s.get("title", "") for s in result.get("sources") or []
              if isinstance(s, dict)}
    return AssessmentSection(
        id=row.id, created_at=row.created_at.isoformat(), by=row.user_ref,
        recommendation=row.recommendation,
        label=str(result.get("recommendation_label") or row.recommendation),
        confidence=row.confidence, summary=str(result.get("summary") or ""),
        answers=sorted((str(k), str(v)) for k, v in (row.answers or {}).items()),
        rationale=[RationaleLine(text=str(r.get("text", "")),
                                 sources=[titles.get(s) or s for s in r.get("source_ids") or []])
                   for r in result.get("rationale") or [] if isinstance(r, dict)],
        sources=sorted((str(s.get("title", "")), str(s.get("url", "")))
                       for s in result.get("sources") or [] if isinstance(s, dict)),
    )
