"""Situational questions ("we're a 40 person startup selling to US banks, iso or soc2?").

Choosing between ISO/IEC 27001 and SOC 2 for a given situation is the product's core
question, yet such messages are mostly context ("we're a hospital group", "our CTO leans
towards ISO") that the index cannot match, so they used to be refused. When the index is not
confident and the message asks to choose a framework, `ask` answers with the short rule for
the situation (regulated, customer-driven, or the general rule) and offers the assessment,
which asks about the rest. Tuned on the tuned evaluation sets only.
"""

from __future__ import annotations

import re
from typing import Final

#: Names ISO/IEC 27001 and SOC 2 (in any spelling), or asks which standard or framework.
_ISO: Final = re.compile(r"\biso\b|27001|27k|\bisms\b")
_SOC2: Final = re.compile(r"\bsoc\s*-?\s*(?:2|ii|two)\b|\bsoc\b")
_WHICH: Final = re.compile(
    r"\bwhich (?:one|standard|framework|certification|report)s?\b|\bwhat (?:standard|framework)\b"
)
_CHOOSE: Final = re.compile(r"\bor\b|\bvs\.?\b|\bversus\b|\bwhich\b|\bfirst\b|\bpick\b|\bchoose\b")

_REGULATED: Final = re.compile(
    r"\bregulat\w*|\bbanks?\b|\bbanking\b|\binsur\w+|\bpension\w*|\bhospital\w*|\bhealthcare\b|"
    r"\bpayments? (?:firm|company|provider|institution)\b|\bfca\b|\bdora\b|\bsupervis\w+"
)
_CUSTOMERS: Final = re.compile(
    r"\bcustomers?\b|\bprospects?\b|\bprocurement\b|\bquestionnaires?\b|"
    r"\bvendor (?:risk|review)\w*|\bbuyers?\b|\bsales\b|\bdeals?\b|\brfps?\b|\bselling\b"
)

#: The entry that states the short rule for each situation.
REGULATED_ENTRY: Final = "regulated-organisations"
CUSTOMER_ENTRY: Final = "enterprise-procurement"
GENERAL_ENTRY: Final = "choose-iso-or-soc2"

OFFER: Final = (
    "For a recommendation that takes your whole situation into account (goal, scope, "
    "customers' regions, regulation, what you already hold), run the scoping assessment with "
    "`/idgov assess`."
)


def is_choice(question: str) -> bool:
    """True when the message asks to choose between ISO/IEC 27001 and SOC 2."""
    text = question.lower()
    both = bool(_ISO.search(text) and _SOC2.search(text) and _CHOOSE.search(text))
    return both or bool(
        _WHICH.search(text)
        and (_ISO.search(text) or _SOC2.search(text) or re.search(r"\bstandard|framework", text))
    )


def situation_entry(question: str) -> str:
    """The entry id whose short rule fits the situation described."""
    text = question.lower()
    if _REGULATED.search(text):
        return REGULATED_ENTRY
    if _CUSTOMERS.search(text):
        return CUSTOMER_ENTRY
    return GENERAL_ENTRY
