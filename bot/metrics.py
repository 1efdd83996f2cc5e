"""Prometheus metrics for `idgov serve`: ``GET /metrics`` and the counters behind it.

Each application owns its registry (`Metrics`), never prometheus_client's global one, so
tests and several applications in one process do not collide. Code deep in a turn (reply
delivery, Web API errors, a nudge sweep) does not get the application handed down: the
request middleware, the platform middlewares and the scheduler loop bind the app's
`Metrics` to the current context (`bind`), and the neutral ``count_*``/``observe_*``
functions below record into whatever is bound, or do nothing (CLI runs, tests without an
app). asyncio tasks and `asyncio.to_thread` copy the context, so Bolt's lazy listeners and
worker threads see the binding too.

Labels are a closed set of values (route templates, status classes, payload kinds,
recommendation ids); never user, team or tenant ids, or free text, so the number of series
stays small however many workspaces a replica serves.
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterable
from contextvars import ContextVar
from typing import Any

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest

from dialogs import policy
from dialogs.replies import AnsweredReply, AnswerReply, QuestionReply, RecommendationReply
from knowledge.rules import RECOMMENDATION_IDS

PATH = "/metrics"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
#: Slack event types idgov subscribes to (manifest/slack/manifest.yaml); others -> "other".
SLACK_EVENTS = frozenset({"message", "app_mention", "app_home_opened", "app_uninstalled",
                          "tokens_revoked"})
#: Bot Framework activity types (botbuilder.schema.ActivityTypes); others -> "other".
TEAMS_TYPES = frozenset({
    "message", "conversationUpdate", "installationUpdate", "invoke", "messageReaction",
    "messageUpdate", "messageDelete", "event", "typing", "endOfConversation",
    "contactRelationUpdate",
})
NUDGE_OUTCOMES = ("sent", "deferred", "failed")
FALSE_WORDS = frozenset({"0", "false", "no", "off"})
TRUE_WORDS = frozenset({"1", "true", "yes", "on"})


class Metrics:
    """Every idgov metric, registered on a registry owned by one application."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.http_requests = Counter(
            "idgov_http_requests", "HTTP requests by route template, method and status class.",
            ["route", "method", "status"], registry=r)
        self.http_latency = Histogram(
            "idgov_http_request_duration_seconds", "HTTP request latency by route template.",
            ["route"], registry=r,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
        self.slack_inbound = Counter(
            "idgov_slack_inbound", "Slack requests past signature checks, by payload kind.",
            ["kind"], registry=r)
        self.teams_inbound = Counter(
            "idgov_teams_inbound", "Authenticated Teams activities by activity type.",
            ["type"], registry=r)
        self.dialog_steps = Counter(
            "idgov_dialog_steps", "Scoping questions asked, re-asked after invalid input, "
            "and answered.", ["platform", "step"], registry=r)
        self.assessments = Counter(
            "idgov_assessments_completed", "Completed assessments by recommendation.",
            ["platform", "recommendation"], registry=r)
        self.knowledge = Counter(
            "idgov_knowledge_answers", "Knowledge-base replies: answered or refused.",
            ["platform", "outcome"], registry=r)
        self.nudges = Counter(
            "idgov_nudges", "Nudges handled by this replica's sweeps, by outcome.",
            ["outcome"], registry=r)
        self.sweep_seconds = Histogram(
            "idgov_nudge_sweep_duration_seconds", "Duration of one nudge sweep.", registry=r,
            buckets=(0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0))
        self.sweep_errors = Counter(
            "idgov_nudge_sweep_errors", "Nudge sweeps that failed as a whole.", registry=r)
        self.api_errors = Counter(
            "idgov_platform_api_errors", "Outbound Slack/Teams API calls that failed for good, "
            "by kind (429, 5xx, permanent, network).", ["platform", "kind"], registry=r)
        self.refusals = Counter(
            "idgov_refusals", "Changes refused by the authorisation policy (dialogs/policy.py), "
            "by action.", ["action"], registry=r)
        for outcome in NUDGE_OUTCOMES:  # present at 0, so rate() works from the first scrape
            self.nudges.labels(outcome)
        for action in sorted(policy.REFUSAL_ACTIONS):
            self.refusals.labels(action)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


_current: ContextVar[Metrics | None] = ContextVar("idgov_metrics", default=None)
METRICS_KEY = web.AppKey("idgov.metrics", Metrics)


def bind(metrics: Metrics | None) -> None:
    """Record into `metrics` for the rest of the current context (task, and tasks it starts).

    Not reset on purpose: Bolt runs listeners after its middleware has returned, in the
    same context, and one context only ever serves one application.
    """
    if metrics is not None:
        _current.set(metrics)


def current() -> Metrics | None:
    return _current.get()


def metrics_of(app: web.Application) -> Metrics | None:
    """The application's metrics, or None when ``IDGOV_METRICS`` switched them off."""
    return app.get(METRICS_KEY)


# --- neutral recording functions, called from bot/ ----------------------------------------
def count_slack_inbound(body: Any) -> None:
    """One Slack request, bucketed: slash_command, block_actions, event:<known type>, ..."""
    m = _current.get()
    if m is not None:
        m.slack_inbound.labels(slack_kind(body)).inc()


def slack_kind(body: Any) -> str:
    if not isinstance(body, dict):
        return "other"
    if body.get("command"):
        return "slash_command"
    kind = body.get("type")
    if kind == "event_callback":
        event = body.get("event") or {}
        etype = event.get("type") if isinstance(event, dict) else None
        return f"event:{etype if etype in SLACK_EVENTS else 'other'}"
    if kind in {"block_actions", "view_submission", "view_closed", "shortcut",
                "message_action", "block_suggestion", "url_verification"}:
        return str(kind)
    return "other"


def count_teams_inbound(activity_type: str | None) -> None:
    m = _current.get()
    if m is not None:
        m.teams_inbound.labels(activity_type if activity_type in TEAMS_TYPES else "other").inc()


def observe_replies(platform: str, replies: Iterable[object]) -> None:
    """Count what a turn said: dialog steps, completed assessments, knowledge answers."""
    m = _current.get()
    if m is None:
        return
    for reply in replies:
        if isinstance(reply, QuestionReply):
            m.dialog_steps.labels(platform, "reasked" if reply.error else "asked").inc()
        elif isinstance(reply, AnsweredReply):
            m.dialog_steps.labels(platform, "answered").inc()
        elif isinstance(reply, RecommendationReply):
            rec = reply.recommendation if reply.recommendation in RECOMMENDATION_IDS else "other"
            m.assessments.labels(platform, rec).inc()
        elif isinstance(reply, AnswerReply):
            m.knowledge.labels(platform, "answered" if reply.answered else "refused").inc()


def error_kind(status: int | None) -> str:
    """An HTTP status (None: no response at all) -> 429 | 5xx | permanent | network."""
    if status is None:
        return "network"
    if status == 429:
        return "429"
    return "5xx" if status >= 500 else "permanent"


def count_api_error(platform: str, status: int | None) -> None:
    m = _current.get()
    if m is not None:
        m.api_errors.labels(platform, error_kind(status)).inc()


def count_refusal(action: str) -> None:
    """One refusal by `dialogs.policy` (registered there through `policy.on_refusal`)."""
    m = _current.get()
    if m is not None:
        m.refusals.labels(action if action in policy.REFUSAL_ACTIONS else "other").inc()


policy.on_refusal(count_refusal)


def observe_sweep(metrics: Metrics | None, stats: Any, seconds: float) -> None:
    """One finished sweep (`bot.scheduler.SweepStats`); `stats` None: the sweep failed."""
    if metrics is None:
        return
    metrics.sweep_seconds.observe(seconds)
    if stats is None:
        metrics.sweep_errors.inc()
        return
    for outcome in NUDGE_OUTCOMES:
        metrics.nudges.labels(outcome).inc(getattr(stats, outcome))


# --- the aiohttp side ----------------------------------------------------------------------
def route_of(request: web.Request) -> str:
    """The matched route's template (``/slack/events``), or "other" (404s, scans)."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "other"


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    metrics = request.app[METRICS_KEY]
    token = _current.set(metrics)
    started = time.perf_counter()
    status = "5xx"  # an exception aiohttp turns into a 500
    try:
        response = await handler(request)
        status = f"{response.status // 100}xx"
        return response
    except web.HTTPException as exc:
        status = f"{exc.status // 100}xx"
        raise
    finally:
        route = route_of(request)
        method = request.method if request.method in METHODS else "other"
        metrics.http_requests.labels(route, method, status).inc()
        metrics.http_latency.labels(route).observe(time.perf_counter() - started)
        _current.reset(token)


async def metrics_view(request: web.Request) -> web.Response:
    body = request.app[METRICS_KEY].exposition()
    return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})


def enabled(environ: dict[str, str] | None = None) -> bool:
    """``IDGOV_METRICS`` (default on); a value that is neither true nor false is an error."""
    raw = (environ if environ is not None else os.environ).get("IDGOV_METRICS", "true")
    value = raw.strip().lower()
    if value in TRUE_WORDS or not value:
        return True
    if value in FALSE_WORDS:
        return False
    raise ValueError(f"IDGOV_METRICS must be true or false, got {raw!r}")


def setup_metrics(app: web.Application) -> Metrics | None:
    """Add the request middleware and ``GET /metrics`` to `app`, unless switched off."""
    if not enabled(dict(os.environ)):
        return None
    metrics = Metrics()
    app[METRICS_KEY] = metrics
    app.middlewares.append(middleware)
    app.router.add_get(PATH, metrics_view)
    return metrics
