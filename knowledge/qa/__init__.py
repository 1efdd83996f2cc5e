"""Knowledge-base Q&A: sourced answers from the shipped pack and the organisation's own FAQ.

`ask(question, org=None)` answers from the shipped pack plus, when given, an organisation's
entries (`OrgEntries`); knowledge opens no database: `dialogs.qa` reads those entries and
records feedback. See docs/knowledge.md for the method and its measured accuracy.
"""

from knowledge.qa.ask import ask
from knowledge.qa.models import AskResult, Entry, KnowledgeItem, SourceRef

__all__ = ["AskResult", "Entry", "KnowledgeItem", "SourceRef", "ask"]
