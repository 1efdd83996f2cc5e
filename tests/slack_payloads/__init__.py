"""Slack payloads shaped like Slack's documented examples, and the wire-test harness."""
