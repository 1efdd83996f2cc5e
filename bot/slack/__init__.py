"""Slack adapter: translates Slack payloads to neutral turns and neutral replies to Block Kit.

The only package (with `bot.server`) that imports slack_bolt / slack_sdk.
"""
