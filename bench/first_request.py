"""The first `/get` for a Japanese title after a fresh start, against a bare aiohttp handler.

Each round starts `spotify-lcd serve` anew on a store holding one account whose (fake) Spotify
plays 夜に駆ける, waits until the poller has fetched it, then times the first `POST /get`
(v=2, then v=1) and a second one; the baseline is a freshly started bare handler answering
the same bytes. Prints min/median/max over the rounds and the ratios ours/bare.
Run: .venv/bin/python bench/first_request.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply
from tests.loopback import free_port, wait_healthy

from spotifylcd.account import Account
from spotifylcd.store import FileTokenStore

HERE = Path(__file__).parent
ROOT = HERE.parent
KEY = "bench-key"
TITLE = ("夜に駆ける", "YOASOBI", "THE BOOK")


def japanese_playback() -> dict[str, Any]:
    path = ROOT / "tests/fixtures/spotify/playback_state_track.json"
    state: dict[str, Any] = json.loads(path.read_text())
    title, artist, album = TITLE
    state["item"]["name"] = title
    state["item"]["artists"] = [{**state["item"]["artists"][0], "name": artist}]
    state["item"]["album"]["name"] = album
    return state


async def timed_post(url: str, data: dict[str, str]) -> tuple[float, bytes]:
    async with aiohttp.ClientSession() as session:
        started = time.perf_counter()
        async with session.post(f"{url}/get", data=data) as response:
            body = await response.read()
            assert response.status == 200, body
        return time.perf_counter() - started, body


async def ours(fake: FakeSpotify, spotify_url: str, store_dir: Path) -> dict[str, float]:
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        "SPOTIFY_LCD_API_URL": f"{spotify_url}/v1",
        "SPOTIFY_LCD_ACCOUNTS_URL": spotify_url,
    }
    polls = fake.calls["player"]
    process = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/spotify-lcd"),
            "serve",
            "--port",
            str(port),
            "--store",
            str(store_dir),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_healthy(url)
        async with asyncio.timeout(30):
            while fake.calls["player"] == polls:  # noqa: ASYNC110 - another process's poll
                await asyncio.sleep(0.01)
        # The poll's answer is shown once its dictionaries are read off the loop (~0.5 s).
        await asyncio.sleep(2.0)
        fields = {"uid": "bench", "key": KEY}
        first_v2, body = await timed_post(url, {**fields, "v": "2", "rom": "A00"})
        assert json.loads(body)["state"] == "playing", body
        first_v1, body = await timed_post(url, fields)
        assert json.loads(body)["song_title"] == "Yoru ni Kakeru", body
        second_v2, _ = await timed_post(url, {**fields, "v": "2", "rom": "A00"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    return {"first_v2": first_v2, "first_v1": first_v1, "second_v2": second_v2}


async def bare(body: bytes) -> float:
    port = free_port()
    url = f"http://localhost:{port}"
    process = subprocess.Popen(
        [sys.executable, str(HERE / "bare_server.py"), str(port), body.decode()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        await wait_healthy(url)
        seconds, _ = await timed_post(url, {"uid": "bench"})
    finally:
        process.terminate()
        process.wait(timeout=10)
    return seconds


def spread(values: list[float]) -> str:
    ms = [value * 1000 for value in values]
    return f"{min(ms):8.2f} {statistics.median(ms):8.2f} {max(ms):8.2f}"


async def main(rounds: int) -> None:
    fake = FakeSpotify()
    fake.player_default = Reply(200, japanese_playback())
    runner = web.AppRunner(fake.app())
    await runner.setup()
    spotify_port = free_port()
    await web.TCPSite(runner, "localhost", spotify_port).start()
    spotify_url = f"http://localhost:{spotify_port}"
    results: dict[str, list[float]] = {"first_v2": [], "first_v1": [], "second_v2": [], "bare": []}
    with tempfile.TemporaryDirectory() as work:
        store = FileTokenStore(Path(work))
        await store.put(
            Account(
                uid="bench",
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                access_token="access-0",
                refresh_token="refresh-0",
                expires_at=time.time() + 3600,
                device_key=KEY,
            )
        )
        for _ in range(rounds):
            for name, seconds in (await ours(fake, spotify_url, Path(work))).items():
                results[name].append(seconds)
            results["bare"].append(await bare(b'{"api_response":200}'))
    await runner.cleanup()
    print(f"first /get after a fresh start, Japanese title, {rounds} rounds (ms: min median max)")
    for name, label in (
        ("first_v2", "ours, first v=2 (A00)"),
        ("first_v1", "ours, then first v=1"),
        ("second_v2", "ours, second v=2"),
        ("bare", "bare aiohttp, first request"),
    ):
        print(f"  {label:30} {spread(results[name])}")
    ratios = [ours / base for ours, base in zip(results["first_v2"], results["bare"], strict=True)]
    low, middle, high = min(ratios), statistics.median(ratios), max(ratios)
    print(f"  {'ratio first v=2 / bare first':30} {low:8.2f} {middle:8.2f} {high:8.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    asyncio.run(main(parser.parse_args().rounds))
