"""Example neutral replies covering every reply kind and the edges a renderer gets wrong.

Shared by tests/test_cards_*.py (and usable by the Slack and Teams adapter tests): long text,
mention and markup injection, quotes and newlines, no tasks and many tasks, 10+ choices,
refusals, every nudge stage.
"""

from __future__ import annotations

import types
import typing
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel

from dialogs.replies import (
    AnsweredReply,
    AnswerReply,
    Choice,
    ControlRow,
    GapCount,
    GapOffender,
    HelpCommand,
    HelpReply,
    ImportReport,
    InventorySummaryReply,
    NudgeReply,
    QuestionReply,
    Rationale,
    RecommendationReply,
    RejectedRow,
    Reply,
    ResumeOrRestartReply,
    Source,
    TaskChangedReply,
    TaskListReply,
    TaskOutcome,
    TaskSummary,
    TextReply,
)
from knowledge.schema import TASK_KINDS
from storage.clock import utcnow

EVIL = (
    'Hi <!channel> <@U123> <!here> & <https://evil.example|click> "}]}, {"type": "x"} '
    "*bold* _it_ [link](https://evil.example) <at>Bob</at>\nsecond line \\ end"
)
LONG = ("Identity evidence matters because auditors sample it. " * 120).strip()  # ~6500 chars
TODAY = utcnow().date()

SOURCES = [
    Source(
        id="iso27001-2022",
        title="ISO/IEC 27001:2022 Annex A",
        url="https://www.iso.org/standard/27001",
    ),
    Source(
        id="aicpa-tsc-2017",
        title="AICPA 2017 Trust Services Criteria (CC6)",
        label="AICPA TSC",
        url="https://www.aicpa-cima.com/resources/download/2017-trust-services-criteria-with-revised-points-of-focus-2022",
    ),
    Source(
        id="owasp-nhi-2025",
        title="OWASP Non-Human Identities Top 10 (2025)",
        url="https://owasp.org/www-project-non-human-identities-top-10/2025/",
    ),
    Source(id="odd", title='Title with | pipe & <angle> "quotes"', url="javascript:alert(1)"),
]


def task(i: int, **extra: object) -> TaskSummary:
    kinds = list(TASK_KINDS)
    fields: dict[str, object] = {
        "id": i,
        "kind": kinds[i % len(kinds)],
        "title": f"Task {i}: inventory every service account",
        "why": "Auditors sample machine identities; an unknown account is an unowned risk.",
        "priority": ["high", "medium", "low"][i % 3],
        "owner": f"slack:T1:U{1000 + i}",
        "owner_display": f"Owner {i}",
        "due": TODAY + timedelta(days=i - 3),
        "overdue": i < 3,
        "controls": ["A.5.16", "CC6.2"],
    }
    fields.update(extra)
    return TaskSummary.model_validate(fields)


def question(**extra: object) -> QuestionReply:
    fields: dict[str, object] = {
        "question_id": "scope",
        "step": 3,
        "number": 2,
        "total": 14,
        "prompt": "What will the audit cover?",
        "why": "Organisation-wide scope favours ISO/IEC 27001; one service favours SOC 2.",
        "choices": [
            Choice(value="organisation_wide", label="The whole organisation"),
            Choice(value="single_service", label="One service for customers"),
        ],
        "can_go_back": True,
    }
    fields.update(extra)
    return QuestionReply.model_validate(fields)


def recommendation(n_tasks: int = 3, **extra: object) -> RecommendationReply:
    fields: dict[str, object] = {
        "assessment_id": 42,
        "recommendation": "soc2_then_iso27001",
        "recommendation_label": "SOC 2 first, then ISO/IEC 27001",
        "primary": "soc2",
        "confidence": "medium",
        "summary": "Enterprise buyers ask for SOC 2; extend to an ISO/IEC 27001 ISMS later.",
        "rationale": [
            Rationale(
                text="Customer procurement is the driver.",
                answer_id="driver",
                answer_value="customer_procurement",
                source_ids=["aicpa-tsc-2017"],
            ),
            Rationale(
                text="You want a lasting management system later.",
                answer_id="assurance_goal",
                answer_value=None,
                source_ids=["iso27001-2022", "unknown-src"],
            ),
            Rationale(text="No answer behind this one."),
        ],
        "would_change": [
            "If you are regulated, ISO/IEC 27001 first.",
            "If customers are mostly outside North America.",
        ],
        "controls": [
            ControlRow(
                outcome="NHI inventory",
                iso27001=["A.5.9"],
                soc2=["CC6.1"],
                nist_csf=["ID.AM-02"],
                owasp_nhi=[],
            ),
            ControlRow(
                outcome="Least privilege",
                iso27001=["A.5.15", "A.8.2"],
                soc2=["CC6.3"],
                nist_csf=["PR.AA-05"],
                owasp_nhi=["NHI5"],
            ),
        ],
        "tasks": [task(i) for i in range(1, n_tasks + 1)],
        "sources": SOURCES,
    }
    fields.update(extra)
    return RecommendationReply.model_validate(fields)


COVERAGE = {"identities": 12, "with_secret": 9, "with_owner": 0.75, "with_rotation_date": 0.6667,
            "rotated_within_policy": 0.3333, "used_recently": 0.5, "used_recently_days": 90}


def inventory(**extra: object) -> InventorySummaryReply:
    fields: dict[str, object] = {
        "workspace": "slack:T1", "identities": 12, "coverage": COVERAGE,
        "gaps": [
            GapCount(kind="unowned", label="No accountable owner", count=3, task_kind="ownership",
                     controls=["A.5.16", "CC6.2"], tasks_open=1,
                     worst=[GapOffender(label="aws:deploy-bot", gaps=4),
                            GapOffender(label="github:release-token", owner=None, gaps=3)]),
            GapCount(kind="rotation_overdue", label="Secret older than the rotation policy",
                     count=5, task_kind="rotation", tasks_open=2,
                     worst=[GapOffender(label="gcp:ci-runner@p.iam.gserviceaccount.com",
                                        owner="ana@example.com", gaps=2)]),
            GapCount(kind="expired", label="Expired credential still listed", count=0,
                     task_kind="offboarding"),
        ],
        "tasks": [task(1, kind="ownership"), task(2, kind="rotation")],
    }
    fields.update(extra)
    return InventorySummaryReply.model_validate(fields)


IMPORTED = ImportReport(format="generic-csv", imported=10, updated=2, skipped=1, rejected=[
    RejectedRow(row=4, error="the created date is not a date"),
    RejectedRow(row=7, error="duplicate of row 3 (same platform and id or name)")],
    tasks_created=3, tasks_updated=1, tasks_closed=1)


def _fixtures() -> dict[str, Reply]:
    many_choices = [
        Choice(value=f"v{i}", label=f"Choice number {i} with a fairly long label")
        for i in range(30)
    ]
    help_commands = [
        HelpCommand(name="assess", what="Start the scoping assessment"),
        HelpCommand(name="assess here", what="The same in a thread", surfaces=["slack"]),
        HelpCommand(name="ask QUESTION", what="Answer from the knowledge base"),
        HelpCommand(name="tasks", what="List my open tasks"),
        HelpCommand(name="help", what="Show this help"),
    ]
    return {
        "question": question(),
        "question_first": question(number=1, step=1, can_go_back=False),
        "question_error_help": question(
            error='"maybe" is not one of the choices.', help="Pick 1 or 2, or type skip."
        ),
        "question_no_unsure": question(allow_unsure=False),
        "question_many_choices": question(choices=many_choices),
        "question_long": question(prompt=LONG, why=LONG, choices=[Choice(value="x", label=LONG)]),
        "question_evil": question(
            prompt=EVIL, why=EVIL, error=EVIL, help=EVIL, choices=[Choice(value=EVIL, label=EVIL)]
        ),
        "answered": AnsweredReply(
            question_id="scope",
            step=3,
            prompt="What will the audit cover?",
            answer_label="One service for customers",
        ),
        "answered_by": AnsweredReply(
            question_id="scope",
            step=3,
            prompt="What will the audit cover?",
            answer_label="One service for customers",
            by="slack:T1:U777",
        ),
        "answered_evil": AnsweredReply(
            question_id="scope", step=3, prompt=EVIL, answer_label=EVIL, by=EVIL
        ),
        "recommendation": recommendation(tasks_separate=True),
        "recommendation_tasks_inline": recommendation(),
        "recommendation_no_tasks": recommendation(n_tasks=0, can_share=False, assessment_id=None),
        "recommendation_many_tasks": recommendation(n_tasks=40),
        "recommendation_huge": recommendation(
            summary=LONG * 2,
            would_change=[LONG] * 12,
            rationale=[Rationale(text=LONG)] * 20,
            tasks=[task(i, title=LONG, why=LONG) for i in range(1, 21)],
        ),
        "recommendation_unsaved_tasks": recommendation(
            tasks=[task(1, id=None, owner=None, owner_display=None, due=None)]
        ),
        "recommendation_evil": recommendation(
            recommendation_label=EVIL,
            summary=EVIL + LONG,
            rationale=[Rationale(text=EVIL, answer_id=EVIL, answer_value=EVIL, source_ids=[EVIL])]
            * 20,
            would_change=[EVIL] * 20,
            controls=[
                ControlRow(
                    outcome=EVIL, iso27001=[EVIL], soc2=[EVIL], nist_csf=[EVIL], owasp_nhi=[EVIL]
                )
            ]
            * 20,
            tasks=[
                task(
                    i, title=EVIL, why=EVIL, owner=EVIL, owner_display=EVIL, status=EVIL, kind=EVIL
                )
                for i in range(1, 4)
            ],
            sources=[Source(id=EVIL, title=EVIL, url="https://x.example/?a=<b>&c=|d")] * 20,
        ),
        "recommendation_details": recommendation(view="details"),
        "recommendation_details_huge": recommendation(
            view="details",
            summary=LONG * 2,
            would_change=[LONG] * 12,
            rationale=[Rationale(text=LONG)] * 20,
        ),
        "recommendation_details_evil": recommendation(
            view="details",
            recommendation_label=EVIL,
            rationale=[Rationale(text=EVIL, answer_id=EVIL, answer_value=EVIL, source_ids=[EVIL]),
                       Rationale(text="Pulls the other way: " + EVIL, answer_id="driver",
                                 answer_value="regulation")] * 10,
            would_change=[EVIL] * 20,
        ),
        "question_count_changed": question(number=4, total=14, total_was=13),
        "task_list": TaskListReply(tasks=[task(i) for i in range(1, 4)]),
        "task_list_teams": TaskListReply(tasks=[
            task(1, owner="teams:tenant-1:8e1c6b2a-4d3f-4b1e-9c1d-2f0a1b2c3d4e",
                 owner_display="Li Wei"),
            task(2, owner="teams:tenant-1:0b7e2c44-1111-4222-8333-944455556666",
                 owner_display=None),
        ]),
        "task_list_empty": TaskListReply(tasks=[]),
        "task_list_many": TaskListReply(tasks=[task(i) for i in range(1, 61)]),
        "task_list_evil": TaskListReply(
            title=EVIL,
            empty_text=EVIL,
            tasks=[task(1, title=EVIL, why=EVIL, owner=EVIL, owner_display=EVIL)],
        ),
        "task_list_evil_empty": TaskListReply(title=EVIL, empty_text=EVIL, tasks=[]),
        "task_list_outcomes": TaskListReply(tasks=[  # after button presses (Slack updates)
            task(1, status="done", outcome=TaskOutcome(action="done", by="slack:T1:U0ANA",
                                                       at=utcnow())),
            task(2, status="snoozed", outcome=TaskOutcome(
                action="snoozed", by="slack:T1:U0ANA", until=utcnow() + timedelta(days=7))),
            task(3, owner="slack:T1:U0BOB", outcome=TaskOutcome(
                action="reassigned", by="slack:T1:U0ANA", new_owner="slack:T1:U0BOB")),
            task(4, status="not_applicable", outcome=TaskOutcome(
                action="not_applicable", by="cli:local:ana", reason=EVIL, at=utcnow())),
            task(5, status="cancelled", outcome=TaskOutcome(action="cancelled", by=EVIL)),
            task(6),
        ]),
        "answer": AnswerReply(
            question="Which controls cover service accounts?",
            answered=True,
            answer="ISO/IEC 27001:2022 A.5.16 and A.8.2; SOC 2 CC6.1-CC6.3.",
            sources=SOURCES,
            score=0.82,
            feedback_id=7,
        ),
        "answer_no_feedback": AnswerReply(
            question="Q?", answered=True, answer="A.", sources=SOURCES[:1]
        ),
        "answer_long": AnswerReply(
            question=LONG, answered=True, answer=LONG * 3, sources=SOURCES, feedback_id=8
        ),
        "answer_refusal": AnswerReply(
            question="What's the weather?",
            answered=False,
            answer="I only answer identity questions from my sources: nothing sourced on that.",
            feedback_id=9,
        ),
        "answer_refusal_blank": AnswerReply(question="??", answered=False, answer=""),
        "answer_suggestions": AnswerReply(
            question="we're a hospital group, which standard?",
            answered=False,
            answer="I don't have a sourced answer to that.\n\nDid you mean one of these?",
            feedback_id=10,
            suggestions=[
                Source(id="choose-regulated", title="Which framework suits a regulated "
                       "organisation such as a hospital, bank or insurer?",
                       url="https://www.iso.org/standard/27001"),
                Source(id="choose-deciding-factor", title="ISO 27001 or SOC 2: what decides?"),
                Source(id="x" * 128, title=LONG),
            ],
        ),
        "answer_suggestions_evil": AnswerReply(
            question=EVIL,
            answered=False,
            answer=EVIL,
            suggestions=[Source(id=EVIL, title=EVIL, url="javascript:alert(1)")] * 3,
        ),
        "answer_evil": AnswerReply(
            question=EVIL,
            answered=True,
            answer=EVIL,
            sources=[Source(id="e", title=EVIL, url="https://e.example/" + EVIL)],
            feedback_id=1,
        ),
        "nudge_lead": NudgeReply(stage="lead", task=task(6)),
        "nudge_due": NudgeReply(stage="due", task=task(3, overdue=False)),
        "nudge_overdue": NudgeReply(stage="overdue", task=task(1), days_overdue=2),
        "nudge_overdue_one": NudgeReply(stage="overdue", task=task(2), days_overdue=1),
        "nudge_escalation": NudgeReply(
            stage="escalation",
            task=task(0),
            days_overdue=9,
            escalation_note="Escalated to the identity lead.",
        ),
        "nudge_escalation_default": NudgeReply(stage="escalation", task=task(0), days_overdue=9),
        "nudge_escalation_parts": NudgeReply(
            stage="escalation", task=task(0, assessment_id=42), days_overdue=9, reminders_sent=3
        ),
        "nudge_unreachable": NudgeReply(
            stage="escalation",
            task=task(4, owner="teams:tenant-1:8e1c6b2a-4d3f", owner_display=None),
            days_overdue=2, unreachable_reason="no chat user found for li@acme.example",
        ),
        "nudge_evil": NudgeReply(
            stage="escalation",
            task=task(5, title=EVIL, why=EVIL, owner_display=EVIL),
            days_overdue=3,
            escalation_note=EVIL,
        ),
        "help": HelpReply(
            intro="I help you choose between ISO/IEC 27001 and SOC 2.", commands=help_commands
        ),
        "help_welcome": HelpReply(
            intro="Thanks for adding me.", commands=help_commands, welcome=True
        ),
        "help_evil": HelpReply(title=EVIL, intro=EVIL + LONG,
                               commands=[HelpCommand(name=EVIL, what=EVIL)] * 40),
        "task_changed_done": TaskChangedReply(
            result="applied", task=task(1, outcome=TaskOutcome(action="done", by="slack:T1:U1"))),
        "task_changed_snoozed": TaskChangedReply(
            result="applied", days=7,
            task=task(2, outcome=TaskOutcome(action="snoozed", by="slack:T1:U1"))),
        "task_changed_reassigned": TaskChangedReply(
            result="applied", task=task(3, outcome=TaskOutcome(
                action="reassigned", by="slack:T1:U1", new_owner="email:kim@example.com"))),
        "task_changed_closed": TaskChangedReply(result="closed", task=task(4, status="done")),
        "task_changed_not_found": TaskChangedReply(result="not_found", problem="task 9 not found"),
        "task_changed_evil": TaskChangedReply(result="refused", problem=EVIL,
                                              task=task(5, title=EVIL)),
        "text_info": TextReply(text="Assessment cancelled."),
        "text_success": TextReply(text="Done. Task closed.", tone="success"),
        "text_warning": TextReply(text="That button is from an older question.", tone="warning"),
        "text_error": TextReply(text="Something went wrong.", tone="error"),
        "text_long_evil": TextReply(text=EVIL + LONG * 4, tone="info"),
        "resume_or_restart": ResumeOrRestartReply(answered=3),
        "inventory_summary": inventory(),
        "inventory_summary_empty": InventorySummaryReply(workspace="teams:t1", identities=0,
                                                         coverage={}, gaps=[], tasks=[]),
        "inventory_summary_no_gaps": inventory(gaps=[], tasks=[]),
        "inventory_summary_imported": inventory(report=IMPORTED, source="service-accounts.csv"),
        "inventory_summary_many_refused": inventory(
            report=IMPORTED.model_copy(update={"rejected": [
                RejectedRow(row=i, error="the owner looks like a credential")
                for i in range(2, 60)]}),
            source="big.csv"),
        "inventory_summary_evil": inventory(
            source=EVIL,
            report=IMPORTED.model_copy(update={"rejected": [RejectedRow(row=2, error=EVIL)]}),
            gaps=[GapCount(kind="unowned", label=EVIL, count=1, task_kind="ownership",
                           tasks_open=1, worst=[GapOffender(label=EVIL, owner=EVIL, gaps=1)] * 3)]),
        "report": _report_fixture(),
        "digest": _digest_fixture(),
    }


def _report_fixture() -> Reply:
    from datetime import datetime

    from dialogs.replies import ReportReply
    from dialogs.report_model import AnswerLine, ReasonLine, Report, TaskLine

    rec = recommendation()
    return ReportReply(report=Report(
        assessment_id=42, created_at=datetime(2026, 1, 12, 9, 30), run_by="Ana Li",
        recommendation=rec.recommendation_label, start_with="SOC 2", confidence="Medium",
        confidence_reason="you weren't sure about one answer.", summary=rec.summary,
        answers=[AnswerLine(question="What do you mainly need?", answer="Customer trust")],
        reasons_for=[ReasonLine(text="Customer procurement is the driver.",
                                answer="What drives this: Customers", sources=["AICPA TSC"])],
        reasons_against=[ReasonLine(text="A lasting management system favours ISO/IEC 27001.")],
        unknowns=[], would_change=["Regulated: “Yes” would make it ISO/IEC 27001 first."],
        controls=rec.controls, sources=rec.sources,
        tasks=[TaskLine(id=1, title="Inventory every service account", kind="NHI inventory",
                        priority="High", due=date(2026, 2, 1), status="Open", owner="Ana Li",
                        done_when="an export of every non-human identity with its owner")]))


def _digest_fixture() -> Reply:
    from dialogs.replies import DigestOwner, DigestReply

    return DigestReply(week="2026-W03", today=date(2026, 1, 12), total=3, overdue=1, more=0,
                       owners=[DigestOwner(owner="slack:T1:U1000", overdue=1,
                                           tasks=[task(1, overdue=True), task(2)]),
                               DigestOwner(owner="teams:tenant:8e1c6b2a-4d3f-4a5b-9c1d-2e3f",
                                           owner_display="Li Wei", tasks=[task(3)])])


FIXTURES: dict[str, Reply] = _fixtures()
HOME_CASES: dict[str, tuple[list[TaskSummary], RecommendationReply | None]] = {
    "home_empty": ([], None),
    "home": ([task(i) for i in range(1, 5)], recommendation()),
    "home_many": ([task(i) for i in range(1, 80)], recommendation(summary=LONG)),
    "home_evil": (
        [task(1, title=EVIL, why=EVIL, owner_display=EVIL)],
        recommendation(recommendation_label=EVIL, summary=EVIL),
    ),
}
_ = date  # dates are built from TODAY

INJECTIONS = [
    "<!channel>",
    "<@U123>",
    '"}]',
    "<!here|here> & <https://evil.example|x>",
    "*a* _b_ [c](https://evil.example)\n# d",
]


def _is_text(annotation: Any) -> bool:
    if annotation is str:
        return True
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        return str in typing.get_args(annotation)
    return False


def _inject_value(value: Any, annotation: Any, text: str) -> Any:
    if isinstance(value, BaseModel):
        return inject(value, text)
    if isinstance(value, list):
        args = typing.get_args(annotation)
        inner = args[0] if args else Any
        if typing.get_origin(inner) is tuple:
            return [tuple(text for _ in item) for item in value]
        return [_inject_value(v, inner, text) for v in value]
    if isinstance(value, str) and _is_text(annotation):
        return text
    return value


def inject(reply: BaseModel, text: str) -> Any:
    """A copy of `reply` with every free-text field (nested too) replaced by `text`.

    Literal fields (kind, priority, stage, ...) keep their values, so the copy stays valid and
    renders the same shape as any other text would: the injection tests compare shapes.
    """
    fields = type(reply).model_fields
    update = {
        name: _inject_value(getattr(reply, name), fields[name].annotation, text) for name in fields
    }
    return type(reply).model_validate(update)
