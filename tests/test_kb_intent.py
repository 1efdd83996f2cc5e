"""The intent classifier (knowledge/qa/intent.py) and how `ask` uses it (docs/knowledge.md,
"Fourth round"): trained on the current entries, reproducible, consistent with the index, and
never answering alone what the refusal rule's other checks would refuse."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from knowledge.qa.ask import ask, knowledge_base, query_tokens, shipped_base
from knowledge.qa.intent import (
    MODEL_FILE,
    IntentModel,
    Vectoriser,
    shipped_model,
    tokens_of,
    training_digest,
    training_texts,
)
from knowledge.qa.loader import load_shipped
from knowledge.qa.training_data import TRAINING_SETS, labelled_examples

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module
#: Answered with rotation-interval by the index alone and by the shipped classifier.
ROTATION = "svc acct creds rotaiton how often?"


def _model() -> IntentModel:
    model = shipped_model()
    assert model is not None, f"knowledge/qa/{MODEL_FILE} is missing"
    return model


def test_shipped_model_was_trained_on_the_current_entries() -> None:
    entries = [item.entry for item in load_shipped()]
    assert _model().digest == training_digest(entries, labelled_examples()), (
        "the entries or training sets changed since the intent model was trained: "
        "run `python -m knowledge.qa.intent_train` and commit knowledge/qa/intent_model.json"
    )
    assert sorted(_model().classes) == sorted(e.id for e in entries)


def test_retraining_reproduces_the_shipped_model() -> None:
    pytest.importorskip("sklearn")
    from knowledge.qa.intent_train import train

    fresh, shipped = train(), _model()
    assert fresh.classes == shipped.classes and fresh.digest == shipped.digest
    pairs = training_texts((item.entry for item in load_shipped()), labelled_examples())
    texts = [text for text, _ in pairs][::5]  # phrasings and users' questions alike
    texts += ["who can sign our soc 2", "svc acct creds rotaiton", "what is a bridge letter"]
    base = shipped_base()
    for text in texts:
        tokens = query_tokens(base.index.search(text, 1)[0])  # what `ask` feeds the model
        a, b = fresh.probabilities(tokens), shipped.probabilities(tokens)
        assert max(abs(x - y) for x, y in zip(a, b, strict=True)) < 1e-3, text


def test_the_model_knows_the_phrasings_it_learnt_from() -> None:
    """A sanity floor, not a measure of generalisation (that is the blind sets' job)."""
    model = _model()
    pairs = training_texts(item.entry for item in load_shipped())
    right = sum(model.ranked(tokens_of(text), 1)[0][0] == entry_id for text, entry_id in pairs)
    assert right / len(pairs) >= 0.97
    examples = labelled_examples()
    right = sum(model.ranked(tokens_of(text), 1)[0][0] == label for text, label in examples)
    assert right / len(examples) >= 0.95


def test_training_examples_come_from_every_training_set_with_real_labels() -> None:
    """Each tuned set contributes (an empty or renamed file would silently teach nothing),
    and every label is a shipped entry (control look-ups are the catalogue's)."""
    ids = {item.entry.id for item in load_shipped()}
    assert len(TRAINING_SETS) == len(set(TRAINING_SETS))
    for name in TRAINING_SETS:
        examples = labelled_examples(sets=[name])
        assert len(examples) >= 25, name  # the smallest tuned set has 30 in scope
        assert {label for _, label in examples} <= ids, name


def test_a_missing_training_set_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        labelled_examples(tmp_path)


def test_an_unreadable_or_misshapen_model_file_is_refused_with_a_clear_error() -> None:
    for bad in [
        [],
        {},
        {"classes": ["a"], "intercepts": []},
        {"classes": ["a"], "intercepts": [0.0], "idf": [{}], "weights": {}, "digest": "x"},
    ]:
        with pytest.raises(ValueError):
            IntentModel.from_json(bad)


def test_model_file_round_trips() -> None:
    model = _model()
    again = IntentModel.from_json(json.loads(json.dumps(model.to_json())))
    probe = tokens_of("what is a bridge letter")
    assert again.ranked(probe, 3) == model.ranked(probe, 3)
    assert model.ranked(probe, 3)[0][0] == "soc2-bridge-letter"


def test_vectoriser_blocks_are_unit_length_and_ignore_unseen_features() -> None:
    vectoriser = Vectoriser.fit(["rotate api keys", "review service accounts"])
    features = vectoriser.transform(tokens_of("rotate api keys quickly zzzz"))
    for block in ("0:", "1:"):
        length = sum(v * v for f, v in features.items() if f.startswith(block)) ** 0.5
        assert length == pytest.approx(1.0)
    assert not any("zzzz" in f for f in features)
    assert vectoriser.transform([]) == {}


def test_index_hit_for_a_position_equals_the_search_hit() -> None:
    base = shipped_base()
    for question in ["how often rotate svc acct keys", "who can issue a soc 2 report", "nhi7"]:
        query, hits = base.index.search(question, 5)
        for hit in hits:
            assert base.index.hit(query, hit.position) == hit


def test_classifier_input_is_the_spelling_corrected_query() -> None:
    base = shipped_base()
    query, _ = base.index.search(ROTATION, 3)
    assert "rotat" in query_tokens(query)  # corrected by the index, as the phrasings were
    # "how often" is stop words, so ROTATION is only "service account credential rotation",
    # which the fifth round's model splits between the interval and the evidence entry (and
    # `ask` refuses with both suggested); naming the interval settles it.
    assert ask("svc acct key rotaiton interval?").entry_ids == ["rotation-interval"]


@pytest.fixture
def model_override(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[IntentModel | None]]:
    """Swap the shipped model for one built in the test (a real IntentModel, not a mock)."""
    chosen: list[IntentModel | None] = [None]
    monkeypatch.setattr(ASK, "shipped_model", lambda: chosen[0])
    yield chosen


def _one_sided(entry_id: str, strength: float) -> IntentModel:
    """A model that always prefers `entry_id` by `strength` (logits), whatever is asked."""
    classes = [item.entry.id for item in load_shipped()]
    intercepts = [strength if c == entry_id else 0.0 for c in classes]
    return IntentModel(classes, intercepts, {}, Vectoriser([{}, {}]), digest="test")


def test_without_a_model_ask_falls_back_to_the_index_rule(
    model_override: list[IntentModel | None],
) -> None:
    model_override[0] = None
    result = ask(ROTATION)
    assert result.answered and result.entry_ids == ["rotation-interval"]


def test_a_confident_classifier_is_still_refused_off_topic_and_foreign_questions(
    model_override: list[IntentModel | None],
) -> None:
    """Each question reaches the classifier path (the index has hits) and one guard stops it."""
    model_override[0] = _one_sided("rotation-interval", 20.0)  # probability ~1 for everything
    base = shipped_base()
    for question, guard in [
        ("rotate my cat", "unknown words hold the classifier to the index's coverage floor"),
        ("pci dss requirement 8 password rotation", "a foreign subject"),
        ("can we review the holiday schedule", "no domain term the entry shares"),
    ]:
        _, hits = base.index.search(question, 3)
        assert hits, question  # not refused before the classifier is consulted
        assert not ask(question).answered, (question, guard)


@pytest.mark.parametrize(
    "question",
    [
        "rotate my cat",
        "how often should I rotate my mattress",
        "rotate image 90 degrees",
        "type 2 diabetes",
        "type ii fun",
        "offboard a tenant",
        "break glass in case of fire",
    ],
)
def test_one_domain_word_among_unknown_ones_is_refused(question: str) -> None:
    """Found in review: with one domain word and one unseen word the shipped classifier was
    sure (p 0.5-0.6) and the entry covered 26% of the question, above its own 20% floor."""
    assert not ask(question).answered


def test_chat_filler_does_not_stop_an_answer() -> None:
    assert ask("wtf is an isms").entry_ids == ["iso27001-what"]
    assert ask("wait, what is a SOC 2 Type II report?").entry_ids == ["soc2-type1-vs-type2"]


def test_a_confident_classifier_overrides_the_index(
    model_override: list[IntentModel | None],
) -> None:
    """The classifier's entry is answered when it is likely and the question is about it."""
    model_override[0] = _one_sided("evidence-rotation", 20.0)
    result = ask(ROTATION)
    assert result.answered and result.entry_ids == ["evidence-rotation"]


def test_disagreement_without_confidence_is_a_refusal_with_suggestions(
    model_override: list[IntentModel | None],
) -> None:
    """The index is confident but the classifier, unsure, ranks another entry first: refuse."""
    model_override[0] = _one_sided("owasp-nhi9", 0.5)  # likeliest, but far below 0.35
    result = ask(ROTATION)
    assert not result.answered
    assert "rotation-interval" in [s.id for s in result.suggestions]


def test_an_organisation_entry_is_judged_by_the_refusal_rule_alone(
    model_override: list[IntentModel | None],
) -> None:
    from knowledge.qa.ask import OrgEntries
    from knowledge.qa.models import Entry, KnowledgeItem, SourceRef

    model_override[0] = _one_sided("rotation-interval", 20.0)
    entry = Entry(
        id="org-vpn",
        question="How do I get VPN access for a service account?",
        paraphrases=[],
        answer="Open a ticket with the network team; service accounts need an owner.",
        sources=[SourceRef(title="Internal wiki", url="https://wiki.example.com/vpn")],
    )
    org = OrgEntries(
        key="test-org",
        fingerprint=("1",),
        items=[KnowledgeItem(entry=entry, origin="org", location="faq.md")],
    )
    assert knowledge_base(org).find("org-vpn") is not None
    result = ask("how do I get vpn access for a service account", org=org)
    assert result.answered and result.entry_ids == ["org-vpn"]


#: A long message about break-glass evidence: the entry covers only a quarter of it (below the
#: index's 35% floor, which its unseen words "weve", "envelope" impose) but a dozen of its words
#: are known to the base.
LONG_BREAK_GLASS = (
    "we've got three 'emergency' domain admin accounts whose passwords live in an envelope in "
    "the CFO's safe, what does good break-glass evidence look like?"
)


def _features(question: str, entry_id: str) -> tuple[float, bool, float, int]:
    """(coverage, anchored, foreign share) of `entry_id` for the question, and how many of the
    question's words the base knows: what `_is_about` judges."""
    base = shipped_base()
    query, _ = base.index.search(question, 3)
    position = base.position(entry_id)
    assert position is not None
    hit = base.index.hit(query, position)
    return hit.coverage, hit.anchored, hit.foreign_share, query.known_terms


def test_a_sure_classifier_answers_a_long_question_the_entry_covers_little_of(
    model_override: list[IntentModel | None], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sure tier alone: the scope tier, which answers "likely" entries when the scope
    classifier is certain, is off (tests/test_kb_ninth_round.py tests it)."""
    monkeypatch.setattr(ASK, "SCOPE_SURE", 2.0)
    coverage, anchored, foreign, known = _features(LONG_BREAK_GLASS, "evidence-break-glass")
    assert ASK.MIN_SURE_COVERAGE <= coverage < ASK.MIN_COVERAGE and anchored and foreign == 0
    assert known >= ASK.MIN_KNOWN_TERMS
    model_override[0] = _one_sided("evidence-break-glass", 20.0)  # probability ~1
    assert ask(LONG_BREAK_GLASS).entry_ids == ["evidence-break-glass"]
    # Likely but not sure (about 0.46): the looser floors do not apply, and the index, which
    # covers too little of the question to be confident, does not answer either.
    model_override[0] = _one_sided("evidence-break-glass", 4.3)
    probability = _model_probability(model_override[0], "evidence-break-glass")
    assert ASK.MIN_INTENT_PROBABILITY < probability < ASK.SURE_PROBABILITY
    assert not ask(LONG_BREAK_GLASS).answered


def _model_probability(model: IntentModel | None, entry_id: str) -> float:
    assert model is not None
    return dict(model.ranked([], len(model.classes)))[entry_id]


@pytest.mark.parametrize(
    ("question", "guard"),
    [
        ("break glass envelope zzqxv", "known"),
        (
            "our emergency domain admin accounts live in the cfo's safe and payroll linux hipaa "
            "fleet break-glass evidence",
            "foreign",
        ),
        ("who opens the emergency envelope in the office safe", "anchored"),
    ],
)
def test_a_sure_classifier_is_still_refused_where_the_looser_floors_do_not_hold(
    model_override: list[IntentModel | None],
    monkeypatch: pytest.MonkeyPatch,
    question: str,
    guard: str,
) -> None:
    """`guard`: the one condition of the looser floors the question fails (the others hold, so
    it is that guard, not another, that refuses it). The scope tier, which may answer past
    these guards when the scope classifier is sure, is off here (tests/test_kb_ninth_round.py
    tests it), and so is the certain tier, which lets a certain classifier past a context word
    when the scope classifier agrees (tests/test_kb_thirteenth_round.py)."""
    monkeypatch.setattr(ASK, "SCOPE_SURE", 2.0)
    monkeypatch.setattr(ASK, "CERTAIN_PROBABILITY", 2.0)
    coverage, anchored, foreign, known = _features(question, "evidence-break-glass")
    held = {
        "known": known >= ASK.MIN_KNOWN_TERMS,
        "foreign": foreign <= ASK.MAX_SURE_FOREIGN,
        "anchored": anchored,
        "coverage": coverage >= ASK.MIN_SURE_COVERAGE,
    }
    assert [name for name, ok in held.items() if not ok] == [guard], held
    model_override[0] = _one_sided("evidence-break-glass", 20.0)
    assert not ask(question).answered, guard
