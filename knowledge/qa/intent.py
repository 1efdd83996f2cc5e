"""Which entry a question is asking for: a linear classifier trained on the entries' phrasings.

Why a classifier next to BM25F: the index scores words the question shares with an entry, so a
question in wording no phrasing uses ("can the iso auditor also do our soc2?") loses to a
neighbour that happens to share more words. A multinomial logistic regression trained on every
entry's question, paraphrases and tags learns which words and word pieces *separate* one entry
from its neighbours, and character n-grams of the normalised text carry it over typos and word
forms ("rotat", "reveiw"). On three blind sets it ranked the right entry first 5 to 7 points more
often than BM25F (docs/knowledge.md, "Fourth round").

The model is trained offline (`python -m knowledge.qa.intent_train`, scikit-learn, a development
dependency) and shipped as `knowledge/qa/intent_model.json`: per feature, the classes it
moves and by how much. Prediction is pure Python: a question has under a hundred features, so it
costs about a millisecond and needs no numerical library at run time. The file records a
digest of the phrasings it was trained on; `tests/test_kb_intent.py` fails when the entries change
and the model was not retrained.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from itertools import pairwise
from typing import Final, cast

from knowledge.qa.model_file import read_model
from knowledge.qa.models import Entry
from knowledge.qa.text import stem, words

MODEL_FILE: Final = "intent_model.json"
#: Character n-gram lengths taken inside each normalised, stemmed word (padded with spaces).
CHAR_NGRAMS: Final = (3, 4, 5)


def tokens_of(text: str) -> list[str]:
    """The text as the index sees it: canonical terms, stop words out, stemmed."""
    return [stem(w) for w in words(text)]


def raw_features(tokens: Sequence[str]) -> tuple[Counter[str], Counter[str]]:
    """Word unigrams and bigrams, and character n-grams within words, of normalised tokens.

    Two blocks, each normalised on its own (`Vectoriser`), so the many character n-grams do not
    drown the few words."""
    word_feats: Counter[str] = Counter(tokens)
    word_feats.update(f"{a} {b}" for a, b in pairwise(tokens))
    char_feats: Counter[str] = Counter()
    for token in tokens:
        padded = f" {token} "
        for n in CHAR_NGRAMS:
            char_feats.update(padded[i : i + n] for i in range(len(padded) - n + 1))
    return word_feats, char_feats


def training_texts(
    entries: Iterable[Entry], examples: Iterable[tuple[str, str]] = ()
) -> list[tuple[str, str]]:
    """(text, entry id) pairs the model learns from: every phrasing, the tags as one text, and
    `examples`, labelled questions in users' own wording (the tuned evaluation sets, read by
    `knowledge.qa.intent_train`), which teach the long, rambling and misspelt forms that
    paraphrases written by the team rarely have."""
    pairs: list[tuple[str, str]] = []
    for entry in entries:
        for phrasing in [entry.question, *entry.paraphrases]:
            pairs.append((phrasing, entry.id))
        if entry.tags:
            pairs.append((" ".join(entry.tags), entry.id))
    pairs.extend(examples)
    return pairs


def training_digest(entries: Iterable[Entry], examples: Iterable[tuple[str, str]] = ()) -> str:
    """A digest of what the model learns from: each training text's tokens (so a change to the
    stop words, the normalisation or the stemmer counts, not only to the entries or examples)
    and the feature settings."""
    return labelled_digest(training_texts(entries, examples))


def labelled_digest(pairs: Iterable[tuple[str, str]]) -> str:
    """A digest of (text, label) pairs as a model sees them (their tokens) and of the feature
    settings: what a shipped model records to show it is stale (`knowledge.qa.scope` too)."""
    digest = hashlib.sha256(repr(CHAR_NGRAMS).encode())
    for text, label in pairs:
        digest.update(f"{label}\x1f{' '.join(tokens_of(text))}\x1e".encode())
    return digest.hexdigest()


class Vectoriser:
    """Sublinear TF-IDF per block, each block scaled to unit length (as scikit-learn's
    `TfidfVectorizer(sublinear_tf=True)` does), from document frequencies fitted on training."""

    def __init__(self, idf: Sequence[dict[str, float]]) -> None:
        self.idf = idf

    def to_json(self) -> list[dict[str, float]]:
        return [{f: round(v, 4) for f, v in block.items()} for block in self.idf]

    @classmethod
    def from_json(cls, idf: object) -> Vectoriser:
        """The vectoriser from its JSON form (a model file's "idf"); ValueError otherwise."""
        if not (isinstance(idf, list) and len(idf) == 2 and all(isinstance(b, dict) for b in idf)):
            raise ValueError("idf is not two blocks")
        return cls(cast(list[dict[str, float]], idf))

    @classmethod
    def fit(cls, texts: Sequence[str]) -> Vectoriser:
        n = len(texts)
        frequencies: list[Counter[str]] = [Counter(), Counter()]
        for text in texts:
            for block, feats in enumerate(raw_features(tokens_of(text))):
                frequencies[block].update(feats.keys())
        idf = [
            {f: math.log((1 + n) / (1 + df)) + 1.0 for f, df in block.items()}
            for block in frequencies
        ]
        return cls(idf)

    def transform(self, tokens: Sequence[str]) -> dict[str, float]:
        """Feature -> weight; features unseen in training are dropped (they carry no weight)."""
        out: dict[str, float] = {}
        for block, feats in enumerate(raw_features(tokens)):
            idf = self.idf[block]
            values = {
                f"{block}:{f}": (1.0 + math.log(count)) * idf[f]
                for f, count in feats.items()
                if f in idf
            }
            length = math.sqrt(sum(v * v for v in values.values())) or 1.0
            out.update({f: v / length for f, v in values.items()})
        return out


class IntentModel:
    """The shipped classifier: vectoriser, per-feature class weights and class intercepts."""

    def __init__(
        self,
        classes: Sequence[str],
        intercepts: Sequence[float],
        weights: dict[str, list[tuple[int, float]]],
        vectoriser: Vectoriser,
        digest: str,
    ) -> None:
        self.classes = list(classes)
        self.intercepts = list(intercepts)
        self.weights = weights
        self.vectoriser = vectoriser
        self.digest = digest

    def probabilities(self, tokens: Sequence[str]) -> list[float]:
        """Softmax over the classes' linear scores for the question's tokens (`tokens_of`, or
        the index's parsed query terms, which are spelling-corrected as well)."""
        scores = list(self.intercepts)
        for feature, value in self.vectoriser.transform(tokens).items():
            for cls, weight in self.weights.get(feature, ()):
                scores[cls] += weight * value
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        return [e / total for e in exps]

    def ranked(self, tokens: Sequence[str], limit: int) -> list[tuple[str, float]]:
        """The `limit` likeliest entries with their probabilities, likeliest first."""
        probs = self.probabilities(tokens)
        order = sorted(range(len(probs)), key=lambda i: (-probs[i], i))[:limit]
        return [(self.classes[i], probs[i]) for i in order]

    def to_json(self) -> dict[str, object]:
        return {
            "digest": self.digest,
            "classes": self.classes,
            "intercepts": [round(b, 4) for b in self.intercepts],
            "idf": self.vectoriser.to_json(),
            "weights": {f: [[c, round(w, 4)] for c, w in cw] for f, cw in self.weights.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> IntentModel:
        """The model from its JSON form; ValueError when the shape is not the one written."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        classes, intercepts = data.get("classes"), data.get("intercepts")
        idf, weights, digest = data.get("idf"), data.get("weights"), data.get("digest")
        if not (isinstance(classes, list) and isinstance(intercepts, list) and classes):
            raise ValueError("classes and intercepts missing")
        if len(classes) != len(intercepts) or not all(isinstance(c, str) for c in classes):
            raise ValueError("classes and intercepts do not match")
        vectoriser = Vectoriser.from_json(idf)
        if not (isinstance(weights, dict) and isinstance(digest, str)):
            raise ValueError("weights or digest missing")
        return cls(
            classes=classes,
            intercepts=[float(b) for b in intercepts],
            # Used as parsed: converting 14,000 weight lists cost more than parsing the file
            # (a cold `idgov ask` pays it); [class, weight] lists unpack like pairs.
            weights=cast(dict[str, list[tuple[int, float]]], weights),
            vectoriser=vectoriser,
            digest=digest,
        )


@lru_cache(maxsize=1)
def shipped_model() -> IntentModel | None:
    """The model trained on the shipped pack, or None (logged once) when the file is absent or
    unreadable: `ask` then falls back to BM25F and its refusal rule alone, which answers
    somewhat less and somewhat more wrongly (docs/knowledge.md), rather than fail every
    question."""
    return read_model(MODEL_FILE, IntentModel.from_json, "with BM25F alone")
