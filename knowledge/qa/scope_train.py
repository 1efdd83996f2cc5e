"""Train the scope classifier (knowledge/qa/scope.py) and write knowledge/qa/scope_model.json.

Run by `python -m knowledge.qa.intent_train`, which trains both models from a checkout (the
training questions live in tests/eval). Like the intent model it needs scikit-learn, a
development dependency; the product only reads the JSON.

In scope: every text the intent model learns (entry phrasings, tags, labelled questions).
Out of scope: the out-of-scope questions of the same training sets, of
tests/eval/out_of_scope.yaml and of the three tuning pools (`OUT_OF_SCOPE_POOLS`). Blind-set
questions are never learnt (`training_data.held_out_inputs`). The classes are weighted to
balance (about seven in-scope texts to one out-of-scope), so the bias does not simply say
"in scope".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from knowledge.qa.feature_matrix import feature_matrix
from knowledge.qa.intent import Vectoriser, tokens_of, training_texts
from knowledge.qa.loader import load_shipped
from knowledge.qa.scope import ScopeModel, scope_digest
from knowledge.qa.training_data import EVAL_DIR, TRAINING_SETS, held_out_inputs, labelled_examples
from knowledge.safe_yaml import load_packaged

#: Inverse regularisation strength; 10 was the first value tried and is what the thresholds
#: in `ask` were cross-validated with (docs/knowledge.md, "Ninth round").
C: Final = 10.0
#: Weights smaller than this are not shipped (as for the intent model).
PRUNE: Final = 0.1
#: Sets holding only out-of-scope questions, learnt as such.
OUT_OF_SCOPE_POOLS: Final = ("out_of_scope", "oos_tuning", "oos_tuning2", "oos_tuning3")


def scope_texts(
    examples: list[tuple[str, str]] | None = None,
    sets: Sequence[str] = TRAINING_SETS,
    held_out: frozenset[tuple[str, ...]] = frozenset(),
) -> tuple[list[str], list[str]]:
    """(in-scope texts, out-of-scope questions) the scope model learns, in a fixed order.

    Cross-validation (tests/eval/crossval.py) passes the held-out fold's `examples`, the
    training `sets` left and the inputs it holds out (`held_out`, besides the blind sets')."""
    entries = [item.entry for item in load_shipped()]
    examples = labelled_examples() if examples is None else examples
    in_scope = [text for text, _ in training_texts(entries, examples)]
    held_out = held_out_inputs() | held_out
    out_of_scope: list[str] = []
    for name in (*sets, *OUT_OF_SCOPE_POOLS):
        data = load_packaged((EVAL_DIR / f"{name}.yaml").read_text(encoding="utf-8"))
        if isinstance(data, dict):
            questions = data.get("out_of_scope", [])
        elif name in OUT_OF_SCOPE_POOLS:
            questions = data
        else:  # tests/eval/in_scope.yaml: a list of in-scope cases only
            questions = []
        out_of_scope += [str(q) for q in questions if tuple(tokens_of(str(q))) not in held_out]
    return in_scope, out_of_scope


def train_scope(texts: tuple[list[str], list[str]] | None = None) -> ScopeModel:
    """Fit the binary model (deterministic: lbfgs, fixed data) on `scope_texts()`, or on the
    (in-scope, out-of-scope) `texts` a cross-validation fold gives."""
    from sklearn.linear_model import LogisticRegression

    in_scope, out_of_scope = scope_texts() if texts is None else texts
    every = in_scope + out_of_scope
    vectoriser = Vectoriser.fit(every)
    matrix, column = feature_matrix([vectoriser.transform(tokens_of(text)) for text in every])
    labels = [1] * len(in_scope) + [0] * len(out_of_scope)
    model = LogisticRegression(C=C, max_iter=5000, class_weight="balanced").fit(matrix, labels)
    weights = {
        f: float(model.coef_[0, n])
        for f, n in column.items()
        if abs(float(model.coef_[0, n])) >= PRUNE
    }
    # Only features that carry a weight are shipped, and a message is normalised over those:
    # the file is a fifth of the size, and held out in groups the figures were the same or a
    # little better (docs/knowledge.md, "Ninth round").
    kept = [
        {f: v for f, v in block.items() if f"{n}:{f}" in weights}
        for n, block in enumerate(vectoriser.idf)
    ]
    return ScopeModel(
        intercept=float(model.intercept_[0]),
        weights=weights,
        vectoriser=Vectoriser(kept),
        digest=scope_digest(in_scope, out_of_scope),
    )
