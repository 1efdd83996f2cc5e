"""A recommendation read the way a busy person reads it: the point, then the why, then the rest.

The engine (`knowledge.recommend`) lists every reason in one list and every flip in plain
engine wording. Cards and the report need them sorted: the strongest reasons for the
answer, what pulls the other way, what we don't know yet, and the answers that would
change it in the words of the questions people were asked. This module does that sorting
once so every surface (Slack, Teams, terminal, report) says the same thing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dialogs.replies import Rationale, RecommendationReply
from dialogs.scoping import answer_text, scoping_dialog
from dialogs.wording import CONFIDENCE_LABELS, FRAMEWORK_LABELS, join_words
from knowledge.schema import ANSWER_VALUES, answer_name, value_name

AGAINST_PREFIX = "Pulls the other way: "
UNKNOWN_PREFIX = "We don't know your "
#: What each question is about, as a short noun phrase for "would change" lines.
TOPICS = {
    "assurance_goal": "What you mainly need",
    "scope": "Audit scope",
    "driver": "What drives this",
    "regulated": "Regulated",
    "org_profile": "Kind of organisation",
    "customer_regions": "Where your customers are",
    "existing_assurance": "Assurance you already have",
    "nhi_inventory": "NHI inventory",
    "secret_rotation": "Secret rotation",
    "least_privilege": "Least privilege",
    "break_glass": "Break-glass access",
    "offboarding": "Offboarding",
    "nhi_ownership": "NHI ownership",
    "shared_nhi_boundary": "Identities shared across the boundary",
}
# The engine's wording (knowledge/recommend.py `_would_change`), read back into its parts.
_FLIP = re.compile(
    r"^If (?P<name>.+?) were (?P<alt>.+?) \(now (?P<cur>.+?)\), "
    r"the recommendation would be (?P<label>.+?)\.$"
)


@dataclass
class Reasons:
    """The rationale sorted by role; `strongest` is what the first screen shows."""

    strongest: list[Rationale] = field(default_factory=list)
    more_for: list[Rationale] = field(default_factory=list)
    against: list[Rationale] = field(default_factory=list)
    unknown: list[Rationale] = field(default_factory=list)


@dataclass
class Flip:
    """One answer that would change the recommendation, in the question's own words."""

    text: str
    answer_id: str | None = None
    becomes: str = ""
    short: str = ""  # the first-screen form: "Audit scope: “One product” → SOC 2"


def sort_reasons(rationale: list[Rationale], strongest: int = 3) -> Reasons:
    """The engine lists supporting reasons strongest first; keep that order, take the first
    `strongest` that rest on an answer (a reason tied to nothing is not shown first)."""
    out = Reasons()
    for r in rationale:
        if r.text.startswith(AGAINST_PREFIX):
            out.against.append(r.model_copy(update={"text": r.text[len(AGAINST_PREFIX):]}))
        elif r.text.startswith(UNKNOWN_PREFIX):
            out.unknown.append(r)
        elif len(out.strongest) < strongest and r.answer_id:
            out.strongest.append(r)
        else:
            out.more_for.append(r)
    return out


def _flip_parts(text: str) -> tuple[str, list[str], str, str] | None:
    match = _FLIP.match(text.strip())
    if not match:
        return None
    names = {answer_name(a): a for a in ANSWER_VALUES}
    answer_id = names.get(match["name"])
    if answer_id is None:
        return None
    values = {value_name(v): v for v in ANSWER_VALUES[answer_id]}
    alt, cur = values.get(match["alt"]), values.get(match["cur"])
    if alt is None or cur is None:
        return None
    return answer_id, [alt], cur, match["label"]


def flips(would_change: list[str], max_options: int = 9) -> list[Flip]:
    """Would-change lines in people's words, one per (answer, outcome): "Kind of
    organisation: “Established enterprise” instead of “Fast-growing SaaS company” would
    make it ISO/IEC 27001 first." Lines in any other wording are kept as they are."""
    grouped: dict[tuple[str, str], tuple[list[str], str]] = {}
    out: list[Flip | tuple[str, str]] = []
    for line in would_change:
        parts = _flip_parts(line)
        if parts is None:
            out.append(Flip(text=line, short=line))
            continue
        answer_id, alts, cur, becomes = parts
        key = (answer_id, becomes)
        if key in grouped:
            grouped[key][0].extend(alts)
            continue
        grouped[key] = (list(alts), cur)
        out.append(key)
    dialog = scoping_dialog()
    result: list[Flip] = []
    for item in out:
        if isinstance(item, Flip):
            result.append(item)
            continue
        answer_id, becomes = item
        alts, cur = grouped[item]
        q = dialog.by_id.get(answer_id)
        shown = [f"“{q.label(v) if q else value_name(v)}”" for v in alts[:max_options]]
        if len(alts) > max_options:
            shown.append("another answer")
        options = join_words(shown, "or")
        topic = TOPICS.get(answer_id, answer_name(answer_id))
        text = (f"{topic}: {options} instead of "
                f"“{q.label(cur) if q else value_name(cur)}” would make it {becomes}.")
        short = f"{topic}: {options} → {becomes}"
        result.append(Flip(text=text, answer_id=answer_id, becomes=becomes, short=short))
    return result


def top_flips(would_change: list[str], limit: int = 2) -> list[Flip]:
    """The one or two flips for the first screen: different answers, different outcomes
    first, so two lines say two different things."""
    every = flips(would_change, max_options=1)
    chosen: list[Flip] = []
    for f in every:
        if len(chosen) == limit:
            break
        if all(f.answer_id is None or (f.answer_id != c.answer_id and f.becomes != c.becomes)
               for c in chosen):
            chosen.append(f)
    for f in every:
        if len(chosen) == limit:
            break
        if f not in chosen and all(f.answer_id is None or f.answer_id != c.answer_id
                                  for c in chosen):
            chosen.append(f)
    return chosen


def gist(text: str, limit: int = 100) -> str:
    """A reason short enough for the first screen: its opening clause when the whole is long
    ("Enterprise procurement is the driver"), else the text cut at a word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    for mark in (": ", "; ", ". ", " — "):
        head = text.split(mark, 1)[0]
        if 20 <= len(head) <= limit:
            return head.rstrip(".") + "."
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def confidence_reason(reply: RecommendationReply) -> str:
    """One line on why confidence is not high ('' when it is high). The engine may supply
    it (``confidence_reason``); otherwise it is read from the reasons."""
    if reply.confidence == "high":
        return ""
    given = getattr(reply, "confidence_reason", None)
    if isinstance(given, str) and given.strip():
        return given.strip()
    reasons = sort_reasons(reply.rationale)
    unsure = [answer_name(r.answer_id) for r in reasons.unknown if r.answer_id]
    if unsure:
        return f"you weren't sure about {join_words(unsure)}."
    if reasons.against:
        return "some of your answers pull the other way."
    return "the answers point less clearly to one path."


def headline(reply: RecommendationReply) -> str:
    """The notification text: "SOC 2 first, then ISO/IEC 27001, medium confidence"."""
    return f"{reply.recommendation_label}, {CONFIDENCE_LABELS[reply.confidence].lower()} confidence"


def your_answer(r: Rationale) -> str:
    """The answer a reason rests on, as the user saw it ("What drives this: Customers and
    procurement questionnaires")."""
    if not r.answer_id:
        return ""
    text = answer_text(r.answer_id, r.answer_value)
    topic = TOPICS.get(r.answer_id)
    return f"{topic}:{text.split(':', 1)[1]}" if topic and ":" in text else text


def start_with(reply: RecommendationReply) -> str:
    return FRAMEWORK_LABELS[reply.primary]
