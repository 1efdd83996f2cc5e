"""The shipped knowledge pack: size, topic coverage, sources, the FAQ's corrections, own words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.qa.check import check_all
from knowledge.qa.loader import load_shipped

SEED_DIR = Path(__file__).resolve().parents[2] / "shared" / "seed"

OWASP_TITLES = {
    1: "Improper Offboarding",
    2: "Secret Leakage",
    3: "Vulnerable Third-Party NHI",
    4: "Insecure Authentication",
    5: "Overprivileged NHI",
    6: "Insecure Cloud Deployment Configurations",
    7: "Long-Lived Secrets",
    8: "Environment Isolation",
    9: "NHI Reuse",
    10: "Human Use of NHI",
}


def entries() -> dict[str, str]:
    """id -> all the text of the entry."""
    return {
        i.entry.id: " ".join([i.entry.question, i.entry.answer, i.entry.detail or ""])
        for i in load_shipped()
    }


def test_at_least_60_entries_and_shipped_pack_passes_check() -> None:
    assert len(load_shipped()) >= 60
    checked, problems = check_all(None)
    assert checked >= 60
    assert problems == []


@pytest.mark.parametrize(
    "entry_id",
    [
        "choose-iso-or-soc2",
        "iso27001-what",
        "soc2-what",
        "soc2-attestation-not-certification",
        "soc2-type1-vs-type2",
        "iso27001-certificate-cycle",
        "narrow-scope-risk",
        "enterprise-procurement",
        "regulated-organisations",
        "fast-growing-saas",
        "nhi-visibility-why",
        "nhi-ratio-stats",
        "identity-outcomes",
        "evidence-inventory",
        "evidence-least-privilege",
        "evidence-rotation",
        "evidence-break-glass",
        "evidence-offboarding",
        "distributed-ownership",
        "technical-baselines",
        "csf-gv-rm",
        "csf-pr-aa",
        "csf-pr-ac-renamed",
        "crosswalk-overview",
        "owasp-nhi-01-correction",
    ],
)
def test_issue_topics_are_covered(entry_id: str) -> None:
    assert entry_id in entries()


@pytest.mark.parametrize("number", range(1, 11))
def test_each_owasp_nhi_risk_has_an_entry_with_its_official_title(number: int) -> None:
    text = entries()[f"owasp-nhi{number}"]
    assert f"NHI{number}:2025 {OWASP_TITLES[number]}" in text


def test_faq_imprecisions_are_corrected() -> None:
    text = entries()
    assert "NHI1:2025 is\nImproper Offboarding" in text["owasp-nhi-01-correction"] or (
        "NHI1:2025 is Improper Offboarding" in " ".join(text["owasp-nhi-01-correction"].split())
    )
    assert "CSF 1.1" in text["csf-pr-ac-renamed"] and "PR.AA" in text["csf-pr-ac-renamed"]
    assert "no single source" in text["nhi-ratio-stats"]
    for item in load_shipped():
        assert "PR.AC" not in item.entry.controls


def test_every_statistic_is_attributed() -> None:
    """A percentage or an N:1 ratio in an answer comes with a named source in the same entry."""
    attributions = (
        "Silverfort",
        "CyberArk",
        "Palo Alto",
        "GitGuardian",
        "Cloud Security",
        "CSA",
        "OWASP",
        "Datadog",
        "Orca",
        "Entro",
    )
    for item in load_shipped():
        text = item.entry.answer + " " + (item.entry.detail or "")
        if re.search(r"\d+(\.\d+)?%|\b\d+:1\b", text):
            assert any(a in text for a in attributions), item.entry.id
            assert item.entry.sources


def test_every_source_is_a_public_https_page() -> None:
    for item in load_shipped():
        for source in item.entry.sources:
            assert source.url.startswith("https://"), (item.entry.id, source.url)
            assert source.title


@pytest.mark.skipif(not SEED_DIR.is_dir(), reason=f"seed FAQ not present at {SEED_DIR}")
def test_entries_are_written_in_our_own_words() -> None:
    """No run of eight consecutive words is shared with the FAQ the product grew from."""

    def runs(text: str, n: int = 8) -> set[tuple[str, ...]]:
        toks = re.findall(r"[a-z0-9]+", text.lower())
        return {tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)}

    seed = set().union(*(runs(p.read_text()) for p in SEED_DIR.glob("*.txt")))
    for item in load_shipped():
        e = item.entry
        copied = runs(" ".join([e.question, e.answer, e.detail or "", *e.paraphrases])) & seed
        assert not copied, (e.id, [" ".join(c) for c in copied][:3])
