"""Inventory and evidence in chat (issue 13): the summary, a file import, the evidence pack.

- ``inventory`` (``/idgov inventory`` in Slack): coverage, gaps by kind with the worst
  offenders, and a button per gap kind that opens its tasks (`Verb.INVENTORY_TASKS`).
- A CSV or JSON file sent to the bot in a DM (Slack) or personal chat (Teams): admins only
  (`dialogs.policy`), checked before anything is downloaded. The surface fetches the bytes
  (`Surface.fetch_file`: platform code, size-capped); the import is the same call the CLI
  makes (`dialogs.inventory.service.import_file`), answered with the summary and the report.
- ``evidence iso27001|soc2 [FROM..TO]``: admins only. The pack is built in memory
  (`dialogs.evidence.pack.build_pack`), zipped deterministically, and sent privately where
  the surface can (Slack: an upload to the admin's DM); elsewhere the reply names the CLI
  command that writes the same pack and shows its summary.md.
"""

from __future__ import annotations

import asyncio
import io
import zipfile

from dialogs import policy
from dialogs.evidence.collect import parse_period
from dialogs.evidence.pack import EvidenceError, build_pack
from dialogs.handlers import Ctx, _args, _db, _reply_to, is_admin  # one copy of the turn helpers
from dialogs.inventory import service
from dialogs.inventory.replies import InventorySummaryReply
from dialogs.outbox import Out, here, private
from dialogs.replies import TaskListReply, TextReply
from dialogs.surface import FileDelivery, FileUnavailable
from dialogs.turn import Pressed, Said, SharedFile, Turn
from knowledge.crosswalk import Framework
from knowledge.inventory.rules import GAP_KINDS, load_rules

IMPORT_TYPES = (".csv", ".json")
#: Chat uploads share the CLI's cap (`dialogs.inventory.service.MAX_BYTES`).
MAX_UPLOAD = service.MAX_BYTES
NOT_IN_DM = ("Send inventory files to me in a direct message (personal chat); I do not "
             "import files shared in channels.")
NOT_AN_EXPORT = ("{name}: I import CSV or JSON inventories only (a generic CSV/JSON, or an "
                 "AWS, gcloud, Azure, kubectl or GitHub export).")
TOO_BIG = "{name}: the file is {mb} MB; the limit is {limit} MB."
EVIDENCE_USAGE = ("Say which framework: `/idgov evidence iso27001` or `/idgov evidence soc2` "
                  "(optionally a period such as 2026-01-01..2026-06-30).")
EVIDENCE_PRIVATE = ("The evidence pack is for admins: ask me for it in a direct message "
                    "(personal chat), not here.")
SUMMARY_SHOWN = 2500  # characters of summary.md shown in chat when the zip cannot be sent
FRAMEWORK_WORDS: dict[str, Framework] = {"iso27001": "iso27001", "iso": "iso27001",
                                         "iso27k": "iso27001", "soc2": "soc2", "soc": "soc2"}
FRAMEWORK_TITLES = {"iso27001": "ISO/IEC 27001", "soc2": "SOC 2"}


def _refusal(turn: Turn, what: str) -> list[Out]:
    policy.refused(turn.actor, what)
    return private(TextReply(text=policy.ADMINS_ONLY, tone="warning", private=True))


# --- the summary and its buttons ---------------------------------------------------------
async def inventory(ctx: Ctx, turn: Turn) -> list[Out]:
    """Coverage and gaps of the actor's workspace inventory (anyone in the workspace)."""
    reply = await _db(service.inventory_summary, ctx.engine, turn.actor.workspace)
    return _reply_to(turn, reply)


async def gap_tasks(ctx: Ctx, turn: Turn) -> list[Out]:
    """The open tasks chasing one gap kind, with their task buttons (which the task
    policy guards as everywhere)."""
    assert isinstance(turn.what, Pressed)
    kind = turn.what.action.value or ""
    if kind not in GAP_KINDS:
        return private(TextReply(text="That button does not name a gap I know.",
                                 tone="warning"))
    label = load_rules().gaps[kind].label
    listing = await _db(service.gap_tasks, ctx.engine, turn.actor.workspace, kind)
    return private(TaskListReply(title=f"Open inventory tasks: {label}", tasks=listing,
                                 empty_text="No open tasks for this gap."))


# --- a file sent to the bot ---------------------------------------------------------------
async def inventory_upload(ctx: Ctx, turn: Turn) -> list[Out]:
    """Files sent to the bot: imported one after another when an admin sent them in a DM."""
    assert isinstance(turn.what, Said)
    if not turn.place.is_dm:
        return here(TextReply(text=NOT_IN_DM))
    if not await is_admin(ctx, turn):
        return _refusal(turn, "inventory_import")
    outs: list[Out] = []
    for shared in turn.what.files:
        outs += await _import_one(ctx, turn, shared)
    return outs


async def _import_one(ctx: Ctx, turn: Turn, shared: SharedFile) -> list[Out]:
    shown = shared.name or "that file"
    if shared.name and not shared.name.lower().endswith(IMPORT_TYPES):
        return here(TextReply(text=NOT_AN_EXPORT.format(name=shown), tone="warning"))
    if shared.size is not None and shared.size > MAX_UPLOAD:
        return here(TextReply(text=TOO_BIG.format(name=shown, mb=shared.size // 2**20,
                                                  limit=MAX_UPLOAD // 2**20), tone="warning"))
    try:
        name, data = await ctx.surface.fetch_file(shared, MAX_UPLOAD, IMPORT_TYPES)
    except FileUnavailable as exc:
        return here(TextReply(text=f"{shown}: {exc}", tone="warning"))
    name = name or shared.name
    if not name.lower().endswith(IMPORT_TYPES):
        return here(TextReply(text=NOT_AN_EXPORT.format(name=name or shown), tone="warning"))
    try:
        report = await _db(service.import_file, ctx.engine, data, name,
                           importer_ref=turn.actor.ref, workspace=turn.actor.workspace)
    except service.InventoryFileError as exc:  # one line, naming columns and rows only
        return here(TextReply(text=f"{name}: {exc}. Nothing was imported.", tone="warning"))
    summary: InventorySummaryReply = await _db(service.inventory_summary, ctx.engine,
                                               turn.actor.workspace)
    return here(summary.model_copy(update={"report": report, "source": name}))


# --- the evidence pack --------------------------------------------------------------------
def zip_pack(files: dict[str, bytes]) -> bytes:
    """The pack as one zip, byte-identical for the same files (fixed names, order, times)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in sorted(files):
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, files[name])
    return buf.getvalue()


def _evidence_args(text: str) -> tuple[Framework, str | None]:
    words = text.lower().split()
    if not words or words[0] not in FRAMEWORK_WORDS or len(words) > 2:
        raise ValueError(EVIDENCE_USAGE)
    return FRAMEWORK_WORDS[words[0]], (words[1] if len(words) == 2 else None)


def export_command(framework: str, workspace: str, period: str | None) -> str:
    extra = f" --period {period}" if period else ""
    return (f"idgov evidence export --framework {framework} --workspace {workspace}{extra} "
            f"--out evidence-{framework}")


async def evidence(ctx: Ctx, turn: Turn) -> list[Out]:
    """The auditor pack for admins, delivered privately."""
    if not await is_admin(ctx, turn):
        return _refusal(turn, "evidence_export")
    try:
        framework, period = _evidence_args(_args(turn))
        start, end = parse_period(period)
        files = await _db(build_pack, ctx.engine, framework=framework,
                          workspace=turn.actor.workspace, start=start, end=end)
    except (ValueError, EvidenceError) as exc:
        return private(TextReply(text=str(exc), tone="warning", private=True))
    title = FRAMEWORK_TITLES[framework]
    command = export_command(framework, turn.actor.workspace, period)
    name = f"idgov-evidence-{framework}{'-' + period if period else ''}.zip"
    data = await asyncio.to_thread(zip_pack, files)
    comment = (f"{title} evidence pack: {len(files)} files (open index.html; check them with "
               "sha256sum -c SHA256SUMS).")
    delivery = await ctx.surface.send_file(turn.actor, name.replace("..", "_"), data, comment)
    if delivery is FileDelivery.SENT:
        return private(TextReply(text=f"I sent the {title} evidence pack to you in a direct "
                                      "message.", tone="success", private=True))
    if delivery is FileDelivery.OFFERED:
        return private(TextReply(text=f"Here is the {title} evidence pack: choose Allow on the "
                                      "file card to save it to your OneDrive.", private=True))
    if not turn.place.is_dm:
        return private(TextReply(text=EVIDENCE_PRIVATE, tone="warning", private=True))
    summary = files["summary.md"].decode("utf-8")
    if len(summary) > SUMMARY_SHOWN:
        summary = summary[:SUMMARY_SHOWN].rsplit("\n", 1)[0] + "\n…(the pack has the rest)"
    text = (f"I cannot send files here, so here is the {title} pack's summary. For the whole "
            f"pack (HTML, CSVs, charts, SHA-256 manifest) run on the server:\n{command}\n\n"
            f"{summary}")
    return private(TextReply(text=text, private=True))
