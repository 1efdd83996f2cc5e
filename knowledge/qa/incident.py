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

#: Something is happening now: "as we speak", "in the next hour", "we just got breached", "a
#: ransomware note this morning", "someone is logged in as ... right now"; not a past breach
#: ("we got breached in 2023", "after we've been breached"), a hypothesis ("if an attacker is
#: using a stolen token") or an alert to classify ("an active intrusion alert").
_LIVE: Final = re.compile(
    r"\b(?:as we speak|in the next (?:hour|few hours|30 minutes)|"
    r"(?:we(?:'re| are) being|we just got|we(?:'ve| have) just been) "
    r"(?:hacked|breached|compromised|pwned)|"
    r"currently (?:under attack|being (?:attacked|exfiltrated))|under attack (?:right )?now|"
    r"ransomware (?:note|demand)|being exfiltrated|"
    r"(?:is|are) (?:logged in|using|pushing|exfiltrating|attacking)\b[^.?!]{0,60}\bright now)\b",
    re.IGNORECASE,
)


def is_live_incident(question: str) -> bool:
    """True when the message describes a breach or attack in progress."""
    return _LIVE.search(question) is not None
