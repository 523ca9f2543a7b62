"""Validate the integration's metadata the way hassfest and HACS do, offline.

Checks manifest.json (keys, order, types, pinned requirement in step with the library),
hacs.json (known keys, minimum HA), translations/en.json (JSON, strings only, no URLs, and
every key the code uses present), and that no strings.json ships. Exit 1 on any problem.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from awesomeversion import AwesomeVersion

ROOT = Path(__file__).resolve().parent.parent
INTEGRATION = ROOT / "custom_components" / "spotify_lcd"
sys.path.insert(0, str(ROOT / "src"))

from spotifylcd import __version__  # noqa: E402

MANIFEST_KEYS_REQUIRED = {
    "domain",
    "name",
    "codeowners",
    "config_flow",
    "dependencies",
    "documentation",
    "integration_type",
    "iot_class",
    "issue_tracker",
    "requirements",
    "version",
}
IOT_CLASSES = {
    "assumed_state",
    "cloud_polling",
    "cloud_push",
    "local_polling",
    "local_push",
    "calculated",
}
INTEGRATION_TYPES = {
    "device",
    "entity",
    "hardware",
    "helper",
    "hub",
    "service",
    "system",
    "virtual",
}
HACS_KEYS = {
    "name",
    "content_in_root",
    "zip_release",
    "filename",
    "hide_default_branch",
    "country",
    "homeassistant",
    "render_readme",
    "hacs",
    "persistent_directory",
}
URL = re.compile(r"https?://")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def check_manifest(errors: list[str]) -> None:
    manifest: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        errors.append("manifest.json: keys must be domain, name, then sorted alphabetically")
    missing = MANIFEST_KEYS_REQUIRED - set(manifest)
    if missing:
        errors.append(f"manifest.json: missing {sorted(missing)}")
    if manifest.get("domain") != INTEGRATION.name:
        errors.append("manifest.json: domain must equal the folder name")
    if not all(isinstance(c, str) and c.startswith("@") for c in manifest.get("codeowners", [])):
        errors.append("manifest.json: codeowners must be @handles")
    if manifest.get("iot_class") not in IOT_CLASSES:
        errors.append("manifest.json: unknown iot_class")
    if manifest.get("integration_type") not in INTEGRATION_TYPES:
        errors.append("manifest.json: unknown integration_type")
    if manifest.get("config_flow") is not True:
        errors.append("manifest.json: config_flow must be true")
    if not {"application_credentials", "http"} <= set(manifest.get("dependencies", [])):
        errors.append("manifest.json: needs application_credentials and http")
    if manifest.get("requirements") != [f"spotify-lcd=={__version__}"]:
        errors.append(f"manifest.json: requirements must pin spotify-lcd=={__version__}")
    if not AwesomeVersion(str(manifest.get("version"))).valid:
        errors.append("manifest.json: version is not a valid version")
    for key in ("documentation", "issue_tracker"):
        if not str(manifest.get(key, "")).startswith("https://"):
            errors.append(f"manifest.json: {key} must be an https URL")


def check_hacs(errors: list[str]) -> None:
    hacs: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text())
    if unknown := set(hacs) - HACS_KEYS:
        errors.append(f"hacs.json: unknown keys {sorted(unknown)}")
    if not isinstance(hacs.get("name"), str):
        errors.append("hacs.json: name must be a string")
    if AwesomeVersion(str(hacs.get("homeassistant"))) != AwesomeVersion("2025.4.0"):
        errors.append("hacs.json: homeassistant must be 2025.4.0 (the minimum we support)")


def _strings(node: Any, path: str, errors: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    if isinstance(node, dict):
        for key, value in node.items():
            if not re.fullmatch(r"[a-z0-9_]+", key):
                errors.append(f"en.json: key {path}{key} is not snake_case")
            found |= _strings(value, f"{path}{key}.", errors)
    elif isinstance(node, str):
        if URL.search(node):
            errors.append(f"en.json: {path[:-1]} contains a URL; use a placeholder")
        if node.count("{") != node.count("}"):
            errors.append(f"en.json: {path[:-1]} has unbalanced braces")
        found[path[:-1]] = node
    else:
        errors.append(f"en.json: {path[:-1]} is {type(node).__name__}, not a string")
    return found


def check_translations(errors: list[str]) -> None:
    if (INTEGRATION / "strings.json").exists():
        errors.append("strings.json must not ship in a custom integration")
    strings = _strings(
        json.loads((INTEGRATION / "translations" / "en.json").read_text()), "", errors
    )
    code = "\n".join(path.read_text() for path in INTEGRATION.glob("*.py"))
    for key in re.findall(r'translation_domain=DOMAIN,\s*translation_key="(\w+)"', code):
        if f"exceptions.{key}.message" not in strings:
            errors.append(f"en.json: exception {key!r} raised in code has no message")
    for key in re.findall(r'async_create_issue\([^)]*?translation_key="(\w+)"', code, re.DOTALL):
        if f"issues.{key}.title" not in strings:
            errors.append(f"en.json: issue {key!r} created in code has no title")
    for key in re.findall(r'__init__\((?:self, )?coordinator, "(\w+)"\)', code):
        if f"entity.sensor.{key}.name" not in strings and f"entity.image.{key}.name" not in strings:
            errors.append(f"en.json: entity {key!r} has no name")


def main() -> int:
    errors: list[str] = []
    check_manifest(errors)
    check_hacs(errors)
    check_translations(errors)
    for error in errors:
        sys.stderr.write(f"{error}\n")
    sys.stdout.write(
        "integration metadata: " + ("OK\n" if not errors else f"{len(errors)} problem(s)\n")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
