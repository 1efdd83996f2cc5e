"""Did you mean…? The best-ranked entries offered when `ask` declines to answer.

The refusal rule is strict on purpose (a wrong confident answer is worse than none), so on
new wording it declines 14–27% of in-scope questions although the ranking alone has the
right entry among its three best for 87–98% of them (docs/knowledge.md). Offering those
entries as buttons recovers most of that without ever presenting a guess as an answer.

Suggestions are offered only when the question is plausibly about identity governance,
judged from signals the search already computed:

- a ranked entry shares a domain term with the question (small talk shares none);
- the question names no subject the pack does not cover (foreign share 0: "hipaa", "ssh");
- the base knows at least half of the question's words: measured, this is what keeps
  "how do I rotate the tyres on my car" and "eu ai act high risk systems" (one domain word
  among unknown ones) from getting identity suggestions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from knowledge.qa.index import Hit, Query
from knowledge.qa.models import Entry, KnowledgeItem
from knowledge.results import Source

#: At most this many suggestions (buttons) under a refusal.
MAX_SUGGESTIONS: Final = 3
#: Added to the refusal text when there are suggestions.
DID_YOU_MEAN: Final = "Did you mean one of these?"


def plausibly_in_domain(query: Query, hits: Sequence[Hit]) -> bool:
    """True when a declined question still looks like one for this knowledge base."""
    if not hits or not query.terms:
        return False
    if any(h.foreign_share > 0 for h in hits) or query.foreign:
        return False
    if not any(h.anchored for h in hits):
        return False
    return 2 * len(query.unknown) <= len(query.terms)


def suggestion_of(entry: Entry) -> Source:
    """An entry offered as a suggestion: its id, its canonical question, its main source."""
    return Source(id=entry.id, title=entry.question, url=entry.sources[0].url)


def suggestions(
    items: Sequence[KnowledgeItem],
    query: Query,
    hits: Sequence[Hit],
    first: Sequence[int] = (),
) -> list[Source]:
    """Up to MAX_SUGGESTIONS entries, best-ranked first; none for an implausible question.

    `first`: positions to offer before the index's ranking, such as the two entries the
    classifier could not choose between (`knowledge.qa.ask`, `MIN_INTENT_MARGIN`)."""
    if not plausibly_in_domain(query, hits):
        return []
    positions = list(dict.fromkeys([*first, *(h.position for h in hits)]))
    return [suggestion_of(items[n].entry) for n in positions[:MAX_SUGGESTIONS]]
