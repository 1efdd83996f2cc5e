"""The scope classifier (knowledge/qa/scope.py): trained on the current data, reproducible,
bounded, read defensively, and optional (without it `ask` answers with its rules alone)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.qa.intent import tokens_of
from knowledge.qa.scope import MODEL_FILE, ScopeModel, scope_digest, shipped_scope_model
from knowledge.qa.scope_train import scope_texts

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module
MODEL_FILES = sys.modules["knowledge.qa.model_file"]


def _model() -> ScopeModel:
    model = shipped_scope_model()
    assert model is not None, f"knowledge/qa/{MODEL_FILE} is missing"
    return model


def test_shipped_scope_model_was_trained_on_the_current_data() -> None:
    in_scope, out_of_scope = scope_texts()
    assert len(in_scope) > 5 * len(out_of_scope) > 5_000  # both kinds, in the expected amounts
    assert _model().digest == scope_digest(in_scope, out_of_scope), (
        "the entries or evaluation sets changed since the scope model was trained: run "
        "`python -m knowledge.qa.intent_train` and commit knowledge/qa/scope_model.json"
    )


def test_scope_training_never_learns_a_blind_question() -> None:
    """Users' questions, in scope or out, are never blind ones (the entries' own phrasings
    are the product's text, learnt whatever a blind set asks, as by the intent model)."""
    from knowledge.qa.intent import training_texts
    from knowledge.qa.loader import load_shipped
    from knowledge.qa.training_data import held_out_inputs

    phrasings = {text for text, _ in training_texts(item.entry for item in load_shipped())}
    in_scope, out_of_scope = scope_texts()
    learnt = [q for q in in_scope if q not in phrasings] + out_of_scope
    blind = held_out_inputs()
    assert len(learnt) > 8_000
    assert not [q for q in learnt if tuple(tokens_of(q)) in blind]


def test_retraining_reproduces_the_shipped_scope_model() -> None:
    pytest.importorskip("sklearn")
    from knowledge.qa.scope_train import train_scope

    fresh, shipped = train_scope(), _model()
    assert fresh.digest == shipped.digest and set(fresh.weights) == set(shipped.weights)
    in_scope, out_of_scope = scope_texts()
    for text in in_scope[::40] + out_of_scope[::10]:
        tokens = tokens_of(text)
        assert abs(fresh.probability(tokens) - shipped.probability(tokens)) < 1e-3, text


def test_the_scope_model_separates_its_own_kinds_of_question() -> None:
    """A sanity check on the shipped file, on questions written for this test."""
    model = _model()
    for text in [
        "does our SAP RFC user count as a non-human identity?",
        "how often should the kafka connector credentials be rotated for soc 2?",
    ]:
        assert model.probability(tokens_of(text)) > 0.9, text
    for text in [
        "which bank gives the best certificate of deposit rate this year",
        "travel agent commission for group bookings",
    ]:
        assert model.probability(tokens_of(text)) < 0.3, text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=30), max_size=300))
def test_probability_is_a_probability_for_any_tokens(tokens: list[str]) -> None:
    p = _model().probability(tokens)
    assert 0.0 <= p <= 1.0


def test_a_huge_negative_score_is_zero_not_an_overflow() -> None:
    model = ScopeModel(-1e6, {}, _model().vectoriser, "x")
    assert model.probability(["anything"]) == 0.0
    assert ScopeModel(1e6, {}, _model().vectoriser, "x").probability([]) == 1.0


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"intercept": "1", "idf": [{}, {}], "weights": {}, "digest": "d"},
        {"intercept": True, "idf": [{}, {}], "weights": {}, "digest": "d"},
        {"intercept": 0.1, "idf": [{}], "weights": {}, "digest": "d"},
        {"intercept": 0.1, "idf": [{}, {}], "weights": [], "digest": "d"},
        {"intercept": 0.1, "idf": [{}, {}], "weights": {}},
    ],
)
def test_from_json_rejects_other_shapes(data: object) -> None:
    with pytest.raises(ValueError):
        ScopeModel.from_json(data)


def test_round_trip_through_json_keeps_the_probabilities() -> None:
    model = _model()
    again = ScopeModel.from_json(json.loads(json.dumps(model.to_json())))
    tokens = tokens_of("who signs a soc 2 report for our kubernetes operators?")
    assert abs(again.probability(tokens) - model.probability(tokens)) < 1e-3


@pytest.mark.parametrize("content", [None, "{not json", '{"intercept": 1}'])
def test_a_missing_or_unreadable_file_means_rules_alone(
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    content: str | None,
) -> None:
    if content is not None:
        (tmp_path / MODEL_FILE).write_text(content, encoding="utf-8")
    from knowledge.qa.intent import shipped_model

    assert shipped_model() is not None  # cached before the package's files are hidden below
    shipped_scope_model.cache_clear()
    try:
        with monkeypatch.context() as patch:
            patch.setattr(
                MODEL_FILES, "resources", SimpleNamespace(files=lambda _package: tmp_path)
            )
            assert shipped_scope_model() is None
            assert MODEL_FILE in caplog.text
            # ask still answers, with the rules alone (the scope probability is "no opinion")
            assert ASK._scope_of("anything at all")() == 0.5
            assert ASK.ask("who can issue a soc 2 report?").entry_ids == ["soc2-who-issues"]
    finally:
        shipped_scope_model.cache_clear()
    assert shipped_scope_model() is not None
