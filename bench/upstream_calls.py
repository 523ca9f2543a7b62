"""Spotify calls per minute for one account polled by 1 display vs 50 displays at 1 Hz.

Both accounts are served by one `spotify-lcd serve` process at the same time, against the
fake Spotify on loopback playing 45-second tracks back to back (so track ends happen within
the minute). DESIGN section 4 wants the two counts equal and at most 13 per minute while
playing. The server runs with --poll-jitter 0 (the default 0.1 spreads accounts apart at
random, which makes two counts differ by a call at the window's edges whatever the displays
do); --jitter puts it back. Run: .venv/bin/python bench/upstream_calls.py [--seconds 60]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply, track_playing
from tests.loopback import free_port, wait_healthy

from spotifylcd.account import Account
from spotifylcd.store import FileTokenStore

TRACK_SECONDS = 45.0


def playing_script(started: float) -> Reply:
    elapsed = time.monotonic() - started
    track, offset = divmod(elapsed, TRACK_SECONDS)
    return Reply(200, track_playing(f"Track {int(track)}", offset, TRACK_SECONDS))


async def display(session: aiohttp.ClientSession, url: str, uid: str, until: float) -> int:
    answered = 0
    while time.monotonic() < until:
        async with session.post(f"{url}/get", data={"uid": uid, "key": f"key-{uid}"}) as response:
            body = await response.json()
            answered += body.get("api_response") == 200
        await asyncio.sleep(1.0)
    return answered


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--jitter", type=float, default=0.0, help="serve --poll-jitter")
    args = parser.parse_args()

    fake = FakeSpotify()
    started = time.monotonic()
    fake.player_script = lambda: playing_script(started)
    fake.valid_access_tokens |= {"access-one", "access-fifty"}
    runner = web.AppRunner(fake.app())
    await runner.setup()
    fake_port = free_port()
    await web.TCPSite(runner, "127.0.0.1", fake_port).start()

    data = tempfile.mkdtemp()
    store = FileTokenStore(data)
    for uid in ("one", "fifty"):
        await store.put(
            Account(
                uid=uid,
                client_id=CLIENT_ID,
                client_secret=CLIENT_SECRET,
                access_token=f"access-{uid}",
                refresh_token="refresh-0",
                expires_at=time.time() + 7200,
                device_key=f"key-{uid}",
            )
        )
    port = free_port()
    env = {
        **os.environ,
        "SPOTIFY_LCD_API_URL": f"http://127.0.0.1:{fake_port}/v1",
        "SPOTIFY_LCD_ACCOUNTS_URL": f"http://127.0.0.1:{fake_port}",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "spotifylcd",
            "--log-level",
            "WARNING",
            "serve",
            "--poll-jitter",
            str(args.jitter),
            "--port",
            str(port),
            "--store",
            data,
        ],
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        await wait_healthy(url)
        async with aiohttp.ClientSession() as session:
            # Count from here: the priming polls at start-up are not part of the minute.
            baseline = Counter(fake.access_tokens_seen)
            until = time.monotonic() + args.seconds
            answers = await asyncio.gather(
                display(session, url, "one", until),
                *(display(session, url, "fifty", until) for _ in range(50)),
            )
    finally:
        server.terminate()
        server.wait()
        await runner.cleanup()

    calls = Counter(fake.access_tokens_seen) - baseline
    minutes = args.seconds / 60
    one, fifty = calls["access-one"] / minutes, calls["access-fifty"] / minutes
    print(
        f"{args.seconds:.0f} s of 1 Hz polling, {TRACK_SECONDS:.0f} s tracks playing, "
        f"poll jitter {args.jitter}"
    )
    print("displays  /get answered  Spotify calls/min")
    print(f"{1:>8}  {answers[0]:>13}  {one:>17.1f}")
    print(f"{50:>8}  {sum(answers[1:]):>13}  {fifty:>17.1f}")
    ratio = f"{fifty / one:.2f}" if one else "n/a (no calls: run longer)"
    print(f"ratio 50/1: {ratio}  (target: 1.00, and <= 13/min)")


if __name__ == "__main__":
    asyncio.run(main())
