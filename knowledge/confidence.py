"""How sure the recommendation is, and the one-line reason when it is not high.

Defined in docs/confidence.md; in short, confidence follows the evidence:

- *paths*: recommendations that start the same way are one path (SOC 2 alone, SOC 2 then
  ISO/IEC 27001 and SOC 2 with ISO practices all start with a SOC 2 report). The margin is the
  winner's score minus the best score of any other path, so a close race between two SOC 2
  variants does not read as doubt about the framework.
- *unknown deciding answers*: deciding answers still "Not sure", counting only questions that
  apply (`knowledge.applicability`): a question skipped because it does not apply is not doubt.
- *conflicts*: answer pairs rules.yaml declares contradictory.
- *against*: fired rules whose evidence all goes to other paths ("Pulls the other way").

Low: defaulted, any conflict, a tied margin, `low_unknown` unknowns or `low_against`
opposing reasons. Medium: one unknown, one opposing reason, or a margin under `high_margin`.
High otherwise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final, Literal

from knowledge.applicability import applies
from knowledge.rules import ConfidencePolicy, Conflict, RecommendationId, Rule
from knowledge.schema import UNKNOWN_VALUES, answer_name

Confidence = Literal["high", "medium", "low"]

#: The path each recommendation starts on (see the module docstring).
PATHS: Final[dict[str, str]] = {
    "iso27001": "iso27001",
    "soc2": "soc2_first",
    "soc2_then_iso27001": "soc2_first",
    "soc2_with_iso27001_practices": "soc2_first",
    "both": "both",
}


def path_of(recommendation: str) -> str:
    return PATHS[recommendation]


def opposing(fired: Sequence[Rule], winner: str) -> list[Rule]:
    """Fired rules with evidence, none of it for the winner's path."""
    path = path_of(winner)
    return [
        r
        for r in fired
        if r.evidence and not any(w > 0 and path_of(rec) == path for rec, w in r.evidence.items())
    ]


def unknown_deciding(answers: Mapping[str, str], deciding: Sequence[str]) -> list[str]:
    """Deciding answers still unknown, among the questions that apply."""
    return [a for a in deciding if answers[a] in UNKNOWN_VALUES and applies(a, answers)]


def margin(scores: Mapping[RecommendationId, int], winner: str) -> int:
    """Winner's score minus the best score of a recommendation on another path."""
    others = [s for rec, s in scores.items() if path_of(rec) != path_of(winner)]
    return scores[winner] - max(others, default=0)  # type: ignore[index]


def _names(ids: Sequence[str]) -> str:
    names = [answer_name(a) for a in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def judge(
    answers: Mapping[str, str],
    *,
    scores: Mapping[RecommendationId, int],
    winner: str,
    fired: Sequence[Rule],
    conflicts: Sequence[Conflict],
    defaulted: bool,
    deciding: Sequence[str],
    policy: ConfidencePolicy,
) -> tuple[Confidence, str]:
    """The confidence and, unless it is high, why (one line for the card)."""
    unknown = unknown_deciding(answers, deciding)
    against = opposing(fired, winner)
    lead = margin(scores, winner)
    if defaulted:
        return "low", "None of the deciding answers is known yet."
    if conflicts:
        return "low", "Some of your answers contradict each other (see the conflict above)."
    if lead <= 0:
        return "low", "The two best paths are tied on your answers."
    if len(unknown) >= policy.low_unknown:
        return "low", f"{len(unknown)} deciding answers are still unknown: {_names(unknown)}."
    if len(against) >= policy.low_against:
        return "low", f"{len(against)} of your answers point to a different path."
    if unknown:
        return "medium", f"One deciding answer is still unknown: {_names(unknown)}."
    if against:
        return "medium", "One of your answers points to a different path."
    if lead < policy.high_margin:
        return "medium", "The lead over the next-best path is small."
    return "high", ""
