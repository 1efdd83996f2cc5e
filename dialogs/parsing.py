"""Typed-answer parsing: turn the way people type into one allowed value, or nothing.

A parser is an ordered list of rules, each a set of regular expressions and the value they
mean. Rules are tried in order and each match is *consumed* (blanked out) before the next
rule looks, so a negated phrase listed first ("not regulated", "no customers") is never
read again as its positive keyword. If the surviving matches name one value, that is the
answer; several values is ambiguous and the question is re-asked; none is "not
understood". Never guessing is the point: a wrong answer silently changes a
recommendation, a re-ask costs one message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'", "_": " ", "–": "-", "—": "-"})


def normalise(text: str) -> str:
    """Lower-case, straight apostrophes, single spaces, no surrounding punctuation."""
    text = text.translate(_APOSTROPHES).lower()
    text = re.sub(r"\s+", " ", text)
    return text.strip(' \t\n.!,;:"()[]')


class ParseError(ValueError):
    """The text reads as an answer but not one we can pick safely; message is for the user."""


class Ambiguous(ValueError):
    """The text names several values; the engine re-asks, naming them by their labels."""

    def __init__(self, values: Iterable[str]) -> None:
        self.values = tuple(values)
        super().__init__(f"ambiguous: {', '.join(self.values)}")


_UNSURE = re.compile(
    r"^\?+$|\b(?:not sure|unsure|dunno|idk|no idea|no clue|don'?t know|do not know|"
    r"not certain|can'?t say|cannot say|hard to say|unclear|no ?one knows|nobody knows|"
    r"i'?m not sure|not a clue)\b"
)


def is_unsure(text: str) -> bool:
    """True for "not sure", "dunno", "idk", "?" and friends: the question's unknown value."""
    return bool(_UNSURE.search(normalise(text)) or text.strip().startswith("?"))


#: Words that negate a keyword up to two words later ("not a bank", "no real regulator").
NEG = r"(?:\bnot|\bno|\bnever|\bwithout|\bnor|\bneither|n't|\bnon)[ -](?:[\w'-]+ ){0,2}"


def neg(pattern: str) -> str:
    """A regex for `pattern` negated within a short window (no punctuation in between)."""
    return f"{NEG}(?:{pattern})"


Combiner = Callable[[frozenset[str]], str | None]


@dataclass(frozen=True)
class Rule:
    """`value` None consumes the match without voting (e.g. a negated keyword that says
    what the answer is *not*)."""

    value: str | None
    patterns: tuple[re.Pattern[str], ...]


def rule(value: str | None, *patterns: str) -> Rule:
    return Rule(value, tuple(re.compile(p) for p in patterns))


@dataclass(frozen=True)
class RuleParser:
    """Callable parser built from ordered rules; `combine` maps several values to one
    (e.g. "US and Europe" -> both) before ambiguity is declared."""

    rules: tuple[Rule, ...]
    combine: Combiner | None = None

    def __call__(self, text: str) -> str | None:
        remaining = f" {normalise(text)} "
        found: list[str] = []
        for r in self.rules:
            for regex in r.patterns:
                if regex.search(remaining):
                    remaining = regex.sub(lambda m: " " + "#" * len(m.group(0)) + " ", remaining)
                    if r.value is not None and r.value not in found:
                        found.append(r.value)
        if not found:
            return None
        if len(found) == 1:
            return found[0]
        combined = self.combine(frozenset(found)) if self.combine else None
        if combined is not None:
            return combined
        raise Ambiguous(found)


def words(*alternatives: str) -> str:
    """A regex matching any of the phrases as whole words."""
    return r"\b(?:" + "|".join(alternatives) + r")\b"


def combine_pair(parts: Iterable[str], into: str) -> Combiner:
    """Two specific values together mean a third ("SOC 2 and ISO" -> both)."""
    wanted = frozenset(parts)

    def _combine(found: frozenset[str]) -> str | None:
        return into if found == wanted or found == wanted | {into} else None

    return _combine


def build_parser(spec: Mapping[str, Any]) -> RuleParser:
    """A parser from its data form (``parse`` and ``combine`` of a question in scoping.yaml)."""
    rules: list[Rule] = []
    for item in spec.get("parse", ()):
        patterns: list[str] = []
        if "negated" in item:
            patterns.append(neg(str(item["negated"])))
        if "words" in item:
            patterns.append(words(*(str(w) for w in item["words"])))
        rules.append(rule(item["value"], *patterns))  # compiled now: bad regex fails at load
    combine = spec.get("combine")
    merged = combine_pair(combine["values"], combine["into"]) if combine else None
    return RuleParser(tuple(rules), merged)
