"""Typed answers: how people actually type, negations included, read as one value or re-asked."""

from __future__ import annotations

import pytest

from dialogs.engine import Question, TextInput
from dialogs.parsing import Ambiguous, build_parser, is_unsure, normalise
from dialogs.scoping import scoping_dialog
from knowledge.schema import ANSWER_VALUES, DEFAULT_VALUES, UNKNOWN_VALUES

PHRASINGS: list[tuple[str, str, str]] = [
    # (question id, what someone types, the value it must mean)
    ("assurance_goal", "a lasting ISMS we keep improving", "management_system"),
    ("assurance_goal", "ISO certification", "management_system"),
    ("assurance_goal", "a SOC 2 report for customers", "scoped_controls"),
    ("assurance_goal", "proof that our controls work", "scoped_controls"),
    ("assurance_goal", "not a management system, just an attestation", "scoped_controls"),
    ("scope", "just one platform", "single_service"),
    ("scope", "one product", "single_service"),
    ("scope", "a single service", "single_service"),
    ("scope", "only our SaaS app", "single_service"),
    ("scope", "whole company", "organisation_wide"),
    ("scope", "all subsidiaries", "organisation_wide"),
    ("scope", "across the group, every department", "organisation_wide"),
    ("scope", "not the whole company", "single_service"),
    ("scope", "not just one product", "organisation_wide"),
    ("driver", "customers asking for it", "customer_procurement"),
    ("driver", "procurement questionnaires", "customer_procurement"),
    ("driver", "enterprise buyers keep sending security reviews", "customer_procurement"),
    ("driver", "our regulator", "regulation"),
    ("driver", "DORA", "regulation"),
    ("driver", "no customer is asking, we want to improve", "internal_maturity"),
    ("driver", "the board wants better security hygiene", "internal_maturity"),
    ("regulated", "we're a bank", "yes"),
    ("regulated", "FCA regulated", "yes"),
    ("regulated", "HIPAA", "yes"),
    ("regulated", "yes", "yes"),
    ("regulated", "Yep", "yes"),
    ("regulated", "not regulated", "no"),
    ("regulated", "no regulator", "no"),
    ("regulated", "we’re not a bank", "no"),
    ("regulated", "it isn't regulated", "no"),
    ("regulated", "unregulated", "no"),
    ("regulated", "nope", "no"),
    ("org_profile", "an early-stage startup", "early_stage"),
    ("org_profile", "fast growing SaaS", "fast_growing_saas"),
    ("org_profile", "a large multinational", "established_enterprise"),
    ("org_profile", "a non-profit", "other"),
    ("customer_regions", "mostly the US", "north_america"),
    ("customer_regions", "Canada", "north_america"),
    ("customer_regions", "outside the US", "international"),
    ("customer_regions", "not in the US, mostly EMEA", "international"),
    ("customer_regions", "US and Europe", "both"),
    ("customer_regions", "global", "both"),
    ("existing_assurance", "nothing yet", "none"),
    ("existing_assurance", "no SOC 2 yet", "none"),
    ("existing_assurance", "neither", "none"),
    ("existing_assurance", "SOC 2 Type II", "soc2"),
    ("existing_assurance", "a SOC 2 but no ISO", "soc2"),
    ("existing_assurance", "we're ISO 27001 certified", "iso27001"),
    ("existing_assurance", "SOC 2 and ISO", "both"),
    ("nhi_inventory", "a spreadsheet, mostly", "partial"),
    ("nhi_inventory", "not complete", "partial"),
    ("nhi_inventory", "a full CMDB", "complete"),
    ("nhi_inventory", "we don't have one", "none"),
    ("secret_rotation", "vault rotates them", "automated"),
    ("secret_rotation", "AWS Secrets Manager", "automated"),
    ("secret_rotation", "someone does it by hand", "manual"),
    ("secret_rotation", "not automated", "manual"),
    ("secret_rotation", "never", "none"),
    ("secret_rotation", "we don't rotate them", "none"),
    ("least_privilege", "not fully", "partial"),
    ("least_privilege", "in places", "partial"),
    ("least_privilege", "not enforced", "none"),
    ("least_privilege", "everyone is admin", "none"),
    ("least_privilege", "strictly, with access reviews", "enforced"),
    ("break_glass", "we have a tested runbook", "documented"),
    ("break_glass", "not documented", "ad_hoc"),
    ("break_glass", "someone has a shared password", "ad_hoc"),
    ("break_glass", "we don't have one", "none"),
    ("offboarding", "same day via SCIM", "timely"),
    ("offboarding", "within a few days", "delayed"),
    ("offboarding", "it takes weeks", "delayed"),
    ("offboarding", "no process", "none"),
    ("nhi_ownership", "the IAM team", "central"),
    ("nhi_ownership", "each team owns their own", "distributed"),
    ("nhi_ownership", "nobody", "unknown"),
    ("shared_nhi_boundary", "yes, our CI/CD token", "yes"),
    ("shared_nhi_boundary", "they are separate", "no"),
    ("shared_nhi_boundary", "not shared", "no"),
    # Generic "don't know" phrasings give the question's unknown value.
    ("scope", "not sure", "unsure"),
    ("regulated", "dunno", "unsure"),
    ("driver", "idk", "unsure"),
    ("nhi_inventory", "?", "unknown"),
    ("secret_rotation", "no idea", "unknown"),
    ("org_profile", "not sure", "other"),
    ("existing_assurance", "I don't know", "none"),
]


def _answer(qid: str, text: str) -> str:
    """Run the text through the real engine and return what it recorded."""
    dialog = scoping_dialog()
    q = dialog.by_id[qid]
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 1, 5, 9, tzinfo=UTC)
    state = dialog.new_state(now, timedelta(hours=1))
    state.current = q.id
    new, replies = dialog.step(state, TextInput(text), now)
    assert q.id in new.answers, replies
    return new.answers[q.id]


@pytest.mark.parametrize(("qid", "text", "value"), PHRASINGS)
def test_realistic_phrasings(qid: str, text: str, value: str) -> None:
    assert _answer(qid, text) == value


@pytest.mark.parametrize(
    ("qid", "text"),
    [
        ("regulated", "no, we are regulated"),  # contradicts itself
        ("scope", "the whole company and one product"),
        ("driver", "customers and the regulator"),
        ("secret_rotation", "some automated, some manual"),
    ],
)
def test_ambiguous_answers_are_re_asked_naming_the_choices(qid: str, text: str) -> None:
    q = scoping_dialog().by_id[qid]
    with pytest.raises(Ambiguous) as err:
        q.parser(text)
    assert len(err.value.values) >= 2


@pytest.mark.parametrize(
    ("qid", "text"),
    [("regulated", "purple"), ("scope", "tuesday"), ("nhi_inventory", "lorem ipsum")],
)
def test_unrelated_text_is_not_understood(qid: str, text: str) -> None:
    assert scoping_dialog().by_id[qid].parser(text) is None


def test_unsure_detection_and_normalisation() -> None:
    for text in ("not sure", "Dunno", "idk", "?", "??", "no idea", "I’m not sure", "hard to say"):
        assert is_unsure(text), text
    for text in ("sure", "yes", "unsurprisingly no"):
        assert not is_unsure(text), text
    assert normalise("  We’re   a BANK!! ") == "we're a bank"


def test_every_question_matches_the_answer_contract() -> None:
    dialog = scoping_dialog()
    assert [q.id for q in dialog.questions] == list(dialog.by_id)
    assert set(dialog.by_id) == set(ANSWER_VALUES)
    for q in dialog.questions:
        expected = [v for v in ANSWER_VALUES[q.id] if v not in UNKNOWN_VALUES]
        assert [v for v, _ in q.choices] == expected
        assert q.skip_value == DEFAULT_VALUES[q.id]
        assert q.prompt and q.help and q.why and "\n" not in q.why.strip()
        assert isinstance(q, Question)


def test_build_parser_rejects_a_bad_regex_at_load() -> None:
    import re

    with pytest.raises(re.error):
        build_parser({"parse": [{"value": "yes", "words": ["(unclosed"]}]})


def test_combine_turns_two_values_into_a_third() -> None:
    p = build_parser(
        {
            "parse": [{"value": "a", "words": ["apple"]}, {"value": "b", "words": ["banana"]}],
            "combine": {"values": ["a", "b"], "into": "both"},
        }
    )
    assert p("apple and banana") == "both"
    assert p("banana") == "b"
