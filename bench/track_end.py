"""How late a display shows a natural track end: the learned lag against a fixed 0.5 s margin.

The fake Spotify (`tests/fake_spotify.py`, a real aiohttp server on loopback) plays tracks of
7-12 s back to back for five accounts, and shows each next track a lag after the previous
one's predicted end: four steady accounts have a lag of their own (0.2-0.6 s, varying by up
to 50 ms from track to track), an erratic one a lag drawn anew for every track (0.2-0.6 s);
every answer takes 80-120 ms. Two servers run side by side in this process, each the
library's account registry and `/get` app over a store of its own: ours (`PollPolicy()`, the
lag learned per account) and the baseline (`PollPolicy` configured as before: a poll 0.5 s
after the predicted end, again every 0.5 s until the next track shows). Both follow the same
players, track for track. A display per account and server asks `/get` once a second, and
every 10 ms from just before each switch until it shows the new title: the figure is how
long after Spotify's switch that is. The first two track ends of each account (while ours
learns) are left out. Prints min/median/max over the rounds of each round's median and
worst figure, and the Spotify calls a minute per account. The baseline is today's schedule
less its jitter, which lengthened the wait for the end by up to 10 % (later still).
Run: .venv/bin/python bench/track_end.py [--rounds 3] [--seconds 90]
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import contextlib
import contextvars
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.fake_spotify import CLIENT_ID, CLIENT_SECRET, FakeSpotify, Reply, track_playing
from tests.loopback import free_port

from spotifylcd.account import Account
from spotifylcd.poller import PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.server import DisplayServer
from spotifylcd.spotify import SpotifyClient, SpotifyEndpoints
from spotifylcd.store import FileTokenStore

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Awaitable, Callable

OURS = PollPolicy()
BASELINE = PollPolicy(
    track_end_lag=0.0, learn_track_end_lag=False, track_end_margin=0.5, track_end_retry=0.5
)
STEADY_ACCOUNTS = 4
KEY = "bench-key"
LEARNING_ENDS = 2
FAST_POLL = 0.01
# The token of the Spotify call being answered: each account's player answers its own.
TOKEN: contextvars.ContextVar[str] = contextvars.ContextVar("token")


@dataclass
class Player:
    """One account's player: tracks as (duration, lag after its predicted end), back to back."""

    rng: random.Random
    starts: list[float]
    durations: list[float] = field(default_factory=list)

    @classmethod
    def playing(
        cls, rng: random.Random, started: float, seconds: float, lag: Callable[[], float]
    ) -> Player:
        player = cls(rng, [started])
        while player.starts[-1] < started + seconds + 15:
            duration = rng.uniform(7.0, 12.0)
            player.durations.append(duration)
            player.starts.append(player.starts[-1] + duration + lag())
        return player

    def switches(self, after: float, before: float) -> list[tuple[float, str]]:
        """When Spotify first shows each track, and its title."""
        return [
            (start, f"Track {number}")
            for number, start in enumerate(self.starts[:-1])
            if after < start < before
        ]

    def reply(self, now: float) -> Reply:
        """Spotify's answer for a call arriving at `now`, sent a round trip later."""
        number = bisect.bisect_right(self.starts, now) - 1
        duration = self.durations[number]
        progress = min(now - self.starts[number], duration)
        body = track_playing(f"Track {number}", progress, duration, uri=f"spotify:track:{number}")
        return Reply(200, body, delay=self.rng.uniform(0.08, 0.12))


def steady_lag(rng: random.Random) -> Callable[[], float]:
    """An account's own lag (0.2-0.6 s), varying by up to 50 ms from track to track."""
    own = rng.uniform(0.2, 0.6)
    return lambda: own + rng.uniform(-0.05, 0.05)


@web.middleware
async def remember_token(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    TOKEN.set(request.headers.get("Authorization", "").removeprefix("Bearer "))
    return await handler(request)


@contextlib.asynccontextmanager
async def server(
    policy: PollPolicy,
    tokens: dict[str, str],
    session: aiohttp.ClientSession,
    endpoints: SpotifyEndpoints,
) -> AsyncIterator[str]:
    """The registry and `/get` app serving `tokens` (uid to access token) under `policy`."""
    with tempfile.TemporaryDirectory() as data:
        store = FileTokenStore(Path(data))
        for uid, token in tokens.items():
            await store.put(
                Account(
                    uid=uid,
                    client_id=CLIENT_ID,
                    client_secret=CLIENT_SECRET,
                    access_token=token,
                    refresh_token="refresh-0",
                    expires_at=time.time() + 7200,
                    device_key=KEY,
                )
            )
        registry = AccountRegistry(store, SpotifyClient(session, endpoints), policy)
        await registry.start()
        runner = web.ServerRunner(DisplayServer(registry).web_server())
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "localhost", port).start()
        try:
            yield f"http://localhost:{port}"
        finally:
            await runner.cleanup()
            await registry.stop()
            await store.close()


async def display(
    session: aiohttp.ClientSession,
    url: str,
    uid: str,
    switches: list[tuple[float, str]],
    until: float,
) -> list[float]:
    """Ask `/get` as a display would; how long after each switch the new title showed."""
    late: list[float] = []
    pending = iter(switches)
    upcoming = next(pending, None)
    while (now := time.monotonic()) < until:
        async with session.post(f"{url}/get", data={"uid": uid, "key": KEY}) as response:
            title = (await response.json()).get("song_title")
        seen = time.monotonic()
        if upcoming is not None and title == upcoming[1]:
            late.append(seen - upcoming[0])
            upcoming = next(pending, None)
        elif upcoming is not None and seen >= upcoming[0] - 0.2:
            await asyncio.sleep(FAST_POLL)
            continue
        wake = 1.0 if upcoming is None else min(1.0, upcoming[0] - 0.2 - now)
        await asyncio.sleep(max(FAST_POLL, wake))
    return late


@dataclass
class Round:
    """One round's figures per server: lateness of steady and erratic accounts, calls/min."""

    steady: dict[str, list[float]] = field(default_factory=dict)
    erratic: dict[str, list[float]] = field(default_factory=dict)
    calls_per_minute: dict[str, float] = field(default_factory=dict)


async def one_round(seed: int, seconds: float) -> Round:
    rng = random.Random(seed)
    started = time.monotonic()
    players = [
        Player.playing(rng, started, seconds, steady_lag(rng)) for _ in range(STEADY_ACCOUNTS)
    ]
    players.append(Player.playing(rng, started, seconds, lambda: rng.uniform(0.2, 0.6)))
    uids = [f"steady{n}" for n in range(STEADY_ACCOUNTS)] + ["erratic"]
    by_token = {}
    servers = {"ours": OURS, "baseline": BASELINE}
    tokens = {name: {uid: f"{name}-{uid}" for uid in uids} for name in servers}
    for name in servers:
        by_token.update(
            {tokens[name][uid]: player for uid, player in zip(uids, players, strict=True)}
        )

    fake = FakeSpotify()
    fake.valid_access_tokens |= set(by_token)
    fake.player_script = lambda: by_token[TOKEN.get()].reply(time.monotonic())
    app = fake.app()
    app.middlewares.append(remember_token)
    runner = web.AppRunner(app)
    await runner.setup()
    spotify_port = free_port()
    await web.TCPSite(runner, "localhost", spotify_port).start()
    base = f"http://localhost:{spotify_port}"
    endpoints = SpotifyEndpoints(api_url=f"{base}/v1", accounts_url=base)
    until = started + seconds
    result = Round()
    try:
        async with (
            aiohttp.ClientSession() as session,
            server(OURS, tokens["ours"], session, endpoints) as ours_url,
            server(BASELINE, tokens["baseline"], session, endpoints) as baseline_url,
        ):
            urls = {"ours": ours_url, "baseline": baseline_url}
            counted_from = Counter(fake.access_tokens_seen)
            counting_since = time.monotonic()
            jobs = {
                (name, uid): asyncio.create_task(
                    display(
                        session,
                        urls[name],
                        uid,
                        player.switches(started, until)[LEARNING_ENDS:],
                        until,
                    )
                )
                for name in servers
                for uid, player in zip(uids, players, strict=True)
            }
            late = {key: await job for key, job in jobs.items()}
            minutes = (time.monotonic() - counting_since) / 60
            calls = Counter(fake.access_tokens_seen) - counted_from
    finally:
        await runner.cleanup()
    for name in servers:
        result.steady[name] = [s for uid in uids[:-1] for s in late[name, uid]]
        result.erratic[name] = late[name, uids[-1]]
        result.calls_per_minute[name] = (
            sum(calls[tokens[name][uid]] for uid in uids) / len(uids) / minutes
        )
    return result


def spread(values: list[float]) -> str:
    return f"{min(values):7.3f} {statistics.median(values):7.3f} {max(values):7.3f}"


async def main(rounds: int, seconds: float) -> None:
    results = [await one_round(seed, seconds) for seed in range(rounds)]
    print(
        f"natural track ends, {rounds} rounds of {seconds:.0f} s, {STEADY_ACCOUNTS} steady + 1 "
        "erratic accounts; seconds from Spotify's switch to the new title on /get"
    )
    print(
        f"  {'(min median max over rounds)':34} {'ours (learned lag)':>23}"
        f"   {'baseline (0.5 s)':>23}"
    )
    figures: list[tuple[str, Callable[[Round, str], float]]] = [
        ("steady accounts, median", lambda r, n: statistics.median(r.steady[n])),
        ("steady accounts, worst", lambda r, n: max(r.steady[n])),
        ("erratic account, median", lambda r, n: statistics.median(r.erratic[n])),
        ("erratic account, worst", lambda r, n: max(r.erratic[n])),
        ("Spotify calls/min per account", lambda r, n: r.calls_per_minute[n]),
    ]
    for label, pick in figures:
        ours = [pick(r, "ours") for r in results]
        baseline = [pick(r, "baseline") for r in results]
        print(f"  {label:34} {spread(ours)}   {spread(baseline)}")
    ends = sum(len(r.steady["ours"]) + len(r.erratic["ours"]) for r in results)
    ratios = [
        statistics.median(r.steady["ours"] + r.erratic["ours"])
        / statistics.median(r.steady["baseline"] + r.erratic["baseline"])
        for r in results
    ]
    calls = [r.calls_per_minute["ours"] / r.calls_per_minute["baseline"] for r in results]
    print(f"  {'ratio ours/baseline, median late':34} {spread(ratios)}")
    print(f"  {'ratio ours/baseline, calls/min':34} {spread(calls)}")
    print(f"  ({ends} track ends counted per server; tracks of 7-12 s, so calls/min run above 12)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=90.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.rounds, arguments.seconds))
