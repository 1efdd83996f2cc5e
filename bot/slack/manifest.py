"""The Slack app manifest: load the shipped YAML and point its request URLs at a host.

Parsed and rewritten as data (not string replacement), so every URL field Slack reads is
set and nothing else is touched; a test validates the result against Slack's schema.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

MANIFEST_PATH = Path(__file__).resolve().parents[2] / "manifest" / "slack" / "manifest.yaml"


class ManifestError(ValueError):
    """Bad base URL or missing manifest file; one line for the user."""


def check_base_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise ManifestError(f"--url must be an https:// base URL such as https://idgov.example.com,"
                            f" got {url!r}")
    return url.rstrip("/")


def load_manifest(path: Path = MANIFEST_PATH) -> dict[str, Any]:
    if not path.is_file():
        raise ManifestError(f"Slack manifest not found at {path}")
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ManifestError(f"{path} is not a YAML mapping")
    return data


def slack_manifest(base_url: str, path: Path = MANIFEST_PATH) -> dict[str, Any]:
    """The manifest with every request URL under `base_url` (events, commands, OAuth)."""
    base = check_base_url(base_url)
    data = load_manifest(path)
    events_url = f"{base}/slack/events"
    for command in data.get("features", {}).get("slash_commands", []):
        command["url"] = events_url
    settings = data.setdefault("settings", {})
    settings.setdefault("event_subscriptions", {})["request_url"] = events_url
    settings.setdefault("interactivity", {"is_enabled": True})["request_url"] = events_url
    data.setdefault("oauth_config", {})["redirect_urls"] = [f"{base}/slack/oauth_redirect"]
    return data


def render_manifest(base_url: str, path: Path = MANIFEST_PATH) -> str:
    return yaml.safe_dump(slack_manifest(base_url, path), sort_keys=False, allow_unicode=True)
