"""Does a regulator or regime require or favour a framework? ("does DORA require ISO 27001?")

Regulators' and regimes' names are foreign words (knowledge/qa/foreign_terms.yaml,
`regulators_and_regimes`): the base does not explain what DORA or the FCA require, so a
question about that is refused. Whether one of them calls for ISO/IEC 27001 or SOC 2 is a
different question, and `regulated-organisations` answers it for any regime (most require
neither; DORA and NIS2 ask for an ICT risk-management framework that an ISMS supports). When
the classifier picks that entry for a message whose only foreign words name regimes and which
names a framework, those words no longer count against it.
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Final

from knowledge.qa.index import Query
from knowledge.safe_yaml import load_packaged

#: The entry that answers "does regime X require or favour ISO/IEC 27001 or SOC 2?".
REGULATED_ENTRY: Final = "regulated-organisations"
#: The message names the choice: ISO/IEC 27001 (not "iso 9001"), SOC 2, or a certification.
_FRAMEWORK: Final = re.compile(
    r"27001|\b27k\b|\bisms\b|\biso\b(?!\s*[-/]?\s*\d)|\bsoc\s*-?\s*(?:2|ii|two)\b|\bsoc2\b"
    r"|\bcertif\w*|\battestation\b"
)


@lru_cache(maxsize=1)
def regime_words() -> frozenset[str]:
    """Names of regulators and regimes, as typed (lower case)."""
    text = resources.files("knowledge.qa").joinpath("foreign_terms.yaml").read_text("utf-8")
    return frozenset(str(load_packaged(text)["regulators_and_regimes"]).split())


#: ...and asks whether the regime calls for it: "require", "mandate", "accept", "favour",
#: "enough" ("what does HIPAA say about encryption, we are iso 27001 certified" does not).
_FIT: Final = re.compile(
    r"\brequir\w*|\bmandat\w*|\bneeds?\b|\bexpect\w*|\baccept\w*|\benough\b|\bsufficient\b|"
    r"\bfavou?r\w*|\bpush\w*|\btip\b|\bprefer\w*|\brecogni[sz]\w*|\bcounts?\b|\bsatisf\w*|"
    r"\bobligat\w*|\bforce\w*|\bmean\b|\banchor\w*|\bshould\s+(?:we|i)\b"
)


def asks_regime_fit(question: str, query: Query) -> bool:
    """True when every foreign word names a regime and the message asks whether that regime
    calls for a framework it names."""
    text = question.lower()
    return (
        bool(query.foreign)
        and all(w in regime_words() for w in query.foreign)
        and _FRAMEWORK.search(text) is not None
        and _FIT.search(text) is not None
    )
