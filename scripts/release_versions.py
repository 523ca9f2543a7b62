"""Every place the project's version is written, checked against and rewritten from one source.

The one source is `__version__` in src/spotifylcd/__init__.py (hatch reads it for the wheel).
The integration's manifest, the add-on's config.yaml (the Supervisor passes it to the
Dockerfile as BUILD_VERSION) and CHANGELOG.md (mirrored as the add-on's changelog) follow it.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "src/spotifylcd/__init__.py"
CHANGELOG = "CHANGELOG.md"
ADDON_CHANGELOG = "addon/CHANGELOG.md"
DOCKERFILE = "addon/Dockerfile"
REPOSITORY = "https://github.com/spotify-lcd/spotify-lcd"
RELEASE_VERSION = re.compile(r"\d+\.\d+\.\d+")
# The add-on image installs the library at the version the Supervisor builds it for.
DOCKERFILE_REQUIREMENT = 'spotify-lcd==${BUILD_VERSION}"'
RELEASE_HEADING = re.compile(r"^## \[(?P<version>[^\]]+)\] - \d{4}-\d{2}-\d{2}$", re.MULTILINE)


@dataclass(frozen=True)
class Site:
    """A version written in a file: where, and the pattern whose one group is the version."""

    path: str
    what: str
    pattern: re.Pattern[str]

    def read(self, root: Path) -> str | None:
        """The version written here (every occurrence, joined when they differ), or None."""
        found = dict.fromkeys(self.pattern.findall((root / self.path).read_text(encoding="utf-8")))
        return " / ".join(found) if found else None

    def write(self, root: Path, version: str) -> bool:
        """Write `version` here; whether the file changed."""
        file = root / self.path
        text = file.read_text(encoding="utf-8")
        if self.pattern.search(text) is None:
            raise SystemExit(f"{self.path}: no {self.what} to set")
        new = self.pattern.sub(
            lambda match: (
                match[0][: match.start(1) - match.start(0)]
                + version
                + match[0][match.end(1) - match.start(0) :]
            ),
            text,
        )
        file.write_text(new, encoding="utf-8")
        return new != text


SOURCE_SITE = Site(SOURCE, "__version__", re.compile(r'^__version__ = "([^"]*)"$', re.MULTILINE))
DERIVED_SITES = (
    Site(
        "custom_components/spotify_lcd/manifest.json",
        '"version"',
        re.compile(r'^  "version": "([^"]*)"', re.MULTILINE),
    ),
    Site(
        "custom_components/spotify_lcd/manifest.json",
        "the spotify-lcd requirement",
        re.compile(r'"spotify-lcd==([^"]*)"'),
    ),
    Site("addon/config.yaml", "version", re.compile(r'^version: "([^"]*)"$', re.MULTILINE)),
    # The firmware's remote package and component are pinned to the release's tag.
    Site("esphome/packages/base.yaml", "ref", re.compile(r"^\s+ref: v(\S+)$", re.MULTILINE)),
    *(
        Site(f"esphome/{device}", what, pattern)
        for device in ("spotify-lcd.yaml", "spotify-lcd-gpio.yaml", "spotify-lcd-ha.yaml")
        for what, pattern in (
            ("the guide's tag", re.compile(r"/tree/v([^/]+)/esphome")),
            ("the packages' tag", re.compile(r"\.yaml@v(\S+)$", re.MULTILINE)),
        )
    ),
)


def source_version(root: Path = ROOT) -> str:
    """The project's version, from its one source."""
    version = SOURCE_SITE.read(root)
    if version is None:
        raise SystemExit(f"{SOURCE}: no __version__ line")
    return version


def released_versions(changelog: str) -> list[str]:
    """The versions with a release entry in a Keep a Changelog file, newest first."""
    return [match["version"] for match in RELEASE_HEADING.finditer(changelog)]


def _entry(changelog: str, version: str) -> str:
    """The text of one release's entry, between its heading and the next heading or links."""
    start = changelog.index(f"## [{version}]")
    body = changelog[start:].split("\n", 1)[1]
    return re.split(r"^## |^\[", body, maxsplit=1, flags=re.MULTILINE)[0].strip()


def version_problems(root: Path = ROOT) -> list[str]:
    """One line per place that disagrees with the source version, saying how to fix it."""
    version = source_version(root)
    fix = f"run scripts/set-version {version}"
    problems = []
    for site in DERIVED_SITES:
        found = site.read(root)
        if found != version:
            problems.append(
                f"{site.path}: {site.what} is {found or 'missing'}, but {SOURCE} says"
                f" {version}: {fix}"
            )
    changelog = (root / CHANGELOG).read_text(encoding="utf-8")
    released = released_versions(changelog)
    if not released or released[0] != version:
        latest = released[0] if released else "missing"
        problems.append(f"{CHANGELOG}: the latest release entry is {latest}, not {version}: {fix}")
    elif not _entry(changelog, version):
        problems.append(f"{CHANGELOG}: the {version} entry is empty: say what changed")
    if f"[{version}]: {REPOSITORY}/" not in changelog:
        problems.append(f"{CHANGELOG}: no link for [{version}] at the end: {fix}")
    if (root / ADDON_CHANGELOG).read_text(encoding="utf-8") != changelog:
        problems.append(f"{ADDON_CHANGELOG}: must be a copy of {CHANGELOG}: {fix}")
    dockerfile = (root / DOCKERFILE).read_text(encoding="utf-8")
    if DOCKERFILE_REQUIREMENT not in dockerfile or re.search(r"spotify-lcd==\d", dockerfile):
        problems.append(
            f"{DOCKERFILE}: must install spotify-lcd==${{BUILD_VERSION}} (the version the"
            " Supervisor builds the add-on for), never a written version"
        )
    return problems


def _release_changelog(changelog: str, version: str, today: dt.date) -> str:
    """The changelog with what is unreleased released as `version` today, and its links."""
    if version in released_versions(changelog):
        return changelog
    previous = released_versions(changelog)
    unreleased = "## [Unreleased]\n"
    if unreleased not in changelog:
        raise SystemExit(f"{CHANGELOG}: no '## [Unreleased]' heading to release from")
    changelog = changelog.replace(
        unreleased, f"{unreleased}\n## [{version}] - {today.isoformat()}\n", 1
    )
    links = f"[{version}]: " + (
        f"{REPOSITORY}/compare/v{previous[0]}...v{version}"
        if previous
        else f"{REPOSITORY}/releases/tag/v{version}"
    )
    changelog = re.sub(
        r"^\[unreleased\]: .*$",
        f"[unreleased]: {REPOSITORY}/compare/v{version}...HEAD\n{links}",
        changelog,
        count=1,
        flags=re.MULTILINE | re.IGNORECASE,
    )
    return re.sub(r"\n{3,}", "\n\n", changelog)


def set_version(version: str, root: Path = ROOT, today: dt.date | None = None) -> list[str]:
    """Write `version` everywhere it is written; the files that changed."""
    changed = [site.path for site in (SOURCE_SITE, *DERIVED_SITES) if site.write(root, version)]
    changelog_file = root / CHANGELOG
    changelog = changelog_file.read_text(encoding="utf-8")
    released = _release_changelog(changelog, version, today or dt.datetime.now(dt.UTC).date())
    if released != changelog:
        changelog_file.write_text(released, encoding="utf-8")
        changed.append(CHANGELOG)
    addon_changelog = root / ADDON_CHANGELOG
    if addon_changelog.read_text(encoding="utf-8") != released:
        addon_changelog.write_text(released, encoding="utf-8")
        changed.append(ADDON_CHANGELOG)
    return list(dict.fromkeys(changed))


def main(argv: list[str]) -> int:
    """`set-version X.Y.Z`: write the version everywhere, then show what still needs a hand."""
    if len(argv) != 1 or not RELEASE_VERSION.fullmatch(argv[0]):
        sys.stderr.write("usage: scripts/set-version X.Y.Z (three numbers, e.g. 0.3.0)\n")
        return 2
    for path in set_version(argv[0]):
        print(f"updated {path}")
    print(f"version {argv[0]}: write its changes under '## [{argv[0]}]' in {CHANGELOG}")
    for problem in version_problems():
        print(f"still to do: {problem}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
