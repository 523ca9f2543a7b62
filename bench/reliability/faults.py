"""The fault matrix: Spotify failing in every way we know of, and MongoDB killed or absent.

Each Spotify fault hits its own account of one `spotify-lcd serve` process, all at once,
while a display per account asks `/get` (v2) once a second. For each fault: Spotify calls
per minute while it lasts (player and token endpoint), `/get` answers that were not 200,
what the display was shown, and the time from the fault's end to the display showing the
new track live again (the fake changes the track when the faults end).
"""

from __future__ import annotations

import asyncio
import inspect
import json
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import aiohttp
from aiohttp import web
from tests.fake_spotify import PREMIUM_REQUIRED, Reply
from tests.loopback import free_port
from tests.mongodb import start_nx_27017

from spotifylcd.exceptions import StoreError
from spotifylcd.store import FileTokenStore, MongoTokenStore

from .harness import ROOT, FaultHandler, SpotifyDouble, playing, serving, table

# The most Spotify calls a minute one account may cost, whatever Spotify does: polls as while
# playing (DESIGN 4), and a token refresh per poll at worst.
MAX_PLAYER_CALLS_PER_MINUTE = 13.0
MAX_TOKEN_CALLS_PER_MINUTE = 6.0


def answer(status: int, body: object = None, headers: dict[str, str] | None = None) -> FaultHandler:
    """A handler that always answers this."""

    async def handler(_request: web.Request) -> web.StreamResponse:
        return Reply(status, body, headers or {}).response()

    return handler


def after(seconds: float, then: FaultHandler) -> FaultHandler:
    """`then`, `seconds` late."""

    async def handler(request: web.Request) -> web.StreamResponse | None:
        await asyncio.sleep(seconds)
        return await then(request)

    return handler


async def reset(request: web.Request) -> web.StreamResponse:
    """The connection cut without an answer."""
    assert request.transport is not None
    request.transport.abort()
    return web.Response()


async def truncated(_request: web.Request) -> web.StreamResponse:
    """A playback body cut in the middle."""
    body = json.dumps(playing("Truncated", time.monotonic()).body)
    return web.Response(body=body[: len(body) // 2], content_type="application/json")


EXPIRED = answer(401, {"error": {"status": 401, "message": "The access token expired"}})


@dataclass(frozen=True)
class Fault:
    """One way for Spotify to fail one account, and what ends it."""

    name: str
    player: FaultHandler | None = None
    token: FaultHandler | None = None
    # What the operator does when it ends: POST /refresh ("retry now"), or link again.
    hurry: bool = False
    relink: bool = False
    # Recovery expected within this many seconds of the fault's end (the policy's wait).
    expected_recovery: float = 35.0


FAULTS = (
    Fault("HTTP 500", answer(500, {"error": {"status": 500, "message": "Server error"}})),
    Fault("HTTP 502 (HTML)", answer(502, "<html><body>Bad gateway</body></html>")),
    Fault("HTTP 503", answer(503, {"error": {"status": 503, "message": "Service unavailable"}})),
    # A call in flight when the fault ends still fails (after 3 s, or the client's 10 s
    # timeout), and the back-off then waits up to 30 s.
    Fault("HTTP 504 after 3 s", after(3, answer(504, "Gateway timeout")), expected_recovery=40),
    Fault("no answer (timeout)", after(15, answer(200)), expected_recovery=45),
    Fault("connection reset", reset),
    Fault("200, not JSON", answer(200, "{garbage")),
    Fault("200, JSON cut short", truncated),
    Fault("200, wrong shape", answer(200, [1, 2, 3])),
    Fault("200, HTML portal", answer(200, "<html>Log in to the Wi-Fi</html>")),
    Fault("429 Retry-After 30", answer(429, "", {"Retry-After": "30"})),
    Fault(
        "429 Retry-After 86400",
        answer(429, "", {"Retry-After": "86400"}),
        expected_recovery=300.0 + 5,
    ),
    Fault("401 every token", EXPIRED),
    # Retried after 30 s, then 60, 120, up to every 300 s: how long depends on the fault's.
    Fault("403 Premium lost", answer(403, PREMIUM_REQUIRED), expected_recovery=305.0),
    Fault("403, then retry now", answer(403, PREMIUM_REQUIRED), hurry=True, expected_recovery=5.0),
    Fault("token endpoint 503", EXPIRED, answer(503, "unavailable")),
    Fault("token endpoint silent", EXPIRED, after(15, answer(200)), expected_recovery=45),
    Fault(
        "refresh token revoked",
        EXPIRED,
        answer(400, {"error": "invalid_grant", "error_description": "Refresh token revoked"}),
        relink=True,
    ),
)


class Seen(NamedTuple):
    """One answer a display got: when, its HTTP status, the screen's state and title."""

    at: float
    status: int
    state: str = ""
    title: str = ""

    def live(self, title: str) -> bool:
        return self.status == 200 and self.state == "playing" and self.title == title


@dataclass
class Display:
    """A display asking once a second; what it saw, by time."""

    uid: str
    seen: list[Seen] = field(default_factory=list)

    async def run(self, session: aiohttp.ClientSession, url: str, stop: asyncio.Event) -> None:
        data = {"uid": self.uid, "key": f"key-{self.uid}", "v": "2"}
        while not stop.is_set():
            started = time.monotonic()
            try:
                async with session.post(f"{url}/get", data=data) as response:
                    if response.status != 200:
                        self.seen.append(Seen(started, response.status))
                    else:
                        body = await response.json()
                        state = body["state"] + (" (stale)" if body["stale"] else "")
                        self.seen.append(Seen(started, 200, state, body["title"]))
            except (aiohttp.ClientError, TimeoutError) as err:
                self.seen.append(Seen(started, 0, type(err).__name__))
            await asyncio.sleep(max(0.0, started + 1.0 - time.monotonic()))

    def between(self, start: float, end: float) -> list[Seen]:
        return [seen for seen in self.seen if start <= seen.at < end]

    def live_since(self, start: float, title: str) -> float | None:
        """Seconds from `start` until the display showed `title` playing (not stale)."""
        return next(
            (seen.at - start for seen in self.seen if seen.at >= start and seen.live(title)), None
        )


async def seconds_until(check: Callable[[], bool | Awaitable[bool]], within: float) -> float | None:
    """Seconds until `check()` holds (checked every 0.1 s); None if not within `within`."""
    started = time.monotonic()
    try:
        async with asyncio.timeout(within):
            while not await _holds(check):  # noqa: ASYNC110 - other processes change it
                await asyncio.sleep(0.1)
    except TimeoutError:
        return None
    return time.monotonic() - started


async def _holds(check: Callable[[], bool | Awaitable[bool]]) -> bool:
    result = check()
    return await result if inspect.isawaitable(result) else result


def showing(displays: Iterable[Display], title: str) -> Callable[[], bool]:
    """Whether every display's last answer shows `title` playing."""
    return lambda: all(d.seen and d.seen[-1].live(title) for d in displays)


async def run_spotify(*, fault_seconds: float, recovery_bound: float) -> bool:
    """The Spotify faults, all at once on their own accounts; print a row per fault."""
    spotify = SpotifyDouble()
    await spotify.start()
    store = tempfile.mkdtemp(prefix="spotify-lcd-faults-")
    files = FileTokenStore(store)
    uids = {fault.name: f"fault-{number:02d}" for number, fault in enumerate(FAULTS)}
    for uid in [*uids.values(), "control"]:
        await files.put(spotify.seed(uid))
    displays = {uid: Display(uid) for uid in [*uids.values(), "control"]}
    stop = asyncio.Event()
    rows, ok = [], True
    try:
        async with serving(spotify, store) as server, aiohttp.ClientSession() as session:
            tasks = [
                asyncio.create_task(display.run(session, server.url, stop))
                for display in displays.values()
            ]
            warm = await seconds_until(showing(displays.values(), "Before"), 30)
            assert warm is not None, "the displays never showed the track"
            before = Counter(spotify.calls)
            began = time.monotonic()
            for fault in FAULTS:
                spotify.fault(uids[fault.name], fault.player, fault.token)
            await asyncio.sleep(fault_seconds)
            ended = time.monotonic()
            during = Counter(spotify.calls) - before
            spotify.title = "After"
            for fault in FAULTS:
                spotify.clear(uids[fault.name])
            await _end_faults(session, server.url, store, spotify, uids)
            bound = max(recovery_bound, 0.0)
            await seconds_until(
                lambda: all(d.live_since(ended, "After") is not None for d in displays.values()),
                bound,
            )
            stop.set()
            await asyncio.gather(*tasks)
        minutes = (ended - began) / 60
        for fault in FAULTS:
            uid = uids[fault.name]
            display = displays[uid]
            samples = display.between(began, ended)
            failed = sum(seen.status != 200 for seen in samples)
            shown = Counter(seen.state for seen in samples if seen.status == 200).most_common(2)
            player, token = during[uid, "player"] / minutes, during[uid, "token"] / minutes
            recovery = display.live_since(ended, "After")
            expected = fault.expected_recovery <= bound
            good = (
                failed == 0
                and player <= MAX_PLAYER_CALLS_PER_MINUTE
                and token <= MAX_TOKEN_CALLS_PER_MINUTE
                and (recovery is not None or not expected)
                and (recovery is None or recovery <= fault.expected_recovery)
            )
            ok &= good
            rows.append(
                [
                    fault.name + (" + relink" if fault.relink else ""),
                    f"{player:.1f}",
                    f"{token:.1f}",
                    failed,
                    ", ".join(f"{state} {count} s" for state, count in shown),
                    f"{recovery:.0f} s"
                    if recovery is not None
                    else f"> {bound:.0f} s" + ("" if expected else " (not waited)"),
                    f"<= {fault.expected_recovery:.0f} s",
                    "ok" if good else "CHECK",
                ]
            )
        control = displays["control"].live_since(ended, "After")
        rows.append(["(control: no fault)", "", "", 0, "", f"{control or 0:.0f} s", "", ""])
    finally:
        await spotify.stop()
    print(
        f"{len(FAULTS)} Spotify faults at once, one account each, for {fault_seconds:.0f} s; "
        "a display per account asks /get (v2) every second"
    )
    print(
        table(
            [
                "fault",
                "player/min",
                "token/min",
                "/get not 200",
                "display showed (most)",
                "recovery",
                "expected",
                "",
            ],
            rows,
        )
    )
    print(f"levels in the server log: {dict(server.log_levels())}")
    return ok


async def _end_faults(
    session: aiohttp.ClientSession,
    url: str,
    store: str,
    spotify: SpotifyDouble,
    uids: dict[str, str],
) -> None:
    """What the operator does once Spotify is fine again: retry now, or link again."""
    for fault in FAULTS:
        uid = uids[fault.name]
        if fault.hurry:
            async with session.post(f"{url}/refresh", data={"uid": uid, "key": f"key-{uid}"}) as r:
                assert r.status == 200, await r.text()
        if fault.relink:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "spotifylcd",
                "link",
                "--uid",
                uid,
                "--refresh-token",
                f"refresh-{uid}",
                "--store",
                store,
                env=spotify.env(),
                cwd=ROOT,
                stdout=asyncio.subprocess.DEVNULL,
            )
            assert await process.wait() == 0


@dataclass
class MongoOutages:
    """MongoDB (nx-27017) under a server: killed while serving, and down at start."""

    spotify: SpotifyDouble
    work: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="spotify-lcd-mdb-")))
    port: int = field(default_factory=free_port)
    database: str = "spotify-lcd-reliability"
    levels: Counter[str] = field(default_factory=Counter)

    @property
    def uri(self) -> str:
        return f"mongodb://localhost:{self.port}"

    def start(self) -> subprocess.Popen[bytes]:
        return start_nx_27017(self.port, self.work)

    async def killed(self, outage_seconds: float) -> list[Any]:
        """kill -9 while serving; Spotify rotates a token meanwhile; then MongoDB restarts."""
        nx = self.start()
        seeded = MongoTokenStore(self.uri, self.database, timeout_ms=20_000)
        try:
            for uid in ("mongo-a", "mongo-b"):
                await seeded.put(self.spotify.seed(uid))
            displays = [Display("mongo-a"), Display("mongo-b")]
            stop = asyncio.Event()
            async with (
                serving(self.spotify, self.uri, "--mongodb-database", self.database) as server,
                aiohttp.ClientSession() as session,
            ):
                tasks = [asyncio.create_task(d.run(session, server.url, stop)) for d in displays]
                assert await seconds_until(showing(displays, "Before"), 30) is not None
                nx.send_signal(signal.SIGKILL)
                nx.wait()
                killed = time.monotonic()
                # Spotify rejects mongo-a's token now: it is refreshed (and rotated) while the
                # store is gone, so the new one can only be held in memory until it is back.
                self.spotify.fault("mongo-a", player=_reject("access-mongo-a"))
                await asyncio.sleep(outage_seconds)
                rotated = self.spotify.refresh_token("mongo-a")
                nx = self.start()
                restarted = time.monotonic()
                stored = await seconds_until(
                    lambda: _stored_refresh_token(seeded, "mongo-a", rotated), 60
                )
                stop.set()
                await asyncio.gather(*tasks)
            self.levels = server.log_levels()
        finally:
            nx.terminate()
            nx.wait()
            await seeded.close()
        failed = sum(seen.status != 200 for d in displays for seen in d.between(killed, restarted))
        good = failed == 0 and stored is not None and rotated != "refresh-mongo-a"
        return [
            f"killed (kill -9) for {outage_seconds:.0f} s",
            failed,
            "the token Spotify rotated meanwhile stored " + _after(stored) + " the restart",
            "ok" if good else "CHECK",
        ]

    async def down_at_start(self) -> list[Any]:
        """Linked uids answer 503 (not 404) until MongoDB answers, then at once the track."""
        late = Display("mongo-b")
        stop = asyncio.Event()
        nx = None
        try:
            async with (
                serving(self.spotify, self.uri, "--mongodb-database", self.database) as server,
                aiohttp.ClientSession() as session,
            ):
                task = asyncio.create_task(late.run(session, server.url, stop))
                await asyncio.sleep(5)
                nx = self.start()
                await seconds_until(lambda: _mongodb_answers(self.uri), 60)
                answering = time.monotonic()
                await seconds_until(lambda: late.live_since(answering, "Before") is not None, 60)
                stop.set()
                await task
        finally:
            if nx is not None:
                nx.terminate()
                nx.wait()
        statuses = Counter(seen.status for seen in late.seen)
        served = late.live_since(answering, "Before")
        good = statuses[404] == 0 and statuses[503] > 0 and served is not None
        return [
            "down at start",
            f"{statuses[503]} x 503, {statuses[404]} x 404",
            "served " + _after(served) + " MongoDB answered",
            "ok" if good else "CHECK",
        ]


async def run_mongodb(*, outage_seconds: float) -> bool:
    """MongoDB killed while serving (a token rotated meanwhile), and MongoDB down at start."""
    spotify = SpotifyDouble()
    await spotify.start()
    spotify.fake.rotate_refresh_tokens = True
    outages = MongoOutages(spotify)
    try:
        rows = [await outages.killed(outage_seconds), await outages.down_at_start()]
    finally:
        await spotify.stop()
    print("MongoDB (nx-27017) under the server: two accounts, a display each asking every second")
    print(table(["MongoDB", "/get not 200", "recovery", ""], rows))
    print(f"levels in the server log, killed and restarted: {dict(outages.levels)}")
    return all(row[-1] == "ok" for row in rows)


def _reject(token: str) -> FaultHandler:
    async def handler(request: web.Request) -> web.StreamResponse | None:
        if request.headers.get("Authorization") == f"Bearer {token}":
            return await EXPIRED(request)
        return None

    return handler


async def _stored_refresh_token(store: MongoTokenStore, uid: str, token: str) -> bool:
    try:
        return (await store.get(uid)).refresh_token == token
    except StoreError:  # not up yet
        return False


async def _mongodb_answers(uri: str) -> bool:
    store = MongoTokenStore(uri, timeout_ms=500)
    try:
        await store.ping()
    except StoreError:  # not up yet
        return False
    finally:
        await store.close()
    return True


def _after(seconds: float | None) -> str:
    return "never" if seconds is None else f"after {seconds:.1f} s"


async def run(*, full: bool) -> bool:
    """The whole matrix: CI sizes, or the issue's (--full)."""
    spotify_ok = await run_spotify(
        fault_seconds=120.0 if full else 30.0, recovery_bound=400.0 if full else 75.0
    )
    print()
    mongodb_ok = await run_mongodb(outage_seconds=60.0 if full else 15.0)
    return spotify_ok and mongodb_ok
