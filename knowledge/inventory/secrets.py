"""Refuse credential material before anything is stored, logged or echoed.

An inventory lists identities, never their secrets. A column whose *name* says it holds a
secret refuses the whole file (every row would carry one); a *value* that looks like key
material refuses its row. Messages name the column and row, never the value.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache

#: Column names that announce a secret value (normalised: lower case, ``_`` separators).
_SECRET_COLUMN = re.compile(
    r"(^|_)(password|passwd|pwd|secret|secret_key|secret_access_key|client_secret|private_key|"
    r"privatekey|token_value|access_token|refresh_token|bearer_token|api_key_value|key_material|"
    r"access_key_secret|secret_value|secrettext|credential_value|connection_string)($|_)"
)
#: Names that mention a secret but hold metadata about it (dates, flags, counts, names).
_METADATA_SUFFIX = re.compile(
    r"(_enabled|_active|_last_used|_last_changed|_last_rotated|_rotated|_rotated_at|_at|_date|"
    r"_time|_expires|_expiry|_id|_name|_type|_count|_age|_days|_next_rotation|_hint)$|^has_"
)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a private key", re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY-----")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
)
_ANY_PATTERN = re.compile("|".join(f"(?:{p.pattern})" for _, p in _PATTERNS))
_UUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_TOKENISH = re.compile(r"[A-Za-z0-9+/=_\-.~]{32,}")


def secret_column(name: str) -> bool:
    """True when a column (or JSON key) name says its values are secrets."""
    norm = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return bool(_SECRET_COLUMN.search(norm)) and not _METADATA_SUFFIX.search(norm)


def looks_secret(value: str) -> str | None:
    """What kind of credential `value` looks like, or None. Never returns the value."""
    if len(value) < 16:
        return None
    # owners, privileges and dates repeat on most rows: short texts are judged once
    return _looks_secret_cached(value) if len(value) <= 256 else _looks_secret(value)


@lru_cache(maxsize=8192)
def _looks_secret_cached(value: str) -> str | None:
    return _looks_secret(value)


def _looks_secret(value: str) -> str | None:
    if len(value) < 16:
        return None
    if _ANY_PATTERN.search(value):  # one pass; name the kind only when something matched
        for label, pattern in _PATTERNS:
            if pattern.search(value):
                return label
    for token in _TOKENISH.findall(value):
        if _UUID.match(token) or token.startswith(("arn:", "projects/", "https://", "http://")):
            continue
        if _high_entropy(token):
            return "a high-entropy secret"
    return None


def _high_entropy(token: str) -> bool:
    """Random-looking: mixed letter cases and digits and over 4.2 bits of entropy per char."""
    if not (any(c.islower() for c in token) and any(c.isupper() for c in token)
            and any(c.isdigit() for c in token)):
        return False
    counts = Counter(token)
    entropy = -sum(n / len(token) * math.log2(n / len(token)) for n in counts.values())
    return entropy > 4.2


def first_secret(values: Iterable[tuple[str, object]]) -> tuple[str, str] | None:
    """The first (column, kind) pair whose value looks like a credential, scanning nested data."""
    for column, value in values:
        if isinstance(value, str):  # the CSV case: no nesting, most cells short
            if len(value) >= 16 and (kind := looks_secret(value)):
                return column, kind
            continue
        for text in _strings(value):
            kind = looks_secret(text)
            if kind:
                return column, kind
    return None


def _strings(value: object) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
