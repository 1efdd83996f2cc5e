"""Product-level cross-validation of `ask`'s decision rules (docs/knowledge.md, "Eleventh round").

The classifiers learn the training sets, so a rule cannot be judged on them with the shipped
models. Instead both classifiers are trained again with part of the data held out, and `ask`
itself, every rule included, answers the part held out:

- the training sets (`TRAINING_SETS`) in six groups, round robin: each group's in-scope and
  out-of-scope questions are answered by models that learnt neither;
- the out-of-scope pools in halves: each half is answered by a scope model that did not learn
  it (the intent model learns no out-of-scope question, so the shipped one answers);
- the development sets with the shipped models (they are never learnt).

    python -m tests.eval.crossval build DIR         # about 6 minutes on 2 cores; once per change
                                                    # of entries or training sets
    python -m tests.eval.crossval score DIR [VARIANT ...]

A variant sets constants of `knowledge.qa.ask` for one run, e.g. `SCOPE_SURE=0.9` or
`AGREED_TOSS_UP_SCOPE=0.95;SCOPE_CERTAIN=0.99`; `shipped` is the rules as they are. Only
counts are printed, and the blind sets (`HELD_OUT_SETS`, `NEXT_BLIND_SETS`) are never read
here except as the inputs every fold holds out.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from knowledge.qa import intent, scope, training_data
from knowledge.qa.intent import tokens_of
from knowledge.qa.intent_train import train
from knowledge.qa.scope_train import OUT_OF_SCOPE_POOLS, scope_texts, train_scope
from knowledge.safe_yaml import load_packaged
from tests.eval.harness import EVAL_DIR, Case, ask_ranker, expected

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module
FOLDS = 6
DEVELOPMENT_SETS = ("dev15",)
Models = tuple[intent.IntentModel, scope.ScopeModel]


def groups(sets: Sequence[str] = training_data.TRAINING_SETS) -> list[tuple[str, ...]]:
    """The training sets in `FOLDS` groups, round robin (every round adds sets at the end)."""
    return [tuple(sets[k::FOLDS]) for k in range(FOLDS)]


def _data(name: str) -> object:
    return load_packaged((EVAL_DIR / f"{name}.yaml").read_text(encoding="utf-8"))


def questions(name: str) -> tuple[list[Case], list[str]]:
    """A set's in-scope cases and out-of-scope questions (a pool or in_scope.yaml is a list)."""
    data = _data(name)
    if isinstance(data, list):
        if name in OUT_OF_SCOPE_POOLS:
            return [], [str(q) for q in data]
        return [Case(d["q"], tuple(d["ids"])) for d in data], []
    assert isinstance(data, dict)
    cases = [Case(d["q"], tuple(d["ids"])) for d in data.get("in_scope", [])]
    return cases, [str(q) for q in data.get("out_of_scope", [])]


def pool_questions() -> list[str]:
    return [q for name in OUT_OF_SCOPE_POOLS for q in questions(name)[1]]


def pool_half(half: int) -> list[str]:
    return [q for n, q in enumerate(pool_questions()) if n % 2 == half]


def train_fold(sets: Sequence[str], held_out: frozenset[tuple[str, ...]]) -> Models:
    """Both classifiers as `intent_train` trains them, on `sets` only and without `held_out`."""
    examples = training_data.labelled_examples(sets=sets, held_out=held_out)
    return train(examples), train_scope(scope_texts(examples, sets, held_out))


def _write(directory: Path, tag: str, models: Models) -> None:
    for kind, model in zip(("intent", "scope"), models, strict=True):
        (directory / f"{tag}_{kind}.json").write_text(json.dumps(model.to_json()), "utf-8")


def _read(directory: Path, tag: str) -> Models:
    def load(kind: str) -> object:
        return json.loads((directory / f"{tag}_{kind}.json").read_text("utf-8"))

    return intent.IntentModel.from_json(load("intent")), scope.ScopeModel.from_json(load("scope"))


def build(directory: Path) -> None:
    """Train and write the fold models: `g0`..`g5` (training-set groups), `h0`, `h1` (pools)."""
    directory.mkdir(parents=True, exist_ok=True)
    every = training_data.TRAINING_SETS
    for k, group in enumerate(groups()):
        rest = [name for name in every if name not in group]
        _write(directory, f"g{k}", train_fold(rest, training_data.inputs_of(group)))
        print(f"g{k} written", flush=True)
    for half in (0, 1):
        held = frozenset(tuple(tokens_of(q)) for q in pool_half(half))
        _write(directory, f"h{half}", train_fold(list(every), held))
        print(f"h{half} written", flush=True)


@contextmanager
def answering_with(models: Models) -> Iterator[None]:
    """`ask` with these models instead of the shipped ones, for the duration."""
    saved = ASK.shipped_model, ASK.shipped_scope_model
    ASK.shipped_model, ASK.shipped_scope_model = (lambda: models[0]), (lambda: models[1])
    try:
        yield
    finally:
        ASK.shipped_model, ASK.shipped_scope_model = saved


@contextmanager
def variant(spec: str) -> Iterator[None]:
    """`ask`'s constants as `spec` sets them ("NAME=value;NAME=value"; "shipped": none)."""
    changes = {}
    for part in filter(None, (p.strip() for p in spec.split(";"))):
        if part == "shipped":
            continue
        name, _, value = part.partition("=")
        if not name.isupper() or not hasattr(ASK, name):
            raise SystemExit(f"unknown constant of knowledge.qa.ask: {name!r}")
        changes[name] = float(value)
    saved = {name: getattr(ASK, name) for name in changes}
    for name, value in changes.items():
        setattr(ASK, name, value)
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(ASK, name, value)


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    cases: int = 0
    leaks: int = 0
    out_of_scope: int = 0

    def add(self, cases: Sequence[Case], oos: Sequence[str]) -> None:
        for case in cases:
            ranked, answered = ask_ranker(case.question)
            hit = answered and bool(ranked) and ranked[0] in expected(case)
            self.right += hit
            self.wrong += answered and not hit
        self.cases += len(cases)
        self.leaks += sum(ask_ranker(q)[1] for q in oos)
        self.out_of_scope += len(oos)

    def __str__(self) -> str:
        n = max(1, self.cases)
        share = f"{100 * self.right / n:.2f} / {100 * self.wrong / n:.2f}" if self.cases else "-"
        counts = f"{self.right} right, {self.wrong} wrong; {self.leaks}/{self.out_of_scope} leaks"
        return f"{share} ({counts})"


def score(directory: Path, spec: str = "shipped") -> dict[str, Tally]:
    """Counts for one variant: the six groups, the pool halves and the development sets."""
    folds, pools, development = Tally(), Tally(), Tally()
    with variant(spec):
        for k, group in enumerate(groups()):
            with answering_with(_read(directory, f"g{k}")):
                for name in group:
                    folds.add(*questions(name))
        for half in (0, 1):
            with answering_with(_read(directory, f"h{half}")):
                pools.add([], pool_half(half))
        for name in DEVELOPMENT_SETS:
            development.add(*questions(name))
    return {"folds": folds, "pools": pools, "development": development}


def main(argv: Sequence[str]) -> int:
    if len(argv) < 2 or argv[0] not in ("build", "score"):
        print(__doc__.strip().splitlines()[0], "\nusage: build DIR | score DIR [VARIANT ...]")
        return 2
    directory = Path(argv[1])
    if argv[0] == "build":
        build(directory)
        return 0
    for spec in argv[2:] or ["shipped"]:
        figures = score(directory, spec)
        print(spec, " | ".join(f"{name} {tally}" for name, tally in figures.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
