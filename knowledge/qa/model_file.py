"""Reading a classifier shipped as JSON beside this package, defensively.

The intent and scope models (`knowledge.qa.intent`, `knowledge.qa.scope`) are optional at run
time: without one, `ask` answers with what remains rather than fail every question. So a
missing or unreadable file is logged once by the caller's cache and read as None, never raised.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from importlib import resources
from typing import TypeVar

log = logging.getLogger(__name__)

Model = TypeVar("Model")


def read_model(name: str, parse: Callable[[object], Model], without: str) -> Model | None:
    """`parse` applied to the JSON file `name` of `knowledge.qa`, or None, logged with what
    `ask` does `without` it, when the file is absent or `parse` rejects it (ValueError)."""
    path = resources.files("knowledge.qa").joinpath(name)
    if not path.is_file():
        log.warning("model %s is missing: answering %s", name, without)
        return None
    try:
        return parse(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError) as exc:  # json.JSONDecodeError is a ValueError
        log.warning("model %s unreadable (%s): answering %s", name, type(exc).__name__, without)
        return None
