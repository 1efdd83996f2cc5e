"""Escaping and clipping for each target, so user text is shown, never obeyed.

Slack mrkdwn treats ``<...>`` as links and mentions (``<!channel>`` pings everyone), so the
three control characters become entities. Teams TextBlocks ignore HTML but render Markdown, so
Markdown punctuation gets a backslash. Limits are applied after escaping (that is what the
platforms count) without ever cutting an entity or an escape in half.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

ELLIPSIS = "…"

_SLACK_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,4}$")
_MD_INLINE = re.compile(r"([\\`*_\[\]~<])")
_MD_LINE_START = re.compile(r"^(\s*)([#>+\-]|\d+[.)])", re.MULTILINE)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def clip(text: str, limit: int) -> str:
    """Plain text cut to `limit` characters, ending with an ellipsis when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)].rstrip() + ELLIPSIS


def slack_escape(text: str) -> str:
    """Escape `&`, `<`, `>` for Slack mrkdwn (and the message `text` fallback)."""
    return "".join(_SLACK_ENTITIES.get(ch, ch) for ch in text)


def slack_clip(text: str, limit: int) -> str:
    """Escape for mrkdwn, then cut to `limit` without splitting an entity."""
    escaped = slack_escape(text)
    if len(escaped) <= limit:
        return escaped
    cut = _PARTIAL_ENTITY.sub("", escaped[: limit - 1])
    return cut.rstrip() + ELLIPSIS


def clip_escaped(text: str, limit: int = 3000) -> str:
    """Cut already-escaped mrkdwn to `limit` without splitting an entity."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]).rstrip() + ELLIPSIS


def slack_chunks(text: str, limit: int = 3000, max_chunks: int = 4) -> list[str]:
    """Escaped mrkdwn split into section-sized chunks, preferring paragraph then line breaks.

    Long answers are split rather than cut; past `max_chunks` the last chunk is clipped.
    """
    escaped = slack_escape(text)
    chunks: list[str] = []
    while escaped and len(chunks) < max_chunks - 1 and len(escaped) > limit:
        window = escaped[:limit]
        cut = max(window.rfind("\n\n"), window.rfind("\n"), window.rfind(" "))
        if cut < limit // 2:
            cut = len(_PARTIAL_ENTITY.sub("", window))
        chunks.append(escaped[:cut].rstrip())
        escaped = escaped[cut:].lstrip()
    if escaped:
        if len(escaped) > limit:
            escaped = _PARTIAL_ENTITY.sub("", escaped[: limit - 1]).rstrip() + ELLIPSIS
        chunks.append(escaped)
    return chunks or [""]


def safe_url(url: str) -> str | None:
    """An http(s) URL with the characters that would break link syntax percent-encoded."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return quote(url.strip(), safe=":/?#@!$&'*+,;=%-._~")


def slack_link(url: str, title: str) -> str:
    """``<url|title>`` for mrkdwn, or the escaped title alone when the URL is not http(s)."""
    clean = safe_url(url)
    label = slack_escape(title).replace("|", "¦")
    if clean is None:
        return label
    return f"<{slack_escape(clean)}|{label}>" if label else f"<{slack_escape(clean)}>"


def slack_user_id(owner: str | None) -> str | None:
    """The Slack user id in a neutral owner ref ``slack:<team>:<user>``, else None."""
    if not owner or not owner.startswith("slack:"):
        return None
    user = owner.rsplit(":", 1)[-1]
    return user if _SLACK_USER.match(user) else None


def md_escape(text: str) -> str:
    """Backslash-escape Markdown so Teams shows user text literally (no links, no bold)."""
    escaped = _MD_INLINE.sub(r"\\\1", text)
    return _MD_LINE_START.sub(lambda m: f"{m[1]}{m[2][:-1]}\\{m[2][-1]}", escaped)


def md_clip(text: str, limit: int) -> str:
    """Markdown-escaped text from `text` clipped to `limit` source characters."""
    return md_escape(clip(text, limit))


def md_link(url: str, title: str) -> str:
    """``[title](url)`` for Teams, or the escaped title when the URL is not http(s)."""
    clean = safe_url(url)
    label = md_escape(title)
    if clean is None:
        return label
    return f"[{label}]({clean.replace('(', '%28').replace(')', '%29')})"
