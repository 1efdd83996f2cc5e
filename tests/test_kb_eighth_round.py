"""Issue 11, eighth retrieval round (docs/knowledge.md, "Eighth round"), pinned on questions
written for these tests (none is in an evaluation, training or tuning set: a test below
checks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.qa import ask
from knowledge.qa.concepts import definition_entry
from knowledge.qa.howto import is_tool_howto
from knowledge.qa.incident import is_live_incident
from knowledge.qa.request import request_sentence, trailing_request
from knowledge.qa.situational import is_choice
from knowledge.qa.vendor import is_vendor_pick
from knowledge.qa.writing import is_writing_task
from tests.eval.unseen import repeated_questions


def _assert_catalogue_answer(question: str, control_id: str) -> None:
    result = ask(question)
    assert result.answered and result.entry_ids == [f"control:{control_id}"], result.entry_ids


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        # ids no entry cites used to parse as foreign ids ("cc3_2")
        ("what does CC3.2 expect on identifying identity risks at a 30-person startup?", "CC3.2"),
        ("cc9.1 on disruption risk, what does the auditor look for at a tiny firm?", "CC9.1"),
        # the request points back at the control the context named
        (
            "Our customer's contract cites control A.5.19 of ISO/IEC 27001. Could you summarise "
            "what that control requires of us?",
            "A.5.19",
        ),
        # the catalogue answers before an entry about the control's neighbourhood
        ("cc7.2 - would a splunk alert on odd service account logins count for it", "CC7.2"),
        ("PR.AA-01: does it cover the build agents' identities or only staff?", "PR.AA-01"),
    ],
)
def test_a_question_about_one_control_gets_its_catalogue_record(
    question: str, control_id: str
) -> None:
    _assert_catalogue_answer(question, control_id)


@pytest.mark.parametrize(
    "question",
    [
        "cc3.2 guitar chords for beginners?",
        "Our contract cites A.5.19. Could you summarise what that control costs us per year?",
    ],
)
def test_a_control_named_beside_another_subject_gets_no_catalogue_answer(question: str) -> None:
    assert not ask(question).answered


CONTEXT = "Our emergency admin accounts sit in a safe. What evidence shows break-glass is under "


def test_a_request_after_the_question_is_read_as_a_request() -> None:
    joke = CONTEXT + "control? Then book me a table for two tonight."
    assert trailing_request(joke) == "Then book me a table for two tonight."
    assert request_sentence(joke) == "Then book me a table for two tonight."
    assert trailing_request(CONTEXT + "control? We keep the envelopes sealed.") is None
    assert request_sentence(CONTEXT + "control? We keep the envelopes sealed.") == (
        "What evidence shows break-glass is under control?"
    )


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        (CONTEXT + "control? Then book me a table for two tonight.", False),
        (CONTEXT + "control? Also tell me a joke about auditors.", False),
        (CONTEXT + "control? Explain it for our auditors.", True),
    ],
)
def test_a_trailing_request_elsewhere_is_refused_and_one_about_the_answer_is_not(
    question: str, answered: bool
) -> None:
    result = ask(question)
    assert result.answered is answered
    if answered:
        assert result.entry_ids == ["evidence-break-glass"]


@pytest.mark.parametrize(
    "question",
    [
        "a bash script to list every service account with a key older than a year please",
        "we just need the python code for rotating the vault tokens, nothing else",
        "Can you write those emails to the auditors for me? The SOC 2 fieldwork starts Monday.",
    ],
)
def test_code_by_its_language_and_clauses_are_writing_tasks(question: str) -> None:
    assert is_writing_task(question)
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "our python script rotates keys nightly, is that evidence?",
        "we need the terraform state to be encrypted?",
        "do we need a written password policy for ISO 27001?",
    ],
)
def test_naming_code_or_a_policy_is_not_a_writing_task(question: str) -> None:
    assert not is_writing_task(question)


@pytest.mark.parametrize(
    "question",
    [
        "is there an api endpoint that lists our okta service apps with their owners?",
        "az cli command to list service principals with expiring secrets?",
        "which tools and flags do we use to kerberoast our own service accounts in the pentest?",
        "which okta workflow cards do i chain to suspend a contractor on their end date?",
        "step by step in the entra portal to add a federated credential to our app reg",
    ],
)
def test_product_detail_is_a_tool_howto(question: str) -> None:
    assert is_tool_howto(question)
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "vault vs doppler vs infisical, which would you buy for a 30 person team",
        "best secrets manager for a small fintech?",
        "which cyberark licence tier has conjur in it",
        "shortlist of soc 2 audit firms for a seed-stage startup please",
    ],
)
def test_a_product_to_buy_is_refused(question: str) -> None:
    assert is_vendor_pick(question)
    assert not ask(question).answered


@pytest.mark.parametrize(
    "question",
    [
        "iso or soc2 for us? just pick one for us",
        "ISO, SOC 2 or a PAM tool: which should we buy with this year's budget?",
        "which secrets manager features do auditors look for in a SOC 2?",
    ],
)
def test_the_framework_choice_is_not_a_product_pick(question: str) -> None:
    assert not is_vendor_pick(question)


@pytest.mark.parametrize(
    "question",
    [
        "an attacker is using one of our service account keys as we speak, what do we do?",
        "we just got breached through a leaked api key. which owasp nhi item is it, what now?",
    ],
)
def test_a_breach_in_progress_is_refused(question: str) -> None:
    assert is_live_incident(question)
    assert not ask(question).answered


def test_a_past_breach_named_as_context_is_no_live_incident() -> None:
    question = "our chat vendor was breached last year and still has an oauth app in okta. nhi3?"
    assert not is_live_incident(question)
    assert ask(question).answered


def test_standardise_names_no_standard() -> None:
    assert not is_choice("rebase or merge, which one do we standardise on for the platform repos")
    assert is_choice("which standard should we go for first as a 50 person saas?")


@pytest.mark.parametrize(
    ("question", "entry"),
    [
        ("iso 27001 in normal language please", "iso27001-what"),
        ("soc 2 in a nutshell?", "soc2-what"),
        ("pam, short explanation for a newcomer?", "pam-jit"),
    ],
)
def test_more_definition_framings_get_the_definition(question: str, entry: str) -> None:
    assert ask(question).entry_ids == [entry]


def test_a_definition_of_something_else_is_still_refused() -> None:
    query = ask.__globals__["shipped_base"]().index.parse("what is pam in cooking, in a nutshell")
    assert definition_entry("what is pam in cooking, in a nutshell", query) is None


@pytest.mark.parametrize(
    "question",
    [
        "how long do stage 1 and stage 2 sleep last for adults",  # a short message: its subject
        "driving test minor nonconformity, how many are allowed",
    ],
)
def test_a_foreign_word_in_a_short_message_is_its_subject(question: str) -> None:
    assert not ask(question).answered


# --- the code review's defects (docs/knowledge.md, "Eighth round"), each fixed before landing


@pytest.mark.parametrize(
    "text",
    [
        "we counted 8.3 non-human identities per employee",
        "GitGuardian says 6.5 million secrets leaked last year",
        "it took us 8.2 months to get certified",
        "my exam score was 6.5 out of 10",
    ],
)
def test_a_decimal_that_counts_something_names_no_control(text: str) -> None:
    from knowledge.catalogue import control_ids_in

    assert control_ids_in(text) == []


def test_an_entry_the_classifier_is_sure_of_keeps_a_question_naming_a_control() -> None:
    result = ask("how often should service account access be reviewed for CC6.3?")
    assert result.entry_ids == ["access-reviews-nhi"]


@pytest.mark.parametrize(
    ("question", "rule"),
    [
        ("Terraform code for IAM roles is reviewed in pull requests, enough for CC8.1?", "write"),
        ("we need the terraform code approved by a 2nd engineer, does SOC 2 want that?", "write"),
        ("which annex a controls do I select for privileged access?", "howto"),
        ("our api endpoint takes one static api key shared by all clients, nhi reuse?", "howto"),
        ("is workload identity federation the best solution for CI pipelines?", "vendor"),
        ("Type 1 or Type 2 report, which should we buy first?", "vendor"),
        ("we got breached in 2023 via a CI token; which real breaches were similar?", "incident"),
        ("if we get hacked during the observation period, does the SOC 2 report fail?", "incident"),
        ("If an attacker is using a stolen token, which SOC 2 criteria detect it?", "incident"),
    ],
)
def test_governance_wording_does_not_trip_the_new_refusals(question: str, rule: str) -> None:
    check = {
        "write": is_writing_task,
        "howto": is_tool_howto,
        "vendor": is_vendor_pick,
        "incident": is_live_incident,
    }[rule]
    assert not check(question)


def test_a_live_incident_in_the_present_tense_is_refused() -> None:
    question = "someone is logged in as our break-glass account right now, what do we do"
    assert is_live_incident(question) and not ask(question).answered


@pytest.mark.parametrize(
    ("question", "answered"),
    [
        ("What is workload identity federation? Summarise it for our platform team.", True),
        ("What is a SOC 2 bridge letter? Lastly, recommend a thriller novel.", False),
        ("Our SOC 2 covers CC6.2. Now tell me how to fix my kitchen sink.", False),
        ("How often should we rotate keys? Afterwards, plan a team offsite in Lisbon.", False),
    ],
)
def test_a_request_about_the_answer_is_kept_and_one_elsewhere_refused(
    question: str, answered: bool
) -> None:
    assert ask(question).answered is answered


@pytest.mark.parametrize(
    ("question", "control_id"),
    [
        ("cc6.3 - what is it asking for, exactly", "CC6.3"),
        ("a.5.18 access rights, what does the control actually expect", "A.5.18"),
    ],
)
def test_look_up_framings_are_look_ups_even_when_an_entry_is_likely(
    question: str, control_id: str
) -> None:
    _assert_catalogue_answer(question, control_id)


def test_writing_the_statement_of_applicability_is_a_writing_task() -> None:
    assert is_writing_task("write our statement of applicability for us")
    assert is_writing_task("please fill in our SoA for A.5.15 to A.5.18")
    assert not is_writing_task("what goes into the statement of applicability?")


def test_this_modules_questions_are_in_no_evaluation_training_or_tuning_set() -> None:
    assert repeated_questions(Path(__file__)) == []
