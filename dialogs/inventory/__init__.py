"""Inventory import orchestration, task sync, summaries and evidence packs (no platform SDK)."""
