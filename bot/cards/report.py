"""Render a `dialogs.report.Report` as Markdown or as one self-contained HTML page.

The HTML has no external assets (inline CSS, no scripts, fonts or images) and a print
stylesheet (A4 margins, no breaks inside a row, link targets printed), so it can be
attached to a decision record, opened offline or printed to PDF for an auditor. The HTML
environment autoescapes; the Markdown one escapes table cells.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import jinja2

from bot.cards import escaping as esc
from dialogs.report import Report

#: the card templates' folder (not imported from `bot.cards.render`, which renders reports
#: for the chat surfaces through this module)
TEMPLATES = Path(__file__).resolve().parent / "templates"

Format = Literal["md", "html"]
FORMATS: tuple[Format, ...] = ("md", "html")


def _cell(text: object) -> str:
    """A Markdown table cell: pipes escaped, on one line."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _environment(html: bool) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES / "report"),
        autoescape=html,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters["cell"] = _cell
    env.globals["safe_url"] = esc.safe_url
    return env


_ENVS = {"md": _environment(False), "html": _environment(True)}


def render_report(report: Report, fmt: Format = "md") -> str:
    """The report as Markdown (``md``) or a standalone HTML page (``html``)."""
    if fmt not in _ENVS:
        raise ValueError(f"unknown report format {fmt!r}; expected md or html")
    text = _ENVS[fmt].get_template(f"report.{fmt}.j2").render(r=report)
    return text.strip() + "\n"
