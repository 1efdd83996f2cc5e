"""YAML from files people hand us (FAQ front matter), with limits on aliases and depth.

`yaml.safe_load` refuses Python objects but not a "billion laughs" document: nine lines of
anchors and aliases made `idgov kb add` spend 31 s and 1.75 GB expanding them. Real front
matter has no aliases and a depth of two or three, so generous limits cost nothing.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_ALIASES = 20
MAX_DEPTH = 20
MAX_CHARS = 256 * 1024


class YamlLimitError(yaml.YAMLError):
    """The document exceeds a limit; the message is one line and quotes none of it."""


class _LimitedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_ALIASES:
                raise YamlLimitError(f"more than {MAX_ALIASES} YAML aliases")
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                raise YamlLimitError(f"YAML nested deeper than {MAX_DEPTH} levels")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def load(text: str) -> Any:
    """Like `yaml.safe_load`, but YamlLimitError beyond the limits above."""
    if len(text) > MAX_CHARS:
        raise YamlLimitError(f"YAML longer than {MAX_CHARS} characters")
    loader = _LimitedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
