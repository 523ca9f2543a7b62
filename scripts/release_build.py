"""Build what a release ships: the sdist and wheel, and the integration's HACS zip.

The zip holds custom_components/spotify_lcd's files at its root (HACS's zip_release unpacks it
into custom_components/spotify_lcd). Its manifest requires `spotify-lcd==X` from the package
index, or with --requirement-url the wheel attached to the GitHub release, in the URL form
Home Assistant still accepts, `URL#spotify-lcd==X`: it checks the version after `#` (a bare
`spotify-lcd @ URL` would count any installed version as satisfied and never upgrade).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import venv
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from scripts.release_versions import source_version  # noqa: E402

INTEGRATION = ROOT / "custom_components" / "spotify_lcd"
RELEASE_PINS = ROOT / "requirements" / "release.txt"
ZIP_NAME = "spotify_lcd.zip"
# Fixed timestamps: the same tree always gives the same zip.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name(version: str) -> str:
    """The file name of the library's (pure Python) wheel at `version`."""
    return f"spotify_lcd-{version}-py3-none-any.whl"


def requirement(version: str, requirement_url: str | None) -> str:
    """The manifest's requirement: from the index, or the release's wheel at `requirement_url`."""
    if requirement_url is None:
        return f"spotify-lcd=={version}"
    return f"{requirement_url.rstrip('/')}/{wheel_name(version)}#spotify-lcd=={version}"


def build_distributions(dist: Path) -> list[Path]:
    """The sdist and the wheel built from it, with the pinned `build` in a throwaway venv."""
    with tempfile.TemporaryDirectory(prefix="spotify-lcd-build-") as work:
        venv.create(work, with_pip=True)
        python = str(Path(work) / "bin" / "python")
        subprocess.run(
            [python, "-m", "pip", "install", "--quiet", "-c", str(RELEASE_PINS), "build"],
            check=True,
        )
        subprocess.run(
            [python, "-m", "build", "--sdist", "--wheel", "--outdir", str(dist), str(ROOT)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return sorted(dist.glob("spotify_lcd-*"))


def build_integration_zip(zip_path: Path, manifest_requirement: str) -> None:
    """The integration's files at the zip's root, the manifest requiring `manifest_requirement`."""
    manifest = json.loads((INTEGRATION / "manifest.json").read_text(encoding="utf-8"))
    manifest["requirements"] = [manifest_requirement]
    files = sorted(
        path
        for path in INTEGRATION.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name != "manifest.json"
    )
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(path.relative_to(INTEGRATION).as_posix(), ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
        info = zipfile.ZipInfo("manifest.json", ZIP_DATE)
        info.compress_type = zipfile.ZIP_DEFLATED
        archive.writestr(info, json.dumps(manifest, indent=2) + "\n")


def main(argv: list[str]) -> int:
    """Build into --dist (dist/ by default) and say what was built."""
    parser = argparse.ArgumentParser(prog="scripts/build-release", description=__doc__)
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output directory")
    parser.add_argument(
        "--requirement-url",
        metavar="BASE",
        help="the zip requires the wheel at BASE/<wheel> (the release's download URL)"
        " instead of spotify-lcd==X from the package index",
    )
    parser.add_argument("--zip-only", action="store_true", help="build only the integration's zip")
    args = parser.parse_args(argv)
    version = source_version()
    dist: Path = args.dist
    dist.mkdir(parents=True, exist_ok=True)
    if not args.zip_only:
        for stale in dist.glob("spotify_lcd-*"):
            stale.unlink()
        built = build_distributions(dist)
        expected = {wheel_name(version), f"spotify_lcd-{version}.tar.gz"}
        if {path.name for path in built} != expected:
            sys.stderr.write(f"build-release: built {[p.name for p in built]}, not {expected}\n")
            return 1
    manifest_requirement = requirement(version, args.requirement_url)
    build_integration_zip(dist / ZIP_NAME, manifest_requirement)
    for path in sorted(dist.glob("spotify_lcd*")):
        print(f"{path} ({path.stat().st_size} bytes)")
    print(f"{ZIP_NAME} requires {manifest_requirement}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
