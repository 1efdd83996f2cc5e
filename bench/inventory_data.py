"""Generated inventories for the inventory benchmark: an AWS IAM credential report and a
generic CSV, deterministic (seeded), with a realistic mix of gaps and a few hundred owners.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
AWS_HEADER = ("user,arn,user_creation_time,password_enabled,password_last_used,"
              "password_last_changed,password_next_rotation,mfa_active,access_key_1_active,"
              "access_key_1_last_rotated,access_key_1_last_used_date,"
              "access_key_1_last_used_region,access_key_1_last_used_service,"
              "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
              "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
              "cert_1_last_rotated,cert_2_active,cert_2_last_rotated")
TYPES = ("service_account", "api_key", "oauth_app", "bot_token", "workload_identity",
         "ssh_key", "certificate")
PLATFORMS = ("gcp", "azure", "github", "slack", "okta", "kubernetes")
ENVS = ("prod", "staging", "dev", "corporate")


def _ts(days_ago: int) -> str:
    return (NOW - timedelta(days=days_ago)).isoformat()


def aws_report(path: Path, users: int, seed: int = 13) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(AWS_HEADER + "\n")
        for i in range(users):
            created = rnd.randint(30, 2000)
            rotated = rnd.randint(1, created)
            used = "N/A" if rnd.random() < 0.1 else _ts(rnd.randint(0, 400))
            password = "true" if rnd.random() < 0.05 else "false"
            second = rnd.random() < 0.2
            k2 = (f"true,{_ts(rnd.randint(1, created))},{_ts(rnd.randint(0, 200))},"
                  "eu-west-1,s3" if second else "false,N/A,N/A,N/A,N/A")
            fh.write(f"svc-{i:06d},arn:aws:iam::123456789012:user/svc-{i:06d},{_ts(created)},"
                     f"{password},N/A,N/A,N/A,false,true,{_ts(rotated)},{used},us-east-1,"
                     f"sts,{k2},false,N/A,false,N/A\n")


def generic_csv(path: Path, rows: int, owners: int = 300, seed: int = 14) -> None:
    rnd = random.Random(seed)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("name,type,platform,owner,environment,created,last_rotated,last_used,"
                 "expires,privileges,used_by_humans,shared_with\n")
        for i in range(rows):
            who = rnd.randrange(owners)  # 300 people: 70% named by Slack id, 30% by email
            owner = "" if rnd.random() < 0.15 else (
                f"slack:T0001:U{who:05d}" if who % 10 < 7 else f"owner{who}@example.com")
            created = rnd.randint(10, 1500)
            rotated = "" if rnd.random() < 0.1 else _ts(rnd.randint(0, created))[:10]
            expires = "" if rnd.random() < 0.6 else (NOW + timedelta(
                days=rnd.randint(-60, 400))).date().isoformat()
            privileges = rnd.choice(("read", "write", "roles/owner", "s3:*", "chat:write", ""))
            shared = rnd.choice(("", "", "", "staging", "billing-app"))
            fh.write(f"nhi-{i:06d},{rnd.choice(TYPES)},{rnd.choice(PLATFORMS)},{owner},"
                     f"{rnd.choice(ENVS)},{_ts(created)[:10]},{rotated},"
                     f"{_ts(rnd.randint(0, 300))[:10]},{expires},{privileges},"
                     f"{'yes' if rnd.random() < 0.03 else 'no'},{shared}\n")
