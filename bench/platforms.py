"""Slack and Teams ingress against `idgov serve` (per database) and the bare baselines.

For each platform the bare baseline runs in its own process for the whole section; for each
database an `idgov serve` process runs beside it, and every phase is measured on ours and
then at once on the bare app, so each ratio compares runs seconds apart (this machine is
shared; its load drifts over minutes). Teams serves next to Slack only with an app id (then
every activity needs a real Bot Framework token), so each platform gets its own
`idgov serve`, Teams unauthenticated as in local development, like the bare echo bot. Each
`idgov serve` has its peak RSS read after its load (the memory benchmark).
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass, field

from bench import ingress, memory
from bench.env import BenchConfig, Databases
from bench.ingress import IngressRun
from bench.procs import ServerProcess, ServerStartError, free_port, idgov_command
from bench.report import Result
from bench.slack import SlackDriver
from bench.slack import server_env as slack_env
from bench.standins import RemoteStandIn
from bench.teams import TeamsDriver
from bench.teams import server_env as teams_env

#: Unset for the Teams-only server, so Slack stays off there.
SLACK_VARS = ("SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_CLIENT_ID",
              "SLACK_CLIENT_SECRET")
#: (name, phase) per platform: the first phase starts assessments, the second answers them.
PHASES = {"slack": (("slack.slash_command", "first"), ("slack.block_actions", "second")),
          "teams": (("teams.message", "first"), ("teams.card_submit", "second"))}


@dataclass
class Pair:
    """Ours and bare for one platform on one database; None where a phase could not run."""

    ours: dict[str, IngressRun] = field(default_factory=dict)
    bare: dict[str, IngressRun] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)


async def _slack(ours: ServerProcess, bare: ServerProcess | None, standin: RemoteStandIn,
                 tag: str, cfg: BenchConfig, pair: Pair) -> None:
    drv = SlackDriver(ours.base_url + "/slack/events", standin, tag)
    bdrv = SlackDriver(bare.base_url + "/slack/events", standin, tag.lower()) if bare else None
    drv.begin_phase()
    pair.ours["first"] = await ingress.measure(drv.slash, cfg, replies=drv.replies)
    if bdrv is not None:  # the bare app never replies: no reply figures to wait for
        pair.bare["first"] = await ingress.measure(bdrv.slash, cfg)
    if drv.collect_buttons() == 0:
        pair.reasons["second"] = ("no idgov.answer button reached the Web API stand-in after "
                                  "/idgov assess, so there is no question to press")
    else:
        drv.begin_phase()
        pair.ours["second"] = await ingress.measure(drv.action, cfg, replies=drv.replies)
    if bdrv is not None:  # press the very buttons idgov posted (synthetic ones otherwise)
        bdrv.buttons = {bdrv.user(*key): b for key, b in drv.buttons_by_index().items()}
        pair.bare["second"] = await ingress.measure(bdrv.action, cfg)


async def _teams(ours: ServerProcess, bare: ServerProcess | None, connector: RemoteStandIn,
                 tag: str, cfg: BenchConfig, pair: Pair) -> None:
    drv = TeamsDriver(ours.base_url + "/api/messages", connector, tag)
    bdrv = TeamsDriver(bare.base_url + "/api/messages", connector, tag.upper()) if bare else None
    drv.begin_phase()
    pair.ours["first"] = await ingress.measure(drv.message, cfg, replies=drv.replies)
    if bdrv is not None:
        bdrv.begin_phase()
        pair.bare["first"] = await ingress.measure(bdrv.message, cfg, replies=bdrv.replies)
    if drv.collect_submits() == 0:
        pair.reasons["second"] = ("no Action.Submit with idgov=answer reached the connector "
                                  "stand-in after 'assess', so there is no card to submit")
    else:
        drv.begin_phase()
        pair.ours["second"] = await ingress.measure(drv.submit, cfg, replies=drv.replies)
    if bdrv is not None:
        bdrv.submits = {bdrv.user(*key): (s[0], None)
                        for key, s in drv.submits_by_index().items()}
        bdrv.begin_phase()
        pair.bare["second"] = await ingress.measure(bdrv.submit, cfg, replies=bdrv.replies)


def _serve_argv(port: int) -> list[str]:
    return [*idgov_command(), "serve", "--host", "127.0.0.1", "--port", str(port)]


def _baseline(platform: str, standin: RemoteStandIn) -> tuple[ServerProcess | None, str]:
    port = free_port()
    argv = [sys.executable, "-m", "bench.baselines", platform, "--port", str(port)]
    env = slack_env(standin.base_url) if platform == "slack" else teams_env()
    server = ServerProcess(argv, port=port, env=env)
    try:
        server.start()
    except ServerStartError as exc:
        return None, f"bare {platform} baseline did not start: {exc}"
    return server, ""


async def run(cfg: BenchConfig, dbs: Databases) -> list[Result]:
    results: list[Result] = []
    mem_ours: dict[str, tuple[dict[str, int] | None, str]] = {}
    mem_bare: dict[str, dict[str, int] | None] = {}
    backends = ["sqlite", "postgresql"] if cfg.ingress_on_postgres else ["sqlite"]
    with ExitStack() as stack:
        standins = {"slack": RemoteStandIn("slack").start()}
        stack.callback(standins["slack"].stop)
        standins["teams"] = RemoteStandIn("teams").start()
        stack.callback(standins["teams"].stop)
        for platform in ("slack", "teams"):
            standin = standins[platform]
            bare, bare_reason = _baseline(platform, standin)
            try:
                for backend in backends:
                    pair = Pair()
                    url, why = ((dbs.sqlite_url(), "") if backend == "sqlite"
                                else dbs.postgres_url())
                    key = f"{platform}/{backend}"
                    if url is None:
                        pair.reasons["server"] = why
                        mem_ours[key] = (None, why)
                    else:
                        env = {"DATABASE_URL": url, "IDGOV_LOG_LEVEL": "WARNING",
                               **(slack_env(standin.base_url) if platform == "slack"
                                  else teams_env())}
                        port = free_port()
                        unset = () if platform == "slack" else SLACK_VARS
                        try:
                            with ServerProcess(_serve_argv(port), port=port, env=env,
                                               unset=unset) as server:
                                tag = backend[0].upper() if platform == "slack" else backend[0]
                                measure = _slack if platform == "slack" else _teams
                                await measure(server, bare, standin, tag, cfg, pair)
                                mem_ours[key] = (server.memory_kb(), "")
                        except ServerStartError as exc:
                            why = f"`idgov serve` ({platform}) did not start: {exc}"
                            pair.reasons["server"] = why
                            mem_ours[key] = (None, why)
                    results.extend(_results(platform, backend, pair, bare_reason))
            finally:
                if bare is not None:
                    mem_bare[f"bare_{platform}"] = bare.memory_kb()
                    bare.stop()
    results.extend(memory.results(mem_ours, {"bare_bolt": mem_bare.get("bare_slack"),
                                             "bare_botbuilder": mem_bare.get("bare_teams")}))
    return results


def _results(platform: str, backend: str, pair: Pair, bare_reason: str) -> list[Result]:
    out: list[Result] = []
    for name, phase in PHASES[platform]:
        reason = pair.reasons.get("server") or pair.reasons.get(phase) or "not measured"
        extra = {"backend": backend}
        if bare_reason:
            extra["bare_skipped"] = bare_reason
        out.append(ingress.compare(name, pair.ours.get(phase), pair.bare.get(phase),
                                   skip_reason=reason, **extra))
    return out
