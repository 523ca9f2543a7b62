"""One version: the places that carry it agree, disagreement is named, set-version rewrites all."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from scripts.release_versions import (
    ADDON_CHANGELOG,
    CHANGELOG,
    DERIVED_SITES,
    DOCKERFILE,
    SOURCE,
    released_versions,
    set_version,
    source_version,
    version_problems,
)

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = "custom_components/spotify_lcd/manifest.json"


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of every file that carries the version, laid out as in the repository."""
    for path in {SOURCE, CHANGELOG, ADDON_CHANGELOG, DOCKERFILE, *(s.path for s in DERIVED_SITES)}:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    return tmp_path


def edit(tree: Path, path: str, old: str, new: str) -> None:
    text = (tree / path).read_text()
    assert old in text
    (tree / path).write_text(text.replace(old, new, 1))


def test_the_repository_agrees_with_itself() -> None:
    assert version_problems(ROOT) == []


@pytest.mark.parametrize(
    ("path", "old", "new", "problem"),
    [
        (MANIFEST, '"version": "{v}"', '"version": "9.9.9"', f'{MANIFEST}: "version" is 9.9.9'),
        (
            MANIFEST,
            '"spotify-lcd=={v}"',
            '"spotify-lcd==9.9.9"',
            f"{MANIFEST}: the spotify-lcd requirement is 9.9.9",
        ),
        ("addon/config.yaml", 'version: "{v}"', 'version: "9.9.9"', "addon/config.yaml: version"),
        (CHANGELOG, "## [{v}]", "## [9.9.9]", f"{CHANGELOG}: the latest release entry is 9.9.9"),
        (ADDON_CHANGELOG, "## [Unreleased]", "## Next", f"{ADDON_CHANGELOG}: must be a copy"),
        (DOCKERFILE, "spotify-lcd==${{BUILD_VERSION}}", "spotify-lcd=={v}", f"{DOCKERFILE}: must"),
    ],
)
def test_a_place_that_disagrees_is_named_with_the_fix(
    tree: Path, path: str, old: str, new: str, problem: str
) -> None:
    version = source_version(tree)
    edit(tree, path, old.format(v=version), new.format(v=version))
    if path == CHANGELOG:
        shutil.copy(tree / CHANGELOG, tree / ADDON_CHANGELOG)
    (line,) = version_problems(tree)
    assert line.startswith(problem)


def test_an_empty_release_entry_is_refused(tree: Path) -> None:
    changelog = (tree / CHANGELOG).read_text()
    version = source_version(tree)
    entry = changelog[changelog.index(f"## [{version}]") :]
    body = entry.split("\n", 1)[1].split("\n## ", 1)[0]
    edit(tree, CHANGELOG, body, "\n")
    shutil.copy(tree / CHANGELOG, tree / ADDON_CHANGELOG)
    assert version_problems(tree) == [
        f"{CHANGELOG}: the {version} entry is empty: say what changed"
    ]


def test_set_version_rewrites_every_place_and_releases_the_changelog(tree: Path) -> None:
    before = source_version(tree)
    edit(tree, CHANGELOG, "## [Unreleased]\n", "## [Unreleased]\n\n### Fixed\n- Something.\n")
    changed = set_version("7.8.9", tree, today=dt.date(2027, 1, 2))
    assert set(changed) == {
        SOURCE,
        MANIFEST,
        "addon/config.yaml",
        CHANGELOG,
        ADDON_CHANGELOG,
        "esphome/packages/base.yaml",
        "esphome/spotify-lcd.yaml",
        "esphome/spotify-lcd-gpio.yaml",
        "esphome/spotify-lcd-ha.yaml",
    }
    device = (tree / "esphome/spotify-lcd-ha.yaml").read_text()
    # Every pinned package line, the commented-out optional ones too.
    assert "@v7.8.9" in device
    assert f"@v{before}" not in device
    assert version_problems(tree) == []
    changelog = (tree / CHANGELOG).read_text()
    assert released_versions(changelog)[:2] == ["7.8.9", before]
    assert "## [Unreleased]\n\n## [7.8.9] - 2027-01-02\n\n### Fixed\n- Something.\n" in changelog
    assert (
        "[unreleased]: https://github.com/spotify-lcd/spotify-lcd/compare/v7.8.9...HEAD\n"
        f"[7.8.9]: https://github.com/spotify-lcd/spotify-lcd/compare/v{before}...v7.8.9\n"
    ) in changelog
    assert set_version("7.8.9", tree) == []


def test_set_version_refuses_what_is_not_a_release_version() -> None:
    result = subprocess.run(
        [ROOT / "scripts" / "set-version", "1.2"], capture_output=True, text=True, check=False
    )
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "usage: scripts/set-version X.Y.Z (three numbers, e.g. 0.3.0)\n"
