"""The soak: 500 displays asking `/get` once a second, for minutes, against one server.

50 accounts, 10 displays each (a third legacy v1, the rest v2 on various ROMs and sizes),
the fake Spotify playing 45-second tracks. Every answer must be 200 with a track playing;
the server's resident memory is sampled every 5 s and must stay flat.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field

import aiohttp

from spotifylcd.store import FileTokenStore

from .harness import SpotifyDouble, serving, table

ACCOUNTS = 50
DISPLAYS_PER_ACCOUNT = 10
WARM_UP = 10.0
# Growth over the measured stretch that still counts as flat (allocator noise, caches).
FLAT_MIB = 8.0


@dataclass
class Load:
    """What the displays saw."""

    answered: int = 0
    errors: int = 0
    examples: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)

    def error(self, what: str) -> None:
        self.errors += 1
        if len(self.examples) < 5:
            self.examples.append(what)


async def display(
    session: aiohttp.ClientSession, url: str, number: int, until: float, load: Load
) -> None:
    """One display: its account, its request, once a second at its own phase."""
    uid = f"soak-{number % ACCOUNTS:02d}"
    data = {"uid": uid, "key": f"key-{uid}"}
    if number % 3:
        data |= {"v": "2", "rom": ("A00", "A02", "ascii")[number % 3], "size": "20x4"}
    next_at = time.monotonic() + (number % 100) / 100
    while next_at < until:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        started = time.monotonic()
        try:
            async with session.post(f"{url}/get", data=data) as response:
                body = await response.json()
            live = body.get("api_response") == 200 or body.get("state") == "playing"
            if response.status != 200 or not live:
                load.error(f"{response.status} {body}")
        except (aiohttp.ClientError, TimeoutError, ValueError) as err:
            load.error(repr(err))
        load.answered += 1
        load.latencies.append(time.monotonic() - started)
        next_at += 1.0


async def run(*, seconds: float) -> bool:
    """500 displays for `seconds` after a warm-up; print errors, latency and memory."""
    spotify = SpotifyDouble()
    await spotify.start()
    store = tempfile.mkdtemp(prefix="spotify-lcd-soak-")
    files = FileTokenStore(store)
    for number in range(ACCOUNTS):
        await files.put(spotify.seed(f"soak-{number:02d}"))
    load = Load()
    rss: list[tuple[float, float]] = []
    try:
        async with serving(spotify, store) as server:
            connector = aiohttp.TCPConnector(limit=0)
            async with aiohttp.ClientSession(connector=connector) as session:
                started = time.monotonic()
                until = started + WARM_UP + seconds
                displays = [
                    asyncio.create_task(display(session, server.url, number, until, load))
                    for number in range(ACCOUNTS * DISPLAYS_PER_ACCOUNT)
                ]
                while time.monotonic() < until:
                    await asyncio.sleep(5)
                    rss.append((time.monotonic() - started, server.rss_mib()))
                await asyncio.gather(*displays)
            levels = server.log_levels()
    finally:
        await spotify.stop()
    measured = [(at, mib) for at, mib in rss if at >= WARM_UP]
    growth = measured[-1][1] - measured[0][1]
    latencies = sorted(load.latencies)
    print(
        f"soak: {ACCOUNTS * DISPLAYS_PER_ACCOUNT} displays ({ACCOUNTS} accounts) at 1 Hz for "
        f"{seconds:.0f} s after a {WARM_UP:.0f} s warm-up"
    )
    print(
        table(
            ["figure", "value"],
            [
                ["/get answered", load.answered],
                ["errors (not 200, or not playing)", load.errors],
                ["latency p50 / p99", f"{_ms(latencies, 0.5)} / {_ms(latencies, 0.99)} ms"],
                [
                    "RSS after warm-up / at the end",
                    f"{measured[0][1]:.1f} / {measured[-1][1]:.1f} MiB",
                ],
                ["RSS growth / max", f"{growth:+.1f} MiB / {max(m for _, m in measured):.1f} MiB"],
                ["RSS slope", f"{_slope(measured) * 60:+.2f} MiB/min"],
                ["server log lines", dict(levels)],
            ],
        )
    )
    for example in load.examples:
        print("  " + example)
    return load.errors == 0 and growth <= FLAT_MIB and levels["ERROR"] == 0


def _ms(ordered: list[float], fraction: float) -> str:
    return f"{ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] * 1000:.1f}"


def _slope(samples: list[tuple[float, float]]) -> float:
    """Least-squares MiB per second."""
    if len(samples) < 2:
        return 0.0
    return statistics.linear_regression([at for at, _ in samples], [m for _, m in samples]).slope
