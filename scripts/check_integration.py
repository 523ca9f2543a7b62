"""Validate the integration's metadata the way hassfest and HACS do, offline.

Checks manifest.json (keys, order, types), hacs.json (known keys, minimum HA, the release
zip), translations/en.json (JSON, strings only, no URLs, and every key the code uses
present), that no strings.json ships, and that every place the version is written agrees
with the library's. Exit 1 on any problem.
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
sys.path[:0] = [str(ROOT)]

from scripts.release_versions import version_problems  # noqa: E402

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
# The integration's files as HACS installs them, attached to every GitHub release.
RELEASE_ZIP = "spotify_lcd.zip"
URL = re.compile(r"https?://")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


def check_manifest(errors: list[str]) -> None:
    """manifest.json: hassfest's key order and required keys, and sane values."""
    manifest: dict[str, Any] = json.loads((INTEGRATION / "manifest.json").read_text())
    keys = list(manifest)
    if keys[:2] != ["domain", "name"] or keys[2:] != sorted(keys[2:]):
        errors.append("manifest.json: keys must be domain, name, then sorted alphabetically")
    if missing := MANIFEST_KEYS_REQUIRED - set(manifest):
        errors.append(f"manifest.json: missing {sorted(missing)}")
    checks = {
        "domain must equal the folder name": manifest.get("domain") == INTEGRATION.name,
        "codeowners must be @handles": all(
            isinstance(c, str) and c.startswith("@") for c in manifest.get("codeowners", [])
        ),
        "unknown iot_class": manifest.get("iot_class") in IOT_CLASSES,
        "unknown integration_type": manifest.get("integration_type") in INTEGRATION_TYPES,
        "config_flow must be true": manifest.get("config_flow") is True,
        "needs application_credentials and http": {"application_credentials", "http"}
        <= set(manifest.get("dependencies", [])),
        "version is not a valid version": AwesomeVersion(str(manifest.get("version"))).valid,
        "documentation and issue_tracker must be https URLs": all(
            str(manifest.get(key, "")).startswith("https://")
            for key in ("documentation", "issue_tracker")
        ),
    }
    errors.extend(f"manifest.json: {problem}" for problem, ok in checks.items() if not ok)


def check_hacs(errors: list[str]) -> None:
    """hacs.json: only keys HACS knows, and our minimum Home Assistant version."""
    hacs: dict[str, Any] = json.loads((ROOT / "hacs.json").read_text())
    if unknown := set(hacs) - HACS_KEYS:
        errors.append(f"hacs.json: unknown keys {sorted(unknown)}")
    if not isinstance(hacs.get("name"), str):
        errors.append("hacs.json: name must be a string")
    if AwesomeVersion(str(hacs.get("homeassistant"))) != AwesomeVersion("2025.4.0"):
        errors.append("hacs.json: homeassistant must be 2025.4.0 (the minimum we support)")
    if (hacs.get("zip_release"), hacs.get("filename")) != (True, RELEASE_ZIP):
        errors.append(
            f"hacs.json: zip_release must be true and filename {RELEASE_ZIP} (the release asset"
            " that carries the integration)"
        )


def _strings(node: object, path: str, errors: list[str]) -> dict[str, str]:
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
    """en.json: strings only, no URLs, and every key the code uses is there."""
    if (INTEGRATION / "strings.json").exists():
        errors.append("strings.json must not ship in a custom integration")
    document = json.loads((INTEGRATION / "translations" / "en.json").read_text())
    strings = _strings(document, "", errors)
    code = "\n".join(path.read_text() for path in INTEGRATION.glob("*.py"))
    exceptions = re.findall(r'translation_domain=DOMAIN,\s*translation_key="(\w+)"', code)
    errors.extend(
        f"en.json: exception {key!r} raised in code has no message"
        for key in exceptions
        if f"exceptions.{key}.message" not in strings
    )
    issues = re.findall(r'async_create_issue\([^)]*?translation_key="(\w+)"', code, re.DOTALL)
    errors.extend(
        f"en.json: issue {key!r} created in code has no title"
        for key in issues
        if f"issues.{key}.title" not in strings
    )
    entities = re.findall(r'__init__\((?:self, )?coordinator, "(\w+)"\)', code)
    errors.extend(
        f"en.json: entity {key!r} has no name"
        for key in entities
        if not {f"entity.sensor.{key}.name", f"entity.image.{key}.name"} & set(strings)
    )


def main() -> int:
    """Run every check; print the problems; exit 1 if there are any."""
    errors: list[str] = []
    check_manifest(errors)
    check_hacs(errors)
    check_translations(errors)
    errors.extend(version_problems())
    for error in errors:
        sys.stderr.write(f"{error}\n")
    sys.stdout.write(
        "integration metadata: " + ("OK\n" if not errors else f"{len(errors)} problem(s)\n")
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
