"""The Home Assistant add-on: its config against the linter's schema, its start script, its UI."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
import yaml
from scripts.release_rehearsal import dockerfile_runs

from spotifylcd.addon import AddonOptions, OptionsError
from tests.loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]
ADDON = ROOT / "addon"
SCHEMA = ROOT / "tests" / "fixtures" / "addon-linter" / "config.schema.json"
RUN = ADDON / "rootfs" / "etc" / "s6-overlay" / "s6-rc.d" / "spotify-lcd" / "run"


def addon_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((ADDON / "config.yaml").read_text())
    return config


def test_config_validates_against_the_linter_schema() -> None:
    jsonschema.validate(addon_config(), json.loads(SCHEMA.read_text()))


def test_no_key_is_set_to_its_default() -> None:
    properties = json.loads(SCHEMA.read_text())["properties"]
    defaults = [
        key
        for key, value in addon_config().items()
        if properties.get(key, {}).get("default", object()) == value
    ]
    assert defaults == []


def test_config_is_what_the_issue_asks_for() -> None:
    config = addon_config()
    assert config["arch"] == ["aarch64", "amd64"]
    assert (config["init"], config["ingress"], config["ports"]) == (False, True, {"5000/tcp": 5000})
    assert "watchdog" not in config  # deprecated: the image has a HEALTHCHECK instead
    assert config["schema"]["mongodb_uri"] == "password?"
    assert set(config["options"]) == set(config["schema"])
    from spotifylcd import __version__  # noqa: PLC0415

    assert config["version"] == __version__
    dockerfile = (ADDON / "Dockerfile").read_text()
    # The Supervisor sets BUILD_VERSION from config.yaml's version; nothing else may pin it.
    assert "ARG BUILD_VERSION\n" in dockerfile
    assert "HEALTHCHECK" in dockerfile
    assert "ARG BUILD_FROM=" in dockerfile
    for name in (
        "DOCS.md",
        "CHANGELOG.md",
        "icon.png",
        "logo.png",
        "apparmor.txt",
        "translations/en.yaml",
    ):
        assert (ADDON / name).is_file(), name
    translations = yaml.safe_load((ADDON / "translations" / "en.yaml").read_text())
    assert set(translations["configuration"]) == set(config["options"])


@pytest.mark.parametrize(
    ("options", "argv_part"),
    [
        (
            {"mongodb_uri": "", "poll_interval": 5, "log_level": "info", "legacy_keyless": False},
            ["--store", "/data"],
        ),
        (
            {
                "mongodb_uri": "mongodb://db:27017",
                "poll_interval": 10,
                "log_level": "debug",
                "legacy_keyless": True,
            },
            ["--store", "mongodb://db:27017"],
        ),
    ],
)
def test_options_become_serve_arguments(options: dict[str, Any], argv_part: list[str]) -> None:
    argv = AddonOptions.parse(options).serve_argv(
        data_dir="/data", port=5000, admin_port=8099, trust="172.30.32.2"
    )
    assert argv[:3] == [
        "--log-level",
        "DEBUG" if options["log_level"] == "debug" else "INFO",
        "serve",
    ]
    joined = " ".join(argv)
    assert " ".join(argv_part) in joined
    assert "--port 5000" in joined
    assert "--admin-port 8099 --admin-trust 172.30.32.2" in joined
    assert ("--keyless-links" in argv) is options["legacy_keyless"]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ([], "JSON object"),
        ({"mongodb_uri": "http://db"}, "mongodb_uri"),
        ({"poll_interval": 1}, "poll_interval"),
        ({"poll_interval": "fast"}, "poll_interval"),
        ({"poll_interval": True}, "poll_interval"),
        ({"log_level": "loud"}, "log_level"),
        ({"legacy_keyless": "yes"}, "legacy_keyless"),
    ],
)
def test_bad_options_are_named(options: object, message: str) -> None:
    with pytest.raises(OptionsError, match=message):
        AddonOptions.parse(options)


def test_the_image_build_without_build_version_stops_with_a_clear_line(tmp_path: Path) -> None:
    _, runs = dockerfile_runs()
    # pip3 must not be reached: a stand-in that would fail the assertion below if it were.
    (tmp_path / "pip3").write_text("#!/bin/sh\necho pip3 ran\n")
    (tmp_path / "pip3").chmod(0o755)
    result = subprocess.run(
        ["/bin/sh", "-ec", runs[0]],
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}", "BUILD_VERSION": ""},
        capture_output=True,
        text=True,
        check=False,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "BUILD_VERSION is not set: build with --build-arg BUILD_VERSION=<config.yaml version>\n"
    )


async def run_script(
    tmp_path: Path, options: object | None
) -> tuple[asyncio.subprocess.Process, dict[str, str]]:
    """Run the s6 `run` script; `options` None means no options file at all."""
    options_file = tmp_path / "options.json"
    if options is not None:
        options_file.write_text(json.dumps(options))
    env = {
        **os.environ,
        # `python3` in the image is the one with spotify-lcd installed; here, this venv's.
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "SPOTIFY_LCD_OPTIONS": str(options_file),
        "SPOTIFY_LCD_DATA": str(tmp_path / "data"),
        "SPOTIFY_LCD_PORT": str(free_port()),
        "SPOTIFY_LCD_ADMIN_PORT": str(free_port()),
        "SPOTIFY_LCD_ADMIN_TRUST": "127.0.0.1",
    }
    process = await asyncio.create_subprocess_exec(
        "sh", str(RUN), env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    return process, env


async def test_start_script_runs_the_server_and_its_ui(tmp_path: Path) -> None:
    options = {"mongodb_uri": "", "poll_interval": 5, "log_level": "info", "legacy_keyless": False}
    process, env = await run_script(tmp_path, options)
    get_url = f"http://localhost:{env['SPOTIFY_LCD_PORT']}"
    admin_url = f"http://localhost:{env['SPOTIFY_LCD_ADMIN_PORT']}"
    try:
        await wait_healthy(get_url)
        async with aiohttp.ClientSession() as session:
            async with session.post(f"{get_url}/get", data={"uid": "esp32"}) as response:
                assert (response.status, (await response.json())["error"]) == (404, "unknown_uid")
            async with session.get(f"{admin_url}/") as response:
                assert response.status == 200
                assert "Link a Spotify account" in await response.text()
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
    assert process.returncode == 0, err.decode()


async def test_bad_options_stop_the_start_script_with_a_clear_line(tmp_path: Path) -> None:
    process, _ = await run_script(tmp_path, {"poll_interval": "fast"})
    _, err = await process.communicate()
    assert process.returncode == 2
    assert err.decode().startswith("spotify-lcd add-on: cannot start: poll_interval must be")


async def test_without_an_options_file_the_defaults_apply(tmp_path: Path) -> None:
    process, env = await run_script(tmp_path, None)
    try:
        await wait_healthy(f"http://localhost:{env['SPOTIFY_LCD_PORT']}")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
    assert "using the default options" in err.decode()
