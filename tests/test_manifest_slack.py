"""The Slack app manifest validates against Slack's own schema, asks for the scopes the code
uses and no more, and `idgov manifest slack --url` fills in every request URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource

from bot.cli.main import main
from bot.slack.manifest import MANIFEST_PATH, slack_manifest
from bot.slack.settings import BOT_SCOPES

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "slack-manifest"  # vendored, offline


def _validator() -> jsonschema.Draft7Validator:
    root = json.loads((SCHEMAS / "manifest.schema.json").read_text())
    registry: Registry[Any] = Registry()
    for file in sorted((SCHEMAS / "schemas").glob("*.json")):
        schema = json.loads(file.read_text())
        # manifest.schema.json refers to these by their raw GitHub URLs: map them locally
        url = ("https://raw.githubusercontent.com/slackapi/manifest-schema/v0.5.0/schemas/"
               + file.name)
        registry = registry.with_resource(url, Resource.from_contents(schema))
        if "$id" in schema:
            registry = registry.with_resource(schema["$id"], Resource.from_contents(schema))
    return jsonschema.Draft7Validator(root, registry=registry)


def test_manifest_is_valid_against_slacks_schema() -> None:
    manifest = slack_manifest("https://idgov.example.com")
    errors = sorted(_validator().iter_errors(manifest), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors]
    v1 = json.loads((SCHEMAS / "schemas" / "manifest.schema.1.0.0.json").read_text())
    assert list(jsonschema.Draft7Validator(v1).iter_errors(manifest)) == []


def test_broken_manifest_is_caught_by_the_schema() -> None:
    manifest = slack_manifest("https://idgov.example.com")
    manifest["features"]["slash_commands"][0]["should_escape"] = "no"
    manifest["settings"]["interactivity"]["unknown_key"] = True
    assert list(_validator().iter_errors(manifest))


def test_manifest_features_match_the_code() -> None:
    manifest = yaml.safe_load(MANIFEST_PATH.read_text())
    assert sorted(manifest["oauth_config"]["scopes"]["bot"]) == sorted(BOT_SCOPES)
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/idgov"]
    events = set(manifest["settings"]["event_subscriptions"]["bot_events"])
    assert events == {"app_home_opened", "app_mention", "message.channels", "message.groups",
                      "message.im", "assistant_thread_started",
                      "assistant_thread_context_changed"}
    view = manifest["features"]["assistant_view"]
    assert [p["title"] for p in view["suggested_prompts"]] == [
        "Run the assessment", "Ask a question", "My open tasks"]
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert manifest["settings"]["interactivity"]["is_enabled"] is True


def test_cli_prints_the_manifest_with_request_urls(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["manifest", "slack", "--url", "https://bot.example.org/"]) == 0
    printed = yaml.safe_load(capsys.readouterr().out)
    url = "https://bot.example.org/slack/events"
    assert printed["features"]["slash_commands"][0]["url"] == url
    assert printed["settings"]["event_subscriptions"]["request_url"] == url
    assert printed["settings"]["interactivity"]["request_url"] == url
    assert printed["oauth_config"]["redirect_urls"] == [
        "https://bot.example.org/slack/oauth_redirect"]
    assert "YOUR-HOST" not in json.dumps(printed)


@pytest.mark.parametrize("url", ["http://bot.example.org", "bot.example.org", "https://",
                                 "https://x.org/?a=1"])
def test_cli_refuses_a_bad_url(capsys: pytest.CaptureFixture[str], url: str) -> None:
    assert main(["manifest", "slack", "--url", url]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("idgov: error: --url") and "\n" not in err
