"""Requests to write something ("write me a password policy", "the exact kubectl command").

The base answers what auditors expect and how the frameworks relate; it does not produce
code, commands, policies or emails. A message that asks for one is refused however much
identity-governance context comes with it ("... for SOC 2, that's all set. Can you write the
full LangChain code for an agent?"): answering with an entry about the context would read as
a wrong answer. Only a request counts: the verb opens a clause or follows "can you",
"please", "help me" ("do we need to write a password policy for ISO 27001?" and "we generate
a json export of access reviews" are questions about governance). Written as a general rule
from the out-of-scope pools' kinds of request (tests/eval/oos_tuning*.yaml), then checked
against every labelled in-scope question and a reviewer's own questions.
"""

from __future__ import annotations

import re
from typing import Final

from knowledge.qa.request import sentences

#: Where a request to write starts: a clause, or "can you" / "please" / "help me" / "I need".
_ASKING: Final = (
    r"(?:^|[.!?;:,\n]\s*|\b(?:can|could|would|will)\s+you\s+(?:please\s+|pls\s+)?"
    r"|\bplease\s+|\bpls\s+|\bhelp\s+(?:me|us)\s+|\bi\s+need\s+(?:you\s+to\s+)?)"
)
_VERB: Final = r"(?:write|draft|generate|compose|code\s+up|give\s+me|send\s+me|produce|create)"
#: Code and configuration, by the names of its artefacts (both lists below use them).
_CODE_ARTEFACTS: Final = (
    r"code|script|snippet|one-?liner|terraform|cloudformation|bicep|regex|sql|query|yaml|"
    r"dockerfile|helm chart|(?:excel|spreadsheet|sheets)\s+(?:formula|macro)|vba\s+macro|vba"
)
_ARTEFACT: Final = (
    r"(?:" + _CODE_ARTEFACTS + r"|policy document|policy|password policy|email|e-mail|template|"
    r"playbook|runbook|program|powershell|bash|html|css|press release|announcement|blog post|"
    r"linkedin post|tweet|contract clause|clause|memo|slide deck|slides|"
    r"statement of applicability|soa|spreadsheet)"
)
#: Code by its language, which asks for a program whatever verb comes with it ("python script
#: that finds and rotates old keys pls", "now I just want the Terraform code for it").
_CODE: Final = r"(?:" + _CODE_ARTEFACTS + r"|function|lambda|module)"
_LANGUAGE: Final = (
    r"(?:python|bash|powershell|terraform|go|golang|node|javascript|typescript|ruby|perl|shell)"
)
_WRITE: Final = re.compile(
    _ASKING + _VERB + r"\s+(?:me\s+|us\s+)?(?:up\s+)?(?:a|an|the|some|our|my|those|these)?\s*"
    r"(?:[\w.-]+\s+){0,3}" + _ARTEFACT + r"s?\b"
    # "what's the exact kubectl command / syntax", not "the chain of command"
    r"|\bwhat(?:'|’)?s\s+the\s+(?:exact\s+|right\s+|correct\s+)?(?:[\w.-]+\s+){0,3}"
    r"(?<!\bof\s)(?:command|syntax|one-?liner)\b"
    # "can you help me debug his ssh config": troubleshooting someone's set-up
    r"|" + _ASKING + r"(?:debug|troubleshoot)\b"
    # "can you set up Okta Workflows to deprovision leavers?": doing the work, not advising
    # ("would you implement JIT before the audit?" asks for advice)
    r"|\b(?:can|could)\s+you\s+(?:please\s+)?(?:set\s?up|configure|install)\b"
    # "fill in our statement of applicability for A.5.15 to A.5.18"
    r"|" + _ASKING + r"(?:fill\s+(?:in|out)|populate)\s+(?:the|our|my|a)\s+",
    re.IGNORECASE,
)
#: Code asked for by its language, in a sentence that asks no question ("python script that
#: finds and rotates old keys pls", "Now I just want the Terraform code for it."): with a
#: question mark it is context ("Terraform code for IAM roles is reviewed in pull requests:
#: is that enough for CC8.1?").
_CODE_REQUEST: Final = re.compile(
    r"^\s*(?:an?\s+)?" + _LANGUAGE + r"\s+" + _CODE + r"\s+(?:that|to|which|for)\b"
    r"|\b(?:i|we)\s+(?:just\s+|really\s+|only\s+)?(?:want|need)\s+(?:the|a|an|some)\s+"
    r"(?:[\w.-]+\s+){0,2}" + _LANGUAGE + r"\s+" + _CODE + r"\b",
    re.IGNORECASE,
)


#: "... the migration script ..., can you write it?": the request points back at an artefact.
_WRITE_IT: Final = re.compile(_ASKING + _VERB + r"\s+(?:it|them|this|that|one)\b", re.IGNORECASE)
_ARTEFACT_NAMED: Final = re.compile(r"\b" + _ARTEFACT + r"s?\b", re.IGNORECASE)


def is_writing_task(question: str) -> bool:
    """True when the message asks for code, a command or a document to be written, by name
    or by pointing back at one it mentions."""
    if _WRITE.search(question) is not None:
        return True
    if any(_CODE_REQUEST.search(part) for part in sentences(question) if "?" not in part):
        return True
    return _WRITE_IT.search(question) is not None and bool(_ARTEFACT_NAMED.search(question))
