"""Escaping for Slack mrkdwn: the three characters Slack asks apps to escape.

User text echoed back must not turn into control sequences: ``<!channel>`` typed by a user
would otherwise ping the whole channel, and ``<https://evil|bank>`` would disguise a link.
"""

from __future__ import annotations


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
