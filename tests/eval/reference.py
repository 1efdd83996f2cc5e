"""Plain versions of the optimised normalisation and search, and the texts to compare them on.

The speed work on knowledge/qa (trigger short-cuts in `canonicalise`, max-score pruning in
`Bm25fIndex.search`) must not change a single term, score or ranking; tests/test_kb_ask.py
compares both with these straightforward algorithms.
"""

from __future__ import annotations

import heapq
import random
import unicodedata
from collections import defaultdict

from knowledge.qa import text as qa_text
from knowledge.qa.index import PARAPHRASE_WEIGHT, RERANK_DEPTH, Bm25fIndex, Hit
from knowledge.qa.loader import load_shipped
from knowledge.qa.models import Entry
from tests.eval.harness import all_sets


def reference_canonicalise(text: str) -> str:
    """Every rewrite pattern applied in order, without the trigger short-cut."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    text = text.replace("’", "'").replace("'s ", " ").replace("n't", "nt").replace("'", "")
    for pattern, replacement, _ in qa_text._COMPILED:
        text = pattern.sub(replacement, text)
    return text


#: Pieces of the rewrite patterns and separators, mixed at random by `corpus`.
_FRAGMENTS = (
    "iso iec 27001 27k 27002 17021 soc ii type one stage 1 2 3 : to csf v nist pr . aa - 05 "
    "nhi non human identity svc acct sa sas break glass least priv api keys cred pw pam soa "
    "de provision off board mfa cert prove vs top ten cross walk vault prod org realize who "
    "should own exam carry over website better fast route / é"
)


def corpus() -> list[str]:
    """Entry texts, evaluation questions, tricky spellings and seeded random mixes of pattern
    fragments and separators (so triggers are tested where patterns nearly match)."""
    texts = [
        t
        for item in load_shipped()
        for t in (
            item.entry.question,
            item.entry.answer,
            item.entry.detail or "",
            *item.entry.paraphrases,
            " ".join(item.entry.tags + item.entry.controls),
        )
    ]
    for _, cases, oos in all_sets():
        texts += [c.question for c in cases] + oos
    texts += [
        "ISO/IEC 27001:2022 vs SOC II Type 2",
        "iso 9001",
        "Iso-27k",
        "PR.AA-05 and GV.RM",
        "NHI-07:2025",
        "A.5.16, 6.1.3 d)",
        "82:1 or 109 to 1",
        "stage 1 / stage two",
        "svc accts, SAs & creds",
        "Organizations minimize",
        "Résumé naïve café",
        "cyber security framework",
        "break-glass firecall",
        "least-priv POLP",
        "policy-as-code PAC",
        "de-provisioned off-boarding",
        "2FA multi factor",
        "certs certifying",
        "proofs proven evidenced",
        "vs. versus",
        "owasp nhi top ten",
    ]
    rng = random.Random(7)
    fragments = _FRAGMENTS.split()
    for _ in range(3000):
        parts = rng.choices(fragments, k=rng.randint(2, 9))
        texts.append("".join(p + rng.choice(["", " ", " ", "-", "/", ".", ":"]) for p in parts))
    return texts


def reference_search(index: Bm25fIndex, text: str, limit: int) -> list[Hit]:
    """The straightforward ranking the optimised `search` must reproduce exactly."""
    query = index.parse(text)
    scores: dict[int, float] = defaultdict(float)
    matched: dict[int, float] = defaultdict(float)
    anchored: set[int] = set()
    for term, weight in zip(query.terms, query.weights, strict=True):
        for pos, contribution in index.postings.get(term, {}).items():
            scores[pos] += contribution
            matched[pos] += weight
            if term in index.anchors:
                anchored.add(pos)
    total = sum(query.weights) or 1.0
    foreign_share = index.max_idf * len(query.foreign) / total
    best = heapq.nsmallest(RERANK_DEPTH, scores.items(), key=lambda kv: (-kv[1], kv[0]))
    hits = []
    for pos, raw in best:
        sim = index._similarity(query, pos)
        hits.append(
            Hit(
                pos,
                raw / total + PARAPHRASE_WEIGHT * sim,
                matched[pos] / total,
                raw / total,
                sim,
                pos in anchored,
                foreign_share,
            )
        )
    hits.sort(key=lambda h: (-h.score, h.position))
    return hits[:limit]


def synthetic(n: int) -> list[Entry]:
    """Schema-valid entries over the shipped vocabulary, with repeats so scores tie."""
    rng = random.Random(11)
    vocab = sorted({w for i in load_shipped() for w in i.entry.answer.lower().split()})
    source = {"title": "Synthetic", "url": "https://example.org/syn"}
    return [
        Entry.model_validate(
            {
                "id": f"syn-{k}",
                "question": " ".join(rng.choices(vocab, k=6)) + "?",
                "paraphrases": [" ".join(rng.choices(vocab, k=4)) for _ in range(2)],
                "answer": " ".join(rng.choices(vocab, k=30)) + ".",
                "sources": [source],
                "tags": rng.choices(vocab, k=2),
                "controls": [],
            }
        )
        for k in range(n // 2)
    ] * 2
