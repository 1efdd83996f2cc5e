"""BM25F retrieval over knowledge entries, with spelling tolerance and query coverage.

Why BM25F and not one text blob: a word in the question or a paraphrase is far stronger
evidence than the same word in a long answer, and measurement (docs/knowledge.md) showed the
field weights below beat plain BM25. Each (term, entry) contribution is precomputed when the
index is built, so a query costs one dictionary look-up per query term plus a sort of the
entries that share a term with it.

`coverage` is the share of the query's informative words (IDF-weighted) that the best entry
contains. Words the whole base has never seen ("hipaa", "kubernetes", "lunch") count at the
highest IDF, so a question about something else scores low coverage even when one common word
("password") matches: that is what lets `ask` refuse honestly.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from knowledge.qa.models import Entry
from knowledge.qa.text import stem, words

#: Field weights (question, paraphrases, tags/controls, answer, detail), chosen by measurement.
FIELD_WEIGHTS: Final[dict[str, float]] = {
    "question": 3.0,
    "paraphrases": 3.0,
    "tags": 2.0,
    "answer": 0.5,
    "detail": 0.5,
}
K1: Final = 0.8
B: Final = 0.9
#: Weight of the best question/paraphrase match in the final score, and how many BM25F
#: candidates are re-ranked with it (re-ranking all entries would not scale to 10,000).
PARAPHRASE_WEIGHT: Final = 0.25
RERANK_DEPTH: Final = 20
#: Weight of a query word the base has never seen, as a share of the highest IDF.
UNKNOWN_WEIGHT: Final = 1.0
_MIN_CORRECTABLE = 6  # shorter words are too ambiguous to correct ("tyres" is not "types")


def entry_fields(entry: Entry) -> dict[str, str]:
    """The searchable text of an entry, per field."""
    return {
        "question": entry.question,
        "paraphrases": "\n".join(entry.paraphrases),
        "tags": " ".join(entry.tags + entry.controls),
        "answer": entry.answer,
        "detail": entry.detail or "",
    }


def _deletes(word: str) -> set[str]:
    """All strings one deletion away (symmetric-delete spelling correction)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


@dataclass(frozen=True)
class Hit:
    """One ranked entry for a query."""

    position: int  # index into the entries the index was built from
    score: float  # final score: norm_score + PARAPHRASE_WEIGHT * similarity
    coverage: float  # IDF-weighted share of query terms the entry contains (0..1)
    norm_score: float  # BM25F score / the query's maximum reachable score (0..1)
    similarity: float  # IDF-weighted Jaccard overlap with the closest question/paraphrase
    anchored: bool  # the query shares a domain term with this entry


@dataclass(frozen=True)
class Query:
    """A parsed query: stemmed terms with their IDF, and which were unknown to the base."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    unknown: tuple[str, ...]


class Bm25fIndex:
    """An immutable index over a fixed list of entries; build once, query many times."""

    def __init__(self, entries: Sequence[Entry], anchors: frozenset[str] = frozenset()) -> None:
        self.size = len(entries)
        self.anchors = frozenset(stem(w) for w in anchors)
        field_terms: list[dict[str, list[str]]] = []
        self._phrasings: list[list[frozenset[str]]] = []
        self._surface: dict[str, str] = {}  # unstemmed word -> stem, for spelling correction
        for entry in entries:
            per_field: dict[str, list[str]] = {}
            for name, text in entry_fields(entry).items():
                ws = words(text)
                per_field[name] = [stem(w) for w in ws]
                for w in ws:
                    self._surface.setdefault(w, stem(w))
            field_terms.append(per_field)
            self._phrasings.append(
                [frozenset(stem(w) for w in words(t)) for t in [entry.question, *entry.paraphrases]]
            )
        avg_len = {
            name: max(1.0, sum(len(ft[name]) for ft in field_terms) / max(1, self.size))
            for name in FIELD_WEIGHTS
        }
        doc_freq: Counter[str] = Counter()
        for ft in field_terms:
            doc_freq.update({t for ts in ft.values() for t in ts})
        self.idf: dict[str, float] = {
            t: math.log(1 + (self.size - df + 0.5) / (df + 0.5)) for t, df in doc_freq.items()
        }
        self.max_idf = math.log(1 + (self.size + 0.5) / 0.5)
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for pos, ft in enumerate(field_terms):
            pseudo_tf: dict[str, float] = defaultdict(float)
            for name, ts in ft.items():
                norm = 1 - B + B * len(ts) / avg_len[name]
                for t, count in Counter(ts).items():
                    pseudo_tf[t] += FIELD_WEIGHTS[name] * count / norm
            for t, weighted in pseudo_tf.items():
                self.postings[t].append((pos, self.idf[t] * weighted / (K1 + weighted)))
        self._delete_map: dict[str, set[str]] = defaultdict(set)
        for w in self._surface:
            if len(w) >= _MIN_CORRECTABLE:
                for d in _deletes(w) | {w}:
                    self._delete_map[d].add(w)

    def correct(self, word: str) -> str | None:
        """The known word closest to a misspelt one (edit distance about 1), if unambiguous."""
        if len(word) < _MIN_CORRECTABLE or not word.isalpha():
            return None  # ids such as "nis2" or "9001" are names, not typos
        candidates: set[str] = set()
        for key in _deletes(word) | {word}:
            candidates |= self._delete_map.get(key, set())
        if not candidates:
            return None
        # Prefer the most common stem, then the alphabetically first, for determinism.
        return min(candidates, key=lambda w: (-len(self.postings[self._surface[w]]), w))

    def parse(self, text: str) -> Query:
        """Stem the query, correct unknown words, and attach each term's IDF."""
        seen: dict[str, float] = {}
        unknown: list[str] = []
        for w in words(text):
            t = stem(w)
            if t not in self.idf:
                fixed = self.correct(w)
                if fixed is None:
                    if w not in unknown:
                        unknown.append(w)
                    seen.setdefault("?" + w, UNKNOWN_WEIGHT * self.max_idf)
                    continue
                t = self._surface[fixed]
            seen.setdefault(t, self.idf[t])
        return Query(tuple(seen), tuple(seen.values()), tuple(unknown))

    def _similarity(self, query: Query, position: int) -> float:
        """Best IDF-weighted Jaccard overlap between the query and one phrasing of the entry."""
        weights = dict(zip(query.terms, query.weights, strict=True))
        best = 0.0
        for phrasing in self._phrasings[position]:
            shared = sum(w for t, w in weights.items() if t in phrasing)
            if not shared:
                continue
            extra = sum(self.idf.get(t, 0.0) for t in phrasing if t not in weights)
            best = max(best, shared / (sum(weights.values()) + extra))
        return best

    def search(self, text: str, limit: int = 5) -> tuple[Query, list[Hit]]:
        """Rank entries for a query; returns the parsed query and the top `limit` hits."""
        query = self.parse(text)
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        anchored: set[int] = set()
        for term, weight in zip(query.terms, query.weights, strict=True):
            is_anchor = term in self.anchors
            for pos, contribution in self.postings.get(term, ()):
                scores[pos] += contribution
                matched[pos] += weight
                if is_anchor:
                    anchored.add(pos)
        total = sum(query.weights) or 1.0
        candidates = heapq.nsmallest(RERANK_DEPTH, scores.items(), key=lambda kv: (-kv[1], kv[0]))
        hits = []
        for pos, raw in candidates:
            sim = self._similarity(query, pos)
            norm = raw / total
            final = norm + PARAPHRASE_WEIGHT * sim
            hits.append(Hit(pos, final, matched[pos] / total, norm, sim, pos in anchored))
        hits.sort(key=lambda h: (-h.score, h.position))
        return query, hits[:limit]
