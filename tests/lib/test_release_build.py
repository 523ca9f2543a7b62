"""The HACS release zip: the integration's files at its root, the requirement in either form."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from urllib.parse import urlparse

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from scripts.release_build import INTEGRATION, build_integration_zip, requirement, wheel_name

from spotifylcd import __version__

RELEASE = f"https://github.com/spotify-lcd/spotify-lcd/releases/download/v{__version__}"


def test_the_zip_holds_the_integration_at_its_root(tmp_path: Path) -> None:
    zip_path = tmp_path / "spotify_lcd.zip"
    build_integration_zip(zip_path, requirement(__version__, None))
    expected = {
        path.relative_to(INTEGRATION).as_posix()
        for path in INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    with zipfile.ZipFile(zip_path) as archive:
        assert set(archive.namelist()) == expected
        assert {"manifest.json", "__init__.py", "translations/en.json"} <= expected
        manifest = json.loads(archive.read("manifest.json"))
    source = json.loads((INTEGRATION / "manifest.json").read_text())
    assert manifest == source  # the index form is the repository's own manifest


def test_the_same_tree_gives_the_same_zip(tmp_path: Path) -> None:
    build_integration_zip(tmp_path / "a.zip", requirement(__version__, RELEASE))
    build_integration_zip(tmp_path / "b.zip", requirement(__version__, RELEASE))
    assert (tmp_path / "a.zip").read_bytes() == (tmp_path / "b.zip").read_bytes()


@pytest.mark.parametrize("base", [RELEASE, f"{RELEASE}/"])
def test_the_release_url_form_names_the_wheel_and_its_version(tmp_path: Path, base: str) -> None:
    zip_path = tmp_path / "spotify_lcd.zip"
    build_integration_zip(zip_path, requirement(__version__, base))
    with zipfile.ZipFile(zip_path) as archive:
        (required,) = json.loads(archive.read("manifest.json"))["requirements"]
    assert required == f"{RELEASE}/{wheel_name(__version__)}#spotify-lcd=={__version__}"
    # Home Assistant's is_installed: not a PEP 508 requirement, so it reads the fragment and
    # compares the installed version with it (a new release's zip asks for an upgrade).
    with pytest.raises(InvalidRequirement):
        Requirement(required)
    fragment = Requirement(urlparse(required).fragment)
    assert (fragment.name, str(fragment.specifier)) == ("spotify-lcd", f"=={__version__}")
    assert fragment.specifier.contains(__version__)
    assert not fragment.specifier.contains("0.0.1")
