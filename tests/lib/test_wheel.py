"""The add-on image's install line outside Docker: the index lacks the version, the release has it.

The Dockerfile's RUN line runs in a fresh virtualenv against a loopback index without
spotify-lcd, so the wheel comes from the (loopback) GitHub release download, as it will for
every release the package index does not have yet; then the installed command serves.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import venv
from pathlib import Path

import aiohttp
import pytest
from scripts.rehearsal_index import LoopbackReleases
from scripts.release_build import wheel_name
from scripts.release_rehearsal import PIP_SOURCES, REGISTRY, dockerfile_runs, installed, run

from spotifylcd import __version__
from tests.loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def addon_venv(tmp_path: Path) -> tuple[Path, str]:
    """A fresh virtualenv after the Dockerfile's RUN lines: its bin directory, the wheel's URL."""
    dist = tmp_path / "dist"
    await run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", dist, ROOT)
    venv.create(tmp_path / "venv", with_pip=True)
    releases = LoopbackReleases(dist, __version__, REGISTRY)
    await releases.start()
    arguments, runs = dockerfile_runs()
    env = {
        **{key: value for key, value in os.environ.items() if key not in PIP_SOURCES},
        **arguments,
        "BUILD_VERSION": __version__,
        "RELEASES": releases.releases_url,
        "PATH": f"{tmp_path / 'venv' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "PIP_INDEX_URL": releases.index_without_project_url,
        # Plus our lock, so the run is reproducible.
        "PIP_CONSTRAINT": str(ROOT / "requirements" / "lock.txt"),
    }
    try:
        for command in runs:
            await run("sh", "-ec", command, env=env, cwd=tmp_path)
    finally:
        await releases.stop()
    assert releases.requests[0] == "GET /index-without-spotify-lcd/simple/spotify-lcd/"
    return tmp_path / "venv" / "bin", f"{releases.release_url}/{wheel_name(__version__)}"


async def test_the_release_wheel_installs_and_serves_the_demo(
    addon_venv: tuple[Path, str], tmp_path: Path
) -> None:
    bin_dir, wheel_url = addon_venv
    assert await installed(bin_dir / "python", "spotify-lcd") == (__version__, wheel_url)
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(bin_dir / "spotify-lcd"),
        "serve",
        "--demo",
        "--port",
        str(port),
        "--store",
        str(tmp_path / "data"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://localhost:{port}"
    try:
        await wait_healthy(url, timeout=60)
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{url}/get", data={"uid": "demo"}) as response,
        ):
            body = await response.json()
        assert (response.status, body["api_response"]) == (200, 200)
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await process.communicate()
    assert process.returncode == 0, err.decode()
