""" "Did you mean…?" on refusals: which refusals get suggestions, how often the labelled entry
is among them (measured on every evaluation set), `answer_entry`, the CLI and the cards.

The figures and floors are beside `FLOORS` below (docs/knowledge.md has their history).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from bot.cards import render
from dialogs.actions import Action, Verb, from_slack, from_teams
from dialogs.org_faq import add_file
from dialogs.qa import entry_result
from dialogs.replies import AnswerReply
from knowledge.qa.ask import REFUSAL, answer_entry, ask, shipped_base, sources_of
from knowledge.qa.suggest import DID_YOU_MEAN, MAX_SUGGESTIONS
from tests.cards_fixtures import EVIL, FIXTURES
from tests.eval.harness import (
    Case,
    all_sets,
    expected,
    practitioner14,
    practitioner16,
    practitioner17,
)
from tests.teams_helpers import submits
from tests.test_kb_cli import idgov

#: set -> (floor on the share of refused in-scope questions whose label is suggested,
#:         most out-of-scope questions allowed to get suggestions)
#: Since the fifth round of issue 11 the tuned sets train the intent classifier and are almost
#: never refused, so the hit rate is measured on the blind sets, as counts only (their
#: questions are never printed). Measured 2026-12-05 after the fifteenth round
#: (docs/knowledge.md): practitioner14 8/23 refusals with the label suggested, 10/65
#: out-of-scope with suggestions; practitioner16 24/54 and 9/61; practitioner17 3/12 and
#: 12/65. The floors are those figures less about one question; guards, not targets.
FLOORS = {
    "practitioner14": (0.30, 11),
    "practitioner16": (0.42, 10),
    "practitioner17": (0.20, 13),
}
POOLED_FLOOR = 0.36  # measured 35/89 = 39%
BLIND_SETS = {
    "practitioner14": practitioner14,
    "practitioner16": practitioner16,
    "practitioner17": practitioner17,
}


def _measure(sets: list[tuple[str, list[Case], list[str]]]) -> dict[str, tuple[int, int, int, int]]:
    """Per set: refused in-scope, with suggestions, label among them, OOS given suggestions."""
    out = {}
    for name, cases, oos in sets:
        refused = suggested = hit = 0
        for case in cases:
            result = ask(case.question)
            if result.answered:
                assert not result.suggestions
                continue
            refused += 1
            ids = [s.id for s in result.suggestions]
            assert len(ids) <= MAX_SUGGESTIONS
            suggested += bool(ids)
            hit += bool(expected(case) & set(ids))
        leaks = sum(bool(ask(q).suggestions) for q in oos)
        out[name] = (refused, suggested, hit, leaks)
    return out


def test_suggestion_hit_rate_on_refusals_and_none_for_out_of_scope() -> None:
    figures = _measure([(name, *BLIND_SETS[name]()) for name in FLOORS])
    for name, (refused, _, hit, leaks) in figures.items():
        floor, max_leaks = FLOORS[name]
        assert refused, name  # every set has refusals to measure on
        assert hit / refused >= floor, (name, hit, refused)
        assert leaks <= max_leaks, (name, leaks)
    total = sum(f[0] for f in figures.values())
    assert sum(f[2] for f in figures.values()) / total >= POOLED_FLOOR
    tuned = _measure(all_sets())
    assert tuned["main"][3] == 0  # 100% of the main out-of-scope set: no suggestions
    # measured 4 of 113 after the eighth round (5 after the seventh, 3 before it)
    assert sum(f[3] for f in tuned.values()) <= 5


def test_refusal_text_stays_honest_and_gains_the_question_only_with_suggestions() -> None:
    result = ask("auditors come back after we pass?")
    assert not result.answered and result.sources == [] and result.entry_ids == []
    assert 1 <= len(result.suggestions) <= 3
    assert result.answer == f"{REFUSAL}\n\n{DID_YOU_MEAN}"
    assert result.suggestions[0].id == "iso27001-certificate-cycle"
    by_id = {item.entry.id: item.entry for item in shipped_base().items}
    for s in result.suggestions:
        assert s.title == by_id[s.id].question and s.url == by_id[s.id].sources[0].url


@pytest.mark.parametrize(
    "question",
    [
        "good morning everyone",  # small talk: no domain term
        "how do I rotate the tyres on my car",  # one domain word among unknown ones
        "how does the eu ai act classify high risk systems",
        "what are the pci dss requirements for service accounts",  # foreign subject
        "how do I rotate my ssh key on github",
        "   ",
    ],
)
def test_implausible_questions_get_no_suggestions(question: str) -> None:
    result = ask(question)
    assert not result.answered and result.suggestions == []
    assert DID_YOU_MEAN not in result.answer


def test_confident_answers_carry_no_suggestions() -> None:
    result = ask("what is SOC 2 Type II?")
    assert result.answered and result.suggestions == []


def test_answer_entry_answers_a_suggestion_directly() -> None:
    refused = ask("auditors come back after we pass?")  # "wat is soc2 exactly" is answered now
    assert not refused.answered and refused.suggestions
    pick = refused.suggestions[0]
    result = answer_entry(pick.id)
    entry = next(i.entry for i in shipped_base().items if i.entry.id == pick.id)
    assert result.answered and result.score == 1.0
    assert result.answer == entry.answer and result.sources == sources_of(entry)
    assert result.entry_ids == [pick.id] and result.titles == [pick.title]
    assert result.suggestions == []


@pytest.mark.parametrize("entry_id", ["no-such-entry", "", EVIL])
def test_answer_entry_unknown_id_is_a_polite_refusal(entry_id: str) -> None:
    result = answer_entry(entry_id)
    assert not result.answered and result.sources == [] and result.suggestions == []
    assert "could not find" in result.answer and "/idgov help" in result.answer


def test_answer_entry_finds_organisation_entries(engine: Engine, tmp_path: Path) -> None:
    faq = tmp_path / "vpn.md"
    faq.write_text(
        "---\nid: acme-vpn\nquestion: How do I get VPN access at Acme?\n"
        "sources:\n  - title: Acme IT wiki\n    url: https://wiki.acme.example/vpn\n---\n"
        "Request the VPN role in the access portal; your manager approves it.\n",
        encoding="utf-8",
    )
    assert add_file(engine, faq) == ["acme-vpn"]
    result = entry_result(engine, "acme-vpn")
    assert result.answered and result.answer.startswith("Request the VPN role")
    assert not answer_entry("acme-vpn").answered  # not in the shipped base alone


def test_ask_action_round_trips_through_the_codec() -> None:
    action = Action(verb=Verb.ASK, entry_id="soc2-what")
    assert action.slack_value() == '{"e":"soc2-what"}'
    assert action.teams_data() == {"idgov": "ask", "e": "soc2-what"}
    assert from_slack("idgov.ask#2", action.slack_value()).entry_id == "soc2-what"
    assert from_teams(action.teams_data()).verb is Verb.ASK
    with pytest.raises(ValueError):
        from_teams({"idgov": "ask", "e": "x" * 201})


def test_cli_json_and_text_list_suggestions(tmp_path: Path) -> None:
    question = "auditors come back after we pass?"
    proc = idgov("ask", question, "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert set(data) == {"answered", "answer", "sources", "score", "suggestions"}
    assert data["answered"] is False and data["answer"].endswith(DID_YOU_MEAN)
    assert data["suggestions"][0]["id"] == "iso27001-certificate-cycle"
    assert all(set(s) == {"id", "title", "url"} for s in data["suggestions"])
    text = idgov("ask", question, cwd=tmp_path).stdout
    assert DID_YOU_MEAN in text and "\n1. How long is an ISO/IEC 27001 certificate valid" in text
    assert "[iso27001-certificate-cycle]" in text
    plain = idgov("ask", "good morning everyone", "--format", "json", cwd=tmp_path).stdout
    assert json.loads(plain)["suggestions"] == []


def test_cards_show_each_suggestion_as_a_button() -> None:
    reply = FIXTURES["answer_suggestions"]
    assert isinstance(reply, AnswerReply)
    slack = render(reply, "slack")
    accessories = [b["accessory"] for b in slack["blocks"] if "accessory" in b]
    assert [a["action_id"] for a in accessories] == ["idgov.ask#1", "idgov.ask#2", "idgov.ask#3"]
    pressed = [from_slack(a["action_id"], a["value"]) for a in accessories]
    assert [(a.verb, a.entry_id) for a in pressed] == [(Verb.ASK, s.id) for s in reply.suggestions]
    assert "*1.* Which framework suits a regulated" in json.dumps(slack)
    asks = [d for d in submits(render(reply, "teams")) if d["idgov"] == "ask"]
    assert [from_teams(d).entry_id for d in asks] == [s.id for s in reply.suggestions]
    text = render(reply, "text")
    assert "  1. Which framework suits a regulated" in text and "  3. Identity evidence" in text


def test_suggestion_titles_are_text_not_markup() -> None:
    reply = FIXTURES["answer_suggestions_evil"]
    slack = render(reply, "slack")
    sections = [b["text"]["text"] for b in slack["blocks"] if "accessory" in b]
    assert len(sections) == 3 and all("&lt;!channel&gt;" in t for t in sections)
    accessory = next(b["accessory"] for b in slack["blocks"] if "accessory" in b)
    assert from_slack(accessory["action_id"], accessory["value"]).entry_id == EVIL
    columns = [b for b in render(reply, "teams")["body"] if b["type"] == "ColumnSet"]
    shown = [c["columns"][0]["items"][0]["text"] for c in columns]
    assert len(shown) == 3 and all("\\<at>Bob\\</at>" in t for t in shown)
    assert all("\\[link\\](" in t for t in shown)
    asks = [d for c in columns for d in submits(c)]
    assert [from_teams(d).entry_id for d in asks] == [EVIL] * 3
