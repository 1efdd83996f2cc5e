"""Retrieval quality on the held-out evaluation set (issue 3: >= 90% top-1, >= 97% top-3 in scope,
100% refusal out of scope), and the set's own hygiene."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

from knowledge.qa.ask import shipped_base
from knowledge.qa.loader import load_shipped
from tests.eval.harness import (
    CONTROL_LOOKUP,
    NEXT_BLIND_SETS,
    Case,
    Figures,
    all_sets,
    ask_ranker,
    baseline_rankers,
    blind,
    final,
    fresh,
    in_scope,
    oos_tuning,
    out_of_scope,
    practitioner,
    practitioner2,
    practitioner3,
    practitioner4,
    practitioner5,
    practitioner6,
    practitioner7,
    practitioner8,
    practitioner9,
    practitioner10,
    practitioner11,
    practitioner12,
    practitioner13,
    practitioner14,
    practitioner15,
    practitioner16,
    practitioner17,
    score,
    training,
)


@pytest.fixture(scope="module")
def figures() -> Figures:
    return score(ask_ranker, in_scope(), out_of_scope())


def test_eval_set_is_big_enough_and_labelled_with_real_entries() -> None:
    cases, oos = in_scope(), out_of_scope()
    assert len(cases) >= 150
    assert len(oos) >= 40
    ids = {item.entry.id for item in load_shipped()}
    for case in cases:
        assert case.labels and set(case.labels) <= ids, case
    assert len({c.question.lower() for c in cases}) == len(cases), "duplicate eval questions"


def test_eval_questions_are_held_out_from_paraphrases() -> None:
    """An eval question identical (ignoring case and punctuation) to a question or paraphrase
    is not held out: it would measure memorisation, not retrieval."""

    def plain(text: str) -> tuple[str, ...]:
        return tuple(re.findall(r"[a-z0-9]+", text.lower()))

    phrasings = {
        plain(text)
        for item in load_shipped()
        for text in [item.entry.question, *item.entry.paraphrases]
    }
    cases: list[Case] = []
    oos: list[str] = []
    for _, set_cases, set_oos in all_sets():
        cases += set_cases
        oos += set_oos
    leaked = [c.question for c in cases if plain(c.question) in phrasings]
    leaked += [q for q in oos if plain(q) in phrasings]
    assert leaked == []


def test_held_out_sets_are_labelled_with_real_entries_and_do_not_overlap() -> None:
    ids = {item.entry.id for item in load_shipped()} | {CONTROL_LOOKUP}
    seen: set[str] = {c.question.lower() for c in in_scope()} | {q.lower() for q in out_of_scope()}
    for cases, oos in (fresh(), blind(), final()):
        for case in cases:
            assert case.labels and set(case.labels) <= ids, case
        questions = [c.question.lower() for c in cases] + [q.lower() for q in oos]
        assert not seen & set(questions), seen & set(questions)
        seen |= set(questions)
    blind_cases, blind_oos = blind()
    assert len(blind_cases) >= 60 and len(blind_oos) >= 25
    # The frozen practitioner set cannot be edited: its in-scope questions must be new; an
    # out-of-scope one may repeat small talk an earlier set used ("tell me a joke").
    cases, _ = practitioner()
    for case in cases:
        assert case.labels and set(case.labels) <= ids, case
    assert not seen & {c.question.lower() for c in cases}


def test_in_scope_top1_at_least_90_percent(figures: Figures) -> None:
    assert figures.top1 >= 0.90, "\n".join(figures.misses)


def test_in_scope_top3_at_least_97_percent(figures: Figures) -> None:
    assert figures.top3 >= 0.97, "\n".join(figures.misses)


def test_every_out_of_scope_question_is_refused(figures: Figures) -> None:
    assert figures.refusal == 1.0, "\n".join(figures.leaks)


def test_method_beats_plain_bm25_baseline(figures: Figures) -> None:
    """The reason for the extra machinery: plain BM25 calibrated to refuse every out-of-scope
    question answers far fewer in-scope ones correctly."""
    _, calibrated, _ = baseline_rankers()
    base = score(calibrated, in_scope(), out_of_scope())
    assert base.refusal == 1.0
    assert figures.top1 > base.top1 + 0.1


#: Regression floors on the held-out sets (figures in docs/knowledge.md, less one question).
#: They are not targets: those sets are small. The main set carried issue 3's bar (90% / 97% /
#: 100% above); since the fifth round of issue 11 its questions are training data too, so
#: those tests guard against regressions and the blind sets measure.
#: Re-measured for issue 11 through `ask` (catalogue look-ups included). Since the fifth round
#: their in-scope questions train the intent classifier (knowledge/qa/intent_train.py), so the
#: top-1 and wrong floors guard against regressions only; their out-of-scope questions are not
#: learnt and still measure refusal.
HELD_OUT_FLOORS = {
    "fresh": {"top1": 0.96, "refusal": 0.93, "wrong": 0.035},
    "blind": {"top1": 0.96, "refusal": 0.96, "wrong": 0.012},
    "final": {"top1": 0.96, "refusal": 0.93, "wrong": 0.035},
}


@pytest.mark.parametrize("name", sorted(HELD_OUT_FLOORS))
def test_held_out_sets_do_not_regress(name: str) -> None:
    cases, oos = {"fresh": fresh, "blind": blind, "final": final}[name]()
    got = score(ask_ranker, cases, oos)
    floor = HELD_OUT_FLOORS[name]
    assert got.top1 >= floor["top1"], "\n".join(got.misses)
    assert got.refusal >= floor["refusal"], "\n".join(got.leaks)
    assert got.wrong <= floor["wrong"], "\n".join(got.misses)


# --- the practitioner sets (issue 11) ---------------------------------------------------
# Each was written blind and frozen before a retrieval round, which it measured. Once a round
# is over its set may become tuning data: the first (practitioner.yaml) was tuned on in the
# second round; the second and third (practitioner2.yaml, practitioner3.yaml) became training
# examples of the intent classifier in the fifth (knowledge/qa/intent_train.py), the fourth in
# the sixth, the fifth in the seventh, the sixth in the eighth, the seventh in the ninth, the eighth
# in the tenth, the ninth in the eleventh, the tenth in the twelfth, the eleventh in the
# thirteenth, the twelfth in the fourteenth, the thirteenth in the fifteenth. The nineteenth
# (practitioner15) became a development set when the fourteenth round's diagnostics showed
# some of it, and training data in the fifteenth; the fourteenth, twentieth and twenty-first
# only measure (docs/knowledge.md).

#: Issue 11: the suite fails if a frozen blind set's wrong-answer rate exceeds 5%.
PRACTITIONER_MAX_WRONG = 0.05
#: The sets as committed (1d0234d, 1b15bb0, 819b061, 198761a, 8cf17c6, c585cc2, 5e1b019,
#: 82553b5, 0b634b1, fedcd6d, d62d318, 3c0a573, c13d9bc, bfda761, 7ecba4a); any edit, even to
#: a label, fails the suite.
FROZEN_SHA256 = {
    "practitioner2": "5e3615349cd0891a5a6b82d9b84205244183ed9f0fc1391c92c5f11f9e9103f6",
    "practitioner3": "40d5812ff49cbb5203370acea8e44693550b143bce82396b2a4ec9734b69086e",
    "practitioner4": "3ae754c89f93f12d9092ff6a925fefa1fe0dd7e3498f05efd93692719055bfa6",
    "practitioner5": "0d0361cd2b79abc3c957364a04ffc057c5c5c8ba09017bf5a0d17d95ccb98ad1",
    "practitioner6": "a9b79254a49c96c80bb5179e86b6dab85efbc789fa76672bfe01f431643a29cc",
    "practitioner7": "3f346a695346a38c500e36c9684f07b5ea696a5f263eee04f93cf02cd1273663",
    "practitioner8": "b244f0affb65ae9083279cb5952bad8e09cfb02d2d5fea39ba6f8d5b9797bd36",
    "practitioner9": "8d3371cfb2227ab9d5c4924c9ee684ed3681c745b57778340ee7cbacf4e8466c",
    "practitioner10": "3c93cadde8ae6d46013cf4ef47a4df4805b4f420db4e5b2255a48e6ae59c5258",
    "practitioner11": "d8ce0394ed70ee63b71046425850ec455f7e82a812a9e90346e6d2ad0441c747",
    "practitioner12": "f5cb498dec81077a43c0b5d19a1d9a70770049671705b87b14c2dd8a9c86328b",
    "practitioner13": "63dba6d987eda69f6829d50fdbb32f06c37a4403ea13bb7cbd237c20dce0cdc4",
    "practitioner14": "1407299f30bf901515daa163debdfc28516b1e43890b589e332b224122b0e212",
    "practitioner15": "13ba97b382a2ddf8811b94c8d020d63c1d76837d5649750b4548afb836b4aff6",
    "practitioner16": "350e5a7027cbc5028494a76487366e9befd1ba169051c623f5252e229dbbe3b4",
    "practitioner17": "3f6e7ce9d979f5190d13381321aac0e1fda2f7c9cb5f070e4d4d1db17659ca3f",
}
BLIND_SETS = {
    "practitioner14": practitioner14,
    "practitioner16": practitioner16,
    "practitioner17": practitioner17,
}
TUNED_PRACTITIONER_SETS = {
    "practitioner": practitioner,
    "practitioner2": practitioner2,
    "practitioner3": practitioner3,
    "practitioner4": practitioner4,
    "practitioner5": practitioner5,
    "practitioner6": practitioner6,
    "practitioner7": practitioner7,
    "practitioner8": practitioner8,
    "practitioner9": practitioner9,
    "practitioner10": practitioner10,
    "practitioner11": practitioner11,
    "practitioner12": practitioner12,
    "practitioner13": practitioner13,
    "practitioner15": practitioner15,
}
#: Regression floors for the tuned practitioner sets after round 5 (the second and third are
#: training data since then, so these floors guard against regressions, not measure).
PRACTITIONER_FLOORS = {
    "practitioner": {"top1": 0.98, "wrong": 0.008, "refusal": 1.0},
    "practitioner2": {"top1": 0.90, "wrong": 0.017, "refusal": 0.98},
    "practitioner3": {"top1": 0.90, "wrong": 0.015, "refusal": 1.0},
    # training data since the sixth round: measured 91.3% / 2.3% / 95.4%
    "practitioner4": {"top1": 0.90, "wrong": 0.026, "refusal": 0.95},
    # training data since the seventh round: measured 96.2% / 0.6% / 100%
    "practitioner5": {"top1": 0.94, "wrong": 0.012, "refusal": 0.97},
    # training data since the eighth round: measured 95.0% / 0.6% / 100%
    "practitioner6": {"top1": 0.94, "wrong": 0.010, "refusal": 0.98},
    # training data since the ninth round (blind in the seventh and eighth: 77.2% / 2.5% /
    # 95.4% after the eighth): measured 93.4% / 1.6% / 100%, its out-of-scope questions learnt
    # by the scope classifier too
    "practitioner7": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the tenth round (blind in the eighth and ninth: 85.9% / 2.5% / 98.5%
    # after the ninth): measured 94.4% / 1.2% / 100%
    "practitioner8": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the eleventh round (blind in the eighth to tenth: 77.8% / 2.2% /
    # 95.4% after the tenth): measured 94.1% / 0.6% / 100%
    "practitioner9": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the twelfth round (blind in the ninth to eleventh: 88.8% / 1.2% /
    # 100% after the eleventh): measured 95.3% / 0.3% / 100%
    "practitioner10": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the thirteenth round (blind in the tenth to twelfth: 87.2% / 1.9% /
    # 100% after the twelfth): measured 96.6% / 0.0% / 100%
    "practitioner11": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the fourteenth round (blind in the eleventh to thirteenth: 90.9% /
    # 2.2% / 98.5% after the thirteenth): measured 94.7% / 0.9% / 100%
    "practitioner12": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # training data since the fifteenth round (blind in the twelfth to fourteenth: 85.6% /
    # 3.4% / 100% after the fourteenth): measured 95.0% / 1.2% / 100%
    "practitioner13": {"top1": 0.92, "wrong": 0.020, "refusal": 0.98},
    # a development set in the fourteenth round (read, never learnt: 84.4% / 5.3% / 100% at
    # its end), training data since the fifteenth: measured 94.7% / 1.9% / 100%
    "practitioner15": {"top1": 0.92, "wrong": 0.025, "refusal": 0.98},
}


@pytest.fixture(scope="module")
def blind_figures() -> dict[str, Figures]:
    return {name: score(ask_ranker, *load()) for name, load in BLIND_SETS.items()}


def test_practitioner_sets_are_big_enough_and_frozen() -> None:
    cases, oos = practitioner()
    assert len(cases) >= 80 and len(oos) >= 30
    text = (Path(__file__).parent / "eval" / "practitioner.yaml").read_text(encoding="utf-8")
    assert text.rstrip().endswith("# FROZEN")
    for name, load in {**BLIND_SETS, **TUNED_PRACTITIONER_SETS}.items():
        cases, oos = load()
        assert len(cases) >= 80 and len(oos) >= 30
        if name in FROZEN_SHA256:
            raw = (Path(__file__).parent / "eval" / f"{name}.yaml").read_bytes()
            assert hashlib.sha256(raw).hexdigest() == FROZEN_SHA256[name], name


#: The next round's blind set, pinned by its hash once written and committed alone before any
#: change (`NEXT_BLIND_SETS`): practitioner18, committed alone at the start of the fifteenth
#: round (9d5c9a7).
NEXT_FROZEN_SHA256: dict[str, str] = {
    "practitioner18": "b2ae0fbee7ea6a91e172a1a65ff54191b3ed038bc81b782920f85658d8a68e2e",
}


def test_the_next_rounds_blind_set_is_frozen_and_neither_learnt_nor_scored() -> None:
    from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS

    assert set(NEXT_FROZEN_SHA256) == set(NEXT_BLIND_SETS)
    for name, digest in NEXT_FROZEN_SHA256.items():
        raw = (Path(__file__).parent / "eval" / f"{name}.yaml").read_bytes()
        assert hashlib.sha256(raw).hexdigest() == digest
        assert name not in {*TRAINING_SETS, *HELD_OUT_SETS, *BLIND_SETS}


def test_the_classifier_never_learns_from_a_blind_set() -> None:
    """The blind sets measure wording the model has not seen: none is a training set, and no
    training example reaches the model as the same input as a blind question. Counted from the
    training side, so a failure names training questions, never blind ones."""
    from knowledge.qa.intent import tokens_of
    from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS, labelled_examples

    assert not set(TRAINING_SETS) & set(BLIND_SETS)
    assert set(HELD_OUT_SETS) == set(BLIND_SETS)
    blind_inputs = set()
    for load in BLIND_SETS.values():
        cases, oos = load()
        blind_inputs |= {tuple(tokens_of(c.question)) for c in cases}
        blind_inputs |= {tuple(tokens_of(q)) for q in oos}
    learnt = [q for q, _ in labelled_examples() if tuple(tokens_of(q)) in blind_inputs]
    assert learnt == []
    # and the filter is what keeps them out: some training questions are blind inputs too
    every = [
        q
        for name in TRAINING_SETS
        for q in (c.question for c in _training_cases(name))
        if tuple(tokens_of(q)) in blind_inputs
    ]
    assert every, "no overlap to filter: the check above proves nothing"


def _training_cases(name: str) -> list[Case]:
    from tests.eval.harness import in_scope as main_set

    return main_set() if name == "in_scope" else training(name)[0]


@pytest.mark.parametrize("name", sorted({**BLIND_SETS, **TUNED_PRACTITIONER_SETS}))
def test_practitioner_set_labels_are_real_entries_or_catalogue_controls(name: str) -> None:
    from knowledge.catalogue import all_controls

    ids = {item.entry.id for item in shipped_base().items}
    controls = {f"control:{c.id}" for c in all_controls()} | {CONTROL_LOOKUP}
    cases, _ = {**BLIND_SETS, **TUNED_PRACTITIONER_SETS}[name]()
    unknown = {label for case in cases for label in case.labels} - ids - controls
    assert not unknown


@pytest.mark.parametrize("name", sorted(TUNED_PRACTITIONER_SETS))
def test_tuned_practitioner_sets_do_not_regress(name: str) -> None:
    got, floor = score(ask_ranker, *TUNED_PRACTITIONER_SETS[name]()), PRACTITIONER_FLOORS[name]
    assert got.refusal >= floor["refusal"], "\n".join(got.leaks)
    assert got.top1 >= floor["top1"], "\n".join(got.misses)
    assert got.wrong <= floor["wrong"], "\n".join(got.misses)


def test_out_of_scope_tuning_pools_are_refused() -> None:
    """tests/eval/oos_tuning.yaml, oos_tuning2.yaml and oos_tuning3.yaml: 800 questions ask
    must refuse (near-domain subjects, long messages whose context is ours and whose request
    is not, everyday ones sharing a word, other meanings of our ids and terms), written for
    the fifth and eighth rounds to set how sure the classifier must be (docs/knowledge.md).
    Tuning data: its leaks may be read. 15 leaks after the eighth round; since the ninth the
    scope classifier learns them (held out in halves they leaked 10 of 800), so this is a
    regression guard: measured 1, the floor is two more."""
    got = score(ask_ranker, [], oos_tuning())
    assert len(got.leaks) <= 3, "\n".join(got.leaks)


#: Top-1 floors of the training sets (fit, not generalisation): measured 93.3-96.1% on a-f;
#: g-i, written in the sixth round for the kinds still refused (definitions with an audience,
#: regimes by name, long situational messages), 88.3%, 91.0% and 87.7%. Each about a point
#: below; at most 2.5% wrong on every set (measured 0.3-2.0%).
TRAINING_TOP1_FLOORS = {
    **{f"training_{x}": 0.91 for x in "abcdef"},
    "training_g": 0.87,
    "training_h": 0.90,
    "training_i": 0.86,
    "training_j": 0.84,
    "training_k": 0.85,
    "training_l": 0.86,
    # seventh round, in the jargon of the personas' trades: measured 82.0 / 80.0 / 87.3%
    "training_m": 0.79,
    "training_n": 0.77,
    "training_o": 0.84,
    # eighth round, fifteen more personas in their trades' jargon: measured 85.3 / 87.7 / 92.3%
    "training_p": 0.84,
    "training_q": 0.86,
    "training_r": 0.91,
    # thirteenth round's fifty personas, learnt in the fourteenth: measured 97.0 / 98.3 / 98.3
    # / 98.7 / 98.0%
    "training_s": 0.96,
    "training_t": 0.97,
    "training_u": 0.97,
    "training_v": 0.97,
    "training_w": 0.97,
}


@pytest.mark.parametrize("name", sorted(TRAINING_TOP1_FLOORS))
def test_training_sets_are_real_and_do_not_regress(name: str) -> None:
    """The training sets: labels are shipped entries, and the classifier that learnt them
    still answers them (a regression guard)."""
    cases, _ = training(name)
    ids = {item.entry.id for item in load_shipped()}
    assert len(cases) >= 300 and all(case.labels and set(case.labels) <= ids for case in cases)
    got = score(ask_ranker, cases, [])
    assert got.top1 >= TRAINING_TOP1_FLOORS[name] and got.wrong <= 0.025, (
        f"{got.top1:.1%}",
        f"{got.wrong:.1%}",
    )


# Only figures are printed: the blind sets measure, their misses are not read for tuning.
@pytest.mark.parametrize("name", sorted(BLIND_SETS))
def test_blind_set_wrong_answers_at_most_5_percent(
    blind_figures: dict[str, Figures], name: str
) -> None:
    got = blind_figures[name]
    assert got.wrong <= PRACTITIONER_MAX_WRONG, f"{got.wrong:.1%}"


@pytest.mark.parametrize("name", sorted(BLIND_SETS))
@pytest.mark.xfail(
    strict=True,
    reason="issue 11 targets not met: after the fifteenth round (practitioner13, practitioner15 "
    "and dev14 learnt, the situational rule reading more wordings) measured 88.8% / 4.1% / "
    "96.9% (practitioner14), 79.1% / 4.1% / 100% (practitioner16) and 94.7% / 1.6% / 98.5% "
    "(practitioner17) correct / wrong / out-of-scope refused on 2026-12-05 (docs/knowledge.md); "
    "strict, so each fails once all three are met",
)
def test_blind_set_meets_the_issue_targets(blind_figures: dict[str, Figures], name: str) -> None:
    got = blind_figures[name]
    assert got.top1 >= 0.90 and got.wrong <= 0.02 and got.refusal == 1.0, (
        f"{got.top1:.1%} / {got.wrong:.1%} / {got.refusal:.1%}"
    )
