"""The sentence of a long message that asks for something ("... Can you write the code?").

A message of several sentences usually gives context first and asks last. The classifier reads
all of it, so a message whose context is ours and whose request is not can make it sure of an
entry. `ask`'s sure tier, which answers on little of the question, therefore also needs the
request itself to name no foreign subject (docs/knowledge.md, "Sixth round": requiring it to
share a domain term with the entry was measured and cost more than it saved).
"""

from __future__ import annotations

import re
from typing import Final

_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+|\n+")
#: Abbreviations whose dots end no sentence ("our U.S. payroll team", "keys, e.g. Stripe").
_ABBREVIATION: Final = re.compile(r"\b(?:u\.s|u\.k|e\.g|i\.e|etc|vs|approx|incl)\.", re.IGNORECASE)


def sentences(question: str) -> list[str]:
    """The message's sentences, split at ". ", "? ", "! " and line breaks, not inside "U.S."
    or "e.g." (nor inside a control id such as "A.8.2", which has no space after its dots)."""
    text = _ABBREVIATION.sub(lambda m: m.group(0).replace(".", "\u2024"), question.strip())
    return [s.replace("\u2024", ".") for s in _SENTENCE_END.split(text) if s.strip()]


#: A sentence after the question that asks for something too ("What is A.8.2? Tell me a joke
#: after.", "... Lastly, recommend a thriller novel.", "... I also need a restaurant"): it opens
#: with a request verb, after "also" / "now" / "lastly" / "btw" and the like, or with "I (also)
#: need / want".
_TRAILING_REQUEST: Final = re.compile(
    r"^(?:(?:also|and|then|oh|plus|ps|p\.s\.|btw|lastly|finally|now|next|afterwards|after that|"
    r"one more thing|last thing)[,:]?\s+)*(?:(?:please|pls|plz|can you|could you)\s+)?"
    r"(?:(?:tell|write|give|send|make|create|draft|generate|translate|summari[sz]e|book|schedule|"
    r"recommend|suggest|list|show|explain|help|find|compare|share|provide|prepare|build|"
    r"calculate|estimate|sing|play|plan|do|fix|order|organi[sz]e|name)\b"
    r"|i\s+(?:also\s+)?(?:need|want)\s+(?:an?|some|the)\b)",
    re.IGNORECASE,
)
#: ...unless it asks about the answer itself ("Summarise it for our platform team.").
_ABOUT_THE_ANSWER: Final = re.compile(
    r"^(?:(?:also|and|then|now|please|pls)[,:]?\s+)*(?:can you\s+|could you\s+)?"
    r"(?:explain|summari[sz]e|describe|simplify|clarify|expand on|break down|rephrase|"
    r"shorten|put)\s+(?:it|this|that|them|these|those)\b",
    re.IGNORECASE,
)


def request_sentence(question: str) -> str | None:
    """The last sentence that asks (ends with "?"), else the last sentence; None when the
    message is a single sentence, which is all request. A later sentence that opens with a
    request verb is the request instead (`trailing_request`)."""
    parts = sentences(question)
    if len(parts) < 2:
        return None
    asking = [s for s in parts if "?" in s]
    return _trailing(parts) or (asking or parts)[-1]


def trailing_request(question: str) -> str | None:
    """The last sentence after the message's last question (or after its first sentence, when
    none asks) that asks for something too, by opening with a request verb: "What evidence
    shows break-glass is under control? Also tell me a joke." asks for the joke as well, and
    "Our SOC 2 covers CC6.2. Now tell me how to fix my sink." for the sink. A sentence about
    the answer itself ("Summarise it for our board.") is none."""
    return _trailing(sentences(question))


def _trailing(parts: list[str]) -> str | None:
    """`trailing_request` over a message already split into sentences."""
    asking = [n for n, s in enumerate(parts) if "?" in s]
    start = asking[-1] + 1 if asking else 1
    trailing = [
        s
        for s in parts[start:]
        if _TRAILING_REQUEST.match(s.strip()) and not _ABOUT_THE_ANSWER.match(s.strip())
    ]
    return trailing[-1] if trailing else None
