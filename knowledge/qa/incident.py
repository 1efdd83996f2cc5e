"""A live incident ("an attacker is using a stolen token right now, what do we do?"): refused.

The base explains what auditors expect and how identity risks are named, not how to respond
to a breach in progress; answering with the entry about leaked secrets or break-glass
accounts would read as incident guidance it cannot give. The asker needs their incident
response plan and people, and the refusal says so by offering nothing in its place. Written
from the out-of-scope pools' incident questions (tests/eval/oos_tuning*.yaml), then checked
against every labelled in-scope question (docs/knowledge.md, "Eighth round").
"""

from __future__ import annotations

import re
from typing import Final

#: Something is happening now: "as we speak", "in the next hour", "we've been
#: hacked", "a ransomware note this morning", "being exfiltrated".
_LIVE: Final = re.compile(
    r"\b(?:as we speak|in the next (?:hour|few hours|30 minutes)|"
    r"(?:we(?:'ve| have)?) (?:been|got|get) (?:hacked|breached|compromised|pwned)|"
    r"currently (?:under attack|being (?:attacked|exfiltrated))|under attack|"
    r"ransomware (?:note|attack|demand)|being exfiltrated|"
    r"attacker is (?:still )?(?:in|using|inside)|"
    r"active (?:breach|intrusion|attacker)|(?:live|ongoing) (?:breach|incident|intrusion))\b",
    re.IGNORECASE,
)


def is_live_incident(question: str) -> bool:
    """True when the message describes a breach or attack in progress."""
    return _LIVE.search(question) is not None
