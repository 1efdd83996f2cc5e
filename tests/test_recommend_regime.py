"""Issue 11's rules: region-aware procurement, symmetric existing-assurance rules, the regime
question, confidence that follows the evidence, and questions that do not apply.

The dialog and `idgov recommend` are compared with the same answers: the dialog is driven
through its real step function, the CLI through a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dialogs.engine import ChoiceInput
from dialogs.recommendation_view import to_reply
from dialogs.scoping import scoping_dialog
from knowledge.applicability import applies
from knowledge.recommend import Recommendation, recommend, with_implied
from knowledge.schema import validate_answers

REPO = Path(__file__).resolve().parent.parent


def _sources(rec: Recommendation) -> set[str]:
    return {s.id for s in rec.sources}


# --- 7 and 8: region decides procurement and what an existing SOC 2 holder adds -----------


def test_procurement_outside_north_america_points_to_iso() -> None:
    answers = {"driver": "customer_procurement", "customer_regions": "international"}
    assert recommend(answers).primary == "iso27001"
    assert recommend({**answers, "customer_regions": "north_america"}).primary == "soc2"


def test_existing_soc2_with_only_north_american_customers_does_not_push_iso() -> None:
    na = {"existing_assurance": "soc2", "customer_regions": "north_america",
          "driver": "customer_procurement"}
    assert recommend(na).recommendation in {"soc2", "soc2_then_iso27001",
                                            "soc2_with_iso27001_practices"}
    assert recommend({**na, "customer_regions": "international"}).recommendation == "both"


def test_existing_assurance_rules_are_symmetric() -> None:
    """ISO holders and SOC 2 holders are each told to add the other only when buyers ask."""
    iso_only = recommend({"existing_assurance": "iso27001", "customer_regions": "international"})
    soc2_only = recommend({"existing_assurance": "soc2", "customer_regions": "north_america"})
    assert iso_only.recommendation == "iso27001" and soc2_only.recommendation == "soc2"


# --- 9: the regime question ------------------------------------------------------------


def test_regulated_yes_alone_adds_no_evidence_for_iso() -> None:
    base = {"assurance_goal": "scoped_controls", "scope": "single_service"}
    assert recommend({**base, "regulated": "yes"}).scores == recommend(
        {**base, "regulated": "no"}
    ).scores


@pytest.mark.parametrize(
    ("regime", "source"),
    [("eu_uk_financial", "eu_dora"), ("us_financial", "ffiec_ithandbook"),
     ("us_healthcare", "hipaa_security")],
)
def test_each_regime_is_hedged_and_sourced(regime: str, source: str) -> None:
    rec = recommend({"regulated": "yes", "regulatory_regime": regime})
    assert source in _sources(rec)
    texts = " ".join(r.text for r in rec.rationale)
    assert "not" in texts or "neither" in texts  # hedged: the regime does not require a certificate


def test_healthcare_regime_does_not_favour_either() -> None:
    base = {"assurance_goal": "scoped_controls"}
    with_regime = recommend({**base, "regulated": "yes", "regulatory_regime": "us_healthcare"})
    assert with_regime.scores == recommend(base).scores


def test_regime_question_is_asked_only_when_regulated() -> None:
    dialog = scoping_dialog()
    answers = {"assurance_goal": "unsure", "scope": "unsure", "driver": "internal_maturity"}
    assert dialog.next_question({**answers, "regulated": "no"}) == "org_profile"
    assert dialog.next_question({**answers, "regulated": "yes"}) == "regulatory_regime"
    assert dialog.next_question({**answers, "driver": "regulation"}) == "regulatory_regime"
    parse = dialog.by_id["regulatory_regime"].parser
    assert parse("we fall under DORA") == "eu_uk_financial"
    assert parse("HIPAA covered entity") == "us_healthcare"
    assert parse("a federal agency") == "public_sector"


# --- 10: confidence follows the evidence ---------------------------------------------------

SAAS_ALL_SOC2 = {
    "assurance_goal": "scoped_controls", "scope": "single_service",
    "driver": "customer_procurement", "regulated": "no", "org_profile": "fast_growing_saas",
    "customer_regions": "north_america", "existing_assurance": "none",
}


def test_saas_whose_every_reason_points_to_soc2_is_high() -> None:
    rec = recommend(SAAS_ALL_SOC2)
    assert rec.primary == "soc2" and rec.confidence == "high" and rec.confidence_reason == ""


def test_several_reasons_pulling_the_other_way_make_confidence_low() -> None:
    rec = recommend({"driver": "customer_procurement", "customer_regions": "international",
                     "scope": "single_service", "org_profile": "early_stage"})
    against = [r for r in rec.rationale if r.text.startswith("Pulls the other way")]
    assert len(against) >= 2
    assert rec.confidence == "low" and "different path" in rec.confidence_reason


def test_one_unknown_deciding_answer_gives_medium_and_names_it() -> None:
    rec = recommend({**SAAS_ALL_SOC2, "scope": "unsure"})
    assert rec.confidence == "medium" and "scope" in rec.confidence_reason


def test_reason_reaches_the_card_reply() -> None:
    rec = recommend({"assurance_goal": "management_system", "scope": "single_service"})
    reply = to_reply(rec, None, [])
    assert reply.confidence == "low" and reply.confidence_reason == rec.confidence_reason != ""


# --- 11: questions that do not apply ---------------------------------------------------

INTERNAL = {
    "assurance_goal": "management_system", "scope": "organisation_wide",
    "driver": "internal_maturity", "regulated": "no", "org_profile": "established_enterprise",
    "existing_assurance": "none",
}


def test_skipped_not_applicable_question_is_not_doubt_nor_an_answer() -> None:
    assert not applies("customer_regions", INTERNAL)
    rec = recommend(INTERNAL)  # customer_regions absent: the contract default "unsure"
    assert rec.confidence == "high", rec.confidence_reason
    assert all(r.answer_id != "customer_regions" for r in rec.rationale)
    assert not any("customer regions" in r.text for r in rec.rationale)
    assert not any("customer regions" in w for w in rec.would_change)


def _dialog_answers(given: dict[str, str]) -> dict[str, str]:
    """Drive the real dialog: press the given value, "Not sure" for anything else asked."""
    dialog = scoping_dialog()
    now = datetime(2026, 12, 1, tzinfo=UTC)
    state = dialog.new_state(now, timedelta(hours=1))
    while state.current is not None:
        qid = state.current
        state, _ = dialog.step(state, ChoiceInput(qid, given.get(qid), state.step), now)
    return dialog.final_answers(state.answers)


def _cli(tmp_path: Path, answers: dict[str, str]) -> dict[str, object]:
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(answers), encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "recommend", "--answers", str(path),
         "--format", "json"],
        cwd=REPO, capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return dict(json.loads(proc.stdout))


@pytest.mark.parametrize(
    "given",
    [
        INTERNAL,
        {"driver": "regulation", "regulatory_regime": "eu_uk_financial",
         "assurance_goal": "management_system", "scope": "organisation_wide"},
        {**SAAS_ALL_SOC2, "regulated": "yes", "regulatory_regime": "us_financial"},
        {"scope": "organisation_wide", "driver": "customer_procurement",
         "customer_regions": "both", "existing_assurance": "soc2"},
    ],
    ids=["internal-maturity", "regulator-driven", "regulated-saas", "org-wide-soc2-holder"],
)
def test_dialog_and_cli_agree_for_the_same_answers(given: dict[str, str], tmp_path: Path) -> None:
    via_dialog = recommend(_dialog_answers(given))
    via_file = recommend(given)
    assert via_dialog.recommendation == via_file.recommendation
    assert via_dialog.confidence == via_file.confidence
    assert via_dialog.confidence_reason == via_file.confidence_reason
    assert [r.text for r in via_dialog.rationale] == [r.text for r in via_file.rationale]
    assert _dialog_answers(given) == with_implied(given, validate_answers(given))
    cli = _cli(tmp_path, given)
    assert cli["recommendation"] == via_dialog.recommendation
    assert cli["confidence"] == via_dialog.confidence
