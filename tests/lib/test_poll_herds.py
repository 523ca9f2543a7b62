"""A thousand accounts never call Spotify as a herd: at start, after a 429, after an outage.

Each test runs 1,000 engines on one fake clock, in the order their polls fall due, against
one simulated Spotify app; the random spreads draw from a seeded generator.
"""

from __future__ import annotations

import asyncio
import bisect
import heapq
import math
import random
from typing import Any

import pytest

from spotifylcd.account import Account
from spotifylcd.exceptions import SpotifyRateLimitedError, SpotifyUnavailableError
from spotifylcd.playback import Playback
from spotifylcd.poller import AppRateLimit, PollEngine, PollPolicy
from spotifylcd.registry import AccountRegistry
from spotifylcd.spotify import SpotifyClient
from spotifylcd.status import AccountStatus
from spotifylcd.store import FileTokenStore
from tests.fake_spotify import FakeSpotify, Reply
from tests.lib.conftest import FakeClock

ACCOUNTS = 1000
POLICY = PollPolicy()
# One account every 5 ms on average: 20 calls in any 100 ms at an even pace.
EVEN_PACE = ACCOUNTS * 0.1 / POLICY.playing_interval
WINDOW = 0.1


class App:
    """One Spotify app: a long track for every account, 429 or 5xx while told to."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.calls: list[float] = []
        self.rate_limited = (math.inf, math.inf)
        self.failing = (math.inf, math.inf)

    def account(self) -> AppAccount:
        return AppAccount(self)

    def answer(self) -> Playback:
        now = self.clock.now
        self.calls.append(now)
        start, end = self.rate_limited
        if start <= now < end:
            raise SpotifyRateLimitedError(math.ceil(end - now))
        start, end = self.failing
        if start <= now < end:
            raise SpotifyUnavailableError
        state = {
            "is_playing": True,
            "progress_ms": 0,
            "currently_playing_type": "track",
            "item": {
                "type": "track",
                "name": "Long",
                "uri": "spotify:track:1",
                "duration_ms": 10**9,
            },
        }
        return Playback.from_spotify(state, now)


class AppAccount:
    """One account's view of the app (a playback source)."""

    def __init__(self, app: App) -> None:
        self.app = app

    async def fetch_playback(self) -> Playback:
        return self.app.answer()


async def run(
    engines: list[PollEngine], clock: FakeClock, first: list[float], until: float
) -> None:
    """Poll every engine when it is due, in time order, until `until`."""
    due = [(at, index) for index, at in enumerate(first)]
    heapq.heapify(due)
    while due and due[0][0] < until:
        at, index = heapq.heappop(due)
        clock.now = max(clock.now, at)
        snapshot = await engines[index].poll()
        assert snapshot.next_poll_at is not None
        heapq.heappush(due, (snapshot.next_poll_at, index))


def busiest(calls: list[float], start: float, end: float) -> int:
    """The most calls in any 100 ms between `start` and `end`."""
    times = sorted(at for at in calls if start <= at < end)
    # Less a nanosecond: calls exactly 5 ms apart must not count 21 in 100 ms by rounding.
    return max(
        (bisect.bisect_left(times, at + WINDOW - 1e-9) - index for index, at in enumerate(times)),
        default=0,
    )


def engines_of(app: App, clock: FakeClock, policy: PollPolicy, seed: int) -> list[PollEngine]:
    rng = random.Random(seed).random  # noqa: S311 - a reproducible spread, no secret
    limit = AppRateLimit()
    return [
        PollEngine(app.account(), policy, clock=clock, rng=rng, app_limit=limit)
        for _ in range(ACCOUNTS)
    ]


def test_first_polls_spread_evenly_over_the_first_interval() -> None:
    first = [POLICY.first_poll_delay(index, ACCOUNTS) for index in range(ACCOUNTS)]
    assert busiest(first, 0, math.inf) == EVEN_PACE
    assert max(first) < POLICY.playing_interval
    assert {PollPolicy(jitter=0).first_poll_delay(index, 3) for index in range(3)} == {0.0}


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_a_429_holds_the_whole_app_and_its_accounts_come_back_spread(seed: int) -> None:
    clock = FakeClock(0.0)
    app = App(clock)
    app.rate_limited = (20.0, 50.0)
    engines = engines_of(app, clock, POLICY, seed)
    first = [POLICY.first_poll_delay(index, ACCOUNTS) for index in range(ACCOUNTS)]
    await run(engines, clock, first, until=80.0)
    # One account is told to wait; the others wait with it instead of asking in turn.
    assert len([at for at in app.calls if 20.0 <= at < 50.0]) == 1
    assert sum(engine.snapshot.status is AccountStatus.OK for engine in engines) == ACCOUNTS
    # They come back over the interval after the wait, and stay apart from then on.
    assert busiest(app.calls, 50.0, 80.0) <= 2 * EVEN_PACE


async def test_without_the_spread_they_would_come_back_as_a_herd() -> None:
    clock = FakeClock(0.0)
    app = App(clock)
    app.rate_limited = (20.0, 50.0)
    engines = engines_of(app, clock, PollPolicy(jitter=0.0), 1)
    first = [POLICY.first_poll_delay(index, ACCOUNTS) for index in range(ACCOUNTS)]
    await run(engines, clock, first, until=60.0)
    assert busiest(app.calls, 50.0, 60.0) >= ACCOUNTS - 1


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_accounts_failing_together_back_off_apart(seed: int) -> None:
    # Every account starts at once and Spotify fails for a minute: a herd at the start.
    clock = FakeClock(0.0)
    app = App(clock)
    app.failing = (0.0, 60.0)
    engines = engines_of(app, clock, POLICY, seed)
    await run(engines, clock, [0.0] * ACCOUNTS, until=90.0)
    assert busiest(app.calls, 0.0, 0.1) >= ACCOUNTS
    # Full jitter: the retries spread over each back-off step (the first two overlap), and
    # Spotify's return with them; a 10 % jitter would bring all 1,000 back within 0.5 s.
    assert busiest(app.calls, 0.1, 90.0) <= 3 * EVEN_PACE


async def test_only_the_accounts_of_the_same_app_wait(clock: FakeClock) -> None:
    app = App(clock)
    app.rate_limited = (clock.now, clock.now + 30)
    limit, other = AppRateLimit(), AppRateLimit()
    told = PollEngine(app.account(), POLICY, clock=clock, app_limit=limit)
    same_app = PollEngine(app.account(), POLICY, clock=clock, app_limit=limit)
    other_app = PollEngine(app.account(), POLICY, clock=clock, app_limit=other)
    await told.poll()
    await same_app.poll()
    assert len(app.calls) == 1
    held = same_app.snapshot
    assert held.status is AccountStatus.RATE_LIMITED
    assert held.next_poll_at is not None
    assert clock.now + 30 <= held.next_poll_at <= clock.now + 30 + POLICY.playing_interval
    await other_app.poll()
    assert len(app.calls) == 2


async def test_the_registry_shares_a_limit_per_client_id_and_spreads_first_polls(
    file_store: FileTokenStore,
    spotify_client: SpotifyClient,
    linked_account: Account,
    fake_spotify: tuple[FakeSpotify, Any],
    track_state: dict[str, Any],
) -> None:
    fake = fake_spotify[0]
    fake.player_default = Reply(200, track_state)
    for uid, client_id in (("a", "app-1"), ("b", "app-1"), ("c", "app-2")):
        await file_store.put(linked_account.with_changes(uid=uid, client_id=client_id))
    # A minute apart: the accounts starting together poll 0, 20 and 40 s after the start.
    policy = PollPolicy(playing_interval=60.0, paused_interval=60.0, idle_interval=60.0)
    registry = AccountRegistry(file_store, spotify_client, policy)
    await registry.start()
    try:
        runtimes = {uid: registry.get(uid) for uid in "abc"}
        async with asyncio.timeout(5):
            while fake.calls["player"] < 1:
                await asyncio.sleep(0.01)
        for runtime in runtimes.values():
            assert runtime is not None
            runtime.poller.demand()  # displays asking at start do not bring first polls forward
        await asyncio.sleep(0.2)
        assert fake.calls["player"] == 1
        first, second, third = (runtimes[uid] for uid in "abc")
        assert first is not None
        assert second is not None
        assert third is not None
        statuses = [rt.poller.snapshot.status for rt in (first, second, third)]
        assert statuses.count(AccountStatus.STARTING) == 2
        fake.player_queue.append(Reply(429, "", {"Retry-After": "30"}))
        await first.poller.poll_once()
        await second.poller.poll_once()
        await third.poller.poll_once()
        # "b" shares "a"'s app and waits without asking; "c" is another app.
        assert fake.calls["player"] == 3
        assert second.poller.snapshot.status is AccountStatus.RATE_LIMITED
        assert third.poller.snapshot.status is AccountStatus.OK
    finally:
        await registry.stop()
