"""Recognise tool how-to questions ("how do I rotate my ssh key on github"): out of scope.

The base explains how identity governance is assured (what auditors expect of SSH keys,
certificates or service accounts), not the steps of operating a product. A question asking
how *I* (or "how to") perform an operation, without naming anything about assurance, is a
request for product instructions; answering it with a governance entry would read as a wrong
answer. Written from the out-of-scope examples of the tuned sets, as a general rule.
"""

from __future__ import annotations

import re
from typing import Final

from knowledge.qa.request import request_sentence

_ASKS_HOW: Final = re.compile(r"\bhow (?:do|can|would|should) i\b|^\s*how to\b|\bsteps to\b")
_OPERATION: Final = re.compile(
    r"\b(?:set ?up|setup|configure|install|renew|reset|rotate|add|create|generate|enable|"
    r"disable|revoke|request|change|update|connect|log ?in|sign ?in|unlock|find|exempt|"
    r"exclude|bypass|troubleshoot|debug)\b"
)
#: "What's the setting in the admin console to ...": where to click in a product.
_SETTING: Final = re.compile(
    r"\b(?:setting|option|toggle|checkbox|button|menu)\s+(?:\w+\s+){0,2}?in\s+(?:the\s+)?"
    r"(?:\w+\s+)?(?:console|portal|dashboard|ui|settings)\b"
)
#: Product detail whatever the context: an API endpoint, a command, clicks in a portal.
_PRODUCT_DETAIL: Final = re.compile(
    r"\b(?:is there an?|which|what(?:'s| is)? the) (?:[\w-]+ ){0,2}(?:api endpoint|endpoint|"
    r"cmdlet|cli command|powershell command)\b"
    r"|\bendpoint (?:that|to|which) (?:lists?|returns?|gets?|fetch(?:es)?|shows?|exports?)\b"
    r"|\b(?:cmdlets?|curl command|powershell command|cli command|(?:which|what) (?:tools? and )?"
    r"(?:flags|switches|cli options)|command to (?:create|list|delete|rotate|generate|add|"
    r"remove|find|get|set|enable|disable|revoke|export))\b"
    r"|\bstep[- ]by[- ]step\b.*\b(?:portal|console|cli|ui|dashboard)\b"
    r"|\bwhich (?:[\w-]+ ){1,4}do i (?:chain|click|toggle)\b"
)
_ASSURANCE: Final = re.compile(
    r"\b(?:iso|27001|27002|soc ?2|soc|audit\w*|evidenc\w*|controls?|complian\w*|framework\w*|"
    r"nist|csf|owasp|nhis?|govern\w*|polic(?:y|ies)|certif(?:ication|ications|ied|y)|attest\w*|report|risk\w*|"
    r"least privilege|inventory|annex|criteri\w*)\b"
)


def _asks_howto(text: str) -> bool:
    if _SETTING.search(text) or _PRODUCT_DETAIL.search(text):
        return True
    return bool(_ASKS_HOW.search(text) and _OPERATION.search(text) and not _ASSURANCE.search(text))


def is_tool_howto(question: str) -> bool:
    """True for "how do I <operate something>" questions that name nothing about assurance,
    and for a longer message whose request is one ("... our SOC 2 access review pulls it
    from AD. How do I find which machine locks it out?"): its context is ours, its request
    is product support."""
    if _asks_howto(question.lower()):
        return True
    request = request_sentence(question)
    return request is not None and _asks_howto(request.lower())
