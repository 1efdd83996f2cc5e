"""Train the intent classifier on the shipped entries and write knowledge/qa/intent_model.json.

Run `python -m knowledge.qa.intent_train` from a checkout after changing any entry's question,
paraphrases or tags, or a training set (tests/test_kb_intent.py fails until you do). Needs
scikit-learn, a development dependency (`pip install -e '.[dev]'`); nothing here runs in the
product, which only reads the JSON.

Besides the entries' phrasings, the model learns from the labelled questions of the *tuned*
evaluation sets (`TRAINING_SETS`, in tests/eval/): practitioners' own wording, long and misspelt,
which the team's paraphrases rarely imitate. The blind sets are never among them
(tests/test_kb_eval.py checks it), so they still measure wording the model has not seen.
Settings (regularisation C, pruning) were chosen on the tuned sets and, since they are
training data, rechecked with each training set held out in turn (docs/knowledge.md, "Fourth
round" and "Fifth round").
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

import yaml

from knowledge.qa.intent import (
    IntentModel,
    Vectoriser,
    tokens_of,
    training_digest,
    training_texts,
)
from knowledge.qa.loader import load_shipped

#: Inverse regularisation strength of the logistic regression (scikit-learn's C).
C: Final = 20.0
#: Weights smaller than this are dropped from the shipped file (it shrinks several-fold; the
#: tuned sets' rankings did not change).
PRUNE: Final = 0.1
OUTPUT: Final = Path(__file__).parent / "intent_model.json"
#: Where the evaluation sets live in a checkout, and the tuned ones the model learns from (each
#: in-scope question with its first label that is an entry; control look-ups are answered by
#: the catalogue, not the classifier). Out-of-scope questions are not learnt: an "out of scope"
#: class measured no better than the refusal rule's own guards (docs/knowledge.md).
EVAL_DIR: Final = Path(__file__).resolve().parents[2] / "tests" / "eval"
TRAINING_SETS: Final = (
    "in_scope",
    "practitioner",
    "fresh",
    "blind",
    "final",
    "practitioner2",
    "practitioner3",
    "practitioner4",
    "practitioner5",
    "practitioner6",
    "dev7",
    "training_a",
    "training_b",
    "training_c",
    "training_d",
    "training_e",
    "training_f",
    "training_g",
    "training_h",
    "training_i",
    "training_j",
    "training_k",
    "training_l",
    "training_m",
    "training_n",
    "training_o",
    "training_p",
    "training_q",
    "training_r",
)
#: The blind sets: never learnt, and a training question that one of them also asks is left
#: out, compared as the model sees it (`tokens_of`: "27k or soc2, which" and "iso or soc 2 which
#: one" are the same input), so they measure only wording the model has not seen.
HELD_OUT_SETS: Final = ("practitioner7", "practitioner8", "practitioner9")


def held_out_inputs(eval_dir: Path = EVAL_DIR) -> set[tuple[str, ...]]:
    """Every blind-set question (in scope and out of scope) as the model's input tokens."""
    asked: set[tuple[str, ...]] = set()
    for name in HELD_OUT_SETS:
        data = yaml.safe_load((eval_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        asked |= {tuple(tokens_of(str(case["q"]))) for case in data["in_scope"]}
        asked |= {tuple(tokens_of(str(question))) for question in data["out_of_scope"]}
    return asked


def labelled_examples(
    eval_dir: Path = EVAL_DIR, sets: Sequence[str] = TRAINING_SETS
) -> list[tuple[str, str]]:
    """(question, entry id) for every in-scope question of the training sets, in file order,
    except those that reach the model as the same input as a blind question (`held_out_inputs`).

    A checkout has tests/eval; an installed package does not and needs none (it only reads
    the trained model), so a missing directory is an error here, not an empty list."""
    known = {item.entry.id for item in load_shipped()}
    held_out = held_out_inputs(eval_dir)
    examples: list[tuple[str, str]] = []
    for name in sets:
        data = yaml.safe_load((eval_dir / f"{name}.yaml").read_text(encoding="utf-8"))
        cases = data if isinstance(data, list) else data["in_scope"]
        for case in cases:
            labels = [label for label in case["ids"] if label in known]
            if labels and tuple(tokens_of(str(case["q"]))) not in held_out:
                examples.append((str(case["q"]), labels[0]))
    return examples


def train() -> IntentModel:
    """Fit the model on the shipped entries' phrasings and the training sets' labelled
    questions (deterministic: lbfgs, fixed data)."""
    from scipy.sparse import csr_matrix
    from sklearn.linear_model import LogisticRegression

    entries = [item.entry for item in load_shipped()]
    examples = labelled_examples()
    pairs = training_texts(entries, examples)
    vectoriser = Vectoriser.fit([text for text, _ in pairs])
    rows = [vectoriser.transform(tokens_of(text)) for text, _ in pairs]
    features = sorted({f for row in rows for f in row})
    column = {f: n for n, f in enumerate(features)}
    data, indices, indptr = [], [], [0]
    for row in rows:
        for f, v in sorted(row.items()):
            indices.append(column[f])
            data.append(v)
        indptr.append(len(indices))
    matrix = csr_matrix((data, indices, indptr), shape=(len(rows), len(features)))
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
    args = parser.parse_args(argv)
    try:
        model = train()
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
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
