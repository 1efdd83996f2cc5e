"""Build the Teams app package: manifest.json + color.png + outline.png in one zip.

The sources live in `manifest/teams/`; the app id (the Azure bot's Microsoft App ID) is
filled in here, and the result is validated against Microsoft's manifest schema (a vendored
copy, see `manifest/teams/schema/README.md`) before anything is written, so an admin never
uploads a package the Developer Portal would reject for its shape.
"""

from __future__ import annotations

import json
import re
import tempfile
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SOURCE_DIR = Path(__file__).resolve().parents[2] / "manifest" / "teams"
SCHEMA_PATH = SOURCE_DIR / "schema" / "MicrosoftTeams.schema.json"
ICONS = {"color.png": (192, 192), "outline.png": (32, 32)}

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")


class PackageError(ValueError):
    """Bad app id or URL, missing source file, or a manifest the schema rejects (one line)."""


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (no imaging library needed at runtime)."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise PackageError("icon is not a PNG file")
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _schema_errors(manifest: dict[str, Any]) -> list[str]:
    from jsonschema import Draft4Validator, FormatChecker

    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    validator = Draft4Validator(schema, format_checker=FormatChecker())
    errors = sorted(validator.iter_errors(manifest), key=lambda e: list(e.absolute_path))
    found = [f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors]
    # draft-04 has no "const": check the schema version ourselves.
    wanted = schema["properties"]["manifestVersion"].get("const")
    if wanted and manifest.get("manifestVersion") != wanted:
        found.append(f"manifestVersion: must be {wanted!r} for the vendored schema")
    return found


def validate_manifest(manifest: dict[str, Any]) -> None:
    errors = _schema_errors(manifest)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PackageError(f"Teams manifest is invalid: {errors[0]}{more}")


def render_manifest(app_id: str, base_url: str | None = None) -> dict[str, Any]:
    """The shipped manifest with the app id (and optionally the bot's public host) filled in."""
    app_id = app_id.strip()
    if not _GUID.match(app_id):
        raise PackageError(f"--app-id must be the bot's Microsoft App ID (a GUID), got {app_id!r}")
    try:
        manifest: dict[str, Any] = json.loads((SOURCE_DIR / "manifest.json").read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PackageError(f"cannot read {SOURCE_DIR / 'manifest.json'}: {exc}") from None
    manifest["id"] = app_id
    for bot in manifest.get("bots", []):
        bot["botId"] = app_id
    if base_url:
        parts = urlsplit(base_url.strip())
        if parts.scheme != "https" or not parts.hostname:
            raise PackageError(f"--url must be an https URL such as https://idgov.example.com, "
                               f"got {base_url!r}")
        root = f"https://{parts.netloc}{parts.path.rstrip('/')}"
        manifest["developer"]["websiteUrl"] = root
        manifest["developer"]["privacyUrl"] = f"{root}/idgov/privacy"  # bot.legal serves
        manifest["developer"]["termsOfUseUrl"] = f"{root}/idgov/terms"  # both pages
        manifest["validDomains"] = [parts.hostname]
    return manifest


def build_package(app_id: str, out: Path, base_url: str | None = None) -> Path:
    """Write the zip Teams' Developer Portal accepts; returns its path. Raises PackageError."""
    manifest = render_manifest(app_id, base_url)
    validate_manifest(manifest)
    icons: dict[str, bytes] = {}
    for name, size in ICONS.items():
        try:
            icons[name] = (SOURCE_DIR / name).read_bytes()
        except OSError as exc:
            raise PackageError(f"missing icon {SOURCE_DIR / name}: {exc.strerror}") from None
        if png_size(icons[name]) != size:
            raise PackageError(f"{name} must be {size[0]}x{size[1]} pixels")
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise PackageError(f"--out must name a .zip file, got {str(out)!r}")
    out.parent.mkdir(parents=True, exist_ok=True)
    # Write beside the target and rename, so a failed write never leaves half a package.
    with (tempfile.NamedTemporaryFile(dir=out.parent, suffix=".zip.tmp", delete=False) as tmp,
          zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zf):
        zf.writestr("manifest.json", json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in icons.items():
            zf.writestr(name, data)
    Path(tmp.name).replace(out)
    return out
