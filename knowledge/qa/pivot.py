"""Messages that change the subject: "... for SOC 2, that's all set. Unrelated, can you ...?".

A long message can give our context (service accounts, an ISO 27001 audit) and then ask for
something else. The classifier sees the context and may be sure of an entry; the words that
say the request is elsewhere ("unrelated", "separately", "side question") are stop words or
carry no topic. When a message says, at a clause start, that it changes the subject, only
what follows the last such marker is the request; `ask` refuses when that part shares no
domain term with the entry and has a word the base does not know or a foreign one ("a good
recipe for sourdough"), so a follow-up in our words ("side question: how often should it be
tested?") is still answered (measured on the out-of-scope pools, tests/eval/oos_tuning*.yaml;
docs/knowledge.md).
"""

from __future__ import annotations

import re
from typing import Final

#: A marker that the rest of the message is about something else, at a clause start.
_PIVOT: Final = re.compile(
    r"(?:^|[.!?;:,]\s*)"
    r"(?:totally\s+|completely\s+|also\s+|a\s+bit\s+|slightly\s+)?"
    r"(?:unrelated|separately|meanwhile|on\s+(?:an\s*)?other\s+note|off[-\s]topic"
    r"|(?:quick\s+|random\s+|unrelated\s+)?side\s+(?:question|note|q)"
    r"|(?:a\s+)?(?:different|random|unrelated)\s+(?:topic|question|subject)"
    r"|chang(?:e|ing)\s+(?:the\s+)?(?:subject|topic)|while\s+i\s+have\s+you"
    r"|anyway(?:s)?(?=\s*[,.!:-]))\b",
    re.IGNORECASE,
)


def request_after_pivot(question: str) -> str | None:
    """What follows the last change-of-subject marker, or None when the message has none."""
    markers = list(_PIVOT.finditer(question))
    return question[markers[-1].end() :] if markers else None
