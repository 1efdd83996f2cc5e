"""Text normalisation shared by the index and the queries.

People type "iso vs soc2??", "svc acct creds", "SOC II type 2" or "5.16": documents and queries
go through the same steps (lowercase, accents, chat abbreviations to one canonical term,
control ids to one spelling, stop words out, Snowball stemming) so both sides meet on the same
terms without query expansion at run time.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from importlib import resources
from typing import Final

import snowballstemmer

from knowledge.safe_yaml import load_packaged

# Ordered (pattern, replacement, triggers) applied to lowercased text before tokenising.
# Multi-word spellings first, so "soc 2 type ii" becomes "soc2 type2" and not "soc2 type i".
# `triggers`: substrings one of which every match contains. A pattern is skipped when none is in
# the text, which makes normalisation several times faster (most patterns match almost no text;
# tests/test_kb_ask.py checks the result equals applying every pattern).
_PHRASES: Final[list[tuple[str, str, str]]] = [
    (r"\biso\s*/?\s*iec\b", "iso", "iec"),
    (r"\b27001\s*:\s*(20\d\d)\b", r"27001 \1", "27001"),  # keep the edition year as its own term
    (r"\biso\s*-?\s*27001\b", "iso27001", "27001"),
    (r"\biso\s*-?\s*27k\b|\b27k\b|\b27001\b", "iso27001", "27k 27001"),
    (r"\biso\s*-?\s*27002(?:\s*:\s*20(?:13|22))?\b|\b27002\b", "iso27002", "27002"),
    (r"\biso\s*-?\s*17021(?:-1)?\b", "iso17021", "17021"),
    # other members of the 27000 family the base explains (issue 11: 27017, 27701, 27006)
    (
        r"\b(?:iso\s*-?\s*)?(27017|27701|27006)(?:-1)?(?:\s*:\s*20\d\d)?\b",
        r"iso\1",
        "27017 27701 27006",
    ),
    # bare "iso"; "iso 9001" is another standard, and "iso country code" or "iso date format"
    # are ISO 3166 and ISO 8601, not an ISMS
    (
        r"\biso\b(?!\s*[-/]?\s*\d)(?!\s+(?:countr(?:y|ies)|currenc(?:y|ies)|languages?|date|week|time|timestamps?)\b)",
        "iso27001",
        "iso",
    ),
    (r"\bsoc\s*-?\s*(?:2|ii|two)\b", "soc2", "soc"),
    (r"\bsoc\s*-?\s*(?:1|i|one)\b", "soc1", "soc"),
    (r"\bsoc\s*-?\s*(?:3|iii|three)\b", "soc3", "soc"),
    # "our SOC report", "the soc audit": in identity-assurance talk that is SOC 2 (a SOC team,
    # a security operations centre, has no report or audit of its own here)
    (r"\bsoc\s+(reports?|audits?|examinations?|attestations?)\b", r"soc2 \1", "soc"),
    # "who can issue / sign / perform" asks who is allowed to (a CPA firm, a certification
    # body); "who", "can" and "issue" alone are stop words, which left "soc2 report"
    (
        r"\bwho\s+(?:can|could|may|is allowed to|are allowed to|should|must|is able to)?\s*"
        r"(?:issues?|issued|signs?|signed|performs?|audits?|certif(?:y|ies))\b",
        "whoissues",
        "who",
    ),
    # "how often" asks for an interval (rotation, reviews, surveillance audits); "often" alone
    # is a stop word, which left "how often should svc acct creds be rotated" without it
    (r"\bhow\s+(?:often|frequently)\b|\bfrequency\b", "howoften", "often frequen"),
    (r"\btype\s*-?\s*(?:2|ii|two)\b", "type2", "type"),
    (r"\btype\s*-?\s*(?:1|i|one)\b", "type1", "type"),
    (r"\bstage\s*-?\s*(?:1|one)\b", "stage1", "stage"),  # ISO certification audit stages
    (r"\bstage\s*-?\s*(?:2|two)\b", "stage2", "stage"),
    (r"\b(\d+)\s*(?::|to)\s*1\b", r"\1 ratio", "1"),  # "82:1", "109 to 1": NHI-per-human ratios
    (r"\bnist\s*csf\b|\bcyber\s*security\s+framework\b", "csf", "csf security"),
    (r"\bcsf\s*(?:v\s*)?2(?:\.0)?\b", "csf csf2", "csf"),
    (r"\bcsf\s*(?:v\s*)?1\.1\b", "csf csf11", "csf"),
    (r"\b(pr|gv|id|de)\s*\.\s*([a-z]{2})\s*-\s*0?(\d)\b", r"\1\2 \1\2\3", "."),
    (r"\b(pr|gv|id|de)\s*\.\s*([a-z]{2})\b", r"\1\2", "."),
    (r"\bnhi\s*-?\s*0?(\d{1,2})(?:\s*:\s*2025)?\b", r"nhi\1", "nhi"),
    (r"\bnon\s*-?\s*human(?:\s+identit(?:y|ies))?\b|\bnhis\b", "nhi", "human nhis"),
    # practitioners' abbreviations for assurance terms (issue 11: "soc2 t1 vs t2", "tscs",
    # "cuecs", "a minor nc", "an ofi")
    (r"\bt\s?(1|2)\b(?![._]\w)(?!\s*(?:weeks?|days?|months?|years?)\b)", r"type\1", "t"),
    (
        r"\btrust\s+services?\s+(?:criteria|categor(?:y|ies))\b|\btscs?\b",
        "tsc",
        "trust tsc",
    ),
    (r"\bcomplementary\s+user\s+entity\s+controls?\b|\bcuecs?\b", "cuec", "complementary cuec"),
    # "nc" alone is as often North Carolina: only "minor/major nc" or the plural
    (
        r"\bnon\s*-?\s*conformit(?:y|ies)\b|\b(?:minor|major)\s+ncs?\b|\bncs\b",
        "nonconformity",
        "conformit nc",
    ),
    (r"\bopportunit(?:y|ies)\s+for\s+improvement\b|\bofis?\b", "ofi", "opportunit ofi"),
    (r"\b(?:bridge|gap)\s+letters?\b", "bridgeletter", "letter"),
    # identity kinds by their usual short names
    (r"\bpersonal\s+access\s+tokens?\b|\bpats?\b", "pat", "personal pat"),
    (r"\bworkload\s+identity\s+federation\b|\bwif\b", "workloadfederation nhi", "federation wif"),
    (r"\bauthori[sz]ed_keys\b", "sshkey", "authori"),
    (r"\bssh\s*-?\s*keys?\b", "sshkey", "ssh"),
    (r"\bk8s\b", "kubernetes", "k8s"),
    (r"\bppl\b", "people", "ppl"),
    (r"\bmachine\s+identit(?:y|ies)\b|\bworkload\s+identit(?:y|ies)\b", "nhi", "identit"),
    (
        r"\b(?:svc|service)\s*acc(?:oun)?ts?\b|\bsvc\s*accts?\b|\bsas\b",
        "serviceaccount",
        "acc sas",
    ),
    (r"\bsa\b", "serviceaccount", "sa"),
    (
        r"\bbreak\s*-?\s*glass\b|\bemergency\s+access\b|\bfirecall\b",
        "breakglass",
        "glass emergency firecall",
    ),
    (
        r"\bleast\s*-?\s*priv(?:ilege[sd]?)?\b|\bpolp\b|\bminimum\s+privileges?\b",
        "leastprivilege",
        "priv polp",
    ),
    (r"\bpolicy\s*-?\s*as\s*-?\s*code\b|\bpac\b", "policyascode", "code pac"),
    (r"\bapi\s*-?\s*(?:keys?|tokens?)\b", "apikey", "api"),
    (r"\bcreds?\b", "credential", "cred"),
    (r"\bpw\b|\bpwds?\b|\bpasswds?\b", "password", "pw passwd"),
    (r"\bpam\b", "privileged access", "pam"),
    (r"\bsoa\b", "statement applicability", "soa"),
    (r"\bisms\b", "isms", "isms"),
    (
        r"\bde\s*-?\s*provision(?:ing|ed)?\b|\boff\s*-?\s*board(?:ing|ed)?\b",
        "offboard",
        "provision board",
    ),
    (r"\bmfa\b|\b2fa\b|\bmulti\s*-?\s*factor\b|\btwo\s*-?\s*factor\b", "mfa", "mfa 2fa factor"),
    (
        r"\bcerts?\b|\bcertif(?:y|ied|ies|ying|icate|icates|ication|ications)\b",
        "certification",
        "cert",
    ),
    (
        r"\bproofs?\b|\bprove[sdn]?\b|\bproving\b|\bevidenc(?:e|es|ed|ing)\b",
        "evidence",
        "proof prov evidenc",
    ),
    (r"\bvs\.?\b|\bversus\b", "versus", "vs versus"),
    (r"\b(?:eu\s+)?ai\s+act\b", "euaiact", "act"),  # another regulation (foreign_terms.yaml)
    (r"\bowasp\s+nhi\s+top\s*(?:10|ten)\b|\bnhi\s+top\s*(?:10|ten)\b", "owasp nhi top10", "top"),
    (r"\btop\s*(?:10|ten)\b", "top10", "top"),
    (r"\bcross\s*-?\s*walk\b", "crosswalk", "walk"),
    (r"\bsecrets?\s+managers?\b|\bvaults?\b", "secretmanager", "manager vault"),
    (r"\bprod\b", "production", "prod"),
    (
        r"\b(?:fast|faster|fastest|quick|quicker|quickest|speedy|rapid)\b",
        "fast",
        "fast quick speedy rapid",
    ),
    (r"\broute\b", "path", "route"),
    (
        r"\b(?:credible|prestigious|respected|stronger|weaker|superior|inferior|better|worse)\b"
        r"|\bworth\s+(?:more|less)\b",
        "stronger",
        "credible prestigious respected stronger weaker superior inferior better worse worth",
    ),
    (r"\b(?:websites?|publicly|publish(?:ed|ing)?)\b", "public", "website public publish"),
    (r"\bcarr(?:y|ies|ied)\s+over\b|\btransfers?\b", "reuse", "carr transfer"),
    (r"\bexam(?:s|ination|inations|ine)?\b", "audit", "exam"),
    (r"\bwho\s+(?:should|does|will|must|can)\s+own\b", "who owner", "own"),
    (r"\borgs?\b|\borgani[sz]ations?\b", "organisation", "org"),
    (r"([a-z])iz(e|es|ed|ing|ation|ations)\b", r"\1is\2", "iz"),  # US to UK spelling
    (r"(\d)\.(\d)", r"\1_\2", "."),
    (r"(\d)\.(\d)", r"\1_\2", "."),  # twice: "6.1.3" has overlapping matches
]
_COMPILED: Final = [(re.compile(p), r, frozenset(t.split())) for p, r, t in _PHRASES]


def _index_triggers() -> dict[str, list[int]]:
    by_trigger: dict[str, list[int]] = {}
    for index, (_pattern, _replacement, triggers) in enumerate(_COMPILED):
        for trigger in triggers:
            by_trigger.setdefault(trigger, []).append(index)
    return by_trigger


#: trigger -> indices of the patterns it can enable
_BY_TRIGGER: Final = _index_triggers()
_TOKEN: Final = re.compile(r"[a-z0-9_]+")


def _load_stopwords() -> frozenset[str]:
    data = load_packaged(resources.files("knowledge.qa").joinpath("stopwords.yaml").read_text())
    return frozenset(word for text in data.values() for word in text.split())


#: Words that carry no topic in a chat question (function words, chat filler, generic words).
STOPWORDS: Final[frozenset[str]] = _load_stopwords()


class _ThreadStemmer(threading.local):
    """One Snowball stemmer per thread: a stemmer keeps the word being stemmed and its cursors
    on the instance, so a shared one raised IndexError when the Slack/Teams worker threads
    (`asyncio.to_thread`) stemmed at the same time. A lock would serialise every cache miss;
    a stemmer per thread costs a few hundred bytes. `snowballstemmer.stemmer` is PyStemmer's
    C build of the same Snowball algorithm when it is installed (a dependency: the same stems
    on every word of the pack and the evaluation sets, and building the index at start-up went
    from about 0.4 s of stemming to 0.02 s), its pure-Python one otherwise."""

    def __init__(self) -> None:
        self.stemmer = snowballstemmer.stemmer("english")


_STEMMERS: Final = _ThreadStemmer()


def canonicalise(text: str) -> str:
    """Lowercase, strip accents and rewrite synonyms/abbreviations to canonical terms."""
    if not text.isascii():  # ASCII has no accents: skip the per-character pass
        text = unicodedata.normalize("NFKD", text)
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.lower()
    text = text.replace("’", "'").replace("'s ", " ").replace("n't", "nt").replace("'", "")
    pending = _candidates(text, 0)
    k = 0
    while k < len(pending):
        pattern, replacement, _ = _COMPILED[pending[k]]
        changed = pattern.sub(replacement, text)
        if changed != text:  # a rewrite can bring in a later pattern's trigger ("iso27001")
            text = changed
            pending, k = _candidates(text, pending[k] + 1), 0
        else:
            k += 1
    return text


def _candidates(text: str, start: int) -> list[int]:
    """Indices (>= start, in order) of the patterns whose triggers occur in the text."""
    found: set[int] = set()
    for trigger, indices in _BY_TRIGGER.items():
        if trigger in text:
            found.update(indices)
    return sorted(i for i in found if i >= start)


def words(text: str) -> list[str]:
    """Canonical, non-stop words before stemming (what spelling correction works on)."""
    return [w for w in _TOKEN.findall(canonicalise(text)) if w not in STOPWORDS]


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Snowball (Porter 2) stem; canonical terms with digits or underscores are kept."""
    if any(ch.isdigit() or ch == "_" for ch in word):
        return word
    return str(_STEMMERS.stemmer.stemWord(word))


def terms(text: str) -> list[str]:
    """The index terms of a text, in order, duplicates kept (term frequency matters)."""
    return [stem(w) for w in words(text)]


def clear_caches() -> None:
    """Forget cached stems (tests use it to exercise the stemmer itself)."""
    stem.cache_clear()
