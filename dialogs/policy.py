"""Who may do what: one authorisation policy for every surface and every action.

The rules (README, "Who may do what"):

- A task may be changed (Done, Snooze, Reassign, Not applicable) by its owner, by whoever
  created it, and by idgov admins of that workspace or tenant.
- Reassigning a task to someone outside the workspace (another workspace, or an email
  address) needs an admin.
- idgov admins are Slack workspace admins and owners (as `users.info` reports them), and the
  references listed in ``IDGOV_ADMINS`` (``slack:T1:U1,teams:TENANT:AAD-ID``), which is how
  Teams admins are named. The terminal's operator is the admin of ``cli:local``.
- Importing an inventory and exporting evidence need an admin.
- Anyone else gets a polite private refusal, nothing changes, and the refusal is logged and
  counted (`refused` below).

Checks happen in the handlers and services, never in an adapter, so a button payload forged
with another task's id is refused the same way on every surface. Cross-workspace ids were
already "not found" (every lookup is filtered by the actor's workspace); that stays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import lru_cache
from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from dialogs.turn import Actor

log = logging.getLogger(__name__)

NOT_YOURS = ("Only the task's owner, the person who created it, or an idgov admin can change "
             "this task; nothing was changed.")
OUTSIDE_NEEDS_ADMIN = ("Only an idgov admin can hand a task to someone outside this "
                       "workspace; nothing was changed.")
ADMINS_ONLY = "Only idgov admins can do that here; nothing was changed."


class PolicySettings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    #: neutral refs of idgov admins, comma-separated (`NoDecode`: a plain list, not JSON)
    admins: Annotated[frozenset[str], NoDecode] = Field(default=frozenset(),
                                                        alias="IDGOV_ADMINS")

    @field_validator("admins", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(part.strip() for part in value.split(",") if part.strip())
        return value


@lru_cache(maxsize=1)
def policy_settings() -> PolicySettings:
    return PolicySettings()


#: Called once per refusal (the metrics counter in `bot/`; dialogs cannot import it).
_refusal_hooks: list[Callable[[str], None]] = []


def on_refusal(hook: Callable[[str], None]) -> None:
    """Register a counter for refusals (by action name; never ids or user text)."""
    _refusal_hooks.append(hook)


#: The action names a refusal is counted under (metric labels stay a closed set).
REFUSAL_ACTIONS = frozenset({"task_done", "task_snooze", "task_reassign", "task_na",
                             "task_reassign_outside", "inventory_import", "evidence_export"})


def refused(actor: Actor, what: str, detail: str = "") -> None:
    """Log and count one refusal. `what` is a fixed action name; `detail` the task id.

    The log line names the action, the platform and the task id only (no user, team or
    tenant id), with every value escaped and capped so a forged payload cannot forge a log
    line; the counter gets `what` folded into `REFUSAL_ACTIONS`.
    """
    action = what if what in REFUSAL_ACTIONS else "other"
    log.warning("refused %s on %s%s", action, _log_safe(actor.platform, 16),
                f" (task {_log_safe(detail, 24)})" if detail else "")
    for hook in _refusal_hooks:
        hook(action)


def _log_safe(value: str, limit: int) -> str:
    """One printable, capped value (`bot.logsafe.safe` is above this floor)."""
    text = value[:limit].encode("unicode_escape", "backslashreplace").decode("ascii")
    return text + ("..." if len(value) > limit else "")


def is_listed_admin(actor: Actor) -> bool:
    """Named in IDGOV_ADMINS, or the platform said so (Slack admins and owners)."""
    return actor.ref in policy_settings().admins or bool(actor.is_admin)


def may_change_task(actor: Actor, *, owner: str, created_by: str, admin: bool) -> bool:
    return admin or actor.ref in (owner, created_by)


def inside_workspace(actor: Actor, new_owner: str) -> bool:
    """The new owner is a user of the actor's own workspace or tenant."""
    return new_owner.startswith(f"{actor.workspace}:") and "#" not in new_owner
