"""The recommendation engine: scoping answers in, an explained recommendation out.

Deliberately small and deterministic: add up the evidence of every matching rule in
``rules.yaml``, take the highest score (ties broken in the data's `tie_break` order) and
explain it with the rules that drove it. `would_change` is not hand-written: it re-runs
the engine with every other value of each answer the rules look at and reports the ones
that actually flip the result, so it can never promise something the engine won't do.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

from knowledge.applicability import IMPLIED_VALUES, applies, given
from knowledge.confidence import Confidence, judge, opposing, unknown_deciding
from knowledge.crosswalk import ControlRef
from knowledge.results import ControlRow, Rationale, Source
from knowledge.rules import (
    RECOMMENDATION_IDS,
    Conflict,
    Knowledge,
    Primary,
    RecommendationId,
    Rule,
    TaskTemplate,
    gap_tasks,
    load_knowledge,
    matches,
)
from knowledge.schema import (
    ANSWER_VALUES,
    UNKNOWN_VALUES,
    answer_name,
    validate_answers,
    value_name,
)
from knowledge.task_plan import plan_tasks

PRIMARY_NAMES: dict[Primary, str] = {"iso27001": "ISO/IEC 27001", "soc2": "SOC 2"}


class Recommendation(BaseModel):
    """The engine's answer; `dialogs.recommendation_view.to_reply` makes it the card reply."""

    recommendation: RecommendationId
    recommendation_label: str
    primary: Primary
    confidence: Confidence
    confidence_reason: str = ""  # one line, empty when confidence is high
    summary: str
    rationale: list[Rationale]
    would_change: list[str]
    controls: list[ControlRef]
    control_rows: list[ControlRow]
    tasks: list[TaskTemplate]
    sources: list[Source]
    scores: dict[str, int] = Field(default_factory=dict)  # for tuning and audits


@dataclass
class _Decision:
    """The bare result of scoring, cheap enough to recompute for every what-if."""

    winner: RecommendationId
    scores: dict[RecommendationId, int]
    fired: list[Rule]
    conflicts: list[Conflict]
    defaulted: bool
    primary_scores: dict[Primary, int] = field(default_factory=dict)


def _decide(answers: Mapping[str, str], ks: Knowledge) -> _Decision:
    rs = ks.ruleset
    scores: dict[RecommendationId, int] = dict.fromkeys(RECOMMENDATION_IDS, 0)
    primary: dict[Primary, int] = {"iso27001": 0, "soc2": 0}
    fired = [rule for rule in rs.rules if matches(rule.when, answers)]
    for rule in fired:
        for rec, weight in rule.evidence.items():
            scores[rec] += weight
        for fw, weight in rule.primary.items():
            primary[fw] += weight
    conflicts = [c for c in rs.conflicts if matches(c.when, answers)]
    rank = {rec: i for i, rec in enumerate(rs.tie_break)}
    defaulted = max(scores.values()) == 0
    winner = (
        rs.default if defaulted else min(RECOMMENDATION_IDS, key=lambda r: (-scores[r], rank[r]))
    )
    return _Decision(winner, scores, fired, conflicts, defaulted, primary)


def _primary(decision: _Decision, ks: Knowledge) -> Primary:
    declared = ks.ruleset.recommendations[decision.winner].primary
    if declared != "by_evidence":
        return declared
    iso, soc2 = decision.primary_scores["iso27001"], decision.primary_scores["soc2"]
    return "soc2" if soc2 > iso else "iso27001"


def _confidence(answers: Mapping[str, str], d: _Decision, ks: Knowledge) -> tuple[Confidence, str]:
    return judge(
        answers,
        scores=d.scores,
        winner=d.winner,
        fired=d.fired,
        conflicts=d.conflicts,
        defaulted=d.defaulted,
        deciding=ks.ruleset.deciding_answers,
        policy=ks.ruleset.confidence,
    )


def _rationale(answers: Mapping[str, str], d: _Decision, ks: Knowledge) -> list[Rationale]:
    def bullet(text: str, answer_id: str, sources: list[str]) -> Rationale:
        if not given(answer_id, answers):  # a placeholder for a question that did not apply
            return Rationale(text=text, source_ids=sources)
        return Rationale(
            text=text, answer_id=answer_id, answer_value=answers[answer_id], source_ids=sources
        )

    supporting = sorted(
        (r for r in d.fired if r.evidence.get(d.winner, 0) > 0),
        key=lambda r: -r.evidence[d.winner],
    )
    out = [bullet(r.text, r.answer_id, r.sources) for r in supporting]
    if d.defaulted:
        first = ks.ruleset.deciding_answers[0]
        out.append(bullet(ks.ruleset.default_text, first, ks.ruleset.default_sources))
    out += [bullet(r.text, r.answer_id, r.sources) for r in d.fired if not r.evidence]
    out += [bullet(c.text, next(iter(c.when)), c.sources) for c in d.conflicts]
    against = opposing(d.fired, d.winner)
    out += [bullet(f"Pulls the other way: {r.text}", r.answer_id, r.sources) for r in against]
    for answer_id in unknown_deciding(answers, ks.ruleset.deciding_answers):
        out.append(
            bullet(
                f"We don't know your {answer_name(answer_id)} yet; answering that question "
                "would firm up this result.",
                answer_id,
                [],
            )
        )
    return out


def _decision_answers(ks: Knowledge) -> list[str]:
    """Answers some rule looks at, in contract order: the only ones that can flip the result."""
    used = {key for rule in ks.ruleset.rules if rule.evidence for key in rule.when}
    return [a for a in ANSWER_VALUES if a in used]


def _would_change(answers: Mapping[str, str], d: _Decision, ks: Knowledge) -> list[str]:
    labels = {rec: info.label for rec, info in ks.ruleset.recommendations.items()}
    out: list[str] = []
    for answer_id in _decision_answers(ks):
        if not applies(answer_id, answers):  # the user was never asked it
            continue
        current = answers[answer_id]
        for alternative in ANSWER_VALUES[answer_id]:
            # "If you were unsure about X" is not an answer anyone can act on: list only
            # concrete alternatives.
            if alternative == current or alternative in UNKNOWN_VALUES:
                continue
            flipped = _decide({**answers, answer_id: alternative}, ks).winner
            if flipped != d.winner:
                out.append(
                    f"If {answer_name(answer_id)} were {value_name(alternative)} (now "
                    f"{value_name(current)}), the recommendation would be {labels[flipped]}."
                )
    return out


def _outcomes(d: _Decision, tasks: list[TaskTemplate], ks: Knowledge) -> list[str]:
    ordered: list[str] = [t.kind for t in tasks]
    ordered += [o for r in d.fired for o in r.outcomes]
    ordered += ks.ruleset.always_outcomes
    return list(dict.fromkeys(ordered))


def _sources(ids: Iterable[str], ks: Knowledge) -> list[Source]:
    return [ks.crosswalk.source(sid) for sid in dict.fromkeys(ids)]


def evaluate(answers: Mapping[str, str], ks: Knowledge) -> Recommendation:
    """Run the engine on already validated, complete answers with the given knowledge."""
    d = _decide(answers, ks)
    primary = _primary(d, ks)
    info = ks.ruleset.recommendations[d.winner]
    tasks = plan_tasks(gap_tasks(answers, ks), answers)  # inventory first: see task_plan
    outcomes = _outcomes(d, tasks, ks)
    rationale = _rationale(answers, d, ks)
    confidence, reason = _confidence(answers, d, ks)
    controls = list(
        dict.fromkeys(cid for o in outcomes for cid in ks.crosswalk.outcome_control_ids(o))
    )
    source_ids = [sid for r in rationale for sid in r.source_ids]
    source_ids += [
        sid for kind in (t.kind for t in tasks) for sid in ks.tasks.templates[kind].sources
    ]
    source_ids += [fw.source for fw in ks.crosswalk.frameworks.values()]
    return Recommendation(
        recommendation=d.winner,
        recommendation_label=info.label,
        primary=primary,
        confidence=confidence,
        confidence_reason=reason,
        summary=info.summary.format(primary=PRIMARY_NAMES[primary]),
        rationale=rationale,
        would_change=_would_change(answers, d, ks),
        controls=[ks.crosswalk.ref(cid) for cid in controls],
        control_rows=[ks.crosswalk.row(o) for o in outcomes],
        tasks=tasks,
        sources=_sources(source_ids, ks),
        scores=dict(d.scores),
    )


def recommend(answers: Mapping[str, str]) -> Recommendation:
    """Recommend from scoping answers; missing keys take their defaults (unsure/unknown).

    Raises knowledge.schema.AnswerError for an unknown key or a value outside the contract.
    """
    return evaluate(with_implied(answers, validate_answers(answers)), load_knowledge())


def with_implied(raw: Mapping[str, str], full: dict[str, str]) -> dict[str, str]:
    """Fill what an absent, non-applicable question implies ("regulated: yes" when a regulator
    drives the work), exactly as the dialog records it, so a file of answers and the dialog
    agree."""
    for answer_id, value in IMPLIED_VALUES.items():
        if answer_id not in raw and not applies(answer_id, full):
            full[answer_id] = value
    return full
