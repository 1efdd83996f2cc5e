"""BM25F retrieval over knowledge entries, with spelling tolerance and query coverage.

Why BM25F and not one text blob: a word in the question or a paraphrase is far stronger
evidence than the same word in a long answer, and measurement (docs/knowledge.md) showed the
field weights below beat plain BM25. Each (term, entry) contribution is precomputed when the
index is built, so a query costs one dictionary look-up per query term plus a sort of the
entries that share a term with it.

`coverage` is the share of the query's informative words (IDF-weighted) that the best entry
contains. Words the whole base has never seen ("hipaa", "kubernetes", "lunch") count at the
highest IDF, so a question about something else scores low coverage even when one common word
("password") matches: that is what lets `ask` refuse honestly. Words that name a subject the
pack does not cover (`foreign`: "pci", "ssh", "iso 9001") are reported on the hit as
`foreign_share`, whether or not the base mentions them in passing; `ask` refuses on them.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Collection, Sequence
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
#: Weight of a query word the base has never seen, as a share of the highest IDF. Lower values
#: (treating "CEO" or "hospital" as neutral) were measured on all four evaluation sets: they
#: answered a few more in-scope questions but let more out-of-scope ones through and gave more
#: wrong answers (docs/knowledge.md), so an unseen word still counts in full.
UNKNOWN_WEIGHT: Final = 1.0
_EPSILON: Final = 1e-9  # float slack when comparing partial sums against a bound
_MIN_CORRECTABLE = 6  # shorter words are too ambiguous to correct ("tyres" is not "types")


def _is_plain_number(word: str) -> bool:
    """A count or a year says nothing about the subject; a longer number usually names a
    standard ("9001", "27018"), which the foreign-id rule judges. Numbers the base itself
    uses ("93" Annex A controls, "90" days, the "2013" edition) stay terms (`parse`)."""
    return word.isdigit() and (len(word) <= 3 or (len(word) == 4 and word[:2] in {"19", "20"}))


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
    foreign_share: float = 0.0  # IDF-weighted share of the query naming uncovered subjects


@dataclass(frozen=True)
class Query:
    """A parsed query: stemmed terms with their IDF, and which were unknown to the base."""

    terms: tuple[str, ...]
    weights: tuple[float, ...]
    unknown: tuple[str, ...]  # words the base has never seen (weighted UNKNOWN_WEIGHT)
    foreign: tuple[str, ...] = ()  # words naming a subject the base does not cover

    @property
    def known(self) -> frozenset[str]:
        """The terms the base knows: neither unseen (``?word``) nor foreign (``!word``)."""
        return frozenset(term for term in self.terms if not term.startswith(("?", "!")))

    @property
    def known_terms(self) -> int:
        """How many terms the base knows (`terms` holds each term once)."""
        return len(self.known)


class Bm25fIndex:
    """An immutable index over a fixed list of entries; build once, query many times."""

    def __init__(
        self,
        entries: Sequence[Entry],
        anchors: frozenset[str] = frozenset(),
        foreign: frozenset[str] = frozenset(),
        question_anchors: Collection[int] = (),
    ) -> None:
        """`question_anchors`: positions of entries whose question words join the anchors (an
        organisation's own entries bring their own vocabulary: "vpn", "laptop")."""
        self.size = len(entries)
        extra_anchors: set[str] = set()
        field_terms: list[dict[str, list[str]]] = []
        self._phrasings: list[list[frozenset[str]]] = []
        self._surface: dict[str, str] = {}  # unstemmed word -> stem, for spelling correction
        wanted = frozenset(question_anchors)
        for pos, entry in enumerate(entries):
            # Each text is normalised once: the question and paraphrases are both fields and
            # the phrasings used for re-ranking.
            phrasings = [words(t) for t in [entry.question, *entry.paraphrases]]
            field_words = {
                "question": phrasings[0],
                "paraphrases": [w for ws in phrasings[1:] for w in ws],
                "tags": words(" ".join(entry.tags + entry.controls)),
                "answer": words(entry.answer),
                "detail": words(entry.detail or ""),
            }
            per_field: dict[str, list[str]] = {}
            for name, ws in field_words.items():
                per_field[name] = [stem(w) for w in ws]
                for w in ws:
                    self._surface.setdefault(w, stem(w))
            field_terms.append(per_field)
            self._phrasings.append([frozenset(stem(w) for w in ws) for ws in phrasings])
            if pos in wanted:
                extra_anchors.update(per_field["question"])
        self.anchors = frozenset(stem(w) for w in anchors) | extra_anchors
        # A domain term or an organisation's own word is never foreign.
        self.foreign = frozenset(stem(w) for w in foreign) - self.anchors
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
        postings: dict[str, dict[int, float]] = defaultdict(dict)
        self._terms: list[frozenset[str]] = []  # every term of each entry, for coverage
        for pos, ft in enumerate(field_terms):
            pseudo_tf: dict[str, float] = defaultdict(float)
            for name, ts in ft.items():
                norm = 1 - B + B * len(ts) / avg_len[name]
                for t, count in Counter(ts).items():
                    pseudo_tf[t] += FIELD_WEIGHTS[name] * count / norm
            for t, weighted in pseudo_tf.items():
                postings[t][pos] = self.idf[t] * weighted / (K1 + weighted)
            self._terms.append(frozenset(pseudo_tf))
        #: term -> {entry position: contribution}; a plain dict, never grown by a look-up
        self.postings: dict[str, dict[int, float]] = dict(postings)
        #: each term's largest contribution to any entry, the bound max-score pruning uses
        self._max_contribution = {t: max(plist.values()) for t, plist in postings.items()}
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
        foreign: list[str] = []
        for w in words(text):
            if _is_plain_number(w) and stem(w) not in self.idf:
                continue  # "300-line questionnaire", "120 ppl", "in 2024": context, not topic
            t = stem(w)
            if t in self.foreign or (t not in self.idf and self._foreign_id(w)):
                if w not in foreign:
                    foreign.append(w)
                seen.setdefault("!" + w, self.max_idf)
                continue
            if t not in self.idf:
                fixed = self.correct(w)
                if fixed is None:
                    if w not in unknown:
                        unknown.append(w)
                    seen.setdefault("?" + w, UNKNOWN_WEIGHT * self.max_idf)
                    continue
                t = self._surface[fixed]
            seen.setdefault(t, self.idf[t])
        return Query(tuple(seen), tuple(seen.values()), tuple(unknown), tuple(foreign))

    def domain_terms_in(self, query: Query) -> int:
        """How many distinct domain terms (anchors) the query uses: three or more say the
        message is about identity governance, however much of its own jargon comes with it.
        (`Query.terms` holds each term once.)"""
        return sum(term in self.anchors for term in query.terms)

    def domain_words_in(self, query: Query) -> int:
        """How many distinct domain terms without digits the query uses: words ("dormant",
        "rotation"), not ids ("cc6_1", "soc2"), which a control look-up brings anyway."""
        return sum(
            term in self.anchors and not any(c.isdigit() for c in term) for term in query.terms
        )

    def _foreign_id(self, word: str) -> bool:
        """An unknown id with digits names something else ("9001", "nis2"), unless its letters
        are a known term ("gvrm7": a GV.RM subcategory the entries write as a range)."""
        prefix = word.rstrip("0123456789_")
        return prefix != word and not (prefix and prefix in self.idf)

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
        hits = [self._measure(query, pos, raw) for pos, raw in self._best(query)]
        hits.sort(key=lambda h: (-h.score, h.position))
        return query, hits[:limit]

    def hit(self, query: Query, position: int) -> Hit:
        """The measures of `search` for one given entry, wherever it ranks (the intent
        classifier picks entries by other evidence; `ask` still checks their coverage)."""
        raw = sum(self.postings[t].get(position, 0.0) for t in query.terms if t in self.postings)
        return self._measure(query, position, raw)

    def _measure(self, query: Query, position: int, raw: float) -> Hit:
        """An entry's hit from its BM25F score: coverage, similarity, anchoring, foreign share."""
        total = sum(query.weights) or 1.0
        entry_terms = self._terms[position]
        matched = sum(
            w for t, w in zip(query.terms, query.weights, strict=True) if t in entry_terms
        )
        anchored = any(t in entry_terms and t in self.anchors for t in query.terms)
        sim = self._similarity(query, position)
        norm = raw / total
        foreign_share = self.max_idf * len(query.foreign) / total
        return Hit(
            position, norm + PARAPHRASE_WEIGHT * sim, matched / total, norm, sim, anchored,
            foreign_share,
        )

    def _best(self, query: Query) -> list[tuple[int, float]]:
        """The RERANK_DEPTH entries with the highest BM25F score, best first, ties by position.

        At 10,000 entries a common word is in most of them and adding up its postings was the
        whole cost of a query. So terms are added rarest-impact last (max-score pruning): once
        the remaining terms together cannot lift an entry not yet seen past the current
        RERANK_DEPTH-th score, they only update entries already seen. The kept entries are then
        scored again in query-term order, so results are exactly those of adding everything."""
        terms = [t for t in query.terms if t in self.postings]
        order = sorted(terms, key=lambda t: -self._max_contribution[t])
        remaining = sum(self._max_contribution[t] for t in order)
        seen: dict[int, float] = {}
        get = seen.get
        done = 0
        while done < len(order):
            if len(seen) >= RERANK_DEPTH and remaining < self._cutoff(seen) - _EPSILON:
                break
            for pos, contribution in self.postings[order[done]].items():
                seen[pos] = get(pos, 0.0) + contribution
            remaining -= self._max_contribution[order[done]]
            done += 1
        for term in order[done:]:
            plist = self.postings[term]
            for pos in seen:
                extra = plist.get(pos)
                if extra is not None:
                    seen[pos] += extra
        # Exact scores, summed in query order, for the entries that can make the cut.
        cutoff = self._cutoff(seen) - _EPSILON if len(seen) > RERANK_DEPTH else -math.inf
        in_query_order = [self.postings[t] for t in terms]
        pool = []
        for pos, approx in seen.items():
            if approx >= cutoff:
                exact = 0.0
                for plist in in_query_order:
                    exact += plist.get(pos, 0.0)
                pool.append((pos, exact))
        pool.sort(key=lambda kv: (-kv[1], kv[0]))
        return pool[:RERANK_DEPTH]

    @staticmethod
    def _cutoff(scores: dict[int, float]) -> float:
        """The RERANK_DEPTH-th highest score so far."""
        return heapq.nlargest(RERANK_DEPTH, scores.values())[-1]
