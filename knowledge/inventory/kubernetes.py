"""Kubernetes: ``kubectl get serviceaccounts -A -o json`` (a ``List`` of ``ServiceAccount``).

The same ``List`` may also hold ``ClusterRoleBinding`` / ``RoleBinding`` items (``kubectl get
serviceaccounts,clusterrolebindings -A -o json``): their ``roleRef`` becomes the privileges of
each ServiceAccount subject. Projected tokens are short-lived; a ServiceAccount that still
lists legacy token ``secrets`` holds a long-lived one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from knowledge.inventory import values as v
from knowledge.inventory.dates import parse_date
from knowledge.inventory.model import IdentityRecord, ParsedRow

OWNER_KEYS = ("owner", "idgov.io/owner", "app.kubernetes.io/owner", "team")


def is_list(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("items"), list)
            and any(isinstance(i, dict) and i.get("kind") == "ServiceAccount"
                    for i in data["items"]))


def _bindings(items: list[Any]) -> dict[str, list[str]]:
    """namespace/name -> role names bound to that ServiceAccount."""
    found: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict) or item.get("kind") not in {"ClusterRoleBinding",
                                                                  "RoleBinding"}:
            continue
        ref = item.get("roleRef") or {}
        meta = item.get("metadata") or {}
        scope = "cluster" if item["kind"] == "ClusterRoleBinding" else meta.get("namespace", "")
        role = f"{ref.get('kind', 'Role')}:{ref.get('name', '?')}@{scope}"
        for subject in item.get("subjects") or []:
            if isinstance(subject, dict) and subject.get("kind") == "ServiceAccount":
                key = f"{subject.get('namespace', '')}/{subject.get('name', '')}"
                found.setdefault(key, []).append(role)
    return found


def parse(data: dict[str, Any]) -> Iterator[ParsedRow]:
    items = data["items"]
    roles = _bindings(items)
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("kind") != "ServiceAccount":
            continue
        meta = item.get("metadata") or {}
        name, namespace = str(meta.get("name") or ""), str(meta.get("namespace") or "")
        if not name or not namespace:
            yield ParsedRow(number, error="metadata.name or metadata.namespace is missing")
            continue
        tags = {**(meta.get("labels") or {}), **(meta.get("annotations") or {})}
        owner = next((tags[k] for k in OWNER_KEYS if tags.get(k)), None)
        try:
            created = parse_date(meta.get("creationTimestamp"))
        except ValueError as exc:
            yield ParsedRow(number, error=f"creationTimestamp: {exc}")
            continue
        key = f"{namespace}/{name}"
        yield ParsedRow(number, record=IdentityRecord(
            platform="kubernetes", name=key, native_id=str(meta.get("uid") or key),
            type="workload_identity", owner=v.owner(owner), created=created,
            privileges=sorted(set(roles.get(key, []))),
            has_secret=bool(item.get("secrets")),
        ))
