"""Render a neutral reply to Slack Block Kit, a Teams Adaptive Card (1.5) or plain text.

Card shapes live in Jinja2 templates under ``templates/<target>/<kind>.*.j2``. JSON templates
pass every value through ``tojson`` and end each list with a ``null`` sentinel (so no template
has to juggle commas); the text is then parsed, sentinels dropped, and the platform's limits
enforced here once, so user text can never change the structure of a card.
"""

from __future__ import annotations

import json
import re
import textwrap
from datetime import date
from pathlib import Path
from typing import Any, Literal, overload

import jinja2
from pydantic import BaseModel

from bot.cards import escaping as esc
from bot.cards import limits, people
from dialogs import reasons, wording
from dialogs.actions import Action, Verb
from dialogs.replies import RecommendationReply, Reply, Source, TaskSummary
from dialogs.scoping import answer_text
from knowledge.task_plan import done_when, next_step
from storage.clock import utcnow

Target = Literal["slack", "teams", "text"]

TEMPLATES = Path(__file__).resolve().parent / "templates"
AC_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"

FRAMEWORK_LABELS = wording.FRAMEWORK_LABELS
CONFIDENCE_LABELS = wording.CONFIDENCE_LABELS
TONE_EMOJI = {
    "info": ":information_source:",
    "success": ":white_check_mark:",
    "warning": ":warning:",
    "error": ":x:",
}
TONE_COLOR = {"info": "Default", "success": "Good", "warning": "Warning", "error": "Attention"}
TASK_KIND_LABELS = wording.TASK_KIND_LABELS
#: Snooze choices offered under one Snooze action: (days, label)
SNOOZE_CHOICES = ((1, "1 day"), (3, "3 days"), (7, "1 week"))


def reassign_input_id(task_id: int) -> str:
    """Id of the Teams input holding the new owner's email for task `task_id`.

    Teams puts every card input into the submit ``value`` next to the action data, so the
    adapter reads ``value[reassign_input_id(action.task_id)]`` for a TASK_REASSIGN submit.
    """
    return f"idgov.reassign.{task_id}"


#: How each surface names a command (`dialogs.help`): Slack through its slash command.
COMMAND_PREFIX: dict[str, str] = {"slack": "/idgov ", "teams": "", "text": ""}
_SLASH_COMMAND = re.compile(r"`?/idgov (\w+)`?")


def command_name(name: str, target: str) -> str:
    """``ask QUESTION`` as `target` calls it (``/idgov ask QUESTION`` in Slack)."""
    return COMMAND_PREFIX.get(target, "") + name


def surface_commands(text: str, target: str) -> str:
    """Neutral text names commands Slack's way (`/idgov help`); elsewhere it is just the
    word, without Markdown backticks that Teams would show literally."""
    if target == "slack":
        return text
    return _SLASH_COMMAND.sub(lambda m: m.group(1), text)


def ref_label(ref: str | None) -> str:
    """A person named by a neutral ref, for surfaces without mentions: the email address,
    the terminal user's name, else the id after the workspace."""
    if not ref:
        return "someone"
    platform, _, rest = ref.partition(":")
    if platform == "email":
        return rest
    return rest.rsplit(":", 1)[-1]


def _action(verb: str, **payload: Any) -> Action:
    return Action.model_validate({"verb": Verb(verb), **payload})


def _kind_label(kind: str) -> str:
    return wording.kind_label(kind)


def _fmt_date(value: date | None) -> str:
    return value.isoformat() if value else "no due date"


def _days_until(value: date | None) -> int | None:
    return None if value is None else (value - utcnow().date()).days


def _cite(source_ids: list[str], source_by_id: dict[str, Source], limit: int = 3) -> str:
    """Inline citation: the sources' short names ("NIST CSF 2.0"), full titles listed below."""
    names = []
    for sid in source_ids[:limit]:
        src = source_by_id.get(sid)
        names.append((src.label or src.title) if src else sid)
    return ", ".join(names)


def _report_markdown(report: Any) -> str:
    """The report's Markdown (`bot.cards.report`), for the terminal's Full report."""
    from bot.cards.report import render_report

    return render_report(report, "md")


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=False,  # JSON templates escape through tojson; text templates are plain
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        # Templates ship with the package and never change under a running server; without
        # this Jinja stats every template file on each render (about 2% of a Slack step).
        auto_reload=False,
    )
    env.filters.update(
        mrkdwn=lambda text, limit=limits.SLACK_SECTION_TEXT: esc.slack_clip(str(text), limit),
        mrkdwn_chunks=esc.slack_chunks,
        mrkdwn_safe_clip=esc.clip_escaped,
        slack_link=esc.slack_link,
        plain=lambda text, limit=limits.SLACK_PLAIN: esc.clip(str(text), limit),
        md=lambda text, limit=limits.TEAMS_TEXT: esc.md_clip(str(text), limit),
        md_link=esc.md_link,
        kind_label=_kind_label,
        status_label=wording.status_label,
        priority_label=wording.priority_label,
        fmt_date=_fmt_date,
    )
    env.globals.update(
        action=_action,
        slack_user_id=esc.slack_user_id,
        safe_url=esc.safe_url,
        reassign_input_id=reassign_input_id,
        days_until=_days_until,
        answer_text=answer_text,
        command_name=command_name,
        ref_label=ref_label,
        surface_commands=surface_commands,
        cite=_cite,
        plural=wording.plural,
        count_change=wording.count_change,
        person=wording.person_name,
        reasons=reasons,
        done_when=done_when,
        next_step=next_step,
        slack_person=people.slack_person,
        report_markdown=_report_markdown,
        SNOOZE_CHOICES=SNOOZE_CHOICES,
        FRAMEWORK_LABELS=FRAMEWORK_LABELS,
        CONFIDENCE_LABELS=CONFIDENCE_LABELS,
        TONE_EMOJI=TONE_EMOJI,
        TONE_COLOR=TONE_COLOR,
        AC_SCHEMA=AC_SCHEMA,
        limits=limits,
    )
    return env


_ENV = _environment()
_BLANK_RUNS = re.compile(r"\n{3,}")


def _context(reply: BaseModel, target: Target, compact: bool = False) -> dict[str, Any]:
    """The reply's own fields (as models, not dicts) plus what every template needs.

    `compact` asks templates for shorter lists and text (``cap(normal, compact)``); Teams
    uses it when a card would exceed the activity size limit.
    """
    ctx: dict[str, Any] = {name: getattr(reply, name) for name in type(reply).model_fields}
    ctx["reply"] = reply
    ctx["target"] = target
    ctx["compact"] = compact
    mentions = people.Mentions()
    ctx["mentions"] = mentions
    ctx["teams_person"] = mentions.person
    ctx["cap"] = lambda normal, small: small if compact else normal
    tasks = getattr(reply, "tasks", None)
    if isinstance(tasks, list):
        cap = limits.MAX_TASKS[target].get(getattr(reply, "kind", ""), limits.MAX_TASKS_DEFAULT)
        if compact:
            cap = min(cap, limits.COMPACT_TASKS)
        ctx["shown_tasks"] = tasks[:cap]
        ctx["more_tasks"] = max(len(tasks) - cap, 0)
    sources = getattr(reply, "sources", None)
    if isinstance(sources, list):
        ctx["source_by_id"] = {s.id: s for s in sources if s.id}
    return ctx


def _drop_sentinels(value: Any) -> Any:
    if isinstance(value, list):
        return [_drop_sentinels(v) for v in value if v is not None]
    if isinstance(value, dict):
        return {k: _drop_sentinels(v) for k, v in value.items()}
    return value


def _render_json(template: str, ctx: dict[str, Any]) -> dict[str, Any]:
    text = _ENV.get_template(template).render(ctx)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:  # a template bug, never user text: fail loudly
        raise RuntimeError(f"template {template} produced invalid JSON: {exc}") from exc
    result: dict[str, Any] = _drop_sentinels(data)
    return result


def _template_name(reply: BaseModel) -> str:
    """``recommendation_details`` for a recommendation's Details view, else the reply kind."""
    kind: str = reply.kind  # type: ignore[attr-defined]
    if getattr(reply, "view", "summary") == "details":
        return f"{kind}_details"
    return kind


def render_slack(reply: BaseModel) -> dict[str, Any]:
    """``{"text": fallback, "blocks": [...]}`` for chat.postMessage / chat.update / respond.

    A recommendation with ``view="details"`` renders its Details reply (post it in the
    summary's thread, or as a modal's blocks)."""
    message = _render_json(f"slack/{_template_name(reply)}.json.j2", _context(reply, "slack"))
    message["blocks"] = limits.fit_slack_blocks(message["blocks"], limits.SLACK_MESSAGE_BLOCKS)
    limits.unique_action_ids(message["blocks"])
    return message


def render_teams(reply: BaseModel) -> dict[str, Any]:
    """An Adaptive Card 1.5 dict, to send as an attachment of content type
    ``application/vnd.microsoft.card.adaptive``. A card that would exceed Teams' activity
    size limit is rendered again in compact form (fewer items, shorter text)."""
    template = f"teams/{reply.kind}.json.j2"  # type: ignore[attr-defined]
    ctx = _context(reply, "teams")
    card = _render_json(template, ctx)
    if len(json.dumps(card).encode()) > limits.TEAMS_CARD_BYTES:
        ctx = _context(reply, "teams", compact=True)
        card = _render_json(template, ctx)
    ctx["mentions"].attach(card)
    return card


_BULLET = re.compile(r"^(\s*)((?:[-*•]|\d+\.)\s+)?")


def wrap_lines(text: str, width: int | None) -> str:
    """Each line wrapped at word boundaries to `width`, continuation lines indented under
    the line's text (past any bullet or number), words never broken."""
    if not width or width < 20:
        return text
    out: list[str] = []
    for line in text.splitlines():
        if len(line) <= width:
            out.append(line)
            continue
        match = _BULLET.match(line)
        indent = match.group(1) if match else ""
        hang = " " * (len(indent) + len((match.group(2) if match else "") or ""))
        out.extend(textwrap.wrap(line, width=width, subsequent_indent=hang,
                                 break_long_words=False, break_on_hyphens=False) or [""])
    return "\n".join(out)


def render_text(reply: BaseModel, width: int | None = None) -> str:
    """Plain text for the terminal (`idgov chat`) and notification fallbacks, wrapped to
    `width` columns when given (`idgov chat` passes the terminal's width)."""
    template = _template_name(reply)
    text = _ENV.get_template(f"text/{template}.txt.j2").render(_context(reply, "text"))
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return wrap_lines(_BLANK_RUNS.sub("\n\n", lines), width) + "\n"


def render_slack_home(
    user_tasks: list[TaskSummary], last: RecommendationReply | None
) -> dict[str, Any]:
    """The App Home view: my open tasks with buttons, my last assessment, Start assessment."""
    cap = limits.MAX_TASKS["slack"]["home"]
    ctx = {
        "shown_tasks": user_tasks[:cap],
        "more_tasks": max(len(user_tasks) - cap, 0),
        "tasks": user_tasks,
        "last": last,
    }
    view = _render_json("slack/home.json.j2", ctx)
    view["blocks"] = limits.fit_slack_blocks(view["blocks"], limits.SLACK_HOME_BLOCKS)
    limits.unique_action_ids(view["blocks"])
    return view


def render_slack_task(task: TaskSummary) -> dict[str, Any]:
    """One task's blocks (``{"text": fallback, "blocks": [...]}``) to splice into the message a
    button was pressed on; with ``task.outcome`` set they show the outcome, not the buttons."""
    return _render_json("slack/task_update.json.j2", {"task": task})


@overload
def render(reply: Reply, target: Literal["slack", "teams"], *, width: int | None = None
           ) -> dict[str, Any]: ...
@overload
def render(reply: Reply, target: Literal["text"], *, width: int | None = None) -> str: ...
@overload
def render(reply: Reply, target: str, *, width: int | None = None) -> dict[str, Any] | str: ...
def render(reply: Reply, target: str, *, width: int | None = None) -> dict[str, Any] | str:
    """Render any neutral reply for `target` ("slack", "teams" or "text"); `width` wraps
    the text target to that many columns (ignored by the chat targets)."""
    if target == "slack":
        return render_slack(reply)
    if target == "teams":
        return render_teams(reply)
    if target == "text":
        return render_text(reply, width)
    raise ValueError(f"unknown render target {target!r}; expected slack, teams or text")
