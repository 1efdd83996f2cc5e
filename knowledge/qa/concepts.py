"""Definition questions: "what is SOC 2, for a non-technical board member?".

Such a message names one concept and otherwise only says who is asking or how short the
answer should be. Those words are not in the defining entry, so its coverage is low and both
rankers' refusal rules refuse, although the classifier is sure (issue 11: "a definition
question gets the definition, not the evidence entry"). `definition_entry` recognises the
shape, a definitional cue plus one concept name plus framing words only (a word the base has never
seen must be a framing word too: "what is pam in cooking" is about something else), and names
the entry that defines it (knowledge/qa/concepts.yaml). `ask` asks it before the rankers:
measured, answering such questions with the definition even where a ranker chose another
entry gave no more wrong answers (docs/knowledge.md, "Sixth round").
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources
from typing import Final

from knowledge.qa.index import Query
from knowledge.qa.text import stem, words
from knowledge.safe_yaml import load_packaged

#: A definitional cue: "what is", "wat's", "define", "explained", "in plain english", "= ?".
_CUE: Final = re.compile(
    r"\bw(?:h)?at(?:'|’)?s\b|\bwh?at\s+(?:is|are|exactly is|actually is|even is)\b|\bwht\b"
    r"|\bdefin\w*|\bmeaning\b|\bmeans?\b|\bexplan\w*|\bexplain\w*|\beli5\b"
    r"|\b(?:plain|normal|simple|everyday) (?:english|terms|words|language)\b|\bin a nutshell\b"
    r"|\bin (?:simple|layman'?s?) terms\b|\b101\b|\bbasics\b|\bprimer\b|\bintro(?:duction)? to\b"
    r"|\bstand for\b|=\s*\?|\bsummar\w*|\boverview\b|\bin (?:one|two|three|a few) (?:lines?|"
    r"sentences?|words)\b"
)


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, tuple[frozenset[str], ...]], frozenset[str]]:
    text = resources.files("knowledge.qa").joinpath("concepts.yaml").read_text("utf-8")
    data = load_packaged(text)
    concepts = {
        entry_id: tuple(frozenset(stem(w) for w in words(name)) for name in names)
        for entry_id, names in data["concepts"].items()
    }
    framing = frozenset(stem(w) for w in str(data["framing"]).split())
    return concepts, framing


def framing_words() -> frozenset[str]:
    """The stemmed words that only say who asks or how to put the answer ("for the board")."""
    return _data()[1]


def definition_entry(question: str, query: Query) -> str | None:
    """The entry defining the one concept a definition question asks about, or None."""
    if query.foreign or not _CUE.search(question.lower()):
        return None
    concepts, framing = _data()
    if any(stem(word) not in framing for word in query.unknown):
        return None  # "what is pam in cooking", "what is soc 2 for my cat": another subject
    known = query.known
    named = [
        (len(name), entry_id)
        for entry_id, names in concepts.items()
        for name in names
        if name and name <= known and not (known - name - framing)
    ]
    return max(named)[1] if named else None  # the longest name ("soc 2 bridge letter")
