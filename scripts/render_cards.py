"""Render the main cards as people see them, into PNGs under docs/images/ for the README.

Teams: Microsoft's Adaptive Cards renderer (the npm ``adaptivecards`` UMD bundle) with the
Microsoft Teams host config from ``adaptivecards-designer``, both from tests/node/node_modules,
run in headless Chromium. Slack: Block Kit has no public renderer, so the blocks are laid out
in a plain HTML approximation (header, sections, context, buttons). Each page is
self-contained (the bundles are inlined), so nothing is fetched.

    python scripts/render_cards.py [--out docs/images] [--check]

Rerun after a template change to update the pictures. It prints the visible characters of
each card (what the renderer put on screen), which is what the size budgets in
tests/test_cards_visible.py are about. ``--check`` renders to a temporary folder instead.
"""

from __future__ import annotations

import argparse
import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.cards import render  # noqa: E402
from dialogs.followup import follow_up  # noqa: E402
from dialogs.qa import to_reply as answer_reply  # noqa: E402
from dialogs.recommendation_view import task_summaries, to_reply  # noqa: E402
from dialogs.replies import AnswerReply, NudgeReply, Reply, TaskSummary  # noqa: E402
from dialogs.scoping import scoping_dialog  # noqa: E402
from knowledge.qa import ask  # noqa: E402
from knowledge.recommend import recommend  # noqa: E402
from storage.clock import utcnow  # noqa: E402

NODE = ROOT / "tests" / "node" / "node_modules"
WIDTH = 540  # about a Teams / Slack message column on a laptop
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-quic", "--no-first-run", "--disable-component-update",
                  "--disable-sync", "--hide-scrollbars", "--virtual-time-budget=3000"]
ANSWERS = {"assurance_goal": "scoped_controls", "scope": "single_service",
           "driver": "customer_procurement", "regulated": "no", "org_profile": "fast_growing_saas",
           "customer_regions": "both", "existing_assurance": "none", "nhi_inventory": "partial",
           "secret_rotation": "manual", "least_privilege": "partial", "break_glass": "ad_hoc",
           "offboarding": "delayed", "nhi_ownership": "distributed", "shared_nhi_boundary": "yes"}
OWNERS = {"slack": ("slack:T0ACME01:U07ANAGRC", None),
          "teams": ("teams:tenant-acme:8e1c6b2a-4d3f-4b1e-9c1d-2f0a1b2c3d4e", "Ana García")}


def replies(platform: str) -> dict[str, Reply]:
    """Realistic replies from the real dialog, engine and knowledge base."""
    dialog = scoping_dialog()
    now = utcnow()
    first = dialog.ask(dialog.new_state(now, timedelta(hours=24)))
    rec = recommend(ANSWERS)
    owner, display = OWNERS[platform]
    tasks = [TaskSummary(**{**t.model_dump(), "id": 100 + i, "owner": owner,
                            "owner_display": display, "assessment_id": 12})
             for i, t in enumerate(task_summaries(rec, now.date()))]
    summary = to_reply(rec, 12, tasks).model_copy(update={"tasks_separate": True})
    task_list = follow_up(summary)
    assert task_list is not None
    task_list = task_list.model_copy(update={"tasks": tasks[:3]})
    late = tasks[1].model_copy(update={"due": now.date() - timedelta(days=2), "overdue": True})
    question = "Which ISO 27001 controls cover service accounts?"
    refusal_q = "What's the weather in Lisbon?"
    answer: AnswerReply = answer_reply(ask(question), question, 1)
    refusal: AnswerReply = answer_reply(ask(refusal_q), refusal_q, 2)
    return {
        "question": first,
        "recommendation": summary,
        "recommendation-details": summary.model_copy(update={"view": "details"}),
        "tasks": task_list,
        "nudge": NudgeReply(stage="overdue", task=late, days_overdue=2),
        "answer": answer,
        "refusal": refusal,
    }


# --- Teams: Microsoft's renderer ---------------------------------------------------------

def _as_teams_shows_mentions(card: dict[str, Any]) -> dict[str, Any]:
    """Teams replaces each ``<at>Name</at>`` of a mention entity with a highlighted name; the
    open-source renderer has no mentions, so the pictures do that substitution here."""
    text = json.dumps({k: v for k, v in card.items() if k != "msteams"})
    return json.loads(re.sub(r"<at>(.*?)</at>", r"**@\1**", text))


def teams_page(card: dict[str, Any]) -> str:
    card = _as_teams_shows_mentions(card)
    bundle = (NODE / "adaptivecards" / "dist" / "adaptivecards.min.js").read_text("utf-8")
    markdown = (NODE / "markdown-it" / "dist" / "markdown-it.min.js").read_text("utf-8")
    host = (NODE / "adaptivecards-designer" / "lib" / "hostConfigs"
            / "microsoft-teams-light.json").read_text("utf-8")
    css = (NODE / "adaptivecards" / "dist" / "adaptivecards.css").read_text("utf-8")
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>{css}
body {{ margin: 0; background: #f5f5f5; font-family: "Segoe UI", system-ui, sans-serif; }}
#card {{ width: {WIDTH}px; margin: 12px; background: #fff; border-radius: 6px;
        box-shadow: 0 1px 3px rgba(0,0,0,.15); overflow: hidden; }}
#card p {{ margin: 0; }}
#card ul, #card ol {{ margin: 0; padding-left: 22px; box-sizing: border-box; width: 100%; }}
</style></head><body><div id="card"></div>
<script>{markdown}</script><script>{bundle}</script><script>
const md = window.markdownit({{html: false, linkify: false}});
AdaptiveCards.AdaptiveCard.onProcessMarkdown = (text, result) => {{
  result.outputHtml = md.render(text); result.didProcess = true; }};
const card = new AdaptiveCards.AdaptiveCard();
card.hostConfig = new AdaptiveCards.HostConfig({host});
card.parse({json.dumps(card)});
const el = card.render();
document.getElementById("card").appendChild(el);
const box = document.getElementById("card");
document.body.dataset.height = String(box.offsetHeight + 24);
document.body.dataset.chars = String(box.innerText.replace(/\\s+/g, " ").trim().length);
</script></body></html>"""


# --- Slack: an approximation of Block Kit's layout --------------------------------------

def _mrkdwn(text: str) -> str:
    text = html.escape(text, quote=False).replace("&amp;lt;", "&lt;").replace("&amp;gt;", "&gt;")
    text = text.replace("&amp;amp;", "&amp;")
    text = re.sub(r"&lt;@([UW][A-Z0-9]+)&gt;", r'<span class="mention">@Ana García</span>', text)
    text = re.sub(r"&lt;(https?://[^|&]+)\|([^&]*)&gt;", r'<a href="#">\2</a>', text)
    # emoji as plain coloured marks (the machine may have no colour-emoji font)
    marks = {"red_circle": ("●", "#e01e5a"), "rotating_light": ("●", "#e01e5a"),
             "alarm_clock": ("●", "#ecb22e"), "spiral_calendar_pad": ("●", "#1264a3"),
             "warning": ("▲", "#ecb22e"), "white_check_mark": ("✔", "#007a5a"),
             "x": ("✖", "#e01e5a")}
    text = re.sub(r":([a-z_]+):", lambda m: '<span style="color:{1}">{0}</span>'.format(
        *marks.get(m[1], ("•", "#616061"))), text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?!\w)", r"<b>\1</b>", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?!\w)", r"<i>\1</i>", text)
    text = re.sub(r"`([^`]+)`", r"<code>\1</code>", text)
    return text.replace("\n", "<br>")


def _element(e: dict[str, Any]) -> str:
    if e["type"] == "button":
        style = f' {e["style"]}' if e.get("style") else ""
        return f'<span class="btn{style}">{html.escape(e["text"]["text"])}</span>'
    if e["type"] in ("users_select", "static_select"):
        return f'<span class="btn select">{html.escape(e["placeholder"]["text"])} ▾</span>'
    return ""


def _block(b: dict[str, Any]) -> str:
    kind = b["type"]
    if kind == "header":
        return f'<div class="header">{html.escape(b["text"]["text"])}</div>'
    if kind == "section":
        accessory = _element(b["accessory"]) if b.get("accessory") else ""
        return f'<div class="section">{_mrkdwn(b["text"]["text"])}{accessory}</div>'
    if kind == "context":
        return '<div class="context">' + " ".join(
            _mrkdwn(e.get("text", "")) for e in b["elements"]) + "</div>"
    if kind == "actions":
        return '<div class="actions">' + "".join(_element(e) for e in b["elements"]) + "</div>"
    if kind == "divider":
        return "<hr>"
    return ""


def slack_page(message: dict[str, Any]) -> str:
    body = "".join(_block(b) for b in message["blocks"])
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 0; background: #fff; font: 15px/1.46 "Lato", "Segoe UI", system-ui, sans-serif;
        color: #1d1c1d; }}
#card {{ width: {WIDTH}px; box-sizing: border-box; margin: 12px; padding: 8px 16px 8px 60px;
         position: relative; }}
#card::before {{ content: "idgov"; position: absolute; left: 4px; top: 10px; width: 40px;
  height: 40px; border-radius: 6px; background: #2351a5; color: #fff; font-size: 11px;
  display: flex; align-items: center; justify-content: center; font-weight: 700; }}
.app {{ font-weight: 900; }} .app small {{ color: #616061; font-weight: 400; margin-left: 6px; }}
.header {{ font-size: 18px; font-weight: 900; margin: 4px 0; }}
.section {{ margin: 6px 0; }} .context {{ color: #616061; font-size: 13px; margin: 6px 0; }}
.actions {{ margin: 8px 0; display: flex; flex-wrap: wrap; gap: 8px; }}
.btn {{ border: 1px solid #c8c8c8; border-radius: 4px; padding: 3px 12px; font-weight: 700;
        font-size: 14px; display: inline-block; }}
.btn.primary {{ background: #007a5a; color: #fff; border-color: #007a5a; }}
.btn.select {{ font-weight: 400; color: #616061; }}
.section .btn {{ float: right; margin-left: 8px; }}
.mention {{ background: #e8f5fa; color: #1264a3; border-radius: 3px; padding: 0 2px; }}
a {{ color: #1264a3; text-decoration: none; }} code {{ background: #f6f6f6; color: #e01e5a; }}
hr {{ border: 0; border-top: 1px solid #ddd; }}
</style></head><body><div id="card"><div class="app">idgov <small>APP</small></div>{body}</div>
<script>
const box = document.getElementById("card");
document.body.dataset.height = String(box.offsetHeight + 24);
document.body.dataset.chars = String(box.innerText.replace(/\\s+/g, " ").trim().length);
</script></body></html>"""


# --- Chromium --------------------------------------------------------------------------

def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        raise SystemExit("render_cards: Chromium is not installed (apt-get install chromium)")
    return found


def shoot(page: str, png: Path, work: Path) -> int:
    """Screenshot `page` into `png` at the card's own height; returns its visible chars."""
    source = work / (png.stem + ".html")
    source.write_text(page, encoding="utf-8")
    browser = chromium()
    profile = f"--user-data-dir={work / 'profile'}"
    dom = subprocess.run([browser, *CHROMIUM_FLAGS, profile, f"--window-size={WIDTH + 24},2000",
                          "--dump-dom", source.as_uri()], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    height = int(re.search(r'data-height="(\d+)"', dom)[1])  # type: ignore[index]
    chars = int(re.search(r'data-chars="(\d+)"', dom)[1])  # type: ignore[index]
    subprocess.run([browser, *CHROMIUM_FLAGS, profile, f"--window-size={WIDTH + 24},{height}",
                    f"--screenshot={png}", source.as_uri()], capture_output=True, timeout=120,
                   check=True)
    return chars


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "images")
    parser.add_argument("--check", action="store_true", help="render into a temporary folder")
    parser.add_argument("--only", action="append", metavar="NAME",
                        help="only this picture (e.g. teams-recommendation); repeatable")
    args = parser.parse_args(argv)
    if not (NODE / "adaptivecards").is_dir():
        raise SystemExit("render_cards: tests/node/node_modules is missing (npm ci in tests/node)")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        out = work / "out" if args.check else args.out
        out.mkdir(parents=True, exist_ok=True)
        for platform, page_of in (("teams", teams_page), ("slack", slack_page)):
            for name, reply in replies(platform).items():
                png = out / f"{platform}-{name}.png"
                if args.only and png.stem not in args.only:
                    continue
                rendered = render(reply, platform)
                assert isinstance(rendered, dict)
                chars = shoot(page_of(rendered), png, work)
                size = png.stat().st_size
                print(f"{png.name}: {chars} visible characters, {size} bytes", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
