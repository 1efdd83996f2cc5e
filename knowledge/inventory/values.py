"""Forgiving readers for generic inventory values: enums with synonyms, booleans, lists."""

from __future__ import annotations

import json
import re
from functools import lru_cache

from knowledge.inventory.model import ENVIRONMENTS, IDENTITY_TYPES, PLATFORMS, RowError

_TYPE_SYNONYMS = {
    "service_account": "service_account", "serviceaccount": "service_account",
    "sa": "service_account",
    "iam_user": "service_account", "technical_user": "service_account", "api_key": "api_key",
    "apikey": "api_key", "access_key": "api_key", "key": "api_key", "pat": "api_key",
    "personal_access_token": "api_key", "token": "api_key", "oauth_app": "oauth_app",
    "oauth": "oauth_app", "oauth_client": "oauth_app", "app_registration": "oauth_app",
    "application": "oauth_app", "service_principal": "oauth_app", "bot_token": "bot_token",
    "bot": "bot_token", "workload_identity": "workload_identity", "workload": "workload_identity",
    "managed_identity": "workload_identity", "ssh_key": "ssh_key", "ssh": "ssh_key",
    "deploy_key": "ssh_key", "certificate": "certificate", "cert": "certificate",
    "tls_certificate": "certificate", "x509": "certificate", "other": "other",
}
_PLATFORM_SYNONYMS = {
    "aws": "aws", "amazon": "aws", "amazon_web_services": "aws", "gcp": "gcp", "google": "gcp",
    "google_cloud": "gcp", "azure": "azure", "entra": "azure", "entra_id": "azure",
    "microsoft": "azure", "azure_ad": "azure", "github": "github", "slack": "slack",
    "okta": "okta", "kubernetes": "kubernetes", "k8s": "kubernetes", "eks": "kubernetes",
    "gke": "kubernetes", "aks": "kubernetes", "other": "other",
}
_ENV_SYNONYMS = {
    "prod": "prod", "production": "prod", "prd": "prod", "live": "prod", "staging": "staging",
    "stage": "staging", "stg": "staging", "preprod": "staging", "uat": "staging", "dev": "dev",
    "development": "dev", "test": "dev", "qa": "dev", "sandbox": "dev", "corporate": "corporate",
    "corp": "corporate", "it": "corporate", "internal": "corporate",
}
assert set(_TYPE_SYNONYMS.values()) <= set(IDENTITY_TYPES)
assert set(_PLATFORM_SYNONYMS.values()) <= set(PLATFORMS)
assert set(_ENV_SYNONYMS.values()) <= set(ENVIRONMENTS)

_TRUE = frozenset({"true", "yes", "y", "1", "x", "t"})
_FALSE = frozenset({"false", "no", "n", "0", "f", "", "n/a", "none"})


@lru_cache(maxsize=4096)  # the same few types, platforms and environments on every row
def norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.strip().lower()).strip("_")


def _enum(value: object, table: dict[str, str], what: str, allowed: tuple[str, ...],
          default: str | None) -> str | None:
    text = norm(str(value or ""))
    if not text:
        return default
    if text in table:
        return table[text]
    raise RowError(f"{what} {str(value)[:40]!r} is not one of {', '.join(allowed)}")


def identity_type(value: object) -> str:
    return _enum(value, _TYPE_SYNONYMS, "type", IDENTITY_TYPES, "other") or "other"


def platform(value: object) -> str:
    return _enum(value, _PLATFORM_SYNONYMS, "platform", PLATFORMS, "other") or "other"


def environment(value: object) -> str | None:
    return _enum(value, _ENV_SYNONYMS, "environment", ENVIRONMENTS, None)


def environment_name(text: str) -> str | None:
    """The environment a free-text entry names, if it names one (for `shared_with`)."""
    return _ENV_SYNONYMS.get(norm(text))


def boolean(value: object, what: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return None if text == "" else False
    raise RowError(f"{what} {str(value)[:40]!r} is not yes/no")


def text_list(value: object, limit: int = 200) -> list[str]:
    """A list from a JSON list, a JSON-encoded list, or text split on ; , | and new lines."""
    if value is None:
        return []
    if isinstance(value, str):  # a CSV cell: the same few texts on most rows
        split = _split_text if len(value) <= CACHED_LEN else _split_text.__wrapped__
        return list(split(value, limit))
    items: list[object]
    if isinstance(value, list | tuple):
        items = list(value)
    elif isinstance(value, dict):
        items = [f"{k}={v}" for k, v in value.items()]
    else:
        return list(_split_text(str(value), limit))
    return _cleaned(items, limit)


#: Texts longer than this are not cached (a cell may be 128 KB; the cache stays small).
CACHED_LEN = 256


@lru_cache(maxsize=4096)
def _split_text(value: str, limit: int) -> tuple[str, ...]:
    """`text_list` of a text, once per distinct text (a tuple: the cache is shared)."""
    text = value.strip()
    items: list[object]
    if text.startswith("["):
        try:
            loaded = json.loads(text)
            items = loaded if isinstance(loaded, list) else [text]
        except ValueError:
            items = re.split(r"[;,|\n]", text.strip("[]"))
    else:
        items = re.split(r"[;,|\n]", text)
    return tuple(_cleaned(items, limit))


def _cleaned(items: list[object], limit: int) -> list[str]:
    out = [str(i).strip().strip("'\"")[:200] for i in items]
    return [i for i in out if i][:limit]


def owner(value: object) -> str | None:
    text = str(value or "").strip()
    if text.lower() in {"", "none", "n/a", "unowned", "unknown", "-", "tbd", "nobody"}:
        return None
    return text[:255]
