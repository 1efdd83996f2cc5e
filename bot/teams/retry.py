"""Retries for calls to the Bot Framework connector (429 and 5xx), with backoff, logged.

msrest's own urllib3 retries are switched off on our connector clients: they retry PUT
silently and never POST, so a throttled reply would either vanish from the logs or be
dropped. Here every retry is logged with the call, and a final failure is raised (the
turn's error handler or the sender records it), never swallowed.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.logsafe import safe
from bot.metrics import count_api_error

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    attempts: int = 4  # calls in all, the first included
    base_delay: float = 0.5  # seconds; doubled each retry, with jitter
    max_delay: float = 30.0  # cap, also for a server's Retry-After


def status_of(exc: BaseException) -> int | None:
    response = getattr(exc, "response", None)
    code = getattr(response, "status_code", None) or getattr(response, "status", None)
    return int(code) if isinstance(code, int) else None


def retry_after_of(exc: BaseException) -> float | None:
    headers = getattr(getattr(exc, "response", None), "headers", None) or {}
    raw = headers.get("Retry-After") if hasattr(headers, "get") else None
    try:
        return max(0.0, float(raw)) if raw is not None else None
    except ValueError:
        return None


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, ClientRequestError):  # connection refused, reset, timeout
        return True
    if isinstance(exc, HttpOperationError):
        code = status_of(exc)
        return code is not None and (code == 429 or code >= 500)
    return False


def disable_sdk_retries(client: Any) -> None:
    """Make msrest hand every failure straight back to us, so each retry is ours and logged.

    msrest builds each (thread-local) requests session from this policy object, so it is
    changed in place rather than replaced (msrest also reads attributes of its own on it).
    """
    policy = getattr(getattr(client, "config", None), "retry_policy", None)
    urllib3_retry = getattr(policy, "policy", None)
    if policy is None or urllib3_retry is None:
        return
    policy.retries = 0  # total, connect and read
    urllib3_retry.status_forcelist = frozenset()
    urllib3_retry.respect_retry_after_header = False


async def call_with_retries(op: Callable[[], Awaitable[T]], what: str,
                            policy: RetryPolicy | None = None) -> T:
    """Run `op`, retrying transient connector failures; the last failure is raised."""
    policy = policy or RetryPolicy()
    for attempt in range(1, policy.attempts + 1):
        try:
            return await op()
        except Exception as exc:
            if not is_transient(exc) or attempt == policy.attempts:
                count_api_error("teams", status_of(exc))
                log.error("teams connector: %s failed for good after %d attempt(s): %s %s",
                          what, attempt, status_of(exc) or type(exc).__name__, safe(exc))
                raise
            delay = retry_after_of(exc)
            if delay is None:
                delay = policy.base_delay * 2 ** (attempt - 1) * (0.5 + random.random())
            delay = min(delay, policy.max_delay)
            log.warning("teams connector: %s got %s; retry %d/%d in %.2fs", what,
                        status_of(exc) or type(exc).__name__, attempt, policy.attempts - 1,
                        delay)
            await asyncio.sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
