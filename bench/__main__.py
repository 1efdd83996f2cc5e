"""``python -m bench [--quick] [--format text|json] [--only NAME ...] [--no-postgres]``.

Runs every benchmark in one process, in an order that keeps the heavy ones apart (ingress
first, while the machine is quietest; the million-row sweep last), and prints one report.
Exit code 0 even when targets are missed: the report says what fell short; 2 for bad usage.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench import dialog, inventory, platforms, qa, sweep
from bench.env import BenchConfig, Databases
from bench.report import Result, to_json, to_text

SECTIONS: dict[str, Callable[[BenchConfig, Databases], list[Result]]] = {
    "ingress": lambda cfg, dbs: asyncio.run(platforms.run(cfg, dbs)),
    "dialog": dialog.run,
    "qa": qa.run,
    "sweep": sweep.run,
    "inventory": inventory.run,
}


def _meta(cfg: BenchConfig, started: float) -> dict[str, Any]:
    return {
        "quick": cfg.quick,
        "started": datetime.fromtimestamp(started, UTC).isoformat(timespec="seconds"),
        "duration_s": round(time.time() - started, 1),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller counts; under 60 s")
    parser.add_argument("--format", choices=["text", "json"], default="text")
    parser.add_argument("--only", nargs="+", choices=sorted(SECTIONS), metavar="SECTION",
                        help=f"run only these sections ({', '.join(SECTIONS)})")
    parser.add_argument("--no-postgres", action="store_true",
                        help="do not start PostgreSQL (SQLite figures only)")
    parser.add_argument("--tiny", action="store_true", help=argparse.SUPPRESS)  # smoke test
    args = parser.parse_args(argv)
    if args.tiny:
        cfg = BenchConfig.tiny_config()
    elif args.quick:
        cfg = BenchConfig.quick_config()
    else:
        cfg = BenchConfig()
    started = time.time()
    dbs = Databases(postgres=not args.no_postgres)
    results: list[Result] = []
    try:
        for name in args.only or list(SECTIONS):
            t0 = time.time()
            try:
                results.extend(SECTIONS[name](cfg, dbs))
            except Exception as exc:  # one broken section must not hide the others
                results.append({"name": name, "skipped": f"harness error: "
                                f"{type(exc).__name__}: {str(exc)[:300]}"})
            print(f"[bench] {name}: {time.time() - t0:.1f} s", file=sys.stderr)
    finally:
        dbs.close()
    meta = _meta(cfg, started)
    print(to_json(results, meta) if args.format == "json" else to_text(results, meta))
    return 0


if __name__ == "__main__":
    sys.exit(main())
