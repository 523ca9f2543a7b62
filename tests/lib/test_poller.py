"""The polling policy (DESIGN section 4): one call stream per account, lazy, end-aware."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

import pytest

from spotifylcd.exceptions import (
    SpotifyForbiddenError,
    SpotifyInvalidResponseError,
    SpotifyLCDError,
    SpotifyRateLimitedError,
    SpotifyReauthRequiredError,
    SpotifyUnavailableError,
)
from spotifylcd.playback import Playback
from spotifylcd.poller import PollEngine, Poller, PollPolicy
from spotifylcd.status import AccountStatus
from tests.lib.conftest import FakeClock

NO_JITTER = PollPolicy(jitter=0.0)


class ScriptedSource:
    """A playback source answering from a script; counts its calls."""

    def __init__(self, *outcomes: Playback | Exception) -> None:
        self.outcomes: deque[Playback | Exception] = deque(outcomes)
        self.last: Playback | Exception = outcomes[-1] if outcomes else Playback.idle(0.0)
        self.calls = 0

    async def fetch_playback(self) -> Playback:
        self.calls += 1
        outcome = self.outcomes.popleft() if self.outcomes else self.last
        if isinstance(outcome, Exception):
            raise outcome
        return outcome


def playing(state: dict[str, Any], at: float, progress_ms: int = 160210) -> Playback:
    return Playback.from_spotify({**state, "progress_ms": progress_ms}, at)


async def test_playing_polls_every_interval(track_state: dict[str, Any], clock: FakeClock) -> None:
    # 48 s left: the regular interval comes first.
    engine = PollEngine(ScriptedSource(playing(track_state, clock.now)), NO_JITTER, clock=clock)
    await engine.poll()
    assert engine.seconds_to_next_poll() == 5.0


async def test_playing_polls_just_after_the_predicted_end(
    track_state: dict[str, Any], clock: FakeClock
) -> None:
    # Before the account has shown its own lag: Spotify's usual 0.4 s, and a 0.1 s margin.
    almost_done = playing(track_state, clock.now, progress_ms=208306 - 2000)
    engine = PollEngine(ScriptedSource(almost_done), NO_JITTER, clock=clock)
    await engine.poll()
    assert engine.seconds_to_next_poll() == pytest.approx(2.5)


def test_paused_and_idle_poll_slower(track_state: dict[str, Any]) -> None:
    paused = Playback.from_spotify({**track_state, "is_playing": False}, 0.0)
    assert NO_JITTER.interval_after(paused) == NO_JITTER.paused_interval
    assert NO_JITTER.interval_after(Playback.idle(0.0)) == NO_JITTER.idle_interval
    assert NO_JITTER.idle_interval > NO_JITTER.paused_interval > NO_JITTER.playing_interval


@pytest.mark.parametrize(
    ("error", "failures", "delay"),
    [
        (SpotifyRateLimitedError(42), 1, 42.0),
        (SpotifyRateLimitedError(86_400, "QUOTA_EXCEEDED"), 1, 300.0),
        (SpotifyUnavailableError(), 1, 5.0),
        (SpotifyUnavailableError(), 3, 20.0),
        (SpotifyInvalidResponseError(), 30, 30.0),
        (SpotifyForbiddenError(), 1, 30.0),
        (SpotifyForbiddenError(), 3, 120.0),
        (SpotifyForbiddenError(), 10, 300.0),
    ],
)
def test_error_delays(error: SpotifyLCDError, failures: int, delay: float) -> None:
    assert NO_JITTER.delay_after_error(error, failures) == delay


@pytest.mark.parametrize(("draw", "delay"), [(0.0, 28.5), (0.5, 30.0), (1.0, 31.5)])
async def test_jitter_spreads_the_delay_around_the_interval(
    clock: FakeClock, draw: float, delay: float
) -> None:
    # Centred on the interval, so the mean (the call budget) stays the policy's.
    poller = Poller(
        ScriptedSource(Playback.idle(clock.now)),
        PollPolicy(jitter=0.1),
        clock=clock,
        rng=lambda: draw,
    )
    snapshot = await poller.poll_once()
    assert snapshot.next_poll_at == pytest.approx(clock.now + delay)


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (SpotifyReauthRequiredError(), AccountStatus.NEEDS_RELINK),
        (SpotifyForbiddenError(), AccountStatus.FORBIDDEN),
        (SpotifyRateLimitedError(7), AccountStatus.RATE_LIMITED),
        (SpotifyUnavailableError(), AccountStatus.STALE),
        (SpotifyInvalidResponseError(), AccountStatus.STALE),
        (RuntimeError("bug"), AccountStatus.STALE),
    ],
)
async def test_failures_keep_the_last_playback(
    track_state: dict[str, Any], clock: FakeClock, error: Exception, status: AccountStatus
) -> None:
    good = playing(track_state, clock.now)
    poller = Poller(ScriptedSource(good, error), NO_JITTER, clock=clock)
    await poller.poll_once()
    snapshot = await poller.poll_once()
    assert snapshot.status is status
    assert snapshot.playback is good
    assert snapshot.error
    assert (snapshot.next_poll_at is None) == (status is AccountStatus.NEEDS_RELINK)


async def test_recovery_clears_the_error(track_state: dict[str, Any], clock: FakeClock) -> None:
    poller = Poller(
        ScriptedSource(
            SpotifyUnavailableError(), SpotifyUnavailableError(), playing(track_state, 0)
        ),
        NO_JITTER,
        clock=clock,
    )
    await poller.poll_once()
    second = await poller.poll_once()
    assert second.next_poll_at == clock.now + 10.0
    third = await poller.poll_once()
    assert (third.status, third.error, third.stale) == (AccountStatus.OK, None, False)


async def poll_when_due(engine: PollEngine, clock: FakeClock) -> None:
    """Move the clock to the engine's next poll and poll, as its host would."""
    due = engine.snapshot.next_poll_at
    assert due is not None
    clock.now = max(clock.now, due)
    await engine.poll()


async def eventually(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait until `condition` holds; fail after `timeout` (a bound, not a measurement)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


async def test_many_displays_share_one_call_stream(track_state: dict[str, Any]) -> None:
    source = ScriptedSource(playing(track_state, 0.0))
    poller = Poller(source, PollPolicy(playing_interval=60.0))
    poller.start()
    try:
        await eventually(lambda: source.calls == 1)
        for _ in range(20):
            for _display in range(50):
                poller.demand()
            await asyncio.sleep(0.001)
        assert source.calls == 1  # 1000 display requests, still only the scheduled calls
    finally:
        await poller.stop()


async def test_lazy_polling_sleeps_without_demand_and_wakes_on_request() -> None:
    source = ScriptedSource(Playback.idle(0.0))
    poller = Poller(source, PollPolicy(idle_interval=0.01, demand_window=0.05, jitter=0.0))
    poller.start()
    try:
        await eventually(lambda: source.calls == 1)
        await asyncio.sleep(0.1)
        assert source.calls == 1  # the priming poll only: nobody asked
        poller.demand()
        await eventually(lambda: source.calls >= 3)  # polling while wanted
        await asyncio.sleep(0.2)
        settled = source.calls
        await asyncio.sleep(0.1)
        assert source.calls == settled  # demand window over: asleep again
    finally:
        await poller.stop()


async def test_needs_relink_stops_polling() -> None:
    source = ScriptedSource(SpotifyReauthRequiredError())
    poller = Poller(source, PollPolicy(idle_interval=0.01))
    poller.start()
    poller.demand()
    await eventually(lambda: poller.snapshot.status is AccountStatus.NEEDS_RELINK)
    await asyncio.sleep(0.05)
    assert source.calls == 1
    await poller.stop()


async def test_poll_soon_polls_before_the_schedule() -> None:
    source = ScriptedSource(Playback.idle(0.0))
    poller = Poller(source, PollPolicy(idle_interval=60.0))
    poller.start()
    poller.demand()
    await eventually(lambda: source.calls == 1)
    poller.poll_soon()
    await eventually(lambda: source.calls == 2)
    await poller.stop()


async def test_back_off_grows_only_within_one_kind_of_error(clock: FakeClock) -> None:
    # Two minutes of rate limiting, then Spotify fails with 5xx: the back-off starts over.
    rate_limited = [SpotifyRateLimitedError(5) for _ in range(24)]
    engine = PollEngine(
        ScriptedSource(*rate_limited, SpotifyUnavailableError(), SpotifyUnavailableError()),
        NO_JITTER,
        clock=clock,
    )
    for _ in rate_limited:
        await poll_when_due(engine, clock)
    assert engine.seconds_to_next_poll() == 5.0
    await poll_when_due(engine, clock)
    assert engine.seconds_to_next_poll() == NO_JITTER.backoff_initial
    await poll_when_due(engine, clock)
    assert engine.seconds_to_next_poll() == 2 * NO_JITTER.backoff_initial


async def test_spotifys_wait_is_kept_even_when_a_poll_is_asked_for_sooner(
    track_state: dict[str, Any], clock: FakeClock
) -> None:
    good = playing(track_state, clock.now)
    source = ScriptedSource(good, SpotifyRateLimitedError(30), good)
    engine = PollEngine(source, NO_JITTER, clock=clock)
    await engine.poll()
    await engine.poll()
    clock.advance(10)
    snapshot = await engine.poll()  # a display's button, say: Spotify is not asked
    assert (source.calls, engine.upstream_calls) == (2, 2)
    assert (snapshot.status, snapshot.playback, snapshot.next_poll_at) == (
        AccountStatus.RATE_LIMITED,
        good,
        clock.now + 20,
    )
    clock.advance(20)
    assert (await engine.poll()).status is AccountStatus.OK
    assert source.calls == 3


async def test_a_long_outage_is_noticed_within_the_back_off_cap(clock: FakeClock) -> None:
    engine = PollEngine(ScriptedSource(SpotifyUnavailableError()), NO_JITTER, clock=clock)
    for _ in range(30):  # minutes of 5xx
        await engine.poll()
    assert engine.seconds_to_next_poll() == NO_JITTER.backoff_cap == 30.0


async def test_recovery_is_logged_once(
    track_state: dict[str, Any], clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="spotifylcd.poller")
    outage = [SpotifyUnavailableError("HTTP 503")] * 5
    engine = PollEngine(
        ScriptedSource(*outage, playing(track_state, 0), playing(track_state, 0)),
        NO_JITTER,
        name="kitchen",
        clock=clock,
    )
    for _ in range(7):
        await engine.poll()
    levels = [(record.levelname, record.getMessage()) for record in caplog.records]
    assert levels == [
        ("WARNING", "kitchen: stale (HTTP 503)"),
        ("INFO", "kitchen: Spotify answers again (after stale)"),
    ]


async def test_a_sleeping_poller_forgets_the_playback(
    track_state: dict[str, Any], clock: FakeClock
) -> None:
    engine = PollEngine(ScriptedSource(playing(track_state, clock.now)), NO_JITTER, clock=clock)
    await engine.poll()
    clock.advance(600)
    engine.forget()
    snapshot = engine.snapshot
    assert (snapshot.status, snapshot.playback, snapshot.asleep) == (
        AccountStatus.STARTING,
        None,
        True,
    )
    assert snapshot.next_poll_at == clock.now  # a display waking it is told to ask again soon
    await engine.poll()
    assert (engine.snapshot.status, engine.snapshot.asleep) == (AccountStatus.OK, False)


async def test_forgetting_keeps_spotifys_wait(
    track_state: dict[str, Any], clock: FakeClock
) -> None:
    engine = PollEngine(
        ScriptedSource(playing(track_state, clock.now), SpotifyRateLimitedError(200)),
        NO_JITTER,
        clock=clock,
    )
    await engine.poll()
    await engine.poll()
    engine.forget()
    snapshot = engine.snapshot
    assert (snapshot.status, snapshot.playback) == (AccountStatus.RATE_LIMITED, None)
    assert snapshot.next_poll_at == clock.now + 200


async def test_the_cache_is_kept_until_due_then_forgotten_without_displays() -> None:
    source = ScriptedSource(Playback.idle(0.0))
    poller = Poller(source, PollPolicy(idle_interval=0.1, demand_window=0.05, jitter=0.0))
    poller.start()
    try:
        await eventually(lambda: source.calls == 1)
        assert poller.snapshot.playback is not None  # the priming poll serves the first display
        await eventually(lambda: poller.snapshot.asleep)
        forgotten = poller.snapshot
        assert (forgotten.playback, source.calls) == (None, 1)
    finally:
        await poller.stop()


async def test_a_display_told_to_wait_out_a_long_retry_after_finds_the_poller_awake() -> None:
    # Spotify asks for 0.3 s, longer than the 0.05 s demand window: the display that was
    # told to come back after the wait counts as still asking until then.
    source = ScriptedSource(SpotifyRateLimitedError(0.3), Playback.idle(0.0))
    poller = Poller(source, PollPolicy(idle_interval=60, demand_window=0.05, jitter=0.0))
    poller.start()
    try:
        await eventually(lambda: source.calls == 1)
        poller.demand()
        await eventually(lambda: poller.snapshot.status is AccountStatus.OK)
        assert source.calls == 2
        assert not poller.snapshot.asleep
    finally:
        await poller.stop()
