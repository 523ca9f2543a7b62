"""A user's path with real processes: `link` an account, `serve` it, a display asks `/get`.

Spotify is the fake server addressed as `localhost`, as Spotify is addressed by name: a broken
resolver (aiodns against an incompatible pycares, say) fails here.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import aiohttp

from spotifylcd.spotify import SpotifyEndpoints
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply
from tests.loopback import free_port, wait_healthy

type Fake = tuple[FakeSpotify, SpotifyEndpoints]


async def run(*args: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spotifylcd",
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_link_then_serve_then_a_display_reads_the_track(
    fake_spotify: Fake, tmp_path: Path, track_state: dict[str, Any]
) -> None:
    fake, endpoints = fake_spotify
    assert endpoints.api_url.startswith("http://localhost:")
    fake.player_default = Reply(200, track_state)
    store = str(tmp_path / "data")
    code, _, err = await run(
        "link",
        "--uid",
        "kitchen",
        "--client-id",
        CLIENT_ID,
        "--client-secret",
        CLIENT_SECRET,
        "--refresh-token",
        "refresh-0",
        "--store",
        store,
    )
    assert code == 0, err
    key = (await FileTokenStore(store).get("kitchen")).device_key
    assert key
    port = free_port()
    url = f"http://localhost:{port}"
    server = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "spotifylcd",
        "serve",
        "--port",
        str(port),
        "--store",
        store,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
        env=dict(os.environ),
    )
    try:
        await wait_healthy(url)
        async with aiohttp.ClientSession() as session, asyncio.timeout(20):
            body: dict[str, Any] = {}
            # The first answer may come before the poller's first call returns.
            while body.get("api_response") != 200:
                async with session.post(f"{url}/get", data={"uid": "kitchen", "key": key}) as r:
                    assert r.status == 200
                    body = json.loads(await r.text())
                await asyncio.sleep(0.05)
    finally:
        server.send_signal(signal.SIGTERM)
        _, server_err = await server.communicate()
    assert (body["song_title"], body["artist_string"], body["status"]) == (
        "Paparazzi",
        "Lady Gaga",
        True,
    )
    assert fake.calls["token"] == 1
    assert fake.calls["player"] >= 1
    assert "Traceback" not in server_err.decode()
