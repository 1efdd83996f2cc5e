"""The cross-validation tool the retrieval rounds choose rules with (tests/eval/crossval.py):
its folds cover every training set once and hold out what they must, and a variant changes
`ask` only while it runs. Training the folds takes minutes, so it is not run here; the shipped
trainers' defaults are pinned by tests/test_kb_intent.py and tests/test_kb_scope.py."""

from __future__ import annotations

import sys

import pytest

from knowledge.qa.intent import tokens_of, training_texts
from knowledge.qa.loader import load_shipped
from knowledge.qa.scope_train import OUT_OF_SCOPE_POOLS, scope_texts
from knowledge.qa.training_data import (
    HELD_OUT_SETS,
    TRAINING_SETS,
    inputs_of,
    labelled_examples,
)
from tests.eval import crossval

ASK = sys.modules["knowledge.qa.ask"]


def test_the_six_groups_hold_every_training_set_once_and_no_blind_set() -> None:
    groups = crossval.groups()
    assert len(groups) == crossval.FOLDS
    flat = [name for group in groups for name in group]
    assert sorted(flat) == sorted(TRAINING_SETS)
    assert not set(flat) & set(HELD_OUT_SETS)
    assert not set(crossval.DEVELOPMENT_SETS) & {*TRAINING_SETS, *HELD_OUT_SETS}


def test_a_fold_learns_neither_its_groups_questions_nor_a_held_out_pool_half() -> None:
    group = crossval.groups()[0]
    held = inputs_of(group)
    rest = [name for name in TRAINING_SETS if name not in group]
    examples = labelled_examples(sets=rest, held_out=held)
    half = frozenset(tuple(tokens_of(q)) for q in crossval.pool_half(0))
    in_scope, out_of_scope = scope_texts(examples, rest, held | half)
    # the entries' own phrasings are product text, learnt whatever a set asks
    entries = [item.entry for item in load_shipped()]
    phrasings = {tuple(tokens_of(t)) for t, _ in training_texts(entries, [])}
    learnt = {tuple(tokens_of(t)) for t in in_scope + out_of_scope} - phrasings
    assert not learnt & held and not learnt & half
    assert out_of_scope and in_scope  # the other half and the other groups are still learnt


def test_the_pools_split_into_two_halves_of_out_of_scope_questions() -> None:
    every = crossval.pool_questions()
    assert len(every) >= 800
    assert sorted(crossval.pool_half(0) + crossval.pool_half(1)) == sorted(every)
    for name in OUT_OF_SCOPE_POOLS:
        cases, _ = crossval.questions(name)
        assert cases == []


def test_a_variant_changes_asks_constants_only_while_it_runs() -> None:
    before = ASK.SCOPE_SURE, ASK.AGREED_TOSS_UP_SCOPE
    with crossval.variant("SCOPE_SURE=1.01; AGREED_TOSS_UP_SCOPE=0.5"):
        assert (ASK.SCOPE_SURE, ASK.AGREED_TOSS_UP_SCOPE) == (1.01, 0.5)
    assert before == (ASK.SCOPE_SURE, ASK.AGREED_TOSS_UP_SCOPE)
    with crossval.variant("shipped"):
        assert before == (ASK.SCOPE_SURE, ASK.AGREED_TOSS_UP_SCOPE)


@pytest.mark.parametrize("spec", ["NOT_A_RULE=1", "shipped_model=1"])
def test_a_variant_naming_no_constant_of_ask_is_refused(spec: str) -> None:
    with pytest.raises(SystemExit), crossval.variant(spec):
        pass


def test_answering_with_other_models_is_undone_afterwards() -> None:
    shipped = ASK.shipped_model(), ASK.shipped_scope_model()
    with crossval.answering_with(shipped):
        assert ASK.shipped_model() is shipped[0]
    assert ASK.shipped_model is not None and ASK.shipped_model() is shipped[0]
    assert ASK.shipped_model.__module__ == "knowledge.qa.intent"  # the original, restored


def test_the_command_line_explains_itself_on_bad_use(capsys: pytest.CaptureFixture[str]) -> None:
    assert crossval.main([]) == 2
    assert "usage" in capsys.readouterr().out
