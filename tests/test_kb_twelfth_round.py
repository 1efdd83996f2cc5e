"""Issue 11, twelfth retrieval round (docs/knowledge.md, "Twelfth round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from knowledge.catalogue import control_ids_in, control_mentions
from knowledge.qa import ask
from knowledge.qa.control_question import control_is_subject
from knowledge.qa.situational import NORTH_AMERICA_LEAD, OUTSIDE_NA_LEAD, led_answer, situation
from knowledge.qa.training_data import HELD_OUT_SETS, TRAINING_SETS
from knowledge.qa.writing import is_writing_task
from tests.eval.harness import NEXT_BLIND_SETS
from tests.eval.unseen import repeated_questions

ASK = sys.modules["knowledge.qa.ask"]  # the package re-exports `ask`, shadowing the module


def test_practitioner10_is_learnt_and_practitioner13_is_blind() -> None:
    # practitioner13 was blind in the twelfth to fourteenth rounds, learnt since the fifteenth
    assert "practitioner13" in TRAINING_SETS
    assert "practitioner10" in TRAINING_SETS  # measured in the ninth, tenth and eleventh rounds
    assert "dev12" not in HELD_OUT_SETS  # read; learnt since the fourteenth round
    assert "practitioner13" not in NEXT_BLIND_SETS  # measured first in the twelfth round


@pytest.mark.parametrize(
    ("question", "entry", "lead"),
    [
        # one region and a demand from procurement: the procurement entry, after the region rule
        (
            "our buyers are mostly in the nordics and their procurement wants an accredited "
            "certificate. iso or soc2 first?",
            "enterprise-procurement",
            OUTSIDE_NA_LEAD,
        ),
        (
            "we sell to US retailers and their procurement sends a questionnaire asking for a "
            "report. soc2 or iso?",
            "enterprise-procurement",
            NORTH_AMERICA_LEAD,
        ),
        # one region, no demand named: the region's entry, as before
        (
            "our buyers are mostly in the nordics. iso or soc2 first?",
            "when-iso27001",
            OUTSIDE_NA_LEAD,
        ),
    ],
)
def test_a_region_with_a_procurement_demand_gets_the_procurement_entry(
    question: str, entry: str, lead: str
) -> None:
    assert situation(question) == (entry, lead)
    result = ask(question)
    assert result.entry_ids == [entry] and result.answer.startswith(lead)


@pytest.mark.parametrize(
    "question",
    [
        # "US" in capitals is the country; "uk and us" lists it beside a region
        "we sell legal software to law firms in the UK and US, iso 27001 or soc 2 first?",
        "we sell legal software to law firms in the uk and us, iso 27001 or soc 2 first?",
        # every clause that names buyers is read, with the region just before the word for them
        "our customer in the US wants soc2, the german customer wants iso, which first?",
        # a list of places split by commas is one buyers' clause
        "our customers are in the UK, US and Canada, iso or soc2?",
        "our customers are in the us and germany, iso or soc2?",
    ],
)
def test_buyers_on_both_sides_get_the_rule_that_depends_on_where_they_are(question: str) -> None:
    assert situation(question) == ("enterprise-procurement", None)
    # since the fourteenth round learnt three more sets the rankers lean to the general choice
    # entry for some of these, which is kept; an entry for one region's buyers never is
    assert ask(question).entry_ids[0] in {"enterprise-procurement", "choose-iso-or-soc2"}


def test_us_in_capitals_is_the_country() -> None:
    # only the capitals decide here: "us law firms" could be the pronoun's
    assert situation("we sell to US law firms, iso or soc2?")[0] == "when-soc2"
    assert situation("we sell to us law firms, iso or soc2?")[0] == "enterprise-procurement"
    # a cloud region is no customer: "AWS US-East" leaves the european buyers outside
    hosted = "our customers are european and we host in AWS US-East, iso or soc2?"
    assert situation(hosted) == ("when-iso27001", OUTSIDE_NA_LEAD)


@pytest.mark.parametrize(
    "question",
    [
        # the demand must be the buyers': the asker's own reporting line or certificate is not
        "customers in germany, I report to the CTO, iso or soc2?",
        "our customers are european, iso certification or soc2 report first?",
        # a negated mention does not hide the buyers named after it
        "no customer pressure yet though german prospects mention iso, which first iso or soc2?",
    ],
)
def test_only_the_buyers_clauses_say_what_they_demand(question: str) -> None:
    assert situation(question) == ("when-iso27001", OUTSIDE_NA_LEAD)


def test_capitals_and_the_pronoun() -> None:
    # the pronoun stays a pronoun in lower case, and an all-capitals message is not read as
    # naming the country by its capitals alone
    assert situation("push us toward iso or soc2, our clients are in the uk")[0] == "when-iso27001"
    assert situation("WE SELL TO US BANKS, ISO OR SOC2?")[0] == "when-soc2"  # "us banks"


def test_customers_said_not_to_be_asking_name_no_buyers() -> None:
    question = "iso 27001 or soc 2 for us? no customer is asking yet, the board just wants one"
    assert situation(question) == ("choose-iso-or-soc2", None)
    assert ask(question).entry_ids == ["choose-iso-or-soc2"]


def test_the_fallback_rule_does_not_replace_the_rankers_framework_choice() -> None:
    question = (
        "we went from 15 to 120 staff in a year and clients now ask about compliance. what do "
        "fast-growing companies do first, soc 2 or iso?"
    )
    assert situation(question)[0] in {"enterprise-procurement", "choose-iso-or-soc2"}
    assert ask(question).entry_ids == ["fast-growing-saas"]
    # buyers that are banks still get the buyers' reading, not the regulated entry
    assert ask("our clients are us + eu banks, iso or soc2").entry_ids == ["enterprise-procurement"]


@pytest.mark.parametrize(
    ("question", "subject"),
    [
        ("does cc7.2 cover alerting on odd bot logins?", True),
        ("the A.8.31 control, does it reach test credentials?", True),
        ("Clause 8.2: what must the assessment include?", True),
        ("how should IAM role changes go through change management for CC8.1?", False),
        ("which csf subcategory holds the robot inventory, ID.AM-02?", False),
        ("nhi2 leaked key, how to mitigate in gitlab?", False),  # how to act: an entry's
        ("nhi2 leaked key, what should we do?", False),
        ("does cc6.1 want MFA on robots or is a vault enough?", False),
        ("what about the weather", False),
    ],
)
def test_a_control_is_the_subject_when_the_message_opens_with_it(
    question: str, subject: bool
) -> None:
    assert control_is_subject(question) is subject


def test_a_message_about_the_control_itself_gets_its_record_not_a_sure_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    question = "does cc7.2 cover monitoring of service account anomalies?"
    model = ASK.shipped_model()
    query, _ = ASK.shipped_base().index.search(question, ASK.MAX_SUGGESTIONS)
    likeliest = model.ranked(ASK.query_tokens(query), 1)[0]
    assert likeliest[0] == "soc2-cc7-monitoring" and likeliest[1] >= ASK.ENTRY_OWNS_P
    assert ask(question).entry_ids == ["control:CC7.2"]
    monkeypatch.setattr(ASK, "control_is_subject", lambda question: False)
    assert ask(question).entry_ids == ["soc2-cc7-monitoring"]  # what the rule changes
    monkeypatch.undo()
    # a task the control bears on still gets the entry that says how
    how = "how should IAM role changes go through change management for CC8.1?"
    assert ask(how).entry_ids == ["iam-change-management"]


def test_control_mentions_are_where_control_ids_in_finds_them() -> None:
    text = "cc6.1 and A.5.17, then cc6.1 again"
    mentions = control_mentions(text)
    assert [cid for _, cid in mentions] == ["CC6.1", "A.5.17", "CC6.1"]
    assert [pos for pos, _ in mentions] == [0, 10, 23]
    assert control_ids_in(text) == ["CC6.1", "A.5.17"]


def test_a_spreadsheet_formula_is_a_writing_task() -> None:
    question = (
        "I look at vendor soc 2 reports all day, can you help me write an Excel formula that "
        "highlights expired ones?"
    )
    assert is_writing_task(question)
    assert not ask(question).answered
    # a formula of the method, or a macro-level view, is no spreadsheet
    assert not is_writing_task("give me the formula for the risk score in an iso risk method")
    assert not is_writing_task("write a macro-level summary of what soc 2 cc6 asks")


def test_these_tests_questions_are_in_no_evaluation_or_training_set() -> None:
    assert repeated_questions(Path(__file__)) == []


def test_the_procurement_entry_after_a_region_lead_reads_as_one_answer() -> None:
    question = (
        "our buyers are mostly in the nordics and their procurement wants an accredited "
        "certificate. iso or soc2 first?"
    )
    answer = ask(question).answer
    assert answer.startswith(f"{OUTSIDE_NA_LEAD} The rule in full: North American procurement")
    assert "It depends on where the buyers are" not in answer  # the lead has said where
    assert led_answer("It depends on where the buyers are. X.", None).startswith("It depends")
    assert led_answer("ISO fits.", NORTH_AMERICA_LEAD) == f"{NORTH_AMERICA_LEAD} ISO fits."
