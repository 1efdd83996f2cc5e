"""Curated identity-governance knowledge: the scoping contract, recommendation rules,
control crosswalk and FAQ entries, all kept as reviewable data files plus the code that loads them.

Nothing here imports a chat-platform SDK: knowledge is shared by every front end.
"""
