"""Knowledge-base Q&A: sourced answers from the shipped pack and the organisation's own FAQ.

`ask(question, engine=None)` is the one entry point the CLI and the chat adapters call; see
docs/knowledge.md for the method and its measured accuracy.
"""

from knowledge.qa.ask import ask
from knowledge.qa.models import AskResult, Entry, KnowledgeItem, SourceRef

__all__ = ["AskResult", "Entry", "KnowledgeItem", "SourceRef", "ask"]
