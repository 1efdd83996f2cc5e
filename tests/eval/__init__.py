"""Held-out evaluation set for knowledge-base retrieval (data) and the harness that scores it."""
