"""Requests to write something ("write me a password policy", "the exact kubectl command").

The base answers what auditors expect and how the frameworks relate; it does not produce
code, commands, policies or emails. A message that asks for one is refused however much
identity-governance context comes with it ("... for SOC 2, that's all set. Can you write the
full LangChain code for an agent?"): answering with an entry about the context would read as
a wrong answer. Written as a general rule from the out-of-scope pools' kinds of request
(tests/eval/oos_tuning*.yaml), then checked against every labelled in-scope question.
"""

from __future__ import annotations

import re
from typing import Final

_ARTEFACT: Final = (
    r"(?:code|script|snippet|one-?liner|terraform|cloudformation|bicep|policy document|"
    r"password policy|email|e-mail|letter|template|regex|sql|query|playbook|runbook|function|"
    r"program|yaml|json|helm chart|dockerfile|powershell|bash|python)"
)
_WRITE: Final = re.compile(
    r"\b(?:write|draft|generate|compose|code up|give me|send me|produce)\s+(?:me\s+|us\s+)?"
    r"(?:up\s+)?(?:a|an|the|some|our|my)?\s*(?:full|complete|quick|sample|short|working|"
    r"simple|basic|ready-made|new)?\s*(?:[\w.-]+\s+){0,3}" + _ARTEFACT + r"s?\b"
    r"|\bwhat(?:'|’)?s\s+the\s+(?:exact\s+|right\s+|correct\s+)?(?:[\w.-]+\s+){0,3}(?:command|syntax|"
    r"one-?liner|cli)\b"
    r"|\b(?:bash|powershell|python)\s+(?:one-?liner|script|snippet)\b",
    re.IGNORECASE,
)


def is_writing_task(question: str) -> bool:
    """True when the message asks for code, a command or a document to be written."""
    return _WRITE.search(question) is not None
