"""Text normalisation shared by the index and the queries.

People type "iso vs soc2??", "svc acct creds", "SOC II type 2" or "5.16": documents and queries
go through the same steps (lowercase, accents, chat abbreviations to one canonical term,
control ids to one spelling, stop words out, Snowball stemming) so both sides meet on the same
terms without query expansion at run time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Final

import yaml
from snowballstemmer.english_stemmer import EnglishStemmer

# Ordered (pattern, replacement) pairs applied to lowercased text before tokenising.
# Multi-word spellings first, so "soc 2 type ii" becomes "soc2 type2" and not "soc2 type i".
_PHRASES: Final[list[tuple[str, str]]] = [
    (r"\biso\s*/?\s*iec\b", "iso"),
    (r"\b27001\s*:\s*(20\d\d)\b", r"27001 \1"),  # keep the edition year as its own term
    (r"\biso\s*-?\s*27001\b", "iso27001"),
    (r"\biso\s*-?\s*27k\b|\b27k\b|\b27001\b", "iso27001"),
    (r"\biso\s*-?\s*27002(?:\s*:\s*20(?:13|22))?\b|\b27002\b", "iso27002"),
    (r"\biso\s*-?\s*17021(?:-1)?\b", "iso17021"),
    (r"\biso\b(?!\s*[-/]?\s*\d)", "iso27001"),  # bare "iso"; "iso 9001" is another standard
    (r"\bsoc\s*-?\s*(?:2|ii|two)\b", "soc2"),
    (r"\bsoc\s*-?\s*(?:1|i|one)\b", "soc1"),
    (r"\bsoc\s*-?\s*(?:3|iii|three)\b", "soc3"),
    (r"\btype\s*-?\s*(?:2|ii|two)\b", "type2"),
    (r"\btype\s*-?\s*(?:1|i|one)\b", "type1"),
    (r"\bnist\s*csf\b|\bcyber\s*security\s+framework\b", "csf"),
    (r"\bcsf\s*(?:v\s*)?2(?:\.0)?\b", "csf csf2"),
    (r"\bcsf\s*(?:v\s*)?1\.1\b", "csf csf11"),
    (r"\b(pr|gv|id|de)\s*\.\s*([a-z]{2})\s*-\s*0?(\d)\b", r"\1\2 \1\2\3"),
    (r"\b(pr|gv|id|de)\s*\.\s*([a-z]{2})\b", r"\1\2"),
    (r"\bnhi\s*-?\s*0?(\d{1,2})(?:\s*:\s*2025)?\b", r"nhi\1"),
    (r"\bnon\s*-?\s*human(?:\s+identit(?:y|ies))?\b|\bnhis\b", "nhi"),
    (r"\bmachine\s+identit(?:y|ies)\b|\bworkload\s+identit(?:y|ies)\b", "nhi"),
    (r"\b(?:svc|service)\s*acc(?:oun)?ts?\b|\bsvc\s*accts?\b|\bsas\b", "serviceaccount"),
    (r"\bsa\b", "serviceaccount"),
    (r"\bbreak\s*-?\s*glass\b|\bemergency\s+access\b|\bfirecall\b", "breakglass"),
    (r"\bleast\s*-?\s*priv(?:ilege[sd]?)?\b|\bpolp\b|\bminimum\s+privileges?\b", "leastprivilege"),
    (r"\bpolicy\s*-?\s*as\s*-?\s*code\b|\bpac\b", "policyascode"),
    (r"\bapi\s*-?\s*keys?\b", "apikey"),
    (r"\bcreds?\b", "credential"),
    (r"\bpw\b|\bpwds?\b|\bpasswds?\b", "password"),
    (r"\bpam\b", "privileged access"),
    (r"\bsoa\b", "statement applicability"),
    (r"\bisms\b", "isms"),
    (r"\bde\s*-?\s*provision(?:ing|ed)?\b|\boff\s*-?\s*board(?:ing|ed)?\b", "offboard"),
    (r"\bmfa\b|\b2fa\b|\bmulti\s*-?\s*factor\b|\btwo\s*-?\s*factor\b", "mfa"),
    (r"\bcerts?\b|\bcertif(?:y|ied|ies|ying|icate|icates|ication|ications)\b", "certification"),
    (r"\bproofs?\b|\bprove[sdn]?\b|\bproving\b|\bevidenc(?:e|es|ed|ing)\b", "evidence"),
    (r"\bvs\.?\b|\bversus\b", "versus"),
    (r"\bowasp\s+nhi\s+top\s*(?:10|ten)\b|\bnhi\s+top\s*(?:10|ten)\b", "owasp nhi top10"),
    (r"\btop\s*(?:10|ten)\b", "top10"),
    (r"\bcross\s*-?\s*walk\b", "crosswalk"),
    (r"\bsecrets?\s+managers?\b|\bvaults?\b", "secretmanager"),
    (r"\bprod\b", "production"),
    (r"\b(?:fast|faster|fastest|quick|quicker|quickest|speedy|rapid)\b", "fast"),
    (r"\broute\b", "path"),
    (
        r"\b(?:credible|prestigious|respected|stronger|weaker|superior|inferior|better|worse)\b",
        "stronger",
    ),
    (r"\b(?:websites?|publicly|publish(?:ed|ing)?)\b", "public"),
    (r"\bcarr(?:y|ies|ied)\s+over\b|\btransfers?\b", "reuse"),
    (r"\bexam(?:s|ination|inations|ine)?\b", "audit"),
    (r"\bwho\s+(?:should|does|will|must|can)\s+own\b", "who owner"),
    (r"\borgs?\b|\borgani[sz]ations?\b", "organisation"),
    (r"([a-z])iz(e|es|ed|ing|ation|ations)\b", r"\1is\2"),  # US to UK spelling
    (r"(\d)\.(\d)", r"\1_\2"),
    (r"(\d)\.(\d)", r"\1_\2"),  # twice: "6.1.3" has overlapping matches
]
_COMPILED: Final = [(re.compile(p), r) for p, r in _PHRASES]
_TOKEN: Final = re.compile(r"[a-z0-9_]+")


def _load_stopwords() -> frozenset[str]:
    data = yaml.safe_load(resources.files("knowledge.qa").joinpath("stopwords.yaml").read_text())
    return frozenset(word for text in data.values() for word in text.split())


#: Words that carry no topic in a chat question (function words, chat filler, generic words).
STOPWORDS: Final[frozenset[str]] = _load_stopwords()

_STEMMER: Final = EnglishStemmer()


def canonicalise(text: str) -> str:
    """Lowercase, strip accents and rewrite synonyms/abbreviations to canonical terms."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("'s ", " ").replace("n't", "nt").replace("'", "")
    for pattern, replacement in _COMPILED:
        text = pattern.sub(replacement, text)
    return text


def words(text: str) -> list[str]:
    """Canonical, non-stop words before stemming (what spelling correction works on)."""
    return [w for w in _TOKEN.findall(canonicalise(text)) if w not in STOPWORDS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem; canonical terms with digits or underscores are kept."""
    if any(ch.isdigit() or ch == "_" for ch in word):
        return word
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, duplicates kept (term frequency matters)."""
    return [stem(w) for w in words(text)]
