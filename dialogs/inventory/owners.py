"""Who a gap task goes to, and which workspace it lives in.

An export names owners as chat refs, emails or platform logins. A task must reach a person
in chat, so: a chat ref is used as is; an email becomes the chat user with that email when we
know one (else an ``email:`` ref); anything else (a GitHub login, free text) and an unowned
identity go to the importer, who can reassign.
"""

from __future__ import annotations

import re

from dialogs.task_ops import TaskError, parse_owner_ref

_EMAIL = re.compile(r"^[^@\s:]+@[^@\s:]+\.[^@\s:]+$")


def email_of(owner: str | None) -> str | None:
    if not owner:
        return None
    text = owner.strip().removeprefix("email:")
    return text.lower() if _EMAIL.match(text) else None


def task_owner(owner: str | None, importer: str, by_email: dict[str, str]) -> str:
    """The owner ref a task for this identity is assigned to."""
    if not owner:
        return importer
    email = email_of(owner)
    if email:
        return by_email.get(email, f"email:{email}")
    try:
        ref = parse_owner_ref(owner)
    except TaskError:
        return importer
    return ref.raw


def workspace_of(ref: str, default: str) -> str:
    """slack:T:U -> slack:T, teams:TENANT:U -> teams:TENANT, cli:local:X -> cli:local."""
    platform, _, rest = ref.partition(":")
    if platform in {"slack", "teams", "cli"}:
        scope = rest.partition(":")[0]
        if scope:
            return f"{platform}:{scope}"
    return default
