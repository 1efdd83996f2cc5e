"""`export_pack`: write an evidence pack directory and its SHA-256 manifest.

The directory must be new or empty (an old pack's stray files would otherwise sit next to a
manifest that does not list them). Files are written with fixed names and content only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

from sqlalchemy.engine import Engine

from dialogs.evidence.collect import collect
from dialogs.evidence.render import render_files
from knowledge.crosswalk import Framework
from knowledge.inventory.rules import load_rules
from storage.db import session_scope

PACK_FRAMEWORKS: tuple[Framework, ...] = ("iso27001", "soc2")


class EvidenceError(ValueError):
    """Bad framework, period or output directory; one line."""


def manifest(files: dict[str, bytes]) -> dict[str, bytes]:
    entries = [{"path": name, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}
               for name, data in sorted(files.items())]
    return {
        "manifest.json": (json.dumps({"files": entries}, indent=2) + "\n").encode(),
        "SHA256SUMS": "".join(f"{e['sha256']}  {e['path']}\n" for e in entries).encode(),
    }


def build_pack(engine: Engine, *, framework: Framework, workspace: str, start: date | None = None,
               end: date | None = None) -> dict[str, bytes]:
    """The pack as name -> bytes (the chat side can zip and upload this without a disk)."""
    if framework not in PACK_FRAMEWORKS:
        raise EvidenceError(f"framework {framework!r} is not one of {', '.join(PACK_FRAMEWORKS)}")
    with session_scope(engine) as session:
        data = collect(session, workspace=workspace, framework=framework,
                       rules=load_rules(), start=start, end=end)
    files = render_files(data)
    files.update(manifest(files))
    return files


def export_pack(engine: Engine, out: Path, **kwargs: object) -> list[str]:
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise EvidenceError(f"{out} exists and is not an empty directory")
    files = build_pack(engine, **kwargs)  # type: ignore[arg-type]
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / name).write_bytes(data)
    return sorted(files)
