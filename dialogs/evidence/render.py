"""Turn `EvidenceData` into the pack's files (name -> bytes). Deterministic: sorted rows,
fixed formatting, ``\\n`` line ends, no generation time. Cells that a spreadsheet would run
as a formula are prefixed with ``'`` (CSV injection), since auditors open these in Excel.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from dialogs.evidence.charts import bar_chart
from dialogs.evidence.collect import IDENTITY_COLUMNS, EvidenceData

TEMPLATES = Path(__file__).resolve().parent / "templates"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def _csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return buf.getvalue().encode("utf-8")


def _md(value: Any) -> str:
    """A Markdown table cell: pipes escaped, one line."""
    return " ".join(str(value).replace("|", "\\|").split())


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:.1f}%"


def _period(d: EvidenceData) -> str:
    start, end = d.period
    if not start and not end:
        return "all recorded history"
    return f"{start or 'the beginning'} to {end or d.as_of or 'now'}"


def inventory_csv(d: EvidenceData) -> bytes:
    return _csv(IDENTITY_COLUMNS, ([r[c] for c in IDENTITY_COLUMNS] for r in d.identities))


def tasks_csv(d: EvidenceData) -> bytes:
    header = ("task_id", "workspace", "kind", "title", "owner", "priority", "due", "status",
              "created_at", "event_at", "actor", "source", "action", "detail")
    rows = []
    for record in d.tasks:
        t = record.task
        for e in record.events:
            rows.append((t.id, t.workspace, t.kind, t.title, t.owner, t.priority,
                         t.due.isoformat(), t.status, t.created_at.isoformat(),
                         e.at.isoformat(), e.actor, e.source, e.action,
                         json.dumps(e.detail, sort_keys=True)))
    return _csv(header, rows)


def crosswalk_csv(d: EvidenceData) -> bytes:
    header = ("outcome", "label", "status", "framework", "control_id", "control_title",
              "confidence", "identities_with_gaps", "open_tasks")
    rows = [(o.outcome, o.label, o.status, d.framework, cid, title, conf,
             o.identities_with_gaps, o.open_tasks)
            for o in d.outcomes for cid, title, conf in (o.controls or [("", "", "")])]
    return _csv(header, rows)


def charts(d: EvidenceData) -> dict[str, bytes]:
    platforms = [(p, [v["with_owner"] / v["total"] if v["total"] else 0.0,
                      v["rotated_ok"] / v["with_secret"] if v["with_secret"] else 0.0])
                 for p, v in sorted(d.by_platform.items())]
    return {
        "coverage_by_platform.svg": bar_chart(
            "Coverage by platform", platforms, ("with an owner", "rotated within policy"),
            percent=True).encode(),
        "gaps_by_kind.svg": bar_chart(
            "Identities by gap kind", [(d.gap_labels[k], [float(n)]) for k, n in d.gaps.items()],
            ("identities",)).encode(),
        "tasks_over_period.svg": bar_chart(
            "Tasks opened and closed per week", [(w, [float(o), float(c)])
                                                 for w, o, c in d.weekly],
            ("opened", "closed")).encode(),
    }


def summary_md(d: EvidenceData) -> bytes:
    c, a = d.coverage, d.assessment
    lines = [f"# Identity evidence pack: {d.framework_name}", "",
             f"Workspace `{d.workspace}`, figures as of {d.as_of or 'no data'}, period "
             f"{_period(d)}.", "", "## Latest assessment", ""]
    if a:
        lines += [f"Assessment #{a.id} by {a.by} on {a.created_at}: **{a.label}** "
                  f"(confidence {a.confidence}).", "", a.summary, ""]
        lines += [f"- {r.text}" + (f" ({'; '.join(r.sources)})" if r.sources else "")
                  for r in a.rationale]
        lines += ["", "| Question | Answer |", "|---|---|"]
        lines += [f"| {_md(q)} | {_md(v)} |" for q, v in a.answers]
        lines += ["", "Sources:", ""] + [f"- {t}" + (f": {u}" if u else "") for t, u in a.sources]
    else:
        lines.append("No assessment has been completed in this workspace yet.")
    lines += ["", f"## Identity outcomes and {d.framework_name} controls", "",
              "| Outcome | Status | Controls | Identities with gaps | Open tasks |",
              "|---|---|---|---|---|"]
    for o in d.outcomes:
        ids = ", ".join(cid + (" (commonly mapped)" if conf == "commonly_mapped" else "")
                        for cid, _, conf in o.controls) or "none"
        lines.append(f"| {o.label} | {o.status} | {ids} | {o.identities_with_gaps} | "
                     f"{o.open_tasks} |")
    lines += ["", "## Inventory", "",
              f"{c['identities']} identities: with an owner {pct(c['with_owner'])}; with a "
              f"rotation date {pct(c['with_rotation_date'])} and rotated within policy "
              f"{pct(c['rotated_within_policy'])} of the {c['with_secret']} holding a "
              f"long-lived secret; used in the last {c['used_recently_days']} days "
              f"{pct(c['used_recently'])}.", "", "| Gap | Identities |", "|---|---|"]
    lines += [f"| {d.gap_labels[k]} | {n} |" for k, n in d.gaps.items()]
    lines += ["", "## Follow-up tasks", "", f"{len(d.tasks)} tasks, full history in tasks.csv.",
              "", "| # | Kind | Title | Owner | Status | Due |", "|---|---|---|---|---|---|"]
    lines += [f"| {t.task.id} | {t.task.kind} | {_md(t.task.title)} | {_md(t.task.owner)} | "
              f"{t.task.status} | {t.task.due} |" for t in d.tasks]
    lines += ["", "Every file's SHA-256 is in manifest.json and SHA256SUMS.", ""]
    return "\n".join(lines).encode("utf-8")


def index_html(d: EvidenceData) -> bytes:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2"]),
                      keep_trailing_newline=True)
    html = env.get_template("index.html.j2").render(d=d, a=d.assessment, c=d.coverage, pct=pct,
                                                    period=_period(d))
    return html.encode("utf-8")


def render_files(d: EvidenceData) -> dict[str, bytes]:
    files = {"index.html": index_html(d), "summary.md": summary_md(d),
             "inventory.csv": inventory_csv(d), "tasks.csv": tasks_csv(d),
             "crosswalk.csv": crosswalk_csv(d),
             "coverage.json": (json.dumps({"as_of": str(d.as_of or ""), **d.coverage,
                                           "gaps": d.gaps, "by_platform": d.by_platform},
                                          indent=2, sort_keys=True) + "\n").encode()}
    files.update(charts(d))
    return files
