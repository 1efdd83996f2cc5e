"""The sentence of a long message that asks for something ("... Can you write the code?").

A message of several sentences usually gives context first and asks last. The classifier reads
all of it, so a message whose context is ours and whose request is not can make it sure of an
entry. `ask`'s sure tier, which answers on little of the question, therefore also needs the
request itself to share a domain term with the entry (docs/knowledge.md, "Sixth round").
"""

from __future__ import annotations

import re
from typing import Final

_SENTENCE_END: Final = re.compile(r"(?<=[.!?])\s+|\n+")


def request_sentence(question: str) -> str | None:
    """The last sentence that asks (ends with "?"), else the last sentence; None when the
    message is a single sentence, which is all request."""
    sentences = [s for s in _SENTENCE_END.split(question.strip()) if s.strip()]
    if len(sentences) < 2:
        return None
    asking = [s for s in sentences if "?" in s]
    return (asking or sentences)[-1]
