"""Train the intent classifier on the shipped entries and write knowledge/qa/intent_model.json
(and the scope classifier's knowledge/qa/scope_model.json, `knowledge.qa.scope_train`).

Run `python -m knowledge.qa.intent_train` from a checkout after changing any entry's question,
paraphrases or tags, or a training set (tests/test_kb_intent.py and tests/test_kb_scope.py fail
until you do). Needs scikit-learn, a development dependency (`pip install -e '.[dev]'`);
nothing here runs in the product, which only reads the JSON.

Besides the entries' phrasings, the model learns from the labelled questions of the *tuned*
evaluation sets (`training_data.TRAINING_SETS`, in tests/eval/): practitioners' own wording,
long and misspelt, which the team's paraphrases rarely imitate. The blind sets are never among
them (tests/test_kb_eval.py checks it), so they still measure wording the model has not seen.
Settings (regularisation C, pruning) were chosen on the tuned sets and, since they are
training data, rechecked with each training set held out in turn (docs/knowledge.md, "Fourth
round" and "Fifth round").
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Final

from knowledge.qa.feature_matrix import feature_matrix
from knowledge.qa.intent import (
    IntentModel,
    Vectoriser,
    tokens_of,
    training_digest,
    training_texts,
)
from knowledge.qa.loader import load_shipped
from knowledge.qa.scope_train import train_scope
from knowledge.qa.training_data import labelled_examples

#: Inverse regularisation strength of the logistic regression (scikit-learn's C).
C: Final = 20.0
#: Weights smaller than this are dropped from the shipped file (it shrinks several-fold; the
#: tuned sets' rankings did not change).
PRUNE: Final = 0.1
OUTPUT: Final = Path(__file__).parent / "intent_model.json"
SCOPE_OUTPUT: Final = Path(__file__).parent / "scope_model.json"


def train(examples: list[tuple[str, str]] | None = None) -> IntentModel:
    """Fit the model on the shipped entries' phrasings and the training sets' labelled
    questions (deterministic: lbfgs, fixed data); `examples` replaces those questions when
    cross-validating (tests/eval/crossval.py holds training sets out)."""
    from sklearn.linear_model import LogisticRegression

    entries = [item.entry for item in load_shipped()]
    examples = labelled_examples() if examples is None else examples
    pairs = training_texts(entries, examples)
    vectoriser = Vectoriser.fit([text for text, _ in pairs])
    matrix, column = feature_matrix([vectoriser.transform(tokens_of(text)) for text, _ in pairs])
    labels = [entry_id for _, entry_id in pairs]
    model = LogisticRegression(C=C, max_iter=5000).fit(matrix, labels)
    classes = [str(c) for c in model.classes_]
    weights: dict[str, list[tuple[int, float]]] = {}
    for f, n in column.items():
        kept = [
            (cls, float(w)) for cls, w in enumerate(model.coef_[:, n]) if abs(float(w)) >= PRUNE
        ]
        if kept:
            weights[f] = kept
    return IntentModel(
        classes=classes,
        intercepts=[float(b) for b in model.intercept_],
        weights=weights,
        vectoriser=vectoriser,
        digest=training_digest(entries, examples),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--scope-output", type=Path, default=SCOPE_OUTPUT)
    args = parser.parse_args(argv)
    try:
        model, scope = train(), train_scope()
    except ImportError:
        print("scikit-learn is needed to train: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"training sets not found ({exc.filename}): run from a checkout", file=sys.stderr)
        return 2
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(model.to_json(), sort_keys=True, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.output} ({len(text) // 1024} KiB, {len(model.weights)} features)")
    args.scope_output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(scope.to_json(), sort_keys=True, separators=(",", ":"))
    args.scope_output.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.scope_output} ({len(text) // 1024} KiB, {len(scope.weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
