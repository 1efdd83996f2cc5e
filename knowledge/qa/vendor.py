"""Requests to pick or buy a product ("vault vs doppler, which would you buy?"): out of scope.

The base says what auditors expect of secrets managers and PAM, never which product to buy,
which licence tier has a feature, or which vendor is best: it has no sourced comparison, and
an answer from an entry about the technical baseline would read as a recommendation it
cannot back. Choosing between the frameworks themselves ("iso or soc2, just pick one for
us") is the product's core question and is left to the situational rule. Written from the
out-of-scope pools' vendor questions (tests/eval/oos_tuning*.yaml), then checked against
every labelled in-scope question (docs/knowledge.md, "Eighth round").
"""

from __future__ import annotations

import re
from typing import Final

_PICK: Final = re.compile(
    r"\b(?:list|shortlist) of (?:[\w-]+ ){0,3}firms\b|\bfirms list\b"
    r"|\b(?:recommend|suggest) (?:me |us )?(?:an? |some )?(?:[\w-]+ ){0,2}(?:firms?|vendors?|"
    r"tools?|products?)\b"
    r"|\bwhich (?:[\w-]+ ){0,2}(?:vendors?|products?|tools?) (?:is|are) (?:the )?best\b"
    r"|\bbest (?:[\w-]+ ){0,2}(?:tools?|products?|vendors?|secrets? managers?|pam|"
    r"password managers?)\s+(?:for|to buy|on the market)\b"
    r"|\b(?:licen[cs]e|licensing|pricing|subscription|plan) tiers?\b",
    re.IGNORECASE,
)
#: "just pick one for us", "which would you buy": a product pick unless assurance is among
#: the options ("ISO, SOC 2 or a secrets manager: which should we buy first?", "Type 1 or
#: Type 2, which should we buy?", "bridge letter or a new report?").
_PICK_ONE: Final = re.compile(
    r"\bjust pick one for (?:us|me)\b|\bwhich (?:one )?(?:would|should) (?:you|we|i) "
    r"(?:buy|purchase|license)\b",
    re.IGNORECASE,
)
_ASSURANCE_OPTIONS: Final = re.compile(
    r"\biso\b|27001|27k|\bsoc\s*-?\s*(?:[123]|ii|two)\b|\bsoc[123]\b|\btype\s*(?:1|2|i|ii)\b"
    r"|\bbridge letter\b|\breport\b|\bnist\b|\bcsf\b|\bowasp\b|\bcertific\w*",
    re.IGNORECASE,
)


def is_vendor_pick(question: str) -> bool:
    """True when the message asks which product, firm or tier to buy or pick ("soc 2 auditor
    firms list for startups"); "iso or soc2, just pick one for us" is the framework choice."""
    if _PICK.search(question) is not None:
        return True
    return _PICK_ONE.search(question) is not None and _ASSURANCE_OPTIONS.search(question) is None
