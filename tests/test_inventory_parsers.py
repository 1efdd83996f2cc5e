"""Every export shape the importer recognises, parsed from files that follow each tool's
documented output (tests/inventory_samples/), plus dates, columns and secret refusal."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from knowledge.inventory.dates import parse_date
from knowledge.inventory.detect import parse_bytes
from knowledge.inventory.gaps import evaluate
from knowledge.inventory.model import InventoryFileError, ParsedRow
from knowledge.inventory.rules import load_rules
from knowledge.inventory.secrets import looks_secret, secret_column

SAMPLES = Path(__file__).parent / "inventory_samples"
NOW = datetime(2026, 12, 1, tzinfo=UTC)


def rows(name: str) -> tuple[str, list[ParsedRow]]:
    parsed = parse_bytes((SAMPLES / name).read_bytes(), name)
    return parsed.format, list(parsed.rows)


def gaps_by_name(parsed: list[ParsedRow]) -> dict[str, list[str]]:
    return {r.record.name: evaluate(r.record, load_rules(), NOW) for r in parsed if r.record}


def test_messy_generic_csv_maps_headers_and_reports_bad_rows() -> None:
    fmt, parsed = rows("generic_messy.csv")
    assert fmt == "generic_csv"
    errors = {r.row: r.error for r in parsed if r.error}
    assert errors == {
        5: "last_rotated: 'someday' is not a date",
        7: "column 'Notes' holds what looks like a GitHub token; row refused, value not stored",
        8: "14 fields but the header has 12",
    }
    billing = next(r.record for r in parsed if r.record and r.record.name == "billing-bot")
    assert (billing.platform, billing.type, billing.owner, billing.environment) == (
        "slack", "bot_token", "slack:T1:U2", "corporate")
    assert billing.shared_with == ["staging", "reporting-app"]
    assert billing.last_used == datetime(2026, 11, 20, 10, tzinfo=UTC)
    legacy = next(r.record for r in parsed if r.record and r.record.name == "legacy-backup")
    assert legacy.last_used == datetime(2025, 1, 15, tzinfo=UTC)  # 15/01/2025: day first
    assert gaps_by_name(parsed) == {
        "ci-deployer": [],
        "legacy-backup": ["unowned", "unused", "privileged"],
        "billing-bot": ["rotation_overdue", "expiring", "human_use", "shared_environments",
                        "shared_apps"],
        "old-cert": ["rotation_overdue", "expired"],  # 365-day policy for certificates
    }


def test_a_secret_column_refuses_the_file_without_echoing_values() -> None:
    with pytest.raises(InventoryFileError) as info:
        rows("generic_secret_column.csv")
    assert "'Client Secret'" in str(info.value)
    assert "Xy7Q8" not in str(info.value)


def test_generic_json_list() -> None:
    fmt, parsed = rows("generic.json")
    assert fmt == "generic_json"
    assert [r.error for r in parsed if r.error] == ["name is empty"]
    okta = parsed[0].record
    assert okta is not None and okta.privileges == ["okta.users.read", "okta.groups.manage"]
    assert gaps_by_name(parsed) == {
        "okta-scim": [], "shared-deploy-key": ["unowned", "never_rotated", "shared_environments"]}


def test_aws_credential_report() -> None:
    fmt, parsed = rows("aws_credential_report.csv")
    assert fmt == "aws_credential_report"
    assert [(r.row, r.error) for r in parsed if r.error] == [
        (7, "user_creation_time: 'notadate' is not a date")]
    assert [r.row for r in parsed if r.record is None and r.error is None] == [3]  # alice
    ci = next(r.record for r in parsed if r.record and r.record.name == "ci-deployer")
    # the older of two active keys decides; last use is the newest of all keys
    assert ci.last_rotated == datetime(2024, 1, 10, 10, tzinfo=UTC)
    assert ci.last_used == datetime(2026, 11, 30, 12, tzinfo=UTC)
    assert ci.native_id == "arn:aws:iam::123456789012:user/ci-deployer"
    assert gaps_by_name(parsed) == {
        "<root_account>": ["unowned", "rotation_overdue", "privileged", "human_use"],
        "ci-deployer": ["unowned", "rotation_overdue"],
        "backup-job": ["unowned", "rotation_overdue", "unused"],
        "idle-key": ["unowned", "unused"],  # active since January, never used (N/A)
    }


def test_gcp_accounts_and_keys_map_to_the_same_identity() -> None:
    fmt, accounts = rows("gcp_service_accounts.json")
    assert fmt == "gcp_service_accounts"
    assert [r.record.key for r in accounts if r.record] == [
        "ci@proj-123.iam.gserviceaccount.com", "exporter@proj-123.iam.gserviceaccount.com"]
    fmt, keys = rows("gcp_service_account_keys.json")
    assert fmt == "gcp_service_account_keys"
    (ci,) = [r.record for r in keys if r.record]
    assert ci.key == "ci@proj-123.iam.gserviceaccount.com"
    assert ci.has_secret is True
    assert ci.last_rotated == datetime(2025, 1, 1, tzinfo=UTC)  # the system key is ignored
    assert ci.expires is None  # 9999-12-31 means no expiry


def test_azure_applications_refuse_secret_text() -> None:
    fmt, parsed = rows("azure_applications.json")
    assert fmt == "azure_applications"
    errors = [(r.row, r.error or "") for r in parsed if r.error]
    assert [row for row, _ in errors] == [3]
    assert "Xy7Q8" not in errors[0][1] and "passwordCredentials" in errors[0][1]
    payments = parsed[0].record
    assert payments is not None and payments.owner == "grace@example.com"
    assert payments.expires == datetime(2026, 12, 10, tzinfo=UTC)
    assert gaps_by_name(parsed) == {
        "payments-api": ["rotation_overdue", "expiring"],
        "legacy-sso": ["unowned", "rotation_overdue", "expired"],
    }


def test_kubernetes_list_with_cluster_role_bindings() -> None:
    fmt, parsed = rows("kubernetes_service_accounts.json")
    assert fmt == "kubernetes_service_accounts"
    deployer = next(r.record for r in parsed if r.record and r.record.name == "ci/deployer")
    assert deployer.privileges == ["ClusterRole:cluster-admin@cluster"]
    assert deployer.owner == "slack:T1:U3"
    assert gaps_by_name(parsed) == {
        "default/default": ["unowned"], "ci/deployer": ["privileged"],
        "kube-system/legacy": ["unowned", "never_rotated"],  # a legacy token secret
    }


def test_github_fine_grained_pats() -> None:
    fmt, parsed = rows("github_fine_grained_pats.json")
    assert fmt == "github_fine_grained_pats"
    first = parsed[0].record
    assert first is not None and first.native_id == "pat:25381"
    assert "repository:contents=write" in first.privileges
    assert first.expires == datetime(2026, 12, 15, 15, 47, 9, tzinfo=UTC)
    assert gaps_by_name(parsed) == {
        "octocat/deploy": ["expiring"],
        "hubot/old": ["rotation_overdue", "unused", "expired", "privileged"],
    }


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-03-04", datetime(2026, 3, 4, tzinfo=UTC)),
    ("2026-03-04T10:00:00Z", datetime(2026, 3, 4, 10, tzinfo=UTC)),
    ("2026-03-04T12:00:00+02:00", datetime(2026, 3, 4, 10, tzinfo=UTC)),
    ("03/04/2026", datetime(2026, 3, 4, tzinfo=UTC)),
    ("31/12/2026", datetime(2026, 12, 31, tzinfo=UTC)),
    ("4 Mar 2026", datetime(2026, 3, 4, tzinfo=UTC)),
    ("1772582400", datetime(2026, 3, 4, tzinfo=UTC)),
    ("N/A", None), ("no_information", None), ("", None),
])
def test_dates_in_export_formats(text: str, expected: datetime | None) -> None:
    assert parse_date(text) == expected


def test_a_garbage_date_is_an_error() -> None:
    with pytest.raises(ValueError, match="is not a date"):
        parse_date("next tuesday")


def test_secret_names_and_patterns() -> None:
    assert secret_column("client_secret") and secret_column("Private Key")
    assert not secret_column("password_enabled") and not secret_column("has_secret")
    assert not secret_column("access_key_1_last_rotated")
    assert looks_secret("AKIAIOSFODNN7EXAMPLE") == "an AWS access key id"
    assert looks_secret("xoxb-1234567890-abcdefghij") == "a Slack token"
    assert looks_secret("-----BEGIN RSA PRIVATE KEY-----\nMIIE") == "a private key"
    assert looks_secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY") == "a high-entropy secret"
    for harmless in ("arn:aws:iam::123456789012:user/ci-deployer",
                     "5c1e3c4a-7a1b-4c1d-9e2f-111111111111", "104271234567890123456",
                     "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b", "roles/owner"):
        assert looks_secret(harmless) is None, harmless


def test_bounded_input() -> None:
    wide = ("name," + ",".join(f"c{i}" for i in range(300)) + "\nx\n").encode()
    with pytest.raises(InventoryFileError, match="columns"):
        list(parse_bytes(wide, "wide.csv").rows)
    with pytest.raises(InventoryFileError, match="UTF-8"):
        parse_bytes(b"\xff\xfe\x00n\x00a", "x.csv")
    with pytest.raises(InventoryFileError, match="no name column"):
        list(parse_bytes(b"colour,size\nred,1\n", "x.csv").rows)
    with pytest.raises(InventoryFileError, match="not valid JSON"):
        parse_bytes(b"[{", "x.json")
