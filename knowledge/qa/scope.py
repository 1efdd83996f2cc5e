"""How much a message reads as a question this knowledge base is about: a binary classifier.

Why next to the intent classifier: the intent model only ranks entries against each other, so
it is as sure of its pick for "rifle scope magnification for deer hunting" as for "is the
autosampler an NHI?". `ask` therefore guards its sure tier with rules (few unseen words, no
foreign subject), and those rules refuse practitioners whose messages are full of their own
product names and jargon ("opera pms", "Zebra TC52", "REDCap"). A logistic regression trained
on the same features to tell in-scope questions (every entry phrasing and labelled question)
from out-of-scope ones (the tuned evaluation sets' and the tuning pools' out-of-scope
questions) gives `ask` a second opinion on the *message*, not the entry:

- when it is sure the message is ours (`ask.SCOPE_SURE`), the classifier's pick may be
  answered although the jargon rules would have refused it;
- when it is sure the message is not (`ask.SCOPE_VETO`), nothing is answered.

Both thresholds were chosen with the training sets held out in groups and the tuning pools
held out in halves (docs/knowledge.md, "Ninth round"). The model is trained offline with the
intent classifier (`python -m knowledge.qa.intent_train`) and shipped as
`knowledge/qa/scope_model.json`; prediction is pure Python, one dot product.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Final, cast

from knowledge.qa.intent import Vectoriser, labelled_digest
from knowledge.qa.model_file import read_model

MODEL_FILE: Final = "scope_model.json"


def scope_digest(in_scope: Iterable[str], out_of_scope: Iterable[str]) -> str:
    """A digest of what the model learns from, as the model sees it (tokens), so a change to
    the questions, the stop words or the normaliser shows as a stale model."""
    return labelled_digest(
        [*((text, "in") for text in in_scope), *((text, "out") for text in out_of_scope)]
    )


class ScopeModel:
    """The shipped scope classifier: its own vectoriser (fitted on both kinds of question, so
    words only out-of-scope questions use carry weight), per-feature weights and a bias."""

    def __init__(
        self, intercept: float, weights: dict[str, float], vectoriser: Vectoriser, digest: str
    ) -> None:
        self.intercept = intercept
        self.weights = weights
        self.vectoriser = vectoriser
        self.digest = digest

    def probability(self, tokens: Sequence[str]) -> float:
        """P(in scope) for a message's tokens (`tokens_of`)."""
        score = self.intercept
        for feature, value in self.vectoriser.transform(tokens).items():
            score += self.weights.get(feature, 0.0) * value
        if score < -30.0:  # math.exp overflows far beyond any weight this model learns
            return 0.0
        return 1.0 / (1.0 + math.exp(-score))

    def to_json(self) -> dict[str, object]:
        return {
            "digest": self.digest,
            "intercept": round(self.intercept, 4),
            "idf": self.vectoriser.to_json(),
            "weights": {f: round(w, 4) for f, w in self.weights.items()},
        }

    @classmethod
    def from_json(cls, data: object) -> ScopeModel:
        """The model from its JSON form; ValueError when the shape is not the one written."""
        if not isinstance(data, dict):
            raise ValueError("not an object")
        intercept, idf = data.get("intercept"), data.get("idf")
        weights, digest = data.get("weights"), data.get("digest")
        if not isinstance(intercept, int | float) or isinstance(intercept, bool):
            raise ValueError("intercept missing")
        vectoriser = Vectoriser.from_json(idf)
        if not (isinstance(weights, dict) and isinstance(digest, str)):
            raise ValueError("weights or digest missing")
        return cls(
            intercept=float(intercept),
            weights=cast(dict[str, float], weights),
            vectoriser=vectoriser,
            digest=digest,
        )


@lru_cache(maxsize=1)
def shipped_scope_model() -> ScopeModel | None:
    """The shipped scope model, or None (logged once) when its file is absent or unreadable:
    `ask` then answers with its rules alone, as it did before the ninth round."""
    return read_model(MODEL_FILE, ScopeModel.from_json, "with the rules alone")
