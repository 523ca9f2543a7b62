"""The add-on image's install step, outside Docker: the built wheel in a fresh virtualenv."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import venv
from pathlib import Path

import aiohttp
import pytest

from tests.loopback import free_port, wait_healthy

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def installed_wheel(tmp_path: Path) -> Path:
    """The built wheel installed in a fresh virtualenv, as the Dockerfile does; its bin dir."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(tmp_path / "dist"),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = (tmp_path / "dist").glob("spotify_lcd-*.whl")
    venv.create(tmp_path / "venv", with_pip=True)
    python = tmp_path / "venv" / "bin" / "python"
    # Plus our lock, so the run is reproducible.
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-c",
            str(ROOT / "requirements" / "lock.txt"),
            str(wheel),
        ],
        check=True,
    )
    return tmp_path / "venv" / "bin"


async def test_the_wheel_installs_and_serves_the_demo(
    installed_wheel: Path, tmp_path: Path
) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        str(tmp_path / "venv" / "bin" / "spotify-lcd"),
        "serve",
        "--demo",
        "--port",
        str(port),
        "--store",
        str(tmp_path / "data"),
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
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
