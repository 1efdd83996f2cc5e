"""YAML loading: files people hand us with limits, the files we ship fast.

`yaml.safe_load` refuses Python objects but not a "billion laughs" document: nine lines of
anchors and aliases made `idgov kb add` spend 31 s and 1.75 GB expanding them. Real front
matter has no aliases and a depth of two or three, so generous limits cost nothing (`load`).

The data files in the package (crosswalk, catalogue, word lists, scoping questions) and the
evaluation sets are ours, reviewed in the repository: `load_packaged` reads them with libyaml's
safe loader, the same safe subset in C. PyYAML's pure-Python loader took about 0.6 s of a cold
`idgov ask` (docs/benchmarks.md, "The tenth retrieval round").
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_ALIASES = 20
MAX_DEPTH = 20
MAX_CHARS = 256 * 1024


#: libyaml's safe loader where PyYAML was built with it (its wheels are), else the Python one.
PACKAGED_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_packaged(text: str) -> Any:
    """Like `yaml.safe_load`, for the files we ship and review (not for uploads: `load`)."""
    return yaml.load(text, Loader=PACKAGED_LOADER)


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
